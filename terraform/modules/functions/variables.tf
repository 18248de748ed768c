variable "project_id" {
  type        = string
  description = "Project the functions run in (also PROJECT_ID: the BigQuery project of dry runs and jobs)."
}

variable "project_number" {
  type        = string
  description = "Number of the project; the functions' Cloud Run URLs are https://NAME-NUMBER.REGION.run.app."
}

variable "region" {
  type        = string
  description = "Region of the functions and their buckets."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of function and bucket names."
  default     = "warden"
}

variable "source_dir" {
  type        = string
  description = "Directory holding the bundles of `npm run build:functions` (dist/functions: one folder per function)."
}

variable "runtime" {
  type        = string
  description = "Cloud Functions runtime of every function."
  default     = "nodejs24"
}

variable "service_accounts" {
  type = object({
    gateway  = string
    executor = string
    sweeper  = string
    notifier = optional(string)
  })
  description = "Runtime service-account emails (module iam)."
}

variable "build_service_account" {
  type        = string
  description = "Service account Cloud Build uses to build the functions (projects/…/serviceAccounts/…), or null for the project default."
  default     = null
}

variable "iam_ready" {
  type        = string
  description = "Any value that is known only once the IAM grants the functions need at start exist (module iam's startup_grants); functions are created after it."
  default     = ""
}

variable "audit_bucket" {
  type        = string
  description = "The retention-locked audit bucket (AUDIT_BUCKET)."
}

variable "audit_key_version" {
  type        = string
  description = "KMS key version that certifies audit signing keys (AUDIT_KMS_KEY_VERSION)."
}

variable "request_state_key_version" {
  type        = string
  description = "KMS MAC key version the gateway derives its MCP requestState key from (REQUEST_STATE_KMS_KEY_VERSION)."
}

variable "query_identities" {
  type        = list(string)
  description = "Names of the extra BigQuery identities whose sealed keys the executor opens (QUERY_CREDENTIALS)."
  default     = []
}

variable "credential_mode" {
  type        = string
  description = "kms: the executor runs queries with a sealed service-account key; keyless: with its own identity."
  default     = "kms"
  validation {
    condition     = contains(["kms", "keyless"], var.credential_mode)
    error_message = "credential_mode is kms or keyless."
  }
}

variable "credential_key_id" {
  type        = string
  description = "KMS key that sealed the credential (CREDENTIAL_KMS_KEY)."
}

variable "masking_key_id" {
  type        = string
  description = "KMS key that sealed the masking HMAC key (MASKING_KMS_KEY)."
}

variable "policy_file" {
  type        = string
  description = "Local path of the policy YAML; uploaded to the configuration bucket, read by both functions at start."
}

variable "credential_ciphertext_file" {
  type        = string
  description = "Local path of the sealed credential (`warden credential seal … --out key.json.enc`), uploaded to the configuration bucket; null to upload it yourself to the object named by the credential_object output."
  default     = null
}

variable "masking_key_ciphertext_file" {
  type        = string
  description = "Local path of the sealed masking key, uploaded to the configuration bucket; null to upload it yourself to the object named by the masking_key_object output."
  default     = null
}

variable "audit_digest_interval_seconds" {
  type        = number
  description = "Seconds after an audit object is stored until a digest lists it, at the latest (AUDIT_DIGEST_INTERVAL_SECONDS; gateway, executor, sweeper)."
  default     = 60
  validation {
    condition     = var.audit_digest_interval_seconds >= 1 && var.audit_digest_interval_seconds <= 3600
    error_message = "audit_digest_interval_seconds is between 1 and 3600."
  }
}

variable "results_bucket" {
  type        = string
  description = "Bucket for masked results too large for a Firestore document (RESULTS_BUCKET of the gateway and executor), or null for Firestore only."
  default     = null
}

variable "firestore_database" {
  type        = string
  description = "Firestore database of approvals (FIRESTORE_DATABASE)."
}

variable "topics" {
  type = object({
    requested_name = string
    decided_name   = string
    requested_id   = string
    decided_id     = string
    sweep_name     = string
    sweep_id       = string
    dead_letter_id = string
  })
  description = "Topic names and ids (module approvals): approval-requested, approval-decided, approval-sweep, dead letters."
}

variable "oidc_issuers" {
  type        = list(string)
  description = "Trusted OIDC issuers of callers' ID tokens (OIDC_ISSUERS)."
  validation {
    condition     = length(var.oidc_issuers) > 0 && alltrue([for i in var.oidc_issuers : startswith(i, "https://")])
    error_message = "oidc_issuers needs at least one https issuer URL."
  }
}

variable "oidc_audiences" {
  type        = list(string)
  description = "Accepted aud values besides the gateway's URL (OIDC_AUDIENCES), e.g. an OAuth client id."
  default     = []
}

variable "oidc_groups_claim" {
  type        = string
  description = "Claim of the ID token holding the caller's groups (OIDC_GROUPS_CLAIM)."
  default     = "groups"
}

variable "public_url" {
  type        = string
  description = "The gateway's public base URL when it sits behind a custom domain or load balancer; null for its run.app URL."
  default     = null
}

