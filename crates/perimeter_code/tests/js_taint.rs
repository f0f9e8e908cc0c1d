//! JavaScript/TypeScript taint analysis over the fixtures in `fixtures/js`: every line marked
//! `// expect: <kind>` must be a sink of that kind, and no other line may be one (lines
//! marked `// ok: <kind>` are the safe look-alikes).

use perimeter_code::Repo;
use perimeter_diagnostics::Kind;

mod common;

use common::{analyse, check, fixture_repo, sources_at};

/// The JavaScript fixtures.
pub const LANG: common::Lang = common::Lang {
    dir: "js",
    runtime: "nodejs20.x",
    marker: "// expect:",
    analyse: perimeter_code::js::analyse_handler,
};

#[test]
fn api_gateway_sources_have_precise_paths() {
    let s = &check("sources", &["apigw.handler"])[0];
    assert_eq!(sources_at(s, "apigw.js", 5), ["queryStringParameters.dir"]);
    assert_eq!(sources_at(s, "apigw.js", 6), ["pathParameters.id"]);
    assert_eq!(sources_at(s, "apigw.js", 7), ["headers.X-Name"]);
    assert_eq!(sources_at(s, "apigw.js", 9), ["body"]);
    assert_eq!(sources_at(s, "apigw.js", 10), ["*"]);
    let f = s.flows.iter().find(|f| f.sink.start().line == 5).unwrap();
    assert_eq!(f.kind, Kind::InjectionOsCommand);
    assert_eq!(f.sink_name, "child_process.execSync");
    assert_eq!(f.source.loc.start().line, 5);
    assert_eq!(f.steps.last().map(|s| s.note.as_str()), Some("qs"));
}

#[test]
fn record_sources_of_queues_buckets_topics_streams_and_buses() {
    let s = &check("sources", &["records.handler"])[0];
    assert_eq!(sources_at(s, "records.js", 5), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.js", 6), ["Records[].s3.object.key"]);
    assert_eq!(sources_at(s, "records.js", 7), ["Records[].Sns.Message"]);
    assert_eq!(
        sources_at(s, "records.js", 8),
        ["Records[].dynamodb.NewImage"]
    );
    assert_eq!(sources_at(s, "records.js", 9), ["Records[].kinesis.data"]);
    assert_eq!(sources_at(s, "records.js", 11), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.js", 12), ["Records[].body"]);
    assert_eq!(sources_at(s, "records.js", 13), ["detail.command"]);
}

#[test]
fn sql_sinks_and_parameterised_look_alikes() {
    let s = &check("sql", &["mysql.handler"])[0];
    assert_eq!(sources_at(s, "mysql.js", 13), ["body"]);
    assert_eq!(sources_at(s, "mysql.js", 19), ["pathParameters.id"]);
    assert!(s.imports.contains(&"mysql".to_owned()) && s.imports.contains(&"knex".to_owned()));
}

#[test]
fn typescript_sql_with_allowlist_guard() {
    let s = &check("sql", &["handler.handler"])[0];
    assert_eq!(s.language, Some(perimeter_code::Language::TypeScript));
    assert_eq!(sources_at(s, "handler.ts", 9), ["queryStringParameters.id"]);
    assert_eq!(s.imports, ["aws-lambda", "mysql2"]);
}

#[test]
fn nosql_mongo_and_dynamodb_expressions() {
    let s = &check("nosql", &["mongo.handler"])[0];
    let f = s.flows.iter().find(|f| f.sink.start().line == 13).unwrap();
    assert_eq!(f.sink_name, "dynamodb.Scan FilterExpression");
}

#[test]
fn os_command_sinks_and_curl_is_also_ssrf() {
    check("os", &["cmd.handler"]);
}

#[test]
fn code_injection_sinks() {
    check("code", &["eval.handler"]);
}

#[test]
fn deserialization_and_xxe() {
    let s = &check("deser", &["index.handler"])[0];
    let f = s.flows.iter().find(|f| f.sink.start().line == 7).unwrap();
    assert!(f.sink_name.starts_with("js-yaml.load"), "{}", f.sink_name);
}

#[test]
fn ssrf_sinks_and_fixed_host_look_alikes() {
    check("ssrf", &["index.handler"]);
}

#[test]
fn path_traversal() {
    check("path", &["index.handler"]);
}

#[test]
fn xss_only_for_html_responses() {
    let s = &check("xss", &["index.handler"])[0];
    assert_eq!(
        sources_at(s, "index.js", 10),
        ["queryStringParameters.name"]
    );
}

#[test]
fn verbose_errors_in_responses_but_not_callback_err() {
    let s = check(
        "verbose",
        &["index.handler", "index.legacy", "index.generic"],
    );
    let f = &s[0].flows[0];
    assert_eq!(
        (f.kind, f.source.path.as_str(), f.source.loc.start().line),
        (Kind::VerboseError, "error", 6)
    );
}

#[test]
fn inter_procedural_across_modules() {
    let s = &check("interproc", &["handler.main"])[0];
    let f = &s.flows[0];
    assert_eq!(f.sink.path(), "lib/db.js");
    assert_eq!(f.source.path, "queryStringParameters.customer");
    assert_eq!(f.source.loc.path(), "handler.js");
    let notes: Vec<&str> = f.steps.iter().map(|s| s.note.as_str()).collect();
    assert!(notes.contains(&"argument 1 of findOrders"), "{notes:?}");
    assert!(notes.contains(&"sql"), "{notes:?}");
    assert_eq!(s.files, ["handler.js", "lib/db.js", "lib/util.js"]);
    assert_eq!(s.imports, ["mysql"]);
}

#[test]
fn esm_handlers_destructuring_and_promisify() {
    let s = &check("esm", &["handler.handler"])[0];
    assert_eq!(sources_at(s, "report.mjs", 5), ["body"]);
}

#[test]
fn middy_wrapped_handler() {
    let s = &check("middy", &["index.handler"])[0];
    assert_eq!(sources_at(s, "index.js", 6), ["body.pattern"]);
    assert_eq!(s.handler.as_ref().unwrap().start().line, 5);
}

#[test]
fn express_behind_serverless_http() {
    let s = &check("express", &["app.handler"])[0];
    assert_eq!(sources_at(s, "app.js", 10), ["req.query.cmd"]);
    assert_eq!(sources_at(s, "routes/users.js", 7), ["req.params.id"]);
}

#[test]
fn typescript_class_tsconfig_paths_and_compiled_output() {
    let repo = fixture_repo("ts");
    let s = analyse(&repo, "", "dist/handler.main");
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.handler.as_ref().unwrap().path(), "src/handler.ts");
    let lines: Vec<(String, u32, Kind)> = s
        .flows
        .iter()
        .map(|f| (f.sink.path().to_owned(), f.sink.start().line, f.kind))
        .collect();
    assert_eq!(
        lines,
        [("src/lib/repository.ts".to_owned(), 10, Kind::InjectionSql)]
    );
    assert_eq!(s.flows[0].source.path, "body");
    assert_eq!(s.files, ["src/handler.ts", "src/lib/repository.ts"]);
}

#[test]
fn allowlist_switch_and_validator_guards() {
    check("guards", &["index.handler"]);
}

#[test]
fn handler_not_found_and_export_missing() {
    let repo = fixture_repo("notfound");
    let s = analyse(&repo, "", "src/x.main");
    assert!(s.handler.is_none());
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0]
            .message
            .starts_with("handler `src/x.main` of function `Fn`: no file src/x.{js,"),
        "{}",
        s.errors[0].message
    );
    let s = analyse(&repo, "", "index.main");
    assert!(s.handler.is_none());
    assert!(
        s.errors[0]
            .message
            .ends_with("module index.js has no export `main`"),
        "{}",
        s.errors[0].message
    );
}

