# Generate 500 single-use codes on a Rule Promotion.
resource "elasticpath_promotion_job" "summer_codes" {
  rule_promotion_id = var.summer_promotion_id
  job_type          = "code_generate"
  name              = "summer-2026"
  parameters = {
    number_of_codes   = 500
    max_uses_per_code = 1
    consume_unit      = "per_checkout"
    code_prefix       = "SUMMER-"
    code_length       = 10
  }
  timeouts = {
    create = "30m"
  }
}

# Export every code of the promotion once they exist.
resource "elasticpath_promotion_job" "summer_export" {
  rule_promotion_id = var.summer_promotion_id
  job_type          = "code_export"
  depends_on        = [elasticpath_promotion_job.summer_codes]
}

# On a Promotions Standard promotion, consume_unit is per_item or per_cart.
resource "elasticpath_promotion_job" "legacy_codes" {
  promotion_id = var.legacy_promotion_id
  job_type     = "code_generate"
  parameters = {
    number_of_codes = 100
    consume_unit    = "per_cart"
  }
}

output "summer_codes_file" {
  value = elasticpath_promotion_job.summer_export.file_url
}

variable "summer_promotion_id" {
  type = string
}

variable "legacy_promotion_id" {
  type = string
}
