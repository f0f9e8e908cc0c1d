//! STO001: buckets with a public canned ACL.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags S3 buckets whose `AccessControl` is `PublicRead`, `PublicReadWrite` or
    /// `AuthenticatedRead`. `PublicRead` on a static website bucket that no function keeps
    /// data in is public by purpose: reported low.
    ///
    /// ## Why is this bad?
    /// Everyone (or every AWS user) can list and read the objects; with `PublicReadWrite`,
    /// also write them, which can trigger the functions listening on the bucket.
    ///
    /// ## Example
    /// ```yaml
    /// Uploads:
    ///   Type: AWS::S3::Bucket
    ///   Properties: { AccessControl: PublicRead }
    /// ```
    /// Use instead: keep the bucket private and serve objects through CloudFront with origin
    /// access control, or presigned URLs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure, S6 Security Misconfiguration
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct PublicBucketAcl {
        code: "STO001",
        name: "public-bucket-acl",
        kind: Kind::InsecureStorage,
        severity: Severity::High,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for PublicBucketAcl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for b in resources_of(cx.app, &["AWS::S3::Bucket"]) {
            let Some(acl) = b.prop("AccessControl") else {
                continue;
            };
            let Some(v) = acl.as_str().map(str::trim) else {
                continue;
            };
            // A website bucket read by anyone is public by purpose; the ACL also lets anyone
            // list it, which shows no more than the site when no function keeps data there.
            if v == "PublicRead" && super::public_by_purpose(cx.app, b) {
                out.report(
                    &acl.loc,
                    format!(
                        "`{}` is a public website bucket: its ACL `{v}` lets anyone list and read it",
                        b.id
                    ),
                )
                .resource(&b.id)
                .severity(Severity::Low)
                .help("A public website bucket; prefer CloudFront with origin access control");
            } else if matches!(v, "PublicRead" | "PublicReadWrite" | "AuthenticatedRead") {
                out.report(
                    &acl.loc,
                    format!("bucket `{}` has the public ACL `{v}`", b.id),
                )
                .resource(&b.id)
                .help("Remove the public ACL; serve objects through CloudFront or presigned URLs");
            }
        }
    }
}
