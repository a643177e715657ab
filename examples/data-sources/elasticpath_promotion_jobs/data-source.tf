data "elasticpath_rule_promotion" "summer" {
  name = "Summer 2026"
}

# The completed code generation jobs of a Rule Promotion.
data "elasticpath_promotion_jobs" "done" {
  rule_promotion_id = data.elasticpath_rule_promotion.summer.id
  job_type          = "code_generate"
  status            = "completed"
}

output "codes_generated" {
  # 0 on a promotion with no completed job yet, where every campaign starts.
  value = sum(concat([0], [for job in data.elasticpath_promotion_jobs.done.jobs : job.generated_codes]))
}
