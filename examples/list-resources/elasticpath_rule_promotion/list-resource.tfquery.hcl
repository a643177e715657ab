# Every Rule Promotion of the store; `config { name = "..." }` narrows to one name.
list "elasticpath_rule_promotion" "all" {
  provider = elasticpath
}
