//! INJ002: event data in NoSQL queries.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data used as a NoSQL query or filter (MongoDB operators; DynamoDB expressions, legacy conditions such as `ScanFilter` with an operator or a whole condition from the event, and table names) in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// A JSON body such as `{"password": {"$ne": null}}` turns an equality check into a match-all, bypassing logins and reading other users' data.
    ///
    /// ## Example
    /// ```js
    /// users.findOne({ user: body.user, password: body.password });
    /// ```
    /// Use instead: validate types (`typeof password === 'string'`) and build filters from checked scalars.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-943: Improper Neutralization of Special Elements in Data Query Logic
    pub struct NosqlInjection {
        code: "INJ002",
        name: "injection-nosql",
        kind: Kind::InjectionNosql,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for NosqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::InjectionNosql,
            "Check that event values are plain scalars before using them in a query; never pass parsed objects as filters",
        );
    }
}
