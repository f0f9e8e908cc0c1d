//! The effects of AWS SDK calls, for both front ends: one table keyed by (service, operation)
//! with each language's spellings of the call and what its result carries, and the one
//! recording of a call (its resource, the data it writes, the sinks its request fields are,
//! the permissions it needs beyond its own) that both front ends reach through [`Front`].

use perimeter_diagnostics::{Kind, Loc};

use super::sinks::judge;
use super::summary::Effects;
use super::value::{Taint, Value, data};
use crate::spec::{REQUEST_SINKS, SDK_PAYLOAD_FIELDS, SDK_RESOURCE_FIELDS, TRANSACT_KINDS};
use crate::summary::{PayloadField, PayloadPart, ResourceExpr, SdkCall, Source, TaintedPayload};

/// A front end language, for the spellings of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    /// JavaScript and TypeScript (aws-sdk v2 and v3 clients).
    Js,
    /// Python (boto3 clients).
    Python,
}

/// What the result of an operation carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Returns {
    /// Nothing the analysis follows.
    Nothing,
    /// The content of an S3 object in `Body` (a source `s3-object` when the request's key or
    /// bucket comes from the event: an attacker may have written it).
    ObjectContent,
    /// Items read back from a table (a source `stored` the application graph resolves to
    /// the table's writers).
    StoredItems,
    /// A synchronous invocation's result: the invoked function's error comes back in
    /// `Payload` unless the code checks `FunctionError`.
    InvokeResult,
}

/// One SDK operation: how each language spells the call where the spelling is not the
/// operation's own name in that language's case (`putObject`, `put_object`), and what its
/// result carries.
pub(crate) struct Operation {
    /// IAM service prefix.
    pub service: &'static str,
    /// API operation.
    pub operation: &'static str,
    /// Further JavaScript client-method spellings.
    pub js: &'static [&'static str],
    /// Further boto3 client-method spellings.
    pub python: &'static [&'static str],
    /// What the result carries.
    pub returns: Returns,
}

const fn op(
    service: &'static str,
    operation: &'static str,
    js: &'static [&'static str],
    python: &'static [&'static str],
    returns: Returns,
) -> Operation {
    Operation {
        service,
        operation,
        js,
        python,
        returns,
    }
}

/// Every SDK operation with an effect beyond being recorded, or with a spelling of its own.
/// Adding one is adding a row (and its fixtures in both languages).
pub(crate) const OPERATIONS: &[Operation] = &[
    op(
        "s3",
        "GetObject",
        &[],
        &["download_file", "download_fileobj"],
        Returns::ObjectContent,
    ),
    op(
        "s3",
        "SelectObjectContent",
        &[],
        &[],
        Returns::ObjectContent,
    ),
    op(
        "s3",
        "PutObject",
        &["upload"],
        &["upload_file", "upload_fileobj", "generate_presigned_post"],
        Returns::Nothing,
    ),
    op("s3", "CopyObject", &[], &["copy"], Returns::Nothing),
    op("dynamodb", "GetItem", &[], &[], Returns::StoredItems),
    op("dynamodb", "BatchGetItem", &[], &[], Returns::StoredItems),
    op("dynamodb", "Query", &[], &[], Returns::StoredItems),
    op("dynamodb", "Scan", &[], &[], Returns::StoredItems),
    op(
        "dynamodb",
        "ExecuteStatement",
        &[],
        &[],
        Returns::StoredItems,
    ),
    op(
        "dynamodb",
        "TransactGetItems",
        &[],
        &[],
        Returns::StoredItems,
    ),
    op("lambda", "Invoke", &[], &[], Returns::InvokeResult),
];

/// The client methods that are managed uploads: beyond `PutObject` they call the operations
/// of [`crate::spec::MANAGED_UPLOAD_EXTRA`].
pub(crate) const MANAGED_UPLOADS: &[&str] = &["upload", "upload_file", "upload_fileobj"];

/// The operation a client method of `service` calls, when the table spells it; else the
/// method's name in the operation's case (`sendMessage`, `send_message` -> `SendMessage`).
pub(crate) fn operation(lang: Lang, service: &str, method: &str) -> String {
    let spelled = OPERATIONS.iter().find(|o| {
        o.service == service
            && match lang {
                Lang::Js => o.js.contains(&method),
                Lang::Python => o.python.contains(&method),
            }
    });
    match spelled {
        Some(o) => o.operation.to_owned(),
        None => match lang {
            Lang::Js => capitalize(method),
            Lang::Python => camel(method),
        },
    }
}

/// What the result of an operation carries.
pub(crate) fn returns(service: &str, operation: &str) -> Returns {
    OPERATIONS
        .iter()
        .find(|o| o.service == service && o.operation == operation)
        .map_or(Returns::Nothing, |o| o.returns)
}

/// `putItem` -> `PutItem`.
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `send_message` -> `SendMessage`.
pub(crate) fn camel(snake: &str) -> String {
    snake.split('_').map(capitalize).collect()
}

