output "mcp_url" {
  description = "MCP endpoint of the gateway."
  value       = module.warden.mcp_url
}

output "credential_key" {
  description = "KMS key to seal the data reader's key with."
  value       = module.warden.credential_key
}

output "masking_key" {
  description = "KMS key to seal the masking key with."
  value       = module.warden.masking_key
}

output "data_reader" {
  description = "Service account whose key you create and seal."
  value       = module.warden.service_accounts.data_reader
}

output "audit_bucket" {
  description = "The retention-locked audit bucket."
  value       = module.warden.audit_bucket
}

output "audit_key_version" {
  description = "KMS key version for `warden audit verify`."
  value       = module.warden.audit_key_version
}

output "audit_table" {
  description = "BigQuery table for `warden audit search`."
  value       = module.warden.audit_table
}

output "lb_address" {
  description = "IP address of the load balancer (point var.domain's A record here), or null."
  value       = one([for a in google_compute_global_address.main : a.address])
}

output "alert_policies" {
  description = "Alert policies of the deployment."
  value       = module.warden.alert_policies
}

output "witness_bucket" {
  description = "The witness bucket, which keeps the witness's state (copied with gcloud storage rsync; docs/operations.md, A witness)."
  value       = module.warden.witness_bucket
}
