//! Turning code summaries' flows into findings: which event paths an attacker controls for a
//! function's triggers, and at what severity.
use perimeter_code::Flow;
use perimeter_diagnostics::{Kind, Severity, TraceStep};
use perimeter_model::{EventKind, Function};

use perimeter_graph::{HTTP_REQUEST_FIELDS, Provenance};

use crate::rule::{AppContext, Findings};

/// Who controls a source path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exposure {
    /// Anyone on the internet (HTTP-like triggers).
    Internet,
    /// Whoever can put an object in the bucket (the key or the object).
    Upload,
    /// The producer of a message or record (queues, topics, streams, events), or the
    /// function's callers when it has no trigger.
    Producer,
}

/// What a caller of an HTTP endpoint writes, beyond [`HTTP_REQUEST_FIELDS`].
const HTTP_PREFIXES: &[&str] = &[
    "body",
    "path",
    "requestContext",
    "stageVariables",
    "req.",
    "request.",
    "request",
    "route.",
    "app.current_request",
];

/// Event paths only an HTTP request (API Gateway, a function URL, a load balancer) carries:
/// `body` alone is not one, a direct invocation may pass a body too.
/// (beyond [`HTTP_REQUEST_FIELDS`]).
const HTTP_SHAPE: &[&str] = &["httpMethod", "requestContext.http"];

fn has_prefix(path: &str, prefix: &str) -> bool {
    if prefix.ends_with('.') {
        return path.starts_with(prefix);
    }
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Whether a path is trusted whatever the trigger: identity set by an authorizer.
fn trusted(path: &str) -> bool {
    const SET_BY_AWS: &[&str] = &[
        "requestContext.authorizer",
        "requestContext.identity.cognito",
        "requestContext.accountId",
        "requestContext.apiId",
        "requestContext.stage",
        "requestContext.requestId",
        "requestContext.domainName",
        "requestContext.resourcePath",
        "methodArn",
        "routeArn",
        "stageVariables",
    ];
    SET_BY_AWS.iter().any(|p| has_prefix(path, p))
}

/// Whether `path` is the `Host` header of a request that only API Gateway or a function URL
/// delivers: both route by that header, so it names one of the endpoint's own domains (a
/// load balancer forwards any host it is sent, and is not counted).
fn own_host(f: &Function, path: &str) -> bool {
    let header = path
        .strip_prefix("headers.")
        .or_else(|| path.strip_prefix("multiValueHeaders."))
        .map(|h| h.trim_end_matches("[]"));
    header.is_some_and(|h| h.eq_ignore_ascii_case("host"))
        && f.is_internet_facing()
        && !f.events.iter().any(|e| e.kind == EventKind::Alb)
}

/// Who controls `path` for `f`, or `None` when nobody outside the system does.
pub(crate) fn exposure(f: &Function, path: &str) -> Option<Exposure> {
    let path = path.trim().trim_start_matches("event.");
    if trusted(path) || own_host(f, path) {
        return None;
    }
    let any = path == "*";
    let http = f.is_internet_facing();
    if http
        && (any
            || HTTP_REQUEST_FIELDS
                .iter()
                .chain(HTTP_PREFIXES)
                .any(|p| has_prefix(path, p)))
    {
        return Some(Exposure::Internet);
    }
    let s3 = f.events.iter().any(|e| e.kind == EventKind::S3);
    if s3 && (any || path == "s3-object" || path.starts_with("Records[].s3")) {
        return Some(Exposure::Upload);
    }
    let producer = f.events.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::Sqs
                | EventKind::Sns
                | EventKind::KinesisStream
                | EventKind::DynamoDbStream
                | EventKind::EventBridge
                | EventKind::Iot
                | EventKind::Kafka
                | EventKind::Cognito
                | EventKind::CloudWatchLog
                | EventKind::StepFunctions
                | EventKind::Alexa
                | EventKind::Other
        )
    });
    let record = path.starts_with("Records") || path.starts_with("detail") || path == "s3-object";
    if producer && (any || record || path.starts_with("request") || path.starts_with("userName")) {
        return Some(Exposure::Producer);
    }
    // An IoT rule delivers the device's message itself as the event: every field is the
    // device's.
    if f.events.iter().any(|e| e.kind == EventKind::Iot) {
        return Some(Exposure::Producer);
    }
    // A function of unknown trigger whose code reads what only an HTTP request carries is
    // served over HTTP: its caller is anyone who can send that request.
    if f.unknown_trigger
        && HTTP_REQUEST_FIELDS
            .iter()
            .chain(HTTP_SHAPE)
            .any(|p| has_prefix(path, p))
    {
        return Some(Exposure::Internet);
    }
    if f.events.is_empty() && f.url.is_none() {
        // Invoked by other functions or people with `lambda:InvokeFunction`: whatever they pass.
        return Some(Exposure::Producer);
    }
    None
}

