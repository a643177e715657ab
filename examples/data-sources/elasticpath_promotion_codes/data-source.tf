data "elasticpath_rule_promotion" "summer" {
  name = "Summer 2026"
}

# The codes of a promotion, for another tool: `terraform output -raw summer_codes_csv > codes.csv`.
# They are kept in the state (sensitive); the elasticpath_promotion_codes ephemeral resource reads them
# without storing them.
data "elasticpath_promotion_codes" "summer" {
  rule_promotion_id = data.elasticpath_rule_promotion.summer.id
  prefix            = "SUMMER-"
}

output "summer_codes_csv" {
  value = join("\n", concat(
    ["code,max_uses,consume_unit"],
    [for c in data.elasticpath_promotion_codes.summer.codes : "${c.code},${c.max_uses != null ? c.max_uses : ""},${c.consume_unit}"],
  ))
  sensitive = true
}
