output "bucket_name" {
  description = "The witness bucket, which keeps the witness's state (copied with gcloud storage rsync; docs/operations.md, A witness)."
  value       = google_storage_bucket.main.name
}

output "email" {
  description = "The witness's service account (`--impersonate-service-account`)."
  value       = google_service_account.main.email
}
