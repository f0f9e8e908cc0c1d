//! Hostile input: every bad file gives an error entry naming the file and the reason, and the
//! rest of the scan goes on.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const GOOD: &str = "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: 'GET /hello'\n";

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn scan(root: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--no-code"])
        .arg(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn error_for<'a>(report: &'a Value, path: &str) -> &'a str {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {path}: {report:#}"))
}

fn assert_good_app_scanned(report: &Value) {
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "good/serverless.yml"),
        "the good application was not scanned: {report:#}"
    );
}

#[test]
fn alias_bomb_is_rejected_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb =
        String::from("service: x\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write(dir.path(), "bomb/serverless.yml", bomb.as_bytes());
    write(dir.path(), "good/serverless.yml", GOOD.as_bytes());
    let (code, report) = scan(dir.path());
    assert_eq!(code, 1);
    assert!(error_for(&report, "bomb/serverless.yml").contains("alias"));
    assert_good_app_scanned(&report);
}

#[test]
fn deep_nesting_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "service: x\ncustom: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(dir.path(), "deep/serverless.yml", deep.as_bytes());
    // Block nesting costs its indentation: 2,000 levels stay under the size limit.
    let mut block = String::from("service: x\ncustom:\n");
    for i in 0..2_000 {
        block.push_str(&" ".repeat(i + 2));
        block.push_str("k:\n");
    }
    write(dir.path(), "deepblock/serverless.yml", block.as_bytes());
    write(dir.path(), "good/serverless.yml", GOOD.as_bytes());
    let (_, report) = scan(dir.path());
    assert!(error_for(&report, "deep/serverless.yml").contains("nesting"));
    assert!(error_for(&report, "deepblock/serverless.yml").contains("nesting"));
    assert_good_app_scanned(&report);
}

#[test]
fn huge_invalid_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut huge = String::from("service: x\ncustom:\n");
    while huge.len() < 50 * 1024 * 1024 {
        huge.push_str(
            "  - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
        );
    }
    write(dir.path(), "huge/serverless.yml", huge.as_bytes());
    write(dir.path(), "latin1/serverless.yml", b"service: caf\xe9\n");
    write(
        dir.path(),
        "binary/serverless.yml",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3],
    );
    write(
        dir.path(),
        "broken/serverless.yml",
        b"service: x\nfunctions: [\n",
    );
    write(dir.path(), "good/serverless.yml", GOOD.as_bytes());
    let (code, report) = scan(dir.path());
    assert_eq!(code, 1);
    assert!(error_for(&report, "huge/serverless.yml").contains("limit"));
    assert!(error_for(&report, "latin1/serverless.yml").contains("UTF-8"));
    assert!(error_for(&report, "binary/serverless.yml").contains("binary"));
    assert!(error_for(&report, "broken/serverless.yml").contains("parse"));
    assert_good_app_scanned(&report);
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "serverless.yml", GOOD.as_bytes());
    write(dir.path(), "good/serverless.yml", GOOD.as_bytes());
    std::fs::create_dir_all(dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("loop"), dir.path().join("loop/again")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("serverless.yml"),
        dir.path().join("linked.yml"),
    )
    .unwrap();
    // A link to a file of the tree (a shared requirements.txt, a folder's variables.tf): the
    // target is analysed where it is, so the link is a warning, not a file left unanalysed.
    write(dir.path(), "shared/requirements.txt", b"requests==2.31.0\n");
    std::fs::create_dir_all(dir.path().join("worker")).unwrap();
    std::os::unix::fs::symlink(
        "../shared/requirements.txt",
        dir.path().join("worker/requirements.txt"),
    )
    .unwrap();
    let (_, report) = scan(dir.path());
    let warned = |path: &str, what: &str| {
        report["warnings"].as_array().unwrap().iter().any(|w| {
            let w = w.as_str().unwrap();
            w.starts_with(&format!("{path}: symbolic link not followed;")) && w.contains(what)
        })
    };
    // A loop points into the tree: nothing is lost, so it is a warning, not an error entry.
    assert!(warned("loop/again", "a loop"), "{report:#}");
    assert!(error_for(&report, "escape").contains("outside"));
    assert!(error_for(&report, "linked.yml").contains("outside"));
    assert!(
        !report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "worker/requirements.txt"),
        "{report:#}"
    );
    assert!(
        warned("worker/requirements.txt", "is in the scanned tree"),
        "{report:#}"
    );
    assert!(
        !report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "loop/again"),
        "{report:#}"
    );
    assert_eq!(report["summary"]["apps"], 1, "{report:#}");
    assert_good_app_scanned(&report);
}
