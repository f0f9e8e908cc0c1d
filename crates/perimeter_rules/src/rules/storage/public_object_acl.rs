//! STO009: code that writes S3 objects with a public ACL.
use perimeter_code::ResourceExpr;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags AWS SDK calls in a function's code that write an S3 object (`PutObject`,
    /// `CopyObject`, `PutObjectAcl`, uploads) with the canned ACL `public-read` or
    /// `public-read-write`.
    ///
    /// ## Why is this bad?
    /// Every object the function writes becomes readable (or writable) by anyone who knows
    /// or guesses its key, whatever the bucket's policy says, unless the account blocks
    /// public ACLs.
    ///
    /// ## Example
    /// ```js
    /// await s3.putObject({ Bucket, Key, Body, ACL: 'public-read' }).promise();
    /// ```
    /// Use instead: keep objects private and hand out presigned GET URLs, or serve them
    /// through CloudFront with origin access control.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct PublicObjectAcl {
        code: "STO009",
        name: "public-object-acl",
        kind: Kind::InsecureStorage,
        severity: Severity::High,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

const WRITES: &[&str] = &[
    "PutObject",
    "CopyObject",
    "PutObjectAcl",
    "CreateMultipartUpload",
];

impl Rule for PublicObjectAcl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (f, s) in cx.analysed() {
            for call in s
                .sdk_calls
                .iter()
                .filter(|c| c.service == "s3" && WRITES.contains(&c.operation.as_str()))
            {
                // The canned ACL is written in the call's request; read it from the call's text.
                let text = call.loc.text();
                let acl = ["public-read-write", "public-read"].into_iter().find(|a| {
                    text.contains(&format!("'{a}'"))
                        || text.contains(&format!("\"{a}\""))
                        || text.contains(&format!("`{a}`"))
                });
                let Some(acl) = acl else { continue };
                let bucket = match &call.resource {
                    ResourceExpr::Literal(b) | ResourceExpr::Pattern(b) => b.clone(),
                    ResourceExpr::Env(v) => format!("${v}"),
                    ResourceExpr::Unknown(u) => u.clone(),
                };
                out.report(
                    &call.loc,
                    format!(
                        "`{}` writes objects with the public ACL `{acl}` (bucket {bucket})",
                        f.id
                    ),
                )
                .function(&f.id)
                .help("Keep objects private; share them with presigned URLs or CloudFront");
            }
        }
    }
}
