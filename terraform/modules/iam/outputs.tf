output "gateway_email" {
  description = "The gateway's service account (INVOKER_EMAILS of the executor)."
  value       = google_service_account.gateway.email
}

output "executor_email" {
  description = "The executor's service account."
  value       = google_service_account.executor.email
}

output "sweeper_email" {
  description = "The sweeper's service account."
  value       = google_service_account.sweeper.email
}

output "notifier_email" {
  description = "The notifier's service account, or null."
  value       = var.notifier_enabled ? google_service_account.notifier[0].email : null
}

output "data_reader_email" {
  description = "The account whose key you seal for the executor (kms mode with create_data_reader), or null."
  value       = length(google_service_account.data_reader) > 0 ? google_service_account.data_reader[0].email : null
}

output "startup_grants" {
  description = "Changes once the grants the functions need to start exist (policy and sealed-key reads, Firestore, KMS, audit writes); module functions waits for it."
  value = sha256(join(",", concat(
    [for name in ["gateway_policy_reader", "executor_config_reader", "sweeper_policy_reader", "gateway_audit_writer", "executor_audit_writer", "sweeper_audit_writer"] : google_storage_bucket_iam_member.grant[name].id],
    [for name in ["gateway_audit_signer", "executor_audit_signer", "sweeper_audit_signer", "executor_masking"] : google_kms_crypto_key_iam_member.grant[name].id],
    [for name in ["gateway_firestore", "executor_firestore", "sweeper_firestore"] : google_project_iam_member.grant[name].id],
    [for name, grant in google_kms_crypto_key_iam_member.grant : grant.id if name == "executor_credential"],
  )))
}

output "query_identity_emails" {
  description = "The accounts of the extra query identities (name → email): create and seal a key for each."
  value       = { for name, sa in google_service_account.query_identity : name => sa.email }
}
