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

# The symmetric (ENCRYPT_DECRYPT) keys, alike but for their name and whether they exist:
locals {
  symmetric_keys = {
    # Seals the service-account key the executor runs queries with (`warden credential seal`).
    credential = { name = "executor-credential" }
    # Seals the random HMAC key behind pseudonyms and date shifts (MASKING_KEY_CIPHERTEXT_PATH).
    masking = { name = "masking-key" }
    # The audit bucket's CMEK.
    storage = { name = "audit-bucket", when = var.create_storage_key }
    # A key of its own for the results bucket: its grant to the Cloud Storage service agent is managed apart from
    # the audit bucket's, and disabling it makes every stored result unreadable at once.
    results = { name = "results-bucket", when = var.create_results_key }
    # One key for Firestore, the Pub/Sub topics, the buckets and the audit dataset when no existing key is given.
    data = { name = "data-cmek", when = var.cmek && var.cmek_key == null }
  }
}

resource "google_kms_crypto_key" "symmetric" {
  for_each                   = { for id, key in local.symmetric_keys : id => key if try(key.when, true) }
  name                       = each.value.name
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

# --- CMEK of every store ---------------------------------------------------------------------------------

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
  cmek_key = var.cmek ? (var.cmek_key != null ? var.cmek_key : google_kms_crypto_key.symmetric["data"].id) : null
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
