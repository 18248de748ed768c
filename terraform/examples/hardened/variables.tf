variable "project_id" {
  type        = string
  description = "Project to deploy Warden into."
}

variable "region" {
  type        = string
  description = "Region of everything (keys, buckets, database, functions, Pub/Sub storage)."
  default     = "us-central1"
}

variable "oidc_issuers" {
  type        = list(string)
  description = "Issuers whose ID tokens the gateway accepts (your IdP, e.g. https://login.example.org)."
}

variable "oidc_audiences" {
  type        = list(string)
  description = "Accepted aud values besides the gateway's URL (your IdP's client id for Warden)."
  default     = []
}

variable "oidc_groups_claim" {
  type        = string
  description = "Claim holding the caller's groups."
  default     = "groups"
}

variable "datasets" {
  type = list(object({
    project_id = string
    dataset_id = string
  }))
  description = "Datasets Warden serves."
}

variable "policy_file" {
  type        = string
  description = "Path of your policy YAML (docs/policy.md)."
}

variable "credential_ciphertext_file" {
  type        = string
  description = "Sealed key of the data-reader account (`warden credential seal`), null on the first apply."
  default     = null
}

variable "masking_key_ciphertext_file" {
  type        = string
  description = "Sealed masking key, null on the first apply."
  default     = null
}

variable "auditors" {
  type        = list(string)
  description = "Members who read, verify and search the audit trail (e.g. group:compliance@example.org)."
  default     = []
}

variable "witness_members" {
  type        = list(string)
  description = "Who runs the audit witness (group:auditors@…): module witness gives them its account."
  default     = []
}

variable "witness_project_id" {
  type        = string
  description = "A project the auditors control for the witness bucket; null for project_id."
  default     = null
}

variable "notifier_webhook_secret" {
  type        = string
  description = "Secret Manager secret whose latest version is the chat webhook URL; null to deploy without the notifier."
  default     = null
}

variable "notifier_format" {
  type        = string
  description = "slack or google-chat."
  default     = "slack"
}

variable "connector_cidr" {
  type        = string
  description = "Unused /28 range of the VPC for the Serverless VPC Access connector."
  default     = "10.8.0.0/28"
}

variable "kms_key" {
  type        = string
  description = "Existing Cloud KMS key in region for the stores' CMEK (e.g. from your security project); null to create data-cmek in Warden's key ring."
  default     = null
}

variable "notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channels of the alerts (required: hardened refuses a plan without them)."
}

variable "verify_image" {
  type        = string
  description = "Image of the scheduled audit check, built from deploy/verify/Dockerfile."
  default     = null
}

variable "gateway_access" {
  type        = string
  description = "public, or iam where Domain Restricted Sharing forbids allUsers (see terraform/README.md)."
  default     = "public"
}

variable "gateway_invokers" {
  type        = list(string)
  description = "Members that may invoke the gateway in iam mode."
  default     = []
}

# --- ingress: external HTTPS load balancer (ingress.tf) ---------------------------------------------------

variable "domain" {
  type        = string
  description = "Domain of the gateway behind an external HTTPS load balancer with a Google-managed certificate (point its DNS at output lb_address); null for the run.app URL."
  default     = null
}

variable "cloud_armor" {
  type        = bool
  description = "Attach a Cloud Armor policy to the load balancer: per-client rate limit and the preconfigured OWASP rules."
  default     = true
}

variable "rate_limit_per_minute" {
  type        = number
  description = "Requests per minute one client IP may send before Cloud Armor answers 429."
  default     = 600
}

variable "iap_client_id" {
  type        = string
  description = "OAuth client id to put Identity-Aware Proxy in front of the gateway (Domain Restricted Sharing: no allUsers); null for none."
  default     = null
}

variable "iap_client_secret" {
  type        = string
  description = "Secret of iap_client_id."
  default     = null
  sensitive   = true
}

# --- VPC Service Controls (perimeter.tf) ------------------------------------------------------------------

variable "access_policy" {
  type        = string
  description = "Access Context Manager policy number of your organisation; set it to put the project in a service perimeter, null for none."
  default     = null
}

variable "perimeter_dry_run" {
  type        = bool
  description = "Create the perimeter in dry-run mode (violations are logged, not blocked): start here, then set false to enforce."
  default     = true
}

variable "perimeter_access_levels" {
  type        = list(string)
  description = "Access levels (accessPolicies/…/accessLevels/…) whose callers may reach the restricted services from outside, e.g. your operators' network."
  default     = []
}
