//! The source/sink matrix in JavaScript and TypeScript (issue #3): one fixture per source
//! family in `fixtures/js/families` (JavaScript) and `fixtures/js/ts_families` (TypeScript),
//! every sink family in TypeScript in `fixtures/js/ts_sinks`, AWS Lambda Powertools for
//! TypeScript in `fixtures/js/powertools`. Every line marked `// expect: <kind>` must be a
//! sink of that kind, no other line may be one; `// ok: <kind>` marks the safe look-alikes.
//! The table is in `fixtures/README.md`.

use perimeter_code::FunctionSummary;

mod common;

use common::{FAMILIES, check, sources_at};

/// The JavaScript fixtures.
pub const LANG: common::Lang = common::Lang {
    dir: "js",
    runtime: "nodejs20.x",
    marker: "// expect:",
    analyse: perimeter_code::js::analyse_handler,
};

fn family(dir: &str, name: &str) -> FunctionSummary {
    check(dir, &[&format!("{name}.handler")]).remove(0)
}

fn all_families(dir: &str) {
    let failed: Vec<&str> = FAMILIES
        .iter()
        .copied()
        .filter(|f| std::panic::catch_unwind(|| family(dir, f)).is_err())
        .collect();
    assert!(failed.is_empty(), "{dir}: failed {failed:?}");
}

#[test]
fn every_source_family_in_javascript() {
    all_families("families");
}

#[test]
fn every_source_family_in_typescript() {
    all_families("ts_families");
}

/// The normalised source path of each firing line: the paths the application graph reads.
#[test]
fn source_paths_are_the_graph_s() {
    let want: &[(&str, &str, u32, &[&str])] = &[
        ("families", "rest_v1.js", 10, &["body"]),
        (
            "families",
            "rest_v1.js",
            12,
            &["queryStringParameters.term"],
        ),
        (
            "families",
            "rest_v1.js",
            14,
            &["multiValueQueryStringParameters.tag"],
        ),
        ("families", "rest_v1.js", 16, &["pathParameters.orderId"]),
        ("families", "rest_v1.js", 18, &["headers.User-Agent"]),
        (
            "families",
            "rest_v1.js",
            20,
            &["multiValueHeaders.X-Forwarded-For[]"],
        ),
        ("families", "http_v2.js", 6, &["cookies[]"]),
        ("families", "http_v2.js", 8, &["rawPath"]),
        ("families", "function_url.js", 8, &["body"]),
        (
            "families",
            "function_url.js",
            13,
            &["queryStringParameters.host"],
        ),
        ("families", "alb.js", 7, &["queryStringParameters.name"]),
        ("families", "websocket.js", 6, &["body"]),
        ("families", "sqs.js", 7, &["Records[].body"]),
        (
            "families",
            "sqs.js",
            9,
            &["Records[].messageAttributes.expr.stringValue"],
        ),
        ("families", "sns.js", 8, &["Records[].Sns.Message"]),
        ("families", "sns.js", 10, &["Records[].Sns.Subject"]),
        ("families", "s3.js", 11, &["Records[].s3.object.key"]),
        ("families", "s3.js", 15, &["s3-object"]),
        (
            "families",
            "dynamodb_stream.js",
            9,
            &["Records[].dynamodb.NewImage.owner.S"],
        ),
        (
            "families",
            "dynamodb_stream.js",
            11,
            &["Records[].dynamodb.OldImage.rule.S"],
        ),
        ("families", "kinesis.js", 7, &["Records[].kinesis.data"]),
        ("families", "eventbridge.js", 3, &["detail.webhook"]),
        (
            "families",
            "cognito.js",
            8,
            &["request.userAttributes.email"],
        ),
        ("families", "cognito.js", 10, &["userName"]),
        ("families", "invoke.js", 5, &["report"]),
        ("ts_families", "rest_v1.ts", 13, &["body"]),
        (
            "ts_families",
            "rest_v1.ts",
            15,
            &["queryStringParameters.term"],
        ),
        ("ts_families", "rest_v1.ts", 17, &["pathParameters.orderId"]),
        ("ts_families", "rest_v1.ts", 19, &["headers.User-Agent"]),
        ("ts_families", "http_v2.ts", 7, &["cookies[]"]),
        ("ts_families", "http_v2.ts", 9, &["rawPath"]),
        ("ts_families", "function_url.ts", 10, &["body"]),
        (
            "ts_families",
            "function_url.ts",
            15,
            &["queryStringParameters.host"],
        ),
        ("ts_families", "alb.ts", 8, &["queryStringParameters.name"]),
        ("ts_families", "websocket.ts", 9, &["body"]),
        ("ts_families", "sqs.ts", 8, &["Records[].body"]),
        (
            "ts_families",
            "sqs.ts",
            9,
            &["Records[].messageAttributes.expr.stringValue"],
        ),
        ("ts_families", "sns.ts", 8, &["Records[].Sns.Message"]),
        ("ts_families", "s3.ts", 10, &["Records[].s3.object.key"]),
        ("ts_families", "s3.ts", 14, &["s3-object"]),
        (
            "ts_families",
            "dynamodb_stream.ts",
            10,
            &["Records[].dynamodb.NewImage.owner.S"],
        ),
        (
            "ts_families",
            "dynamodb_stream.ts",
            12,
            &["Records[].dynamodb.OldImage.rule.S"],
        ),
        ("ts_families", "kinesis.ts", 10, &["Records[].kinesis.data"]),
        ("ts_families", "eventbridge.ts", 7, &["detail.webhook"]),
        (
            "ts_families",
            "cognito.ts",
            9,
            &["request.userAttributes.email"],
        ),
        ("ts_families", "invoke.ts", 14, &["report"]),
    ];
    for (dir, file, line, paths) in want {
        let name = file.rsplit_once('.').unwrap().0;
        let s = family(dir, name);
        assert_eq!(sources_at(&s, file, *line), *paths, "{dir}/{file}:{line}");
    }
}

