//! The application graph: functions, the resources they write to (resolved from their SDK
//! calls through environment variables and literals), and the triggers those resources
//! fire. Taint crosses it: data an attacker controls in one function's event, written to a
//! queue, topic, bucket, table, stream or invocation, becomes the attacker's data in the
//! event of the function that resource triggers. Propagation runs to a fixpoint, so chains
//! of any length and cycles are handled.

mod generated;
pub mod map;
pub mod policy;
pub mod privilege;

use perimeter_code::{FunctionSummary, ResourceExpr, SdkCall, Source, Step};
use perimeter_diagnostics::TraceStep;
use perimeter_model::{Application, EventKind, Function, Node};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A resource identity inside one application: a logical id, or `name:<name>` for a
/// resource known only by its physical name.
pub type Target = String;

/// How data moves from a write to a trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// SQS message body.
    Sqs,
    /// SNS message.
    Sns,
    /// S3 object (key and content).
    S3,
    /// DynamoDB stream record.
    DynamoDb,
    /// Kinesis record.
    Kinesis,
    /// Direct invocation payload.
    Invoke,
    /// EventBridge event detail.
    EventBridge,
    /// Step Functions execution input.
    StepFunctions,
    /// An HTTP request from one function to an endpoint of the application's own API.
    Http,
}

impl Channel {
    /// Short name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Sqs => "sqs",
            Channel::Sns => "sns",
            Channel::S3 => "s3",
            Channel::DynamoDb => "dynamodb",
            Channel::Kinesis => "kinesis",
            Channel::Invoke => "invoke",
            Channel::EventBridge => "eventbridge",
            Channel::StepFunctions => "stepfunctions",
            Channel::Http => "http",
        }
    }

    /// The channel an SDK write goes through, for the operations that deliver data to a
    /// consumer.
    pub fn of_write(call: &SdkCall) -> Option<Channel> {
        Some(match (call.service.as_str(), call.operation.as_str()) {
            ("sqs", "SendMessage" | "SendMessageBatch") => Channel::Sqs,
            ("sns", "Publish" | "PublishBatch") => Channel::Sns,
            ("s3", "PutObject" | "CopyObject" | "CompleteMultipartUpload" | "UploadPart") => {
                Channel::S3
            }
            (
                "dynamodb",
                "PutItem" | "UpdateItem" | "BatchWriteItem" | "TransactWriteItems" | "DeleteItem"
                | "ExecuteStatement",
            ) => Channel::DynamoDb,
            ("kinesis", "PutRecord" | "PutRecords") => Channel::Kinesis,
            ("lambda", "Invoke" | "InvokeAsync" | "InvokeWithResponseStream") => Channel::Invoke,
            ("events", "PutEvents") => Channel::EventBridge,
            ("states", "StartExecution" | "StartSyncExecution") => Channel::StepFunctions,
            ("http", _) => Channel::Http,
            // Azure output bindings, named by their binding type.
            ("azure", "queue" | "serviceBus") => Channel::Sqs,
            ("azure", "blob") => Channel::S3,
            ("azure", "eventHub") => Channel::Kinesis,
            ("azure", "cosmosDB") => Channel::DynamoDb,
            _ => return None,
        })
    }

    /// The channel a trigger listens on.
    pub const fn of_trigger(kind: EventKind) -> Option<Channel> {
        match kind {
            EventKind::Sqs => Some(Channel::Sqs),
            EventKind::Sns => Some(Channel::Sns),
            EventKind::S3 => Some(Channel::S3),
            EventKind::DynamoDbStream => Some(Channel::DynamoDb),
            EventKind::KinesisStream => Some(Channel::Kinesis),
            EventKind::EventBridge => Some(Channel::EventBridge),
            EventKind::StepFunctions => Some(Channel::StepFunctions),
            _ => None,
        }
    }

    /// Whether a consumer's source path is fed by this channel's data.
    pub fn feeds(self, path: &str) -> bool {
        // A pipe hands its target the batch itself: `[].body` is a queue's `Records[].body`.
        let piped;
        let path = match path.strip_prefix("[]") {
            Some(rest) if matches!(self, Channel::Sqs | Channel::Kinesis | Channel::DynamoDb) => {
                piped = format!("Records[]{rest}");
                piped.as_str()
            }
            _ => path,
        };
        let under = |prefix: &str| {
            path == prefix
                || path.starts_with(&format!("{prefix}."))
                || path.starts_with(&format!("{prefix}["))
        };
        match self {
            Channel::Sqs => under("Records[].body"),
            Channel::Sns => under("Records[].Sns.Message") || under("Records[].Sns"),
            Channel::S3 => under("Records[].s3.object.key") || under("s3-object"),
            Channel::DynamoDb => under("Records[].dynamodb"),
            Channel::Kinesis => under("Records[].kinesis.data") || under("Records[].kinesis"),
            Channel::Invoke | Channel::StepFunctions => !path.starts_with("error"),
            Channel::EventBridge => under("detail"),
            Channel::Http => http_controlled(path),
        }
    }
}

/// How the platform calls a function's handler, from the model: Azure Functions pass the
/// trigger's data (named where a Lambda event holds the same data) after the context.
pub fn convention(app: &Application, f: &Function) -> perimeter_code::handler::Convention {
    use perimeter_code::handler::Convention;
    if app.framework != perimeter_model::Framework::Azure {
        return Convention::Lambda;
    }
    let root = if f.events.iter().any(|e| e.route.is_some()) {
        "req"
    } else {
        match f.events.first().map(|e| e.kind) {
            Some(EventKind::Sqs) => "Records[].body",
            Some(EventKind::S3) => "s3-object",
            Some(EventKind::KinesisStream) => "Records[].kinesis.data",
            Some(EventKind::DynamoDbStream) => "Records[].dynamodb.NewImage",
            Some(EventKind::EventBridge) => "detail",
            _ => "",
        }
    };
    Convention::Azure { root }
}

/// A function's output bindings, for the code analysis.
pub fn outputs(f: &Function) -> Vec<perimeter_code::handler::Output> {
    f.outputs
        .iter()
        .map(|o| perimeter_code::handler::Output {
            name: o.name.clone(),
            binding: o.binding.clone(),
            resource: o.resource.clone(),
        })
        .collect()
}

/// The fields of a Lambda event that only an HTTP request (API Gateway, a function URL, a
/// load balancer) carries, and that its caller writes.
pub const HTTP_REQUEST_FIELDS: &[&str] = &[
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "headers",
    "multiValueHeaders",
    "cookies",
    "rawPath",
    "rawQueryString",
];

