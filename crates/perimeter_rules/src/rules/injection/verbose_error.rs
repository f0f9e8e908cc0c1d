//! ERR001: errors and stack traces returned to HTTP callers.
use perimeter_diagnostics::{Loc, TraceStep};

use perimeter_model::EventKind;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags HTTP-facing functions that return an error's message or stack trace to the
    /// caller (`body: err.stack`, `return str(e)` in a response), or whose web framework
    /// runs in debug mode, which answers every unhandled error with its traceback: a
    /// Chalice app with `app.debug = True`, a Django project deployed (Zappa) with
    /// `DEBUG = True` in the settings module its stage uses. A WebSocket route answers the
    /// client only when it has a route response: without one, API Gateway drops what the
    /// function returns, and the route is not reported.
    ///
    /// ## Why is this bad?
    /// Error details reveal file paths, library versions, table names and query text: a map
    /// for the next attack.
    ///
    /// ## Example
    /// ```js
    /// } catch (err) {
    ///   return { statusCode: 500, body: err.stack };
    /// }
    /// ```
    /// Use instead: log the error, return a generic message with a request id.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring (error handling)
    /// - SAS Top 10: SAS-10 Improper Exception Handling and Verbose Error Messages
    /// - CWE-209: Generation of Error Message Containing Sensitive Information
    pub struct VerboseError {
        code: "ERR001",
        name: "verbose-error",
        kind: Kind::VerboseError,
        severity: Severity::Low,
        category: Category::ErrorHandling,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// Whether what the function returns reaches an internet caller: a function URL, a REST or
/// HTTP API route, a load balancer, or a WebSocket route with a route response (without one,
/// API Gateway discards the integration's response: the client sees nothing of it).
fn answers_caller(cx: &AppContext<'_>, f: &perimeter_model::Function) -> bool {
    let route_responses = || {
        cx.app
            .resources
            .iter()
            .any(|r| r.type_name == "AWS::ApiGatewayV2::RouteResponse")
    };
    f.url.is_some()
        || f.events.iter().any(|e| match e.kind {
            EventKind::WebSocket => {
                e.properties.as_ref().is_some_and(|p| {
                    p.get("routeResponseSelectionExpression").is_some()
                        || p.get("RouteResponseSelectionExpression").is_some()
                }) || route_responses()
            }
            k => k.is_http(),
        })
}

impl Rule for VerboseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        // A debug switch is one line shared by every function of the app: one finding.
        let mut switches: Vec<(&Loc, Vec<&str>)> = Vec::new();
        for f in cx.app.functions.iter().filter(|f| answers_caller(cx, f)) {
            let Some(debug) = &f.debug else { continue };
            match switches.iter_mut().find(|(l, _)| **l == debug.loc) {
                Some((_, fs)) => fs.push(&f.id),
                None => switches.push((&debug.loc, vec![&f.id])),
            }
        }
        for (loc, functions) in switches {
            let others = match functions.len() {
                1 => String::new(),
                n => format!(" and {} other HTTP functions", n - 1),
            };
            out.report(
                loc,
                format!(
                    "debug mode is on: unhandled errors of `{}`{others} are answered with their traceback",
                    functions[0]
                ),
            )
            .function(functions[0])
            .help("Turn debug mode off in deployed code, or read it from the stage's settings");
        }
        for (f, summary) in cx.analysed() {
            if !answers_caller(cx, f) {
                continue;
            }
            for flow in summary
                .flows
                .iter()
                .filter(|fl| fl.kind == Kind::VerboseError)
            {
                let id = Some(f.id.as_str());
                let trace = vec![
                    TraceStep::at(&flow.source.loc, id, "caught error"),
                    TraceStep::at(&flow.sink, id, flow.sink_name.clone()),
                ];
                out.report(
                    &flow.sink,
                    format!(
                        "error details returned to the HTTP caller through `{}`",
                        flow.sink_name
                    ),
                )
                .function(&f.id)
                .trace(trace)
                .help(
                    "Log the error and return a generic message (with a request id) to the caller",
                );
            }
        }
    }
}
