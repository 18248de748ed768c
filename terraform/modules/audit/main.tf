# The audit trail's home: a bucket whose retention policy is locked (nobody, not even a project owner, can
# delete or replace a record before it expires), and a BigQuery external table over the same JSON Lines
# records for `warden audit search`.

locals {
  # Cloud Storage counts a year as 365.25 days (the console's conversion), so 6 years = 189,345,600 s.
  retention_seconds = ceil(var.retention_years * 365.25 * 86400)
}

data "google_storage_project_service_account" "main" {
  count   = var.use_cmek && var.grant_storage_agent ? 1 : 0
  project = var.project_id
}

# Cloud Storage encrypts with the CMEK as its own service agent.
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

  # HIPAA documentation retention, locked: 45 CFR 164.316(b)(2)(i), 164.312(c)(1).
  retention_policy {
    is_locked        = true
    retention_period = local.retention_seconds
  }

  dynamic "encryption" {
    for_each = var.use_cmek ? [var.kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "logging" {
    for_each = var.access_log_bucket == null ? [] : [var.access_log_bucket]
    content {
      log_bucket        = logging.value
      log_object_prefix = var.bucket_name
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

resource "google_bigquery_dataset" "main" {
  project                    = var.project_id
  dataset_id                 = var.dataset_id
  location                   = var.location
  description                = "Warden audit search: external tables over the audit bucket (read-only views of the signed records)."
  delete_contents_on_destroy = false
  labels                     = var.labels

  # The external table's data is the bucket's (encrypted by Cloud Storage); this covers any table created here
  # later. The BigQuery service agent needs encrypter/decrypter on the key (module kms grants it).
  dynamic "default_encryption_configuration" {
    for_each = var.dataset_use_cmek ? [var.dataset_kms_key_name] : []
    content {
      kms_key_name = default_encryption_configuration.value
    }
  }

  lifecycle {
    precondition {
      condition     = !var.dataset_use_cmek || var.dataset_kms_key_name != null
      error_message = "dataset_use_cmek needs dataset_kms_key_name."
    }
  }
}

# Columns as docs/audit-format.md and shared/core/audit/search.ts expect. Only record objects
# (<prefix>streams/…/*.jsonl) are in the table; digests are checked by `warden audit verify`.
resource "google_bigquery_table" "main" {
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = var.table_id
  description         = "Audit records in gs://${var.bucket_name}/${var.object_prefix}streams/ (signed, hash-chained; verify with warden audit verify)."
  deletion_protection = true
  labels              = var.labels

  external_data_configuration {
    source_format         = "NEWLINE_DELIMITED_JSON"
    source_uris           = ["gs://${google_storage_bucket.main.name}/${var.object_prefix}streams/*"]
    autodetect            = false
    ignore_unknown_values = true
    schema = jsonencode([
      { name = "v", type = "INT64", mode = "REQUIRED", description = "Record format version" },
      { name = "stream", type = "STRING", mode = "REQUIRED", description = "Writer stream" },
      { name = "seq", type = "INT64", mode = "REQUIRED", description = "Position in the stream, from 0" },
      { name = "prev", type = "STRING", mode = "NULLABLE", description = "SHA-256 (hex) of the previous record's body" },
      { name = "time", type = "TIMESTAMP", mode = "REQUIRED", description = "When the event happened (UTC)" },
      { name = "event", type = "JSON", mode = "REQUIRED", description = "What happened (docs/audit-format.md)" },
      { name = "sig", type = "STRING", mode = "NULLABLE", description = "ECDSA P-256 signature (DER, base64) by the stream's instance key (NULL only on a line stripped of it)" },
    ])
  }
}