/// Whether a source path is data a caller of an HTTP endpoint controls. Authorizer claims
/// are set by the authorizer, not the caller.
pub fn http_controlled(path: &str) -> bool {
    const ROOTS: &[&str] = &[
        "body",
        "path",
        "*",
        "req.",
        "request.",
        "app.current_request",
        "route.",
    ];
    if path.starts_with("requestContext.authorizer") || path.contains(".authorizer.") {
        return false;
    }
    HTTP_REQUEST_FIELDS.iter().chain(ROOTS).any(|r| {
        path == r.trim_end_matches('.')
            || (r.ends_with('.') && path.starts_with(r))
            || path.starts_with(&format!("{r}."))
            || path.starts_with(&format!("{r}["))
    })
}

/// An edge of the graph.
#[derive(Clone, Debug)]
pub struct Edge {
    /// Where it starts: a function id or a target.
    pub from: String,
    /// Where it ends.
    pub to: String,
    /// What flows.
    pub channel: Channel,
    /// A write (function to resource) or a trigger (resource to function) or a
    /// subscription (resource to resource).
    pub kind: EdgeKind,
    /// For writes: the index of the SDK call in the function's summary.
    pub call: Option<usize>,
}

/// Kinds of edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A function writes to a resource (or invokes a function).
    Write,
    /// A resource triggers a function.
    Trigger,
    /// A resource forwards to another (SNS topic to SQS queue).
    Forward,
}

/// A trace shared between the inflows that extend it: each hop of a chain adds its own steps
/// to its producer's trace instead of copying it, so a chain of `n` functions holds `O(n)`
/// steps rather than `O(n²)`.
#[derive(Clone, Debug, Default)]
pub struct Trace(Option<Arc<TraceLink>>);

#[derive(Debug)]
struct TraceLink {
    prev: Trace,
    steps: Vec<TraceStep>,
    len: usize,
}

impl Drop for TraceLink {
    // Unlinks a long chain one link at a time instead of recursively.
    fn drop(&mut self) {
        let mut next = self.prev.0.take();
        while let Some(link) = next {
            next = match Arc::try_unwrap(link) {
                Ok(mut owned) => owned.prev.0.take(),
                Err(_) => None,
            };
        }
    }
}

impl Trace {
    /// This trace followed by `steps`.
    pub fn then(&self, steps: Vec<TraceStep>) -> Trace {
        if steps.is_empty() {
            return self.clone();
        }
        Trace(Some(Arc::new(TraceLink {
            prev: self.clone(),
            len: self.len() + steps.len(),
            steps,
        })))
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |l| l.len)
    }

    /// Whether it has no step.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The steps, in order.
    pub fn to_vec(&self) -> Vec<TraceStep> {
        let mut links = Vec::new();
        let mut at = self.0.as_deref();
        while let Some(l) = at {
            links.push(&l.steps);
            at = l.prev.0.as_deref();
        }
        let mut out = Vec::with_capacity(self.len());
        for steps in links.into_iter().rev() {
            out.extend(steps.iter().cloned());
        }
        out
    }
}

impl From<Vec<TraceStep>> for Trace {
    fn from(steps: Vec<TraceStep>) -> Self {
        Trace::default().then(steps)
    }
}

/// Attacker-controlled data arriving in a function's event through the graph.
#[derive(Clone, Debug)]
pub struct Inflow {
    /// The channel it arrives on.
    pub channel: Channel,
    /// The producing function.
    pub producer: String,
    /// The resource it travelled through.
    pub resource: Target,
    /// The steps from the original source to the write, across every function before.
    pub trace: Trace,
    /// When the payload is an object whose fields are known: each top-level field and the
    /// trace of the attacker data it carries (`None` when it carries none). A consumer reading
    /// another field, or a clean one, is not fed by this inflow.
    pub parts: Vec<(String, Option<Trace>)>,
}

impl Inflow {
    /// The trace of the data at a source path of the consumer, when this inflow feeds it.
    pub fn feeding(&self, path: &str) -> Option<&Trace> {
        if !self.channel.feeds(path) {
            return None;
        }
        // A stream record carries the item's attributes: one the writer set from clean data
        // (a constant, a generated id) does not carry the attacker's. An attribute the write
        // does not name (the item was built in a way not followed) keeps the whole trace.
        if self.channel == Channel::DynamoDb
            && let Some(attr) = stream_attribute(path)
            && let Some((_, t)) = self.parts.iter().find(|(n, _)| n == attr)
        {
            return t.as_ref();
        }
        let whole_event = matches!(self.channel, Channel::Invoke | Channel::StepFunctions);
        if self.parts.is_empty() || !whole_event || path.is_empty() || path == "*" {
            return Some(&self.trace);
        }
        let name = path.split(['.', '[']).next().unwrap_or(path);
        self.parts
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, t)| t.as_ref())
    }
}

/// The item attribute a DynamoDB stream path reads (`Records[].dynamodb.NewImage.name.S` is
/// `name`), from the new or old image or the keys.
fn stream_attribute(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("Records[].dynamodb.")?;
    let rest = ["NewImage.", "OldImage.", "Keys."]
        .iter()
        .find_map(|p| rest.strip_prefix(p))?;
    let name = rest.split(['.', '[']).next()?;
    (!name.is_empty()).then_some(name)
}

/// The attacker origin of one payload field: the trace before the producer, its source
/// there and the steps to the write.
type PartOrigin<'s> = (Trace, &'s Source, &'s [Step]);

/// The graph of one application.
pub struct AppGraph<'a> {
    /// The application.
    pub app: &'a Application,
    /// Its functions' summaries.
    pub summaries: &'a [FunctionSummary],
    /// Edges, in a deterministic order.
    pub edges: Vec<Edge>,
    /// Per consumer function: attacker-controlled inflows.
    pub inflows: FxHashMap<String, Vec<Inflow>>,
    /// Why propagation stopped before its fixpoint (the memory limit), when it did.
    pub stopped: Option<String>,
    /// Edge indices by their `from` end, in edge order (edges are sorted by `from`).
    by_from: FxHashMap<String, std::ops::Range<usize>>,
    /// Edge indices by their `to` end, in edge order.
    by_to: FxHashMap<String, Vec<usize>>,
    /// Function and summary positions by function id.
    functions: FxHashMap<&'a str, &'a Function>,
    summary_at: FxHashMap<&'a str, usize>,
    /// Channels with an SDK write not resolved to any resource.
    unresolved: Vec<Channel>,
}

impl<'a> AppGraph<'a> {
    /// Builds the graph and propagates taint to a fixpoint.
    pub fn build(app: &'a Application, summaries: &'a [FunctionSummary]) -> Self {
        Self::build_bounded(app, summaries, &|| None)
    }

