//! AWS SDK calls found in JavaScript/TypeScript handlers: service, operation, resource,
//! object key and tainted payload, for SDK v2, v3 and the v3 helper libraries.

use std::path::Path;

use perimeter_code::handler::HandlerSpec;
use perimeter_code::{FunctionSummary, Repo, ResourceExpr, SdkCall, js};

fn analyse(file: &str, handler: &str) -> FunctionSummary {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/js/sdk");
    let repo = Repo::new(root, [file.to_owned()]);
    js::analyse_handler(
        &repo,
        &HandlerSpec {
            function: "Fn",
            code_dir: "",
            handler,
            runtime: None,
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    )
}

fn row(c: &SdkCall) -> String {
    let res = match &c.resource {
        ResourceExpr::Literal(s) => format!("literal {s}"),
        ResourceExpr::Env(s) => format!("env {s}"),
        ResourceExpr::Pattern(s) => format!("pattern {s}"),
        ResourceExpr::Unknown(s) => format!("unknown {s}"),
    };
    let key = match &c.key {
        Some(ResourceExpr::Literal(s)) => format!(" key={s}"),
        Some(ResourceExpr::Pattern(s)) => format!(" key~{s}"),
        Some(other) => format!(" key?{other:?}"),
        None => String::new(),
    };
    let taint = match &c.tainted {
        Some(t) => format!(" tainted {}<-{}", t.field, t.source.path),
        None => String::new(),
    };
    format!(
        "{} {}:{} {res}{key}{taint}",
        c.loc.start().line,
        c.service,
        c.operation
    )
}

fn rows(s: &FunctionSummary) -> Vec<String> {
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s.sdk_calls.iter().map(row).collect()
}

#[test]
fn sdk_v2_clients_methods_resources_and_payloads() {
    let s = analyse("v2.js", "v2.handler");
    assert_eq!(
        rows(&s),
        [
            "19 sqs:SendMessage env QUEUE_URL tainted MessageBody<-body",
            "20 dynamodb:PutItem env TABLE tainted Item<-body",
            "21 dynamodb:GetItem literal orders",
            "22 s3:PutObject env BUCKET key~uploads/* tainted Key<-body",
            // A managed upload aborts a failed multipart upload.
            "23 s3:AbortMultipartUpload literal static-assets key=fixed.txt",
            "23 s3:PutObject literal static-assets key=fixed.txt",
            "24 s3:PutObject env BUCKET key=incoming/a.csv",
            "25 sns:Publish env TOPIC_ARN tainted Message<-body",
            "26 lambda:Invoke pattern *-worker tainted Payload<-body",
            "27 events:PutEvents literal default tainted Entries[].Detail<-body",
            "28 states:StartExecution env SM_ARN tainted input<-body",
            "29 kinesis:PutRecord literal clicks tainted Data<-body",
            "30 secretsmanager:GetSecretValue env SECRET_ID",
            "31 ssm:GetParameter literal /app/config",
            "32 s3:GetObject literal docs key?Unknown(\"event.body\") tainted Key<-body",
        ]
    );
    // The object read with an event-chosen key is itself a source.
    assert_eq!(s.flows.len(), 1);
    assert_eq!(
        (
            s.flows[0].sink.start().line,
            s.flows[0].source.path.as_str()
        ),
        (33, "s3-object")
    );
    // Steps of the payload: the variable `body`, then `params`.
    let sqs = &s.sdk_calls[0];
    let notes: Vec<&str> = sqs
        .tainted
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| s.note.as_str())
        .collect();
    assert_eq!(notes, ["event", "body"]);
    assert_eq!(s.imports, ["aws-sdk"]);
}

