//! boto3: clients and service resources (`boto3.client("sqs")`, `boto3.resource("dynamodb")`,
//! sessions), resource objects (`Table(name)`, `Bucket(name)`, `Object(bucket, key)`,
//! `Queue(url)`, `Topic(arn)`), the S3 transfer helpers and presigned URLs. Each call becomes
//! an [`SdkCall`] with its resolved resource and tainted payload.

use std::rc::Rc;

use perimeter_diagnostics::Kind;
use ruff_text_size::TextRange;

use super::spec::{
    DYNAMODB_EXPRESSIONS, OPERATION_ALIASES, RESOURCE_CLASSES, RESOURCE_OPS, S3_POSITIONAL,
    S3_READS, SDK_NON_OPERATIONS, SDK_PAYLOAD_FIELDS, SDK_RESOURCE_FIELDS, SERVICES,
};
use super::taint::{Args, Engine};
use super::value::{Bound, Client, Obj, Origin, Shape, Taint, Val, deep_taints, set_field};
use crate::summary::{ResourceExpr, SdkCall, Source, TaintedPayload};

/// `send_message` -> `SendMessage`.
pub(crate) fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The IAM prefix of a boto3 service name.
fn iam_prefix(service: &str) -> String {
    SERVICES
        .iter()
        .find(|(s, _)| *s == service)
        .map_or_else(|| service.to_owned(), |(_, p)| (*p).to_owned())
}

/// `boto3.client(...)`, `boto3.resource(...)`, `Session().client(...)`.
pub(crate) fn library_call(_eng: &mut Engine<'_>, origin: &Origin, args: &Args) -> Option<Val> {
    let module = &*origin.module;
    let name = origin.name();
    let maker = (module == "boto3" && matches!(name, "client" | "resource"))
        || (module == "aioboto3" && matches!(name, "client" | "resource"))
        || (module == "botocore" && name == "create_client");
    if !maker {
        return None;
    }
    let service = args.get(0, "service_name").and_then(Val::konst)?;
    Some(Val::of(Shape::Client(Rc::new(Client {
        service: iam_prefix(&service),
    }))))
}

/// How a request field's value is known.
pub(crate) fn resource_expr(v: &Val, field: &str) -> ResourceExpr {
    let path = v.taint.iter().find(|t| !t.error).map(|t| t.path.as_str());
    crate::spec::resource_expr(v.text.as_ref(), path, field)
}

/// A method called on a boto3 client or service resource.
pub(crate) fn client_method(
    eng: &mut Engine<'_>,
    c: &Client,
    method: &str,
    args: &Args,
    r: TextRange,
) -> Val {
    if let Some((class, field)) = RESOURCE_CLASSES.iter().find(|(k, _)| *k == method) {
        let first = args.get(0, field).cloned().unwrap_or_default();
        let key = (*class == "Object")
            .then(|| args.get(1, "key").cloned())
            .flatten();
        return Val::of(Shape::Bound(Rc::new(Bound {
            service: c.service.clone(),
            class: (*class).to_owned(),
            resource: resource_expr(&first, field),
            key,
        })));
    }
    if c.service == "sqs" && method == "get_queue_by_name" {
        let name = args.get(0, "QueueName").cloned().unwrap_or_default();
        return Val::of(Shape::Bound(Rc::new(Bound {
            service: c.service.clone(),
            class: "Queue".to_owned(),
            resource: resource_expr(&name, "QueueName"),
            key: None,
        })));
    }
    if SDK_NON_OPERATIONS.contains(&method)
        || !method.starts_with(|ch: char| ch.is_ascii_lowercase())
    {
        return Val::default();
    }
    if method == "generate_presigned_url" {
        let Some(op) = args.get(0, "ClientMethod").and_then(Val::konst) else {
            return Val::default();
        };
        let params = args.get(1, "Params").cloned().unwrap_or_default();
        record(eng, &c.service, &camel(&op), &params, None, r);
        return Val::default();
    }
    let op = OPERATION_ALIASES
        .iter()
        .find(|(s, m, _)| *s == c.service && *m == method)
        .map_or_else(|| camel(method), |(_, _, op)| (*op).to_owned());
    let params = args.kw_dict();
    if c.service == "s3"
        && let Some((_, b, k)) = S3_POSITIONAL.iter().find(|(m, _, _)| *m == method)
        && let Some(o) = params.obj()
        && let Ok(mut o) = o.try_borrow_mut()
    {
        if let Some(v) = args.pos.get(*b) {
            set_field(&mut o, "Bucket", v.clone());
        }
        if let Some(v) = args.pos.get(*k) {
            set_field(&mut o, "Key", v.clone());
        }
        if method.starts_with("upload")
            && let Some(v) = args.pos.first()
        {
            set_field(&mut o, "Filename", v.clone());
        }
    }
    let v = record(eng, &c.service, &op, &params, None, r);
    if c.service == "s3" && matches!(method, "upload_file" | "upload_fileobj") {
        managed_upload(eng, r);
    }
    v
}

