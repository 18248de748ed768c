# The fixed grants were one resource block each until they became entries of the maps in main.tf (issue 23
# item 6): each old address moves to its map key, so an existing deployment keeps its grants instead of
# destroying and recreating them (https://developer.hashicorp.com/terraform/language/modules/develop/refactoring).
# A grant that had `count` moves from its instance [0]; while it did not exist, its block does nothing.

moved {
  from = google_cloud_run_v2_service_iam_member.approved_invoker
  to   = google_cloud_run_v2_service_iam_member.grant["approved_invoker"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.executor_invoker
  to   = google_cloud_run_v2_service_iam_member.grant["executor_invoker"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.gateway_public[0]
  to   = google_cloud_run_v2_service_iam_member.grant["gateway_public"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.sweeper_invoker
  to   = google_cloud_run_v2_service_iam_member.grant["sweeper_invoker"]
}

moved {
  from = google_kms_crypto_key_iam_member.executor_audit_public_key
  to   = google_kms_crypto_key_iam_member.grant["executor_audit_public_key"]
}

moved {
  from = google_kms_crypto_key_iam_member.executor_audit_signer
  to   = google_kms_crypto_key_iam_member.grant["executor_audit_signer"]
}

moved {
  from = google_kms_crypto_key_iam_member.executor_credential[0]
  to   = google_kms_crypto_key_iam_member.grant["executor_credential"]
}

moved {
  from = google_kms_crypto_key_iam_member.executor_masking
  to   = google_kms_crypto_key_iam_member.grant["executor_masking"]
}

moved {
  from = google_kms_crypto_key_iam_member.gateway_audit_public_key[0]
  to   = google_kms_crypto_key_iam_member.grant["gateway_audit_public_key"]
}

moved {
  from = google_kms_crypto_key_iam_member.gateway_audit_signer
  to   = google_kms_crypto_key_iam_member.grant["gateway_audit_signer"]
}

moved {
  from = google_kms_crypto_key_iam_member.gateway_request_state
  to   = google_kms_crypto_key_iam_member.grant["gateway_request_state"]
}

moved {
  from = google_kms_crypto_key_iam_member.sweeper_audit_signer
  to   = google_kms_crypto_key_iam_member.grant["sweeper_audit_signer"]
}

moved {
  from = google_project_iam_member.executor_firestore
  to   = google_project_iam_member.grant["executor_firestore"]
}

moved {
  from = google_project_iam_member.gateway_firestore
  to   = google_project_iam_member.grant["gateway_firestore"]
}

moved {
  from = google_project_iam_member.gateway_jobs
  to   = google_project_iam_member.grant["gateway_jobs"]
}

moved {
  from = google_project_iam_member.query_jobs[0]
  to   = google_project_iam_member.grant["query_jobs"]
}

moved {
  from = google_project_iam_member.sweeper_firestore
  to   = google_project_iam_member.grant["sweeper_firestore"]
}

moved {
  from = google_pubsub_subscription_iam_member.pubsub_approved
  to   = google_pubsub_subscription_iam_member.grant["pubsub_approved"]
}

moved {
  from = google_pubsub_subscription_iam_member.pubsub_sweeper
  to   = google_pubsub_subscription_iam_member.grant["pubsub_sweeper"]
}

moved {
  from = google_pubsub_topic_iam_member.gateway_decided
  to   = google_pubsub_topic_iam_member.grant["gateway_decided"]
}

moved {
  from = google_pubsub_topic_iam_member.gateway_requested
  to   = google_pubsub_topic_iam_member.grant["gateway_requested"]
}

moved {
  from = google_pubsub_topic_iam_member.pubsub_dead_letter
  to   = google_pubsub_topic_iam_member.grant["pubsub_dead_letter"]
}

moved {
  from = google_pubsub_topic_iam_member.sweeper_decided
  to   = google_pubsub_topic_iam_member.grant["sweeper_decided"]
}

moved {
  from = google_service_account_iam_member.pubsub_executor_token
  to   = google_service_account_iam_member.grant["pubsub_executor_token"]
}

moved {
  from = google_service_account_iam_member.pubsub_sweeper_token
  to   = google_service_account_iam_member.grant["pubsub_sweeper_token"]
}

moved {
  from = google_storage_bucket_iam_member.executor_audit_writer
  to   = google_storage_bucket_iam_member.grant["executor_audit_writer"]
}

moved {
  from = google_storage_bucket_iam_member.executor_config_reader
  to   = google_storage_bucket_iam_member.grant["executor_config_reader"]
}

moved {
  from = google_storage_bucket_iam_member.executor_results_writer
  to   = google_storage_bucket_iam_member.grant["executor_results_writer"]
}

moved {
  from = google_storage_bucket_iam_member.gateway_audit_reader[0]
  to   = google_storage_bucket_iam_member.grant["gateway_audit_reader"]
}

moved {
  from = google_storage_bucket_iam_member.gateway_audit_writer
  to   = google_storage_bucket_iam_member.grant["gateway_audit_writer"]
}

moved {
  from = google_storage_bucket_iam_member.gateway_policy_reader
  to   = google_storage_bucket_iam_member.grant["gateway_policy_reader"]
}

moved {
  from = google_storage_bucket_iam_member.gateway_results_reader
  to   = google_storage_bucket_iam_member.grant["gateway_results_reader"]
}

moved {
  from = google_storage_bucket_iam_member.sweeper_audit_writer
  to   = google_storage_bucket_iam_member.grant["sweeper_audit_writer"]
}

moved {
  from = google_storage_bucket_iam_member.sweeper_policy_reader
  to   = google_storage_bucket_iam_member.grant["sweeper_policy_reader"]
}
