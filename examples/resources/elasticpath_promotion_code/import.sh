# A code on a Rule Promotion: rule-promotions/<rule_promotion_id>/<code>
terraform import elasticpath_promotion_code.vip rule-promotions/8c150382-b258-4c88-a2d4-b9ea0be74a07/SUMMER-VIP

# A code on a Promotions Standard promotion: promotions/<promotion_id>/<code>
terraform import elasticpath_promotion_code.legacy promotions/19c08913-cc8c-47d8-a211-450c9e945970/LEGACY-9
