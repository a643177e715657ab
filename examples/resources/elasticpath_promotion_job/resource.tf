resource "elasticpath_rule_promotion" "summer" {
  name    = "Summer codes 2026"
  enabled = true
  rule_set = jsonencode({
    rules   = { strategy = "cart_total", operator = "gte", args = [10000] } # $100.00, in cents
    actions = [{ strategy = "cart_discount", args = ["percent", 15] }]
  })
}

# Generate 500 single-use codes on a Rule Promotion.
resource "elasticpath_promotion_job" "summer_codes" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
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
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  job_type          = "code_export"
  depends_on        = [elasticpath_promotion_job.summer_codes]
}

# On a Promotions Standard promotion, consume_unit is per_item or per_cart.
data "elasticpath_promotion" "legacy" {
  name = "$9 off"
}

resource "elasticpath_promotion_job" "legacy_codes" {
  promotion_id = data.elasticpath_promotion.legacy.id
  job_type     = "code_generate"
  name         = "legacy-2026"
  parameters = {
    number_of_codes = 100
    consume_unit    = "per_cart"
  }
}

# The signed link to the export: a credential to every code, so the output is sensitive
# (`terraform output -raw summer_codes_file`). It expires; the elasticpath_promotion_jobs data source fetches a
# fresh one on every read.
output "summer_codes_file" {
  value     = elasticpath_promotion_job.summer_export.file_url
  sensitive = true
}
