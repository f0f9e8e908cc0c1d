//! Descriptor formats read beside Serverless Framework, SAM, CloudFormation and Terraform:
//! AWS Chalice (`.chalice/config.json` and the decorators of `app.py`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn run(args: &[&str], dir: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .arg(&path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// `(rule, function)` of each finding of a report (`""` for findings of no function).
fn rules_by_function(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["function"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn at(v: &Value) -> (String, u64, u64) {
    (
        v["path"].as_str().unwrap().to_owned(),
        v["line"].as_u64().unwrap(),
        v["column"].as_u64().unwrap(),
    )
}

#[test]
fn chalice_routes_events_settings_and_role() {
    let inv = run(&["inventory"], "chalice");
    let app = &inv["apps"][0];
    assert_eq!(app["framework"], "chalice");
    let fns = app["functions"].as_array().unwrap();
    let ids: Vec<&str> = fns.iter().map(|f| f["id"].as_str().unwrap()).collect();
    // One function per decorated view (Chalice deploys the routes as `api_handler`).
    assert_eq!(ids, ["get_todo", "add_todo", "on_upload"]);
    let get = &fns[0];
    assert_eq!(get["handler"]["value"], "app.get_todo");
    let route = &get["events"][0]["route"];
    assert_eq!(
        (route["method"].as_str(), route["path"].as_str()),
        (Some("GET"), Some("/todos/{tid}"))
    );
    assert_eq!(route["auth"]["type"], "none");
    assert_eq!(at(&get["events"][0]["at"]), ("app.py".into(), 11, 2));
    assert_eq!(fns[1]["events"][0]["route"]["auth"]["type"], "cognito");
    // An event function with its bucket and filters, and the stage's per-function timeout.
    let up = &fns[2];
    assert_eq!(up["handler"]["value"], "app.on_upload");
    assert_eq!(up["events"][0]["kind"], "s3");
    assert_eq!(up["events"][0]["source"], "uploads");
    assert_eq!(up["timeout"]["value"], 900);
    assert_eq!(at(&up["timeout"]), (".chalice/config.json".into(), 11, 62));
    // autogen_policy false: each deployed function has a role with the stage's policy file.
    let role = &app["roles"][0];
    assert_eq!(role["id"], "api_handler_role");
    assert_eq!(role["statements"][0]["actions"][0], "*");

    let report = run(&["scan", "--format", "json"], "chalice");
    let rules: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("AUTH001", "app.py", 11), // the GET route has no authorizer
        ("INJ001", "app.py", 13),  // a route parameter into SQL
        ("INJ001", "app.py", 19),  // app.current_request into SQL
        ("INJ003", "app.py", 25),  // an S3 event's object key (Chalice's `event.key`) into a shell
        ("SEC001", ".chalice/config.json", 10),
        ("IAM001", ".chalice/policy-dev.json", 1),
    ] {
        assert!(
            rules.contains(&(expected.0.to_owned(), expected.1.to_owned(), expected.2)),
            "{expected:?} missing from {rules:#?}"
        );
    }
    // The authenticated route is not an unauthenticated endpoint.
    assert!(!rules.contains(&("AUTH001".to_owned(), "app.py".to_owned(), 16)));
    // A Lambda setting the routes share is reported once, for the deployed function.
    let dow001: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "DOW001")
        .collect();
    assert_eq!(dow001.len(), 1, "{dow001:#?}");
    assert!(
        dow001[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("as one function, `api_handler`)")
    );
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{}",
        report["errors"]
    );
}

#[test]
fn chalice_generated_policy_follows_the_code() {
    // With `autogen_policy` (the default) Chalice writes the role's policy from the code's
    // calls when it deploys: a call is not a missing permission, and the role is named as
    // generated.
    let report = run(&["scan", "--format", "json"], "chalice_autogen");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"AUTH001"), "{rules:?}");
    assert!(!rules.contains(&"IAM011"), "{rules:?}");
    let inv = run(&["inventory"], "chalice_autogen");
    assert_eq!(inv["apps"][0]["roles"][0]["origin"], "generated");
}

