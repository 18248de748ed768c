# Monitoring as code: log-based metrics on what the functions log (shared/adapters/logging.ts: one JSON line with
# severity, component and message, which Cloud Run turns into jsonPayload), alert policies for break-glass use,
# approvals expiring unreviewed, dead-lettered approval events, audit write failures and verification failures,
# and the scheduled audit check (a Cloud Run job running `warden audit verify` from var.verify_image, started by
# Cloud Scheduler) whose failures alert. terraform/monitoring.test.ts checks that every filter names a message
# the code writes.

locals {
  job_name = "${var.name_prefix}-audit-monitor"

  # Filters: Cloud Logging query language (https://cloud.google.com/logging/docs/view/logging-query-language).
  metrics = {
    # functions/gateway/sweep.ts: `sweep: N expired, …` once per sweep; N > 0 means pending approvals lapsed.
    approvals_expired = {
      description = "Sweeps that recorded the expiry of at least one approval request nobody decided."
      filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.service_names["sweeper"]}\" AND jsonPayload.component=\"gateway\" AND jsonPayload.message=~\"^sweep: [1-9][0-9]* expired\""
    }
    # functions/gateway/handle.ts (`audit write failed for request …`, the request fails closed) and
    # shared/adapters/function-ports.ts (`audit background write failed: …`, a digest or group-committed record).
    audit_write_failures = {
      description = "Audit records or digests the functions could not write."
      filter      = "resource.type=\"cloud_run_revision\" AND severity>=ERROR AND (jsonPayload.message=~\"^audit write failed for request \" OR jsonPayload.message=~\"^audit background write failed\")"
    }
    # deploy/verify/monitor.ts (MONITOR_MESSAGES.breakGlass): one line per break-glass decision in the window.
    break_glass = {
      description = "Break-glass decisions found in the audit trail by the scheduled audit check."
      filter      = "resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${local.job_name}\" AND jsonPayload.component=\"audit-monitor\" AND jsonPayload.message=\"break-glass access\""
    }
    # deploy/verify/monitor.ts (MONITOR_MESSAGES.verifyFailed): `warden audit verify` found problems or could not run.
    verify_failures = {
      description = "Scheduled audit verifications that failed."
      filter      = "resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${local.job_name}\" AND jsonPayload.component=\"audit-monitor\" AND jsonPayload.message=\"audit verify failed\""
    }
  }

  alerts = {
    break_glass = {
      name   = "Warden: break-glass access"
      doc    = "A break_glass rule let a query run (45 CFR 164.312(a)(2)(ii)). Review it: `warden audit search --request ID` with the requestId of the audit-monitor log line."
      metric = "logging.googleapis.com/user/${var.name_prefix}-break_glass"
      filter = "resource.type=\"cloud_run_job\""
    }
    approvals_expired = {
      name   = "Warden: approvals expired unreviewed"
      doc    = "Approval requests expired before enough approvers decided. Check the approver groups and the notifier; `warden approvals list`."
      metric = "logging.googleapis.com/user/${var.name_prefix}-approvals_expired"
      filter = "resource.type=\"cloud_run_revision\""
    }
    audit_write_failures = {
      name   = "Warden: audit write failures"
      doc    = "The functions could not write audit records (requests failed closed) or digests. Check Cloud Storage and KMS; run `warden audit reconcile`."
      metric = "logging.googleapis.com/user/${var.name_prefix}-audit_write_failures"
      filter = "resource.type=\"cloud_run_revision\""
    }
    verify_failures = {
      name   = "Warden: audit verification failed"
      doc    = "`warden audit verify` found modified, missing, inserted or reordered records, or could not run. Its output is in the job's logs."
      metric = "logging.googleapis.com/user/${var.name_prefix}-verify_failures"
      filter = "resource.type=\"cloud_run_job\""
    }
    # Pub/Sub counts what it forwards to the dead-letter topic (https://cloud.google.com/pubsub/docs/monitoring).
    dead_letters = {
      name   = "Warden: dead-lettered approval events"
      doc    = "Approval events failed every delivery and went to the dead-letter topic; inspect the dead-letter hold subscription and replay them."
      metric = "pubsub.googleapis.com/subscription/dead_letter_message_count"
      filter = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=one_of(${join(",", [for s in var.subscription_names : "\"${s}\""])})"
    }
    # A job execution that fails (verification problems, a check that could not run, a crash) alerts as well
    # (https://cloud.google.com/run/docs/monitoring: run.googleapis.com/job/completed_execution_count, label result).
    job_failed = {
      name   = "Warden: audit check job failed"
      doc    = "The scheduled audit check (${local.job_name}) exited with an error: see its logs."
      metric = "run.googleapis.com/job/completed_execution_count"
      filter = "resource.type=\"cloud_run_job\" AND resource.labels.job_name=\"${local.job_name}\" AND metric.labels.result=\"failed\""
      when   = var.verify_image != null
    }
  }
}

