//! SEC003: secret-looking template parameters with a default value.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags template parameters whose name looks like a secret (`DbPassword`, `ApiKey`) and
    /// that declare a literal `Default`.
    ///
    /// Templates that declare no function (a CI pipeline beside the application) are not judged.
    ///
    /// ## Why is this bad?
    /// The default is the secret, committed with the template; deployments that do not
    /// override it all share it.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   DbPassword:
    ///     Type: String
    ///     NoEcho: true
    ///     Default: hunter2hunter2
    /// ```
    /// Use instead: no default; or a dynamic reference to Secrets Manager in the resource.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct SecretParameterDefault {
        code: "SEC003",
        name: "secret-parameter-default",
        kind: Kind::HardcodedSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for SecretParameterDefault {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        // Parameters of templates around the application (a CI pipeline, a bootstrap stack)
        // are not the application's: only templates that declare functions are judged.
        if cx.app.functions.is_empty() {
            return;
        }
        for p in &cx.app.parameters {
            if !is_secret_name(&p.name)
                || p.type_name
                    .as_deref()
                    .is_some_and(|t| t.starts_with("AWS::SSM::"))
            {
                continue;
            }
            let Some(d) = &p.default else { continue };
            let Some(value) = super::plaintext_secret_env::literal_secret(d) else {
                continue;
            };
            out.report(&d.loc, format!("parameter `{}` has a default secret (`{}`)", p.name, redact(value)))
                .resource(&p.name)
                .help("Remove the default and pass the value at deploy time, or use a Secrets Manager dynamic reference");
        }
    }
}
