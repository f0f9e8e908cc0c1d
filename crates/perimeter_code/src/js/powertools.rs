//! AWS Lambda Powertools for TypeScript as sources. The parser hands the code a model of the
//! event (or of the part an envelope unwraps), and the batch processor calls a record handler
//! on each record: both are mapped back to the event's own access paths (`body`,
//! `Records[].body`, `detail`), so flows read the same as on the raw event and the
//! application graph links them unchanged. Middlewares (`middy(handler).use(...)`) keep the
//! handler's event as it is, which the engine already does for any wrapped handler.

use std::cell::RefCell;
use std::rc::Rc;

use oxc_span::Span;

use super::taint::Engine;
use super::value::{Obj, Origin, Val};

/// The parser package.
const PARSER: &str = "@aws-lambda-powertools/parser";
/// The batch processing package.
const BATCH: &str = "@aws-lambda-powertools/batch";

/// Parser envelopes and the members of the event, in order, where the data they parse is.
const ENVELOPES: &[(&str, &[&str])] = &[
    ("SqsEnvelope", &["Records", "[]", "body"]),
    ("SnsSqsEnvelope", &["Records", "[]", "body"]),
    ("SnsEnvelope", &["Records", "[]", "Sns", "Message"]),
    ("EventBridgeEnvelope", &["detail"]),
    ("ApiGatewayEnvelope", &["body"]),
    ("ApiGatewayV2Envelope", &["body"]),
    ("AlbEnvelope", &["body"]),
    ("LambdaFunctionUrlEnvelope", &["body"]),
    ("VpcLatticeEnvelope", &["body"]),
    ("VpcLatticeV2Envelope", &["body"]),
    (
        "DynamoDBStreamEnvelope",
        &["Records", "[]", "dynamodb", "NewImage"],
    ),
    ("KinesisEnvelope", &["Records", "[]", "kinesis", "data"]),
    ("KinesisFirehoseEnvelope", &["records", "[]", "data"]),
    ("CloudWatchEnvelope", &["awslogs", "data"]),
    ("KafkaEnvelope", &["records"]),
];

/// Batch entry points `(event, recordHandler, processor)`: the handler gets each record.
const BATCH_CALLS: &[&str] = &["processPartialResponse", "processPartialResponseSync"];

/// The members an envelope unwraps, when `v` names one.
fn envelope_members(v: &Val<'_>) -> Option<&'static [&'static str]> {
    let o = v.origin.as_ref()?;
    if &*o.module != PARSER {
        return None;
    }
    let name = o.path.rsplit('.').next().unwrap_or(&o.path);
    ENVELOPES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

impl<'a> Engine<'a> {
    /// A call of a Powertools name that hands event data to the code: `Some(result)` when it
    /// is one.
    pub(crate) fn powertools_call(
        &mut self,
        span: Span,
        origin: &Rc<Origin>,
        args: &[Val<'a>],
    ) -> Option<Val<'a>> {
        match &*origin.module {
            BATCH if BATCH_CALLS.contains(&origin.name()) => {
                let event = args.first()?;
                let handler = args.get(1)?.func.clone()?;
                let records = self.member(event, Some("Records"), span);
                let record = self.element_of(&records, span);
                self.invoke(&handler, None, vec![record], false);
                Some(Val::default())
            }
            PARSER if origin.name() == "parser" => {
                // The middleware, `parser({ schema, envelope })`: what it hands the handler.
                let envelope = args.first().and_then(|o| {
                    o.obj
                        .as_ref()?
                        .try_borrow()
                        .ok()?
                        .fields
                        .get("envelope")
                        .cloned()
                });
                let members = envelope.as_ref().and_then(envelope_members);
                Some(Val {
                    tag: super::value::Tag::ParserMiddleware(members.unwrap_or_default()),
                    ..Val::default()
                })
            }
            PARSER => {
                // `parse(data, envelope, schema, safeParse)`, or an envelope's own
                // `SqsEnvelope.parse(data, schema)` / `.safeParse(data, schema)`.
                let name = origin.name();
                let (members, safe) = if origin.path == "parse" {
                    let safe = args.get(3).and_then(Val::konst).as_deref() == Some("true");
                    (args.get(1).and_then(envelope_members), safe)
                } else if matches!(name, "parse" | "safeParse") {
                    let parent = origin.path.trim_end_matches(name).trim_end_matches('.');
                    let parent = parent.rsplit('.').next().unwrap_or(parent);
                    let members = ENVELOPES
                        .iter()
                        .find(|(n, _)| *n == parent)
                        .map(|(_, p)| *p);
                    (members, name == "safeParse")
                } else {
                    return None;
                };
                let mut data = args.first()?.clone();
                for m in members.unwrap_or_default() {
                    data = if *m == "[]" {
                        self.element_of(&data, span)
                    } else {
                        self.member(&data, Some(m), span)
                    };
                }
                Some(if safe { Self::parse_result(data) } else { data })
            }
            _ => None,
        }
    }

    /// `{ success, data }`: the result of a safe parse.
    fn parse_result(data: Val<'a>) -> Val<'a> {
        let mut o = Obj::default();
        o.fields.insert("success".to_owned(), Val::string("true"));
        o.fields.insert("data".to_owned(), data);
        Val {
            obj: Some(Rc::new(RefCell::new(o))),
            ..Val::default()
        }
    }
}
