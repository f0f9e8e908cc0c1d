//! SEC001: secret-looking environment variables holding a literal.
use perimeter_model::Value;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags environment variables whose name looks like a secret (`DB_PASSWORD`,
    /// `STRIPE_API_KEY`, `JWT_SECRET`, `GITHUB_TOKEN`, ...) and whose value is a literal
    /// string in the descriptor. References (`${ssm:...}`, `{{resolve:secretsmanager:...}}`,
    /// `!Ref`), ARNs, parameter paths and obvious placeholders (empty, `TODO`, `${...}`) are
    /// not flagged; a weak default such as `changeme` is. Names that point at a secret
    /// (`DB_PASSWORD_ARN`, `SECRET_NAME`) are not flagged.
    ///
    /// ## Why is this bad?
    /// The secret lives in the repository history, in every clone and CI log, and in the
    /// function configuration readable with `lambda:GetFunctionConfiguration`.
    ///
    /// ## Example
    /// ```yaml
    /// environment:
    ///   DB_PASSWORD: s3cr3t-Passw0rd
    /// ```
    /// Use instead: store it in Secrets Manager or SSM Parameter Store (SecureString) and
    /// read it at run time; pass the secret's name in the environment.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct PlaintextSecretEnv {
        code: "SEC001",
        name: "plaintext-secret-env",
        kind: Kind::PlaintextSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// The literal of a node when it is a plain string that is not a placeholder or reference.
pub(crate) fn literal_secret(node: &perimeter_model::Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) if !is_placeholder_or_reference(s) => Some(s.as_str()),
        _ => None,
    }
}

impl Rule for PlaintextSecretEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (var, functions) in env_vars(cx.app) {
            let single = match functions.as_slice() {
                [one] => Some(one.id.as_str()),
                _ => None,
            };
            // Another resource's secret (an access key's secret, a generated password) put
            // into the configuration: plain text for anyone who can read the function.
            if let Value::Symbolic(s) = &var.value.value
                && let Some(what) = s
                    .strip_prefix(perimeter_model::terraform::SECRET_MARK)
                    .and_then(|r| r.strip_suffix('>'))
            {
                out.report(
                    &var.value.loc,
                    format!(
                        "environment variable `{}` holds the secret `{what}` in plain text",
                        var.name
                    ),
                )
                .function_opt(single)
                .help("Store it in Secrets Manager or SSM Parameter Store (SecureString) and read it at run time, with the function's role allowed to read that one secret");
                continue;
            }
            let Some(value) = literal_secret(&var.value) else {
                continue;
            };
            // `auth`, `BASIC_AUTH`: the credential callers present, unless its value is a
            // mode (`cognito`).
            let auth = is_auth_name(&var.name) && !is_auth_mode(value);
            if !is_secret_name(&var.name) && !auth {
                continue;
            }
            out.report(&var.value.loc, format!("environment variable `{}` holds a plaintext secret (`{}`)", var.name, redact(value)))
                .function_opt(single)
                .help("Keep the secret in Secrets Manager or SSM Parameter Store and read it at run time; rotate this one");
        }
    }
}
