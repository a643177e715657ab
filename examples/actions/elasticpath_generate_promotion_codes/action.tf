# A top-up batch of codes, made only when asked for:
#   terraform apply -invoke=action.elasticpath_generate_promotion_codes.top_up
# Each invocation makes a new batch; to own one batch in the state, use the elasticpath_promotion_job resource.
action "elasticpath_generate_promotion_codes" "top_up" {
  config {
    rule_promotion_id = var.promotion_id
    name              = "winter-2026-top-up"
    number_of_codes   = 100
    max_uses_per_code = 1
    consume_unit      = "per_checkout"
    code_prefix       = "WINTER-"
    code_length       = 10
    timeout           = "30m"
  }
}
