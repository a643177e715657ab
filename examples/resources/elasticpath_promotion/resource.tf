# $9 off every cart, with a code (Promotions Standard).
resource "elasticpath_promotion" "legacy" {
  name           = "$9 off"
  enabled        = true
  automatic      = false
  promotion_type = "fixed_discount"
  # Amounts are in the currency's smallest unit: 900 is $9.00.
  schema = jsonencode({ currencies = [{ currency = "USD", amount = 900 }] })
  start  = "2026-06-01"
  end    = "2026-09-01"
}

# 10% off two SKUs: each promotion_type takes its own schema.
resource "elasticpath_promotion" "skus" {
  name           = "10% off sku1 and sku2"
  enabled        = true
  automatic      = true
  promotion_type = "item_percent_discount"
  schema         = jsonencode({ targets = ["sku1", "sku2"], percent = 10 })
  start          = "2026-06-01"
  end            = "2026-09-01"
}

resource "elasticpath_promotion_code" "legacy" {
  promotion_id = elasticpath_promotion.legacy.id
  code         = "NINE-OFF"
  uses         = 500
  consume_unit = "per_cart"
}
