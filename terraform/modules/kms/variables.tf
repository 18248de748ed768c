variable "project_id" {
  type        = string
  description = "Project that holds the key ring."
}

variable "location" {
  type        = string
  description = "Cloud KMS location of the key ring (a region such as us-central1, a multi-region, or global)."
}

variable "key_ring_name" {
  type        = string
  description = "Name of the key ring. Key rings cannot be deleted: pick a name that is new in this project and location."
  default     = "warden"
}

variable "protection_level" {
  type        = string
  description = "SOFTWARE or HSM (FIPS 140-2 level 3) for every key."
  default     = "SOFTWARE"
  validation {
    condition     = contains(["SOFTWARE", "HSM"], var.protection_level)
    error_message = "protection_level is SOFTWARE or HSM."
  }
}

variable "rotation_period" {
  type        = string
  description = "Automatic rotation period of the symmetric keys, in seconds with an s suffix (default 90 days). Asymmetric keys do not rotate automatically in Cloud KMS."
  default     = "7776000s"
  validation {
    condition     = can(regex("^[0-9]+s$", var.rotation_period)) && tonumber(trimsuffix(var.rotation_period, "s")) >= 86400
    error_message = "rotation_period is a number of seconds (at least 86400) followed by s, e.g. 7776000s."
  }
}

variable "audit_key_version" {
  type        = number
  description = "Version of the audit signing key that certifies new instance keys. Raise it after creating a new version (manual rotation); old versions must stay enabled so older records still verify."
  default     = 1
}

variable "destroy_scheduled_duration" {
  type        = string
  description = "How long a destroyed key version stays restorable (Cloud KMS allows up to 120 days)."
  default     = "2592000s"
}

variable "create_storage_key" {
  type        = bool
  description = "Create a symmetric key for customer-managed encryption (CMEK) of the audit bucket; the key ring must then be in the bucket's location."
  default     = false
}

variable "create_results_key" {
  type        = bool
  description = "Create a symmetric key for customer-managed encryption (CMEK) of the results bucket; the key ring must then be in that bucket's location."
  default     = false
}

variable "cmek" {
  type        = bool
  description = "Encrypt every store (Firestore, the Pub/Sub topics, the buckets, the audit dataset) with one customer-managed key: cmek_key, or a data-cmek key created in this key ring; grants each service agent encrypter/decrypter on it."
  default     = false
}

variable "cmek_key" {
  type        = string
  description = "Existing Cloud KMS key (projects/…/cryptoKeys/…) for cmek, known at plan time and in the stores' location; null to create data-cmek here."
  default     = null
}

variable "project_number" {
  type        = string
  description = "Number of the project the stores are in (names the Pub/Sub and Firestore service agents); required with cmek."
  default     = null
}

variable "labels" {
  type        = map(string)
  description = "Labels on every key."
  default     = {}
}
