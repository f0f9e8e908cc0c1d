//! INJ004: event data evaluated as code.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data evaluated as code (`eval`, `new Function`, `vm.runInContext`, Python `eval`/`exec`) in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// The attacker runs arbitrary code inside the function, with its credentials.
    ///
    /// ## Example
    /// ```python
    /// result = eval(event["queryStringParameters"]["expr"])
    /// ```
    /// Use instead: a parser for the data format (`JSON.parse`, `ast.literal_eval`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-94: Improper Control of Generation of Code ('Code Injection')
    pub struct CodeInjection {
        code: "INJ004",
        name: "injection-code",
        kind: Kind::InjectionCode,
        severity: Severity::Critical,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for CodeInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::InjectionCode,
            "Never evaluate event data; parse it with a data-only parser",
        );
    }
}
