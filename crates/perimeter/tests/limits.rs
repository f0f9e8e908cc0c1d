//! Every limit a hostile repository can reach is reported as an error or warning entry that
//! names the file and the limit, and the rest of the scan goes on. (The descriptor size, YAML
//! nesting and alias limits are tested in `hostile.rs`.)

mod common;

use std::path::Path;
use std::process::Command;

use common::rules_at;
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn scan(root: &Path, extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--no-cache", "--db"])
        .arg(root.join(".no-db"))
        .args(extra)
        .arg(root)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn errors_for(report: &Value, path: &str) -> Vec<String> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == path)
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

/// An application with one function per handler file given, each an HTTP endpoint.
fn app(root: &Path, handlers: &[(&str, &str)]) {
    let mut yml =
        String::from("service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n");
    for (i, (file, _)) in handlers.iter().enumerate() {
        let (stem, runtime) = match file.strip_suffix(".py") {
            Some(stem) => (stem, "python3.12"),
            None => (file.rsplit_once('.').unwrap().0, "nodejs20.x"),
        };
        yml.push_str(&format!(
            "  f{i}:\n    handler: {stem}.handler\n    runtime: {runtime}\n    events:\n      - httpApi: 'POST /f{i}'\n"
        ));
    }
    write(root, "serverless.yml", &yml);
    for (file, text) in handlers {
        write(root, file, text);
    }
}

const GOOD_JS: &str = "const { execSync } = require('child_process');\nexports.handler = async (event) => {\n  execSync('ls ' + event.body);\n};\n";

#[test]
fn code_nested_too_deeply_is_refused_without_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let js = |expr: String| format!("exports.handler = async (e) => {{ return {expr}; }};\n");
    let py = |expr: String| format!("def handler(e, c):\n    return {expr}\n");
    let deep = [
        (
            "parens.js",
            js(format!("{}e{}", "(".repeat(n), ")".repeat(n))),
        ),
        ("unary.js", js(format!("{}e", "!".repeat(n)))),
        ("ternary.js", js(format!("{}e", "e ? 1 : ".repeat(n)))),
        ("chain.js", js(vec!["e.body"; n].join(" + "))),
        ("member.js", js(format!("e{}", ".a".repeat(n)))),
        ("calls.js", js(format!("e{}", "()".repeat(n)))),
        ("unary.py", py(format!("{}e", "not ".repeat(n)))),
        ("chain.py", py(vec!["e"; n].join(" + "))),
        ("subscript.py", py(format!("e{}", "[0]".repeat(n)))),
        (
            "blocks.py",
            format!(
                "def handler(e, c):\n{}",
                (1..2_000)
                    .map(|i| format!("{}if e:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
        ),
    ];
    let mut handlers: Vec<(&str, &str)> = deep.iter().map(|(f, t)| (*f, t.as_str())).collect();
    handlers.push(("good.js", GOOD_JS));
    app(dir.path(), &handlers);
    let report = scan(dir.path(), &[]);
    for (file, _) in &deep {
        let errors = errors_for(&report, file);
        assert!(
            errors.iter().any(|e| e.contains("nesting limit")),
            "{file}: {errors:?}"
        );
    }
    assert!(
        rules_at(&report, "good.js")
            .iter()
            .any(|r| r.starts_with("INJ")),
        "{report:#}"
    );
}

#[test]
fn code_nested_deeply_but_within_the_limit_is_analysed() {
    // 900 levels of `!` and of `+` are within the bound: the scan must not overflow its
    // stack on them (debug builds use large frames).
    let dir = tempfile::tempdir().unwrap();
    let unary = format!(
        "const {{ execSync }} = require('child_process');\nexports.handler = async (e) => {{ execSync({}e.body); }};\n",
        "!".repeat(900)
    );
    let chain = format!(
        "import os\n\ndef handler(e, c):\n    os.system({})\n",
        vec!["e['body']"; 400].join(" + ")
    );
    app(dir.path(), &[("unary.js", &unary), ("chain.py", &chain)]);
    let report = scan(dir.path(), &[]);
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert!(
        rules_at(&report, "chain.py")
            .iter()
            .any(|r| r.starts_with("INJ"))
    );
}

#[test]
fn a_source_file_over_the_size_limit_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::from("exports.handler = async (e) => e.body;\n");
    while big.len() <= 2 * 1024 * 1024 {
        big.push_str("// padding padding padding padding padding padding padding padding\n");
    }
    app(dir.path(), &[("big.js", &big), ("good.js", GOOD_JS)]);
    let report = scan(dir.path(), &[]);
    let errors = errors_for(&report, "big.js");
    assert!(
        errors.iter().any(|e| e.contains("byte limit")),
        "{errors:?}"
    );
    assert!(
        rules_at(&report, "good.js")
            .iter()
            .any(|r| r.starts_with("INJ"))
    );
}

#[test]
fn the_memory_limit_stops_the_analysis_with_an_error_per_function() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), &[("a.js", GOOD_JS), ("b.js", GOOD_JS)]);
    // 0 MiB: the scan holds more than that before the first function.
    let report = scan(dir.path(), &["--max-memory", "0"]);
    let errors = errors_for(&report, "serverless.yml");
    for f in ["f0", "f1"] {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(&format!("`{f}` was not analysed"))
                    && e.contains("memory limit of 0 MiB")),
            "{errors:?}"
        );
    }
    assert!(rules_at(&report, "a.js").is_empty());
    // The limit holds past the code analysis too: the links and the rules of the application
    // are not run, and an entry says so (a clean report is never a lie).
    assert!(
        errors
            .iter()
            .any(|e| e.contains("rules were not run") && e.contains("memory limit of 0 MiB")),
        "{errors:?}"
    );
    assert!(rules_at(&report, "serverless.yml").is_empty(), "{report:#}");
    // With the default limit, both are analysed.
    let report = scan(dir.path(), &[]);
    assert!(
        rules_at(&report, "a.js")
            .iter()
            .any(|r| r.starts_with("INJ"))
    );
}

