output "key_ring_id" {
  description = "The key ring (projects/…/locations/…/keyRings/…)."
  value       = google_kms_key_ring.main.id
}

output "credential_key_id" {
  description = "Symmetric key that seals the executor's credential (CREDENTIAL_KMS_KEY; `warden credential seal --key`)."
  value       = google_kms_crypto_key.symmetric["credential"].id
}

output "masking_key_id" {
  description = "Symmetric key that seals the masking HMAC key (MASKING_KMS_KEY)."
  value       = google_kms_crypto_key.symmetric["masking"].id
}

output "audit_key_id" {
  description = "Asymmetric EC P-256 key that certifies audit signing keys."
  value       = google_kms_crypto_key.audit_signing.id
}

output "audit_key_version" {
  description = "Key version the writers certify with (AUDIT_KMS_KEY_VERSION; `warden audit verify --kms-key-version`)."
  value       = "${google_kms_crypto_key.audit_signing.id}/cryptoKeyVersions/${var.audit_key_version}"
}

output "request_state_key_id" {
  description = "HMAC key from which the gateway derives its MCP requestState key."
  value       = google_kms_crypto_key.request_state.id
}

output "request_state_key_version" {
  description = "Key version the gateway derives it with (REQUEST_STATE_KMS_KEY_VERSION)."
  value       = "${google_kms_crypto_key.request_state.id}/cryptoKeyVersions/1"
}

output "storage_key_id" {
  description = "Key for the audit bucket's CMEK, or null when create_storage_key is false."
  value       = var.create_storage_key ? google_kms_crypto_key.symmetric["storage"].id : null
}

output "results_key_id" {
  description = "Key for the results bucket's CMEK, or null when create_results_key is false."
  value       = var.create_results_key ? google_kms_crypto_key.symmetric["results"].id : null
}

output "cmek_key_id" {
  description = "The key every store is encrypted with (cmek), or null; known once its service agents' grants exist."
  value       = local.cmek_key
  depends_on  = [google_kms_crypto_key_iam_member.cmek_agents]
}
