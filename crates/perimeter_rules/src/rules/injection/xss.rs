//! INJ009: event data in HTML responses.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data written into an HTML response without escaping in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// The attacker's script runs in the browser of whoever opens the link, with their session.
    ///
    /// ## Example
    /// ```js
    /// return { headers: { 'Content-Type': 'text/html' }, body: `<h1>Hello ${event.queryStringParameters.name}</h1>` };
    /// ```
    /// Use instead: an escaping template engine, or a JSON response.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')
    pub struct Xss {
        code: "INJ009",
        name: "xss",
        kind: Kind::Xss,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for Xss {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::Xss,
            "Escape event data for HTML (or use an auto-escaping template) before putting it in a response",
        );
    }
}
