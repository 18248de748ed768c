# VPC Service Controls: the project in a service perimeter, so the services that hold PHI, keys and the audit
# trail answer only from inside it (or from perimeter_access_levels) and data cannot be copied out, even with
# stolen credentials (https://cloud.google.com/vpc-service-controls/docs/overview). Start in dry-run mode and
# read the violations in the audit logs (https://cloud.google.com/vpc-service-controls/docs/dry-run-mode).
# The gateway stays reachable: invoking a Cloud Run service is governed by its ingress setting, not by the
# perimeter (https://cloud.google.com/run/docs/securing/using-vpc-service-controls).

locals {
  restricted_services = [
    "bigquery.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
  perimeter = {
    resources           = ["projects/${data.google_project.main.number}"]
    restricted_services = local.restricted_services
    access_levels       = var.perimeter_access_levels
  }
}

resource "google_access_context_manager_service_perimeter" "main" {
  count          = var.access_policy == null ? 0 : 1
  parent         = "accessPolicies/${var.access_policy}"
  name           = "accessPolicies/${var.access_policy}/servicePerimeters/warden"
  title          = "warden"
  perimeter_type = "PERIMETER_TYPE_REGULAR"

  # Enforced: status. Dry run: spec, with use_explicit_dry_run_spec.
  dynamic "status" {
    for_each = var.perimeter_dry_run ? [] : [local.perimeter]
    content {
      resources           = status.value.resources
      restricted_services = status.value.restricted_services
      access_levels       = status.value.access_levels
      vpc_accessible_services {
        enable_restriction = true
        allowed_services   = ["RESTRICTED-SERVICES"]
      }
    }
  }

  dynamic "spec" {
    for_each = var.perimeter_dry_run ? [local.perimeter] : []
    content {
      resources           = spec.value.resources
      restricted_services = spec.value.restricted_services
      access_levels       = spec.value.access_levels
      vpc_accessible_services {
        enable_restriction = true
        allowed_services   = ["RESTRICTED-SERVICES"]
      }
    }
  }
  use_explicit_dry_run_spec = var.perimeter_dry_run

  lifecycle {
    precondition {
      condition     = var.perimeter_dry_run || length(var.perimeter_access_levels) > 0
      error_message = "An enforced perimeter needs perimeter_access_levels for the operators who run terraform and the warden CLI from outside it."
    }
  }
}
