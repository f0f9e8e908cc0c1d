//! STO003: buckets that weaken the public access block.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags S3 buckets whose `PublicAccessBlockConfiguration` turns any of its four settings
    /// off. A bucket that does not declare the block keeps S3's default (every setting on,
    /// for new buckets since April 2023) and is not reported.
    ///
    /// ## Why is this bad?
    /// The public access block is the guard rail that stops a later ACL or policy change from
    /// making the bucket public.
    ///
    /// ## Example
    /// ```yaml
    /// PublicAccessBlockConfiguration:
    ///   BlockPublicPolicy: false
    /// ```
    /// Use instead: all four settings `true`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6 Security Misconfiguration
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct BucketPublicAccessBlock {
        code: "STO003",
        name: "bucket-public-access-block",
        kind: Kind::InsecureStorage,
        severity: Severity::Low,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

const SETTINGS: &[&str] = &[
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

impl Rule for BucketPublicAccessBlock {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for b in resources_of(cx.app, &["AWS::S3::Bucket"]) {
            match b.prop("PublicAccessBlockConfiguration") {
                // S3 blocks public access on every new bucket by default (since April 2023):
                // only a configuration that turns it off is a finding.
                None => {}
                Some(cfg) => {
                    for s in SETTINGS {
                        if let Some(n) = cfg.get(s).filter(|n| n.as_bool() == Some(false)) {
                            out.report(&n.loc, format!("bucket `{}` turns off `{s}`", b.id))
                                .severity(Severity::Medium)
                                .resource(&b.id)
                                .help("Set every public access block setting to `true`");
                        }
                    }
                }
            }
        }
    }
}
