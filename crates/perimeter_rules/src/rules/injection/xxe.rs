//! INJ008: event data parsed as XML with external entities.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data parsed by an XML parser that resolves external entities in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// A document with an external entity reads local files (the function's environment) or makes requests from the function.
    ///
    /// ## Example
    /// ```python
    /// tree = lxml.etree.fromstring(event["body"])
    /// ```
    /// Use instead: `defusedxml`, or a parser with entity resolution off.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-611: Improper Restriction of XML External Entity Reference
    pub struct Xxe {
        code: "INJ008",
        name: "xxe",
        kind: Kind::Xxe,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for Xxe {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::Xxe,
            "Parse event XML with external entities and DTDs disabled (defusedxml, libxmljs noent: false)",
        );
    }
}
