# Identities and least-privilege grants. One service account per function; every grant is on the narrowest
# resource that works (a key, a bucket, a topic, a dataset, a Cloud Run service), project-level only where
# the service has no finer resource (BigQuery jobs, Firestore, which is narrowed by an IAM condition), and no
# basic roles (owner/editor/viewer) anywhere.
#
#   gateway   dry runs + metadata (no table data), Firestore, publish both approval topics, sign audit
#             certificates, create audit objects, read the policy, read results (the results bucket).
#             No KMS decrypt of any key, no write to the results bucket.
#   executor  decrypt the credential and masking keys, sign, create audit objects, read the policy and the
#             sealed keys, Firestore, create results; BigQuery data only in keyless mode (otherwise the sealed
#             account reads).
#   sweeper   the gateway's code on a schedule: Firestore, sign, create audit objects, publish approval-decided,
#             read the policy. No BigQuery, no results, no executor, no approval-requested.
#   notifier  read the request it announces (Firestore, read-only) and its webhook secret; nothing else.

locals {
  gateway  = "serviceAccount:${google_service_account.gateway.email}"
  executor = "serviceAccount:${google_service_account.executor.email}"
  sweeper  = "serviceAccount:${google_service_account.sweeper.email}"
  # The identity BigQuery jobs run as: the sealed data-reader account, or the executor itself (keyless).
  # (Counts and for_each depend on variables only, so plans never wait for an account's email.)
  has_query_identity = var.credential_mode == "keyless" || var.create_data_reader
  query_identity = var.credential_mode == "keyless" ? local.executor : (
    var.create_data_reader ? "serviceAccount:${google_service_account.data_reader[0].email}" : null
  )
  datasets      = { for d in var.datasets : "${d.project_id}.${d.dataset_id}" => d }
  pubsub_agent  = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  firestore_iam = "resource.name == \"${var.firestore_database_id}\""
}

# --- service accounts ------------------------------------------------------------------------------------

resource "google_service_account" "gateway" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-gateway"
  display_name = "Warden gateway"
  description  = "Runs the gateway function: authenticates callers, dry-runs, decides, parks, audits. Cannot read table data or decrypt the credential."
}

resource "google_service_account" "executor" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-executor"
  display_name = "Warden executor"
  description  = "Runs the executor functions: decrypts the sealed credential, runs allowed and approved queries, masks, audits."
}

resource "google_service_account" "sweeper" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-sweeper"
  display_name = "Warden sweeper"
  description  = "Runs the sweeper function (the gateway's sweep target): records approval expiries and fails stuck executions, with audit records."
}

resource "google_service_account" "notifier" {
  count        = var.notifier_enabled ? 1 : 0
  project      = var.project_id
  account_id   = "${var.name_prefix}-notifier"
  display_name = "Warden notifier"
  description  = "Runs the notifier function: posts approval requests to a chat webhook."
}

resource "google_service_account" "data_reader" {
  count        = var.credential_mode == "kms" && var.create_data_reader ? 1 : 0
  project      = var.project_id
  account_id   = "${var.name_prefix}-bq-reader"
  display_name = "Warden BigQuery reader"
  description  = "The identity of Warden's queries; its key is sealed with KMS and opened only by the executor."
}

# --- gateway ---------------------------------------------------------------------------------------------

resource "google_project_iam_member" "gateway_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.gateway
}

# Table and view metadata (schemas, policy tags) without bigquery.tables.getData.
resource "google_bigquery_dataset_iam_member" "gateway_metadata" {
  for_each   = local.datasets
  project    = each.value.project_id
  dataset_id = each.value.dataset_id
  role       = "roles/bigquery.metadataViewer"
  member     = local.gateway
}

resource "google_project_iam_member" "gateway_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = local.gateway
  condition {
    title       = "warden-database-only"
    description = "Only Warden's Firestore database."
    expression  = local.firestore_iam
  }
}

resource "google_pubsub_topic_iam_member" "gateway_requested" {
  topic  = var.topic_ids.requested
  role   = "roles/pubsub.publisher"
  member = local.gateway
}

resource "google_pubsub_topic_iam_member" "gateway_decided" {
  topic  = var.topic_ids.decided
  role   = "roles/pubsub.publisher"
  member = local.gateway
}

resource "google_kms_crypto_key_iam_member" "gateway_audit_signer" {
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.signer"
  member        = local.gateway
}

# MacSign (cloudkms.cryptoKeyVersions.useToSign) to derive the requestState key; nothing else uses this key.
resource "google_kms_crypto_key_iam_member" "gateway_request_state" {
  crypto_key_id = var.keys.request_state
  role          = "roles/cloudkms.signer"
  member        = local.gateway
}

# Create only: no overwrite (objects are written with ifGenerationMatch=0), no delete (the lock forbids it).
resource "google_storage_bucket_iam_member" "gateway_audit_writer" {
  bucket = var.audit_bucket
  role   = "roles/storage.objectCreator"
  member = local.gateway
}

