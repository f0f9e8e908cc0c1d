//! AWS SDK calls: v2 clients (`new AWS.SQS()`, `aws-sdk/clients/sqs`, the DynamoDB
//! `DocumentClient`), v3 clients and commands (`client.send(new SendMessageCommand(...))`,
//! `@aws-sdk/lib-dynamodb`, `@aws-sdk/lib-storage` `Upload`, presigned URLs) and the
//! aggregated v3 clients (`new DynamoDB({}).putItem(...)`). Each call becomes an
//! [`SdkCall`] with its resolved resource and tainted payload.

use std::rc::Rc;

use oxc_span::Span;

use super::spec::{DOCUMENT_CLIENT_OPS, SDK_NON_OPERATIONS, SDK_V2_CLASSES, SDK_V3_PACKAGES};
use super::taint::Engine;
use super::value::{Client, Command, Obj, Origin, Tag, Val};
pub(crate) use crate::core::effects::resource_expr;
use crate::core::effects::{self, Lang, capitalize};
use crate::summary::ResourceExpr;

impl crate::core::effects::Front for Engine<'_> {
    fn fx(&mut self) -> &mut crate::core::summary::Effects {
        &mut self.fx
    }

    fn in_request(&self) -> bool {
        Engine::in_request(self)
    }
}

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
        let loc = eng.loc(span);
        effects::managed_upload(eng, "upload", &loc);
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
    } else {
        effects::operation(Lang::Js, &c.service, method)
    };
    let params = args.first().cloned().unwrap_or_default();
    let v = record(eng, span, &c.service, &op, &params);
    if c.service == "s3" {
        let loc = eng.loc(span);
        effects::managed_upload(eng, method, &loc);
    }
    v
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

/// Records one SDK call; the result is the response (see [`effects::record`]).
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
    effects::record(eng, &loc, service, op, params, bound)
}
