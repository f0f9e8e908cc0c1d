//! Python: sources, sinks, sanitizers, calls into repository modules, boto3 calls and the
//! handler errors. Each sink line of a fixture carries `# expect: <kind>` or `# ok: <kind>`.

use perimeter_code::handler::HandlerSpec;
use perimeter_code::{FunctionSummary, Repo, ResourceExpr, python};
use perimeter_diagnostics::Kind;

fn analyse(files: &[(&str, &str)], handler: &str) -> FunctionSummary {
    let repo = Repo::in_memory(files.iter().copied());
    python::analyse_handler(
        &repo,
        &HandlerSpec {
            function: "Fn",
            code_dir: "",
            handler,
            runtime: Some("python3.12"),
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    )
}

/// Lines marked `expect: kind` in the text, and the lines of flows of that kind.
fn check(text: &str, summary: &FunctionSummary) {
    let mut want: Vec<(u32, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("# expect: ") {
            for k in line[at + 10..].split_whitespace() {
                want.push((u32::try_from(i).unwrap() + 1, k.to_owned()));
            }
        }
    }
    let mut have: Vec<(u32, String)> = summary
        .flows
        .iter()
        .map(|f| (f.sink.start().line, f.kind.as_str().to_owned()))
        .collect();
    want.sort();
    have.sort();
    have.dedup();
    assert_eq!(have, want, "errors: {:?}", summary.errors);
}

const SINKS: &str = r#"import json
import os
import pickle
import shlex
import subprocess

import pymysql
import requests
import yaml

conn = pymysql.connect()


def handler(event, context):
    body = json.loads(event["body"])
    name = body["name"]
    cur = conn.cursor()
    cur.execute("SELECT * FROM t WHERE n = '%s'" % name)  # expect: injection-sql
    cur.execute(f"DELETE FROM t WHERE n = '{name}'")  # expect: injection-sql
    cur.execute("SELECT * FROM t WHERE n = %s", (name,))  # ok: injection-sql
    os.system("convert " + name)  # expect: injection-os-command
    os.system("convert " + shlex.quote(name))  # ok: injection-os-command
    subprocess.run("gzip " + name, shell=True)  # expect: injection-os-command
    subprocess.run(["gzip", "file"])  # ok: injection-os-command
    eval(body["expr"])  # expect: injection-code
    eval("1 + 1")  # ok: injection-code
    pickle.loads(body["blob"])  # expect: deserialization
    yaml.load(body["doc"])  # expect: deserialization
    yaml.load(body["doc"], Loader=yaml.SafeLoader)  # ok: deserialization
    requests.get(body["url"])  # expect: ssrf
    requests.get("https://example.com/" + str(int(body["id"])))  # ok: ssrf
    open("/tmp/" + name)  # expect: path-traversal
    open("/tmp/" + os.path.basename(name))  # ok: path-traversal
    n = int(event["queryStringParameters"]["n"])
    cur.execute("SELECT * FROM t LIMIT " + str(n))  # ok: injection-sql
    return {"statusCode": 200}
"#;

#[test]
fn sinks_and_their_safe_look_alikes() {
    let s = analyse(&[("app.py", SINKS)], "app.handler");
    assert!(s.handler.is_some(), "{:?}", s.errors);
    check(SINKS, &s);
    let sql = s
        .flows
        .iter()
        .find(|f| f.kind == Kind::InjectionSql)
        .unwrap();
    // As in the JavaScript analyser, parsed JSON keeps the path of the text it came from.
    assert_eq!(sql.source.path, "body");
    assert_eq!(sql.source.loc.start().line, 15);
    assert_eq!(sql.source.loc.text(), "event[\"body\"]");
}

const RECORDS: &str = r#"import json
import os


def main(evt, ctx):
    for record in evt["Records"]:
        key = record["s3"]["object"]["key"]
        os.system("touch " + key)  # expect: injection-os-command
    msg = json.loads(evt["Records"][0]["body"])
    os.system("echo " + msg["x"])  # expect: injection-os-command
    allowed = ("a", "b")
    mode = evt["detail"]["mode"]
    if mode not in allowed:
        return
    os.system("run " + mode)  # ok: injection-os-command
"#;

#[test]
fn event_records_paths_and_allowlists() {
    let s = analyse(&[("src/h.py", RECORDS)], "src/h.main");
    check(RECORDS, &s);
    let paths: Vec<&str> = s.flows.iter().map(|f| f.source.path.as_str()).collect();
    assert_eq!(paths, ["Records[].s3.object.key", "Records[].body"]);
}

const VERBOSE: &str = r#"import json
import traceback


def handler(event, context):
    try:
        return {"statusCode": 200, "body": json.dumps(work(event))}
    except Exception as e:
        if event.get("debug"):
            return {"statusCode": 500, "body": traceback.format_exc()}  # expect: verbose-error
        return {"statusCode": 500, "body": "internal error"}  # ok: verbose-error


def work(event):
    return {"ok": True}
"#;

#[test]
fn verbose_errors() {
    let s = analyse(&[("app.py", VERBOSE)], "app.handler");
    check(VERBOSE, &s);
}

const HELPER: &str = r#"def build(name):
    return "SELECT * FROM users WHERE name = '" + name + "'"


def run(cursor, sql):
    cursor.execute(sql)  # expect: injection-sql
"#;

const CALLER: &str = r#"import pymysql

from lib.db import build, run

conn = pymysql.connect()


def handler(event, context):
    sql = build(event["pathParameters"]["name"])
    run(conn.cursor(), sql)
"#;

#[test]
fn calls_into_repository_modules() {
    let s = analyse(
        &[
            ("app.py", CALLER),
            ("lib/db.py", HELPER),
            ("lib/__init__.py", ""),
        ],
        "app.handler",
    );
    check(HELPER, &s);
    let f = &s.flows[0];
    assert_eq!(f.sink.path(), "lib/db.py");
    assert_eq!(f.source.path, "pathParameters.name");
    assert!(
        f.steps
            .iter()
            .any(|st| st.note.contains("argument of build")),
        "{:?}",
        f.steps
    );
    assert_eq!(s.files, ["app.py", "lib/__init__.py", "lib/db.py"]);
    assert_eq!(s.imports, ["pymysql"]);
}

const SDK: &str = r#"import json
import os

import boto3

QUEUE = os.environ["QUEUE_URL"]
sqs = boto3.client("sqs")
table = boto3.resource("dynamodb").Table(os.environ.get("TABLE"))
s3 = boto3.client("s3")


def handler(event, context):
    body = json.loads(event["body"])
    sqs.send_message(QueueUrl=QUEUE, MessageBody=json.dumps(body))
    table.put_item(Item={"id": "fixed"})
    s3.put_object(Bucket="archive", Key="in/" + body["name"], Body=b"")
    boto3.client("events").put_events(Entries=[{"Detail": json.dumps(body)}])
    boto3.client("lambda").invoke(FunctionName="worker", Payload=json.dumps(body))
"#;

#[test]
fn boto3_calls() {
    let s = analyse(&[("app.py", SDK)], "app.handler");
    let calls: Vec<(String, String, ResourceExpr, Option<String>)> = s
        .sdk_calls
        .iter()
        .map(|c| {
            (
                c.service.clone(),
                c.operation.clone(),
                c.resource.clone(),
                c.tainted.as_ref().map(|t| t.field.clone()),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "sqs".into(),
                "SendMessage".into(),
                ResourceExpr::Env("QUEUE_URL".into()),
                Some("MessageBody".into())
            ),
            (
                "dynamodb".into(),
                "PutItem".into(),
                ResourceExpr::Env("TABLE".into()),
                None
            ),
            (
                "s3".into(),
                "PutObject".into(),
                ResourceExpr::Literal("archive".into()),
                Some("Key".into())
            ),
            (
                "events".into(),
                "PutEvents".into(),
                ResourceExpr::Literal("default".into()),
                Some("Entries[].Detail".into())
            ),
            (
                "lambda".into(),
                "Invoke".into(),
                ResourceExpr::Literal("worker".into()),
                Some("Payload".into())
            ),
        ]
    );
    assert_eq!(s.sdk_calls[0].tainted.as_ref().unwrap().source.path, "body");
    assert!(s.flows.is_empty());
}

#[test]
fn handler_errors_name_the_function() {
    let s = analyse(&[("app.py", "def other(e, c):\n    pass\n")], "app.handler");
    assert!(s.handler.is_none());
    assert!(
        s.errors[0].message.contains("has no function `handler`"),
        "{:?}",
        s.errors
    );
    let s = analyse(&[("app.py", "")], "missing.handler");
    assert!(
        s.errors[0].message.contains("no module missing.py"),
        "{:?}",
        s.errors
    );
    let s = analyse(&[("app.py", "def handler(e, c:\n")], "app.handler");
    assert!(
        s.errors[0].message.contains("cannot parse"),
        "{:?}",
        s.errors
    );
}

/// A WSGI app built by a factory (`app = create_app()`, as Zappa's `app_function` names
/// it): the routes of the blueprints its construction imports are the entry points.
#[test]
fn app_factory_blueprint_routes() {
    let run = "from project import create_app\n\napp = create_app()\n";
    let init = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from project.views import bp\n    app.register_blueprint(bp)\n    return app\n";
    let views = "import os\nfrom flask import Blueprint, request\n\nbp = Blueprint('main', __name__)\n\n\n@bp.route('/run')\ndef run_it():\n    os.system(request.args['cmd'])  # expect: injection-os-command\n";
    let s = analyse(
        &[
            ("run.py", run),
            ("project/__init__.py", init),
            ("project/views.py", views),
        ],
        "run.app",
    );
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.handler.is_some());
    check(views, &s);
    // A module-level name that serves no route is still an error naming the handler.
    let s = analyse(&[("run.py", "app = object()\n")], "run.app");
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
}

