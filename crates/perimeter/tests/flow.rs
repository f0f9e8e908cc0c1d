//! Cross-function data flow: attacker data written by one function into a queue, topic,
//! bucket, table stream, event bus or invocation reaches a sink in another. Each fixture under
//! tests/fixtures/flow is an application; the assertions name the sink, the kind and the
//! functions the trace must cross.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn scan(case: &str) -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/flow")
        .join(case);
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--allow-errors"])
        .arg(&dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn findings<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// The finding of `kind` at `path:line`, which must trace back through `functions` in order.
fn assert_flow(report: &Value, kind: &str, path: &str, line: u64, functions: &[&str]) {
    let f = findings(report, kind)
        .into_iter()
        .find(|f| f["path"] == path && f["line"] == line)
        .unwrap_or_else(|| panic!("no {kind} at {path}:{line}: {report:#}"));
    let trace = f["trace"].as_array().unwrap();
    let mut crossed: Vec<&str> = trace
        .iter()
        .filter_map(|s| s["function"].as_str())
        .collect();
    crossed.dedup();
    assert_eq!(crossed, functions, "trace of {path}:{line}: {f:#}");
}

fn assert_none_at(report: &Value, path: &str) {
    let hits: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path && perimeter_is_injection(f["kind"].as_str().unwrap()))
        .collect();
    assert!(hits.is_empty(), "unexpected findings in {path}: {hits:#?}");
}

fn perimeter_is_injection(kind: &str) -> bool {
    kind.starts_with("injection-")
        || matches!(
            kind,
            "ssrf" | "path-traversal" | "deserialization" | "xxe" | "xss"
        )
}

#[test]
fn sqs_textbook_case_and_look_alikes() {
    let r = scan("sqs-js");
    assert_flow(
        &r,
        "injection-sql",
        "src/fulfil.js",
        8,
        &["createOrder", "fulfil"],
    );
    // Parameterised consumer, and a consumer whose only producer sanitises: quiet.
    assert_none_at(&r, "src/audit.js");
    assert_none_at(&r, "src/tally.js");
}

#[test]
fn s3_object_key_crosses_and_another_bucket_does_not() {
    let r = scan("s3-py");
    assert_flow(
        &r,
        "injection-os-command",
        "src/thumbnail.py",
        11,
        &["UploadFunction", "ThumbnailFunction"],
    );
    let quoted: Vec<_> = findings(&r, "injection-os-command")
        .into_iter()
        .filter(|f| f["line"] == 12)
        .collect();
    assert!(quoted.is_empty(), "shlex.quote is a sanitizer: {quoted:#?}");
    // ThumbBucket is declared by the application and its only writer uses a constant key.
    assert_none_at(&r, "src/publish.py");
}

#[test]
fn sns_message_crosses() {
    let r = scan("sns-js");
    assert_flow(
        &r,
        "injection-code",
        "src/render.js",
        3,
        &["raise", "render"],
    );
}

#[test]
fn dynamodb_stream_crosses() {
    let r = scan("stream-py");
    assert_flow(
        &r,
        "injection-sql",
        "src/index.py",
        9,
        &["SaveFunction", "IndexFunction"],
    );
}

#[test]
fn invocation_payload_crosses() {
    let r = scan("invoke-js");
    assert_flow(
        &r,
        "injection-os-command",
        "src/worker.js",
        4,
        &["FrontFunction", "WorkerFunction"],
    );
}

#[test]
fn eventbridge_detail_crosses() {
    let r = scan("events-py");
    assert_flow(
        &r,
        "injection-os-command",
        "src/welcome.py",
        6,
        &["EmitFunction", "WelcomeFunction"],
    );
}

#[test]
fn chains_of_three_and_cycles() {
    let r = scan("chain-js");
    assert_flow(
        &r,
        "injection-sql",
        "src/store.js",
        7,
        &["ingest", "enrich", "store"],
    );
    let rec = findings(&r, "recursive-trigger");
    assert!(
        rec.iter()
            .any(|f| f["path"] == "src/retry.js" && f["function"] == "retry"),
        "retry writes to the queue that triggers it: {r:#}"
    );
    assert!(
        !rec.iter().any(|f| f["function"] == "enrich"),
        "enrich writes to another queue: {rec:#?}"
    );
}

#[test]
fn python_channels_sqs_sns_kinesis_invoke() {
    let r = scan("channels-py");
    assert_flow(
        &r,
        "injection-os-command",
        "src/jobs.py",
        6,
        &["IngestFunction", "JobsFunction"],
    );
    assert_flow(
        &r,
        "injection-code",
        "src/news.py",
        3,
        &["IngestFunction", "NewsFunction"],
    );
    assert_flow(
        &r,
        "injection-sql",
        "src/clicks.py",
        10,
        &["IngestFunction", "ClicksFunction"],
    );
    assert_flow(
        &r,
        "path-traversal",
        "src/worker.py",
        2,
        &["IngestFunction", "WorkerFunction"],
    );
    // SpareQueue receives attacker data but triggers nothing; UnusedQueue is declared by the
    // application and nothing in it writes there: its consumer is not reported.
    assert_none_at(&r, "src/spare.py");
}

#[test]
fn javascript_channels_s3_dynamodb_eventbridge_step_functions() {
    let r = scan("channels-js");
    assert_flow(
        &r,
        "injection-os-command",
        "src/on-object.js",
        5,
        &["intake", "onObject"],
    );
    assert_flow(
        &r,
        "injection-sql",
        "src/on-note.js",
        7,
        &["intake", "onNote"],
    );
    assert_flow(&r, "ssrf", "src/on-event.js", 4, &["intake", "onEvent"]);
    assert_flow(
        &r,
        "injection-os-command",
        "src/step.js",
        4,
        &["intake", "step"],
    );
}

