resource "elasticpath_rule_promotion" "summer" {
  name    = "VIP 2026"
  enabled = true
  rule_set = jsonencode({
    rules   = { strategy = "cart_total", operator = "gte", args = [10000] } # $100.00, in cents
    actions = [{ strategy = "cart_discount", args = ["percent", 15] }]
  })
}

# A vanity code for the VIP list: 100 uses in all, once per shopper, guests with an email included.
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  code              = "SUMMER-VIP"
  uses              = 100
  consume_unit      = "per_checkout"
  max_uses_per_shopper = {
    max_uses        = 1
    includes_guests = true
  }
}

# A code for first-time shoppers only: no use limit or user with it.
resource "elasticpath_promotion_code" "welcome" {
  rule_promotion_id  = elasticpath_rule_promotion.summer.id
  code               = "WELCOME-SUMMER"
  is_for_new_shopper = true
}
