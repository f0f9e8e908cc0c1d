//! INJ005: event data choosing the URL of an outbound request.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data used as the URL or host of an outbound HTTP request, or as the host of a socket connection (`net.connect`, `tls.connect`, `socket.create_connection`), in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// The function fetches what the attacker names: internal services, or other AWS endpoints reachable from the function's network.
    ///
    /// ## Example
    /// ```js
    /// const res = await fetch(event.queryStringParameters.url);
    /// ```
    /// Use instead: an allow-list of hosts, checked after parsing the URL.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-918: Server-Side Request Forgery (SSRF)
    pub struct Ssrf {
        code: "INJ005",
        name: "ssrf",
        kind: Kind::Ssrf,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for Ssrf {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::Ssrf,
            "Check the URL's scheme and host against an allow-list before fetching it",
        );
    }
}
