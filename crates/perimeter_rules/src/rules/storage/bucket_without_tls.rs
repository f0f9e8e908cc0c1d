//! STO004: buckets whose policy does not deny plain-HTTP access.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags S3 buckets with no bucket policy statement on `aws:SecureTransport` (the usual
    /// `Deny` when it is `false`).
    ///
    /// ## Why is this bad?
    /// Without it, clients may read and write objects over unencrypted HTTP.
    ///
    /// ## Example
    /// ```yaml
    /// Condition: { Bool: { "aws:SecureTransport": "false" } }
    /// ```
    /// Add a `Deny` on `s3:*` with that condition to the bucket policy.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-319: Cleartext Transmission of Sensitive Information
    pub struct BucketWithoutTls {
        code: "STO004",
        name: "bucket-without-tls",
        kind: Kind::MissingEncryption,
        severity: Severity::Low,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for BucketWithoutTls {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let enforced: Vec<String> = resources_of(cx.app, &["AWS::S3::BucketPolicy"])
            .filter(|p| {
                p.prop("PolicyDocument")
                    .is_some_and(|d| !find_key(d, "aws:SecureTransport").is_empty())
            })
            .filter_map(|p| p.prop("Bucket"))
            .flat_map(perimeter_model::Node::referenced_ids)
            .collect();
        for b in resources_of(cx.app, &["AWS::S3::Bucket"]) {
            if !enforced.contains(&b.id) {
                out.report(&b.loc, format!("bucket `{}` does not require TLS", b.id))
                    .resource(&b.id)
                    .help("Add a bucket policy that denies requests where `aws:SecureTransport` is `false`");
            }
        }
    }
}
