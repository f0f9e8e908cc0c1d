//! STO005: topics, streams and queues stored without encryption.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags SNS topics without `KmsMasterKeyId`, Kinesis streams without
    /// `StreamEncryption`, and SQS queues that turn off server-side encryption
    /// (`SqsManagedSseEnabled: false` without a KMS key). DynamoDB tables and SQS queues are
    /// encrypted by default and are not flagged otherwise.
    ///
    /// ## Why is this bad?
    /// Messages often carry the application's data (orders, user records); unencrypted at
    /// rest, they are readable by anyone with access to the underlying storage or backups.
    ///
    /// ## Example
    /// ```yaml
    /// Events:
    ///   Type: AWS::SNS::Topic
    /// ```
    /// Use instead: `KmsMasterKeyId: alias/aws/sns` (or a customer key).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-311: Missing Encryption of Sensitive Data
    pub struct UnencryptedMessaging {
        code: "STO005",
        name: "unencrypted-messaging",
        kind: Kind::MissingEncryption,
        severity: Severity::Low,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for UnencryptedMessaging {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for r in &cx.app.resources {
            let (missing, what) = match r.type_name.as_str() {
                "AWS::SNS::Topic" => (r.prop("KmsMasterKeyId").is_none(), "SNS topic"),
                "AWS::Kinesis::Stream" => (r.prop("StreamEncryption").is_none(), "Kinesis stream"),
                "AWS::SQS::Queue" => (
                    r.prop("SqsManagedSseEnabled")
                        .and_then(perimeter_model::Node::as_bool)
                        == Some(false)
                        && r.prop("KmsMasterKeyId").is_none(),
                    "SQS queue",
                ),
                _ => continue,
            };
            if missing {
                out.report(
                    &r.loc,
                    format!("{what} `{}` is not encrypted at rest", r.id),
                )
                .resource(&r.id)
                .help("Turn on server-side encryption with a KMS key");
            }
        }
    }
}
