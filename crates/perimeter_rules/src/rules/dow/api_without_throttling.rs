//! DOW002: APIs without throttling.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags REST and HTTP APIs whose stage sets no throttling (rate and burst limits) and
    /// no usage-plan throttle.
    ///
    /// ## Why is this bad?
    /// Without limits, API Gateway passes up to the account's default of 10,000 requests per
    /// second to the functions behind it; each is billed.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties: { StageName: prod }
    /// ```
    /// Use instead: `MethodSettings: [{ HttpMethod: "*", ResourcePath: "/*",
    /// ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }]` (Serverless:
    /// `provider.apiGateway.usagePlan.throttle`, `provider.httpApi` has no stage throttle:
    /// use a custom stage).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    pub struct ApiWithoutThrottling {
        code: "DOW002",
        name: "api-without-throttling",
        kind: Kind::DenialOfWallet,
        severity: Severity::Medium,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for ApiWithoutThrottling {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for api in &cx.app.apis {
            if api.protocol == "websocket" || api.throttling.is_some() {
                continue;
            }
            out.report(&api.loc, format!("{} API `{}` sets no throttling", api.protocol.to_uppercase(), api.id))
                .resource(&api.id)
                .help("Set stage throttling (rate and burst) or a usage plan so a flood cannot scale the functions behind the API");
        }
    }
}
