//! DOW009: a function allowed to write to the bucket, queue, topic or stream that triggers it.
use perimeter_model::EventKind;

use crate::data::iam_actions::TRIGGER_WRITES;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions whose role may write to the resource that triggers them: `s3:PutObject`
    /// on the triggering bucket, `sqs:SendMessage` on the consumed queue, `sns:Publish` on the
    /// subscribed topic, writes to a table whose stream triggers the function, records put on
    /// the consumed stream. The match is on the resource named in both places (logical id or
    /// name), from configuration only; the data-flow rules confirm actual writes in code.
    ///
    /// ## Why is this bad?
    /// One write can trigger the function again, which writes again: an infinite loop billed
    /// per invocation (S3 loops are not stopped by Lambda's recursion detection).
    ///
    /// ## Example
    /// ```yaml
    /// thumbnail:
    ///   events: [{ s3: photos }]
    ///   iamRoleStatements:
    ///     - { Effect: Allow, Action: s3:PutObject, Resource: arn:aws:s3:::photos/* }
    /// ```
    /// Use instead: write to another bucket, or filter the trigger on a prefix the function
    /// never writes.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-674: Uncontrolled Recursion
    pub struct SelfTrigger {
        code: "DOW009",
        name: "self-trigger",
        kind: Kind::RecursiveTrigger,
        severity: Severity::Medium,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

fn service(kind: EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::S3 => "s3",
        EventKind::Sqs => "sqs",
        EventKind::Sns => "sns",
        EventKind::DynamoDbStream => "dynamodb",
        EventKind::KinesisStream => "kinesis",
        _ => return None,
    })
}

impl Rule for SelfTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let Some(role) = cx.app.role_of(f) else {
                continue;
            };
            for ev in &f.events {
                let (Some(svc), Some(source)) = (service(ev.kind), ev.source.as_ref()) else {
                    continue;
                };
                let Some((_, writes)) = TRIGGER_WRITES.iter().find(|(s, _)| *s == svc) else {
                    continue;
                };
                let (ids, names) = source_identity(source);
                if ids.is_empty() && names.is_empty() {
                    continue;
                }
                let hit = role.statements.iter().filter(|s| s.allow).find_map(|s| {
                    let action = s
                        .action_strs()
                        .find(|(a, _)| writes.iter().any(|w| glob_ci(a.trim(), w)))?;
                    s.resources
                        .iter()
                        .any(|r| refers_to(r, &ids, &names))
                        .then_some(action)
                });
                if let Some((action, _)) = hit {
                    out.report(&ev.loc, format!("`{}` is triggered by {} and may write to it (`{}`)", f.id, source.display(), action.trim()))
                        .function(&f.id)
                        .help("Write to a different resource, or filter the trigger so the function's own writes do not fire it");
                }
            }
        }
    }
}
