//! AWS SDK calls: v2 clients (`new AWS.SQS()`, `aws-sdk/clients/sqs`, the DynamoDB
//! `DocumentClient`), v3 clients and commands (`client.send(new SendMessageCommand(...))`,
//! `@aws-sdk/lib-dynamodb`, `@aws-sdk/lib-storage` `Upload`, presigned URLs) and the
//! aggregated v3 clients (`new DynamoDB({}).putItem(...)`). Each call becomes an
//! [`SdkCall`] with its resolved resource and tainted payload.

use std::rc::Rc;

use oxc_span::Span;
use perimeter_diagnostics::Kind;

use super::spec::{
    DOCUMENT_CLIENT_OPS, DYNAMODB_EXPRESSIONS, S3_READS, SDK_NON_OPERATIONS, SDK_PAYLOAD_FIELDS,
    SDK_RESOURCE_FIELDS, SDK_V2_CLASSES, SDK_V3_PACKAGES,
};
use super::taint::Engine;
use super::value::{Client, Command, Obj, Origin, Tag, Taint, Val, deep_taints};
use crate::summary::{ResourceExpr, SdkCall, Source, TaintedPayload};

fn client<'a>(service: &str, document: bool, commands: bool) -> Val<'a> {
    Val {
        tag: Tag::Client(Rc::new(Client {
            service: service.to_owned(),
            document,
            commands,
            model: None,
        })),
        ..Val::default()
    }
}

fn v2_service(class: &str) -> Option<&'static str> {
    SDK_V2_CLASSES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(class))
        .map(|(_, s)| *s)
}

fn v3_service(module: &str) -> Option<&'static str> {
    let suffix = module.strip_prefix("@aws-sdk/client-")?;
    SDK_V3_PACKAGES
        .iter()
        .find(|(p, _)| *p == suffix)
        .map(|(_, s)| *s)
}

fn document_op(name: &str) -> Option<&'static str> {
    DOCUMENT_CLIENT_OPS
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, op)| *op)
}

/// `putItem` -> `PutItem`.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A constructor or function of an SDK package: clients, commands, `Upload`, presigning.
pub(crate) fn library_call<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    origin: &Origin,
    args: &[Val<'a>],
    is_new: bool,
) -> Option<Val<'a>> {
    let module = &*origin.module;
    let name = origin.name();
    let first = args.first().cloned().unwrap_or_default();
    if module == "aws-sdk" && is_new {
        let class = origin.path.rsplit('.').next().unwrap_or("");
        let service = v2_service(class)?;
        return Some(client(service, class == "DocumentClient", false));
    }
    if let Some(svc) = module.strip_prefix("aws-sdk/clients/") {
        if !is_new {
            return None;
        }
        let service = SDK_V2_CLASSES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(svc))
            .map_or(svc, |(_, s)| *s);
        return Some(client(service, name == "DocumentClient", false));
    }
    if module == "@aws-sdk/lib-dynamodb" {
        if is_new {
            if let Some(cmd) = name.strip_suffix("Command") {
                let op = document_op(cmd).map_or_else(|| cmd.to_owned(), str::to_owned);
                return Some(command("dynamodb", &op, first));
            }
            return Some(client("dynamodb", true, name == "DynamoDBDocumentClient"));
        }
        if name == "from" {
            let commands = origin.path.starts_with("DynamoDBDocumentClient");
            return Some(client("dynamodb", true, commands));
        }
        return None;
    }
    if let Some(service) = v3_service(module) {
        if !is_new {
            return None;
        }
        if let Some(op) = name.strip_suffix("Command") {
            return Some(command(service, op, first));
        }
        return Some(client(service, false, name.ends_with("Client")));
    }
    if module == "@aws-sdk/lib-storage" && name == "Upload" && is_new {
        let params = first.field("params").unwrap_or_default();
        record(eng, span, "s3", "PutObject", &params);
        managed_upload(eng, span);
        return Some(Val::default());
    }
    // `dynamoose.model('Users', schema)`: a model of the table named (dynamoose's default
    // table name is the model's name).
    if module == "dynamoose" && name == "model" && !is_new {
        return Some(Val {
            tag: Tag::Client(Rc::new(Client {
                service: "dynamodb".to_owned(),
                document: true,
                commands: false,
                model: Some(resource_expr(&first, "TableName")),
            })),
            ..Val::default()
        });
    }
    if module == "@aws-sdk/s3-request-presigner" && name == "getSignedUrl" {
        if let Some(Tag::Command(c)) = args.get(1).map(|a| &a.tag) {
            let c = Rc::clone(c);
            record(eng, span, &c.service, &c.operation, &c.params);
        }
        return Some(Val::default());
    }
    None
}

