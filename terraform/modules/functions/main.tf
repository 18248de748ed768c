# The functions: `gateway` (public MCP endpoint), `executor` (internal, HTTPS, invoked by the gateway alone),
# `approved` (the executor's source, target `approved`, fed approval-decided events by a push subscription
# with retries and a dead-letter topic), `sweeper` (the gateway's source, target `sweep`, fed approval-sweep
# ticks from Cloud Scheduler the same way) and optionally `notifier` (approval-requested events to a chat
# webhook). Sources are the bundles of `npm run build:functions`; configuration is passed as environment.

locals {
  all_functions = {
    gateway  = { source = "gateway", entry_point = "gateway", service_account = var.service_accounts.gateway }
    executor = { source = "executor", entry_point = "executor", service_account = var.service_accounts.executor }
    approved = { source = "executor", entry_point = "approved", service_account = var.service_accounts.executor }
    sweeper  = { source = "gateway", entry_point = "sweep", service_account = var.service_accounts.sweeper }
    notifier = { source = "notifier", entry_point = var.notifier_entry_point, service_account = var.service_accounts.notifier }
  }
  functions = { for k, f in local.all_functions : k => f if k != "notifier" || var.notifier_enabled }
  sources   = toset([for f in local.functions : f.source])

  # Deterministic Cloud Run URLs (https://SERVICE-PROJECT_NUMBER.REGION.run.app), known before the functions
  # exist: the gateway's own URL is part of its configuration and the executor's audience part of its own.
  run_url = { for k, _ in local.functions : k => "https://${var.name_prefix}-${k}-${var.project_number}.${var.region}.run.app" }
  cf_host = "${var.region}-${var.project_id}.cloudfunctions.net"

  gateway_url  = coalesce(var.public_url, local.run_url.gateway)
  gateway_host = regex("^https://([^/]+)", local.gateway_url)[0]
  executor_url = local.run_url.executor

  config_bucket     = "${var.project_id}-${var.name_prefix}-config"
  policy_object     = "policy/${filemd5(var.policy_file)}.yaml"
  credential_object = "sealed/executor-credential.enc"
  masking_object    = "sealed/masking-key.enc"

  common_environment = merge({
    PROJECT_ID            = var.project_id
    POLICY_PATH           = "gs://${local.config_bucket}/${local.policy_object}"
    AUDIT_BUCKET          = var.audit_bucket
    AUDIT_KMS_KEY_VERSION = var.audit_key_version
    FIRESTORE_DATABASE    = var.firestore_database
    # Both writers list stored audit objects in a digest this soon (and the sweeper, with the gateway's).
    AUDIT_DIGEST_INTERVAL_SECONDS = tostring(var.audit_digest_interval_seconds)
    }, var.results_bucket == null ? {} : {
    # Large masked results: the executor creates results/<request id>.json, the gateway reads it.
    RESULTS_BUCKET = var.results_bucket
  })

  gateway_environment = merge(local.common_environment, {
    PUBLIC_URL               = local.gateway_url
    OIDC_ISSUERS             = join(",", var.oidc_issuers)
    OIDC_AUDIENCES           = join(",", distinct(concat([local.gateway_url], var.oidc_audiences)))
    OIDC_GROUPS_CLAIM        = var.oidc_groups_claim
    ALLOWED_HOSTS            = join(",", distinct(concat([local.gateway_host, trimprefix(local.run_url.gateway, "https://"), local.cf_host], var.allowed_hosts)))
    EXECUTOR_URL             = local.executor_url
    EXECUTOR_AUDIENCE        = local.executor_url
    APPROVAL_REQUESTED_TOPIC = var.topics.requested_name
    APPROVAL_DECIDED_TOPIC   = var.topics.decided_name
    # Asks a 2026-07-28 client for a missing reason (docs/approvals.md); unset, the gateway denies instead.
    REQUEST_STATE_KMS_KEY_VERSION = var.request_state_key_version
  }, var.gateway_environment)

  executor_environment = merge(local.common_environment, {
    EXECUTOR_AUDIENCE           = local.executor_url
    INVOKER_EMAILS              = var.service_accounts.gateway
    CREDENTIAL_MODE             = var.credential_mode
    MASKING_KEY_CIPHERTEXT_PATH = "gs://${local.config_bucket}/${local.masking_object}"
    MASKING_KMS_KEY             = var.masking_key_id
    QUERY_TIMEOUT_MS            = tostring(var.query_timeout_ms)
    RESULT_TTL_SECONDS          = tostring(var.result_ttl_seconds)
    }, var.credential_mode == "kms" ? {
    CREDENTIAL_CIPHERTEXT_PATH = "gs://${local.config_bucket}/${local.credential_object}"
    CREDENTIAL_KMS_KEY         = var.credential_key_id
    } : {}, var.credential_mode == "kms" && length(var.query_identities) > 0 ? {
    # Rules name these in `credential`; each key is sealed with the credential key like the primary one.
    QUERY_CREDENTIALS = jsonencode({ for name in var.query_identities : name => "gs://${local.config_bucket}/sealed/query-${name}.enc" })
    } : {}, var.bigquery_location == null ? {} : {
    BIGQUERY_LOCATION = var.bigquery_location
  }, var.executor_environment)

  # The sweep runs the gateway's whole configuration loader, so it gets the gateway's environment.
  sweeper_environment = merge(local.gateway_environment, {
    SWEEP_STUCK_AFTER_SECONDS = tostring(var.sweep_stuck_after_seconds)
  })

  notifier_environment = merge({
    PROJECT_ID         = var.project_id
    FIRESTORE_DATABASE = var.firestore_database
    NOTIFIER_FORMAT    = var.notifier_format
    # Links in the chat message point at the approvers' console on the gateway.
    CONSOLE_URL = local.gateway_url
  }, var.notifier_environment)

  environment = {
    gateway  = local.gateway_environment
    executor = local.executor_environment
    approved = local.executor_environment
    sweeper  = local.sweeper_environment
    notifier = local.notifier_environment
  }

  ingress = {
    gateway  = var.gateway_ingress
    executor = var.executor_internal_only ? "ALLOW_INTERNAL_ONLY" : "ALLOW_ALL"
    # Pub/Sub push from this project counts as internal traffic.
    approved = "ALLOW_INTERNAL_ONLY"
    sweeper  = "ALLOW_INTERNAL_ONLY"
    notifier = "ALLOW_INTERNAL_ONLY"
  }

  # Push subscriptions: the framework turns a Pub/Sub push into a CloudEvent; the topic is read from the path.
  all_subscriptions = {
    approved = { topic_id = var.topics.decided_id, topic_name = var.topics.decided_name }
    sweeper  = { topic_id = var.topics.sweep_id, topic_name = var.topics.sweep_name }
    notifier = { topic_id = var.topics.requested_id, topic_name = var.topics.requested_name }
  }
  subscriptions = { for k, v in local.all_subscriptions : k => v if contains(keys(local.functions), k) }
}

