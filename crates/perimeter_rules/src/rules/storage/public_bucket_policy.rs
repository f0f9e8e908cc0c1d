//! STO002: bucket policies that allow everyone.
use perimeter_model::cfn;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements of S3 bucket policies whose principal is `*` (or `{AWS: "*"}`)
    /// with no condition restricting the caller (source VPC, account, organisation, ...).
    ///
    /// ## Why is this bad?
    /// Anyone on the internet can perform the allowed actions: read every object with
    /// `s3:GetObject`, or upload objects that trigger the functions listening on the bucket.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Statement:
    ///     - Effect: Allow
    ///       Principal: "*"
    ///       Action: s3:GetObject
    ///       Resource: !Sub "${Bucket.Arn}/*"
    /// ```
    /// Use instead: CloudFront origin access control (principal
    /// `cloudfront.amazonaws.com` with an `aws:SourceArn` condition).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure, S5 Broken Access Control
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-284: Improper Access Control
    pub struct PublicBucketPolicy {
        code: "STO002",
        name: "public-bucket-policy",
        kind: Kind::InsecureStorage,
        severity: Severity::High,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for PublicBucketPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for p in resources_of(cx.app, &["AWS::S3::BucketPolicy"]) {
            let Some(doc) = p.prop("PolicyDocument") else {
                continue;
            };
            let bucket = p.prop("Bucket").map(|b| {
                b.referenced_ids()
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| b.display())
            });
            let name = bucket.as_deref().unwrap_or(&p.id);
            for stmt in cfn::statements(doc, &p.id) {
                let Some(principal) = stmt.principal.as_ref().filter(|_| stmt.allow) else {
                    continue;
                };
                if condition_restricts(stmt.condition.as_ref()) {
                    continue;
                }
                for (value, node) in principal_values(principal) {
                    if value == "*" {
                        let actions: Vec<&str> =
                            stmt.action_strs().map(|(a, _)| a.trim()).collect();
                        out.report(&node.loc, format!("bucket policy of `{name}` allows anyone to `{}`", actions.join(", ")))
                            .resource(name)
                            .help("Grant access to named principals; serve public content through CloudFront origin access control");
                    }
                }
            }
        }
    }
}
