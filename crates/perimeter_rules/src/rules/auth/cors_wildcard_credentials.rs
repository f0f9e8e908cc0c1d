//! AUTH004: CORS allowing every origin together with credentials.
use super::cors;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags CORS settings (API, route or function URL) that allow every origin (`*`) and
    /// credentials at the same time.
    ///
    /// ## Why is this bad?
    /// Browsers refuse `*` with credentials, so frameworks and proxies often reflect the
    /// caller's `Origin` instead: any website can then make authenticated requests with the
    /// user's cookies and read the answers.
    ///
    /// ## Example
    /// ```yaml
    /// cors:
    ///   origin: "*"
    ///   allowCredentials: true
    /// ```
    /// Use instead: list the front-end origins.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6 Security Misconfiguration
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    pub struct CorsWildcardCredentials {
        code: "AUTH004",
        name: "cors-wildcard-credentials",
        kind: Kind::InsecureCors,
        severity: Severity::Medium,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for CorsWildcardCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen: Vec<&perimeter_diagnostics::Loc> = Vec::new();
        for (node, owner, function) in super::cors_blocks(cx.app) {
            let c = cors::read(node);
            if let (Some(w), true) = (c.wildcard, c.credentials) {
                if seen.iter().any(|l| same_loc(l, &w.loc)) {
                    continue;
                }
                seen.push(&w.loc);
                out.report(
                    &w.loc,
                    format!("CORS of `{owner}` allows every origin with credentials"),
                )
                .resource(&owner)
                .function_opt(function)
                .help("List the allowed origins explicitly when credentials are allowed");
            }
        }
    }
}
