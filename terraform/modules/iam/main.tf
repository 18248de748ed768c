# Identities and least-privilege grants. One service account per function; every grant is on the narrowest
# resource that works (a key, a bucket, a topic, a dataset, a Cloud Run service), project-level only where
# the service has no finer resource (BigQuery jobs, Firestore, which is narrowed by an IAM condition), and no
# basic roles (owner/editor/viewer) anywhere. The fixed grants are data: one map per kind of resource, below.

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

# --- the fixed grants, as data ---------------------------------------------------------------------------
#
# Every grant of a fixed member on a fixed resource, one map per kind of resource: name => { member, role, the
# resource, and optionally `when` (the grant exists only while it holds) and `condition` (an IAM condition).
# The name is the grant's for_each key (moved.tf carries each one over from its former resource address), and
# terraform/checks.ts reads these maps entry by entry, as if each were its own resource block.
#   gateway   dry runs + metadata (no table data), Firestore, publish both approval topics, sign audit
#             certificates, create audit objects, read the policy, read results (the results bucket).
#             No KMS decrypt of any key, no write to the results bucket.
#   executor  decrypt the credential and masking keys, sign, create audit objects, read the policy and the
#             sealed keys, Firestore, create results, invoke the approved-query target.
#   sweeper   the gateway's code on a schedule: Firestore, sign, create audit objects, publish approval-decided,
#             read the policy, be invoked by its own push. No BigQuery, no results, no executor, no approval-requested.
#   Pub/Sub   its service agent mints the push tokens, dead-letters, and acknowledges on the source subscription.