fn command<'a>(service: &str, op: &str, params: Val<'a>) -> Val<'a> {
    Val {
        tag: Tag::Command(Rc::new(Command {
            service: service.to_owned(),
            operation: op.to_owned(),
            params,
        })),
        ..Val::default()
    }
}

/// A method called on an SDK client.
pub(crate) fn client_method<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    c: &Client,
    method: &str,
    args: &[Val<'a>],
) -> Val<'a> {
    if method == "send" {
        if let Some(Tag::Command(cmd)) = args.first().map(|a| &a.tag) {
            let cmd = Rc::clone(cmd);
            return record(eng, span, &cmd.service, &cmd.operation, &cmd.params);
        }
        return Val::default();
    }
    if c.commands {
        return Val::default();
    }
    if let Some(table) = &c.model {
        return model_method(eng, span, c, table, method, args);
    }
    if matches!(method, "getSignedUrl" | "getSignedUrlPromise") {
        if let Some(op) = args.first().and_then(Val::konst) {
            let params = args.get(1).cloned().unwrap_or_default();
            record(eng, span, &c.service, &capitalize(&op), &params);
        }
        return Val::default();
    }
    if SDK_NON_OPERATIONS.contains(&method)
        || !method.starts_with(|ch: char| ch.is_ascii_lowercase())
    {
        return Val::default();
    }
    let op = if c.document {
        document_op(method).map_or_else(|| capitalize(method), str::to_owned)
    } else if c.service == "s3" && method == "upload" {
        "PutObject".to_owned()
    } else {
        capitalize(method)
    };
    let params = args.first().cloned().unwrap_or_default();
    let v = record(eng, span, &c.service, &op, &params);
    if c.service == "s3" && method == "upload" {
        managed_upload(eng, span);
    }
    v
}

/// A managed upload: the operations it calls beyond `PutObject`, recorded at the same place.
fn managed_upload(eng: &mut Engine<'_>, span: Span) {
    let loc = eng.loc(span);
    crate::spec::managed_upload(&mut eng.sdk_calls, &loc);
}

/// A method of a dynamoose model: the item operation it makes on the model's table. Other
/// methods (`Model.table()`, schema helpers) make none.
fn model_method<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    c: &Client,
    table: &ResourceExpr,
    method: &str,
    args: &[Val<'a>],
) -> Val<'a> {
    let Some((_, op)) = super::spec::DYNAMOOSE_OPS
        .iter()
        .find(|(m, _)| *m == method)
    else {
        return Val::default();
    };
    let mut o = Obj::default();
    let item = if *op == "PutItem" { "Item" } else { "Key" };
    if let Some(a) = args.first() {
        o.fields.insert(item.to_owned(), a.clone());
    }
    let params = Val::object(o);
    record_on(eng, span, &c.service, op, &params, Some(table.clone()));
    Val::default()
}

/// An SDK call whose operation the code chooses at run time (`client[op](params)`): what it
/// needs is not known, and the function's least-privilege verdict says so.
pub(crate) fn dynamic_call<'a>(eng: &mut Engine<'a>, span: Span, c: &Client, args: &[Val<'a>]) {
    let params = args.first().cloned().unwrap_or_default();
    record_on(
        eng,
        span,
        &c.service,
        crate::DYNAMIC_OPERATION,
        &params,
        c.model.clone(),
    );
}

/// How a request field's value is known.
pub(crate) fn resource_expr(v: &Val<'_>, field: &str) -> ResourceExpr {
    let path = v.taint.iter().find(|t| !t.error).map(|t| t.path.as_str());
    crate::spec::resource_expr(v.text.as_ref(), path, field)
}

/// `context.bindings.name = value` in an Azure function: the value is written to the
/// resource of the output binding `name`.
pub(crate) fn azure_output<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    output: &crate::handler::Output,
    value: &Val<'a>,
) {
    let mut o = Obj::default();
    o.fields
        .insert("Name".to_owned(), Val::string(&output.resource));
    o.fields.insert("Body".to_owned(), value.clone());
    record(
        eng,
        span,
        crate::spec::AZURE_SERVICE,
        &output.binding,
        &Val::object(o),
    );
}

/// Records one SDK call; the result is the response (the object's content for S3 reads of
/// an event-chosen key).
fn record<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    service: &str,
    op: &str,
    params: &Val<'a>,
) -> Val<'a> {
    record_on(eng, span, service, op, params, None)
}