#[test]
fn every_sink_family_in_typescript_across_modules() {
    let s = &check("ts_sinks", &["handler.handler"])[0];
    assert_eq!(s.language, Some(perimeter_code::Language::TypeScript));
    assert_eq!(s.files, ["handler.ts", "lib/repo.ts"]);
    let sql = s
        .flows
        .iter()
        .find(|f| f.sink.path() == "lib/repo.ts")
        .unwrap();
    assert_eq!(
        (sql.source.path.as_str(), sql.source.loc.path()),
        ("body", "handler.ts")
    );
    let notes: Vec<&str> = sql.steps.iter().map(|s| s.note.as_str()).collect();
    assert!(notes.contains(&"argument 1 of findByName"), "{notes:?}");
    assert_eq!(sources_at(s, "handler.ts", 49), ["error"]);
}

#[test]
fn powertools_middlewares_keep_the_event() {
    let s = &check("powertools", &["middy.handler"])[0];
    assert_eq!(
        sources_at(s, "middy.ts", 14),
        ["queryStringParameters.file"]
    );
}

#[test]
fn powertools_parser_results_carry_the_event() {
    let s = check("powertools", &["parser.fromBus", "parser.fromQueue"]);
    assert_eq!(sources_at(&s[0], "parser.ts", 14), ["detail.item"]);
    assert_eq!(sources_at(&s[0], "parser.ts", 16), ["detail.item"]);
    assert_eq!(
        sources_at(&s[1], "parser.ts", 24),
        ["Records[].body[].item"]
    );
    assert_eq!(
        sources_at(&s[1], "parser.ts", 29),
        ["Records[].body[].item"]
    );
}

#[test]
fn powertools_parser_middleware_hands_over_the_envelope_data() {
    let s = check(
        "powertools",
        &[
            "parser_middleware.queueHandler",
            "parser_middleware.busHandler",
        ],
    );
    assert_eq!(
        sources_at(&s[0], "parser_middleware.ts", 15),
        ["Records[].body[].item"]
    );
    assert_eq!(
        sources_at(&s[1], "parser_middleware.ts", 21),
        ["detail.item"]
    );
}

#[test]
fn powertools_batch_record_handlers_get_records() {
    let s = check("powertools", &["batch.handler", "batch_kinesis.handler"]);
    assert_eq!(sources_at(&s[0], "batch.ts", 11), ["Records[].body"]);
    assert_eq!(
        sources_at(&s[1], "batch_kinesis.js", 9),
        ["Records[].kinesis.data"]
    );
}
