//! OBS004: asynchronous and stream triggers without a place for failed events.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions triggered asynchronously (S3, SNS, EventBridge, schedules, ...) that
    /// have no dead-letter queue or on-failure destination, and stream triggers (DynamoDB,
    /// Kinesis, Kafka) without an on-failure destination.
    ///
    /// ## Why is this bad?
    /// Events that keep failing are dropped after the retries (or block a shard until they
    /// expire) and leave no trace: data is lost and attacks that make the function fail go
    /// unnoticed.
    ///
    /// ## Example
    /// ```yaml
    /// - stream: { type: dynamodb, arn: !GetAtt Orders.StreamArn }
    /// ```
    /// Use instead: `destinations: { onFailure: arn:aws:sqs:... }` on the stream, and
    /// `destinations.onFailure` or a DLQ on the function.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-755: Improper Handling of Exceptional Conditions
    pub struct MissingDeadLetter {
        code: "OBS004",
        name: "missing-dead-letter",
        kind: Kind::MissingDeadLetter,
        severity: Severity::Low,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for MissingDeadLetter {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            if let Some(ev) = f.events.iter().find(|e| is_async_kind(e.kind))
                && !has_failure_destination(f)
            {
                out.report(&ev.loc, format!("`{}` has no dead-letter queue or on-failure destination for {} events", f.id, ev.kind.as_str()))
                    .function(&f.id)
                    .help("Add an on-failure destination or a dead-letter queue so failed events are kept");
            }
            for ev in f.events.iter().filter(|e| is_stream_kind(e.kind)) {
                let has = ev.properties.as_ref().is_some_and(|p| {
                    !find_key(p, "OnFailure").is_empty()
                        || !find_key(p, "DestinationConfig").is_empty()
                });
                if !has {
                    out.report(&ev.loc, format!("{} trigger of `{}` has no on-failure destination", ev.kind.as_str(), f.id))
                        .function(&f.id)
                        .help("Add an on-failure destination to the event source so failed batches are kept");
                }
            }
        }
    }
}
