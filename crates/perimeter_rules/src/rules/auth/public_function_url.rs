//! AUTH002: function URLs open to anyone.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Lambda function URLs whose `AuthType` is `NONE` (the Serverless Framework's
    /// `url: true` default included).
    ///
    /// ## Why is this bad?
    /// A function URL with no auth is a public HTTPS endpoint with no throttling, no WAF and
    /// no authorizer in front: anyone can invoke the function.
    ///
    /// ## Example
    /// ```yaml
    /// FunctionUrlConfig:
    ///   AuthType: NONE
    /// ```
    /// Use instead: `AuthType: AWS_IAM`, or put the function behind API Gateway with an
    /// authorizer.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-306: Missing Authentication for Critical Function
    pub struct PublicFunctionUrl {
        code: "AUTH002",
        name: "public-function-url",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for PublicFunctionUrl {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(url) = &f.url else { continue };
            let loc = match &url.auth_type {
                Some(n)
                    if n.as_str()
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case("NONE")) =>
                {
                    &n.loc
                }
                Some(_) => continue,
                None => &url.loc,
            };
            out.report(loc, format!("function URL of `{}` needs no authentication", f.id))
                .function(&f.id)
                .help("Set the URL's auth type to `AWS_IAM`, or front the function with an API that has an authorizer");
        }
    }
}
