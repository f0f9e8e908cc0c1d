//! SEC004: secret-looking template parameters without `NoEcho`.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags template parameters whose name looks like a secret and that do not set
    /// `NoEcho: true`. Parameters of SSM parameter types (`AWS::SSM::Parameter::Value<...>`)
    /// hold a parameter name and are skipped, and so are templates that declare no function
    /// (a CI pipeline or bootstrap stack beside the application).
    ///
    /// ## Why is this bad?
    /// CloudFormation shows parameter values in the console, in `describe-stacks` output and
    /// in events, to anyone allowed to read the stack.
    ///
    /// ## Example
    /// ```yaml
    /// Parameters:
    ///   ApiToken:
    ///     Type: String
    /// ```
    /// Use instead: `NoEcho: true`, or better a Secrets Manager dynamic reference.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-532: Insertion of Sensitive Information into Log File
    pub struct SecretParameterNoEcho {
        code: "SEC004",
        name: "secret-parameter-no-echo",
        kind: Kind::PlaintextSecret,
        severity: Severity::Low,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for SecretParameterNoEcho {
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
            if p.no_echo
                || !is_secret_name(&p.name)
                || p.type_name
                    .as_deref()
                    .is_some_and(|t| t.starts_with("AWS::SSM::"))
            {
                continue;
            }
            if cx.app.framework == perimeter_model::Framework::Terraform {
                out.report(
                    &p.loc,
                    format!("secret variable `{}` is not `sensitive`", p.name),
                )
                .resource(&p.name)
                .help("Set `sensitive = true` so Terraform masks it in plans and output (it stays in the state: keep the state encrypted)");
                continue;
            }
            out.report(
                &p.loc,
                format!("secret parameter `{}` is not `NoEcho`", p.name),
            )
            .resource(&p.name)
            .help("Set `NoEcho: true` so the value is masked in the console and API output");
        }
    }
}
