output "gateway_url" {
  description = "The gateway's base URL (PUBLIC_URL); MCP is at <gateway_url>/mcp."
  value       = local.gateway_url
}

output "executor_url" {
  description = "The executor's URL (EXECUTOR_URL)."
  value       = local.executor_url
}

output "service_names" {
  description = "Cloud Run service of each function (a 2nd-gen function's service has its name), for invoker bindings."
  value       = { for k, f in google_cloudfunctions2_function.main : k => f.name }
}

output "function_uris" {
  description = "The run.app URI Cloud Run reports for each function."
  value       = { for k, f in google_cloudfunctions2_function.main : k => f.service_config[0].uri }
}

output "subscription_ids" {
  description = "Push subscriptions feeding the event functions (keys approved, sweeper, notifier)."
  value       = { for k, s in google_pubsub_subscription.main : k => s.id }
}

output "subscription_names" {
  description = "Names of the push subscriptions (each with a dead-letter policy)."
  value       = [for s in google_pubsub_subscription.main : s.name]
}

output "config_bucket" {
  description = "Bucket holding the policy and the sealed keys."
  value       = google_storage_bucket.config.name
}

output "policy_path" {
  description = "gs:// path of the deployed policy (POLICY_PATH)."
  value       = "gs://${google_storage_bucket.config.name}/${local.policy_object}"
}

output "credential_object" {
  description = "gs:// path where the executor reads the sealed credential (CREDENTIAL_CIPHERTEXT_PATH)."
  value       = "gs://${google_storage_bucket.config.name}/${local.credential_object}"
}

output "masking_key_object" {
  description = "gs:// path where the executor reads the sealed masking key (MASKING_KEY_CIPHERTEXT_PATH)."
  value       = "gs://${google_storage_bucket.config.name}/${local.masking_object}"
}
