//! DOW005: asynchronously invoked functions with default retries and no failure destination.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions invoked asynchronously (S3, SNS, EventBridge, schedules, CloudWatch
    /// Logs, IoT) that set neither a retry limit (`MaximumRetryAttempts`,
    /// `maximumRetryAttempts`) nor a failure destination or dead-letter queue.
    ///
    /// ## Why is this bad?
    /// Lambda retries a failed asynchronous event twice by default, for up to six hours. A
    /// poison event is paid for three times and then lost silently.
    ///
    /// ## Example
    /// ```yaml
    /// resize:
    ///   events: [{ s3: photos }]
    /// ```
    /// Use instead: `maximumRetryAttempts: 0` and `destinations: { onFailure: arn:... }`
    /// (SAM: `EventInvokeConfig`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-400: Uncontrolled Resource Consumption
    pub struct UnboundedAsyncRetries {
        code: "DOW005",
        name: "unbounded-async-retries",
        kind: Kind::DenialOfWallet,
        severity: Severity::Low,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for UnboundedAsyncRetries {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(ev) = f.events.iter().find(|e| is_async_kind(e.kind)) else {
                continue;
            };
            // SAM `EventInvokeConfig`, Terraform's invoke config, or the Serverless
            // function's own `maximumRetryAttempts`.
            let retries = f
                .async_config
                .as_ref()
                .is_some_and(|c| !find_key(c, "MaximumRetryAttempts").is_empty())
                || f.properties
                    .as_ref()
                    .is_some_and(|p| p.get("maximumRetryAttempts").is_some());
            if retries || has_failure_destination(f) {
                continue;
            }
            out.report(&f.loc, format!("`{}` is invoked asynchronously ({}) with default retries and no failure destination", f.id, ev.kind.as_str()))
                .function(&f.id)
                .help("Set a retry limit and an on-failure destination (or dead-letter queue)");
        }
    }
}