locals {
  firestore_only = {
    title       = "warden-database-only"
    description = "Only Warden's Firestore database."
    expression  = local.firestore_iam
  }
  policy_only = {
    title       = "policy-only"
    description = "The policy, not the sealed keys."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/policy/\")"
  }

  # On the project: BigQuery jobs (dry runs are jobs), and Firestore, narrowed to Warden's database.
  project_grants = {
    gateway_jobs       = { member = local.gateway, role = "roles/bigquery.jobUser" }
    gateway_firestore  = { member = local.gateway, role = "roles/datastore.user", condition = local.firestore_only }
    executor_firestore = { member = local.executor, role = "roles/datastore.user", condition = local.firestore_only }
    sweeper_firestore  = { member = local.sweeper, role = "roles/datastore.user", condition = local.firestore_only }
    # The identity BigQuery jobs run as (the sealed account, or the executor in keyless mode).
    query_jobs = { member = local.query_identity, role = "roles/bigquery.jobUser", when = local.has_query_identity }
  }

  # Expired and failed requests are announced like any decision; the agent dead-letters what fails delivery.
  topic_grants = {
    gateway_requested  = { member = local.gateway, role = "roles/pubsub.publisher", topic = var.topic_ids.requested }
    gateway_decided    = { member = local.gateway, role = "roles/pubsub.publisher", topic = var.topic_ids.decided }
    sweeper_decided    = { member = local.sweeper, role = "roles/pubsub.publisher", topic = var.topic_ids.decided }
    pubsub_dead_letter = { member = local.pubsub_agent, role = "roles/pubsub.publisher", topic = var.topic_ids.dead_letter }
  }

  # Dead-lettering: the agent acknowledges on the source subscription.
  subscription_grants = {
    pubsub_approved = { member = local.pubsub_agent, role = "roles/pubsub.subscriber", subscription = var.subscription_ids["approved"] }
    pubsub_sweeper  = { member = local.pubsub_agent, role = "roles/pubsub.subscriber", subscription = var.subscription_ids["sweeper"] }
  }

  key_grants = {
    gateway_audit_signer = { member = local.gateway, role = "roles/cloudkms.signer", key = var.keys.audit }
    # MacSign (cloudkms.cryptoKeyVersions.useToSign) to derive the requestState key; nothing else uses this key.
    gateway_request_state    = { member = local.gateway, role = "roles/cloudkms.signer", key = var.keys.request_state }
    gateway_audit_public_key = { member = local.gateway, role = "roles/cloudkms.publicKeyViewer", key = var.keys.audit, when = var.console_audit_read }
    executor_credential      = { member = local.executor, role = "roles/cloudkms.cryptoKeyDecrypter", key = var.keys.credential, when = var.credential_mode == "kms" }
    executor_masking         = { member = local.executor, role = "roles/cloudkms.cryptoKeyDecrypter", key = var.keys.masking }
    executor_audit_signer    = { member = local.executor, role = "roles/cloudkms.signer", key = var.keys.audit }
    # The executor verifies the gateway's execution grants back to the audit key's public key.
    executor_audit_public_key = { member = local.executor, role = "roles/cloudkms.publicKeyViewer", key = var.keys.audit }
    sweeper_audit_signer      = { member = local.sweeper, role = "roles/cloudkms.signer", key = var.keys.audit }
  }

  # Audit objects: create only (written with ifGenerationMatch=0; the retention lock forbids deletes). Results
  # (results/<request id>.json): the executor creates them, the gateway reads them for their requester.
  bucket_grants = {
    gateway_audit_writer   = { member = local.gateway, role = "roles/storage.objectCreator", bucket = var.audit_bucket }
    gateway_policy_reader  = { member = local.gateway, role = "roles/storage.objectViewer", bucket = var.config_bucket, condition = local.policy_only }
    gateway_results_reader = { member = local.gateway, role = "roles/storage.objectViewer", bucket = var.results_bucket }
    gateway_audit_reader   = { member = local.gateway, role = "roles/storage.objectViewer", bucket = var.audit_bucket, when = var.console_audit_read }
    executor_audit_writer  = { member = local.executor, role = "roles/storage.objectCreator", bucket = var.audit_bucket }
    executor_config_reader = {
      member = local.executor
      role   = "roles/storage.objectViewer"
      bucket = var.config_bucket
      condition = {
        title       = "policy-and-sealed-keys"
        description = "The policy and the sealed credential and masking key."
        expression  = "resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/policy/\") || resource.name.startsWith(\"projects/_/buckets/${var.config_bucket}/objects/sealed/\")"
      }
    }
    executor_results_writer = { member = local.executor, role = "roles/storage.objectCreator", bucket = var.results_bucket }
    sweeper_audit_writer    = { member = local.sweeper, role = "roles/storage.objectCreator", bucket = var.audit_bucket }
    # The gateway's configuration loader reads the policy at start.
    sweeper_policy_reader = { member = local.sweeper, role = "roles/storage.objectViewer", bucket = var.config_bucket, condition = local.policy_only }
  }

  # Invocation: the executor's HTTPS endpoint by the gateway alone; the approved-query and sweep targets by the
  # accounts Pub/Sub pushes with. The gateway authenticates every caller itself (OIDC, in-app): in public mode
  # Cloud Run lets requests reach it.
  service_grants = {
    executor_invoker = { member = local.gateway, role = "roles/run.invoker", service = var.service_names["executor"] }
    approved_invoker = { member = local.executor, role = "roles/run.invoker", service = var.service_names["approved"] }
    sweeper_invoker  = { member = local.sweeper, role = "roles/run.invoker", service = var.service_names["sweeper"] }
    gateway_public   = { member = "allUsers", role = "roles/run.invoker", service = var.service_names["gateway"], when = var.gateway_access == "public" }
  }

  # The Pub/Sub agent mints the push subscriptions' OIDC tokens as the executor's and the sweeper's account.
  account_grants = {
    pubsub_executor_token = { member = local.pubsub_agent, role = "roles/iam.serviceAccountTokenCreator", account = google_service_account.executor.name }
    pubsub_sweeper_token  = { member = local.pubsub_agent, role = "roles/iam.serviceAccountTokenCreator", account = google_service_account.sweeper.name }
  }
}

