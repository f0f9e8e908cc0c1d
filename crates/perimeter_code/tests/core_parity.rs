//! The shared semantic core seen from both front ends: the same SDK call in JavaScript and in
//! Python has the same effect (the behaviours the two engines' copies once disagreed on).

use perimeter_code::handler::HandlerSpec;
use perimeter_code::{FunctionSummary, Repo, js, python};
use perimeter_diagnostics::Kind;

fn run(
    file: &str,
    text: &str,
    handler: &str,
    runtime: &str,
    analyse: fn(&Repo, &HandlerSpec<'_>) -> FunctionSummary,
) -> FunctionSummary {
    let repo = Repo::in_memory([(file, text)]);
    analyse(
        &repo,
        &HandlerSpec {
            function: "Fn",
            code_dir: "",
            handler,
            runtime: Some(runtime),
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    )
}

fn js(text: &str) -> FunctionSummary {
    run("h.js", text, "h.handler", "nodejs20.x", js::analyse_handler)
}

fn py(text: &str) -> FunctionSummary {
    run(
        "h.py",
        text,
        "h.handler",
        "python3.12",
        python::analyse_handler,
    )
}

/// (line, kind, source path) of each flow.
fn flows(s: &FunctionSummary) -> Vec<(u32, Kind, String)> {
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s.flows
        .iter()
        .map(|f| (f.sink.start().line, f.kind, f.source.path.clone()))
        .collect()
}

#[test]
fn s3_get_object_result_is_body_shaped_in_both_languages() {
    let j = js(r#"const AWS = require('aws-sdk');
const { execSync } = require('child_process');
const s3 = new AWS.S3();
exports.handler = async (event) => {
  const res = await s3.getObject({ Bucket: 'docs', Key: event.key }).promise();
  execSync(res.Body.toString());
  execSync(res.ContentType);
};
"#);
    let p = py(r#"import os
import boto3
s3 = boto3.client("s3")
def handler(event, context):
    res = s3.get_object(Bucket="docs", Key=event["key"])
    os.system(res["Body"].read().decode())
    os.system(res["ContentType"])
"#);
    let cmd = Kind::InjectionOsCommand;
    for (s, line) in [(&j, 6), (&p, 6)] {
        let f = flows(s);
        assert!(
            f.contains(&(line, cmd, "s3-object".to_owned())),
            "object content reaches the command: {f:?}"
        );
    }
}

#[test]
fn constant_dynamodb_expression_is_no_injection_in_both_languages() {
    let j = js(r#"const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event) => {
  await db.scan({ TableName: 't', FilterExpression: 'id = :v', ExpressionAttributeValues: { ':v': event.id } }).promise();
  await db.scan({ TableName: 't', FilterExpression: `id = ${event.id}` }).promise();
};
"#);
    let p = py(r#"import boto3
table = boto3.resource("dynamodb").Table("t")
def handler(event, context):
    table.scan(FilterExpression="id = :v", ExpressionAttributeValues={":v": event["id"]})
    table.scan(FilterExpression=f"id = {event['id']}")
"#);
    for (s, (bound, built)) in [(&j, (4, 5)), (&p, (4, 5))] {
        let f = flows(s);
        let nosql: Vec<u32> = f
            .iter()
            .filter(|(_, k, _)| *k == Kind::InjectionNosql)
            .map(|(l, _, _)| *l)
            .collect();
        assert!(!nosql.contains(&bound), "bound value is safe: {f:?}");
        assert!(
            nosql.contains(&built),
            "built expression is injection: {f:?}"
        );
    }
}

#[test]
fn put_events_payload_names_the_entry_field_in_both_languages() {
    let j = js(r#"const AWS = require('aws-sdk');
const eb = new AWS.EventBridge();
exports.handler = async (event) => {
  await eb.putEvents({ Entries: [{ Source: 'app', DetailType: 'x', Detail: event.body }] }).promise();
};
"#);
    let p = py(r#"import boto3
eb = boto3.client("events")
def handler(event, context):
    eb.put_events(Entries=[{"Source": "app", "DetailType": "x", "Detail": event["body"]}])
"#);
    for s in [&j, &p] {
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let call = s
            .sdk_calls
            .iter()
            .find(|c| c.operation == "PutEvents")
            .expect("PutEvents recorded");
        let t = call.tainted.as_ref().expect("tainted payload");
        assert_eq!(t.field, "Entries[].Detail");
        assert_eq!(t.source.path, "body");
    }
}

#[test]
fn managed_upload_spellings_come_from_one_table() {
    let j = js(r#"const AWS = require('aws-sdk');
const s3 = new AWS.S3();
exports.handler = async (event) => {
  await s3.upload({ Bucket: 'b', Key: 'k', Body: event.body }).promise();
};
"#);
    let p = py(r#"import boto3
s3 = boto3.client("s3")
def handler(event, context):
    s3.upload_file("/tmp/f", "b", "k")
"#);
    for s in [&j, &p] {
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let ops: Vec<&str> = s.sdk_calls.iter().map(|c| c.operation.as_str()).collect();
        assert!(ops.contains(&"PutObject"), "{ops:?}");
        assert!(ops.contains(&"AbortMultipartUpload"), "{ops:?}");
    }
}
