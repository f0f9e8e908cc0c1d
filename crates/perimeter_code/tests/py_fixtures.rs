//! Python taint analysis over the fixtures in `fixtures/py`: every line marked
//! `# expect: <kind>` must be a sink of that kind, and no other line may be one (lines marked
//! `# ok: <kind>` are the safe look-alikes).

use perimeter_code::{FunctionSummary, Repo, ResourceExpr};
use perimeter_diagnostics::Kind;

mod common;

use common::{analyse, check, fixture_repo, sources_at};

/// The Python fixtures.
pub const LANG: common::Lang = common::Lang {
    dir: "py",
    runtime: "python3.12",
    marker: "# expect:",
    analyse: perimeter_code::python::analyse_handler,
};

#[test]
fn api_gateway_sources_have_precise_paths() {
    let s = &check("sources", &["apigw.handler"])[0];
    assert_eq!(sources_at(s, "apigw.py", 7), ["queryStringParameters.dir"]);
    assert_eq!(sources_at(s, "apigw.py", 8), ["pathParameters.id"]);
    assert_eq!(sources_at(s, "apigw.py", 9), ["headers.X-Name"]);
    assert_eq!(sources_at(s, "apigw.py", 11), ["body"]);
    assert_eq!(sources_at(s, "apigw.py", 12), ["*"]);
    let f = s.flows.iter().find(|f| f.sink.start().line == 7).unwrap();
    assert_eq!(f.kind, Kind::InjectionOsCommand);
    assert_eq!(f.sink_name, "os.system");
    assert_eq!((f.sink.start().line, f.sink.start().column), (7, 5));
    assert_eq!(f.source.loc.text(), "qs[\"dir\"]");
    assert_eq!(
        f.steps.last().map(|s| s.note.as_str()),
        Some("string built from it")
    );
    assert_eq!(s.handler.as_ref().unwrap().text(), "handler");
}

#[test]
fn record_sources_of_queues_buckets_topics_streams_and_buses() {
    let s = &check("sources", &["records.handler"])[0];
    assert_eq!(sources_at(s, "records.py", 9), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.py", 10), ["Records[].s3.object.key"]);
    assert_eq!(sources_at(s, "records.py", 11), ["Records[].Sns.Message"]);
    assert_eq!(
        sources_at(s, "records.py", 12),
        ["Records[].dynamodb.NewImage"]
    );
    assert_eq!(sources_at(s, "records.py", 13), ["Records[].kinesis.data"]);
    assert_eq!(sources_at(s, "records.py", 15), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.py", 16), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.py", 17), ["detail.command"]);
    assert_eq!(sources_at(s, "records.py", 19), ["Records[].body"]);
}

#[test]
fn sql_sinks_and_parameterised_look_alikes() {
    let s = &check("sql", &["app.handler"])[0];
    assert_eq!(sources_at(s, "app.py", 22), ["pathParameters.ref"]);
    assert_eq!(s.imports, ["psycopg2", "pymysql", "sqlalchemy"]);
}

#[test]
fn nosql_mongo_and_dynamodb_expressions() {
    let s = &check("nosql", &["app.handler"])[0];
    let f = s.flows.iter().find(|f| f.sink.start().line == 19).unwrap();
    assert_eq!(f.sink_name, "dynamodb.Scan FilterExpression");
}

#[test]
fn os_command_sinks_and_curl_is_also_ssrf() {
    check("os", &["app.handler"]);
}

#[test]
fn code_injection_sinks() {
    check("code", &["app.handler"]);
}

#[test]
fn deserialization_and_xxe() {
    check("deser", &["app.handler"]);
}

#[test]
fn ssrf_sinks_and_fixed_host_look_alikes() {
    check("ssrf", &["app.handler"]);
}

#[test]
fn path_traversal_and_sanitized_names() {
    check("path", &["app.handler"]);
}

#[test]
fn xss_only_for_html_responses() {
    let s = &check("xss", &["app.handler"])[0];
    assert_eq!(sources_at(s, "app.py", 22), ["queryStringParameters.name"]);
}

