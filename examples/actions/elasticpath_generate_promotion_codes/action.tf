data "elasticpath_rule_promotion" "summer" {
  name = "Summer 2026"
}

# A top-up batch of codes, made only when asked for:
#   terraform apply -invoke=action.elasticpath_generate_promotion_codes.top_up
# Each invocation makes a new batch; to own one batch in the state, use the elasticpath_promotion_job resource.
action "elasticpath_generate_promotion_codes" "top_up" {
  config {
    rule_promotion_id = data.elasticpath_rule_promotion.summer.id
    name              = "summer-2026-top-up"
    number_of_codes   = 100
    max_uses_per_code = 1
    consume_unit      = "per_checkout"
    code_prefix       = "SUMMER-"
    code_length       = 10
    timeout           = "30m"
  }
}
