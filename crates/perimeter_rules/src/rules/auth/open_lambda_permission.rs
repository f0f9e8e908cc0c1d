//! AUTH003: `AWS::Lambda::Permission` open to everyone.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `AWS::Lambda::Permission` resources whose principal is `*`. (A service principal
    /// without a source is AUTH006.)
    ///
    /// ## Why is this bad?
    /// `Principal: "*"` lets anyone with AWS credentials invoke the function directly,
    /// around every API and authorizer in front of it.
    ///
    /// ## Example
    /// ```yaml
    /// Type: AWS::Lambda::Permission
    /// Properties:
    ///   Action: lambda:InvokeFunction
    ///   Principal: "*"
    /// ```
    /// Use instead: name the principal that must invoke the function, with `SourceArn`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-284: Improper Access Control
    pub struct OpenLambdaPermission {
        code: "AUTH003",
        name: "open-lambda-permission",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for OpenLambdaPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for p in &cx.app.permissions {
            let Some(principal) = &p.principal else {
                continue;
            };
            let Some(name) = principal.as_str().map(str::trim) else {
                continue;
            };
            let target = p.function.as_ref().map(|f| {
                f.referenced_ids()
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| f.display())
            });
            let func = target.as_deref().filter(|t| cx.app.function(t).is_some());
            if name == "*" {
                out.report(
                    &principal.loc,
                    format!("permission `{}` lets anyone invoke the function", p.id),
                )
                .resource(&p.id)
                .function_opt(func)
                .help("Name the principal that must invoke the function, with `SourceArn`");
            }
        }
    }
}
