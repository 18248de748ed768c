# --- where ---------------------------------------------------------------------------------------------

variable "project_id" {
  type        = string
  description = "Project Warden is deployed into."
}

variable "region" {
  type        = string
  description = "Region of the functions (and default location of everything else)."
  default     = "us-central1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of function, service-account and bucket names."
  default     = "warden"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name_prefix))
    error_message = "name_prefix is 2 to 15 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "enable_apis" {
  type        = bool
  description = "Enable the Google APIs Warden uses (left enabled on destroy)."
  default     = true
}

variable "labels" {
  type        = map(string)
  description = "Labels on every resource that takes them."
  default     = {}
}

# --- what it serves --------------------------------------------------------------------------------------

variable "datasets" {
  type = list(object({
    project_id = string
    dataset_id = string
  }))
  description = "Datasets Warden serves (any project): the gateway may read their metadata, the query identity their data. Jobs run in project_id."
  default     = []
}

variable "policy_file" {
  type        = string
  description = "Path of the policy YAML (docs/policy.md); uploaded, read by both functions at start."
}

variable "bigquery_location" {
  type        = string
  description = "BigQuery location jobs run in (BIGQUERY_LOCATION); null for the datasets' location."
  default     = null
}

# --- callers ---------------------------------------------------------------------------------------------

variable "oidc_issuers" {
  type        = list(string)
  description = "Issuers whose ID tokens the gateway accepts (OIDC_ISSUERS), e.g. https://accounts.google.com or your IdP."
}

variable "oidc_audiences" {
  type        = list(string)
  description = "aud values accepted besides the gateway's URL (OIDC_AUDIENCES): your IdP's client id for Warden."
  default     = []
}

variable "oidc_groups_claim" {
  type        = string
  description = "ID-token claim holding the caller's groups (OIDC_GROUPS_CLAIM)."
  default     = "groups"
}

variable "public_url" {
  type        = string
  description = "The gateway's base URL behind a custom domain or load balancer; null for its run.app URL."
  default     = null
}

variable "allowed_hosts" {
  type        = list(string)
  description = "More Host header values the gateway accepts (ALLOWED_HOSTS)."
  default     = []
}

variable "gateway_access" {
  type        = string
  description = "public: Cloud Run admits everyone and the gateway verifies OIDC tokens itself; iam: Cloud Run also requires a Google identity from gateway_invokers."
  default     = "public"
}

variable "gateway_invokers" {
  type        = list(string)
  description = "Members that may invoke the gateway in iam mode (user:…, group:…, serviceAccount:…)."
  default     = []
}

variable "gateway_ingress" {
  type        = string
  description = "Ingress of the gateway: ALLOW_ALL, or ALLOW_INTERNAL_AND_GCLB behind an external load balancer."
  default     = "ALLOW_ALL"
}

# --- executor --------------------------------------------------------------------------------------------

variable "executor_internal_only" {
  type        = bool
  description = "Executor reachable only from inside (ingress ALLOW_INTERNAL_ONLY; needs vpc_connector). false: reachable URL, still invokable by the gateway's service account alone."
  default     = true
}

variable "vpc_connector" {
  type        = string
  description = "Serverless VPC Access connector the gateway sends all egress through (projects/…/locations/…/connectors/…); the VPC needs Cloud NAT for the OIDC issuers."
  default     = null
}

variable "credential_mode" {
  type        = string
  description = "kms: queries run as a data-reader account whose key is sealed with KMS; keyless: as the executor's own account."
  default     = "kms"
}

variable "create_data_reader" {
  type        = bool
  description = "kms mode: create the data-reader account and its dataset grants (you create and seal its key)."
  default     = true
}

variable "query_identities" {
  type        = map(list(string))
  description = "kms mode: more BigQuery identities that policy rules name in `credential` (defence in depth), name → the datasets (project.dataset) it may read; each gets its own service account, job and dataset grants, and its sealed key at sealed/query-<name>.enc in the config bucket (QUERY_CREDENTIALS)."
  default     = {}
}

variable "credential_ciphertext_file" {
  type        = string
  description = "Sealed credential to upload (`warden credential seal … --out key.json.enc`); null until you have sealed it."
  default     = null
}

variable "masking_key_ciphertext_file" {
  type        = string
  description = "Sealed masking key to upload (see README); null until you have sealed it."
  default     = null
}

variable "query_timeout_ms" {
  type        = number
  description = "Job timeout of the executor (QUERY_TIMEOUT_MS)."
  default     = 120000
}

