# A Promotions Standard promotion is imported by its id.
terraform import elasticpath_promotion.legacy 19c08913-cc8c-47d8-a211-450c9e945970
