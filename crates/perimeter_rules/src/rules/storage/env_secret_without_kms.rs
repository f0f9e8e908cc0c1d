//! STO007: secret-looking environment variables without a customer KMS key.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions with a secret-looking environment variable (`DB_PASSWORD`, `API_KEY`,
    /// ... whatever its value, including `${ssm:...}` values that the Serverless Framework
    /// resolves at deploy time) and no customer KMS key for the environment (`kmsKeyArn`,
    /// `KmsKeyArn`).
    ///
    /// ## Why is this bad?
    /// The deployed value sits in the function configuration, encrypted with the AWS-managed
    /// key: anyone allowed `lambda:GetFunctionConfiguration` reads it in clear.
    ///
    /// ## Example
    /// ```yaml
    /// environment:
    ///   DB_PASSWORD: ${ssm:/prod/db/password}
    /// ```
    /// Use instead: read the secret at run time, or set `kmsKeyArn` to a key whose policy
    /// limits who can decrypt.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-311: Missing Encryption of Sensitive Data
    pub struct EnvSecretWithoutKms {
        code: "STO007",
        name: "env-secret-without-kms",
        kind: Kind::MissingEncryption,
        severity: Severity::Low,
        category: Category::Storage,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for EnvSecretWithoutKms {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            if f.kms_key.is_some() {
                continue;
            }
            let Some(var) = f.environment.iter().find(|v| is_secret_name(&v.name)) else {
                continue;
            };
            out.report(&var.name_loc, format!("`{}` of `{}` is stored without a customer KMS key", var.name, f.id))
                .function(&f.id)
                .distinguish(&f.id)
                .help("Read the secret at run time, or encrypt the environment with a customer-managed KMS key");
        }
    }
}
