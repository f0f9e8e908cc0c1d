//! DOW006: SQS event sources without a maximum concurrency.
use perimeter_model::EventKind;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags SQS triggers that do not set `maximumConcurrency` (SAM/CloudFormation:
    /// `ScalingConfig.MaximumConcurrency`).
    ///
    /// ## Why is this bad?
    /// A burst of messages, or a producer abused to flood the queue, scales the consumer up
    /// to 1,000 concurrent executions, and the database behind it down.
    ///
    /// ## Example
    /// ```yaml
    /// events:
    ///   - sqs: { arn: !GetAtt Jobs.Arn }
    /// ```
    /// Use instead: `maximumConcurrency: 10`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    pub struct SqsWithoutMaxConcurrency {
        code: "DOW006",
        name: "sqs-without-max-concurrency",
        kind: Kind::DenialOfWallet,
        severity: Severity::Low,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for SqsWithoutMaxConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            for ev in f.events.iter().filter(|e| e.kind == EventKind::Sqs) {
                let set = ev
                    .properties
                    .as_ref()
                    .is_some_and(|p| !find_key(p, "MaximumConcurrency").is_empty());
                if !set {
                    out.report(&ev.loc, format!("SQS trigger of `{}` sets no maximum concurrency", f.id))
                        .function(&f.id)
                        .help("Set the event source's maximum concurrency to what downstream systems can take");
                }
            }
        }
    }
}