resource "google_storage_bucket_iam_member" "gateway_policy_reader" {
  bucket = var.config_bucket
  role   = "roles/storage.objectViewer"
  member = local.gateway
  condition {
    title       = "policy-only"
    description = "The policy, not the sealed keys."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/policy/\")"
  }
}

# Large masked results (results/<request id>.json) handed to their requester: read only.
resource "google_storage_bucket_iam_member" "gateway_results_reader" {
  bucket = var.results_bucket
  role   = "roles/storage.objectViewer"
  member = local.gateway
}

resource "google_storage_bucket_iam_member" "gateway_audit_reader" {
  count  = var.console_audit_read ? 1 : 0
  bucket = var.audit_bucket
  role   = "roles/storage.objectViewer"
  member = local.gateway
}

resource "google_kms_crypto_key_iam_member" "gateway_audit_public_key" {
  count         = var.console_audit_read ? 1 : 0
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.publicKeyViewer"
  member        = local.gateway
}

# --- executor --------------------------------------------------------------------------------------------

resource "google_kms_crypto_key_iam_member" "executor_credential" {
  count         = var.credential_mode == "kms" ? 1 : 0
  crypto_key_id = var.keys.credential
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = local.executor
}

resource "google_kms_crypto_key_iam_member" "executor_masking" {
  crypto_key_id = var.keys.masking
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = local.executor
}

resource "google_kms_crypto_key_iam_member" "executor_audit_signer" {
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.signer"
  member        = local.executor
}

# The executor verifies the gateway's execution grants back to the audit key's public key.
resource "google_kms_crypto_key_iam_member" "executor_audit_public_key" {
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.publicKeyViewer"
  member        = local.executor
}

resource "google_storage_bucket_iam_member" "executor_audit_writer" {
  bucket = var.audit_bucket
  role   = "roles/storage.objectCreator"
  member = local.executor
}

resource "google_storage_bucket_iam_member" "executor_config_reader" {
  bucket = var.config_bucket
  role   = "roles/storage.objectViewer"
  member = local.executor
  condition {
    title       = "policy-and-sealed-keys"
    description = "The policy and the sealed credential and masking key."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/policy/\") || resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/sealed/\")"
  }
}

# Create only (objects are written with ifGenerationMatch=0): no reading, overwriting or deleting results.
resource "google_storage_bucket_iam_member" "executor_results_writer" {
  bucket = var.results_bucket
  role   = "roles/storage.objectCreator"
  member = local.executor
}

resource "google_project_iam_member" "executor_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = local.executor
  condition {
    title       = "warden-database-only"
    description = "Only Warden's Firestore database."
    expression  = local.firestore_iam
  }
}

# --- sweeper: the gateway's Firestore, audit and approval-decided rights, nothing else ----------------------

resource "google_project_iam_member" "sweeper_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = local.sweeper
  condition {
    title       = "warden-database-only"
    description = "Only Warden's Firestore database."
    expression  = local.firestore_iam
  }
}

# Expired and failed requests are announced like any decision.
resource "google_pubsub_topic_iam_member" "sweeper_decided" {
  topic  = var.topic_ids.decided
  role   = "roles/pubsub.publisher"
  member = local.sweeper
}

resource "google_kms_crypto_key_iam_member" "sweeper_audit_signer" {
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.signer"
  member        = local.sweeper
}

resource "google_storage_bucket_iam_member" "sweeper_audit_writer" {
  bucket = var.audit_bucket
  role   = "roles/storage.objectCreator"
  member = local.sweeper
}

# The gateway's configuration loader reads the policy at start.
resource "google_storage_bucket_iam_member" "sweeper_policy_reader" {
  bucket = var.config_bucket
  role   = "roles/storage.objectViewer"
  member = local.sweeper
  condition {
    title       = "policy-only"
    description = "The policy, not the sealed keys."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/policy/\")"
  }
}

# --- the query identity: BigQuery data --------------------------------------------------------------------

resource "google_project_iam_member" "query_jobs" {
  count   = local.has_query_identity ? 1 : 0
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = local.query_identity
}

resource "google_bigquery_dataset_iam_member" "query_data" {
  for_each   = local.has_query_identity ? local.datasets : {}
  project    = each.value.project_id
  dataset_id = each.value.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = local.query_identity
}

# --- more query identities, one per name a policy rule may give in `credential` ---------------------------

locals {
  query_identity_grants = {
    for pair in flatten([
      for name, datasets in(var.credential_mode == "kms" ? var.query_identities : {}) : [
        for d in datasets : { key = "${name}/${d}", name = name, project_id = split(".", d)[0], dataset_id = split(".", d)[1] }
      ]
    ]) : pair.key => pair
  }
}

resource "google_service_account" "query_identity" {
  for_each     = var.credential_mode == "kms" ? var.query_identities : {}
  project      = var.project_id
  account_id   = "${var.name_prefix}-bq-${each.key}"
  display_name = "Warden BigQuery identity ${each.key}"
  description  = "Runs the queries of policy rules with credential ${each.key}; its key is sealed with KMS and opened only by the executor."
}

