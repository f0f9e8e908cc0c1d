//! DOW008: `RecursiveLoop: Allow` turns off Lambda's loop detection.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions that set `RecursiveLoop: Allow`.
    ///
    /// ## Why is this bad?
    /// Lambda stops a function that keeps triggering itself through SQS, SNS or S3 after
    /// about 16 rounds. `Allow` turns that guard off, so a loop runs (and bills) until
    /// someone notices.
    ///
    /// ## Example
    /// ```yaml
    /// RecursiveLoop: Allow
    /// ```
    /// Use instead: leave the default (`Terminate`), and break intentional loops with a
    /// counter in the message.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-674: Uncontrolled Recursion
    pub struct RecursiveLoopAllowed {
        code: "DOW008",
        name: "recursive-loop-allowed",
        kind: Kind::RecursiveTrigger,
        severity: Severity::Medium,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for RecursiveLoopAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(n) = &f.recursive_loop else { continue };
            if n.as_str()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("Allow"))
            {
                out.report(
                    &n.loc,
                    format!("`{}` turns off recursive loop detection", f.id),
                )
                .function(&f.id)
                .help("Remove `RecursiveLoop: Allow` so Lambda stops runaway loops");
            }
        }
    }
}