    /// [`AppGraph::build`], stopping the propagation when `over` gives a reason (the scan
    /// holds more memory than its limit): the reason is kept in [`AppGraph::stopped`].
    pub fn build_bounded(
        app: &'a Application,
        summaries: &'a [FunctionSummary],
        over: &dyn Fn() -> Option<String>,
    ) -> Self {
        let mut edges = Vec::new();
        for f in &app.functions {
            for e in &f.events {
                let Some(channel) = Channel::of_trigger(e.kind) else {
                    continue;
                };
                let mut targets = e
                    .source
                    .as_ref()
                    .map(|n| node_targets(app, n))
                    .unwrap_or_default();
                if channel == Channel::EventBridge && targets.is_empty() {
                    // A rule without a bus listens on the account's default bus.
                    targets.push(DEFAULT_BUS.to_owned());
                }
                for t in targets {
                    edges.push(Edge {
                        from: t,
                        to: f.id.clone(),
                        channel,
                        kind: EdgeKind::Trigger,
                        call: None,
                    });
                }
            }
        }
        forwards(app, &mut edges);
        state_machine_tasks(app, &mut edges);
        for s in summaries {
            let Some(f) = app.function(&s.function) else {
                continue;
            };
            for (i, call) in s.sdk_calls.iter().enumerate() {
                let Some(channel) = Channel::of_write(call) else {
                    continue;
                };
                let targets = match channel {
                    Channel::Invoke => function_targets(app, f, &call.resource),
                    Channel::EventBridge => bus_targets(app, f, &call.resource),
                    Channel::Http => route_targets(app, f, call),
                    _ => expr_targets(app, f, &call.resource),
                };
                for t in targets {
                    edges.push(Edge {
                        from: f.id.clone(),
                        to: t,
                        channel,
                        kind: EdgeKind::Write,
                        call: Some(i),
                    });
                }
            }
        }
        edges.sort_by(|a, b| {
            (&a.from, &a.to, a.channel, a.call).cmp(&(&b.from, &b.to, b.channel, b.call))
        });
        edges.dedup_by(|a, b| {
            a.from == b.from && a.to == b.to && a.channel == b.channel && a.call == b.call
        });
        let mut by_from: FxHashMap<String, std::ops::Range<usize>> = FxHashMap::default();
        let mut start = 0;
        for i in 1..=edges.len() {
            if i == edges.len() || edges[i].from != edges[start].from {
                by_from.insert(edges[start].from.clone(), start..i);
                start = i;
            }
        }
        let mut by_to: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, e) in edges.iter().enumerate() {
            by_to.entry(e.to.clone()).or_default().push(i);
        }
        let mut functions = FxHashMap::default();
        for f in &app.functions {
            functions.entry(f.id.as_str()).or_insert(f);
        }
        let mut summary_at = FxHashMap::default();
        for (i, s) in summaries.iter().enumerate() {
            summary_at.entry(s.function.as_str()).or_insert(i);
        }
        let mut g = Self {
            app,
            summaries,
            edges,
            inflows: FxHashMap::default(),
            stopped: None,
            by_from,
            by_to,
            functions,
            summary_at,
            unresolved: Vec::new(),
        };
        g.unresolved = g.find_unresolved();
        g.stopped = over();
        if g.stopped.is_none() {
            g.propagate(over);
        }
        if g.stopped.is_none() {
            g.stopped = over();
        }
        g
    }

    /// The edges that start at a function or target, in edge order.
    fn edges_from(&self, from: &str) -> &[Edge] {
        self.by_from
            .get(from)
            .map_or(&[][..], |r| &self.edges[r.clone()])
    }

    /// The edges that end at a function or target, in edge order.
    fn edges_to<'s>(&'s self, to: &str) -> impl Iterator<Item = &'s Edge> + 's {
        self.by_to
            .get(to)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.edges[i])
    }

    /// A function of the application by id.
    fn function(&self, id: &str) -> Option<&'a Function> {
        self.functions.get(id).copied()
    }

    /// The summary of a function.
    pub fn summary(&self, function: &str) -> Option<&FunctionSummary> {
        self.summary_at.get(function).map(|&i| &self.summaries[i])
    }

    /// The consumers a write reaches: `(consumer function, channel as delivered, resource)`.
    pub fn consumers_of(&self, producer: &str, call: usize) -> Vec<(&str, Channel, &str)> {
        let mut out = Vec::new();
        for w in self
            .edges_from(producer)
            .iter()
            .filter(|e| e.kind == EdgeKind::Write && e.call == Some(call))
        {
            if matches!(w.channel, Channel::Invoke | Channel::Http) {
                out.push((w.to.as_str(), w.channel, w.to.as_str()));
                continue;
            }
            let mut frontier = vec![(w.to.as_str(), w.channel)];
            let mut seen = Vec::new();
            while let Some((res, ch)) = frontier.pop() {
                if seen.contains(&res) || seen.len() > 64 {
                    continue;
                }
                seen.push(res);
                for e in self.edges_from(res) {
                    match e.kind {
                        EdgeKind::Trigger
                            if (e.channel == ch || ch == Channel::StepFunctions)
                                && self.rule_admits(&e.to, res, producer, call) =>
                        {
                            out.push((e.to.as_str(), e.channel, w.to.as_str()));
                        }
                        EdgeKind::Forward => frontier.push((e.to.as_str(), e.channel)),
                        _ => {}
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn propagate(&mut self, over: &dyn Fn() -> Option<String>) {
        // Each round adds inflows; a consumer keeps one inflow per (channel, producer,
        // resource), the first (shortest) found, so cycles terminate.
        // A producer is processed again only when its inflows grew since its last pass (or
        // when it reads stored data, whose origin depends on other functions): otherwise the
        // pass would find the same origins and only known consumers. Rounds and order stay
        // those of full passes, so the inflows found (and their traces) are the same.
        let max_rounds = self.app.functions.len() + 2;
        let stored: Vec<bool> = self
            .summaries
            .iter()
            .map(|s| {
                s.sdk_calls.iter().any(|c| {
                    c.tainted.as_ref().is_some_and(|p| {
                        p.source.is_stored()
                            || p.parts
                                .iter()
                                .any(|x| x.taint.as_ref().is_some_and(|(src, _)| src.is_stored()))
                    })
                })
            })
            .collect();
        // Inflow count of each function when its summary was last processed.
        let mut seen: Vec<Option<usize>> = vec![None; self.summaries.len()];
        // The (consumer, channel, producer, resource) of every inflow found.
        let mut known: rustc_hash::FxHashSet<(String, Channel, String, String)> =
            rustc_hash::FxHashSet::default();
        for _ in 0..max_rounds {
            let mut added = false;
            for (si, s) in self.summaries.iter().enumerate() {
                let Some(producer) = self.function(&s.function) else {
                    continue;
                };
                let now = self.inflows.get(&s.function).map_or(0, Vec::len);
                if !stored[si] && seen[si] == Some(now) {
                    continue;
                }
                seen[si] = Some(now);
                if let Some(why) = over() {
                    self.stopped = Some(why);
                    return;
                }
                for (i, call) in s.sdk_calls.iter().enumerate() {
                    let Some(payload) = &call.tainted else {
                        continue;
                    };
                    let Some(origin) = self.origin_trace(producer, &payload.source, 0) else {
                        continue;
                    };
                    let parts: Vec<(&str, Option<PartOrigin<'_>>)> = payload
                        .parts
                        .iter()
                        .map(|p| {
                            let t = p.taint.as_ref().and_then(|(src, steps)| {
                                self.origin_trace(producer, src, 0)
                                    .map(|o| (o, src, steps.as_slice()))
                            });
                            (p.name.as_str(), t)
                        })
                        .collect();
                    let consumers: Vec<(String, Channel, String)> = self
                        .consumers_of(&producer.id, i)
                        .into_iter()
                        .map(|(c, ch, r)| (c.to_owned(), ch, r.to_owned()))
                        .collect();
                    for (consumer, channel, resource) in consumers {
                        let resource = resource.as_str();
                        let key = (
                            consumer.clone(),
                            channel,
                            producer.id.clone(),
                            resource.to_owned(),
                        );
                        if known.contains(&key) {
                            continue;
                        }
                        known.insert(key);
                        let note = if call.service == "azure" {
                            format!(
                                "written to {} `{}` through an output binding",
                                call.operation,
                                resource.rsplit(':').next().unwrap_or(resource),
                            )
                        } else {
                            format!(
                                "written to {} `{}` ({}.{})",
                                channel.as_str(),
                                resource.trim_start_matches("name:"),
                                call.service,
                                call.operation
                            )
                        };
                        let write = TraceStep::at(&call.loc, Some(&producer.id), note);
                        let hop = |origin: &Trace, src: &Source, steps: &[Step]| {
                            let mut own = Vec::with_capacity(steps.len() + 2);
                            own.push(TraceStep::at(
                                &src.loc,
                                Some(&producer.id),
                                source_note(src),
                            ));
                            own.extend(steps.iter().map(|st| step(st, &producer.id)));
                            own.push(write.clone());
                            origin.then(own)
                        };
                        let trace = hop(&origin, &payload.source, &payload.steps);
                        let parts = parts
                            .iter()
                            .map(|(name, t)| {
                                (
                                    (*name).to_owned(),
                                    t.as_ref().map(|(o, src, steps)| hop(o, src, steps)),
                                )
                            })
                            .collect();
                        let inflow = Inflow {
                            channel,
                            producer: producer.id.clone(),
                            resource: resource.to_owned(),
                            trace,
                            parts,
                        };
                        self.inflows.entry(consumer).or_default().push(inflow);
                        added = true;
                    }
                }
            }
            if !added {
                break;
            }
        }
        for v in self.inflows.values_mut() {
            v.sort_by(|a, b| {
                (a.trace.len(), &a.producer, &a.resource).cmp(&(
                    b.trace.len(),
                    &b.producer,
                    &b.resource,
                ))
            });
        }
    }

    /// Whether a source in a function is attacker-controlled, and the trace before it:
    /// empty for a source an HTTP caller controls directly, the upstream steps for data that
    /// arrived through the graph.
    pub fn origin(&self, f: &Function, source: &Source) -> Option<Vec<TraceStep>> {
        self.origin_trace(f, source, 0).map(|t| t.to_vec())
    }

    /// [`AppGraph::origin`], as a shared trace (`depth`: of the table reads followed).
    pub fn origin_trace(&self, f: &Function, source: &Source, depth: usize) -> Option<Trace> {
        if f.is_internet_facing() && http_controlled(&source.path) {
            // An endpoint another function of the application calls with attacker data: the
            // whole path through the application tells more than the endpoint alone.
            let relayed = self
                .inflow(&f.id, &source.path)
                .filter(|(i, _)| i.channel == Channel::Http);
            return Some(relayed.map(|(_, t)| t.clone()).unwrap_or_default());
        }
        if source.is_stored() {
            return match self.stored(f, source, depth) {
                Stored::Attacker(trace) => Some(trace),
                _ => None,
            };
        }
        self.inflow(&f.id, &source.path).map(|(_, t)| t.clone())
    }

    /// Who wrote the items a function reads back from a table: the read is the SDK call at
    /// the source's place, its table resolved like any other resource, its writers the
    /// application's functions that put items there.
    fn stored(&self, f: &Function, source: &Source, depth: usize) -> Stored {
        if depth > 4 {
            return Stored::Unknown;
        }
        let Some(summary) = self.summary(&f.id) else {
            return Stored::Unknown;
        };
        let Some(read) = summary.sdk_calls.iter().find(|c| c.loc == source.loc) else {
            return Stored::Unknown;
        };
        let tables = expr_targets(self.app, f, &read.resource);
        if tables.is_empty() {
            return Stored::Unknown;
        }
        let mut unknown = false;
        let mut best = None;
        for w in self.edges.iter().filter(|e| {
            e.kind == EdgeKind::Write && e.channel == Channel::DynamoDb && tables.contains(&e.to)
        }) {
            let (Some(writer), Some(ws)) = (self.app.function(&w.from), self.summary(&w.from))
            else {
                continue;
            };
            let Some(call) = w.call.and_then(|i| ws.sdk_calls.get(i)) else {
                continue;
            };
            let Some(payload) = &call.tainted else {
                continue;
            };
            // The reader reads one attribute and the writer's item is known: only what the
            // writer put in that attribute reaches the reader.
            let (wsource, wsteps) = match source.stored_attribute() {
                Some(attr) if !payload.parts.is_empty() => {
                    match payload.parts.iter().find(|p| p.name == attr) {
                        Some(perimeter_code::PayloadPart {
                            taint: Some((s, st)),
                            ..
                        }) => (s, st),
                        _ => continue,
                    }
                }
                _ => (&payload.source, &payload.steps),
            };
            match self.origin_trace(writer, wsource, depth + 1) {
                Some(origin) => {
                    let mut trace = vec![TraceStep::at(
                        &wsource.loc,
                        Some(&writer.id),
                        source_note(wsource),
                    )];
                    trace.extend(wsteps.iter().map(|st| step(st, &writer.id)));
                    trace.push(TraceStep::at(
                        &call.loc,
                        Some(&writer.id),
                        format!(
                            "stored in table `{}` ({}.{})",
                            w.to.trim_start_matches("name:"),
                            call.service,
                            call.operation
                        ),
                    ));
                    // Another function's write before the reader's own, item content
                    // before a key that only picks the item, then the most direct writer:
                    // the clearest story.
                    let trace = origin.then(trace);
                    let rank = (writer.id == f.id, payload.field == "Key", trace.len());
                    if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                        best = Some((rank, trace));
                    }
                }
                None => unknown = true,
            }
        }
        if let Some((_, trace)) = best {
            return Stored::Attacker(trace);
        }
        if unknown {
            Stored::Unknown
        } else {
            Stored::Clean
        }
    }

    /// The inflow that feeds a source path of a function, if any, and the trace of the data
    /// there.
    pub fn inflow(&self, function: &str, path: &str) -> Option<(&Inflow, &Trace)> {
        self.inflows
            .get(function)?
            .iter()
            .find_map(|i| i.feeding(path).map(|t| (i, t)))
    }

    /// Whether an event a producer writes to a bus can reach a consumer through the rules
    /// that connect them: a bus is not its rules, and a rule delivers only the events its
    /// pattern matches. Anything else (another channel, a value not known, a pattern not
    /// read) is admitted.
    fn rule_admits(&self, consumer: &str, bus: &str, producer: &str, call: usize) -> bool {
        let Some(written) = self.summary(producer).and_then(|s| s.sdk_calls.get(call)) else {
            return true;
        };
        // An object written to a bucket reaches the bus as an event of the S3 service.
        let from_s3 = written.service == "s3" && bus == DEFAULT_BUS;
        if written.service != "events" && !from_s3 {
            return true;
        }
        let Some(f) = self.app.function(consumer) else {
            return true;
        };
        let value = |name: &str| {
            written
                .fields
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.as_deref())
        };
        let (source, detail_type) = if from_s3 {
            (Some("aws.s3"), None)
        } else {
            (value("Source"), value("DetailType"))
        };
        let mut rules = f.events.iter().filter(|e| {
            e.kind == EventKind::EventBridge && {
                let on = e
                    .source
                    .as_ref()
                    .map(|n| node_targets(self.app, n))
                    .unwrap_or_default();
                on.iter().any(|t| t == bus) || (on.is_empty() && bus == DEFAULT_BUS)
            }
        });
        rules.any(|e| {
            let Some(pattern) = event_pattern(e) else {
                return true;
            };
            pattern_field_admits(&pattern, "source", source)
                && pattern_field_admits(&pattern, "detail-type", detail_type)
        })
    }

    /// Functions that write to a resource that triggers them, directly or through other
    /// functions: each cycle as the list of `(function, call index, resource)` hops.
    pub fn cycles(&self) -> Vec<Vec<(String, usize, Target)>> {
        let mut out = Vec::new();
        for s in self.summaries {
            for (i, _) in s.sdk_calls.iter().enumerate() {
                for (consumer, _, resource) in self.consumers_of(&s.function, i) {
                    if consumer == s.function {
                        out.push(vec![(s.function.clone(), i, resource.to_owned())]);
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

fn source_note(s: &Source) -> String {
    if s.path == "*" {
        "event".to_owned()
    } else {
        format!("event.{}", s.path)
    }
}

fn step(s: &Step, function: &str) -> TraceStep {
    TraceStep::at(&s.loc, Some(function), s.note.clone())
}

/// Resource-to-resource forwarding: SNS subscriptions of SQS queues, queues to their
/// dead-letter queues, buckets to the default event bus, pipes from their sources.
fn forwards(app: &Application, edges: &mut Vec<Edge>) {
    for r in &app.resources {
        match r.type_name.as_str() {
            "AWS::SNS::Subscription" => {
                let proto = r.prop("Protocol").and_then(Node::as_str).unwrap_or("");
                if !proto.eq_ignore_ascii_case("sqs") {
                    continue;
                }
                let (Some(topic), Some(endpoint)) = (r.prop("TopicArn"), r.prop("Endpoint")) else {
                    continue;
                };
                for t in node_targets(app, topic) {
                    for q in node_targets(app, endpoint) {
                        edges.push(Edge {
                            from: t.clone(),
                            to: q,
                            channel: Channel::Sqs,
                            kind: EdgeKind::Forward,
                            call: None,
                        });
                    }
                }
            }
            "AWS::SNS::Topic" => {
                for sub in r.prop("Subscription").map(Node::items).unwrap_or_default() {
                    let proto = sub.get("Protocol").and_then(Node::as_str).unwrap_or("");
                    if !proto.eq_ignore_ascii_case("sqs") {
                        continue;
                    }
                    if let Some(endpoint) = sub.get("Endpoint") {
                        for q in node_targets(app, endpoint) {
                            edges.push(Edge {
                                from: r.id.clone(),
                                to: q,
                                channel: Channel::Sqs,
                                kind: EdgeKind::Forward,
                                call: None,
                            });
                        }
                    }
                }
            }
            // A bucket with EventBridge notifications sends an `Object Created` event, with the
            // key, to the account's default bus for every object written.
            "AWS::S3::Bucket" => {
                let enabled = r
                    .prop("NotificationConfiguration")
                    .and_then(|n| n.get("EventBridgeConfiguration"))
                    .and_then(|c| c.get("EventBridgeEnabled"))
                    .and_then(Node::scalar_text)
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                if enabled {
                    edges.push(Edge {
                        from: r.id.clone(),
                        to: DEFAULT_BUS.to_owned(),
                        channel: Channel::EventBridge,
                        kind: EdgeKind::Forward,
                        call: None,
                    });
                }
            }
            "AWS::Pipes::Pipe" => pipe(app, r, edges),
            // A queue's messages that its consumers fail to process move, unchanged, to its
            // dead-letter queue: whoever writes to the queue writes to the dead letters' consumer.
            "AWS::SQS::Queue" => {
                let Some(dlq) = r
                    .prop("RedrivePolicy")
                    .and_then(|p| p.get("deadLetterTargetArn"))
                else {
                    continue;
                };
                for q in node_targets(app, dlq) {
                    if q != r.id {
                        edges.push(Edge {
                            from: r.id.clone(),
                            to: q,
                            channel: Channel::Sqs,
                            kind: EdgeKind::Forward,
                            call: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// An EventBridge Pipe: it reads batches from its source (a queue, a stream, a table's
/// stream) and hands them to its enrichment function and its target (a function, a state
/// machine, a queue, a topic, a bus), unchanged.
fn pipe(app: &Application, r: &perimeter_model::Resource, edges: &mut Vec<Edge>) {
    let Some(source) = r.prop("Source") else {
        return;
    };
    for from in node_targets(app, source) {
        let channel = match app.resource(&from).map(|s| s.type_name.as_str()) {
            Some("AWS::SQS::Queue") => Channel::Sqs,
            Some("AWS::Kinesis::Stream") => Channel::Kinesis,
            Some("AWS::DynamoDB::Table") => Channel::DynamoDb,
            _ => continue,
        };
        let targets = ["Enrichment", "Target"]
            .iter()
            .filter_map(|k| r.prop(k))
            .flat_map(|n| node_targets(app, n));
        for to in targets {
            let (kind, channel) = if app.function(&to).is_some() {
                (EdgeKind::Trigger, channel)
            } else {
                let delivered = match app.resource(&to).map(|t| t.type_name.as_str()) {
                    Some("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine") => {
                        Channel::StepFunctions
                    }
                    Some("AWS::SQS::Queue") => Channel::Sqs,
                    Some("AWS::SNS::Topic") => Channel::Sns,
                    Some("AWS::Events::EventBus") => Channel::EventBridge,
                    Some("AWS::Kinesis::Stream") => Channel::Kinesis,
                    _ => continue,
                };
                (EdgeKind::Forward, delivered)
            };
            edges.push(Edge {
                from: from.clone(),
                to,
                channel,
                kind,
                call: None,
            });
        }
    }
}

/// The event pattern of an EventBridge rule trigger (`EventPattern` of a rule, `Pattern` of
/// a SAM event, `pattern` of a Serverless one), as JSON; a pattern written as a JSON string
/// is parsed.
fn event_pattern(e: &perimeter_model::Event) -> Option<serde_json::Value> {
    let props = e.properties.as_ref()?;
    let p = ["EventPattern", "Pattern", "pattern"]
        .iter()
        .find_map(|k| props.get(k))?;
    match p.as_str() {
        Some(text) => serde_json::from_str(text).ok(),
        None => Some(p.to_json()),
    }
}

/// Whether a pattern's field admits a written value: a field the pattern does not filter, a
/// value not known, or a filter other than exact strings (prefix, anything-but, ...) admits.
fn pattern_field_admits(pattern: &serde_json::Value, field: &str, written: Option<&str>) -> bool {
    let (Some(filter), Some(written)) = (pattern.get(field), written) else {
        return true;
    };
    let values: Vec<&serde_json::Value> = match filter {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if values.iter().any(|v| !v.is_string()) {
        return true;
    }
    values.iter().any(|v| v.as_str() == Some(written))
}

/// The target standing for the account's default EventBridge bus.
const DEFAULT_BUS: &str = "bus:default";

/// `PutEvents` goes to the bus it names, or to the default bus.
fn bus_targets(app: &Application, f: &Function, expr: &ResourceExpr) -> Vec<Target> {
    match expr {
        ResourceExpr::Literal(s) if s == "default" || s.ends_with("event-bus/default") => {
            vec![DEFAULT_BUS.to_owned()]
        }
        ResourceExpr::Unknown(_) => vec![DEFAULT_BUS.to_owned()],
        other => {
            let t = expr_targets(app, f, other);
            if t.is_empty() {
                vec![DEFAULT_BUS.to_owned()]
            } else {
                t
            }
        }
    }
}

/// A state machine passes its input to the functions its states invoke.
fn state_machine_tasks(app: &Application, edges: &mut Vec<Edge>) {
    for r in &app.resources {
        if !matches!(
            r.type_name.as_str(),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine"
        ) {
            continue;
        }
        let Some(props) = &r.properties else { continue };
        let mut ids = props.referenced_ids();
        // Definitions written as JSON strings name functions inside `${...}` substitutions or
        // by their deployed names.
        if let Some(text) = props.get("DefinitionString").and_then(Node::scalar_text) {
            ids.extend(
                app.functions
                    .iter()
                    .filter(|f| text.contains(&f.id))
                    .map(|f| f.id.clone()),
            );
        }
        ids.sort();
        ids.dedup();
        for id in ids.into_iter().filter_map(|id| function_id(app, &id)) {
            edges.push(Edge {
                from: r.id.clone(),
                to: id,
                channel: Channel::StepFunctions,
                kind: EdgeKind::Trigger,
                call: None,
            });
        }
    }
}

const NAME_PROPS: &[&str] = &[
    "QueueName",
    "TopicName",
    "BucketName",
    "TableName",
    "Name",
    "StreamName",
    "FunctionName",
    "StateMachineName",
    "EventBusName",
];

/// The function a logical id designates: its id in the model, or the id the Serverless
/// Framework gives it in CloudFormation (`StepLambdaFunction` for `step`).
pub fn function_id(app: &Application, logical: &str) -> Option<String> {
    app.functions
        .iter()
        .find(|f| {
            f.id == logical || perimeter_model::serverless::function_logical_id(&f.id) == logical
        })
        .map(|f| f.id.clone())
}

/// The targets a descriptor value designates: the logical ids it references that are
/// resources or functions, else a resource whose name it is.
pub fn node_targets(app: &Application, node: &Node) -> Vec<Target> {
    let ids: Vec<Target> = node
        .referenced_ids()
        .into_iter()
        .filter_map(|id| {
            if app.resource(&id).is_some() {
                Some(id)
            } else {
                function_id(app, &id)
            }
        })
        .collect();
    if !ids.is_empty() {
        return ids;
    }
    // `!Sub https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/orders`: the name is
    // the literal last segment.
    if let Some(("Fn::Sub", arg)) = node.intrinsic() {
        let template = match &arg.value {
            perimeter_model::Value::Seq(items) => items.first().and_then(Node::as_str),
            _ => arg.as_str(),
        };
        let last = template.and_then(|t| t.trim_end_matches('/').rsplit([':', '/']).next());
        return last
            .filter(|l| !l.is_empty() && !l.contains("${"))
            .map(|l| name_targets(app, l))
            .unwrap_or_default();
    }
    node.scalar_text()
        .filter(|_| !node.is_symbolic())
        .map(|s| name_targets(app, &s))
        .unwrap_or_default()
}

/// The target a physical name, ARN or URL designates.
pub fn name_targets(app: &Application, text: &str) -> Vec<Target> {
    let name = text
        .trim_end_matches('/')
        .rsplit([':', '/'])
        .next()
        .unwrap_or(text);
    if name.is_empty() {
        return Vec::new();
    }
    for r in &app.resources {
        let named = NAME_PROPS
            .iter()
            .any(|p| r.prop(p).and_then(Node::as_str) == Some(name));
        if named || r.id == name {
            return vec![r.id.clone()];
        }
    }
    vec![format!("name:{name}")]
}

/// The targets a resource expression of an SDK call designates in an application.
pub fn expr_targets(app: &Application, f: &Function, expr: &ResourceExpr) -> Vec<Target> {
    match expr {
        ResourceExpr::Env(var) => f
            .env(var)
            .map(|e| node_targets(app, &e.value))
            .unwrap_or_default(),
        // A resource's own id (an Azure output binding designates its resource by id).
        ResourceExpr::Literal(s) if app.resource(s).is_some() => vec![s.clone()],
        ResourceExpr::Literal(s) => name_targets(app, s),
        ResourceExpr::Pattern(_) | ResourceExpr::Unknown(_) => Vec::new(),
    }
}

/// The text of a URL given in a descriptor, with references as `${Id}`: a `!Sub` template,
/// a `!Join` of parts, or plain text.
fn url_text(node: &Node) -> Option<String> {
    match node.intrinsic() {
        Some(("Fn::Sub", arg)) => match &arg.value {
            perimeter_model::Value::Seq(items) => items.first().and_then(Node::as_str),
            _ => arg.as_str(),
        }
        .map(str::to_owned),
        Some(("Fn::Join", arg)) => {
            let perimeter_model::Value::Seq(items) = &arg.value else {
                return None;
            };
            let sep = items.first().and_then(Node::as_str).unwrap_or("");
            let perimeter_model::Value::Seq(parts) = &items.get(1)?.value else {
                return None;
            };
            let texts: Vec<String> = parts
                .iter()
                .map(|p| match p.intrinsic() {
                    Some(_) => p
                        .referenced_ids()
                        .first()
                        .map_or_else(|| "*".to_owned(), |id| format!("${{{id}}}")),
                    None => p.scalar_text().unwrap_or_else(|| "*".to_owned()),
                })
                .collect();
            Some(texts.join(sep))
        }
        Some(_) => None,
        None => node.scalar_text(),
    }
}

/// The functions behind the application's own endpoint an HTTP request goes to: the URL
/// (a literal, or an environment variable set to the API's address) must name an API
/// Gateway address (`execute-api`) or one of the application's APIs, and its path (with or
/// without the stage as first segment) must match a route the method reaches.
fn route_targets(app: &Application, f: &Function, call: &SdkCall) -> Vec<Target> {
    let text = match &call.resource {
        ResourceExpr::Env(var) => f.env(var).and_then(|e| url_text(&e.value)),
        ResourceExpr::Literal(s) | ResourceExpr::Pattern(s) => Some(s.clone()),
        ResourceExpr::Unknown(_) => None,
    };
    let Some(text) = text else { return Vec::new() };
    let api_ids: Vec<&str> = app.apis.iter().map(|a| a.id.as_str()).collect();
    let named_api = api_ids
        .iter()
        .copied()
        .find(|id| text.contains(&format!("${{{id}}}")) || text.contains(&format!("${{{id}.")));
    let own = named_api.is_some()
        || text.contains(".execute-api.")
        || text.contains("${ApiGatewayRestApi}")
        || text.contains("${HttpApi}")
        || text.contains("${ServerlessRestApi}")
        || text.contains("${ServerlessHttpApi}");
    if !own {
        return Vec::new();
    }
    let after_scheme = text.split_once("://").map_or(text.as_str(), |(_, r)| r);
    let path = after_scheme
        .find('/')
        .map_or("/", |i| &after_scheme[i..])
        .split(['?', '#'])
        .next()
        .unwrap_or("/");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    for g in &app.functions {
        for e in g.events.iter().filter(|e| e.kind.is_http()) {
            let Some(route) = &e.route else { continue };
            if let (Some(a), Some(b)) = (named_api, route.api.as_deref())
                && a != b
            {
                continue;
            }
            let method_ok = route.method.eq_ignore_ascii_case("ANY")
                || route.method == "*"
                || route.method.eq_ignore_ascii_case(&call.operation);
            if !method_ok {
                continue;
            }
            let route_segments: Vec<&str> =
                route.path.split('/').filter(|s| !s.is_empty()).collect();
            let fits = |url: &[&str]| {
                url.len() == route_segments.len()
                    && url.iter().zip(&route_segments).all(|(u, r)| {
                        u == r || *u == "*" || (r.starts_with('{') && r.ends_with('}'))
                    })
            };
            if fits(&segments) || (!segments.is_empty() && fits(&segments[1..])) {
                out.push(g.id.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Invocation targets: a function of the application by id, deployed name or name suffix.
fn function_targets(app: &Application, f: &Function, expr: &ResourceExpr) -> Vec<Target> {
    let text = match expr {
        ResourceExpr::Env(var) => {
            let Some(env) = f.env(var) else {
                return Vec::new();
            };
            let ids: Vec<String> = env
                .value
                .referenced_ids()
                .into_iter()
                .filter_map(|id| function_id(app, &id))
                .collect();
            if !ids.is_empty() {
                return ids;
            }
            match env.value.scalar_text() {
                Some(t) if !env.value.is_symbolic() => t,
                _ => return Vec::new(),
            }
        }
        ResourceExpr::Literal(s) => s.clone(),
        _ => return Vec::new(),
    };
    let name = text.rsplit(':').next().unwrap_or(&text);
    app.functions
        .iter()
        .filter(|g| {
            g.id == name
                || g.name
                    .as_ref()
                    .and_then(Node::scalar_text)
                    .is_some_and(|n| n == name)
                || name.ends_with(&format!("-{}", g.id))
        })
        .map(|g| g.id.clone())
        .collect()
}

impl AppGraph<'_> {
    /// Whether some SDK write of this channel could not be resolved to a resource.
    fn unresolved_writes(&self, channel: Channel) -> bool {
        self.unresolved.contains(&channel)
    }

    /// The channels of the SDK writes not resolved to a resource (computed once: edges by
    /// producer are indexed).
    fn find_unresolved(&self) -> Vec<Channel> {
        let mut out = Vec::new();
        for s in self.summaries {
            for (i, c) in s.sdk_calls.iter().enumerate() {
                let Some(channel) = Channel::of_write(c) else {
                    continue;
                };
                if !out.contains(&channel)
                    && !self
                        .edges_from(&s.function)
                        .iter()
                        .any(|e| e.kind == EdgeKind::Write && e.call == Some(i))
                {
                    out.push(channel);
                }
            }
        }
        out
    }
}

/// Whether an SDK operation reads stored data (items, objects, messages, records).
fn is_read(service: &str, operation: &str) -> bool {
    match service {
        "dynamodb" => matches!(
            operation,
            "GetItem" | "BatchGetItem" | "Query" | "Scan" | "ExecuteStatement" | "TransactGetItems"
        ),
        "s3" => matches!(operation, "GetObject" | "SelectObjectContent"),
        "sqs" => operation == "ReceiveMessage",
        "kinesis" => operation == "GetRecords",
        "rds-data" => operation == "ExecuteStatement",
        _ => false,
    }
}

/// What the items read back from a table hold.
enum Stored {
    /// Data an attacker put there, with the trace to the write.
    Attacker(Trace),
    /// Data of unknown origin (a writer's own event, relayed data).
    Unknown,
    /// Only clean data, or nothing the application writes.
    Clean,
}

/// Who controls the data at a source of a function, as far as the graph can tell.
#[derive(Clone, Debug)]
pub enum Provenance {
    /// A caller of one of the function's HTTP endpoints or its URL controls it.
    Caller,
    /// Attacker data arrives from another function; the trace up to the write.
    Upstream(Vec<TraceStep>),
    /// It arrives through a trigger whose producers are outside the application (or not
    /// known): an attacker may or may not control it.
    External,
    /// Every producer inside the application is known and none writes attacker data.
    Trusted,
    /// It arrives through a queue, topic or bucket whose resource policy lets anyone write
    /// to it (`Principal: "*"`, no condition): the resource's id. Its consumers are as
    /// exposed as an endpoint.
    Public(String),
}

impl AppGraph<'_> {
    /// The provenance of a source of a function: [`AppGraph::provenance`], and for items read
    /// back from a table, who wrote them.
    pub fn provenance_of(&self, f: &Function, source: &Source) -> Provenance {
        if source.is_stored() {
            return match self.stored(f, source, 0) {
                Stored::Attacker(trace) => Provenance::Upstream(trace.to_vec()),
                Stored::Unknown => Provenance::External,
                Stored::Clean => Provenance::Trusted,
            };
        }
        self.provenance(f, &source.path)
    }

    /// A role of the application that no function assumes (a user's, a service's, one for
    /// people to assume) allowed to write to `target` through `channel` by name: the resource
    /// is fed from outside the application's functions, by whoever holds that role. Returns
    /// the role's id. Grants on `*` (an administrator's, a deployment pipeline's) say nothing
    /// about this resource and do not count.
    pub fn granted_outside(&self, target: &str, channel: Channel) -> Option<&str> {
        let action = match channel {
            Channel::Sqs => "sqs:SendMessage",
            Channel::Sns => "sns:Publish",
            Channel::S3 => "s3:PutObject",
            Channel::DynamoDb => "dynamodb:PutItem",
            Channel::Kinesis => "kinesis:PutRecord",
            Channel::EventBridge => "events:PutEvents",
            Channel::Invoke => "lambda:InvokeFunction",
            Channel::StepFunctions => "states:StartExecution",
            Channel::Http => return None,
        };
        self.app
            .roles
            .iter()
            .filter(|r| r.functions.is_empty())
            .find(|r| {
                r.statements.iter().any(|s| {
                    privilege::statement_allows(s, action)
                        && s.resources
                            .iter()
                            .any(|n| node_targets(self.app, n).iter().any(|t| t == target))
                })
            })
            .map(|r| r.id.as_str())
    }

    /// Whether the resource policy of a queue, topic or bucket lets anyone write to it
    /// through `channel`.
    fn open_to_anyone(&self, target: &str, channel: Channel) -> bool {
        self.policy_grants_write(target, channel, true)
    }

    /// Whether the resource policy of a queue, topic or bucket lets a principal write to it
    /// through `channel` (anyone, with `anyone`): it is fed from outside the application.
    fn policy_grants_write(&self, target: &str, channel: Channel, anyone: bool) -> bool {
        let (policy_type, targets_key, action) = match channel {
            Channel::Sqs => ("AWS::SQS::QueuePolicy", "Queues", "sqs:SendMessage"),
            Channel::Sns => ("AWS::SNS::TopicPolicy", "Topics", "sns:Publish"),
            Channel::S3 => ("AWS::S3::BucketPolicy", "Bucket", "s3:PutObject"),
            _ => return false,
        };
        self.app
            .resources
            .iter()
            .filter(|r| r.type_name == policy_type)
            .filter(|r| {
                r.prop(targets_key).is_some_and(|n| {
                    let nodes = match &n.value {
                        perimeter_model::yaml::Value::Seq(_) => n.items(),
                        _ => vec![n],
                    };
                    nodes
                        .iter()
                        .any(|n| node_targets(self.app, n).iter().any(|t| t == target))
                })
            })
            .filter_map(|r| r.prop("PolicyDocument").map(|d| (r, d)))
            .any(|(r, doc)| {
                perimeter_model::cfn::statements(doc, &r.id)
                    .iter()
                    .any(|st| {
                        if anyone {
                            privilege::open_to_anyone(st, action)
                        } else {
                            st.principal.is_some() && privilege::statement_allows(st, action)
                        }
                    })
            })
    }

    /// The provenance of a source path of a function.
    pub fn provenance(&self, f: &Function, path: &str) -> Provenance {
        if f.is_internet_facing() && http_controlled(path) {
            return Provenance::Caller;
        }
        if let Some((_, trace)) = self.inflow(&f.id, path) {
            return Provenance::Upstream(trace.to_vec());
        }
        // The resources that deliver this path to the function, and whether something in the
        // application writes to each.
        let feeding: Vec<&Edge> = self
            .edges_to(&f.id)
            .filter(|e| e.kind == EdgeKind::Trigger && e.channel.feeds(path))
            .collect();
        if let Some(open) = feeding
            .iter()
            .find(|t| self.open_to_anyone(&t.from, t.channel))
        {
            return Provenance::Public(open.from.clone());
        }
        let invoked = self
            .edges_to(&f.id)
            .any(|e| e.kind == EdgeKind::Write && e.channel == Channel::Invoke);
        if feeding.is_empty() {
            return if invoked && Channel::Invoke.feeds(path) && f.events.is_empty() {
                Provenance::Trusted
            } else {
                Provenance::External
            };
        }
        // A queue, topic or stream the application declares is internal: its messages come
        // from the application's own writers (none of which carries attacker data, or there
        // would be an inflow). One declared elsewhere (an ARN, an import, a name) is written
        // by parties the application does not show. A function's own writes do not count: if
        // it is its only writer, something else must write first.
        // A writer that relays data it read from storage (a table, a bucket, another queue)
        // passes on whatever was stored there, which the analysis does not follow yet: its
        // messages are of unknown origin, not clean.
        let relays_stored = |writer: &str| {
            self.summary(writer).is_some_and(|s| {
                s.sdk_calls
                    .iter()
                    .any(|c| is_read(&c.service, &c.operation))
            })
        };
        let internal = feeding.iter().all(|t| {
            let declared = self.app.resource(&t.from).is_some();
            let writers: Vec<&str> = self
                .edges_to(&t.from)
                .filter(|w| matches!(w.kind, EdgeKind::Write | EdgeKind::Forward))
                .map(|w| w.from.as_str())
                .collect();
            let others: Vec<&str> = writers.iter().copied().filter(|w| *w != f.id).collect();
            // No writer at all is only believable when every write of this channel in the
            // application was resolved to its resource.
            let unresolved = writers.is_empty() && self.unresolved_writes(t.channel);
            declared
                && !unresolved
                && (writers.is_empty() || !others.is_empty())
                && !others.iter().any(|w| relays_stored(w))
                && self.granted_outside(&t.from, t.channel).is_none()
                && !self.policy_grants_write(&t.from, t.channel, false)
        });
        if internal {
            Provenance::Trusted
        } else {
            Provenance::External
        }
    }
}
