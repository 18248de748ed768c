# The five symmetric keys were a resource block each until they became entries of local.symmetric_keys: each
# old address moves to its key, so an existing deployment keeps its keys (and prevent_destroy is never tested).
# https://developer.hashicorp.com/terraform/language/modules/develop/refactoring

moved {
  from = google_kms_crypto_key.credential
  to   = google_kms_crypto_key.symmetric["credential"]
}

moved {
  from = google_kms_crypto_key.masking
  to   = google_kms_crypto_key.symmetric["masking"]
}

moved {
  from = google_kms_crypto_key.storage[0]
  to   = google_kms_crypto_key.symmetric["storage"]
}

moved {
  from = google_kms_crypto_key.results[0]
  to   = google_kms_crypto_key.symmetric["results"]
}

moved {
  from = google_kms_crypto_key.data[0]
  to   = google_kms_crypto_key.symmetric["data"]
}