variable "allowed_hosts" {
  type        = list(string)
  description = "Host header values the gateway accepts besides its run.app and cloudfunctions.net hosts (ALLOWED_HOSTS)."
  default     = []
}

variable "gateway_ingress" {
  type        = string
  description = "Ingress of the gateway: ALLOW_ALL, or ALLOW_INTERNAL_AND_GCLB behind an external load balancer."
  default     = "ALLOW_ALL"
  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_AND_GCLB"], var.gateway_ingress)
    error_message = "gateway_ingress is ALLOW_ALL or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "executor_internal_only" {
  type        = bool
  description = "Executor ingress ALLOW_INTERNAL_ONLY; the gateway then reaches it through vpc_connector (all egress via the VPC, so the VPC needs Cloud NAT for the OIDC issuers). false: ALLOW_ALL, still IAM-protected (only the gateway's service account may invoke)."
  default     = true
}

variable "vpc_connector" {
  type        = string
  description = "Serverless VPC Access connector (projects/…/locations/…/connectors/…) the gateway sends all egress through; needed when executor_internal_only is true."
  default     = null
}

variable "bigquery_location" {
  type        = string
  description = "BigQuery location jobs run in (BIGQUERY_LOCATION), or null for the datasets' location."
  default     = null
}

variable "query_timeout_ms" {
  type        = number
  description = "Job timeout of the executor (QUERY_TIMEOUT_MS)."
  default     = 120000
}

variable "result_ttl_seconds" {
  type        = number
  description = "How long the requester may fetch an approved query's masked result (RESULT_TTL_SECONDS)."
  default     = 86400
}

variable "sweep_stuck_after_seconds" {
  type        = number
  description = "The sweeper fails an approved request still EXECUTING this long after its claim (SWEEP_STUCK_AFTER_SECONDS); longer than the approved function's timeout."
  default     = 3600
  validation {
    condition     = var.sweep_stuck_after_seconds >= 60
    error_message = "sweep_stuck_after_seconds is at least 60."
  }
}

variable "gateway_environment" {
  type        = map(string)
  description = "More gateway environment variables (docs/configuration.md), e.g. CONSOLE_CLIENT_ID; they override the module's."
  default     = {}
}

variable "executor_environment" {
  type        = map(string)
  description = "More executor environment variables (docs/configuration.md); they override the module's."
  default     = {}
}

variable "notifier_enabled" {
  type        = bool
  description = "Deploy the notifier (approval-requested events to a chat webhook)."
  default     = false
}

variable "notifier_format" {
  type        = string
  description = "Message format of the notifier: slack or google-chat (NOTIFIER_FORMAT)."
  default     = "slack"
  validation {
    condition     = contains(["slack", "google-chat"], var.notifier_format)
    error_message = "notifier_format is slack or google-chat."
  }
}

variable "notifier_webhook_secret" {
  type        = string
  description = "Name of the Secret Manager secret in this project whose latest version is the webhook URL (NOTIFIER_WEBHOOK_URL)."
  default     = null
}

variable "notifier_entry_point" {
  type        = string
  description = "Function the notifier source registers (functions/notifier/index.ts)."
  default     = "notify"
}

variable "notifier_environment" {
  type        = map(string)
  description = "More notifier environment variables."
  default     = {}
}

variable "max_delivery_attempts" {
  type        = number
  description = "Deliveries of an event before it goes to the dead-letter topic (5 to 100)."
  default     = 5
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts is between 5 and 100."
  }
}

variable "retry_minimum_backoff" {
  type        = string
  description = "Shortest wait before an event is redelivered."
  default     = "10s"
}

variable "retry_maximum_backoff" {
  type        = string
  description = "Longest wait before an event is redelivered."
  default     = "600s"
}

variable "scaling" {
  type = map(object({
    min_instances = number
    max_instances = number
    memory        = string
    cpu           = string
    concurrency   = number
    timeout       = number
  }))
  description = "Instances, memory, vCPUs, concurrent requests per instance and timeout (seconds) per function: keys gateway, executor, approved, sweeper, notifier. Concurrency above 1 needs at least 1 vCPU; it lets the audit log group concurrent requests' records into one object (fewer Cloud Storage writes, lower latency)."
  default = {
    gateway  = { min_instances = 0, max_instances = 20, memory = "512Mi", cpu = "1", concurrency = 40, timeout = 300 }
    executor = { min_instances = 0, max_instances = 10, memory = "1Gi", cpu = "1", concurrency = 20, timeout = 300 }
    approved = { min_instances = 0, max_instances = 5, memory = "1Gi", cpu = "1", concurrency = 4, timeout = 540 }
    sweeper  = { min_instances = 0, max_instances = 1, memory = "512Mi", cpu = "1", concurrency = 1, timeout = 300 }
    notifier = { min_instances = 0, max_instances = 2, memory = "256Mi", cpu = "0.167", concurrency = 1, timeout = 60 }
  }
}

variable "use_cmek" {
  type        = bool
  description = "Encrypt the sources and configuration buckets with kms_key_name (the Cloud Storage service agent must hold encrypter/decrypter on it)."
  default     = false
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key (in region) for the sources and configuration buckets when use_cmek is true."
  default     = null
}

variable "labels" {
  type        = map(string)
  description = "Labels on the functions and buckets."
  default     = {}
}
