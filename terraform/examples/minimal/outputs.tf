output "mcp_url" {
  description = "MCP endpoint of the gateway."
  value       = module.warden.mcp_url
}

output "masking_key" {
  description = "KMS key to seal the masking key with."
  value       = module.warden.masking_key
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
