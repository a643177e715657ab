resource "elasticpath_rule_promotion" "winter" {
  name    = "Winter 2026"
  enabled = true
  rule_set = jsonencode({
    rules   = { strategy = "cart_total", operator = "gte", args = [5000] } # $50.00, in cents
    actions = [{ strategy = "cart_discount", args = ["percent", 10] }]
  })
}

resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = elasticpath_rule_promotion.winter.id
  job_type          = "code_generate"
  name              = "winter-2026"
  parameters = {
    number_of_codes = 500
    code_prefix     = "WINTER-"
  }

  # Re-export whenever this job is created, which includes every replacement.
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.elasticpath_export_promotion_codes.fresh_export]
    }
  }
}

# Also on demand:
#   terraform apply -invoke=action.elasticpath_export_promotion_codes.fresh_export
action "elasticpath_export_promotion_codes" "fresh_export" {
  config {
    rule_promotion_id = elasticpath_rule_promotion.winter.id
    name              = "winter-2026-export"
  }
}
