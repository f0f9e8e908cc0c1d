//! OBS005: API execution logs with full request and response data.
use perimeter_diagnostics::Loc;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags API stages that log full requests and responses: `DataTraceEnabled: true` in
    /// method settings, or the Serverless Framework's `logs.restApi`, which turns full
    /// execution data on unless it says `fullExecutionData: false` (or turns execution
    /// logging off).
    ///
    /// ## Why is this bad?
    /// Request and response bodies (passwords, tokens, personal data) land in CloudWatch
    /// Logs, readable by everyone with log access.
    ///
    /// ## Example
    /// ```yaml
    /// MethodSettings:
    ///   - { ResourcePath: "/*", HttpMethod: "*", DataTraceEnabled: true }
    /// ```
    /// Use instead: `DataTraceEnabled: false` and access logs with chosen fields.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-532: Insertion of Sensitive Information into Log File
    pub struct DataTraceEnabled {
        code: "OBS005",
        name: "data-trace-enabled",
        kind: Kind::SensitiveLog,
        severity: Severity::Medium,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for DataTraceEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut roots: Vec<(&perimeter_model::Node, &str)> = Vec::new();
        for api in &cx.app.apis {
            for n in [&api.method_settings, &api.properties, &api.access_logging]
                .into_iter()
                .flatten()
            {
                roots.push((n, &api.id));
            }
        }
        for r in resources_of(
            cx.app,
            &["AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"],
        ) {
            if let Some(p) = &r.properties {
                roots.push((p, &r.id));
            }
        }
        if let Some(logs) = cx
            .app
            .document
            .as_ref()
            .and_then(|d| d.path(&["provider", "logs"]))
        {
            roots.push((logs, "provider"));
        }
        let mut seen: Vec<&Loc> = Vec::new();
        for (root, owner) in roots {
            for key in ["DataTraceEnabled", "fullExecutionData"] {
                for n in find_key(root, key) {
                    if n.as_bool() != Some(true) || seen.iter().any(|l| same_loc(l, &n.loc)) {
                        continue;
                    }
                    seen.push(&n.loc);
                    out.report(
                        &n.loc,
                        format!("API `{owner}` logs full request and response data"),
                    )
                    .resource(owner)
                    .help("Turn data tracing off; log chosen fields through access logs instead");
                }
            }
        }
        // The Serverless Framework turns data tracing on with `logs.restApi` unless it says
        // `fullExecutionData: false` (execution logging off writes nothing).
        if cx.app.framework != perimeter_model::Framework::Serverless
            || !cx.app.apis.iter().any(|a| a.protocol == "rest")
        {
            return;
        }
        let Some((key, rest)) = cx
            .app
            .document
            .as_ref()
            .and_then(|d| d.path(&["provider", "logs"]))
            .and_then(|l| l.entries().iter().find(|(k, _)| k.name == "restApi"))
        else {
            return;
        };
        let on = rest.as_bool() == Some(true)
            || (matches!(rest.value, perimeter_model::Value::Map(_))
                && rest.get("fullExecutionData").is_none()
                && rest
                    .get("executionLogging")
                    .and_then(perimeter_model::Node::as_bool)
                    != Some(false));
        if on {
            out.report(
                &key.loc,
                "API `provider` logs full request and response data (`fullExecutionData` defaults to true)",
            )
            .resource("provider")
            .help("Set `fullExecutionData: false`; log chosen fields through access logs instead");
        }
    }
}
