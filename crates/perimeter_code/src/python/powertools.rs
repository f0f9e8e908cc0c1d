//! AWS Lambda Powertools for Python as sources. Its event data classes, resolvers, batch
//! processor and parser hand the handler's event to the code under other names; each is
//! mapped back to the event's own access paths (`json_body` is `body`, `records` is
//! `Records`, `get_object` is `object`), so flows read the same as on the raw event and the
//! application graph links them unchanged.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::TextRange;

use super::taint::{Args, Engine};
use super::value::{Origin, Shape, Taint, Val, element, join_path};

/// The package's top-level module.
pub(crate) const MODULE: &str = "aws_lambda_powertools";

/// Properties of the data classes and the event key each one reads.
const PROPERTIES: &[(&str, &str)] = &[
    ("json_body", "body"),
    ("decoded_body", "body"),
    ("query_string_parameters", "queryStringParameters"),
    ("resolved_query_string_parameters", "queryStringParameters"),
    (
        "multi_value_query_string_parameters",
        "multiValueQueryStringParameters",
    ),
    ("path_parameters", "pathParameters"),
    ("resolved_headers_field", "headers"),
    ("multi_value_headers", "multiValueHeaders"),
    ("raw_path", "rawPath"),
    ("raw_query_string", "rawQueryString"),
    ("http_method", "httpMethod"),
    ("request_context", "requestContext"),
    ("stage_variables", "stageVariables"),
    ("records", "Records"),
    ("message_id", "messageId"),
    ("message_attributes", "messageAttributes"),
    ("string_value", "stringValue"),
    ("binary_value", "binaryValue"),
    ("receipt_handle", "receiptHandle"),
    ("sns", "Sns"),
    ("message", "Message"),
    ("subject", "Subject"),
    ("get_object", "object"),
    ("new_image", "NewImage"),
    ("old_image", "OldImage"),
    ("keys", "Keys"),
    ("event_id", "eventID"),
    ("event_name", "eventName"),
    ("partition_key", "partitionKey"),
    ("sequence_number", "sequenceNumber"),
    ("decoded_data", "data"),
    ("detail_type", "detail-type"),
    ("user_attributes", "userAttributes"),
    ("user_name", "userName"),
];

/// Properties of a whole event that read its first record.
const FIRST_RECORD: &[(&str, &str)] = &[
    ("sns_message", "Records[].Sns.Message"),
    ("object_key", "Records[].s3.object.key"),
    ("bucket_name", "Records[].s3.bucket.name"),
];

/// Accessor methods of the data classes: the event key they read, and whether their first
/// argument (`name`) is looked up under it (`get_header_value(name="x")` reads `headers.x`,
/// a Kinesis record's `data_as_text()` reads its `data`).
const ACCESSORS: &[(&str, &str, bool)] = &[
    ("get_query_string_value", "queryStringParameters", true),
    (
        "get_multi_value_query_string_values",
        "multiValueQueryStringParameters",
        true,
    ),
    ("get_header_value", "headers", true),
    ("get_multi_value_header_values", "multiValueHeaders", true),
    ("get_path_parameter", "pathParameters", true),
    ("data_as_text", "data", false),
    ("data_as_json", "data", false),
    ("data_as_bytes", "data", false),
];

/// Parser envelopes and where in the event the model they return sits.
const ENVELOPES: &[(&str, &str)] = &[
    ("SqsEnvelope", "Records[].body"),
    ("SnsSqsEnvelope", "Records[].body"),
    ("SnsEnvelope", "Records[].Sns.Message"),
    ("EventBridgeEnvelope", "detail"),
    ("ApiGatewayEnvelope", "body"),
    ("ApiGatewayV2Envelope", "body"),
    ("ApiGatewayWebSocketEnvelope", "body"),
    ("AlbEnvelope", "body"),
    ("LambdaFunctionUrlEnvelope", "body"),
    ("VpcLatticeEnvelope", "body"),
    ("VpcLatticeV2Envelope", "body"),
    ("DynamoDBStreamEnvelope", "Records[].dynamodb.NewImage"),
    ("KinesisDataStreamEnvelope", "Records[].kinesis.data"),
    ("KinesisFirehoseEnvelope", "records[].data"),
    ("CloudWatchLogsEnvelope", "awslogs.data"),
    ("KafkaEnvelope", "records"),
];

/// Batch entry points that call a record handler on each record of the event: the name,
/// and the keywords of the event and the handler.
const BATCH_CALLS: &[(&str, &str, &str)] = &[
    ("process_partial_response", "event", "record_handler"),
    ("async_process_partial_response", "event", "record_handler"),
];

/// Roots of request objects of web frameworks, whose attributes are not Powertools'.
const FRAMEWORK_ROOTS: &[&str] = &["request", "app.current_request", "req", "route"];

/// The event access path of the property `attr` of the event (or part) at `path`, when
/// Powertools names it differently from the event's key; `None` otherwise.
pub(crate) fn property_path(path: &str, attr: &str) -> Option<String> {
    let root = path.split(['.', '[']).next().unwrap_or("");
    if FRAMEWORK_ROOTS.contains(&root) || crate::summary::is_stored(path) || root == "s3-object" {
        return None;
    }
    if path.is_empty()
        && let Some((_, p)) = FIRST_RECORD.iter().find(|(a, _)| *a == attr)
    {
        return Some((*p).to_owned());
    }
    let (_, key) = PROPERTIES.iter().find(|(a, _)| *a == attr)?;
    // `json_body` of the body (an SQS record's `body` read as JSON) is the body itself.
    if path.rsplit(['.', '[']).next() == Some(key) {
        return Some(path.to_owned());
    }
    Some(join_path(path, key))
}