/// A managed upload: the operations it calls beyond `PutObject`, recorded at the same place.
fn managed_upload(eng: &mut Engine<'_>, r: TextRange) {
    let loc = eng.loc(r);
    crate::spec::managed_upload(&mut eng.sdk_calls, &loc);
}

/// `getattr(client, name)`: the method named, called where it is looked up (its arguments
/// are not known there); with a name chosen at run time, an SDK call whose operation is not
/// known, so that the function's least-privilege verdict says what it needs is incomplete.
pub(crate) fn getattr(eng: &mut Engine<'_>, args: &Args, r: TextRange) -> Option<Val> {
    let target = args.pos.first()?;
    let name = args.pos.get(1)?.konst().map(|c| c.to_string());
    match (&target.shape, name) {
        (Shape::Client(c), Some(m)) => {
            let c = Rc::clone(c);
            let none = Args {
                pos: Vec::new(),
                kw: Vec::new(),
            };
            client_method(eng, &c, &m, &none, r);
        }
        (Shape::Bound(b), Some(m)) => {
            let b = Rc::clone(b);
            let none = Args {
                pos: Vec::new(),
                kw: Vec::new(),
            };
            bound_method(eng, &b, &m, &none, r);
        }
        (Shape::Client(c), None) => {
            let service = c.service.clone();
            record(
                eng,
                &service,
                crate::DYNAMIC_OPERATION,
                &Val::default(),
                None,
                r,
            );
        }
        (Shape::Bound(b), None) => {
            let b = Rc::clone(b);
            let resource = Some(b.resource.clone());
            record(
                eng,
                &b.service,
                crate::DYNAMIC_OPERATION,
                &Val::default(),
                resource,
                r,
            );
        }
        _ => return None,
    }
    Some(Val::default())
}

/// The objects of a bucket (`bucket.objects`, `bucket.object_versions`): a collection whose
/// listing methods list the bucket.
pub(crate) fn collection(b: &Bound, attr: &str) -> Option<Val> {
    let class = match (b.class.as_str(), attr) {
        ("Bucket", "objects") => "ObjectCollection",
        ("Bucket", "object_versions") => "ObjectVersionCollection",
        _ => return None,
    };
    Some(Val::of(Shape::Bound(Rc::new(Bound {
        service: b.service.clone(),
        class: class.to_owned(),
        resource: b.resource.clone(),
        key: None,
    }))))
}

/// A method called on a boto3 resource object.
pub(crate) fn bound_method(
    eng: &mut Engine<'_>,
    b: &Rc<Bound>,
    method: &str,
    args: &Args,
    r: TextRange,
) -> Val {
    if b.service == crate::spec::AZURE_SERVICE {
        // An Azure output binding: `msg.set(value)` hands the value to the platform, which
        // writes it to the binding's resource.
        if method != "set" {
            return Val::default();
        }
        let mut o = Obj::default();
        if let Some(v) = args.get(0, "val") {
            set_field(&mut o, "Body", v.clone());
        }
        let resource = Some(b.resource.clone());
        return record(eng, &b.service, &b.class, &Val::object(o), resource, r);
    }
    if method == "batch_writer" {
        return Val::of(Shape::Bound(Rc::new(Bound {
            service: b.service.clone(),
            class: "BatchWriter".to_owned(),
            resource: b.resource.clone(),
            key: None,
        })));
    }
    if !method.starts_with(|ch: char| ch.is_ascii_lowercase())
        || matches!(
            method,
            "load" | "reload" | "meta" | "wait_until_exists" | "wait_until_not_exists"
        )
    {
        return Val::default();
    }
    if b.class.ends_with("Collection") && matches!(method, "all" | "filter" | "limit" | "page_size")
    {
        // Listing happens when the collection is iterated; the collection stays one.
        let op = if b.class == "ObjectVersionCollection" {
            "ListObjectVersions"
        } else {
            "ListObjectsV2"
        };
        let params = Val::default();
        record(eng, &b.service, op, &params, Some(b.resource.clone()), r);
        return Val::of(Shape::Bound(Rc::clone(b)));
    }
    let known = RESOURCE_OPS
        .iter()
        .any(|(c, m, _)| *c == b.class && *m == method);
    if !known
        && matches!(
            b.class.as_str(),
            "PynamoModel" | "ObjectCollection" | "ObjectVersionCollection"
        )
    {
        // A model's or collection's other methods are not API operations.
        return Val::default();
    }
    let op = if b.class == "BatchWriter" {
        "BatchWriteItem".to_owned()
    } else {
        RESOURCE_OPS
            .iter()
            .find(|(c, m, _)| *c == b.class && *m == method)
            .map_or_else(|| camel(method), |(_, _, op)| (*op).to_owned())
    };
    let params = args.kw_dict();
    if let Some(o) = params.obj()
        && let Ok(mut o) = o.try_borrow_mut()
    {
        if let Some(k) = &b.key {
            set_field(&mut o, "Key", k.clone());
        }
        if matches!(method, "upload_file" | "upload_fileobj") {
            if let Some(v) = args.pos.first() {
                set_field(&mut o, "Filename", v.clone());
            }
            if b.class == "Bucket"
                && let Some(v) = args.pos.get(1)
            {
                set_field(&mut o, "Key", v.clone());
            }
        }
        if method == "download_file"
            && b.class == "Bucket"
            && let Some(v) = args.pos.first()
        {
            set_field(&mut o, "Key", v.clone());
        }
    }
    if b.class == "BatchWriter"
        && method == "put_item"
        && let Some(v) = args.pos.first()
        && let Some(o) = params.obj()
        && let Ok(mut o) = o.try_borrow_mut()
    {
        set_field(&mut o, "Item", v.clone());
    }
    let v = record(eng, &b.service, &op, &params, Some(b.resource.clone()), r);
    if b.service == "s3" && matches!(method, "upload_file" | "upload_fileobj") {
        managed_upload(eng, r);
    }
    v
}

