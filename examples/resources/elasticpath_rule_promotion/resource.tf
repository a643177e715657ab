# 15% off carts of $100 or more, for the summer, with a code.
resource "elasticpath_rule_promotion" "summer" {
  name        = "Summer 2026"
  description = "15% off carts over $100"
  enabled     = true
  automatic   = false # customers redeem it with a code (elasticpath_promotion_job, elasticpath_promotion_code)
  start       = "2026-06-01"
  end         = "2026-09-01T00:00:00Z"
  rule_set = jsonencode({
    currencies = ["USD"]
    # Amounts are in the currency's smallest unit: 10000 is $100.00.
    rules   = { strategy = "cart_total", operator = "gte", args = [10000] }
    actions = [{ strategy = "cart_discount", args = ["percent", 15] }]
  })
}

output "summer_promotion_id" {
  value = elasticpath_rule_promotion.summer.id
}
