//! OBS001: APIs without access logging.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags REST, HTTP and WebSocket APIs whose stage has no access logging
    /// (`AccessLogSetting`, `AccessLogSettings`, Serverless `logs.restApi`/`logs.httpApi`).
    ///
    /// ## Why is this bad?
    /// Without access logs, there is no record of who called what: attacks and abuse cannot
    /// be investigated.
    ///
    /// ## Example
    /// ```yaml
    /// Api:
    ///   Type: AWS::Serverless::Api
    ///   Properties: { StageName: prod }
    /// ```
    /// Use instead: `AccessLogSetting: { DestinationArn: !GetAtt ApiLogs.Arn, Format: ... }`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-778: Insufficient Logging
    pub struct ApiAccessLogging {
        code: "OBS001",
        name: "api-access-logging",
        kind: Kind::MissingLogging,
        severity: Severity::Low,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for ApiAccessLogging {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for api in &cx.app.apis {
            let off = api
                .access_logging
                .as_ref()
                .is_none_or(|n| n.is_null() || n.as_bool() == Some(false));
            if off {
                // An explicit `false` is the line to change.
                let at = api
                    .access_logging
                    .as_ref()
                    .filter(|n| n.as_bool() == Some(false))
                    .map_or(&api.loc, |n| &n.loc);
                out.report(
                    at,
                    format!(
                        "{} API `{}` has no access logging",
                        api.protocol.to_uppercase(),
                        api.id
                    ),
                )
                .resource(&api.id)
                .help("Turn on access logging for the API stage");
            }
        }
    }
}
