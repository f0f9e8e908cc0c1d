//! Regression tests for attacks on the scanner itself (issue 14 and later), each in the form the
//! attack used and named after what it protects. Blocks are grouped by the item they protect.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .current_dir(dir)
        .env("PERIMETER_NO_RESULT_CACHE", "1")
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// --- issue 14: fingerprints (item 16) ---

const TWO_FUNCTIONS: &str = "\
service: fp
provider:
  name: aws
  runtime: nodejs20.x
functions:
  one:
    handler: handler.one
    events:
      - httpApi: 'POST /one'
  two:
    handler: handler.two
    events:
      - httpApi: 'POST /two'
";

const ONE_HANDLER: &str = "\
const { exec } = require('child_process');
exports.one = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
exports.two = async () => ({ statusCode: 200 });
";

/// The same vulnerable line added to a second handler of the same file.
const TWO_HANDLERS: &str = "\
const { exec } = require('child_process');
exports.one = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
exports.two = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
";

fn injections(report: &Value) -> Vec<(u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "injection-os-command")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["fingerprint"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn baseline_does_not_hide_a_new_copy_of_an_accepted_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("serverless.yml"), TWO_FUNCTIONS).unwrap();
    std::fs::write(root.join("handler.js"), ONE_HANDLER).unwrap();
    run(root, &["scan", "--write-baseline", "base.json"]);
    std::fs::write(root.join("handler.js"), TWO_HANDLERS).unwrap();
    let all = json(&run(root, &["scan", "--format", "json"]));
    let found = injections(&all);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_ne!(
        found[0].1, found[1].1,
        "two occurrences share a fingerprint"
    );
    let new = json(&run(
        root,
        &["scan", "--format", "json", "--baseline", "base.json"],
    ));
    assert_eq!(injections(&new).len(), 1, "{}", new["findings"]);
}

#[test]
fn diff_does_not_hide_a_new_copy_of_a_line_in_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("serverless.yml"), TWO_FUNCTIONS).unwrap();
    std::fs::write(repo.join("handler.js"), ONE_HANDLER).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "first"]);
    std::fs::write(repo.join("handler.js"), TWO_HANDLERS).unwrap();
    let new = json(&run(repo, &["scan", "--format", "json", "--diff", "main"]));
    assert_eq!(injections(&new).len(), 1, "{}", new["findings"]);
}