#[test]
fn verbose_errors_from_except_blocks() {
    let s = &check("verbose", &["app.handler"])[0];
    assert!(s.flows.iter().all(|f| f.source.path == "error"));
    let f = s.flows.iter().find(|f| f.sink.start().line == 12).unwrap();
    assert_eq!(f.source.loc.text(), "e");
    assert_eq!(f.source.loc.start().line, 11);
}

#[test]
fn allowlists_and_validators_clean_only_what_they_check() {
    check("guards", &["app.handler", "app.by_path"]);
}

#[test]
fn interprocedural_across_modules_classes_and_packages() {
    let s = &check("interproc", &["handler.lambda_handler"])[0];
    assert_eq!(
        s.files,
        [
            "handler.py",
            "lib/__init__.py",
            "lib/db.py",
            "services/__init__.py",
            "services/orders.py",
            "services/paths.py",
            "services/render.py",
        ]
    );
    assert_eq!(s.imports, ["boto3", "pymysql"]);
    let sql = s
        .flows
        .iter()
        .find(|f| f.kind == Kind::InjectionSql)
        .unwrap();
    assert_eq!(sql.source.path, "body");
    assert_eq!(sql.source.loc.path(), "handler.py");
    assert_eq!(sql.sink.path(), "lib/db.py");
    let notes: Vec<&str> = sql.steps.iter().map(|s| s.note.as_str()).collect();
    assert!(
        notes.contains(&"argument of build_query") && notes.contains(&"argument of run"),
        "{notes:?}"
    );
    let xss = s.flows.iter().find(|f| f.kind == Kind::Xss).unwrap();
    assert_eq!(xss.sink.path(), "handler.py");
    assert_eq!(xss.source.path, "queryStringParameters.q");
    let calls: Vec<(&str, &str, &ResourceExpr, Option<&str>)> = s
        .sdk_calls
        .iter()
        .map(|c| {
            (
                c.service.as_str(),
                c.operation.as_str(),
                &c.resource,
                c.tainted.as_ref().map(|t| t.field.as_str()),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "dynamodb",
                "PutItem",
                &ResourceExpr::Env("ORDERS_TABLE".into()),
                Some("Item")
            ),
            (
                "s3",
                "PutObject",
                &ResourceExpr::Literal("orders-archive".into()),
                Some("Key")
            ),
        ]
    );
    assert_eq!(
        s.sdk_calls[1].key,
        Some(ResourceExpr::Pattern("archive/*.json".into()))
    );
}

