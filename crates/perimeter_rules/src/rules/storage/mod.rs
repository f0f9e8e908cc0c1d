//! Storage rules: buckets, queues, topics and streams: exposure and encryption.

mod bucket_public_access_block;
mod bucket_without_tls;
mod env_secret_without_kms;
mod public_bucket_acl;
mod public_bucket_policy;
mod public_object_acl;
mod unencrypted_database;
mod unencrypted_messaging;
mod website_bucket_data;

pub use bucket_public_access_block::BucketPublicAccessBlock;
pub use bucket_without_tls::BucketWithoutTls;
pub use env_secret_without_kms::EnvSecretWithoutKms;
pub use public_bucket_acl::PublicBucketAcl;
pub use public_bucket_policy::PublicBucketPolicy;
pub use public_object_acl::PublicObjectAcl;
pub use unencrypted_database::UnencryptedDatabase;
pub use unencrypted_messaging::UnencryptedMessaging;
pub use website_bucket_data::WebsiteBucketData;