/// A PynamoDB model (`class User(Model)` with `class Meta: table_name = ...`): the table its
/// class and instance methods operate on.
pub(crate) fn pynamo_model(table: &Val) -> Val {
    Val::of(Shape::Bound(Rc::new(Bound {
        service: "dynamodb".to_owned(),
        class: "PynamoModel".to_owned(),
        resource: resource_expr(table, "TableName"),
        key: None,
    })))
}

/// Records one SDK call; the result is the response (the object's content for S3 reads of
/// an event-chosen key).
fn record(
    eng: &mut Engine<'_>,
    service: &str,
    op: &str,
    params: &Val,
    bound: Option<ResourceExpr>,
    r: TextRange,
) -> Val {
    let loc = eng.loc(r);
    let fields = SDK_RESOURCE_FIELDS
        .iter()
        .find(|(s, _)| *s == service)
        .map_or(&[][..], |(_, f)| *f);
    let mut resource = bound;
    let mut choices = Vec::new();
    if resource.is_none() {
        for f in fields {
            if let Some(v) = params.field(f) {
                resource = Some(resource_expr(&v, f));
                choices = crate::spec::resource_choices(v.text.as_ref());
                break;
            }
        }
    }
    // `put_events(Entries=[{...}])`: the first entry names the bus and the event's source
    // and detail type (what the rules' patterns match).
    let entry = (service == "events")
        .then(|| {
            params.field("Entries").map(|e| {
                e.field("0").unwrap_or_else(|| {
                    e.obj()
                        .and_then(|o| o.try_borrow().ok().and_then(|o| o.elems.clone()))
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
            r.obj()
                .and_then(|o| o.try_borrow().ok()?.fields.keys().next().cloned())
        });
        if let Some(k) = first_key {
            resource = Some(ResourceExpr::Literal(k));
        }
    }
    if resource.is_none() && service == "dynamodb" {
        // `TransactItems=[{"Put": {"TableName": ...}}]`: the first item's table.
        let first = params.field("TransactItems").and_then(|t| {
            t.field("0").or_else(|| {
                t.obj()
                    .and_then(|o| o.try_borrow().ok().and_then(|o| o.elems.clone()))
            })
        });
        resource = first.and_then(|e| {
            crate::spec::TRANSACT_KINDS
                .iter()
                .find_map(|k| e.field(k)?.field("TableName"))
                .map(|v| resource_expr(&v, "TableName"))
        });
    }
    let resource = resource.unwrap_or_else(|| {
        ResourceExpr::Unknown(
            fields
                .first()
                .map_or_else(|| "resource".to_owned(), |f| (*f).to_owned()),
        )
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
        // `Entries=[{"Detail": ...}]`: name the element field that carries the data.
        let inner = v.is_array().then(|| {
            let o = v.obj()?.try_borrow().ok()?;
            let elems: Vec<Val> = o.fields.values().chain(o.elems.iter()).cloned().collect();
            drop(o);
            elems.iter().find_map(|e| {
                let eo = e.obj()?.try_borrow().ok()?;
                eo.fields.iter().find_map(|(k, fv)| {
                    deep_taints(fv)
                        .into_iter()
                        .find(|t| !t.error)
                        .map(|t| (format!("{f}[].{k}"), t))
                })
            })
        });
        if let Some(Some((name, t))) = inner {
            tainted = Some(payload(&name, &t));
            break;
        }
        if let Some(t) = deep_taints(&v).into_iter().find(|t| !t.error) {
            tainted = Some(payload(f, &t));
            break;
        }
    }
    let fields = payload_fields
        .iter()
        .find_map(|f| params.field(f))
        .filter(|v| !v.is_array())
        .and_then(|v| {
            let o = v.obj()?.try_borrow().ok()?;
            Some(
                o.fields
                    .iter()
                    .map(|(k, fv)| crate::PayloadField {
                        name: k.to_string(),
                        value: fv.konst().map(|c| c.to_string()),
                    })
                    .collect(),
            )
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
        if let Some(v) = value.filter(|v| !v.is_array())
            && let Some(o) = v.obj().and_then(|o| o.try_borrow().ok())
        {
            t.parts = o
                .fields
                .iter()
                .map(|(k, fv)| crate::PayloadPart {
                    name: k.to_string(),
                    taint: deep_taints(fv).into_iter().find(|t| !t.error).map(|t| {
                        let p = payload(k, &t);
                        (p.source, p.steps)
                    }),
                })
                .collect();
        }
    }
    // An item written: which of its attributes carry what, so that data read back from one
    // attribute is traced to the writer of that attribute.
    if let (Some(t), "dynamodb") = (&mut tainted, service) {
        let part = |name: String, fv: &Val| crate::PayloadPart {
            taint: deep_taints(fv).into_iter().find(|t| !t.error).map(|t| {
                let p = payload(&name, &t);
                (p.source, p.steps)
            }),
            name,
        };
        let item = params.field("Item").filter(|v| !v.is_array());
        if let Some(o) = item.as_ref().and_then(Val::obj) {
            if let Ok(o) = o.try_borrow() {
                t.parts = o
                    .fields
                    .iter()
                    .map(|(k, fv)| part(k.to_string(), fv))
                    .collect();
            }
        } else if let (Some(values), Some(expr)) = (
            params.field("ExpressionAttributeValues"),
            params
                .field("UpdateExpression")
                .and_then(|e| e.konst().map(|c| c.to_string())),
        ) && let Some(o) = values.obj()
            && let Ok(o) = o.try_borrow()
        {
            t.parts = crate::spec::update_attributes(&expr)
                .into_iter()
                .filter_map(|(ph, attr)| {
                    let fv = o.fields.iter().find(|(k, _)| k.to_string() == ph)?.1;
                    Some(part(attr, fv))
                })
                .collect();
        }
    }
    if service == "dynamodb" {
        for f in DYNAMODB_EXPRESSIONS {
            if let Some(v) = params.field(f) {
                if v.konst().is_some() {
                    continue;
                }
                let t = deep_taints(&v);
                eng.record(Kind::InjectionNosql, &t, r, &format!("dynamodb.{op} {f}"));
            }
        }
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
            let loc = eng.loc(r);
            let mut o = Obj::default();
            set_field(
                &mut o,
                "Body",
                Val::tainted(vec![Taint::new("s3-object", false, loc.clone())]),
            );
            let mut v = Val::object(o);
            v.taint = vec![Taint::new("s3-object", false, loc)];
            return v;
        }
    }
    // A synchronous invocation's result: when the invoked function fails, its
    // `errorMessage`, `errorType` and `stackTrace` come back in `Payload`. Code that reads
    // `FunctionError` tells the two apart; code that does not passes the error on.
    if service == "lambda" && op == "Invoke" {
        let invocation = params.field("InvocationType").and_then(|v| v.konst());
        let loc = eng.loc(r);
        if crate::spec::unchecked_sync_invoke(invocation.as_deref(), loc.file.text()) {
            let mut o = Obj::default();
            set_field(
                &mut o,
                "Payload",
                Val::tainted(vec![Taint::new("error", true, loc)]),
            );
            return Val::object(o);
        }
    }
    // Items read back from a table carry whatever was written there: a `stored` source the
    // application graph resolves to the table's writers.
    if service == "dynamodb" && crate::spec::STORED_READS.contains(&op) {
        let loc = eng.loc(r);
        return Val {
            taint: vec![Taint::new("stored", false, loc)],
            shape: Shape::Event("stored".to_owned()),
            text: None,
        };
    }
    Val::ext(Origin::from_dotted("boto3.response"))
}

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
