//! INJ007: event data deserialized unsafely.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data passed to a deserializer that can build arbitrary objects (`pickle.loads`, `yaml.load` without a safe loader, `node-serialize`) in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// Deserializing attacker data with these libraries runs attacker-chosen code.
    ///
    /// ## Example
    /// ```python
    /// obj = pickle.loads(base64.b64decode(event["body"]))
    /// ```
    /// Use instead: JSON, or `yaml.safe_load`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-502: Deserialization of Untrusted Data
    pub struct UnsafeDeserialization {
        code: "INJ007",
        name: "deserialization",
        kind: Kind::Deserialization,
        severity: Severity::Critical,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for UnsafeDeserialization {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::Deserialization,
            "Use a data-only format (JSON, yaml.safe_load) for event data",
        );
    }
}
