//! SEC007: a literal credential given to an AWS SDK call by a function's code.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Finds AWS SDK calls in a function's code (and the modules it imports) whose credential
    /// parameter is a literal: the temporary password of a Cognito user created by
    /// `AdminCreateUser`, an RDS `MasterUserPassword`, a `SecretString` stored in Secrets
    /// Manager, a `ClientSecret`, ... however little entropy the literal has: a weak literal
    /// is the worse case.
    ///
    /// ## Why is this bad?
    /// Everyone who reads the code or the deployment package knows the credential, and
    /// every deployment sets the same one (an administrator account created with a known
    /// temporary password is an administrator account anyone can claim).
    ///
    /// ## Example
    /// ```python
    /// cognito.admin_create_user(UserPoolId=pool, Username=email, TemporaryPassword="changeme!")
    /// ```
    /// Use instead: generate it (`secrets.token_urlsafe()`), or let the service generate it
    /// and deliver it to the user.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct CredentialArgument {
        code: "SEC007",
        name: "hardcoded-credential-argument",
        kind: Kind::HardcodedSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for CredentialArgument {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (f, summary) in cx.analysed() {
            for flow in summary
                .flows
                .iter()
                .filter(|fl| fl.kind == Kind::HardcodedSecret)
            {
                out.report(
                    &flow.sink,
                    format!(
                        "`{}` passes a hard-coded credential as `{}`",
                        f.id, flow.sink_name
                    ),
                )
                .function(&f.id)
                .help("Generate the credential at run time or read it from Secrets Manager; rotate the one in the code");
            }
        }
    }
}
