# An external HTTPS load balancer in front of the gateway (with var.domain): a Google-managed certificate, TLS
# 1.2 or later, a serverless NEG to the gateway's Cloud Run service (whose ingress then admits only the load
# balancer and internal traffic), Cloud Armor (per-client rate limit, preconfigured OWASP rules) and optionally
# Identity-Aware Proxy for organisations whose Domain Restricted Sharing forbids allUsers (terraform/README.md).
# https://cloud.google.com/load-balancing/docs/https/setting-up-https-serverless

locals {
  lb      = var.domain == null ? toset([]) : toset(["main"])
  armor   = var.domain != null && var.cloud_armor ? toset(["main"]) : toset([])
  gateway = "warden-gateway" # the gateway's Cloud Run service: NAME_PREFIX-gateway
}

resource "google_compute_global_address" "main" {
  for_each   = local.lb
  project    = var.project_id
  name       = "warden-gateway"
  depends_on = [google_project_service.network]
}

resource "google_compute_managed_ssl_certificate" "main" {
  for_each = local.lb
  project  = var.project_id
  name     = "warden-gateway"
  managed {
    domains = [var.domain]
  }
}

resource "google_compute_ssl_policy" "main" {
  for_each        = local.lb
  project         = var.project_id
  name            = "warden-gateway"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_region_network_endpoint_group" "main" {
  for_each              = local.lb
  project               = var.project_id
  name                  = "warden-gateway"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = local.gateway
  }
  depends_on = [module.warden]
}

# https://cloud.google.com/armor/docs/configure-security-policies
resource "google_compute_security_policy" "main" {
  for_each    = local.armor
  project     = var.project_id
  name        = "warden-gateway"
  description = "Warden gateway: rate limit per client IP and the preconfigured OWASP rules."

  rule {
    action   = "throttle"
    priority = 1000
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit_per_minute
        interval_sec = 60
      }
    }
  }

  rule {
    action   = "deny(403)"
    priority = 2000
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1}) || evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})"
      }
    }
    description = "OWASP SQL injection and XSS signatures on the request (the SQL an agent sends is in the JSON body, which these rules inspect only partly; Warden's own policy decides on SQL)."
    preview     = true
  }

  rule {
    action   = "allow"
    priority = 2147483647
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    description = "Default: allow (the gateway authenticates every request)."
  }
}

resource "google_compute_backend_service" "main" {
  for_each              = local.lb
  project               = var.project_id
  name                  = "warden-gateway"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = var.cloud_armor ? google_compute_security_policy.main["main"].id : null

  backend {
    group = google_compute_region_network_endpoint_group.main["main"].id
  }

  log_config {
    enable      = true
    sample_rate = 1
  }

  dynamic "iap" {
    for_each = var.iap_client_id == null ? [] : [var.iap_client_id]
    content {
      enabled              = true
      oauth2_client_id     = iap.value
      oauth2_client_secret = var.iap_client_secret
    }
  }
}

resource "google_compute_url_map" "main" {
  for_each        = local.lb
  project         = var.project_id
  name            = "warden-gateway"
  default_service = google_compute_backend_service.main["main"].id
}

resource "google_compute_target_https_proxy" "main" {
  for_each         = local.lb
  project          = var.project_id
  name             = "warden-gateway"
  url_map          = google_compute_url_map.main["main"].id
  ssl_certificates = [google_compute_managed_ssl_certificate.main["main"].id]
  ssl_policy       = google_compute_ssl_policy.main["main"].id
}

resource "google_compute_global_forwarding_rule" "main" {
  for_each              = local.lb
  project               = var.project_id
  name                  = "warden-gateway"
  target                = google_compute_target_https_proxy.main["main"].id
  ip_address            = google_compute_global_address.main["main"].address
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