#[test]
fn parse_errors_are_reported_and_analysis_goes_on() {
    let repo = Repo::in_memory([
        (
            "index.js",
            "const b = require('./broken');\nexports.handler = async (e) => { require('child_process').exec(e.body); };\n",
        ),
        ("broken.js", "module.exports = {;\n"),
    ]);
    let s = analyse(&repo, "", "index.handler");
    assert_eq!(s.flows.len(), 1);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].path, "broken.js");
    assert_eq!(s.errors[0].line, Some(1));
}

#[test]
fn recursion_and_budget_do_not_hang() {
    let mut src =
        String::from("function f(x) { return f(x) + g(x); }\nfunction g(x) { return f(x); }\n");
    src.push_str("exports.handler = async (e) => { let s = ''; ");
    for i in 0..3000 {
        src.push_str(&format!("s = s + f(e.body) + {i}; "));
    }
    src.push_str("require('child_process').exec(s); };\n");
    let repo = Repo::in_memory([("index.js", src.as_str())]);
    let s = analyse(&repo, "", "index.handler");
    assert!(s.handler.is_some());
    assert!(
        !s.flows.is_empty()
            || s.errors
                .iter()
                .any(|e| e.message.starts_with("analysis budget exhausted in")),
        "{:?} {:?}",
        s.flows,
        s.errors
    );
}

#[test]
fn typescript_sink_families() {
    let s = &check("typescript", &["handler.handler"])[0];
    assert_eq!(sources_at(s, "handler.ts", 15), ["body"]);
    assert_eq!(sources_at(s, "handler.ts", 28), ["error"]);
}

#[test]
fn bound_functions_keep_their_arguments() {
    check("bind", &["handler.handler"]);
}

// --- issue 16, item 1: strings folded from constants (constfold) ---

#[test]
fn javascript_strings_built_from_constants_are_folded_at_the_outermost_expression() {
    let src = "const USER = 'admin';
const PW = '8e254ed4' + 'c1f9a0b7';
exports.handler = async (event) => {
  const auth = 'Basic ' + Buffer.from(USER + ':' + PW).toString('base64');
  const headers = { Authorization: `Bearer ${'tok_' + PW}` };
  const pair = btoa([USER, PW].join(':'));
  const env = 'Basic ' + Buffer.from(USER + ':' + process.env.PW).toString('base64');
  const raw = Buffer.from(USER + ':' + PW, 'base64').toString('base64');
  const ev = `Bearer ${event.body}`;
  return { auth, headers, pair, env, raw, ev };
};
";
    let repo = perimeter_code::Repo::in_memory([("app.js", src)]);
    let s = perimeter_code::js::analyse_handler(
        &repo,
        &perimeter_code::handler::HandlerSpec {
            function: "Fn",
            code_dir: "",
            handler: "app.handler",
            runtime: Some("nodejs22.x"),
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    );
    let got: Vec<(u32, Option<&str>, &str)> = s
        .folded
        .iter()
        .map(|f| (f.loc.start().line, f.name.as_deref(), f.value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, Some("PW"), "8e254ed4c1f9a0b7"),
            (4, Some("auth"), "Basic YWRtaW46OGUyNTRlZDRjMWY5YTBiNw=="),
            (5, Some("Authorization"), "Bearer tok_8e254ed4c1f9a0b7"),
            (6, Some("pair"), "YWRtaW46OGUyNTRlZDRjMWY5YTBiNw=="),
            // The pair is folded; its decoding is not.
            (8, None, "admin:8e254ed4c1f9a0b7"),
        ],
        "an environment variable, event data or a decoding is not folded"
    );
}
