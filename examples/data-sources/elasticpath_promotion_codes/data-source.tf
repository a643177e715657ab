# The codes of a promotion, handed to another tool as a CSV file that only its owner can read.
data "elasticpath_promotion_codes" "summer" {
  rule_promotion_id = var.summer_promotion_id
  prefix            = "SUMMER-"
}

resource "local_sensitive_file" "summer_codes" {
  filename = "${path.module}/summer-codes.csv"
  content = join("\n", concat(
    ["code,max_uses,consume_unit"],
    [for c in data.elasticpath_promotion_codes.summer.codes : "${c.code},${coalesce(c.max_uses, "")},${c.consume_unit}"],
  ))
}

output "summer_code_count" {
  value = data.elasticpath_promotion_codes.summer.total
}
