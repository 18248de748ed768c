output "bucket_name" {
  description = "The audit bucket (AUDIT_BUCKET; `warden audit verify --bucket`)."
  value       = google_storage_bucket.main.name
}

output "bucket_url" {
  description = "gs:// URL of the audit bucket."
  value       = google_storage_bucket.main.url
}

output "retention_seconds" {
  description = "The locked retention period, in seconds."
  value       = local.retention_seconds
}

output "dataset_id" {
  description = "BigQuery dataset of the search table."
  value       = google_bigquery_dataset.main.dataset_id
}

output "table" {
  description = "The search table as project.dataset.table (`warden audit search --bigquery-table`)."
  value       = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.main.table_id}"
}
