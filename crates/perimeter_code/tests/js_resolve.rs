//! Handler resolution for Node.js: export forms, module paths, wrappers, and errors.

use perimeter_code::handler::HandlerSpec;
use perimeter_code::{FunctionSummary, Repo, js};

fn run(files: &[(&str, &str)], code_dir: &str, handler: &str) -> FunctionSummary {
    let repo = Repo::in_memory(files.iter().copied());
    js::analyse_handler(
        &repo,
        &HandlerSpec {
            function: "Orders",
            code_dir,
            handler,
            runtime: None,
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    )
}

/// The handler resolves and its event reaches `exec` on the given line of the given file.
fn assert_reaches(s: &FunctionSummary, file: &str, line: u32) {
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.handler.is_some(), "handler not resolved");
    let sinks: Vec<(String, u32)> = s
        .flows
        .iter()
        .map(|f| (f.sink.path().to_owned(), f.sink.start().line))
        .collect();
    assert_eq!(sinks, [(file.to_owned(), line)]);
}

const SINK: &str = "const { exec } = require('child_process');\nconst impl = async (event) => { exec(event.body); };\n";

#[test]
fn commonjs_export_forms() {
    for tail in [
        "exports.main = impl;",
        "module.exports.main = impl;",
        "module.exports = { main: impl };",
        "const main = impl; module.exports = { main };",
        "module.exports = impl;",
    ] {
        let src = format!("{SINK}{tail}\n");
        let s = run(
            &[("src/orders/create.js", &src)],
            "",
            "src/orders/create.main",
        );
        assert_reaches(&s, "src/orders/create.js", 2);
    }
}

#[test]
fn esm_export_forms() {
    for (src, handler) in [
        (
            "import { exec } from 'child_process';\nexport async function main(event) { exec(event.body); }\n",
            "index.main",
        ),
        (
            "import { exec } from 'child_process';\nconst x = (e) => exec(e.body);\nexport { x as main };\n",
            "index.main",
        ),
        (
            "import { exec } from 'child_process';\nexport default async (e) => { exec(e.body); };\n",
            "index.default",
        ),
        (
            "import { exec } from 'child_process';\nexport const handlers = { get: async (e) => exec(e.body) };\n",
            "index.handlers.get",
        ),
    ] {
        let s = run(&[("index.mjs", src)], "", handler);
        assert_reaches(&s, "index.mjs", 2);
    }
}

#[test]
fn re_exports_and_required_members() {
    let imp = ("impl.js", SINK.to_owned() + "exports.main = impl;\n");
    for (src, name) in [
        ("export { main } from './impl';\n", "index.ts"),
        ("export * from './impl';\n", "index.ts"),
        (
            "module.exports.main = require('./impl').main;\n",
            "index.js",
        ),
    ] {
        let s = run(&[(name, src), (imp.0, &imp.1)], "", "index.main");
        assert_reaches(&s, "impl.js", 2);
    }
}

#[test]
fn code_dir_extensions_and_index_files() {
    let s = run(
        &[(
            "services/api/handlers/index.cjs",
            &format!("{SINK}exports.main = impl;\n"),
        )],
        "services/api",
        "handlers.main",
    );
    assert_reaches(&s, "services/api/handlers/index.cjs", 2);
    let s = run(
        &[("fn/app.ts", &format!("{SINK}exports.main = impl;\n"))],
        "fn/",
        "build/app.main",
    );
    assert_reaches(&s, "fn/app.ts", 2);
}

#[test]
fn express_through_aws_serverless_express_proxy() {
    let src = "const awsServerlessExpress = require('aws-serverless-express');\n\
               const express = require('express');\n\
               const app = express();\n\
               app.post('/x', (req, res) => { require('child_process').exec(req.body.cmd); });\n\
               const server = awsServerlessExpress.createServer(app);\n\
               exports.handler = (event, context) => awsServerlessExpress.proxy(server, event, context);\n";
    let s = run(&[("lambda.js", src)], "", "lambda.handler");
    assert_reaches(&s, "lambda.js", 4);
    assert_eq!(s.flows[0].source.path, "req.body.cmd");
    assert_eq!(s.imports, ["aws-serverless-express", "express"]);
}

#[test]
fn missing_file_and_missing_export_are_errors() {
    let s = run(
        &[("src/a.js", "exports.main = () => 1;\n")],
        "svc",
        "src/x.main",
    );
    assert!(s.handler.is_none());
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].path, "svc/src/x");
    assert_eq!(
        s.errors[0].message,
        "handler `src/x.main` of function `Orders`: no file src/x.{js,mjs,cjs,ts,mts,cts,tsx,jsx} under svc"
    );
    let s = run(
        &[("src/a.js", "exports.other = () => 1;\n")],
        "",
        "src/a.main",
    );
    assert!(s.handler.is_none());
    assert_eq!(
        s.errors[0].message,
        "handler `src/a.main` of function `Orders`: module src/a.js has no export `main`"
    );
    assert_eq!(s.files, ["src/a.js"]);
}