#[test]
fn stored_data_read_back_from_a_table() {
    let r = scan("stored-py");
    // Titles come from the HTTP caller, stored in Notes, read back by a scheduled report.
    assert_flow(
        &r,
        "injection-sql",
        "src/report.py",
        13,
        &["SaveFunction", "ReportFunction"],
    );
    let f = findings(&r, "injection-sql")
        .into_iter()
        .find(|f| f["line"] == 13)
        .unwrap();
    assert!(
        f["trace"].to_string().contains("stored in table `Notes`"),
        "{f:#}"
    );
    // Settings only ever holds constants.
    let quiet: Vec<_> = findings(&r, "injection-sql")
        .into_iter()
        .filter(|f| f["line"] == 15)
        .collect();
    assert!(quiet.is_empty(), "{quiet:#?}");
    // Attribute by attribute: what each writer put in the attribute read.
    let lines: Vec<u64> = findings(&r, "injection-sql")
        .iter()
        .filter(|f| f["path"] == "src/report.py")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [13, 21], "status and edited are constants");
    let owner = findings(&r, "injection-sql")
        .into_iter()
        .find(|f| f["line"] == 21)
        .unwrap();
    assert!(
        owner["trace"].to_string().contains("UpdateItem"),
        "{owner:#}"
    );
}

#[test]
fn stored_data_in_javascript() {
    let r = scan("stored-js");
    assert_flow(
        &r,
        "injection-os-command",
        "src/digest.js",
        9,
        &["post", "digest"],
    );
    assert_none_at_line(&r, "src/digest.js", 11);
}

fn assert_none_at_line(report: &Value, path: &str, line: u64) {
    let hits: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path && f["line"] == line)
        .collect();
    assert!(hits.is_empty(), "{hits:#?}");
}

/// Findings whose trace passes through `function`.
fn traced_through<'a>(report: &'a Value, path: &str, function: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .filter(|f| {
            f["trace"]
                .as_array()
                .is_some_and(|t| t.iter().any(|s| s["function"] == function))
        })
        .collect()
}

#[test]
fn invoke_target_chosen_in_a_switch_and_kinesis_in_javascript() {
    let r = scan("router-js");
    // `switch (req.action)` picks the function name among literals: each is a target.
    assert_flow(
        &r,
        "injection-sql",
        "src/orders_new.py",
        8,
        &["router", "ordersNew"],
    );
    // The other target is parameterised; shop-audit is not among the router's choices.
    assert_none_at(&r, "src/orders_get.py");
    assert!(
        traced_through(&r, "src/audit.py", "router").is_empty(),
        "{r:#}"
    );
    assert_flow(
        &r,
        "injection-sql",
        "src/clicks.js",
        7,
        &["router", "clicks"],
    );
}

#[test]
fn queue_chosen_in_python_branches_and_step_functions_input() {
    let r = scan("router-py");
    assert_flow(
        &r,
        "injection-os-command",
        "src/refunds.py",
        6,
        &["RouterFunction", "RefundsFunction"],
    );
    assert_flow(
        &r,
        "injection-sql",
        "src/exports.py",
        8,
        &["RouterFunction", "ExportsFunction"],
    );
    assert_flow(
        &r,
        "path-traversal",
        "src/step.py",
        2,
        &["RouterFunction", "StepFunction"],
    );
    // Nothing writes to ArchiveQueue.
    assert_none_at(&r, "src/archive.py");
}

#[test]
fn http_request_to_the_applications_own_endpoint_crosses() {
    let r = scan("http-py");
    // Checkout posts the caller's items to the API's /total route (the URL is the API's
    // address in an environment variable, stage included).
    assert_flow(
        &r,
        "injection-sql",
        "src/total.py",
        9,
        &["CheckoutFunction", "TotalFunction"],
    );
    // /audit receives only a constant from Checkout: its finding is its own callers', not a
    // flow through Checkout; the partner URL is not the application's.
    assert!(
        traced_through(&r, "src/audit.py", "CheckoutFunction").is_empty(),
        "{r:#}"
    );
    assert!(!findings(&r, "injection-sql").is_empty());
}

#[test]
fn data_map_marks_sensitive_fields_by_name_and_value() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flow/sensitive-js");
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["map", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let map: Value = serde_json::from_slice(&out.stdout).unwrap();
    let edges = map["apps"][0]["edges"].as_array().unwrap();
    let to = |res: &str| {
        edges
            .iter()
            .find(|e| e["from"] == "fn:checkout" && e["to"] == format!("res:{res}"))
            .unwrap_or_else(|| panic!("no edge to {res}: {edges:#?}"))
    };
    let payments = to("Payments");
    assert_eq!(payments["tainted"], true);
    assert_eq!(
        payments["sensitive"],
        serde_json::json!([
            "cardNumber: card",
            "customerEmail: e-mail",
            "testCard: card"
        ])
    );
    let stock = to("Stock");
    assert_eq!(stock["fields"], serde_json::json!(["quantity", "sku"]));
    assert_eq!(stock["sensitive"], serde_json::json!([]));
    // The Mermaid drawing says it on the edge.
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["map", "--format", "mermaid"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sensitive: cardNumber: card"), "{text}");
}
