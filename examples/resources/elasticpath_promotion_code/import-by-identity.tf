# Terraform 1.12+: import by identity.
import {
  to = elasticpath_promotion_code.vip
  identity = {
    rule_promotion_id = "8c150382-b258-4c88-a2d4-b9ea0be74a07"
    code              = "SUMMER-VIP"
  }
}
