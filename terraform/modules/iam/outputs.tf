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
    [
      google_storage_bucket_iam_member.gateway_policy_reader.id,
      google_storage_bucket_iam_member.executor_config_reader.id,
      google_storage_bucket_iam_member.sweeper_policy_reader.id,
      google_storage_bucket_iam_member.gateway_audit_writer.id,
      google_storage_bucket_iam_member.executor_audit_writer.id,
      google_storage_bucket_iam_member.sweeper_audit_writer.id,
      google_kms_crypto_key_iam_member.gateway_audit_signer.id,
      google_kms_crypto_key_iam_member.executor_audit_signer.id,
      google_kms_crypto_key_iam_member.sweeper_audit_signer.id,
      google_kms_crypto_key_iam_member.executor_masking.id,
      google_project_iam_member.gateway_firestore.id,
      google_project_iam_member.executor_firestore.id,
      google_project_iam_member.sweeper_firestore.id,
    ],
    google_kms_crypto_key_iam_member.executor_credential[*].id,
  )))
}

output "query_identity_emails" {
  description = "The accounts of the extra query identities (name → email): create and seal a key for each."
  value       = { for name, sa in google_service_account.query_identity : name => sa.email }
}
