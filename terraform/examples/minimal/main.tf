# The smallest useful Warden: public gateway with in-app OIDC, keyless executor (queries run as the
# executor's own service account: no service-account key to seal), executor reachable only with the
# gateway's identity (IAM) but without a VPC, Google-managed encryption, software keys.

module "warden" {
  source = "../.."

  project_id     = var.project_id
  region         = var.region
  oidc_issuers   = var.oidc_issuers
  oidc_audiences = var.oidc_audiences
  datasets       = var.datasets
  policy_file    = var.policy_file
  source_dir     = "${path.root}/../../../dist/functions"

  credential_mode             = "keyless"
  masking_key_ciphertext_file = var.masking_key_ciphertext_file

  # No VPC here: the executor keeps a reachable URL, but Cloud Run admits only the gateway's service account
  # (run.invoker) and the executor checks the token's email again (INVOKER_EMAILS). See the hardened example.
  executor_internal_only = false

  # Lets `terraform destroy` remove the database in a trial project (the audit bucket stays: it is locked).
  firestore_delete_protection = false
}
