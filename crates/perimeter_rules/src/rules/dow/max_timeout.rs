//! DOW010: functions at the 900-second maximum timeout.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions whose timeout is 900 seconds, the maximum Lambda allows.
    ///
    /// ## Why is this bad?
    /// A hung dependency or an input crafted to be slow keeps each invocation billing for 15
    /// minutes. The maximum is seldom what a function needs.
    ///
    /// ## Example
    /// ```yaml
    /// Timeout: 900
    /// ```
    /// Use instead: a timeout a little above the observed p99 duration.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    pub struct MaxTimeout {
        code: "DOW010",
        name: "max-timeout",
        kind: Kind::ExcessiveTimeout,
        severity: Severity::Info,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for MaxTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(t) = &f.timeout else { continue };
            if t.as_i64().is_some_and(|s| s >= 900) {
                out.report(
                    &t.loc,
                    format!("`{}` uses the maximum timeout of 900 s", f.id),
                )
                .function(&f.id)
                .help("Set the timeout a little above the function's observed duration");
            }
        }
    }
}
