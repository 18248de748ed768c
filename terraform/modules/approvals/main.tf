# Approvals: the Firestore database where parked requests and their masked results live (expired documents
# removed by TTL), and the Pub/Sub topics that carry approval events, with a dead-letter topic.

locals {
  # Collections and fields as in shared/adapters/firestore/approval-store.ts.
  approvals_collection = "approvalRequests"
  results_collection   = "approvalResults"
  topics = {
    requested   = var.requested_topic
    decided     = var.decided_topic
    dead_letter = var.dead_letter_topic
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

  dynamic "cmek_config" {
    for_each = var.firestore_kms_key_name == null ? [] : [var.firestore_kms_key_name]
    content {
      kms_key_name = cmek_config.value
    }
  }
}

# TTL: Firestore deletes a request once `expiresAt` has passed (typically within a day), so parked SQL does
# not outlive its approval window. Not indexed: nothing queries it, and a monotonic field would hot-spot.
resource "google_firestore_field" "requests_expiry" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = local.approvals_collection
  field      = "expiresAt"

  ttl_config {}
  index_config {}
}

# Masked results are kept for the requester until `expiresAt` (RESULT_TTL_SECONDS), then deleted.
resource "google_firestore_field" "results_expiry" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = local.results_collection
  field      = "expiresAt"

  ttl_config {}
  index_config {}
}

# `list({ state })`: where state == … order by createdAt desc.
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