/// Records one SDK call on a resource already known (a model's table), or on the one its
/// request names.
fn record_on<'a>(
    eng: &mut Engine<'a>,
    span: Span,
    service: &str,
    op: &str,
    params: &Val<'a>,
    bound: Option<ResourceExpr>,
) -> Val<'a> {
    let loc = eng.loc(span);
    let fields = SDK_RESOURCE_FIELDS
        .iter()
        .find(|(s, _)| *s == service)
        .map_or(&[][..], |(_, f)| *f);
    let mut resource = bound;
    let mut choices = Vec::new();
    for f in fields.iter().filter(|_| resource.is_none()) {
        if let Some(v) = params.field(f) {
            resource = Some(resource_expr(&v, f));
            choices = crate::spec::resource_choices(v.text.as_ref());
            break;
        }
    }
    // `putEvents({ Entries: [{...}] })`: the first entry names the bus and the event's
    // source and detail type (what the rules' patterns match).
    let entry = (service == "events")
        .then(|| {
            params.field("Entries").map(|e| {
                let o = e
                    .obj
                    .as_ref()
                    .and_then(|o| o.borrow().fields.get("0").cloned());
                o.unwrap_or_else(|| {
                    e.obj
                        .as_ref()
                        .and_then(|o| o.borrow().elems.clone())
                        .unwrap_or_default()
                })
            })
        })
        .flatten();
    if resource.is_none() && service == "events" {
        resource = Some(match entry.as_ref().and_then(|e| e.field("EventBusName")) {
            Some(v) => resource_expr(&v, "EventBusName"),
            None => ResourceExpr::Literal("default".to_owned()),
        });
    }
    if resource.is_none() && service == "dynamodb" {
        let first_key = params.field("RequestItems").and_then(|r| {
            r.obj
                .as_ref()
                .and_then(|o| o.borrow().fields.keys().next().cloned())
        });
        if let Some(k) = first_key {
            resource = Some(ResourceExpr::Literal(k));
        }
    }
    if resource.is_none() && service == "dynamodb" {
        // `TransactItems: [{ Put: { TableName } }]`: the first item's table.
        let first = params.field("TransactItems").and_then(|t| {
            let o = t.obj?;
            let o = o.borrow();
            o.fields.get("0").cloned().or_else(|| o.elems.clone())
        });
        resource = first.and_then(|e| {
            crate::spec::TRANSACT_KINDS
                .iter()
                .find_map(|k| e.field(k)?.field("TableName"))
                .map(|v| resource_expr(&v, "TableName"))
        });
    }
    let resource = resource.unwrap_or_else(|| {
        if params.taint.iter().any(|t| !t.error) {
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
        let elem = v
            .obj
            .as_ref()
            .filter(|o| o.borrow().array)
            .and_then(|o| o.borrow().elems.clone());
        let inner = elem.and_then(|e| {
            let o = e.obj.clone()?;
            let o = o.borrow();
            o.fields.iter().find_map(|(k, fv)| {
                deep_taints(fv)
                    .into_iter()
                    .find(|t| !t.error)
                    .map(|t| (format!("{f}[].{k}"), t))
            })
        });
        if let Some((name, t)) = inner {
            tainted = Some(payload(&name, &t));
            break;
        }
        if let Some(t) = deep_taints(&v).into_iter().find(|t| !t.error) {
            tainted = Some(payload(f, &t));
            break;
        }
    }
    if tainted.is_none()
        && let Some(t) = params.taint.iter().find(|t| !t.error)
    {
        tainted = Some(payload("request", t));
    }
    let fields = payload_fields
        .iter()
        .find_map(|f| params.field(f))
        .and_then(|v| v.obj)
        .filter(|o| !o.borrow().array)
        .map(|o| {
            o.borrow()
                .fields
                .iter()
                .map(|(k, fv)| crate::PayloadField {
                    name: k.clone(),
                    value: fv.konst().map(|c| c.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    let fields = match &entry {
        Some(e) => crate::spec::event_entry_fields(|k| {
            e.field(k).and_then(|v| v.konst().map(|c| c.to_string()))
        }),
        None => fields,
    };
    // An invocation payload or execution input is the consumer's whole event: keep which of
    // its fields carry what.
    if let (Some(t), true) = (&mut tainted, matches!(service, "lambda" | "states")) {
        let value = payload_fields.iter().find_map(|f| params.field(f));
        if let Some(o) = value.as_ref().and_then(|v| v.obj.clone()) {
            let o = o.borrow();
            if !o.array {
                t.parts = o
                    .fields
                    .iter()
                    .map(|(k, fv)| crate::PayloadPart {
                        name: k.clone(),
                        taint: deep_taints(fv).into_iter().find(|t| !t.error).map(|t| {
                            let p = payload(k, &t);
                            (p.source, p.steps)
                        }),
                    })
                    .collect();
            }
        }
    }
    // An item written: which of its attributes carry what, so that data read back from one
    // attribute is traced to the writer of that attribute.
    if let (Some(t), "dynamodb") = (&mut tainted, service) {
        let part = |name: String, fv: &Val<'_>| crate::PayloadPart {
            taint: deep_taints(fv).into_iter().find(|t| !t.error).map(|t| {
                let p = payload(&name, &t);
                (p.source, p.steps)
            }),
            name,
        };
        let item = params.field("Item").and_then(|v| v.obj);
        if let Some(o) = item.filter(|o| !o.borrow().array) {
            t.parts = o
                .borrow()
                .fields
                .iter()
                .map(|(k, fv)| part(k.clone(), fv))
                .collect();
        } else if let (Some(o), Some(expr)) = (
            params
                .field("ExpressionAttributeValues")
                .and_then(|v| v.obj),
            params
                .field("UpdateExpression")
                .and_then(|e| e.konst().map(|c| c.to_string())),
        ) {
            let o = o.borrow();
            t.parts = crate::spec::update_attributes(&expr)
                .into_iter()
                .filter_map(|(ph, attr)| Some(part(attr, o.fields.get(&ph)?)))
                .collect();
        }
    }
    if service == "dynamodb" {
        for f in DYNAMODB_EXPRESSIONS {
            if let Some(v) = params.field(f) {
                let t = deep_taints(&v);
                eng.record(
                    Kind::InjectionNosql,
                    &t,
                    span,
                    &format!("dynamodb.{op} {f}"),
                );
            }
        }
        let own = params.taint.clone();
        eng.record(
            Kind::InjectionNosql,
            &own,
            span,
            &format!("dynamodb.{op} request"),
        );
    }
    for f in crate::spec::CREDENTIAL_PARAMS {
        if let Some(v) = params.field(f)
            && let Some(text) = v.konst()
            && crate::spec::literal_credential(&text)
        {
            let flow = crate::spec::credential_flow(&loc, service, op, f);
            eng.flows.push(flow);
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
    if eng.in_request() {
        eng.request.call(&call.loc, &call.operation);
    }
    crate::spec::record_calls(&mut eng.sdk_calls, call, choices);
    for path in crate::spec::passed_roles(service, op) {
        let role = path.split('.').try_fold(params.clone(), |v, f| v.field(f));
        if let Some(role) = role {
            let role = resource_expr(&role, "role");
            crate::spec::record_dependent(&mut eng.sdk_calls, &loc, "iam", "PassRole", role, None);
        }
    }
    if service == "s3" && S3_READS.contains(&op) {
        let chosen = ["Key", "Bucket"]
            .iter()
            .filter_map(|f| params.field(f))
            .any(|v| deep_taints(&v).iter().any(|t| !t.error));
        if chosen {
            let loc = eng.loc(span);
            return Val::tainted(vec![Rc::new(Taint {
                path: "s3-object".to_owned(),
                structured: false,
                error: false,
                loc,
                steps: Vec::new(),
                clean: 0,
            })]);
        }
    }
    // A synchronous invocation's result: when the invoked function fails, its
    // `errorMessage`, `errorType` and `stackTrace` come back in `Payload`. Code that reads
    // `FunctionError` tells the two apart; code that does not passes the error on.
    if service == "lambda" && op == "Invoke" {
        let invocation = params.field("InvocationType").and_then(|v| v.konst());
        let loc = eng.loc(span);
        if crate::spec::unchecked_sync_invoke(invocation.as_deref(), loc.file.text()) {
            let mut o = super::value::Obj::default();
            o.fields.insert(
                "Payload".to_owned(),
                Val::tainted(vec![Rc::new(Taint {
                    path: "error".to_owned(),
                    structured: false,
                    error: true,
                    loc,
                    steps: Vec::new(),
                    clean: 0,
                })]),
            );
            return Val::object(o);
        }
    }
    // Items read back from a table carry whatever was written there: a `stored` source the
    // application graph resolves to the table's writers.
    if service == "dynamodb" && crate::spec::STORED_READS.contains(&op) {
        return Val::tainted(vec![Rc::new(Taint {
            path: "stored".to_owned(),
            structured: true,
            error: false,
            loc: eng.loc(span),
            steps: Vec::new(),
            clean: 0,
        })]);
    }
    Val::default()
}

pub(crate) fn payload(field: &str, t: &Taint) -> TaintedPayload {
    TaintedPayload {
        field: field.to_owned(),
        source: Source {
            path: if t.path.is_empty() {
                "*".to_owned()
            } else {
                t.path.clone()
            },
            loc: t.loc.clone(),
        },
        steps: t.steps.clone(),
        parts: Vec::new(),
    }
}
