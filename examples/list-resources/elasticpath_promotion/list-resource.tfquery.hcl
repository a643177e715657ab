# The Promotions Standard promotions named "$9 off".
list "elasticpath_promotion" "nine_off" {
  provider = elasticpath
  config {
    name = "$9 off"
  }
}
