output "database_name" {
  description = "Firestore database name (FIRESTORE_DATABASE)."
  value       = google_firestore_database.main.name
}

output "database_id" {
  description = "Firestore database resource name (projects/…/databases/…), for IAM conditions."
  value       = "projects/${var.project_id}/databases/${google_firestore_database.main.name}"
}

output "requested_topic" {
  description = "Name of the approval-requested topic."
  value       = google_pubsub_topic.main["requested"].name
}

output "requested_topic_id" {
  description = "Resource id of the approval-requested topic."
  value       = google_pubsub_topic.main["requested"].id
}

output "decided_topic" {
  description = "Name of the approval-decided topic."
  value       = google_pubsub_topic.main["decided"].name
}

output "decided_topic_id" {
  description = "Resource id of the approval-decided topic."
  value       = google_pubsub_topic.main["decided"].id
}

output "sweep_topic" {
  description = "Name of the approval-sweep topic (Cloud Scheduler publishes, the sweeper is pushed)."
  value       = google_pubsub_topic.main["sweep"].name
}

output "sweep_topic_id" {
  description = "Resource id of the approval-sweep topic."
  value       = google_pubsub_topic.main["sweep"].id
}

output "sweep_job" {
  description = "The Cloud Scheduler job that starts the sweep (`gcloud scheduler jobs run`)."
  value       = google_cloud_scheduler_job.main.id
}

output "dead_letter_topic_id" {
  description = "Resource id of the dead-letter topic."
  value       = google_pubsub_topic.main["dead_letter"].id
}

output "dead_letter_subscription" {
  description = "Subscription holding dead letters (`gcloud pubsub subscriptions pull`)."
  value       = google_pubsub_subscription.dead_letter.name
}

output "results_bucket" {
  description = "The results bucket (RESULTS_BUCKET)."
  value       = google_storage_bucket.main.name
}
