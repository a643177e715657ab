# A seasonal campaign: the summer Rule Promotion, a hand-made VIP code, a batch of unique codes handed to the
# next tool, and their export once they exist (again whenever the codes are replaced, or on demand through an
# action). `terraform destroy` removes the promotion, and its codes with it.
# `make demo` applies this against the simulator; with EPCC_* set it applies to a real store. Needs Terraform
# 1.14 or newer (the action; the ephemeral read of the codes needs 1.10).

terraform {
  required_providers {
    elasticpath = {
      source = "epcc-community/elasticpath"
    }
  }
}

provider "elasticpath" {}

variable "campaign_name" {
  description = "The promotion's name: its identity in the store."
  type        = string
  default     = "Summer 2026"
}

variable "number_of_codes" {
  description = "How many codes the campaign hands out."
  type        = number
  default     = 500
}

resource "elasticpath_rule_promotion" "summer" {
  name        = var.campaign_name
  description = "15% off carts over $100, with a code"
  enabled     = true
  start       = "2026-06-01"
  end         = "2026-09-01"
  rule_set = jsonencode({
    currencies = ["USD"]
    rules      = { strategy = "cart_total", operator = "gte", args = [10000] } # $100.00, in cents
    actions    = [{ strategy = "cart_discount", args = ["percent", 15] }]
  })
}

# A hand-made code for the VIP list, beside the batch of unique SUMMER- codes below.
resource "elasticpath_promotion_code" "vip" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  code              = "VIP2026"
  uses              = 100
  consume_unit      = "per_checkout"
}

resource "elasticpath_promotion_job" "summer_codes" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  job_type          = "code_generate"
  name              = "summer-2026"
  parameters = {
    number_of_codes   = var.number_of_codes
    max_uses_per_code = 1
    consume_unit      = "per_checkout"
    code_prefix       = "SUMMER-"
    code_length       = 10
  }
  timeouts = {
    create = "30m"
  }
}

resource "elasticpath_promotion_job" "summer_export" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  job_type          = "code_export"
  name              = "summer-2026-export"

  depends_on = [elasticpath_promotion_job.summer_codes]
  lifecycle {
    # A new batch of codes gets a new export.
    replace_triggered_by = [elasticpath_promotion_job.summer_codes.id]
  }
}

# A fresh export whenever the campaign team asks for one, with its progress on the terminal:
#   terraform apply -invoke=action.elasticpath_export_promotion_codes.fresh_export
action "elasticpath_export_promotion_codes" "fresh_export" {
  config {
    rule_promotion_id = elasticpath_rule_promotion.summer.id
    name              = "summer-2026-fresh-export"
  }
}

# The codes, handed to the next tool without entering the plan or the state: read during the run (ephemeral),
# and passed in the environment of a command, again whenever a new batch replaces the job. Put your mailer or
# loyalty tool's command in place of this one, which writes them to a file only you can read.
ephemeral "elasticpath_promotion_codes" "summer" {
  rule_promotion_id = elasticpath_rule_promotion.summer.id
  prefix            = "SUMMER-"

  depends_on = [elasticpath_promotion_job.summer_codes]
}

resource "terraform_data" "hand_off" {
  triggers_replace = [elasticpath_promotion_job.summer_codes.id]
  provisioner "local-exec" {
    command = "umask 077 && printf '%s\\n' \"$CODES\" > summer-codes.txt"
    environment = {
      CODES = join("\n", [for c in ephemeral.elasticpath_promotion_codes.summer.codes : c.code])
    }
  }
  lifecycle {
    precondition {
      # Checked once the job has completed: before that (a first plan), the promotion holds no codes yet.
      condition     = elasticpath_promotion_job.summer_codes.status != "completed" || ephemeral.elasticpath_promotion_codes.summer.total >= var.number_of_codes
      error_message = "The promotion holds fewer SUMMER- codes than the campaign asked for."
    }
  }
}

output "codes_generated" {
  description = "Codes the generation job made."
  value       = elasticpath_promotion_job.summer_codes.generated_codes
}

output "export_url" {
  description = "Signed link to the CSV of the promotion's codes, as of the export's completion; it expires."
  value       = elasticpath_promotion_job.summer_export.file_url
  # The link alone grants access to every code: a credential. `terraform output -raw export_url` shows it.
  sensitive = true
}
