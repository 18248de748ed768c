variable "project_id" {
  type        = string
  description = "Project of the witness bucket and account (best one the auditor controls, not Warden's)."
}

variable "location" {
  type        = string
  description = "Location of the witness bucket (US, EU or a region; with use_cmek, the key's location)."
}

variable "bucket_name" {
  type        = string
  description = "Globally unique name of the witness bucket."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the witness's service account (NAME_PREFIX-witness)."
  default     = "warden"
}

variable "members" {
  type        = list(string)
  description = "Who runs the witness (group:auditors@…): they may act as the witness's account."
  default     = []
}

variable "audit_bucket" {
  type        = string
  description = "The audit bucket the witness reads (module audit)."
}

variable "audit_key_id" {
  type        = string
  description = "The audit signing key, whose public half the witness may read; null to give it the key offline."
  default     = null
}

variable "retention_days" {
  type        = number
  description = "Retention of every witness object, in days; null for none (versioning keeps old states either way)."
  default     = null
  validation {
    condition     = var.retention_days == null || try(var.retention_days >= 1, false)
    error_message = "retention_days is at least 1, or null."
  }
}

variable "retention_locked" {
  type        = bool
  description = "Lock the retention policy (irreversible: it can be raised later, never lowered or removed)."
  default     = false
}

variable "use_cmek" {
  type        = bool
  description = "Encrypt the bucket with kms_key_name (a separate flag, so plans need not wait for the key's name)."
  default     = false
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key of the bucket when use_cmek is true (in the bucket's location)."
  default     = null
}

variable "grant_storage_agent" {
  type        = bool
  description = "With use_cmek, grant this project's Cloud Storage service agent encrypter/decrypter on kms_key_name; false when the caller grants it (Warden's own project, whose agent module kms grants)."
  default     = false
}

variable "labels" {
  type        = map(string)
  description = "Labels of the bucket."
  default     = {}
}
