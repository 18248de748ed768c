# Cloud KMS for Warden: one key ring; a symmetric key that seals the executor's credential, one that seals
# the masking HMAC key, an EC P-256 / SHA-256 signing key that certifies the audit trail's instance keys, an
# HMAC key for the state of the gateway's questions to MCP clients, optionally keys for the CMEK of the audit bucket and of the results bucket,
# and, with var.cmek, the one data key (created here, or var.cmek_key) that every store is encrypted with, granted to
# the service agent of each service that encrypts with it.

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

# --- CMEK of every store ---------------------------------------------------------------------------------

# One key for Firestore, the Pub/Sub topics, the buckets and the audit dataset when no existing key is given.
resource "google_kms_crypto_key" "data" {
  count                      = var.cmek && var.cmek_key == null ? 1 : 0
  name                       = "data-cmek"
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

# Cloud Storage encrypts as its project service agent (service-PROJECT_NUMBER@gs-project-accounts…; reading
# it creates it): https://cloud.google.com/storage/docs/encryption/using-customer-managed-keys
data "google_storage_project_service_account" "main" {
  count   = var.cmek ? 1 : 0
  project = var.project_id
}

# BigQuery encrypts as bq-PROJECT_NUMBER@bigquery-encryption.iam.gserviceaccount.com:
# https://cloud.google.com/bigquery/docs/customer-managed-encryption#grant_permission
data "google_bigquery_default_service_account" "main" {
  count   = var.cmek ? 1 : 0
  project = var.project_id
}

locals {
  cmek_key = var.cmek ? coalesce(var.cmek_key, one(google_kms_crypto_key.data[*].id)) : null
  # The service agents that encrypt and decrypt Warden's stores with the key, each needing
  # roles/cloudkms.cryptoKeyEncrypterDecrypter on it:
  #   Pub/Sub   service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com (https://cloud.google.com/pubsub/docs/encryption)
  #   Firestore service-PROJECT_NUMBER@gcp-sa-firestore.iam.gserviceaccount.com (https://cloud.google.com/firestore/docs/use-cmek)
  cmek_agents = var.cmek ? {
    storage   = "serviceAccount:${data.google_storage_project_service_account.main[0].email_address}"
    bigquery  = "serviceAccount:${data.google_bigquery_default_service_account.main[0].email}"
    pubsub    = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    firestore = "serviceAccount:service-${var.project_number}@gcp-sa-firestore.iam.gserviceaccount.com"
  } : {}
}

resource "google_kms_crypto_key_iam_member" "cmek_agents" {
  for_each      = local.cmek_agents
  crypto_key_id = local.cmek_key
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value

  lifecycle {
    precondition {
      condition     = var.project_number != null
      error_message = "cmek needs project_number (the Pub/Sub and Firestore service agents are named after it)."
    }
  }
}