/// Whether a library name is a Powertools resolver or router instance (`app`, `router`).
fn is_resolver(origin: &Origin) -> bool {
    if &*origin.module != MODULE || !origin.path.ends_with("()") {
        return false;
    }
    let class = origin.path.trim_end_matches("()");
    let class = class.rsplit('.').next().unwrap_or(class);
    class.ends_with("Resolver") || class == "Router"
}

/// The Powertools resolver or router a value is, if it is one.
pub(crate) fn resolver(v: &Val) -> bool {
    matches!(&v.shape, Shape::Ext(o) if is_resolver(o))
}

/// The envelope path of an expression naming a parser envelope (`envelopes.SqsEnvelope`).
fn envelope_path(e: &Expr) -> Option<&'static str> {
    let name = match e {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return None,
    };
    ENVELOPES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// Where in the event a handler decorated with `@event_parser(model=..., envelope=...)`
/// finds its model: the envelope's path, when it has one.
pub(crate) fn handler_envelope(def: &ast::StmtFunctionDef) -> Option<&'static str> {
    def.decorator_list.iter().find_map(|d| {
        let Expr::Call(c) = &d.expression else {
            return None;
        };
        let name = match &*c.func {
            Expr::Attribute(a) => a.attr.as_str(),
            Expr::Name(n) => n.id.as_str(),
            _ => return None,
        };
        if name != "event_parser" {
            return None;
        }
        c.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "envelope"))
            .and_then(|k| envelope_path(&k.value))
    })
}

impl Engine<'_> {
    /// `app.current_event` of a resolver or router: the event the function was invoked with.
    pub(crate) fn powertools_attribute(
        &mut self,
        base: &Val,
        attr: &str,
        r: TextRange,
    ) -> Option<Val> {
        if attr != "current_event" || !resolver(base) {
            return None;
        }
        Some(Val {
            taint: vec![Taint::new("", false, self.loc(r))],
            shape: Shape::Event(String::new()),
            text: None,
        })
    }

    /// An accessor method of a data class (`get_query_string_value(name="q")`,
    /// `data_as_text()`) on the event at `path`.
    pub(crate) fn powertools_accessor(
        &mut self,
        recv: &Val,
        path: &str,
        method: &str,
        args: &Args,
        r: TextRange,
    ) -> Option<Val> {
        let (_, key, named) = ACCESSORS.iter().find(|(m, _, _)| *m == method)?;
        let base = join_path(path, key);
        if !named {
            return Some(self.event_at(recv, base, r));
        }
        let full = match args.get(0, "name").and_then(Val::konst) {
            Some(name) => join_path(&base, &name),
            None => base,
        };
        let mut v = self.event_at(recv, full, r);
        if let Some(d) = args.get(1, "default_value") {
            super::value::add_taints(&mut v.taint, super::value::deep_taints(d));
        }
        Some(v)
    }

    /// A call of a Powertools name: data classes wrap the event, the parser returns a model
    /// of it, the batch processor calls the record handler on each record.
    pub(crate) fn powertools_call(
        &mut self,
        origin: &Rc<Origin>,
        args: &Args,
        r: TextRange,
    ) -> Option<Val> {
        if &*origin.module != MODULE {
            return None;
        }
        let name = origin.name();
        if origin.path.contains("data_classes")
            && (name.contains("Event") || name.ends_with("Record"))
        {
            // `APIGatewayProxyEvent(event)`, `SQSRecord(record)`: the event itself.
            return args.get(0, "data").cloned();
        }
        if name == "parse" {
            let event = args.get(0, "event")?.clone();
            let envelope = args.kw("envelope").and_then(|v| match &v.shape {
                Shape::Ext(o) => ENVELOPES
                    .iter()
                    .find(|(n, _)| *n == o.name())
                    .map(|(_, p)| *p),
                _ => None,
            });
            return Some(match (&event.shape, envelope) {
                (Shape::Event(p), Some(env)) => {
                    let mut path = p.clone();
                    for seg in env.split('.') {
                        path = match seg.strip_suffix("[]") {
                            Some(s) => join_path(&join_path(&path, s), "[]"),
                            None => join_path(&path, seg),
                        };
                    }
                    self.event_at(&event, path, r)
                }
                _ => event,
            });
        }
        let (_, event_kw, handler_kw) = BATCH_CALLS.iter().find(|(n, _, _)| *n == name)?;
        let event = args.get(0, event_kw)?.clone();
        let handler = args.get(1, handler_kw)?.clone();
        if let (Shape::Event(p), Shape::Func(f)) = (&event.shape, &handler.shape) {
            let records = self.event_at(&event, join_path(p, "Records"), r);
            let record = element(&records, &self.loc(r));
            let f = Rc::clone(f);
            self.call_function(
                f.idx,
                f.bound.clone(),
                f.closure.clone(),
                Args {
                    pos: vec![record],
                    kw: Vec::new(),
                },
                r,
            );
        }
        Some(Val::default())
    }
}