/// What the shared recording needs of a front end's engine.
pub(crate) trait Front {
    /// What the code was seen doing.
    fn fx(&mut self) -> &mut Effects;
    /// Whether the code being run runs for a request.
    fn in_request(&self) -> bool;
}

/// How a request field's value is known.
pub(crate) fn resource_expr<V: Value>(v: &V, field: &str) -> ResourceExpr {
    let path = v
        .taints()
        .iter()
        .find(|t| !t.error)
        .map(|t| t.path.as_str());
    crate::spec::resource_expr(v.text(), path, field)
}

/// A tainted payload field, from the label that taints it.
pub(crate) fn payload(field: &str, t: &Taint) -> TaintedPayload {
    TaintedPayload {
        field: field.to_owned(),
        source: Source {
            path: t.source_path(),
            loc: t.loc.clone(),
        },
        steps: t.steps.clone(),
        parts: Vec::new(),
    }
}

/// Which fields of a dict or object carry what (an invocation payload, an item written).
fn parts<V: Value>(fields: Vec<(String, V)>) -> Vec<PayloadPart> {
    fields
        .into_iter()
        .map(|(k, fv)| PayloadPart {
            taint: data(fv.deep()).map(|t| {
                let p = payload(&k, &t);
                (p.source, p.steps)
            }),
            name: k,
        })
        .collect()
}