// --- issue 16, item 1: strings folded from constants (constfold) ---

/// `(line, name, value)` of each folded string of a summary.
fn folded(s: &FunctionSummary) -> Vec<(u32, Option<String>, String)> {
    s.folded
        .iter()
        .map(|f| (f.loc.start().line, f.name.clone(), f.value.clone()))
        .collect()
}

#[test]
fn python_strings_built_from_constants_are_folded_at_the_outermost_expression() {
    let src = r#"import base64
import os
USER = "admin"
PW = "8e254ed4c1f9a0b7"

def handler(event, context):
    a = "Basic " + base64.b64encode(f"{USER}:{PW}".encode()).decode()
    b = "postgres://%s:%s@db/app" % (USER, PW)
    c = "{}:{pw}@{}".format(USER, "db", pw=PW)
    d = ":".join([USER, PW])
    e = "Bearer " + os.environ["TOKEN"]
    f = "%(user)s:%(pw)s" % {"user": USER, "pw": PW}
    g = "{0:>8}".format(PW)
    h = f"{USER}:{event['body']}"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h}
"#;
    let s = analyse(&[("app.py", src)], "app.handler");
    let name = |n: &str| Some(n.to_owned());
    assert_eq!(
        folded(&s),
        [
            (
                7,
                name("a"),
                "Basic YWRtaW46OGUyNTRlZDRjMWY5YTBiNw==".to_owned()
            ),
            (
                8,
                name("b"),
                "postgres://admin:8e254ed4c1f9a0b7@db/app".to_owned()
            ),
            (9, name("c"), "admin:8e254ed4c1f9a0b7@db".to_owned()),
            (10, name("d"), "admin:8e254ed4c1f9a0b7".to_owned()),
        ],
        "an environment variable, event data, a mapping key or a format spec is not folded"
    );
}
