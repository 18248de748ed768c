# Cloud KMS for Warden: one key ring; a symmetric key that seals the executor's credential, one that seals
# the masking HMAC key, an EC P-256 / SHA-256 signing key that certifies the audit trail's instance keys, an
# HMAC key for the state of the gateway's questions to MCP clients, and optionally keys for the CMEK of the audit bucket and of the results bucket.

resource "google_kms_key_ring" "main" {
  project  = var.project_id
  name     = var.key_ring_name
  location = var.location
}

# Seals the service-account key the executor runs queries with (`warden credential seal`).
resource "google_kms_crypto_key" "credential" {
  name                       = "executor-credential"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "ENCRYPT_DECRYPT"
  rotation_period            = var.rotation_period
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

# Seals the random HMAC key behind pseudonyms and date shifts (MASKING_KEY_CIPHERTEXT_PATH).
resource "google_kms_crypto_key" "masking" {
  name                       = "masking-key"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "ENCRYPT_DECRYPT"
  rotation_period            = var.rotation_period
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

# Certifies each function instance's audit signing key (docs/audit-format.md). Cloud KMS has no automatic
# rotation for asymmetric keys: create a version by hand and raise var.audit_key_version.
resource "google_kms_crypto_key" "audit_signing" {
  name                       = "audit-signing"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "ASYMMETRIC_SIGN"
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "EC_SIGN_P256_SHA256"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

# The gateway derives from this HMAC key the key that MACs the state of a question it asks an MCP client (a
# missing reason; REQUEST_STATE_KMS_KEY_VERSION). Rotating it only invalidates questions not yet answered.
resource "google_kms_crypto_key" "request_state" {
  name                       = "request-state"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "MAC"
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "HMAC_SHA256"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key" "storage" {
  count                      = var.create_storage_key ? 1 : 0
  name                       = "audit-bucket"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "ENCRYPT_DECRYPT"
  rotation_period            = var.rotation_period
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

# A key of its own for the results bucket: its grant to the Cloud Storage service agent is managed apart from
# the audit bucket's, and disabling it makes every stored result unreadable at once.
resource "google_kms_crypto_key" "results" {
  count                      = var.create_results_key ? 1 : 0
  name                       = "results-bucket"
  key_ring                   = google_kms_key_ring.main.id
  purpose                    = "ENCRYPT_DECRYPT"
  rotation_period            = var.rotation_period
  destroy_scheduled_duration = var.destroy_scheduled_duration
  labels                     = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}