#[test]
fn zappa_stages_events_and_settings() {
    let inv = run(&["inventory"], "zappa");
    let app = &inv["apps"][0];
    assert_eq!(app["framework"], "zappa");
    let ids: Vec<&str> = app["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // `base` is only extended; each event is a function of the stage's deployment.
    assert_eq!(
        ids,
        ["dev", "dev:tasks.on_upload", "dev:tasks.nightly", "prod"]
    );
    let dev = &app["functions"][0];
    assert_eq!(dev["handler"]["value"], "app.app");
    // Inherited from `base`, with its place there.
    assert_eq!(dev["timeout"]["value"], 900);
    assert_eq!(at(&dev["timeout"]), ("zappa_settings.json".into(), 6, 28));
    assert_eq!(app["functions"][1]["events"][0]["kind"], "s3");

    let report = run(&["scan", "--format", "json"], "zappa");
    let hits = rules_by_function(&report);
    let has = |rule: &str, function: &str| hits.contains(&(rule.to_owned(), function.to_owned()));
    // dev: an API key only; prod: IAM authorization.
    assert!(has("AUTH001", "dev") && !has("AUTH001", "prod"), "{hits:?}");
    assert!(has("INJ001", "dev"), "the Flask route's query into SQL");
    assert!(
        has("INJ003", "dev:tasks.on_upload"),
        "the S3 key into a shell"
    );
    assert!(hits.iter().any(|(r, _)| r == "SEC001"));
    assert!(
        hits.iter().any(|(r, _)| r == "IAM001"),
        "extra_permissions with `*`"
    );
}

#[test]
fn azure_function_app_bindings_settings_and_code() {
    let inv = run(&["inventory"], "azure");
    let app = &inv["apps"][0];
    assert_eq!(app["framework"], "azure");
    let fns = app["functions"].as_array().unwrap();
    let ids: Vec<&str> = fns.iter().map(|f| f["id"].as_str().unwrap()).collect();
    // v1 folders with a function.json, then the decorated functions of function_app.py.
    assert_eq!(
        ids,
        [
            "GetOrder",
            "ProcessOrder",
            "SubmitOrder",
            "status",
            "report",
            "archive",
            "index",
            "audit",
            "cleanup"
        ]
    );
    let by_id = |id: &str| fns.iter().find(|f| f["id"] == id).unwrap();
    let route = |id: &str| by_id(id)["events"][0]["route"].clone();
    assert_eq!(route("GetOrder")["path"], "/api/orders/{id}");
    assert_eq!(route("GetOrder")["auth"]["type"], "none");
    assert_eq!(route("SubmitOrder")["path"], "/api/SubmitOrder");
    assert_eq!(route("SubmitOrder")["auth"]["type"], "function-key");
    // The app's default level (`FUNCTION`) holds where a route sets none.
    assert_eq!(route("report")["auth"]["type"], "function-key");
    assert_eq!(route("status")["auth"]["type"], "none");
    assert_eq!(by_id("ProcessOrder")["events"][0]["kind"], "sqs");
    assert_eq!(by_id("SubmitOrder")["handler"]["value"], "__init__.main");
    // Output bindings: the name the code writes to and the resource it designates.
    let outputs = |id: &str| -> Vec<(String, String)> {
        by_id(id)["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["name"].as_str().unwrap().to_owned(),
                    o["resource"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        outputs("SubmitOrder"),
        [
            ("msg".into(), "Azure::Storage::Queue:orders".into()),
            ("trace".into(), "Azure::Storage::Queue:traces".into())
        ]
    );
    assert_eq!(
        outputs("archive"),
        [("blob".into(), "Azure::Storage::Blob:archive".into())]
    );
    assert_eq!(
        at(&by_id("report")["outputs"][0]["at"]),
        ("function_app.py".into(), 15, 2)
    );

    let report = run(&["scan", "--format", "json"], "azure");
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{}",
        report["errors"]
    );
    let hits = rules_by_function(&report);
    let has = |rule: &str, function: &str| hits.contains(&(rule.to_owned(), function.to_owned()));
    // Anonymous routes only: a function key is a key, not nobody.
    let open: Vec<&str> = hits
        .iter()
        .filter(|(r, _)| r == "AUTH001")
        .map(|(_, f)| f.as_str())
        .collect();
    assert_eq!(open, ["GetOrder", "status"]);
    // The request is the second argument in JavaScript, the first in Python.
    assert!(has("INJ003", "GetOrder"), "{hits:?}");
    assert!(has("INJ003", "SubmitOrder"), "{hits:?}");
    // Output bindings are channels of the data map, in both directions between JavaScript
    // and Python, for queues and blobs: the caller's data crosses to the consumer, whose
    // finding's trace shows the write.
    let cross = |function: &str, producer: &str, note: &str| {
        report["findings"].as_array().unwrap().iter().any(|f| {
            f["function"] == function
                && f["rule"].as_str().unwrap().starts_with("INJ")
                && f["trace"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["function"] == producer && t["note"].as_str().unwrap() == note)
        })
    };
    assert!(
        cross(
            "ProcessOrder",
            "SubmitOrder",
            "written to queue `orders` through an output binding"
        ),
        "{hits:?}"
    );
    assert!(
        cross(
            "audit",
            "GetOrder",
            "written to queue `audit` through an output binding"
        ),
        "{hits:?}"
    );
    assert!(
        cross(
            "index",
            "archive",
            "written to blob `archive` through an output binding"
        ),
        "{hits:?}"
    );
    // `cleanup` reads a queue only written with a constant: no finding.
    assert!(
        !hits
            .iter()
            .any(|(r, f)| r.starts_with("INJ") && f == "cleanup"),
        "{hits:?}"
    );
    // A decorated route runs alone: `report`'s flow is not `status`'s.
    assert!(
        has("INJ006", "report") && !has("INJ006", "status"),
        "{hits:?}"
    );
    // The committed settings are every function's environment; reported once.
    let secrets: Vec<&str> = hits
        .iter()
        .filter(|(r, _)| r.starts_with("SEC"))
        .map(|(r, _)| r.as_str())
        .collect();
    assert_eq!(secrets, ["SEC001"]);
    assert!(has("IAM008", ""), "one identity for the whole app");
    let shared = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "IAM008")
        .unwrap();
    assert_eq!(
        shared["message"],
        "the function app's identity is shared by 9 functions facing blob, http, queue triggers"
    );
    // Lambda settings an Azure app keeps elsewhere are not reported as missing.
    assert!(
        !hits
            .iter()
            .any(|(r, _)| r.starts_with("OBS") || r.starts_with("DOW") || r == "RUN001"),
        "{hits:?}"
    );
}
