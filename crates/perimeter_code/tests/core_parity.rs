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

// Sinks added through the tables (issue 17 item 3): DynamoDB legacy conditions and table
// names, socket hosts.

/// Lines of the flows of `kind`.
fn lines(s: &FunctionSummary, kind: Kind) -> Vec<u32> {
    flows(s)
        .into_iter()
        .filter(|(_, k, _)| *k == kind)
        .map(|(l, _, _)| l)
        .collect()
}

#[test]
fn dynamodb_legacy_conditions_and_table_name_are_nosql_injection_in_both_languages() {
    let j = js(r#"const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event) => {
  const b = JSON.parse(event.body);
  await db.scan({ TableName: 't', ScanFilter: b.filter }).promise();
  await db.scan({ TableName: 't', ScanFilter: { owner: { ComparisonOperator: b.op, AttributeValueList: [b.v] } } }).promise();
  await db.query({ TableName: 't', KeyConditions: { pk: b.cond } }).promise();
  await db.query({ TableName: 't', QueryFilter: { n: { ComparisonOperator: event.queryStringParameters.op, AttributeValueList: [1] } } }).promise();
  await db.put({ TableName: 't', Item: { id: 1 }, Expected: b.expected }).promise();
  await db.get({ TableName: event.queryStringParameters.table, Key: { id: 1 } }).promise();
  await db.scan({ TableName: 't', ScanFilter: { owner: { ComparisonOperator: 'EQ', AttributeValueList: [b.v] } } }).promise();
  await db.query({ TableName: 't', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [event.pathParameters.id] } } }).promise();
  await db.put({ TableName: 't', Item: { id: b.id }, Expected: { id: { Exists: false } } }).promise();
  await db.update({ TableName: 't', Key: { id: 1 }, Expected: { v: { Value: b.v } } }).promise();
};
"#);
    let p = py(r#"import json
import boto3
client = boto3.client("dynamodb")
def handler(event, context):
    b = json.loads(event["body"])
    client.scan(TableName="t", ScanFilter=b["filter"])
    client.scan(TableName="t", ScanFilter={"owner": {"ComparisonOperator": b["op"], "AttributeValueList": [{"S": b["v"]}]}})
    client.query(TableName="t", KeyConditions={"pk": b["cond"]})
    client.query(TableName="t", QueryFilter={"n": {"ComparisonOperator": event["queryStringParameters"]["op"], "AttributeValueList": [{"N": "1"}]}})
    client.put_item(TableName="t", Item={"id": {"N": "1"}}, Expected=b["expected"])
    client.get_item(TableName=event["queryStringParameters"]["table"], Key={"id": {"N": "1"}})
    client.scan(TableName="t", ScanFilter={"owner": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": b["v"]}]}})
    client.query(TableName="t", KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": event["pathParameters"]["id"]}]}})
    client.put_item(TableName="t", Item={"id": {"S": b["id"]}}, Expected={"id": {"Exists": False}})
    client.update_item(TableName="t", Key={"id": {"N": "1"}}, Expected={"v": {"Value": {"S": b["v"]}}})
"#);
    // Python's lines are one later (`import json`).
    for (s, lang, first) in [(&j, "js", 5), (&p, "py", 6)] {
        let nosql = lines(s, Kind::InjectionNosql);
        for line in first..first + 6 {
            assert!(
                nosql.contains(&line),
                "{lang}: line {line} fires: {nosql:?}"
            );
        }
        for line in first + 6..first + 10 {
            assert!(
                !nosql.contains(&line),
                "{lang}: line {line} is data: {nosql:?}"
            );
        }
    }
}

#[test]
fn socket_to_an_event_host_is_ssrf_in_both_languages() {
    let j = js(r#"const net = require('net');
const tls = require('node:tls');
exports.handler = async (event) => {
  const q = event.queryStringParameters;
  net.connect({ host: q.host, port: 25 });
  net.createConnection(6379, q.host);
  tls.connect({ host: q.host, port: 443, servername: 'api.example.com' });
  tls.connect(443, q.host);
  net.connect({ host: 'mail.example.com', port: Number(q.port) });
  net.createConnection(q.port, 'cache.internal');
  const s = tls.connect({ host: 'api.example.com', port: 443 });
  s.write(q.payload);
};
"#);
    let p = py(r#"import socket
def handler(event, context):
    q = event["queryStringParameters"]
    socket.create_connection((q["host"], 25))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((q["host"], int(q["port"])))
    s.connect_ex((q["host"], 80))
    socket.create_connection(("mail.example.com", int(q["port"])))
    s.connect(("cache.internal", int(q["port"])))
    s.sendall(q["payload"].encode())
    s.connect(address=("x", 1))
"#);
    for (s, lang, fire, safe) in [
        (&j, "js", vec![5, 6, 7, 8], vec![9, 10, 11, 12]),
        (&p, "py", vec![4, 6, 7], vec![8, 9, 10, 11]),
    ] {
        let ssrf = lines(s, Kind::Ssrf);
        for line in fire {
            assert!(ssrf.contains(&line), "{lang}: line {line} fires: {ssrf:?}");
        }
        for line in safe {
            assert!(
                !ssrf.contains(&line),
                "{lang}: line {line} is safe: {ssrf:?}"
            );
        }
    }
}

#[test]
fn dynamodb_conditional_operator_from_the_event_is_nosql_injection_in_both_languages() {
    let j = js(r#"const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.handler = async (event) => {
  const f = { a: { ComparisonOperator: 'EQ', AttributeValueList: [1] }, b: { ComparisonOperator: 'EQ', AttributeValueList: [2] } };
  await db.scan({ TableName: 't', ScanFilter: f, ConditionalOperator: event.queryStringParameters.join }).promise();
  await db.scan({ TableName: 't', ScanFilter: f, ConditionalOperator: 'OR' }).promise();
};
"#);
    let p = py(r#"import boto3
client = boto3.client("dynamodb")
def handler(event, context):
    f = {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}
    client.scan(TableName="t", ScanFilter=f, ConditionalOperator=event["join"])
    client.scan(TableName="t", ScanFilter=f, ConditionalOperator="OR")
"#);
    for (s, lang) in [(&j, "js"), (&p, "py")] {
        assert_eq!(lines(s, Kind::InjectionNosql), vec![5], "{lang}");
    }
}
