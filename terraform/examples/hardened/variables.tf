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
