//! The source/sink matrix in Python (issue #3): one fixture per source family in
//! `fixtures/py/families`, AWS Lambda Powertools in `fixtures/py/powertools`. Every line marked
//! `# expect: <kind>` must be a sink of that kind, no other line may be one; `# ok: <kind>`
//! marks the safe look-alikes. The table is in `fixtures/README.md`.

use perimeter_code::FunctionSummary;

mod common;

use common::{FAMILIES, check, sources_at};

/// The Python fixtures.
pub const LANG: common::Lang = common::Lang {
    dir: "py",
    runtime: "python3.12",
    marker: "# expect:",
    analyse: perimeter_code::python::analyse_handler,
};

fn family(name: &str) -> FunctionSummary {
    check("families", &[&format!("{name}.handler")]).remove(0)
}

#[test]
fn every_source_family_fires_and_its_look_alike_does_not() {
    let failed: Vec<&str> = FAMILIES
        .iter()
        .copied()
        .filter(|f| std::panic::catch_unwind(|| family(f)).is_err())
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}");
}

#[test]
fn inter_procedural_across_modules_with_a_safe_look_alike() {
    let s = family("invoke");
    assert_eq!(
        s.files,
        ["invoke.py", "reports/__init__.py", "reports/store.py"]
    );
    let f = s
        .flows
        .iter()
        .find(|f| f.sink.path() == "reports/store.py")
        .unwrap();
    assert_eq!(
        (f.source.path.as_str(), f.source.loc.path()),
        ("report", "invoke.py")
    );
    let notes: Vec<&str> = f.steps.iter().map(|s| s.note.as_str()).collect();
    assert!(notes.contains(&"argument of find_report"), "{notes:?}");
}

/// The normalised source path of each firing line: the paths the application graph reads
/// (`perimeter_graph::Channel::feeds`, `http_controlled`) and the rules' exposure tables.
#[test]
fn source_paths_are_the_graph_s() {
    let want: &[(&str, u32, &[&str])] = &[
        ("rest_v1", 12, &["body"]),
        ("rest_v1", 15, &["queryStringParameters.term"]),
        ("rest_v1", 19, &["pathParameters.orderId"]),
        ("rest_v1", 22, &["headers.User-Agent"]),
        ("rest_v1", 24, &["multiValueHeaders.X-Forwarded-For[]"]),
        ("http_v2", 10, &["cookies[]"]),
        ("http_v2", 13, &["rawPath"]),
        ("function_url", 12, &["body"]),
        ("alb", 10, &["queryStringParameters.name"]),
        ("websocket", 9, &["body"]),
        ("sqs", 9, &["Records[].body"]),
        ("sqs", 12, &["Records[].messageAttributes.expr.stringValue"]),
        ("sns", 8, &["Records[].Sns.Message"]),
        ("s3", 15, &["Records[].s3.object.key"]),
        ("s3", 21, &["s3-object"]),
        (
            "dynamodb_stream",
            10,
            &["Records[].dynamodb.NewImage.owner.S"],
        ),
        (
            "dynamodb_stream",
            13,
            &["Records[].dynamodb.OldImage.rule.S"],
        ),
        ("kinesis", 10, &["Records[].kinesis.data"]),
        ("eventbridge", 7, &["detail.webhook"]),
        ("cognito", 9, &["request.userAttributes.email"]),
        ("cognito", 12, &["userName"]),
        ("invoke", 10, &["report"]),
    ];
    for (f, line, paths) in want {
        let s = family(f);
        assert_eq!(
            sources_at(&s, &format!("{f}.py"), *line),
            *paths,
            "{f}:{line}"
        );
    }
}

