//! INJ001: event data in SQL.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data concatenated into SQL text in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// An attacker reads or changes the whole database, and with some drivers runs commands.
    ///
    /// ## Example
    /// ```js
    /// await db.query("SELECT * FROM users WHERE id = '" + event.pathParameters.id + "'");
    /// ```
    /// Use instead: placeholders (`db.query('SELECT ... WHERE id = ?', [id])`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-89: Improper Neutralization of Special Elements used in an SQL Command
    pub struct SqlInjection {
        code: "INJ001",
        name: "injection-sql",
        kind: Kind::InjectionSql,
        severity: Severity::Critical,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for SqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::InjectionSql,
            "Pass event data as query parameters (placeholders), never in the SQL text",
        );
    }
}
