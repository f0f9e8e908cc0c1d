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
        // One finding per variable as written: a provider-level variable is shared by every
        // function, and is one thing to fix.
        for (var, functions) in env_vars(cx.app) {
            if !is_secret_name(&var.name) {
                continue;
            }
            let exposed: Vec<&str> = functions
                .iter()
                .filter(|f| f.kms_key.is_none())
                .map(|f| f.id.as_str())
                .collect();
            let Some(first) = exposed.first() else {
                continue;
            };
            let whom = if exposed.len() == 1 {
                format!("`{first}`")
            } else {
                format!("{} functions", exposed.len())
            };
            out.report(&var.name_loc, format!("`{}` of {whom} is stored without a customer KMS key", var.name))
                .function_opt((exposed.len() == 1).then_some(*first))
                .help("Read the secret at run time, or encrypt the environment with a customer-managed KMS key");
        }
    }
}
