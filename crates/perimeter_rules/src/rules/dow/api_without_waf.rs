//! DOW007: public REST APIs without a WAF web ACL.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags REST APIs when the application associates no AWS WAF web ACL
    /// (`AWS::WAFv2::WebACLAssociation`, or the `associateWaf` setting of the
    /// serverless-associate-waf plugin). HTTP APIs are skipped: WAF cannot protect them.
    ///
    /// ## Why is this bad?
    /// WAF rate-based rules and managed rule groups are the cheapest defence against
    /// request floods and common injection payloads.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties: { StageName: prod }
    /// ```
    /// Use instead: associate a web ACL with a rate-based rule to the stage.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    pub struct ApiWithoutWaf {
        code: "DOW007",
        name: "api-without-waf",
        kind: Kind::DenialOfWallet,
        severity: Severity::Info,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for ApiWithoutWaf {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let has_waf = cx.app.resources.iter().any(|r| {
            r.type_name == "AWS::WAFv2::WebACLAssociation"
                || r.type_name == "AWS::WAFRegional::WebACLAssociation"
        }) || cx
            .app
            .document
            .as_ref()
            .is_some_and(|d| d.path(&["custom", "associateWaf"]).is_some());
        if has_waf {
            return;
        }
        for api in cx.app.apis.iter().filter(|a| a.protocol == "rest") {
            out.report(
                &api.loc,
                format!("REST API `{}` has no WAF web ACL", api.id),
            )
            .resource(&api.id)
            .help("Associate an AWS WAF web ACL with a rate-based rule with the API stage");
        }
    }
}
