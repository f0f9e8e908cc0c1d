//! STO002: bucket policies that allow everyone.
use perimeter_model::cfn;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements of S3 bucket policies whose principal is `*` (or `{AWS: "*"}`)
    /// with no condition restricting the caller (source VPC, account, organisation, ...).
    /// A static website bucket (`WebsiteConfiguration`) that no function keeps data in, whose
    /// public statements only read objects (`s3:GetObject`), is public by purpose: reported
    /// low, with the better way to serve a site.
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
        // Every statement that lets anyone in, with its policy's bucket: whether a website
        // bucket only lets anyone read objects is judged over all of them.
        let mut open: Vec<(
            &str,
            Option<&perimeter_model::Resource>,
            perimeter_model::Statement,
        )> = Vec::new();
        for p in resources_of(cx.app, &["AWS::S3::BucketPolicy"]) {
            let Some(doc) = p.prop("PolicyDocument") else {
                continue;
            };
            let bucket = p.prop("Bucket").and_then(|b| super::bucket_of(cx.app, b));
            for stmt in cfn::statements(doc, &p.id) {
                if !stmt.allow || stmt.principal.is_none() {
                    continue;
                }
                if condition_restricts(stmt.condition.as_ref()) {
                    continue;
                }
                open.push((p.id.as_str(), bucket, stmt));
            }
        }
        let anyone = |stmt: &perimeter_model::Statement| {
            stmt.principal
                .as_ref()
                .map(|p| principal_values(p).into_iter().any(|(v, _)| v == "*"))
                .unwrap_or(false)
        };
        // Buckets whose public statements only read objects.
        let reads_only = |bucket: &str| {
            open.iter()
                .filter(|(_, b, s)| b.is_some_and(|b| b.id == bucket) && anyone(s))
                .all(|(_, _, s)| s.action_strs().all(|(a, _)| reads_object(a)))
        };
        for (policy, bucket, stmt) in &open {
            let name = match (bucket, stmt_bucket_name(cx, policy)) {
                (Some(b), _) => b.id.clone(),
                (None, Some(n)) => n,
                (None, None) => (*policy).to_owned(),
            };
            let Some(principal) = stmt.principal.as_ref() else {
                continue;
            };
            let website = bucket
                .filter(|b| super::public_by_purpose(cx.app, b) && reads_only(&b.id))
                .is_some();
            for (value, node) in principal_values(principal) {
                if value != "*" {
                    continue;
                }
                let actions: Vec<&str> = stmt.action_strs().map(|(a, _)| a.trim()).collect();
                if website {
                    out.report(
                        &node.loc,
                        format!(
                            "`{name}` is a public website bucket: anyone may `{}`",
                            actions.join(", ")
                        ),
                    )
                    .resource(&name)
                    .severity(Severity::Low)
                    .help("A public website bucket; prefer CloudFront with origin access control");
                } else {
                    out.report(
                        &node.loc,
                        format!("bucket policy of `{name}` allows anyone to `{}`", actions.join(", ")),
                    )
                    .resource(&name)
                    .help("Grant access to named principals; serve public content through CloudFront origin access control");
                }
            }
        }
    }
}

/// Whether an action only reads an object (what a website serves).
fn reads_object(action: &str) -> bool {
    let a = action.trim();
    a.eq_ignore_ascii_case("s3:GetObject") || a.eq_ignore_ascii_case("s3:GetObjectVersion")
}

/// How a policy's `Bucket` is shown when it names no bucket of the template.
fn stmt_bucket_name(cx: &AppContext<'_>, policy: &str) -> Option<String> {
    let b = cx.app.resource(policy)?.prop("Bucket")?;
    Some(
        b.referenced_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| b.display()),
    )
}
