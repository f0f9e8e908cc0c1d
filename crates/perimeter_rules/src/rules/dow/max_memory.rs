//! DOW004: functions with the maximum memory size.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions configured with 10,240 MB, the largest memory size Lambda offers.
    ///
    /// ## Why is this bad?
    /// Cost scales with memory. At the maximum, each abusive or looping invocation costs
    /// the most it can; it is rarely needed.
    ///
    /// ## Example
    /// ```yaml
    /// MemorySize: 10240
    /// ```
    /// Use instead: measure (AWS Lambda Power Tuning) and set what the function needs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    pub struct MaxMemory {
        code: "DOW004",
        name: "max-memory-size",
        kind: Kind::DenialOfWallet,
        severity: Severity::Low,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for MaxMemory {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(m) = &f.memory else { continue };
            if m.as_i64().is_some_and(|mb| mb >= 10_240) {
                out.report(&m.loc, format!("function `{}` uses the maximum memory size", f.id))
                    .function(&f.id)
                    .help("Size memory from measurements; the maximum multiplies the cost of every invocation");
            }
        }
    }
}