/// Records one SDK call at `loc` on a resource already known (`bound`: a resource object's or
/// model's), or on the one its request names; the result is what the response carries.
pub(crate) fn record<V: Value>(
    eng: &mut impl Front,
    loc: &Loc,
    service: &str,
    op: &str,
    params: &V,
    bound: Option<ResourceExpr>,
) -> V {
    let fields = SDK_RESOURCE_FIELDS
        .iter()
        .find(|(s, _)| *s == service)
        .map_or(&[][..], |(_, f)| *f);
    let mut resource = bound;
    let mut choices = Vec::new();
    for f in fields.iter().filter(|_| resource.is_none()) {
        if let Some(v) = params.field(f) {
            resource = Some(resource_expr(&v, f));
            choices = crate::spec::resource_choices(v.text());
            break;
        }
    }
    // `putEvents({ Entries: [{...}] })`: the first entry names the bus and the event's
    // source and detail type (what the rules' patterns match).
    let entry = (service == "events")
        .then(|| {
            params
                .field("Entries")
                .map(|e| e.first_elem().unwrap_or_default())
        })
        .flatten();
    if resource.is_none() && service == "events" {
        resource = Some(match entry.as_ref().and_then(|e| e.field("EventBusName")) {
            Some(v) => resource_expr(&v, "EventBusName"),
            None => ResourceExpr::Literal("default".to_owned()),
        });
    }
    if resource.is_none() && service == "dynamodb" {
        let first_key = params
            .field("RequestItems")
            .and_then(|r| r.fields().into_iter().next().map(|(k, _)| k));
        if let Some(k) = first_key {
            resource = Some(ResourceExpr::Literal(k));
        }
    }
    if resource.is_none() && service == "dynamodb" {
        // `TransactItems: [{ Put: { TableName } }]`: the first item's table.
        let first = params.field("TransactItems").and_then(|t| t.first_elem());
        resource = first.and_then(|e| {
            TRANSACT_KINDS
                .iter()
                .find_map(|k| e.field(k)?.field("TableName"))
                .map(|v| resource_expr(&v, "TableName"))
        });
    }
    let resource = resource.unwrap_or_else(|| {
        if params.taints().iter().any(|t| !t.error) {
            resource_expr(params, "request")
        } else {
            ResourceExpr::Unknown(
                fields
                    .first()
                    .map_or_else(|| "resource".to_owned(), |f| (*f).to_owned()),
            )
        }
    });
    let key = (service == "s3")
        .then(|| params.field("Key").map(|k| resource_expr(&k, "Key")))
        .flatten();
    let payload_fields = SDK_PAYLOAD_FIELDS
        .iter()
        .find(|(s, _)| *s == service)
        .map_or(&[][..], |(_, f)| *f);
    let mut tainted = None;
    for f in payload_fields {
        let Some(v) = params.field(f) else { continue };
        // `Entries: [{ Detail }]`: name the element field that carries the data.
        let inner = v
            .is_array()
            .then(|| {
                let elems = v.fields().into_iter().map(|(_, e)| e).chain(v.elems());
                elems.into_iter().find_map(|e| {
                    e.fields()
                        .into_iter()
                        .find_map(|(k, fv)| data(fv.deep()).map(|t| (format!("{f}[].{k}"), t)))
                })
            })
            .flatten();
        if let Some((name, t)) = inner {
            tainted = Some(payload(&name, &t));
            break;
        }
        if let Some(t) = data(v.deep()) {
            tainted = Some(payload(f, &t));
            break;
        }
    }
    if tainted.is_none()
        && let Some(t) = data(params.taints().iter().cloned())
    {
        tainted = Some(payload("request", &t));
    }
    let written = payload_fields
        .iter()
        .find_map(|f| params.field(f))
        .filter(|v| !v.is_array());
    let fields = match &entry {
        Some(e) => crate::spec::event_entry_fields(|k| {
            e.field(k).and_then(|v| v.konst().map(|c| c.to_string()))
        }),
        None => written
            .as_ref()
            .map(|v| {
                v.fields()
                    .into_iter()
                    .map(|(k, fv)| PayloadField {
                        name: k,
                        value: fv.konst().map(|c| c.to_string()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    // An invocation payload or execution input is the consumer's whole event: keep which of
    // its fields carry what.
    if let (Some(t), true) = (&mut tainted, matches!(service, "lambda" | "states"))
        && let Some(v) = written.as_ref().filter(|v| v.has_shape())
    {
        t.parts = parts(v.fields());
    }
    // An item written: which of its attributes carry what, so that data read back from one
    // attribute is traced to the writer of that attribute.
    if let (Some(t), "dynamodb") = (&mut tainted, service) {
        let item = params
            .field("Item")
            .filter(|v| v.has_shape() && !v.is_array());
        if let Some(item) = item {
            t.parts = parts(item.fields());
        } else if let (Some(values), Some(expr)) = (
            params
                .field("ExpressionAttributeValues")
                .filter(Value::has_shape),
            params
                .field("UpdateExpression")
                .and_then(|e| e.konst().map(|c| c.to_string())),
        ) {
            let values = values.fields();
            t.parts = crate::spec::update_attributes(&expr)
                .into_iter()
                .filter_map(|(ph, attr)| {
                    let fv = values.iter().find(|(k, _)| *k == ph)?.1.clone();
                    Some((attr, fv))
                })
                .map(|(attr, fv)| parts(vec![(attr, fv)]).remove(0))
                .collect();
        }
    }
    // Request parameters that are sinks (an expression built from the event; a constant
    // expression is not, whatever it binds).
    for s in REQUEST_SINKS.iter().filter(|s| s.service == service) {
        if let Some(v) = params.field(s.field) {
            let name = format!("{service}.{op} {}", s.field);
            eng.fx().flow(s.kind, &judge(s.check, &v), loc, &name);
        }
    }
    if service == "dynamodb" {
        // A whole request taken from the event is NoSQL injection.
        let name = format!("dynamodb.{op} request");
        eng.fx()
            .flow(Kind::InjectionNosql, params.taints(), loc, &name);
    }
    for f in crate::spec::CREDENTIAL_PARAMS {
        if let Some(v) = params.field(f)
            && let Some(text) = v.konst()
            && crate::spec::literal_credential(&text)
        {
            let flow = crate::spec::credential_flow(loc, service, op, f);
            eng.fx().flows.push(flow);
        }
    }
    let index = (service == "dynamodb")
        .then(|| params.field("IndexName")?.konst().map(|c| c.to_string()))
        .flatten();
    let call = SdkCall {
        service: service.to_owned(),
        operation: op.to_owned(),
        resource,
        loc: loc.clone(),
        tainted,
        key,
        index,
        fields,
    };
    let in_request = eng.in_request();
    eng.fx().call(call, choices, in_request);
    for path in crate::spec::passed_roles(service, op) {
        if let Some(role) = params.at_path(path) {
            let role = resource_expr(&role, "role");
            let calls = &mut eng.fx().sdk_calls;
            crate::spec::record_dependent(calls, loc, "iam", "PassRole", role, None);
        }
    }
    match returns(service, op) {
        Returns::ObjectContent => {
            let chosen = ["Key", "Bucket"]
                .iter()
                .filter_map(|f| params.field(f))
                .any(|v| v.deep().iter().any(|t| !t.error));
            if chosen {
                let body = V::tainted(vec![Taint::new("s3-object", false, loc.clone())]);
                let v = V::object(vec![("Body".to_owned(), body)]);
                return v.with_taints(vec![Taint::new("s3-object", false, loc.clone())]);
            }
        }
        Returns::InvokeResult => {
            let invocation = params.field("InvocationType").and_then(|v| v.konst());
            if crate::spec::unchecked_sync_invoke(invocation.as_deref(), loc.file.text()) {
                let error = V::tainted(vec![Taint::new("error", true, loc.clone())]);
                return V::object(vec![("Payload".to_owned(), error)]);
            }
        }
        Returns::StoredItems => return V::stored("stored", loc.clone()),
        Returns::Nothing => {}
    }
    V::response()
}

/// A managed upload at `loc`: the operations it calls beyond the `PutObject` recorded there.
pub(crate) fn managed_upload(eng: &mut impl Front, method: &str, loc: &Loc) {
    if MANAGED_UPLOADS.contains(&method) {
        crate::spec::managed_upload(&mut eng.fx().sdk_calls, loc);
    }
}
