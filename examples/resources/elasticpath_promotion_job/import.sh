# A job on a Rule Promotion: rule-promotions/<rule_promotion_id>/<job_id>
terraform import elasticpath_promotion_job.summer_codes rule-promotions/8c150382-b258-4c88-a2d4-b9ea0be74a07/9bc1391c-1b65-419e-940e-66ed86c07001

# A job on a Promotions Standard promotion: promotions/<promotion_id>/<job_id>
terraform import elasticpath_promotion_job.legacy_codes promotions/19c08913-cc8c-47d8-a211-450c9e945970/f890bc57-5e08-4f04-95e7-36bd8aab1095
