# The hand-made VIP codes of a Rule Promotion (its generated codes have other prefixes).
list "elasticpath_promotion_code" "vip" {
  provider = elasticpath
  config {
    rule_promotion_id = "8c150382-b258-4c88-a2d4-b9ea0be74a07"
    prefix            = "VIP-"
  }
}