resource "google_project_iam_member" "grant" {
  for_each = { for name, g in local.project_grants : name => g if try(g.when, true) }
  project  = var.project_id
  role     = each.value.role
  member   = each.value.member

  dynamic "condition" {
    for_each = try([each.value.condition], [])
    content {
      title       = condition.value.title
      description = condition.value.description
      expression  = condition.value.expression
    }
  }
}

resource "google_pubsub_topic_iam_member" "grant" {
  for_each = { for name, g in local.topic_grants : name => g if try(g.when, true) }
  topic    = each.value.topic
  role     = each.value.role
  member   = each.value.member
}

resource "google_pubsub_subscription_iam_member" "grant" {
  for_each     = { for name, g in local.subscription_grants : name => g if try(g.when, true) }
  subscription = each.value.subscription
  role         = each.value.role
  member       = each.value.member
}

resource "google_kms_crypto_key_iam_member" "grant" {
  for_each      = { for name, g in local.key_grants : name => g if try(g.when, true) }
  crypto_key_id = each.value.key
  role          = each.value.role
  member        = each.value.member
}

resource "google_storage_bucket_iam_member" "grant" {
  for_each = { for name, g in local.bucket_grants : name => g if try(g.when, true) }
  bucket   = each.value.bucket
  role     = each.value.role
  member   = each.value.member

  dynamic "condition" {
    for_each = try([each.value.condition], [])
    content {
      title       = condition.value.title
      description = condition.value.description
      expression  = condition.value.expression
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "grant" {
  for_each = { for name, g in local.service_grants : name => g if try(g.when, true) }
  project  = var.project_id
  location = var.region
  name     = each.value.service
  role     = each.value.role
  member   = each.value.member
}

# (After a grant on a topic: the agent exists once Pub/Sub has topics in the project.)
resource "google_service_account_iam_member" "grant" {
  for_each           = { for name, g in local.account_grants : name => g if try(g.when, true) }
  service_account_id = each.value.account
  role               = each.value.role
  member             = each.value.member
  depends_on         = [google_pubsub_topic_iam_member.grant]
}

# --- per dataset ----------------------------------------------------------------------------------------

# Table and view metadata (schemas, policy tags) without bigquery.tables.getData.
resource "google_bigquery_dataset_iam_member" "gateway_metadata" {
  for_each   = local.datasets
  project    = each.value.project_id
  dataset_id = each.value.dataset_id
  role       = "roles/bigquery.metadataViewer"
  member     = local.gateway
}

# --- the query identity: BigQuery data --------------------------------------------------------------------

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

# --- invocation of the gateway in iam mode, by each listed member -------------------------------------------

resource "google_cloud_run_v2_service_iam_member" "gateway_invokers" {
  for_each = var.gateway_access == "iam" ? toset(var.gateway_invokers) : toset([])
  project  = var.project_id
  location = var.region
  name     = var.service_names["gateway"]
  role     = "roles/run.invoker"
  member   = each.value
}

# --- notifier: its own (optional) account ----------------------------------------------------------------

# Blocks of their own, not entries in the maps above: while the notifier is off its account, service and
# subscription do not exist, and a map entry naming them would fail to evaluate.

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

resource "google_cloud_run_v2_service_iam_member" "notifier_invoker" {
  count    = var.notifier_enabled ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = var.service_names["notifier"]
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.notifier[0].email}"
}

resource "google_pubsub_subscription_iam_member" "pubsub_notifier" {
  count        = var.notifier_enabled ? 1 : 0
  subscription = var.subscription_ids["notifier"]
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Mints the push subscription's OIDC tokens as the notifier's account.
resource "google_service_account_iam_member" "pubsub_notifier_token" {
  count              = var.notifier_enabled ? 1 : 0
  service_account_id = google_service_account.notifier[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
  depends_on         = [google_pubsub_topic_iam_member.grant]
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