#[test]
fn variables_nested_too_deeply_are_left_unresolved_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut yml = String::from(
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  environment:\n    DEEP: ${self:custom.v0}\n    INCLUDED: ${file(./f0.yml):v}\ncustom:\n",
    );
    for i in 0..40 {
        yml.push_str(&format!("  v{i}: ${{self:custom.v{}}}\n", i + 1));
    }
    yml.push_str("  v40: end\nfunctions:\n  f:\n    handler: a.handler\n");
    write(dir.path(), "serverless.yml", &yml);
    // Files that include each other in a chain longer than the limit.
    for i in 0..40 {
        write(
            dir.path(),
            &format!("f{i}.yml"),
            &format!("v: ${{file(./f{}.yml):v}}\n", i + 1),
        );
    }
    write(dir.path(), "f40.yml", "v: end\n");
    write(dir.path(), "a.js", "exports.handler = async () => 1;\n");
    let report = scan(dir.path(), &[]);
    let errors = errors_for(&report, "serverless.yml");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("nests deeper than 32 levels")),
        "{errors:?}"
    );
    // The chain of files is cut at the same depth, in the file where it is reached.
    let errors = errors_for(&report, "f31.yml");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("nests deeper than 32 levels")),
        "{errors:?}"
    );
}

#[test]
fn the_analysis_budget_is_reported_per_function() {
    let dir = tempfile::tempdir().unwrap();
    // Straight-line handlers too long to interpret within the per-function step budget
    // (1 MB and 1.7 MB, under the 2 MiB file size limit).
    let js = format!(
        "exports.handler = async (e) => {{\n  let x = e.body;\n{}  return x;\n}};\n",
        "  x = x + e.body;\n".repeat(60_000)
    );
    let py = format!(
        "def handler(e, c):\n    x = e\n{}    return x\n",
        "    x = x + e\n".repeat(120_000)
    );
    app(
        dir.path(),
        &[("budget.js", &js), ("budget.py", &py), ("good.js", GOOD_JS)],
    );
    let report = scan(dir.path(), &[]);
    for file in ["budget.js", "budget.py"] {
        let errors = errors_for(&report, file);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("analysis budget exhausted")),
            "{file}: {errors:?}"
        );
    }
    assert!(
        rules_at(&report, "good.js")
            .iter()
            .any(|r| r.starts_with("INJ"))
    );
}

#[test]
fn findings_past_the_limit_per_rule_and_file_are_counted_in_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // More command injections of one rule in one handler than the limit.
    let limit = perimeter::engine::MAX_FINDINGS_PER_RULE_PER_FILE;
    let mut js = String::from(
        "const { execSync } = require('child_process');\nexports.handler = async (event) => {\n",
    );
    for i in 0..limit + 50 {
        js.push_str(&format!("  execSync('ls {i} ' + event.body);\n"));
    }
    js.push_str("};\n");
    app(dir.path(), &[("many.js", &js)]);
    let report = scan(dir.path(), &[]);
    let rules = rules_at(&report, "many.js");
    let top = rules
        .iter()
        .max_by_key(|r| rules.iter().filter(|x| x == r).count())
        .unwrap()
        .clone();
    assert_eq!(
        rules.iter().filter(|r| **r == top).count(),
        limit,
        "{rules:?}"
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(
            |w| w.starts_with(&format!("many.js: {} findings of", limit + 50))
                && w.contains(&top)
                && w.contains(&format!("limit of {limit}"))
        ),
        "{warnings:?}"
    );
}
