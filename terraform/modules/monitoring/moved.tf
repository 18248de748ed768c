# The scheduled check's alert was a block of its own until it became an entry of local.alerts: its state moves
# to the entry (an in-place update follows: the condition's display name, trigger and auto-close now match the
# other alerts). https://developer.hashicorp.com/terraform/language/modules/develop/refactoring

moved {
  from = google_monitoring_alert_policy.job_failed[0]
  to   = google_monitoring_alert_policy.main["job_failed"]
}
