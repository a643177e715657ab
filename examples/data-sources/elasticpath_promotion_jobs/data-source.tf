# The completed code generation jobs of a Rule Promotion.
data "elasticpath_promotion_jobs" "done" {
  rule_promotion_id = var.summer_promotion_id
  job_type          = "code_generate"
  status            = "completed"
}

output "codes_generated" {
  value = sum([for job in data.elasticpath_promotion_jobs.done.jobs : job.generated_codes])
}

variable "summer_promotion_id" {
  type = string
}
