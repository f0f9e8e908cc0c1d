//! INJ010: messages forwarded in an outbound request that carries the function's credential.
use perimeter_code::ResourceExpr;
use perimeter_graph::{EdgeKind, Provenance};
use perimeter_model::{Function, Value};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a function triggered by a queue, topic, stream, bus or direct invocation that
    /// sends the data of its event on in an outbound HTTP request while it holds a
    /// credential (an environment variable named like a password, token, key or `auth`):
    /// the request goes out with the function's authority, whoever wrote the message.
    /// Reported when something outside the application's functions can write to the
    /// trigger (a role granted to send to it, a resource declared elsewhere): high when the
    /// data is traced to an attacker, medium otherwise. A trigger only the application's
    /// own functions write clean data to is not reported; endpoints behind an HTTP API are
    /// judged by the injection rules instead.
    ///
    /// ## Why is this bad?
    /// A queue worker that adds `auth` to the message and posts it to an internal service is
    /// a confused deputy: anyone with `sqs:SendMessage` on the queue can forge a message and
    /// have the service act on it as if the application had sent it (credit an account,
    /// approve an order).
    ///
    /// ## Example
    /// ```python
    /// body = json.loads(event["Records"][0]["body"])
    /// body["auth"] = os.environ["auth"]
    /// urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(body).encode()))
    /// ```
    /// Use instead: verify the message (a signature by its producer, or an allow-list of
    /// fields and values) before acting on it, and restrict who can write to the trigger.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-441: Unintended Proxy or Intermediary ('Confused Deputy')
    pub struct CredentialRelay {
        code: "INJ010",
        name: "credential-relay",
        kind: Kind::Ssrf,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// The credential the function reads from its environment, if any.
fn credential<'f>(f: &'f Function, reads: &'f [String]) -> Option<&'f str> {
    reads.iter().map(String::as_str).find(|name| {
        let literal = f.env(name).and_then(|e| match &e.value.value {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        });
        is_secret_name(name) || (is_auth_name(name) && !literal.is_some_and(is_auth_mode))
    })
}

impl Rule for CredentialRelay {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let Some(g) = cx.graph else {
            return;
        };
        for (f, summary) in cx.analysed() {
            if f.is_internet_facing() {
                continue;
            }
            let Some(cred) = credential(f, &summary.env_reads) else {
                continue;
            };
            for call in summary.sdk_calls.iter().filter(|c| c.is_http()) {
                let Some(p) = &call.tainted else { continue };
                if p.source.path == "error" || super::flow::exposure(f, &p.source.path).is_none() {
                    continue;
                }
                let (severity, mut trace) = match g.provenance_of(f, &p.source) {
                    Provenance::Upstream(t) => (Severity::High, t),
                    Provenance::External => (Severity::Medium, Vec::new()),
                    Provenance::Trusted | Provenance::Caller | Provenance::Public(_) => continue,
                };
                let id = Some(f.id.as_str());
                trace.push(perimeter_diagnostics::TraceStep::at(
                    &p.source.loc,
                    id,
                    format!("event.{}", p.source.path),
                ));
                trace.extend(
                    p.steps
                        .iter()
                        .map(|s| perimeter_diagnostics::TraceStep::at(&s.loc, id, s.note.clone())),
                );
                let to = match &call.resource {
                    ResourceExpr::Env(v) => format!("the URL in `{v}`"),
                    ResourceExpr::Literal(u) | ResourceExpr::Pattern(u) => format!("`{u}`"),
                    ResourceExpr::Unknown(_) => "an HTTP endpoint".to_owned(),
                };
                trace.push(perimeter_diagnostics::TraceStep::at(
                    &call.loc,
                    id,
                    format!("sent to {to} with the credential `{cred}`"),
                ));
                // Who, besides the application's functions, may write to the trigger.
                let writer = g
                    .edges
                    .iter()
                    .filter(|e| e.kind == EdgeKind::Trigger && e.to == f.id)
                    .find_map(|e| {
                        g.granted_outside(&e.from, e.channel).map(|r| {
                            format!(
                                " (`{r}` may write to `{}`)",
                                e.from.trim_start_matches("name:")
                            )
                        })
                    })
                    .unwrap_or_default();
                out.report(
                    &call.loc,
                    format!(
                        "event data `{}` is sent to {to} in a request that carries the function's credential `{cred}`: whoever can write to the trigger{writer} makes requests with it",
                        p.source.path
                    ),
                )
                .severity(severity)
                .function(&f.id)
                .trace(trace)
                .help("Verify the message (its producer's signature, an allow-list of fields) before forwarding it, and restrict who can write to the trigger");
            }
        }
    }
}
