# Warden on Google Cloud: the modules composed through their outputs.
#
#   kms ──keys──▶ audit (CMEK), approvals (CMEK), functions (env, CMEK), iam (grants), monitoring (verify)
#   audit ──bucket, dataset──▶ functions, iam
#   approvals ──database, topics, results bucket──▶ functions, iam
#   iam ──service accounts, startup grants──▶ functions ──services, subscriptions──▶ iam (invokers)

data "google_project" "main" {
  project_id = var.project_id
}

locals {
  apis = [
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "artifactregistry.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
  gateway_environment = merge(
    var.console_audit_read ? { CONSOLE_AUDIT_READ = "true" } : {},
    length(var.break_glass_reviewer_groups) > 0 ? {
      BREAK_GLASS_REVIEWER_GROUPS = join(",", var.break_glass_reviewer_groups)
    } : {},
    var.gateway_environment,
  )
}

resource "google_project_service" "main" {
  for_each           = var.enable_apis ? toset(local.apis) : toset([])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "kms" {
  source             = "./modules/kms"
  project_id         = var.project_id
  location           = coalesce(var.kms_location, var.region)
  key_ring_name      = var.kms_key_ring_name
  protection_level   = var.kms_protection_level
  rotation_period    = var.kms_rotation_period
  audit_key_version  = var.audit_key_version
  create_storage_key = var.audit_cmek
  create_results_key = var.results_cmek
  cmek               = var.cmek
  cmek_key           = var.kms_key
  project_number     = data.google_project.main.number
  labels             = var.labels

  depends_on = [google_project_service.main]
}

module "audit" {
  source          = "./modules/audit"
  project_id      = var.project_id
  location        = coalesce(var.audit_location, var.region)
  bucket_name     = coalesce(var.audit_bucket_name, "${var.project_id}-${var.name_prefix}-audit")
  retention_years = var.audit_retention_years
  # A dedicated key with audit_cmek (granted in module audit), else the one data key (granted in module kms).
  use_cmek             = var.audit_cmek || var.cmek
  kms_key_name         = var.audit_cmek ? module.kms.storage_key_id : module.kms.cmek_key_id
  grant_storage_agent  = var.audit_cmek
  dataset_use_cmek     = var.cmek
  dataset_kms_key_name = module.kms.cmek_key_id
  access_log_bucket    = var.audit_access_log_bucket
  labels               = var.labels

  depends_on = [google_project_service.main]
}

module "approvals" {
  source                      = "./modules/approvals"
  project_id                  = var.project_id
  firestore_location          = coalesce(var.firestore_location, var.region)
  database_name               = var.firestore_database
  point_in_time_recovery      = var.firestore_point_in_time_recovery
  delete_protection           = var.firestore_delete_protection
  allowed_persistence_regions = var.pubsub_allowed_regions
  region                      = var.region
  sweep_schedule              = var.sweep_schedule
  results_bucket_name         = coalesce(var.results_bucket_name, "${var.project_id}-${var.name_prefix}-results")
  result_ttl_days             = var.result_ttl_days
  results_use_cmek            = var.results_cmek || var.cmek
  results_kms_key_name        = var.results_cmek ? module.kms.results_key_id : module.kms.cmek_key_id
  results_grant_storage_agent = var.results_cmek
  firestore_use_cmek          = var.cmek
  firestore_kms_key_name      = module.kms.cmek_key_id
  topic_kms_key_name          = module.kms.cmek_key_id
  labels                      = var.labels

  depends_on = [google_project_service.main]
}

module "functions" {
  source         = "./modules/functions"
  project_id     = var.project_id
  project_number = data.google_project.main.number
  region         = var.region
  name_prefix    = var.name_prefix
  source_dir     = coalesce(var.source_dir, "${path.module}/../dist/functions")
  runtime        = var.runtime
  use_cmek       = var.cmek
  kms_key_name   = module.kms.cmek_key_id
  service_accounts = {
    gateway  = module.iam.gateway_email
    executor = module.iam.executor_email
    sweeper  = module.iam.sweeper_email
    notifier = module.iam.notifier_email
  }
  build_service_account       = var.build_service_account
  iam_ready                   = module.iam.startup_grants
  audit_bucket                = module.audit.bucket_name
  audit_key_version           = module.kms.audit_key_version
  request_state_key_version   = module.kms.request_state_key_version
  results_bucket              = module.approvals.results_bucket
  credential_mode             = var.credential_mode
  credential_key_id           = module.kms.credential_key_id
  query_identities            = keys(var.query_identities)
  masking_key_id              = module.kms.masking_key_id
  policy_file                 = var.policy_file
  credential_ciphertext_file  = var.credential_ciphertext_file
  masking_key_ciphertext_file = var.masking_key_ciphertext_file
  firestore_database          = module.approvals.database_name
  topics = {
    requested_name = module.approvals.requested_topic
    decided_name   = module.approvals.decided_topic
    requested_id   = module.approvals.requested_topic_id
    decided_id     = module.approvals.decided_topic_id
    sweep_name     = module.approvals.sweep_topic
    sweep_id       = module.approvals.sweep_topic_id
    dead_letter_id = module.approvals.dead_letter_topic_id
  }
  oidc_issuers            = var.oidc_issuers
  oidc_audiences          = var.oidc_audiences
  oidc_groups_claim       = var.oidc_groups_claim
  public_url              = var.public_url
  allowed_hosts           = var.allowed_hosts
  gateway_ingress         = var.gateway_ingress
  executor_internal_only  = var.executor_internal_only
  vpc_connector           = var.vpc_connector
  bigquery_location       = var.bigquery_location
  query_timeout_ms        = var.query_timeout_ms
  result_ttl_seconds      = coalesce(var.result_ttl_seconds, var.result_ttl_days * 86400)
  gateway_environment     = local.gateway_environment
  executor_environment    = var.executor_environment
  notifier_enabled        = var.notifier_enabled
  notifier_format         = var.notifier_format
  notifier_webhook_secret = var.notifier_webhook_secret
  notifier_environment    = var.notifier_environment
  max_delivery_attempts   = var.max_delivery_attempts
  labels                  = var.labels

  audit_digest_interval_seconds = var.audit_digest_interval_seconds
  sweep_stuck_after_seconds     = var.sweep_stuck_after_seconds

  depends_on = [google_project_service.main]
}

module "iam" {
  source                  = "./modules/iam"
  project_id              = var.project_id
  project_number          = data.google_project.main.number
  region                  = var.region
  name_prefix             = var.name_prefix
  datasets                = var.datasets
  credential_mode         = var.credential_mode
  create_data_reader      = var.create_data_reader
  query_identities        = var.query_identities
  notifier_enabled        = var.notifier_enabled
  notifier_webhook_secret = var.notifier_webhook_secret
  gateway_access          = var.gateway_access
  gateway_invokers        = var.gateway_invokers
  service_names           = module.functions.service_names
  keys = {
    credential    = module.kms.credential_key_id
    masking       = module.kms.masking_key_id
    audit         = module.kms.audit_key_id
    request_state = module.kms.request_state_key_id
  }
  audit_bucket          = module.audit.bucket_name
  results_bucket        = module.approvals.results_bucket
  audit_dataset_id      = module.audit.dataset_id
  config_bucket         = module.functions.config_bucket
  firestore_database_id = module.approvals.database_id
  topic_ids = {
    requested   = module.approvals.requested_topic_id
    decided     = module.approvals.decided_topic_id
    dead_letter = module.approvals.dead_letter_topic_id
  }
  subscription_ids   = module.functions.subscription_ids
  console_audit_read = var.console_audit_read
  auditors           = var.auditors
}

module "monitoring" {
  source                = "./modules/monitoring"
  project_id            = var.project_id
  region                = var.region
  name_prefix           = var.name_prefix
  notification_channels = var.notification_channels
  service_names         = module.functions.service_names
  subscription_names    = module.functions.subscription_names
  audit_bucket          = module.audit.bucket_name
  audit_key_id          = module.kms.audit_key_id
  audit_key_version     = module.kms.audit_key_version
  audit_table           = module.audit.table
  audit_dataset_id      = module.audit.dataset_id
  verify_image          = var.verify_image
  verify_schedule       = var.verify_schedule
  verify_window_minutes = var.verify_window_minutes
  labels                = var.labels

  depends_on = [google_project_service.main]
}

# An auditor's witness keeps what it cosigned where Warden's own accounts cannot write (docs/operations.md).
module "witness" {
  count            = var.witness == null ? 0 : 1
  source           = "./modules/witness"
  project_id       = coalesce(var.witness.project_id, var.project_id)
  location         = coalesce(var.witness.location, var.audit_location, var.region)
  bucket_name      = coalesce(var.witness.bucket_name, "${coalesce(var.witness.project_id, var.project_id)}-${var.name_prefix}-witness")
  name_prefix      = var.name_prefix
  members          = var.witness.members
  audit_bucket     = module.audit.bucket_name
  audit_key_id     = module.kms.audit_key_id
  retention_days   = var.witness.retention_days
  retention_locked = var.witness.retention_locked
  # The one data key; module kms grants Warden's project's storage agent, another project's is granted here.
  use_cmek            = var.cmek
  kms_key_name        = module.kms.cmek_key_id
  grant_storage_agent = var.cmek && coalesce(var.witness.project_id, var.project_id) != var.project_id
  labels              = var.labels

  depends_on = [google_project_service.main]
}
