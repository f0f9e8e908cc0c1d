//! AUTH006: `AWS::Lambda::Permission` for a service principal without a source.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `AWS::Lambda::Permission` resources that let a service principal
    /// (`s3.amazonaws.com`, `apigateway.amazonaws.com`, `sns.amazonaws.com`, ...) invoke a
    /// function without `SourceArn` or `SourceAccount`.
    ///
    /// ## Why is this bad?
    /// The service may then invoke the function on behalf of any account's bucket, API or
    /// topic: the confused deputy problem. The function receives events nobody in the
    /// application sent.
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
    pub struct PermissionWithoutSource {
        code: "AUTH006",
        name: "permission-without-source",
        kind: Kind::Other,
        severity: Severity::Medium,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for PermissionWithoutSource {
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
            if !name.ends_with(".amazonaws.com")
                || p.source_arn.is_some()
                || p.source_account.is_some()
            {
                continue;
            }
            let target = p.function.as_ref().map(|f| {
                f.referenced_ids()
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| f.display())
            });
            let func = target.as_deref().filter(|t| cx.app.function(t).is_some());
            out.report(&principal.loc, format!("permission `{}` lets `{name}` invoke the function from any account", p.id))
                .resource(&p.id)
                .function_opt(func)
                .help("Add `SourceArn` (and `SourceAccount`) so only your resource can invoke the function");
        }
    }
}