/// The Powertools handlers of one file of `fixtures/py/powertools`, checked together against
/// its markers; the summary of each, by handler name.
fn powertools(
    file: &str,
    handlers: &[&str],
) -> std::collections::BTreeMap<String, FunctionSummary> {
    let names: Vec<String> = handlers.iter().map(|h| format!("{file}.{h}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    handlers
        .iter()
        .map(|h| (*h).to_owned())
        .zip(check("powertools", &refs))
        .collect()
}

#[test]
fn powertools_data_classes_read_the_event_s_paths() {
    let all = powertools("data_classes", &["rest", "http", "url", "alb", "bus"]);
    let s = &all["rest"];
    assert_eq!(sources_at(s, "data_classes.py", 20), ["body"]);
    assert_eq!(sources_at(s, "data_classes.py", 23), ["body.item"]);
    assert_eq!(
        sources_at(s, "data_classes.py", 25),
        ["queryStringParameters.dir"]
    );
    assert_eq!(
        sources_at(s, "data_classes.py", 26),
        ["queryStringParameters.sort"]
    );
    assert_eq!(sources_at(s, "data_classes.py", 27), ["pathParameters.id"]);
    assert_eq!(sources_at(s, "data_classes.py", 28), ["headers.X-Trace"]);
    let s = &all["http"];
    assert_eq!(sources_at(s, "data_classes.py", 35), ["rawPath"]);
    assert_eq!(sources_at(s, "data_classes.py", 36), ["cookies[]"]);
    let s = &all["url"];
    assert_eq!(sources_at(s, "data_classes.py", 43), ["body.callback"]);
    let s = &all["alb"];
    assert_eq!(
        sources_at(s, "data_classes.py", 50),
        ["queryStringParameters.host"]
    );
    let s = &all["bus"];
    assert_eq!(sources_at(s, "data_classes.py", 60), ["detail.webhook"]);
    assert_eq!(sources_at(s, "data_classes.py", 61), ["detail-type"]);
}

#[test]
fn powertools_record_classes_and_event_source() {
    let all = powertools("records", &["queue", "topic", "bucket", "stream", "clicks"]);
    let s = &all["queue"];
    assert_eq!(sources_at(s, "records.py", 18), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.py", 21), ["Records[].body.id"]);
    let s = &all["topic"];
    assert_eq!(sources_at(s, "records.py", 26), ["Records[].Sns.Message"]);
    assert_eq!(sources_at(s, "records.py", 28), ["Records[].Sns.Subject"]);
    let s = &all["bucket"];
    assert_eq!(sources_at(s, "records.py", 35), ["Records[].s3.object.key"]);
    assert_eq!(sources_at(s, "records.py", 37), ["Records[].s3.object.key"]);
    let s = &all["stream"];
    assert_eq!(
        sources_at(s, "records.py", 43),
        ["Records[].dynamodb.NewImage.name"]
    );
    let s = &all["clicks"];
    assert_eq!(sources_at(s, "records.py", 50), ["Records[].kinesis.data"]);
}

#[test]
fn powertools_resolver_routes_are_entry_points() {
    let s = &powertools("resolver", &["lambda_handler"])["lambda_handler"];
    assert_eq!(sources_at(s, "resolver.py", 15), ["pathParameters.name"]);
    assert_eq!(sources_at(s, "resolver.py", 26), ["body.job"]);
    assert_eq!(
        sources_at(s, "resolver.py", 27),
        ["queryStringParameters.job"]
    );
    // The router's module, included by the app: its routes run too.
    assert_eq!(
        sources_at(s, "routes/orders.py", 12),
        ["pathParameters.order_id"]
    );
    assert_eq!(
        sources_at(s, "routes/orders.py", 20),
        ["queryStringParameters.status"]
    );
    let s = &powertools("http_resolver", &["handler"])["handler"];
    assert_eq!(
        sources_at(s, "http_resolver.py", 17),
        ["pathParameters.cart_id"]
    );
    assert_eq!(
        sources_at(s, "http_resolver.py", 24),
        ["queryStringParameters.host"]
    );
}

#[test]
fn powertools_batch_record_handler_gets_records() {
    let s = &powertools("batch", &["lambda_handler"])["lambda_handler"];
    assert_eq!(sources_at(s, "batch.py", 19), ["Records[].body.name"]);
    let notes: Vec<&str> = s.flows[0].steps.iter().map(|s| s.note.as_str()).collect();
    assert!(notes.contains(&"argument of record_handler"), "{notes:?}");
}

#[test]
fn powertools_parser_models_carry_the_event() {
    let all = powertools("parser", &["from_bus", "from_api"]);
    let s = &all["from_bus"];
    assert_eq!(sources_at(s, "parser.py", 14), ["detail.item"]);
    let s = &all["from_api"];
    assert_eq!(sources_at(s, "parser.py", 21), ["body.item"]);
    assert_eq!(sources_at(s, "parser.py", 24), ["Records[].body[].item"]);
}
