# Terraform 1.5+: an import block with the composite ID.
import {
  to = elasticpath_promotion_job.summer_codes
  id = "rule-promotions/8c150382-b258-4c88-a2d4-b9ea0be74a07/9bc1391c-1b65-419e-940e-66ed86c07001"
}
