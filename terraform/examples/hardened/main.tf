# Production-shaped Warden: an internal-only executor reached through a VPC (Cloud NAT for the gateway's
# calls to OIDC issuers), a sealed credential for a dedicated data-reader account, HSM keys, CMEK on the
# audit and results buckets and one CMEK on every other store (hardened = true refuses a plan without it),
# point-in-time recovery, Pub/Sub storage pinned to the region, the notifier, auditors, Data Access audit logs
# on the services that touch PHI or keys, alerts with the scheduled audit check, and optionally a VPC Service
# Controls perimeter (perimeter.tf) and an external HTTPS load balancer with Cloud Armor (ingress.tf).

data "google_project" "main" {
  project_id = var.project_id
}

resource "google_project_service" "network" {
  for_each           = toset(["compute.googleapis.com", "vpcaccess.googleapis.com"])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_compute_network" "main" {
  project                 = var.project_id
  name                    = "warden"
  auto_create_subnetworks = false
  depends_on              = [google_project_service.network]
}

resource "google_compute_subnetwork" "main" {
  project                  = var.project_id
  name                     = "warden-connector"
  region                   = var.region
  network                  = google_compute_network.main.id
  ip_cidr_range            = var.connector_cidr
  private_ip_google_access = true
}

resource "google_vpc_access_connector" "main" {
  project       = var.project_id
  name          = "warden"
  region        = var.region
  min_instances = 2
  max_instances = 3
  subnet {
    name = google_compute_subnetwork.main.name
  }
}

resource "google_compute_router" "main" {
  project = var.project_id
  name    = "warden"
  region  = var.region
  network = google_compute_network.main.id
}

# The gateway sends all egress through the VPC; NAT lets it reach the OIDC issuers' discovery and JWKS.
resource "google_compute_router_nat" "main" {
  project                            = var.project_id
  name                               = "warden"
  router                             = google_compute_router.main.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# Data Access audit logs (45 CFR 164.312(b)) for the services holding PHI, keys and approvals.
resource "google_project_iam_audit_config" "main" {
  for_each = toset([
    "bigquery.googleapis.com",
    "cloudkms.googleapis.com",
    "datastore.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
  project = var.project_id
  service = each.value
  audit_log_config {
    log_type = "ADMIN_READ"
  }
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

module "warden" {
  source = "../.."

  project_id        = var.project_id
  region            = var.region
  oidc_issuers      = var.oidc_issuers
  oidc_audiences    = var.oidc_audiences
  oidc_groups_claim = var.oidc_groups_claim
  datasets          = var.datasets
  policy_file       = var.policy_file
  source_dir        = "${path.root}/../../../dist/functions"

  executor_internal_only = true
  vpc_connector          = google_vpc_access_connector.main.id
  # Behind the load balancer (ingress.tf), the run.app URL refuses traffic from the internet.
  gateway_ingress = var.domain == null ? "ALLOW_ALL" : "ALLOW_INTERNAL_AND_GCLB"
  public_url      = var.domain == null ? null : "https://${var.domain}"
  gateway_access  = var.gateway_access
  gateway_invokers = concat(
    var.gateway_invokers,
    var.domain != null && var.iap_client_id != null ? ["serviceAccount:service-${data.google_project.main.number}@gcp-sa-iap.iam.gserviceaccount.com"] : [],
  )

  credential_mode             = "kms"
  credential_ciphertext_file  = var.credential_ciphertext_file
  masking_key_ciphertext_file = var.masking_key_ciphertext_file

  kms_protection_level = "HSM"
  # CMEK needs the key ring in the buckets' location.
  kms_location   = var.region
  audit_location = var.region
  audit_cmek     = true
  results_cmek   = true
  auditors       = var.auditors
  # The witness's bucket, out of reach of Warden's accounts (docs/operations.md, "A witness").
  witness = { project_id = var.witness_project_id, members = var.witness_members }

  # Every other store (Firestore, topics, configuration and sources buckets, audit dataset) on one key.
  hardened = true
  cmek     = true
  kms_key  = var.kms_key

  notification_channels = var.notification_channels
  verify_image          = var.verify_image

  firestore_point_in_time_recovery = true
  pubsub_allowed_regions           = [var.region]

  notifier_enabled        = var.notifier_webhook_secret != null
  notifier_webhook_secret = var.notifier_webhook_secret
  notifier_format         = var.notifier_format

  labels = { app = "warden", data = "phi" }
}
