variable "project_id" {
  type        = string
  description = "Project of the functions, their logs and the alert policies."
}

variable "region" {
  type        = string
  description = "Region of the audit check's Cloud Run job and Cloud Scheduler job."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the metric, job and service-account names."
  default     = "warden"
}

variable "notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channels every alert goes to (projects/…/notificationChannels/…)."
  default     = []
}

variable "service_names" {
  type        = map(string)
  description = "Cloud Run service of each function (module functions); the sweeper's names the expiry metric's logs."
}

variable "subscription_names" {
  type        = list(string)
  description = "Push subscriptions with a dead-letter policy (module functions), whose dead-lettered messages alert."
}

variable "audit_bucket" {
  type        = string
  description = "The audit bucket the check verifies."
}

variable "audit_key_id" {
  type        = string
  description = "The audit signing key (its public half verifies certificates)."
}

variable "audit_key_version" {
  type        = string
  description = "Key version for `warden audit verify --kms-key-version`."
}

variable "audit_table" {
  type        = string
  description = "BigQuery table over the records (project.dataset.table) searched for break-glass decisions."
}

variable "audit_dataset_id" {
  type        = string
  description = "Dataset of the audit table."
}

variable "verify_image" {
  type        = string
  description = "Container image of the audit check (deploy/verify/Dockerfile), e.g. REGION-docker.pkg.dev/PROJECT/warden/audit-monitor:1; null for no scheduled check."
  default     = null
}

variable "verify_schedule" {
  type        = string
  description = "When the audit check runs (Cloud Scheduler cron, UTC); keep verify_window_minutes equal to its interval."
  default     = "0 * * * *"
}

variable "verify_window_minutes" {
  type        = number
  description = "Break-glass decisions of the last this many minutes are reported on each run (WINDOW_MINUTES)."
  default     = 60
}

variable "verify_days" {
  type        = number
  description = "Each run verifies the records of the last this many days (VERIFY_DAYS); run `warden audit verify` over the whole trail periodically too."
  default     = 2
}

variable "verify_timeout" {
  type        = string
  description = "Timeout of one run of the audit check."
  default     = "1800s"
}

variable "labels" {
  type        = map(string)
  description = "Labels on the job and the alert policies."
  default     = {}
}