/// The severity of a flow of `kind` reaching its sink with the given exposure.
pub(crate) fn severity(kind: Kind, exposure: Exposure) -> Severity {
    let base = match kind {
        Kind::InjectionOsCommand
        | Kind::InjectionCode
        | Kind::InjectionSql
        | Kind::Deserialization => Severity::Critical,
        _ => Severity::High,
    };
    match exposure {
        Exposure::Internet => base,
        Exposure::Upload => base.min(Severity::High),
        Exposure::Producer => Severity::Medium,
    }
}

/// The trace of a flow: source, steps, sink.
pub(crate) fn trace(f: &Function, flow: &Flow) -> Vec<TraceStep> {
    let id = Some(f.id.as_str());
    let mut t = vec![TraceStep::at(
        &flow.source.loc,
        id,
        format!("event.{}", flow.source.path),
    )];
    t.extend(
        flow.steps
            .iter()
            .map(|s| TraceStep::at(&s.loc, id, s.note.clone())),
    );
    t.push(TraceStep::at(&flow.sink, id, flow.sink_name.clone()));
    t
}

/// Reports every flow of `kind` whose source an outsider controls. With the application
/// graph, data that arrives from another function is traced back to where the attacker put
/// it, and data whose every producer in the application is known and clean is not reported.
pub(crate) fn report_flows(cx: &AppContext<'_>, out: &mut Findings, kind: Kind, help: &str) {
    for (f, summary) in cx.analysed() {
        for flow in summary.flows.iter().filter(|fl| fl.kind == kind) {
            let mut exp = exposure(f, &flow.source.path);
            // An endpoint that another function of the application also calls with data an
            // attacker put there: the trace through the application says more than the
            // endpoint alone.
            if let (Some(Exposure::Internet), Some(g)) = (exp, cx.graph)
                && let Some((inflow, inflow_trace)) = g.inflow(&f.id, &flow.source.path)
            {
                let mut upstream = inflow_trace.to_vec();
                let producer = upstream
                    .first()
                    .and_then(|s| s.function.clone())
                    .unwrap_or_default();
                upstream.extend(trace(f, flow));
                let through = if inflow.producer == producer {
                    String::new()
                } else {
                    format!(" through `{}`", inflow.producer)
                };
                out.report(
                    &flow.sink,
                    format!(
                        "data an attacker sends to `{producer}` reaches `{}` in `{}`{through} (event `{}`; callers of `{}` control it directly too)",
                        flow.sink_name, f.id, flow.source.path, f.id
                    ),
                )
                .severity(severity(kind, Exposure::Internet))
                .function(&f.id)
                .trace(upstream)
                .help(help.to_owned());
                continue;
            }
            if let (true, Some(g)) = (exp != Some(Exposure::Internet), cx.graph) {
                {
                    match g.provenance_of(f, &flow.source) {
                        // Items read back from a table some writer filled with data of
                        // unknown origin.
                        Provenance::External if flow.source.is_stored() => {
                            exp = Some(Exposure::Producer);
                        }
                        Provenance::Upstream(mut upstream) => {
                            let producer = upstream
                                .first()
                                .and_then(|s| s.function.clone())
                                .unwrap_or_default();
                            upstream.extend(trace(f, flow));
                            out.report(
                                &flow.sink,
                                format!(
                                    "data an attacker sends to `{producer}` reaches `{}` in `{}` (event `{}`)",
                                    flow.sink_name, f.id, flow.source.path
                                ),
                            )
                            .severity(severity(kind, Exposure::Internet))
                            .function(&f.id)
                            .trace(upstream)
                            .help(help.to_owned());
                            continue;
                        }
                        Provenance::Trusted => continue,
                        // Anyone may write to the queue, topic or bucket: its consumer is
                        // as exposed as an endpoint.
                        Provenance::Public(resource) => {
                            out.report(
                                &flow.sink,
                                format!(
                                    "event data `{}` reaches `{}` (anyone may write to `{resource}`: its resource policy allows any principal)",
                                    flow.source.path, flow.sink_name
                                ),
                            )
                            .severity(severity(kind, Exposure::Internet))
                            .function(&f.id)
                            .resource(&resource)
                            .trace(trace(f, flow))
                            .help(help.to_owned());
                            continue;
                        }
                        Provenance::Caller | Provenance::External => {}
                    }
                }
            }
            let Some(exp) = exp else {
                continue;
            };
            let who = match exp {
                Exposure::Internet => "",
                Exposure::Upload => " (from an uploaded object)",
                Exposure::Producer if flow.source.is_stored() => {
                    " (written there with data of unknown origin)"
                }
                Exposure::Producer => " (from the message producer)",
            };
            out.report(
                &flow.sink,
                if flow.source.is_stored() {
                    format!(
                        "data read back from a table reaches `{}`{who}",
                        flow.sink_name
                    )
                } else {
                    format!(
                        "event data `{}` reaches `{}`{who}",
                        flow.source.path, flow.sink_name
                    )
                },
            )
            .severity(severity(kind, exp))
            .function(&f.id)
            .trace(trace(f, flow))
            .help(help.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use perimeter_code::{Flow, FunctionSummary, Source};
    use perimeter_diagnostics::{Loc, SourceFile, Span};
    use perimeter_model::{Application, Event, Framework};

    use super::*;
    use crate::{Selection, run};

    fn loc(line_start: u32) -> Loc {
        let file = SourceFile::new("h.js", "a\nb\nc\nd\n");
        Loc::new(&file, Span::new(line_start, line_start + 1))
    }

    fn function(id: &str, kinds: &[EventKind]) -> Function {
        let mut f = Function::new(id, loc(0));
        for k in kinds {
            f.events.push(Event {
                kind: *k,
                type_name: k.as_str().to_owned(),
                loc: loc(0),
                route: None,
                source: None,
                filters: Vec::new(),
                properties: None,
            });
        }
        f
    }

    fn flow(kind: Kind, path: &str) -> Flow {
        Flow {
            kind,
            source: Source {
                path: path.to_owned(),
                loc: loc(2),
            },
            steps: Vec::new(),
            sink: loc(4),
            sink_name: "child_process.exec".to_owned(),
        }
    }

    fn findings(f: Function, flows: Vec<Flow>) -> Vec<perimeter_diagnostics::Finding> {
        let mut app = Application::new("template.yaml", Framework::Sam, "");
        let summary = FunctionSummary {
            function: f.id.clone(),
            flows,
            ..FunctionSummary::default()
        };
        app.functions.push(f);
        let summaries = vec![summary];
        let code_rules = Selection {
            select: vec!["INJ".to_owned(), "ERR".to_owned()],
            ..Selection::default()
        };
        run(&[AppContext::new(&app, &summaries)], &code_rules)
    }

    #[test]
    fn http_sources_are_critical_for_command_injection() {
        let fs = findings(
            function("Api", &[EventKind::HttpApi]),
            vec![flow(Kind::InjectionOsCommand, "queryStringParameters.file")],
        );
        assert_eq!(fs.len(), 1);
        let f = &fs[0];
        assert_eq!(
            (f.rule.as_str(), f.severity, f.line),
            ("INJ003", Severity::Critical, 3)
        );
        assert_eq!(
            f.message,
            "event data `queryStringParameters.file` reaches `child_process.exec`"
        );
        assert_eq!(f.trace.len(), 2);
        assert_eq!(f.trace[0].note, "event.queryStringParameters.file");
        assert_eq!(f.function.as_deref(), Some("Api"));
    }

    #[test]
    fn authorizer_claims_are_trusted() {
        let fs = findings(
            function("Api", &[EventKind::Http]),
            vec![flow(
                Kind::InjectionSql,
                "requestContext.authorizer.claims.sub",
            )],
        );
        assert!(fs.is_empty());
    }

    #[test]
    fn queue_and_internal_sources_are_medium() {
        let fs = findings(
            function("Worker", &[EventKind::Sqs]),
            vec![flow(Kind::InjectionSql, "Records[].body")],
        );
        assert_eq!(
            fs.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::Medium]
        );
        let fs = findings(function("Internal", &[]), vec![flow(Kind::Ssrf, "*")]);
        assert_eq!(
            fs.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::Medium]
        );
    }

    #[test]
    fn uploads_are_high_and_schedules_are_ignored() {
        let fs = findings(
            function("Thumb", &[EventKind::S3]),
            vec![flow(Kind::InjectionOsCommand, "Records[].s3.object.key")],
        );
        assert_eq!(
            fs.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [Severity::High]
        );
        let fs = findings(
            function("Cron", &[EventKind::Schedule]),
            vec![flow(Kind::InjectionOsCommand, "detail.x")],
        );
        assert!(fs.is_empty());
        // An HTTP path in a queue consumer cannot happen: the event has no such field.
        let fs = findings(
            function("Worker", &[EventKind::Sqs]),
            vec![flow(Kind::Xss, "queryStringParameters.q")],
        );
        assert!(fs.is_empty());
    }

    #[test]
    fn verbose_errors_only_for_http_functions() {
        let mut fl = flow(Kind::VerboseError, "error");
        fl.sink_name = "return".to_owned();
        let fs = findings(function("Api", &[EventKind::HttpApi]), vec![fl.clone()]);
        assert_eq!(
            fs.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            ["ERR001"]
        );
        assert!(findings(function("Worker", &[EventKind::Sqs]), vec![fl]).is_empty());
    }
}