#[test]
fn boto3_calls_resources_and_payloads() {
    let s = &check("sdk", &["app.handler"])[0];
    let calls: Vec<String> = s
        .sdk_calls
        .iter()
        .map(|c| {
            let t = c
                .tainted
                .as_ref()
                .map(|t| format!(" tainted {}<-{}", t.field, t.source.path))
                .unwrap_or_default();
            let k = c
                .key
                .as_ref()
                .map(|k| format!(" key {k:?}"))
                .unwrap_or_default();
            format!(
                "{}:{} {}:{:?}{k}{t}",
                c.loc.start().line,
                c.service,
                c.operation,
                c.resource
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            "22:sqs SendMessage:Env(\"QUEUE_URL\") tainted MessageBody<-body",
            "23:sns Publish:Literal(\"arn:aws:sns:eu-west-1:123456789012:orders\")",
            // `upload_file` is a managed upload: it aborts a failed multipart upload.
            "24:s3 AbortMultipartUpload:Env(\"BUCKET_NAME\") key Pattern(\"reports/*\")",
            "24:s3 PutObject:Env(\"BUCKET_NAME\") key Pattern(\"reports/*\") tainted Key<-body",
            "25:s3 PutObject:Env(\"BUCKET_NAME\") key Literal(\"uploads/x\")",
            "26:s3 PutObject:Env(\"BUCKET_NAME\") key Pattern(\"in/*\") tainted Key<-body",
            "27:s3 PutObject:Env(\"BUCKET_NAME\") key Literal(\"fixed.txt\") tainted Body<-body",
            "28:lambda Invoke:Env(\"WORKER\") tainted Payload<-body",
            "29:states StartExecution:Env(\"MACHINE\") tainted input<-body",
            "30:kinesis PutRecord:Literal(\"clicks\") tainted Data<-body",
            "31:events PutEvents:Literal(\"orders\") tainted Entries[].Detail<-body",
            "33:dynamodb BatchWriteItem:Env(\"TABLE_NAME\")",
            "34:dynamodb GetItem:Env(\"TABLE_NAME\") tainted Key<-body",
            "35:s3 GetObject:Env(\"BUCKET_NAME\") key Unknown(\"event.body\") tainted Key<-body",
            "38:s3 GetObject:Env(\"BUCKET_NAME\") key Literal(\"settings.json\")",
        ]
    );
    let f = &s.flows[0];
    assert_eq!(f.source.path, "s3-object");
    assert_eq!(f.source.loc.start().line, 35);
    assert_eq!(s.files, ["app.py", "config.py"]);
}

#[test]
fn handler_not_found_and_parse_errors() {
    let repo = fixture_repo("errors");
    let s = analyse(&repo, "", "app.main");
    assert!(s.handler.is_none());
    assert_eq!(s.errors.len(), 1);
    assert_eq!(
        s.errors[0].message,
        "handler `app.main` of function `Fn`: module app.py has no function `main`"
    );
    let s = analyse(&repo, "", "missing.main");
    assert_eq!(
        s.errors[0].message,
        "handler `missing.main` of function `Fn`: no module missing.py under ."
    );
    let s = analyse(&repo, "svc", "app.main");
    assert_eq!(
        s.errors[0].message,
        "handler `app.main` of function `Fn`: no module app.py under svc"
    );
    let s = analyse(&repo, "", "broken.handler");
    assert!(s.handler.is_none());
    assert_eq!(s.errors[0].path, "broken.py");
    assert!(s.errors[0].line.is_some());
    assert!(
        s.errors[0].message.starts_with("cannot parse Python"),
        "{:?}",
        s.errors
    );
    // A module that does not parse is reported; the handler importing it is still analysed.
    let s = analyse(&repo, "", "imports_broken.handler");
    assert!(s.handler.is_some());
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].path, "broken.py");
}

#[test]
fn dotted_and_folder_handlers() {
    let repo = Repo::in_memory([
        (
            "svc/src/handlers/orders.py",
            "def create(event, context):\n    return event\n",
        ),
        (
            "svc/pkg/sub/mod/__init__.py",
            "def main(e, c):\n    return None\n",
        ),
    ]);
    let s = analyse(&repo, "svc", "src/handlers/orders.create");
    assert_eq!(
        s.handler.as_ref().unwrap().path(),
        "svc/src/handlers/orders.py"
    );
    let s = analyse(&repo, "svc", "pkg.sub.mod.main");
    assert_eq!(
        s.handler.as_ref().unwrap().path(),
        "svc/pkg/sub/mod/__init__.py"
    );
}

#[test]
fn budget_exhaustion_is_reported() {
    // Each level calls the next twice with different texts, so no call repeats another:
    // the work doubles with every level until the budget stops it.
    let mut text = String::from(
        "import os\n\n\ndef handler(event, context):\n    f0(event['body'], '')\n\n\n",
    );
    for i in 0..40 {
        text.push_str(&format!("def f{i}(x, t):\n"));
        for _ in 0..80 {
            text.push_str("    y = x + t\n");
        }
        text.push_str(&format!(
            "    f{n}(x, t + 'a')\n    f{n}(x, t + 'b')\n    return y\n\n\n",
            n = i + 1
        ));
    }
    text.push_str("def f40(x, t):\n    os.system(x)\n");
    let repo = Repo::in_memory([("app.py", text.as_str())]);
    let s = analyse(&repo, "", "app.handler");
    assert!(
        s.errors
            .iter()
            .any(|e| e.path == "app.py" && e.message.starts_with("analysis budget exhausted in `f")),
        "{:?}",
        s.errors
    );
}

