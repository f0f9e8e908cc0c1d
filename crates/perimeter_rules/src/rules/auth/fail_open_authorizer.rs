//! AUTH011: a Lambda authorizer that answers `Allow` when the token's verification failed.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a Lambda authorizer (a function whose code builds a `principalId` and a
    /// `policyDocument`, or the `isAuthorized` answer of an HTTP API) that answers `Allow`
    /// on the path where the token's verification failed: in the `catch`/`except` of a `try`
    /// around the verification, in the error branch of the verification's callback, or in
    /// the rejection handler of its promise (JavaScript, TypeScript, Python).
    ///
    /// ## Why is this bad?
    /// The authorizer fails open: a missing, expired, forged or foreign token is let in as
    /// well as a good one, so every route behind the authorizer is in effect unauthenticated
    /// while the deployment says it is protected. Such branches are often left over from
    /// debugging ("temporarily allow while testing").
    ///
    /// ## Example
    /// ```js
    /// jwt.verify(token, key, (err, claims) => {
    ///   if (err) return done(null, policy('anonymous', 'Allow', event.methodArn));
    ///   done(null, policy(claims.sub, 'Allow', event.methodArn));
    /// });
    /// ```
    /// Use instead: answer `Deny` (or `callback('Unauthorized')`, `raise
    /// Exception('Unauthorized')`) whenever the verification fails.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-636: Not Failing Securely ('Failing Open')
    /// - CWE-287: Improper Authentication
    pub struct FailOpenAuthorizer {
        code: "AUTH011",
        name: "fail-open-authorizer",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for FailOpenAuthorizer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        // One authorizer module can serve several functions: one finding a place.
        let mut seen = std::collections::BTreeSet::new();
        for (f, s) in cx.analysed() {
            for at in &s.fail_open {
                if !seen.insert((at.path().to_owned(), at.span.start)) {
                    continue;
                }
                out.report(
                    at,
                    format!(
                        "authorizer `{}` allows the caller when the token's verification fails",
                        f.id
                    ),
                )
                .function(&f.id)
                .help("Answer `Deny` (or refuse with `Unauthorized`) on every path where the verification failed");
            }
        }
    }
}
