# jobs.tfquery.hcl: find a promotion's completed code generation jobs.
#   terraform query                                   # list them
#   terraform query -generate-config-out=jobs.tf      # write import and resource blocks that adopt them
list "elasticpath_promotion_job" "winter" {
  provider = elasticpath

  config {
    rule_promotion_id = var.promotion_id
    job_type          = "code_generate"
    status            = "completed"
  }
}
