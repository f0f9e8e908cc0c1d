//! OBS002: function logs kept forever (no retention).
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions whose log group has no retention period (`logRetentionInDays`,
    /// `LoggingConfig`, or an `AWS::Logs::LogGroup` with `RetentionInDays`).
    ///
    /// ## Why is this bad?
    /// Logs are kept forever: the cost grows every month, and any personal data or secret a
    /// log line carried stays readable indefinitely.
    ///
    /// ## Example
    /// ```yaml
    /// provider:
    ///   name: aws
    /// ```
    /// Use instead: `provider.logRetentionInDays: 30`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-779: Logging of Excessive Data
    pub struct LogRetention {
        code: "OBS002",
        name: "log-retention",
        kind: Kind::MissingLogging,
        severity: Severity::Low,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for LogRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            if f.log_retention.is_none() {
                out.report(
                    &f.loc,
                    format!("logs of `{}` have no retention period", f.id),
                )
                .function(&f.id)
                .help("Set a log retention period (for example 30 or 90 days)");
            }
        }
    }
}
