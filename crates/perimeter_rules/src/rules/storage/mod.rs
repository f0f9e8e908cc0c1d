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

use perimeter_model::{Function, Node, Resource};

use crate::prelude::*;

/// Whether a bucket is configured for static website hosting.
pub(crate) fn is_website(bucket: &Resource) -> bool {
    bucket.prop("WebsiteConfiguration").is_some()
}

/// The function that stores data in a website bucket: one triggered by it, or one whose
/// environment names it (so its code reads or writes it). A website bucket without one holds
/// only the site the deployment put there.
pub(crate) fn website_data_user<'a>(
    app: &'a perimeter_model::Application,
    bucket: &Resource,
) -> Option<&'a Function> {
    let ids = vec![bucket.id.clone()];
    let names: Vec<String> = bucket
        .prop("BucketName")
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .into_iter()
        .collect();
    app.functions.iter().find(|f| {
        f.events.iter().any(|e| {
            e.source
                .as_ref()
                .is_some_and(|s| refers_to(s, &ids, &names))
        }) || f
            .environment
            .iter()
            .any(|v| refers_to(&v.value, &ids, &names))
    })
}

/// The bucket resource a `Bucket` property (of a bucket policy) designates: by logical id,
/// or by its literal name.
pub(crate) fn bucket_of<'a>(
    app: &'a perimeter_model::Application,
    node: &Node,
) -> Option<&'a Resource> {
    let buckets = || resources_of(app, &["AWS::S3::Bucket"]);
    if let Some(b) = node
        .referenced_ids()
        .iter()
        .find_map(|id| buckets().find(|b| &b.id == id))
    {
        return Some(b);
    }
    let name = node.as_str()?.trim();
    buckets().find(|b| {
        b.prop("BucketName")
            .and_then(Node::as_str)
            .is_some_and(|n| n.trim() == name)
    })
}

/// A public website bucket whose exposure is its purpose: static hosting, no function data
/// in it. Reported low, with the better way to serve a site.
pub(crate) fn public_by_purpose(app: &perimeter_model::Application, bucket: &Resource) -> bool {
    is_website(bucket) && website_data_user(app, bucket).is_none()
}
