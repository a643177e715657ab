# The summer codes, read during the run and handed to a secret manager through a write-only argument
# (Terraform 1.11+): they reach neither the plan nor the state of this configuration.
ephemeral "elasticpath_promotion_codes" "summer" {
  rule_promotion_id = var.summer_promotion_id
  prefix            = "SUMMER-"
}

resource "aws_secretsmanager_secret" "summer_codes" {
  name = "campaigns/summer-2026/codes"
}

resource "aws_secretsmanager_secret_version" "summer_codes" {
  secret_id = aws_secretsmanager_secret.summer_codes.id
  # One code per line, with a header, as a CSV file.
  secret_string_wo = join("\n", concat(
    ["code,max_uses,consume_unit"],
    [for c in ephemeral.elasticpath_promotion_codes.summer.codes : "${c.code},${coalesce(c.max_uses, "")},${c.consume_unit}"],
  ))
  # A write-only value is not compared between runs: bump the version to send the codes again.
  secret_string_wo_version = 1
}
