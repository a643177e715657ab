resource "elasticpath_promotion_job" "codes" {
  rule_promotion_id = var.promotion_id
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
    rule_promotion_id = var.promotion_id
    name              = "winter-2026-export"
  }
}

# The completed exports, each with a signed link to its CSV file, fetched anew on every run.
data "elasticpath_promotion_jobs" "exports" {
  rule_promotion_id = var.promotion_id
  job_type          = "code_export"
  status            = "completed"
}
