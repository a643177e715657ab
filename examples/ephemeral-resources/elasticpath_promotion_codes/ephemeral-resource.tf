data "elasticpath_rule_promotion" "summer" {
  name = "Summer 2026"
}

# The summer codes, read during the run only: they reach neither the plan nor the state.
ephemeral "elasticpath_promotion_codes" "summer" {
  rule_promotion_id = data.elasticpath_rule_promotion.summer.id
  prefix            = "SUMMER-"
}

# Handed to the next tool through the environment of a command (Terraform 1.10+), again whenever the trigger
# changes: in a campaign, the id of the job that generated the batch. A write-only argument of another
# provider takes them the same way, e.g. a secret manager's secret_string_wo (Terraform 1.11+).
resource "terraform_data" "hand_off" {
  triggers_replace = [data.elasticpath_rule_promotion.summer.id]
  provisioner "local-exec" {
    command = "echo \"handing $(printf '%s' \"$CODES\" | wc -l) codes to the mailer\""
    environment = {
      CODES = join("\n", [for c in ephemeral.elasticpath_promotion_codes.summer.codes : c.code])
    }
  }
}