# --- sources ---------------------------------------------------------------------------------------------

resource "google_storage_bucket" "sources" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  dynamic "encryption" {
    for_each = var.use_cmek ? [var.kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }
}

data "archive_file" "main" {
  for_each    = local.sources
  type        = "zip"
  source_dir  = "${var.source_dir}/${each.key}"
  output_path = "${path.root}/.terraform/warden-build/${each.key}.zip"
  excludes    = ["node_modules", "compile-cache"]
}

resource "google_storage_bucket_object" "sources" {
  for_each = local.sources
  bucket   = google_storage_bucket.sources.name
  # A new name per content, so a changed bundle deploys a new revision.
  name   = "${each.key}/${data.archive_file.main[each.key].output_md5}.zip"
  source = data.archive_file.main[each.key].output_path
}

# --- configuration: the policy and the sealed keys -------------------------------------------------------

resource "google_storage_bucket" "config" {
  project                     = var.project_id
  name                        = local.config_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  # Earlier policies stay readable for audits of past decisions.
  versioning {
    enabled = true
  }

  dynamic "encryption" {
    for_each = var.use_cmek ? [var.kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }
}

# The object name carries the policy's hash, so a policy change rolls out as a new revision of both functions.
resource "google_storage_bucket_object" "policy" {
  bucket       = google_storage_bucket.config.name
  name         = local.policy_object
  source       = var.policy_file
  content_type = "application/yaml"
}

resource "google_storage_bucket_object" "credential" {
  count        = var.credential_mode == "kms" && var.credential_ciphertext_file != null ? 1 : 0
  bucket       = google_storage_bucket.config.name
  name         = local.credential_object
  source       = var.credential_ciphertext_file
  content_type = "application/octet-stream"
}

resource "google_storage_bucket_object" "masking_key" {
  count        = var.masking_key_ciphertext_file != null ? 1 : 0
  bucket       = google_storage_bucket.config.name
  name         = local.masking_object
  source       = var.masking_key_ciphertext_file
  content_type = "application/octet-stream"
}

# --- functions -------------------------------------------------------------------------------------------

# Orders the functions after the IAM grants they need to start (policy read); see var.iam_ready.
resource "terraform_data" "iam_ready" {
  input = var.iam_ready
}

resource "google_cloudfunctions2_function" "main" {
  for_each    = local.functions
  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-${each.key}"
  description = "Warden ${each.key}"
  labels      = var.labels

  build_config {
    runtime         = var.runtime
    entry_point     = each.value.entry_point
    service_account = var.build_service_account
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.sources[each.value.source].name
      }
    }
  }

  service_config {
    service_account_email            = each.value.service_account
    min_instance_count               = var.scaling[each.key].min_instances
    max_instance_count               = var.scaling[each.key].max_instances
    available_memory                 = var.scaling[each.key].memory
    available_cpu                    = var.scaling[each.key].cpu
    max_instance_request_concurrency = var.scaling[each.key].concurrency
    timeout_seconds                  = var.scaling[each.key].timeout
    ingress_settings                 = local.ingress[each.key]
    all_traffic_on_latest_revision   = true
    environment_variables            = local.environment[each.key]
    # Only the gateway calls out to another function; with an internal-only executor it must leave through
    # the VPC, since Cloud Run counts only VPC traffic from other services as internal.
    vpc_connector                 = each.key == "gateway" ? var.vpc_connector : null
    vpc_connector_egress_settings = each.key == "gateway" && var.vpc_connector != null ? "ALL_TRAFFIC" : null

    dynamic "secret_environment_variables" {
      for_each = each.key == "notifier" && var.notifier_webhook_secret != null ? [var.notifier_webhook_secret] : []
      content {
        key        = "NOTIFIER_WEBHOOK_URL"
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = !(each.key == "executor" && var.executor_internal_only && var.vpc_connector == null)
      error_message = "executor_internal_only needs vpc_connector: the gateway reaches an internal-only executor only through a VPC. Set vpc_connector, or executor_internal_only = false (IAM still limits invocation to the gateway)."
    }
    precondition {
      # A request is EXECUTING for at most the approved function's timeout; failing it sooner would race the run.
      condition     = !(each.key == "sweeper" && var.sweep_stuck_after_seconds <= var.scaling["approved"].timeout)
      error_message = "sweep_stuck_after_seconds must exceed the approved function's timeout (scaling.approved.timeout)."
    }
    precondition {
      condition     = each.value.service_account != null
      error_message = "notifier_enabled needs service_accounts.notifier."
    }
    precondition {
      condition     = !(each.key == "notifier" && var.notifier_webhook_secret == null)
      error_message = "notifier_enabled needs notifier_webhook_secret (the Secret Manager secret holding the webhook URL)."
    }
  }

  depends_on = [terraform_data.iam_ready, google_storage_bucket_object.policy]
}

# --- event delivery --------------------------------------------------------------------------------------

resource "google_pubsub_subscription" "main" {
  for_each                   = local.subscriptions
  project                    = var.project_id
  name                       = "${each.value.topic_name}-${var.name_prefix}-${each.key}"
  topic                      = each.value.topic_id
  ack_deadline_seconds       = min(600, var.scaling[each.key].timeout)
  message_retention_duration = "86400s"
  labels                     = var.labels

  push_config {
    push_endpoint = "${local.run_url[each.key]}/projects/${var.project_id}/topics/${each.value.topic_name}"
    oidc_token {
      service_account_email = local.functions[each.key].service_account
      audience              = local.run_url[each.key]
    }
  }

  retry_policy {
    minimum_backoff = var.retry_minimum_backoff
    maximum_backoff = var.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = var.topics.dead_letter_id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloudfunctions2_function.main]
}