resource "google_logging_metric" "main" {
  for_each    = local.metrics
  project     = var.project_id
  name        = "${var.name_prefix}-${each.key}"
  description = each.value.description
  filter      = each.value.filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "main" {
  for_each              = { for id, alert in local.alerts : id => alert if try(alert.when, true) }
  project               = var.project_id
  display_name          = each.value.name
  combiner              = "OR"
  notification_channels = var.notification_channels
  severity              = "ERROR"
  user_labels           = var.labels

  documentation {
    content   = each.value.doc
    mime_type = "text/markdown"
  }

  conditions {
    display_name = each.value.name
    condition_threshold {
      filter          = "metric.type=\"${each.value.metric}\" AND ${each.value.filter}"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  depends_on = [google_logging_metric.main]
}

# --- the scheduled audit check ------------------------------------------------------------------------------

resource "google_service_account" "monitor" {
  count        = var.verify_image == null ? 0 : 1
  project      = var.project_id
  account_id   = "${var.name_prefix}-monitor"
  display_name = "Warden audit monitor"
  description  = "Runs the scheduled audit check: reads and verifies the audit trail, searches it for break-glass decisions. Cannot write anything."
}

# Read-only, what `warden audit verify` and the search need: the objects, the signing key's public half, and
# queries of the external table (jobs in this project, the dataset's tables; the table reads the bucket).
resource "google_storage_bucket_iam_member" "monitor_audit_reader" {
  count  = var.verify_image == null ? 0 : 1
  bucket = var.audit_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.monitor[0].email}"
}

resource "google_kms_crypto_key_iam_member" "monitor_public_key" {
  count         = var.verify_image == null ? 0 : 1
  crypto_key_id = var.audit_key_id
  role          = "roles/cloudkms.publicKeyViewer"
  member        = "serviceAccount:${google_service_account.monitor[0].email}"
}

resource "google_project_iam_member" "monitor_jobs" {
  count   = var.verify_image == null ? 0 : 1
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.monitor[0].email}"
}

resource "google_bigquery_dataset_iam_member" "monitor_search" {
  count      = var.verify_image == null ? 0 : 1
  project    = var.project_id
  dataset_id = var.audit_dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.monitor[0].email}"
}

resource "google_cloud_run_v2_job" "main" {
  count               = var.verify_image == null ? 0 : 1
  project             = var.project_id
  location            = var.region
  name                = local.job_name
  deletion_protection = false
  labels              = var.labels

  template {
    task_count = 1
    template {
      service_account = google_service_account.monitor[0].email
      max_retries     = 0
      timeout         = var.verify_timeout
      containers {
        image = var.verify_image
        env {
          name  = "AUDIT_BUCKET"
          value = var.audit_bucket
        }
        env {
          name  = "AUDIT_KMS_KEY_VERSION"
          value = var.audit_key_version
        }
        env {
          name  = "AUDIT_TABLE"
          value = var.audit_table
        }
        env {
          name  = "WINDOW_MINUTES"
          value = tostring(var.verify_window_minutes)
        }
        env {
          name  = "VERIFY_DAYS"
          value = tostring(var.verify_days)
        }
        resources {
          limits = {
            cpu    = "1"
            memory = "1Gi"
          }
        }
      }
    }
  }

  depends_on = [
    google_storage_bucket_iam_member.monitor_audit_reader,
    google_kms_crypto_key_iam_member.monitor_public_key,
  ]
}

# Cloud Scheduler runs the job through the Cloud Run Admin API with an OAuth token of the monitor's account,
# which may run this job alone (https://cloud.google.com/run/docs/execute/jobs-on-schedule).
resource "google_cloud_run_v2_job_iam_member" "monitor_runs_itself" {
  count    = var.verify_image == null ? 0 : 1
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.main[0].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.monitor[0].email}"
}

resource "google_cloud_scheduler_job" "verify" {
  count       = var.verify_image == null ? 0 : 1
  project     = var.project_id
  region      = var.region
  name        = local.job_name
  description = "Warden: verify the audit trail and report break-glass decisions (${local.job_name})."
  schedule    = var.verify_schedule
  time_zone   = "Etc/UTC"

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.main[0].name}:run"
    oauth_token {
      service_account_email = google_service_account.monitor[0].email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.monitor_runs_itself]
}
