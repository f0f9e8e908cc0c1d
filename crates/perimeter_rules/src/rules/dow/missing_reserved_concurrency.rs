//! DOW001: internet-facing functions without reserved concurrency.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions reachable from the internet (HTTP API routes, WebSocket routes, ALB
    /// targets, function URLs) that do not set reserved concurrency.
    ///
    /// ## Why is this bad?
    /// A flood of requests scales the function up to the account's concurrency limit: the
    /// bill grows with the attack (denial of wallet) and every other function of the account
    /// is starved.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api:
    ///     handler: api.main
    ///     events: [{ httpApi: "POST /upload" }]
    /// ```
    /// Use instead: `reservedConcurrency: 20` (SAM/CloudFormation:
    /// `ReservedConcurrentExecutions`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    pub struct MissingReservedConcurrency {
        code: "DOW001",
        name: "missing-reserved-concurrency",
        kind: Kind::DenialOfWallet,
        severity: Severity::Medium,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for MissingReservedConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            if f.is_internet_facing() && f.reserved_concurrency.is_none() {
                out.report(&f.loc, format!("internet-facing function `{}` has no reserved concurrency", f.id))
                    .function(&f.id)
                    .help("Set reserved concurrency to cap how far a request flood can scale the function");
            }
        }
    }
}
