//! AUTH003: `AWS::Lambda::Permission` open to everyone or to a service without a source.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `AWS::Lambda::Permission` resources whose principal is `*`, or a service
    /// principal (`s3.amazonaws.com`, `sns.amazonaws.com`, ...) without `SourceArn` or
    /// `SourceAccount` (rated medium).
    ///
    /// ## Why is this bad?
    /// `Principal: "*"` lets anyone invoke the function. A service principal without a source
    /// lets that service invoke it on behalf of any account's bucket or topic (the confused
    /// deputy problem).
    ///
    /// ## Example
    /// ```yaml
    /// Type: AWS::Lambda::Permission
    /// Properties:
    ///   Action: lambda:InvokeFunction
    ///   Principal: s3.amazonaws.com
    /// ```
    /// Use instead: add `SourceArn: !GetAtt Bucket.Arn` and `SourceAccount: !Ref AWS::AccountId`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-441: Unintended Proxy or Intermediary ('Confused Deputy')
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
            } else if name.ends_with(".amazonaws.com")
                && p.source_arn.is_none()
                && p.source_account.is_none()
            {
                out.report(&principal.loc, format!("permission `{}` lets `{name}` invoke the function from any account", p.id))
                    .severity(Severity::Medium)
                    .resource(&p.id)
                    .function_opt(func)
                    .help("Add `SourceArn` (and `SourceAccount`) so only your resource can invoke the function");
            }
        }
    }
}
