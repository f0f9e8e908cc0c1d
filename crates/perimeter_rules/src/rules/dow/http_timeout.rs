//! DOW003: HTTP functions whose timeout exceeds what API Gateway waits.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions behind API Gateway (REST or HTTP API routes) whose timeout is above
    /// 29 seconds, the longest API Gateway waits for a synchronous answer by default.
    ///
    /// ## Why is this bad?
    /// The caller has got a 504 long before the function stops; every slow request keeps
    /// running (and billing) for nothing, and an attacker who finds a slow path multiplies
    /// the cost.
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   timeout: 300
    ///   events: [{ http: { path: /report, method: get } }]
    /// ```
    /// Use instead: `timeout: 29` or less; move long work to an asynchronous worker.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    pub struct HttpTimeout {
        code: "DOW003",
        name: "http-function-timeout",
        kind: Kind::ExcessiveTimeout,
        severity: Severity::Low,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for HttpTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let http = f.events.iter().any(|e| {
                matches!(
                    e.kind,
                    perimeter_model::EventKind::Http | perimeter_model::EventKind::HttpApi
                )
            });
            let Some(t) = f.timeout.as_ref().filter(|_| http) else {
                continue;
            };
            let Some(secs) = t.as_i64().filter(|s| *s > 29) else {
                continue;
            };
            out.report(
                &t.loc,
                format!(
                    "timeout of `{}` is {secs} s but API Gateway answers after 29 s",
                    f.id
                ),
            )
            .function(&f.id)
            .help(
                "Lower the timeout to 29 s or less and move long work to an asynchronous function",
            );
        }
    }
}
