//! boto3: clients and service resources (`boto3.client("sqs")`, `boto3.resource("dynamodb")`,
//! sessions), resource objects (`Table(name)`, `Bucket(name)`, `Object(bucket, key)`,
//! `Queue(url)`, `Topic(arn)`), the S3 transfer helpers and presigned URLs. Each call becomes
//! an [`SdkCall`] with its resolved resource and tainted payload.

use std::rc::Rc;

use ruff_text_size::TextRange;

use super::spec::{RESOURCE_CLASSES, RESOURCE_OPS, S3_POSITIONAL, SDK_NON_OPERATIONS, SERVICES};
use super::taint::{Args, Engine};
use super::value::{Bound, Client, Obj, Origin, Shape, Val, set_field};
pub(crate) use crate::core::effects::resource_expr;
use crate::core::effects::{self, Lang, camel};
use crate::summary::ResourceExpr;

impl crate::core::effects::Front for Engine<'_> {
    fn fx(&mut self) -> &mut crate::core::summary::Effects {
        &mut self.fx
    }

    fn in_request(&self) -> bool {
        Engine::in_request(self)
    }
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
    let op = effects::operation(Lang::Python, &c.service, method);
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
    if c.service == "s3" {
        let loc = eng.loc(r);
        effects::managed_upload(eng, method, &loc);
    }
    v
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
    if b.service == "s3" {
        let loc = eng.loc(r);
        effects::managed_upload(eng, method, &loc);
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

/// Records one SDK call; the result is the response (see [`effects::record`]).
fn record(
    eng: &mut Engine<'_>,
    service: &str,
    op: &str,
    params: &Val,
    bound: Option<ResourceExpr>,
    r: TextRange,
) -> Val {
    let loc = eng.loc(r);
    effects::record(eng, &loc, service, op, params, bound)
}
