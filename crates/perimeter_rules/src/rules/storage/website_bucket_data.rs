//! STO006: a website bucket that also holds application data.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags S3 buckets configured for static website hosting (`WebsiteConfiguration`) that
    /// also trigger a function, or whose name reaches a function through an environment
    /// variable (so the function reads or writes it).
    ///
    /// ## Why is this bad?
    /// Website buckets are meant to be public. Data the functions store there (uploads,
    /// exports, reports) becomes readable by anyone who guesses the key.
    ///
    /// ## Example
    /// ```yaml
    /// Site:
    ///   Type: AWS::S3::Bucket
    ///   Properties: { WebsiteConfiguration: { IndexDocument: index.html } }
    /// # ... and a function with Environment: { UPLOADS: !Ref Site }
    /// ```
    /// Use instead: separate buckets for the site and for data.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-552: Files or Directories Accessible to External Parties
    pub struct WebsiteBucketData {
        code: "STO006",
        name: "website-bucket-data",
        kind: Kind::InsecureStorage,
        severity: Severity::Medium,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for WebsiteBucketData {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for b in resources_of(cx.app, &["AWS::S3::Bucket"]) {
            let Some(site) = b
                .properties
                .as_ref()
                .and_then(|p| p.key("WebsiteConfiguration"))
            else {
                continue;
            };
            let user = super::website_data_user(cx.app, b);
            if let Some(f) = user {
                out.report(
                    &site.loc,
                    format!(
                        "website bucket `{}` also holds data of function `{}`",
                        b.id, f.id
                    ),
                )
                .resource(&b.id)
                .function(&f.id)
                .help("Keep application data in a private bucket, separate from the public site");
            }
        }
    }
}
