# jobs.tfquery.hcl: find a promotion's completed code generation jobs.
#   terraform query                                   # list them
#   terraform query -generate-config-out=jobs.tf      # write import and resource blocks that adopt them
list "elasticpath_promotion_job" "winter" {
  provider = elasticpath

  config {
    rule_promotion_id = "8c150382-b258-4c88-a2d4-b9ea0be74a07"
    job_type          = "code_generate"
    status            = "completed"
  }
}
