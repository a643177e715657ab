data "elasticpath_rule_promotion" "summer" {
  name = "Summer 2026"
}

# The newest completed export of the promotion: a link signed now, and the file itself, never stored.
ephemeral "elasticpath_promotion_export" "summer" {
  rule_promotion_id = data.elasticpath_rule_promotion.summer.id
  include_csv       = true
}

# Writes the CSV to a file only you can read. Any time after apply, for the codes as last exported:
#   terraform apply -replace=terraform_data.summer_csv
resource "terraform_data" "summer_csv" {
  provisioner "local-exec" {
    command = "umask 077 && printf '%s' \"$CSV\" > summer-codes.csv"
    environment = {
      CSV = ephemeral.elasticpath_promotion_export.summer.csv
    }
  }
}