#[test]
fn sdk_v3_commands_document_client_upload_presigner_and_aggregated_clients() {
    let s = analyse("v3.ts", "v3.handler");
    assert_eq!(
        rows(&s),
        [
            "17 sqs:SendMessage env QUEUE_URL tainted MessageBody<-body",
            "18 dynamodb:PutItem env TABLE_NAME tainted Item<-body",
            "19 dynamodb:Query env TABLE_NAME",
            "21 s3:PutObject env BUCKET key~in/*.json tainted Key<-body",
            "22 s3:AbortMultipartUpload literal uploads-bucket key=big.bin",
            "22 s3:PutObject literal uploads-bucket key=big.bin tainted Body<-body",
            "23 s3:PutObject env BUCKET key=up/x",
            "24 events:PutEvents env BUS tainted Entries[].Detail<-body",
            "25 dynamodb:PutItem literal audit",
            "26 s3:GetObject literal docs key?Unknown(\"event.body\") tainted Key<-body",
        ]
    );
    assert_eq!(s.flows.len(), 1);
    assert_eq!(
        (
            s.flows[0].sink.start().line,
            s.flows[0].source.path.as_str()
        ),
        (28, "s3-object")
    );
    assert_eq!(
        s.imports,
        [
            "@aws-sdk/client-dynamodb",
            "@aws-sdk/client-eventbridge",
            "@aws-sdk/client-s3",
            "@aws-sdk/client-sqs",
            "@aws-sdk/lib-dynamodb",
            "@aws-sdk/lib-storage",
            "@aws-sdk/s3-request-presigner",
        ]
    );
}

#[test]
fn sdk_resources_through_helpers_are_kept_per_call_site() {
    let repo = Repo::in_memory([(
        "index.js",
        "const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');\n\
         const sns = new SNSClient({});\n\
         const publish = (topic, message) => sns.send(new PublishCommand({ TopicArn: topic, Message: message }));\n\
         exports.handler = async (event) => {\n\
           await publish(process.env.ORDERS_TOPIC, 'static');\n\
           await publish(process.env.AUDIT_TOPIC, event.body);\n\
         };\n",
    )]);
    let s = js::analyse_handler(
        &repo,
        &HandlerSpec {
            function: "Fn",
            code_dir: "",
            handler: "index.handler",
            runtime: None,
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    );
    assert_eq!(
        rows(&s),
        [
            "3 sns:Publish env AUDIT_TOPIC tainted Message<-body",
            "3 sns:Publish env ORDERS_TOPIC"
        ]
    );
}

/// The uses of one package by a handler, as `line how member`.
fn uses(s: &FunctionSummary, package: &str) -> Vec<String> {
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s.package_uses
        .as_ref()
        .expect("package uses recorded")
        .iter()
        .filter(|u| u.package == package)
        .map(|u| format!("{} {:?} {}", u.loc.start().line, u.how, u.member))
        .collect()
}

#[test]
fn package_uses_tell_requests_from_other_calls_and_handed_clients() {
    // A request with a URL from configuration: a request, its destination known.
    let s = analyse("package-uses.js", "package-uses.fixed");
    assert_eq!(uses(&s, "request"), ["10 Request "]);
    assert!(s.sdk_calls.iter().any(|c| c.is_http()
        && matches!(&c.resource, ResourceExpr::Pattern(p) if p.starts_with("https://idp."))));
    // A request to where the event says: a request, and an SSRF flow at it.
    let s = analyse("package-uses.js", "package-uses.chosen");
    assert_eq!(uses(&s, "request"), ["14 Request get"]);
    assert!(
        s.flows
            .iter()
            .any(|f| f.kind == perimeter_diagnostics::Kind::Ssrf)
    );
    // The client handed to `promisify`: what that code does with it is not known (the
    // request through its result is still seen).
    let s = analyse("package-uses.js", "package-uses.handed");
    assert_eq!(uses(&s, "request"), ["18 Passed ", "19 Request "]);
    // Another package's function called: its member is kept.
    let s = analyse("package-uses.js", "package-uses.strings");
    assert_eq!(uses(&s, "qs"), ["23 Call stringify"]);
}
