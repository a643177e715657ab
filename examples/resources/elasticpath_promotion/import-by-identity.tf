# Terraform 1.12+: import by identity.
import {
  to = elasticpath_promotion.legacy
  identity = {
    id = "19c08913-cc8c-47d8-a211-450c9e945970"
  }
}