/// Analysed on a thread with the scanner's stack (`perimeter::engine::STACK_SIZE`, 1 GiB
/// reserved): nesting under the limits is evaluated in full, which a test thread's stack
/// does not hold.
fn survives(text: &str) -> FunctionSummary {
    let text = text.to_owned();
    let s = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let repo = Repo::in_memory([("app.py", text.as_str())]);
            analyse(&repo, "", "app.handler")
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(s.handler.is_some(), "{:?}", s.errors);
    s
}

#[test]
fn hostile_parentheses() {
    survives(&format!(
        "import os\n\n\ndef handler(event, context):\n    x = {}event['body']{}\n    os.system(x)\n",
        "(".repeat(150),
        ")".repeat(150)
    ));
}

/// Over the nesting limit: the file is an error entry that names it and the limit, and the
/// analysis does not start (no stack overflow).
fn refused(text: &str) {
    let repo = Repo::in_memory([("app.py", text)]);
    let s = analyse(&repo, "", "app.handler");
    assert!(
        s.errors
            .iter()
            .any(|e| e.path == "app.py" && e.message.contains("nesting limit")),
        "{:?}",
        s.errors
    );
}

#[test]
fn hostile_long_concatenation() {
    // Under the limit: analysed.
    survives(&format!(
        "import os\n\n\ndef handler(event, context):\n    x = event['body']{}\n    os.system(x)\n",
        " + 'a'".repeat(900)
    ));
    // Over it: refused with a reason.
    refused(&format!(
        "import os\n\n\ndef handler(event, context):\n    x = event['body']{}\n    os.system(x)\n",
        " + 'a'".repeat(3000)
    ));
}

#[test]
fn recursion_terminates() {
    let s = survives(
        "import os\n\n\ndef handler(event, context):\n    return loop(event['body'])\n\n\ndef loop(x):\n    os.system(x)\n    return loop(x + 'y')\n",
    );
    assert_eq!(s.flows.len(), 1);
    assert_eq!(s.flows[0].sink.start().line, 9);
}

#[test]
fn hostile_long_expression_in_an_uncalled_function() {
    survives(&format!(
        "def unused():\n    x = 1{}\n\ndef handler(e, c):\n    pass\n",
        " + 1".repeat(900)
    ));
    refused(&format!(
        "def unused():\n    x = 1{}\n\ndef handler(e, c):\n    pass\n",
        " + 1".repeat(3000)
    ));
}

#[test]
fn web_frameworks_run_inside_lambda() {
    let s = check(
        "frameworks",
        &[
            "flask_app.handler",
            "chalice_app.app",
            "fastapi_app.handler",
        ],
    );
    assert!(
        s.iter().all(|x| x.handler.is_some()),
        "{:?}",
        s.iter().map(|x| &x.errors).collect::<Vec<_>>()
    );
    assert_eq!(sources_at(&s[0], "flask_app.py", 14), ["request.args.name"]);
    assert_eq!(sources_at(&s[0], "flask_app.py", 21), ["route.path"]);
    assert_eq!(sources_at(&s[2], "fastapi_app.py", 10), ["route.url"]);
}

#[test]
fn chalice_event_objects_are_the_raw_events_records() {
    let s = check(
        "chalice_events",
        &[
            "app.on_upload",
            "app.on_order",
            "app.on_alert",
            "app.on_click",
            "app.on_change",
        ],
    );
    assert_eq!(sources_at(&s[0], "app.py", 14), ["Records[].s3.object.key"]);
    assert_eq!(sources_at(&s[1], "app.py", 22), ["Records[].body"]);
    assert_eq!(sources_at(&s[2], "app.py", 28), ["Records[].Sns.Subject"]);
    assert_eq!(sources_at(&s[3], "app.py", 34), ["Records[].kinesis.data"]);
    assert_eq!(
        sources_at(&s[4], "app.py", 40),
        ["Records[].dynamodb.NewImage.k.S"]
    );
}

#[test]
fn packages_installed_into_the_function_are_libraries_with_known_sinks() {
    // `pip install -t .` put sqlite_utils beside the handler: the finding is the handler's
    // call, not a line inside the library.
    let s = &check("vendored", &["main.handler"])[0];
    assert!(
        s.files.iter().all(|f| !f.contains("sqlite_utils/")),
        "{:?}",
        s.files
    );
}
