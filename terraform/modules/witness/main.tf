# A witness's home (docs/operations.md, "A witness"): a bucket for the checkpoints an auditor's witness has
# cosigned (`warden audit witness`), and the witness's own service account, which may write that bucket and
# read the audit trail, nothing else. The gateway's identities (gateway, executor, sweeper, notifier) get no
# grant here: whoever runs Warden cannot rewrite what the witness has seen (terraform/checks.ts, witness-apart).

locals {
  account = "serviceAccount:${google_service_account.main.email}"
}

resource "google_service_account" "main" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-witness"
  display_name = "Warden audit witness"
  description  = "Runs `warden audit witness` for an auditor: reads the audit trail, keeps cosigned checkpoints in the witness bucket. No grant of Warden's functions reaches that bucket."
}

data "google_storage_project_service_account" "main" {
  count   = var.use_cmek && var.grant_storage_agent ? 1 : 0
  project = var.project_id
}

# Cloud Storage encrypts with the CMEK as the service agent of the witness bucket's project (another project's
# agent when the witness lives apart): https://cloud.google.com/storage/docs/encryption/using-customer-managed-keys
resource "google_kms_crypto_key_iam_member" "storage_agent" {
  count         = var.use_cmek && var.grant_storage_agent ? 1 : 0
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${data.google_storage_project_service_account.main[0].email_address}"
}

resource "google_storage_bucket" "main" {
  project                     = var.project_id
  name                        = var.bucket_name
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  # Every state the witness wrote stays readable: an overwrite or delete keeps the noncurrent version.
  versioning {
    enabled = true
  }

  dynamic "retention_policy" {
    for_each = var.retention_days == null ? [] : [var.retention_days]
    content {
      retention_period = retention_policy.value * 86400
      is_locked        = var.retention_locked
    }
  }

  dynamic "encryption" {
    for_each = var.use_cmek ? [var.kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }

  lifecycle {
    prevent_destroy = true
    precondition {
      condition     = !var.use_cmek || var.kms_key_name != null
      error_message = "use_cmek needs kms_key_name."
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.storage_agent]
}

# The witness's own bucket: objectAdmin (its state is one object it replaces, under ifGenerationMatch).
resource "google_storage_bucket_iam_member" "witness_state" {
  bucket = google_storage_bucket.main.name
  role   = "roles/storage.objectAdmin"
  member = local.account
}

# The audit trail it checks: read only.
resource "google_storage_bucket_iam_member" "witness_audit_reader" {
  bucket = var.audit_bucket
  role   = "roles/storage.objectViewer"
  member = local.account
}

# The audit key's public half, to verify the log's checkpoints (null: the witness is given the key offline).
resource "google_kms_crypto_key_iam_member" "witness_public_key" {
  count         = var.audit_key_id == null ? 0 : 1
  crypto_key_id = var.audit_key_id
  role          = "roles/cloudkms.publicKeyViewer"
  member        = local.account
}

# The auditors who run the witness act as its account (`--impersonate-service-account`, or ADC impersonation).
resource "google_service_account_iam_member" "members" {
  for_each           = toset(var.members)
  service_account_id = google_service_account.main.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = each.value
}
