output "metrics" {
  description = "Log-based metric names (logging.googleapis.com/user/NAME), by what they count."
  value       = { for k, m in google_logging_metric.main : k => m.name }
}

output "alert_policies" {
  description = "Alert policy ids, by what they alert on."
  value       = { for k, p in google_monitoring_alert_policy.main : k => p.name }
}

output "verify_job" {
  description = "The audit check's Cloud Run job (`gcloud run jobs execute NAME --region REGION` to run it now), or null."
  value       = one(google_cloud_run_v2_job.main[*].name)
}
