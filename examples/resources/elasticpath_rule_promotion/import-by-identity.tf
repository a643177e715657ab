# Terraform 1.12+: import by identity.
import {
  to = elasticpath_rule_promotion.summer
  identity = {
    id = "8c150382-b258-4c88-a2d4-b9ea0be74a07"
  }
}
