# Approvals: the Firestore database where parked requests and their masked results live (expired documents
# removed by TTL), the results bucket for masked results too large for a document (deleted by a lifecycle
# rule), the Pub/Sub topics that carry approval events, with a dead-letter topic, and the Cloud Scheduler job
# that starts the sweep (expiries, stuck executions) through the approval-sweep topic.

locals {
  # Collections and fields as in shared/adapters/firestore/approval-store.ts and grant-ledger.ts.
  approvals_collection   = "approvalRequests"
  results_collection     = "approvalResults"
  break_glass_collection = "breakGlassUses"
  grants_collection      = "executionGrants"
  # shared/adapters/firestore/elicitation-store.ts (ELICITATIONS_COLLECTION).
  elicitations_collection = "mcpElicitations"
  expiring_collections = {
    requests     = { collection = local.approvals_collection }
    results      = { collection = local.results_collection }
    grants       = { collection = local.grants_collection }
    elicitations = { collection = local.elicitations_collection }
  }
  topics = {
    requested   = var.requested_topic
    decided     = var.decided_topic
    dead_letter = var.dead_letter_topic
    sweep       = var.sweep_topic
  }
}

resource "google_firestore_database" "main" {
  project                           = var.project_id
  name                              = var.database_name
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "PESSIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = var.point_in_time_recovery ? "POINT_IN_TIME_RECOVERY_ENABLED" : "POINT_IN_TIME_RECOVERY_DISABLED"
  delete_protection_state           = var.delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "DELETE"

  lifecycle {
    precondition {
      condition     = !var.firestore_use_cmek || var.firestore_kms_key_name != null
      error_message = "firestore_use_cmek needs firestore_kms_key_name."
    }
  }

  dynamic "cmek_config" {
    for_each = var.firestore_use_cmek ? [var.firestore_kms_key_name] : []
    content {
      kms_key_name = cmek_config.value
    }
  }
}

# TTL: Firestore deletes a document once `expiresAt` has passed (typically within a day), so nothing outlives
# its window: parked SQL its approval, masked results RESULT_TTL_SECONDS, used execution grants their expiry,
# and a 2025-era client's unanswered question (functions/gateway/elicit.ts) its ask. Not indexed: nothing
# queries it, and a monotonic field would hot-spot.
resource "google_firestore_field" "expiry" {
  for_each = local.expiring_collections

  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = "expiresAt"

  ttl_config {}
  index_config {}
}

moved {
  from = google_firestore_field.requests_expiry
  to   = google_firestore_field.expiry["requests"]
}

moved {
  from = google_firestore_field.results_expiry
  to   = google_firestore_field.expiry["results"]
}

moved {
  from = google_firestore_field.grants_expiry
  to   = google_firestore_field.expiry["grants"]
}

# `list({ state })`: where state == … order by createdAt desc (console, API).
resource "google_firestore_index" "requests_by_state" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = local.approvals_collection
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

# `list({ state, oldestFirst })`: where state == … order by createdAt asc (the sweep).
resource "google_firestore_index" "requests_by_state_oldest_first" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = local.approvals_collection
  query_scope = "COLLECTION"

  fields {
    field_path = "state"
    order      = "ASCENDING"
  }

  fields {
    field_path = "createdAt"
    order      = "ASCENDING"
  }
}

# `listBreakGlass({ reviewed })`: where reviewed == … order by at desc (break-glass uses awaiting review).
resource "google_firestore_index" "break_glass_by_review" {
  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = local.break_glass_collection
  query_scope = "COLLECTION"

  fields {
    field_path = "reviewed"
    order      = "ASCENDING"
  }

  fields {
    field_path = "at"
    order      = "DESCENDING"
  }
}

resource "google_pubsub_topic" "main" {
  for_each                   = local.topics
  project                    = var.project_id
  name                       = each.value
  message_retention_duration = var.message_retention_duration
  kms_key_name               = var.topic_kms_key_name
  labels                     = var.labels

  dynamic "message_storage_policy" {
    for_each = length(var.allowed_persistence_regions) == 0 ? [] : [var.allowed_persistence_regions]
    content {
      allowed_persistence_regions = message_storage_policy.value
    }
  }
}

# Holds dead letters for inspection and replay; nothing consumes it automatically.
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.dead_letter_topic}-hold"
  topic                      = google_pubsub_topic.main["dead_letter"].id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention_duration
  retain_acked_messages      = true
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

# --- the sweep ---------------------------------------------------------------------------------------------

# Publishes to approval-sweep on a schedule; module functions pushes that topic to the sweeper. Cloud
# Scheduler publishes as its service agent (roles/cloudscheduler.serviceAgent), so no topic grant is needed.
resource "google_cloud_scheduler_job" "main" {
  project     = var.project_id
  region      = var.region
  name        = var.sweep_topic
  description = "Warden: persist approval expiries and fail stuck executions (the sweeper)."
  schedule    = var.sweep_schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.main["sweep"].id
    # Pub/Sub needs a non-empty message; the sweeper ignores its content.
    data = base64encode("sweep")
  }
}

# --- results bucket ------------------------------------------------------------------------------------------

data "google_storage_project_service_account" "main" {
  count   = var.results_use_cmek && var.results_grant_storage_agent ? 1 : 0
  project = var.project_id
}

# Cloud Storage encrypts with the CMEK as its own service agent.
resource "google_kms_crypto_key_iam_member" "storage_agent" {
  count         = var.results_use_cmek && var.results_grant_storage_agent ? 1 : 0
  crypto_key_id = var.results_kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:${data.google_storage_project_service_account.main[0].email_address}"
}

# Masked results of approved queries too large for a Firestore document (RESULTS_BUCKET), as
# results/<request id>.json: written once by the executor (create-only), read by the gateway, and deleted
# after result_ttl_days. No versioning and no soft delete, so a deleted result is gone.
resource "google_storage_bucket" "main" {
  project                     = var.project_id
  name                        = var.results_bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = false
  }

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  lifecycle_rule {
    condition {
      age = var.result_ttl_days
    }
    action {
      type = "Delete"
    }
  }

  dynamic "encryption" {
    for_each = var.results_use_cmek ? [var.results_kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }

  lifecycle {
    precondition {
      condition     = !var.results_use_cmek || var.results_kms_key_name != null
      error_message = "results_use_cmek needs results_kms_key_name."
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.storage_agent]
}
