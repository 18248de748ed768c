variable "project_id" {
  type        = string
  description = "Project of the service accounts and the functions."
}

variable "project_number" {
  type        = string
  description = "Number of the project (for the Pub/Sub service agent)."
}

variable "region" {
  type        = string
  description = "Region of the functions."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the service-account ids."
  default     = "warden"
}

variable "datasets" {
  type = list(object({
    project_id = string
    dataset_id = string
  }))
  description = "Datasets Warden serves: the gateway reads their metadata, the query identity their data."
  default     = []
}

variable "credential_mode" {
  type        = string
  description = "kms: queries run as a separate data-reader account whose sealed key the executor holds; keyless: as the executor's own account."
  default     = "kms"
  validation {
    condition     = contains(["kms", "keyless"], var.credential_mode)
    error_message = "credential_mode is kms or keyless."
  }
}

variable "create_data_reader" {
  type        = bool
  description = "In kms mode, create the data-reader service account and grant it read access to the datasets (you then create its key and seal it). false: bring your own account."
  default     = true
}

variable "query_identities" {
  type        = map(list(string))
  description = "kms mode: more BigQuery identities that policy rules name in `credential` (defence in depth), name → the datasets (project.dataset) it may read; each gets its own service account, job and dataset grants, and its sealed key at sealed/query-<name>.enc in the config bucket (QUERY_CREDENTIALS)."
  default     = {}
  validation {
    condition     = alltrue([for name in keys(var.query_identities) : can(regex("^[a-z][a-z0-9-]{0,18}$", name))])
    error_message = "query_identities names are lower-case letters, digits and dashes (at most 19 characters)."
  }
}

variable "notifier_enabled" {
  type        = bool
  description = "Create the notifier's service account."
  default     = false
}

variable "notifier_webhook_secret" {
  type        = string
  description = "Name of the Secret Manager secret (in this project) the notifier reads, or null."
  default     = null
}

variable "gateway_access" {
  type        = string
  description = "public: anyone may reach the gateway and it authenticates callers itself (OIDC); iam: Cloud Run also requires a Google identity in gateway_invokers."
  default     = "public"
  validation {
    condition     = contains(["public", "iam"], var.gateway_access)
    error_message = "gateway_access is public or iam."
  }
}

variable "gateway_invokers" {
  type        = list(string)
  description = "Members allowed to invoke the gateway when gateway_access is iam (user:…, group:…, serviceAccount:…)."
  default     = []
  validation {
    condition     = alltrue([for m in var.gateway_invokers : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "gateway_invokers names identities; use gateway_access = \"public\" for an open endpoint."
  }
}

variable "service_names" {
  type        = map(string)
  description = "Cloud Run service of each function (module functions): gateway, executor, approved, sweeper, notifier."
}

variable "keys" {
  type = object({
    credential    = string
    masking       = string
    audit         = string
    request_state = string
  })
  description = "KMS key ids (module kms)."
}

variable "audit_bucket" {
  type        = string
  description = "The audit bucket (module audit)."
}

variable "audit_dataset_id" {
  type        = string
  description = "Dataset of the audit search table (module audit)."
}

variable "results_bucket" {
  type        = string
  description = "The results bucket (module approvals): the executor creates objects, the gateway reads them."
}

variable "config_bucket" {
  type        = string
  description = "Bucket of the policy and the sealed keys (module functions)."
}

variable "firestore_database_id" {
  type        = string
  description = "Firestore database resource name, projects/…/databases/… (module approvals)."
}

variable "topic_ids" {
  type = object({
    requested   = string
    decided     = string
    dead_letter = string
  })
  description = "Topic ids (module approvals)."
}

variable "subscription_ids" {
  type        = map(string)
  description = "Push subscriptions (module functions): approved, sweeper, notifier."
}

variable "console_audit_read" {
  type        = bool
  description = "Let the gateway read and verify the audit bucket for the approvers' console (CONSOLE_AUDIT_READ)."
  default     = false
}

variable "auditors" {
  type        = list(string)
  description = "Members who read and verify the audit trail and search it in BigQuery (user:…, group:…)."
  default     = []
}