variable "result_ttl_seconds" {
  type        = number
  description = "How long a requester may fetch an approved query's masked result (RESULT_TTL_SECONDS); null for result_ttl_days. At most result_ttl_days days."
  default     = null
  validation {
    condition     = var.result_ttl_seconds == null || (coalesce(var.result_ttl_seconds, 0) >= 1 && coalesce(var.result_ttl_seconds, 0) <= var.result_ttl_days * 86400)
    error_message = "result_ttl_seconds is between 1 and result_ttl_days * 86400: the results bucket deletes results after result_ttl_days."
  }
}

variable "result_ttl_days" {
  type        = number
  description = "Days after which the results bucket deletes a masked result (lifecycle rule); also the default of RESULT_TTL_SECONDS."
  default     = 1
}

variable "results_bucket_name" {
  type        = string
  description = "Name of the results bucket (RESULTS_BUCKET: large masked results of approved queries); null for PROJECT_ID-NAME_PREFIX-results."
  default     = null
}

variable "results_cmek" {
  type        = bool
  description = "Encrypt the results bucket with a Cloud KMS key of Warden's key ring (which must then be in region)."
  default     = false
}

# --- keys ------------------------------------------------------------------------------------------------

variable "hardened" {
  type        = bool
  description = "Refuse to plan a deployment that lacks what a HIPAA organisation requires: cmek on every store and alert notification_channels (examples/hardened sets it)."
  default     = false
  validation {
    condition     = !var.hardened || var.cmek
    error_message = "hardened needs cmek = true: Firestore holds parked SQL and masked results, the buckets audit records and results, Pub/Sub approval events."
  }
  validation {
    condition     = !var.hardened || length(var.notification_channels) > 0
    error_message = "hardened needs notification_channels: break-glass use, expired approvals, dead letters, audit write and verification failures must alert someone."
  }
}

variable "cmek" {
  type        = bool
  description = "Encrypt every store with one customer-managed key (kms_key, or a data-cmek key of Warden's key ring): Firestore, the Pub/Sub topics, the audit, results, configuration and sources buckets, the audit dataset; the service agents get encrypter/decrypter on it. The key must be in region (keep kms_location, audit_location and firestore_location at region)."
  default     = false
}

variable "kms_key" {
  type        = string
  description = "With cmek: an existing Cloud KMS key (projects/…/locations/REGION/keyRings/…/cryptoKeys/…, known at plan time) instead of creating data-cmek; Terraform grants the service agents on it, so you need setIamPolicy there."
  default     = null
}

variable "kms_location" {
  type        = string
  description = "Location of the key ring; null for region. With audit_cmek the key ring must be in the audit bucket's location, with results_cmek in region."
  default     = null
}

variable "kms_key_ring_name" {
  type        = string
  description = "Key ring name (key rings are never deleted: use a new name after a destroy)."
  default     = "warden"
}

variable "kms_protection_level" {
  type        = string
  description = "SOFTWARE or HSM for every key."
  default     = "SOFTWARE"
}

variable "kms_rotation_period" {
  type        = string
  description = "Rotation period of the symmetric keys (e.g. 7776000s, 90 days)."
  default     = "7776000s"
}

variable "audit_key_version" {
  type        = number
  description = "Version of the audit signing key new instances certify with (raise after a manual rotation)."
  default     = 1
}

# --- audit -----------------------------------------------------------------------------------------------

variable "audit_location" {
  type        = string
  description = "Location of the audit bucket and search dataset; null for region."
  default     = null
}

variable "audit_bucket_name" {
  type        = string
  description = "Name of the audit bucket; null for PROJECT_ID-NAME_PREFIX-audit."
  default     = null
}

variable "audit_retention_years" {
  type        = number
  description = "Locked retention of audit records, in years (HIPAA: 6)."
  default     = 6
}

variable "audit_cmek" {
  type        = bool
  description = "Encrypt the audit bucket with a Cloud KMS key of Warden's key ring."
  default     = false
}

variable "audit_access_log_bucket" {
  type        = string
  description = "Bucket for the audit bucket's usage logs, or null."
  default     = null
}

variable "auditors" {
  type        = list(string)
  description = "Members who read, verify and search the audit trail (group:compliance@…)."
  default     = []
}

variable "witness" {
  type = object({
    members          = list(string)
    project_id       = optional(string)
    location         = optional(string)
    bucket_name      = optional(string)
    retention_days   = optional(number)
    retention_locked = optional(bool, false)
  })
  description = "A home for an auditor's witness (module witness), or null for none: a versioned bucket (CMEK with cmek) its own service account alone writes, in project_id (default project_id; better one the auditor controls); members (group:auditors@…) run the witness as that account. No Warden function may write the bucket."
  default     = null
}

