# A Rule Promotion is imported by its id.
terraform import elasticpath_rule_promotion.summer 8c150382-b258-4c88-a2d4-b9ea0be74a07
