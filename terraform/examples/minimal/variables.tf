variable "project_id" {
  type        = string
  description = "Project to deploy Warden into."
}

variable "region" {
  type        = string
  description = "Region of everything."
  default     = "us-central1"
}

variable "oidc_issuers" {
  type        = list(string)
  description = "Issuers whose ID tokens the gateway accepts (e.g. https://accounts.google.com)."
  default     = ["https://accounts.google.com"]
}

variable "oidc_audiences" {
  type        = list(string)
  description = "Accepted aud values besides the gateway's URL (e.g. your OAuth client id)."
  default     = []
}

variable "datasets" {
  type = list(object({
    project_id = string
    dataset_id = string
  }))
  description = "Datasets Warden serves."
  default     = []
}

variable "policy_file" {
  type        = string
  description = "Path of your policy YAML (docs/policy.md; dev/policy.yaml is the local stack's example)."
}

variable "masking_key_ciphertext_file" {
  type        = string
  description = "Sealed masking key (see terraform/README.md), null on the first apply."
  default     = null
}