variable "audit_digest_interval_seconds" {
  type        = number
  description = "Seconds after an audit object is stored until a digest lists it, at the latest (AUDIT_DIGEST_INTERVAL_SECONDS)."
  default     = 60
}

variable "console_audit_read" {
  type        = bool
  description = "Let the gateway read and verify the audit trail for the approvers' console (CONSOLE_AUDIT_READ)."
  default     = false
}

variable "break_glass_reviewer_groups" {
  type        = list(string)
  description = "Groups whose members review break-glass uses after the fact (BREAK_GLASS_REVIEWER_GROUPS, docs/approvals.md); empty for the policy's approver groups."
  default     = []
  validation {
    condition     = alltrue([for g in var.break_glass_reviewer_groups : length(trimspace(g)) > 0 && !strcontains(g, ",")])
    error_message = "Each break-glass reviewer group is a non-empty group name without a comma."
  }
}

# --- approvals -------------------------------------------------------------------------------------------

variable "firestore_location" {
  type        = string
  description = "Firestore location (region or nam5/eur3); null for region."
  default     = null
}

variable "firestore_database" {
  type        = string
  description = "Name of Warden's Firestore database."
  default     = "warden"
}

variable "firestore_point_in_time_recovery" {
  type        = bool
  description = "Keep 7 days of point-in-time recovery for the Firestore database."
  default     = false
}

variable "firestore_delete_protection" {
  type        = bool
  description = "Refuse deletion of the Firestore database."
  default     = true
}

variable "pubsub_allowed_regions" {
  type        = list(string)
  description = "Regions where Pub/Sub may store approval events; empty for no restriction."
  default     = []
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries of an event before it is dead-lettered (5 to 100)."
  default     = 5
}

variable "sweep_schedule" {
  type        = string
  description = "When the sweeper runs (Cloud Scheduler cron, UTC): records approval expiries and fails stuck executions."
  default     = "*/5 * * * *"
}

variable "sweep_stuck_after_seconds" {
  type        = number
  description = "The sweeper fails an approved request still executing this long after its claim (SWEEP_STUCK_AFTER_SECONDS)."
  default     = 3600
}

# --- monitoring ------------------------------------------------------------------------------------------

variable "notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channels (projects/…/notificationChannels/…) of the alerts: break-glass use, approvals expired unreviewed, dead-lettered events, audit write failures, verification failures."
  default     = []
}

variable "verify_image" {
  type        = string
  description = "Image of the scheduled audit check (built from deploy/verify/Dockerfile, in a registry the project can pull from); null for no scheduled `warden audit verify`."
  default     = null
}

variable "verify_schedule" {
  type        = string
  description = "When the audit check runs (Cloud Scheduler cron, UTC)."
  default     = "0 * * * *"
}

variable "verify_window_minutes" {
  type        = number
  description = "Break-glass decisions of the last this many minutes are reported per run: the schedule's interval."
  default     = 60
}

# --- notifier --------------------------------------------------------------------------------------------

variable "notifier_enabled" {
  type        = bool
  description = "Deploy the notifier (approval requests to a Slack or Google Chat webhook); needs its bundle in dist/functions/notifier."
  default     = false
}

variable "notifier_format" {
  type        = string
  description = "slack or google-chat (NOTIFIER_FORMAT)."
  default     = "slack"
}

variable "notifier_webhook_secret" {
  type        = string
  description = "Name of the Secret Manager secret in this project whose latest version is the webhook URL (required with notifier_enabled)."
  default     = null
}

# --- build and tuning -------------------------------------------------------------------------------------

variable "source_dir" {
  type        = string
  description = "The bundles of `npm run build:functions`; null for ../dist/functions next to this module."
  default     = null
}

variable "runtime" {
  type        = string
  description = "Cloud Functions runtime."
  default     = "nodejs24"
}

variable "build_service_account" {
  type        = string
  description = "Service account Cloud Build builds the functions with (projects/…/serviceAccounts/…), or null for the default."
  default     = null
}

variable "gateway_environment" {
  type        = map(string)
  description = "More gateway environment (docs/configuration.md), e.g. CONSOLE_CLIENT_ID, OIDC_CLOCK_SKEW_SECONDS."
  default     = {}
}

variable "executor_environment" {
  type        = map(string)
  description = "More executor environment (docs/configuration.md)."
  default     = {}
}

variable "notifier_environment" {
  type        = map(string)
  description = "More notifier environment."
  default     = {}
}
