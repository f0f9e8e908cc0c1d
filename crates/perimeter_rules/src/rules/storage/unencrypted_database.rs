//! STO008: RDS databases and Aurora clusters whose storage is not encrypted.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `AWS::RDS::DBCluster` and `AWS::RDS::DBInstance` resources that do not set
    /// `StorageEncrypted: true` (instances that belong to a cluster inherit the cluster's
    /// setting and are not reported).
    ///
    /// ## Why is this bad?
    /// The database behind the functions holds the application's data; unencrypted storage,
    /// snapshots and replicas expose it to anyone who gets a copy of a volume or snapshot.
    /// Encryption cannot be turned on later without a copy and a cut-over.
    ///
    /// ## Example
    /// ```yaml
    /// Type: AWS::RDS::DBCluster
    /// Properties: { Engine: aurora-mysql }
    /// ```
    /// Use instead: `StorageEncrypted: true` (and a customer-managed `KmsKeyId` if you need to
    /// control the key).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-311: Missing Encryption of Sensitive Data
    pub struct UnencryptedDatabase {
        code: "STO008",
        name: "unencrypted-database",
        kind: Kind::MissingEncryption,
        severity: Severity::Medium,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for UnencryptedDatabase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for db in resources_of(cx.app, &["AWS::RDS::DBCluster", "AWS::RDS::DBInstance"]) {
            if db.type_name == "AWS::RDS::DBInstance" && db.prop("DBClusterIdentifier").is_some() {
                continue;
            }
            let encrypted = db
                .prop("StorageEncrypted")
                .and_then(perimeter_model::Node::as_bool);
            if encrypted == Some(true) {
                continue;
            }
            let at = db.prop("StorageEncrypted").map_or(&db.loc, |n| &n.loc);
            out.report(
                at,
                format!("database `{}` does not encrypt its storage", db.id),
            )
            .resource(&db.id)
            .help("Set `StorageEncrypted: true`");
        }
    }
}
