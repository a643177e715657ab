# Credentials usually come from the environment that Elastic Path's own tools use:
#   EPCC_CLIENT_ID, EPCC_CLIENT_SECRET and EPCC_API_BASE_URL.
provider "elasticpath" {}

# Or set explicitly, e.g. for a store in the EU region:
provider "elasticpath" {
  alias         = "eu"
  api_base_url  = "https://euwest.api.elasticpath.com"
  client_id     = var.epcc_client_id
  client_secret = var.epcc_client_secret

  request_timeout = "30s"
  max_retries     = 4
  rate_limit      = 20
}

variable "epcc_client_id" {
  type = string
}

variable "epcc_client_secret" {
  type      = string
  sensitive = true
}
