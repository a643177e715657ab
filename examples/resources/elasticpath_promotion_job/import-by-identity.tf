# Terraform 1.12+: import by identity, as terraform query -generate-config-out writes it.
import {
  to = elasticpath_promotion_job.summer_codes
  identity = {
    rule_promotion_id = "8c150382-b258-4c88-a2d4-b9ea0be74a07"
    job_id            = "9bc1391c-1b65-419e-940e-66ed86c07001"
  }
}