resource "google_project_iam_member" "query_identity_jobs" {
  for_each = google_service_account.query_identity
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = "serviceAccount:${each.value.email}"
}

resource "google_bigquery_dataset_iam_member" "query_identity_data" {
  for_each   = local.query_identity_grants
  project    = each.value.project_id
  dataset_id = each.value.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.query_identity[each.value.name].email}"
}

# --- invocation ------------------------------------------------------------------------------------------

# The executor's HTTPS endpoint: the gateway's account alone.
resource "google_cloud_run_v2_service_iam_member" "executor_invoker" {
  project  = var.project_id
  location = var.region
  name     = var.service_names["executor"]
  role     = "roles/run.invoker"
  member   = local.gateway
}

# The approved-query target: Pub/Sub pushes with a token of the executor's account.
resource "google_cloud_run_v2_service_iam_member" "approved_invoker" {
  project  = var.project_id
  location = var.region
  name     = var.service_names["approved"]
  role     = "roles/run.invoker"
  member   = local.executor
}

# The sweep target: Pub/Sub pushes with a token of the sweeper's account, and nobody else may call it.
resource "google_cloud_run_v2_service_iam_member" "sweeper_invoker" {
  project  = var.project_id
  location = var.region
  name     = var.service_names["sweeper"]
  role     = "roles/run.invoker"
  member   = local.sweeper
}

resource "google_cloud_run_v2_service_iam_member" "notifier_invoker" {
  count    = var.notifier_enabled ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = var.service_names["notifier"]
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.notifier[0].email}"
}

# The gateway authenticates every caller itself (OIDC, in-app); in public mode Cloud Run lets requests reach it.
resource "google_cloud_run_v2_service_iam_member" "gateway_public" {
  count    = var.gateway_access == "public" ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = var.service_names["gateway"]
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "gateway_invokers" {
  for_each = var.gateway_access == "iam" ? toset(var.gateway_invokers) : toset([])
  project  = var.project_id
  location = var.region
  name     = var.service_names["gateway"]
  role     = "roles/run.invoker"
  member   = each.value
}

# --- event delivery: the Pub/Sub service agent --------------------------------------------------------------

# Mints the push subscriptions' OIDC tokens as the executor's, the sweeper's (and notifier's) account.
# (After a grant on a topic: the agent exists once Pub/Sub has topics in the project.)
resource "google_service_account_iam_member" "pubsub_executor_token" {
  service_account_id = google_service_account.executor.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [google_pubsub_topic_iam_member.pubsub_dead_letter]
}

resource "google_service_account_iam_member" "pubsub_sweeper_token" {
  service_account_id = google_service_account.sweeper.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [google_pubsub_topic_iam_member.pubsub_dead_letter]
}

resource "google_service_account_iam_member" "pubsub_notifier_token" {
  count              = var.notifier_enabled ? 1 : 0
  service_account_id = google_service_account.notifier[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [google_pubsub_topic_iam_member.pubsub_dead_letter]
}

# Dead-lettering: the agent publishes to the dead-letter topic and acknowledges on the source subscription.
resource "google_pubsub_topic_iam_member" "pubsub_dead_letter" {
  topic  = var.topic_ids.dead_letter
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_approved" {
  subscription = var.subscription_ids["approved"]
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_sweeper" {
  subscription = var.subscription_ids["sweeper"]
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_notifier" {
  count        = var.notifier_enabled ? 1 : 0
  subscription = var.subscription_ids["notifier"]
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# --- notifier --------------------------------------------------------------------------------------------

# Reads the parked request it announces (requester, rule, tables); never writes.
resource "google_project_iam_member" "notifier_firestore" {
  count   = var.notifier_enabled ? 1 : 0
  project = var.project_id
  role    = "roles/datastore.viewer"
  member  = "serviceAccount:${google_service_account.notifier[0].email}"
  condition {
    title       = "warden-database-only"
    description = "Only Warden's Firestore database."
    expression  = local.firestore_iam
  }
}

resource "google_secret_manager_secret_iam_member" "notifier_webhook" {
  count     = var.notifier_enabled && var.notifier_webhook_secret != null ? 1 : 0
  project   = var.project_id
  secret_id = var.notifier_webhook_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.notifier[0].email}"
}

# --- auditors --------------------------------------------------------------------------------------------

resource "google_storage_bucket_iam_member" "auditor_reader" {
  for_each = toset(var.auditors)
  bucket   = var.audit_bucket
  role     = "roles/storage.objectViewer"
  member   = each.value
}

resource "google_kms_crypto_key_iam_member" "auditor_public_key" {
  for_each      = toset(var.auditors)
  crypto_key_id = var.keys.audit
  role          = "roles/cloudkms.publicKeyViewer"
  member        = each.value
}

resource "google_bigquery_dataset_iam_member" "auditor_search" {
  for_each   = toset(var.auditors)
  project    = var.project_id
  dataset_id = var.audit_dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_project_iam_member" "auditor_jobs" {
  for_each = toset(var.auditors)
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = each.value
}
