output "mcp_url" {
  description = "Point MCP clients here (Streamable HTTP, an OIDC ID token as Authorization: Bearer)."
  value       = "${module.functions.gateway_url}/mcp"
}

output "gateway_url" {
  description = "The gateway's base URL (PUBLIC_URL); the approvers' console is at /console."
  value       = module.functions.gateway_url
}

output "executor_url" {
  description = "The executor's URL (invokable by the gateway's service account alone)."
  value       = module.functions.executor_url
}

output "credential_key" {
  description = "KMS key to seal the credential with: `warden credential seal --key <this> --in key.json --out key.json.enc`."
  value       = module.kms.credential_key_id
}

output "masking_key" {
  description = "KMS key to seal the masking HMAC key with."
  value       = module.kms.masking_key_id
}

output "audit_key_version" {
  description = "KMS key version that certifies audit records (`warden audit verify --kms-key-version`)."
  value       = module.kms.audit_key_version
}

output "audit_bucket" {
  description = "The retention-locked audit bucket (`warden audit verify --bucket`)."
  value       = module.audit.bucket_name
}

output "audit_table" {
  description = "BigQuery table over the audit records (`warden audit search --bigquery-table`)."
  value       = module.audit.table
}

output "config_bucket" {
  description = "Bucket holding the policy and the sealed keys."
  value       = module.functions.config_bucket
}

output "credential_object" {
  description = "Where the executor reads the sealed credential (upload here if credential_ciphertext_file is null)."
  value       = module.functions.credential_object
}

output "masking_key_object" {
  description = "Where the executor reads the sealed masking key (upload here if masking_key_ciphertext_file is null)."
  value       = module.functions.masking_key_object
}

output "firestore_database" {
  description = "Firestore database of approval requests and results."
  value       = module.approvals.database_name
}

output "results_bucket" {
  description = "Bucket of large masked results of approved queries (RESULTS_BUCKET), deleted after result_ttl_days."
  value       = module.approvals.results_bucket
}

output "sweep_job" {
  description = "Cloud Scheduler job that starts the sweeper (`gcloud scheduler jobs run` to sweep now)."
  value       = module.approvals.sweep_job
}

output "dead_letter_subscription" {
  description = "Subscription holding approval events that failed every delivery."
  value       = module.approvals.dead_letter_subscription
}

output "service_accounts" {
  description = "Service accounts of the functions, and the data reader whose key you seal (kms mode)."
  value = {
    gateway     = module.iam.gateway_email
    executor    = module.iam.executor_email
    sweeper     = module.iam.sweeper_email
    notifier    = module.iam.notifier_email
    data_reader = module.iam.data_reader_email
    # Extra query identities (name → email): seal a key of each to sealed/query-<name>.enc.
    query_identities = module.iam.query_identity_emails
  }
}

output "alert_policies" {
  description = "Alert policies (break-glass use, approvals expired, dead letters, audit write and verification failures)."
  value       = module.monitoring.alert_policies
}

output "verify_job" {
  description = "The scheduled audit check's Cloud Run job (`gcloud run jobs execute NAME --region REGION`), or null without verify_image."
  value       = module.monitoring.verify_job
}

output "cmek_key" {
  description = "The key every store is encrypted with (cmek), or null."
  value       = module.kms.cmek_key_id
}

output "witness_bucket" {
  description = "The witness bucket, which keeps the witness's state (copied with gcloud storage rsync; docs/operations.md, A witness), or null without witness."
  value       = one(module.witness[*].bucket_name)
}

output "witness_email" {
  description = "The witness's service account (its members run the witness as it), or null without witness."
  value       = one(module.witness[*].email)
}
