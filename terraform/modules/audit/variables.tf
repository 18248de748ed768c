variable "project_id" {
  type        = string
  description = "Project that holds the audit bucket and the search dataset."
}

variable "location" {
  type        = string
  description = "Location of the bucket and the BigQuery dataset (US, EU or a region); BigQuery external tables need both in the same location."
}

variable "bucket_name" {
  type        = string
  description = "Globally unique name of the audit bucket."
}

variable "retention_years" {
  type        = number
  description = "Retention of every audit object, in years (default 6: 45 CFR 164.316(b)(2)(i)). The policy is locked: it can be raised later, never lowered or removed."
  default     = 6
  validation {
    condition     = var.retention_years >= 1 && var.retention_years <= 100
    error_message = "retention_years is between 1 and 100 (Cloud Storage's maximum)."
  }
}

variable "use_cmek" {
  type        = bool
  description = "Encrypt the bucket with kms_key_name (a separate flag, so plans need not wait for the key's name)."
  default     = false
}

variable "kms_key_name" {
  type        = string
  description = "Cloud KMS key for customer-managed encryption of the bucket (same location as the bucket) when use_cmek is true."
  default     = null
}

variable "grant_storage_agent" {
  type        = bool
  description = "With use_cmek, grant the Cloud Storage service agent encrypter/decrypter on kms_key_name here; false when the caller grants it (a key shared by several stores)."
  default     = true
}

variable "dataset_use_cmek" {
  type        = bool
  description = "Give the search dataset dataset_kms_key_name as its default key (the BigQuery service agent must hold encrypter/decrypter on it)."
  default     = false
}

variable "dataset_kms_key_name" {
  type        = string
  description = "Cloud KMS key (in the dataset's location) for the search dataset's default encryption when dataset_use_cmek is true."
  default     = null
}

variable "access_log_bucket" {
  type        = string
  description = "Bucket receiving the audit bucket's usage logs, or null for none."
  default     = null
}

variable "dataset_id" {
  type        = string
  description = "BigQuery dataset holding the search table over the audit records."
  default     = "warden_audit"
}

variable "table_id" {
  type        = string
  description = "External table over the records (`warden audit search --bigquery-table project.dataset.table`)."
  default     = "records"
}

variable "object_prefix" {
  type        = string
  description = "Prefix of the writers' objects (the functions write under v1/)."
  default     = "v1/"
}

variable "labels" {
  type        = map(string)
  description = "Labels on the bucket, dataset and table."
  default     = {}
}
