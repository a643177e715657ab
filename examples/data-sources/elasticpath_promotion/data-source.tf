# A Promotions Standard promotion found by its exact name.
data "elasticpath_promotion" "legacy" {
  name = "$9 off"
}

resource "elasticpath_promotion_code" "partner" {
  promotion_id = data.elasticpath_promotion.legacy.id
  code         = "PARTNER-9"
  uses         = 50
}
