variable "project_id" {
  type        = string
  description = "Project that holds the Firestore database and the topics."
}

variable "region" {
  type        = string
  description = "Region of the results bucket and the sweep's Cloud Scheduler job (the functions' region)."
}

variable "firestore_location" {
  type        = string
  description = "Firestore location (a region such as us-central1, or a multi-region such as nam5 or eur3)."
}

variable "database_name" {
  type        = string
  description = "Firestore database for approval requests and results (FIRESTORE_DATABASE). A named database keeps Warden apart from any (default) database."
  default     = "warden"
}

variable "delete_protection" {
  type        = bool
  description = "Refuse deletion of the Firestore database."
  default     = true
}

variable "point_in_time_recovery" {
  type        = bool
  description = "Keep 7 days of point-in-time recovery for the database."
  default     = false
}

variable "firestore_use_cmek" {
  type        = bool
  description = "Encrypt the database with firestore_kms_key_name (set at creation: Firestore cannot add or remove CMEK later)."
  default     = false
}

variable "firestore_kms_key_name" {
  type        = string
  description = "Cloud KMS key for customer-managed encryption of the database (in the database's location: KMS us for nam5, europe for eur3; grant the Firestore service agent encrypter/decrypter on it first) when firestore_use_cmek is true."
  default     = null
}

variable "requested_topic" {
  type        = string
  description = "Topic of approval-requested events (APPROVAL_REQUESTED_TOPIC)."
  default     = "approval-requested"
}

variable "decided_topic" {
  type        = string
  description = "Topic of approval-decided events (APPROVAL_DECIDED_TOPIC)."
  default     = "approval-decided"
}

variable "dead_letter_topic" {
  type        = string
  description = "Topic receiving events that failed every delivery attempt."
  default     = "approval-dead-letter"
}

variable "sweep_topic" {
  type        = string
  description = "Topic the Cloud Scheduler job publishes to and the sweeper is pushed from (also the job's name)."
  default     = "approval-sweep"
}

variable "sweep_schedule" {
  type        = string
  description = "When the sweep runs: a cron schedule in UTC (default every 5 minutes)."
  default     = "*/5 * * * *"
}

variable "message_retention_duration" {
  type        = string
  description = "How long the topics and the dead-letter subscription keep messages (e.g. 604800s)."
  default     = "604800s"
}

variable "allowed_persistence_regions" {
  type        = list(string)
  description = "Regions where Pub/Sub may store messages (message storage policy); empty for no restriction."
  default     = []
}

variable "topic_kms_key_name" {
  type        = string
  description = "Cloud KMS key for customer-managed encryption of the topics (grant the Pub/Sub service agent encrypter/decrypter on it first), or null."
  default     = null
}

variable "results_bucket_name" {
  type        = string
  description = "Globally unique name of the results bucket (RESULTS_BUCKET)."
}

variable "result_ttl_days" {
  type        = number
  description = "Days after which the results bucket deletes a result (lifecycle rule); RESULT_TTL_SECONDS should not exceed it."
  default     = 1
  validation {
    condition     = var.result_ttl_days >= 1 && floor(var.result_ttl_days) == var.result_ttl_days
    error_message = "result_ttl_days is a whole number of days, at least 1."
  }
}

variable "results_use_cmek" {
  type        = bool
  description = "Encrypt the results bucket with results_kms_key_name (a separate flag, so plans need not wait for the key's name)."
  default     = false
}

variable "results_kms_key_name" {
  type        = string
  description = "Cloud KMS key for customer-managed encryption of the results bucket (same location as the bucket) when results_use_cmek is true."
  default     = null
}

variable "results_grant_storage_agent" {
  type        = bool
  description = "With results_use_cmek, grant the Cloud Storage service agent encrypter/decrypter on results_kms_key_name here; false when the caller grants it (a key shared by several stores)."
  default     = true
}

variable "labels" {
  type        = map(string)
  description = "Labels on the database, the topics and the results bucket."
  default     = {}
}
