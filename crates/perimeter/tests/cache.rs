//! The incremental cache: a warm scan reuses the code summaries of an unchanged tree and
//! gives byte-identical reports; a change re-analyses exactly the functions whose analysis
//! read what changed; a broken or unwritable cache never changes a report.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

/// The examples and the data-flow fixtures: JavaScript, TypeScript and Python functions.
fn tree(parent: &Path) -> PathBuf {
    let root = parent.join("tree");
    copy_dir(&workspace().join("examples"), &root.join("examples"));
    copy_dir(
        &workspace().join("crates/perimeter/tests/fixtures/flow"),
        &root.join("flow"),
    );
    root
}

/// The files under a folder, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Run {
    report: Vec<u8>,
    reused: usize,
    analysed: usize,
    stderr: String,
}

fn scan(root: &Path, format: &str, cache: Option<&Path>) -> Run {
    let db = root.parent().unwrap().join("no-db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter"));
    cmd.args(["scan", "--format", format, "--color", "never", "--db"])
        .arg(&db)
        .arg(root)
        .env("PERIMETER_CACHE_STATS", "1")
        .env_remove("PERIMETER_CACHE_DIR");
    match cache {
        Some(dir) => cmd.arg("--cache-dir").arg(dir),
        None => cmd.arg("--no-cache"),
    };
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let (reused, analysed) = stderr
        .lines()
        .find_map(|l| l.strip_prefix("perimeter: cache: "))
        .map_or((0, 0), |l| {
            let n: Vec<usize> = l
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|w| w.parse().ok())
                .collect();
            (n[0], n[1])
        });
    Run {
        report: out.stdout,
        reused,
        analysed,
        stderr,
    }
}

fn findings(report: &[u8]) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(report).unwrap();
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn a_warm_scan_reuses_every_summary_and_reports_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let cache = dir.path().join("cache");
    let uncached = scan(&root, "json", None);
    let cold = scan(&root, "json", Some(&cache));
    assert_eq!(cold.reused, 0, "{}", cold.stderr);
    assert!(cold.analysed >= 20, "{}", cold.stderr);
    let warm = scan(&root, "json", Some(&cache));
    assert_eq!(warm.analysed, 0, "{}", warm.stderr);
    assert_eq!(warm.reused, cold.analysed);
    assert!(
        cold.report == uncached.report,
        "the cache changed the cold report"
    );
    assert!(warm.report == cold.report, "the warm report differs");
    assert!(!findings(&warm.report).is_empty());
    // One pack file for the folder, one line per function, rewritten rather than grown.
    let packs: Vec<PathBuf> = walk(&cache);
    assert_eq!(packs.len(), 1, "{packs:?}");
    let lines = std::fs::read_to_string(&packs[0]).unwrap().lines().count();
    assert_eq!(lines, cold.analysed);
    // Every format renders the same from cached summaries (code frames, traces).
    for format in ["sarif", "text", "html", "junit", "gitlab"] {
        let fresh = scan(&root, format, None);
        let cached = scan(&root, format, Some(&cache));
        assert_eq!(cached.analysed, 0, "{format}");
        assert!(
            fresh.report == cached.report,
            "{format} differs when cached"
        );
    }
}

#[test]
fn changing_one_handler_reanalyses_only_that_function() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let cache = dir.path().join("cache");
    let before = scan(&root, "json", Some(&cache));
    // A command injection added to one Python handler of the shop example.
    let rel = "examples/shop/src/reports/daily.py";
    let handler = root.join(rel);
    let text = std::fs::read_to_string(&handler).unwrap();
    let def = "def handler(event, context):\n";
    assert!(text.contains(def), "{rel} changed: update this test");
    let text = text.replace(def, &format!("{def}    os.system(event[\"body\"])\n"));
    std::fs::write(&handler, text).unwrap();
    let after = scan(&root, "json", Some(&cache));
    let fresh = scan(&root, "json", None);
    assert!(after.report == fresh.report, "a stale summary was reused");
    // Only the functions whose analysis read that file were analysed again.
    assert!(after.analysed >= 1, "{}", after.stderr);
    assert_eq!(after.reused + after.analysed, before.analysed);
    assert!(
        after.analysed <= 2,
        "one file changed, {} functions re-analysed",
        after.analysed
    );
    // The findings elsewhere are the same as before.
    let elsewhere = |r: &[u8]| -> Vec<serde_json::Value> {
        findings(r)
            .into_iter()
            .filter(|f| f["path"] != rel)
            .collect()
    };
    assert_eq!(elsewhere(&before.report), elsewhere(&after.report));
    let injections = |r: &[u8]| {
        findings(r)
            .iter()
            .filter(|f| f["path"] == rel && f["kind"] == "injection-os-command")
            .count()
    };
    assert_eq!(injections(&before.report), 0);
    assert_eq!(injections(&after.report), 1);
}

#[test]
fn a_module_created_later_is_seen() {
    // The handler imports a module that does not exist yet: the cached summary depends on
    // its absence, so creating it must invalidate the entry.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  run:\n    handler: src/index.handler\n    events:\n      - httpApi: 'POST /run'\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/index.js"),
        "const { run } = require('./helper');\nexports.handler = async (event) => run(event.body);\n",
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let first = scan(&root, "json", Some(&cache));
    assert!(
        !findings(&first.report)
            .iter()
            .any(|f| f["rule"].as_str().unwrap().starts_with("INJ")),
        "{}",
        String::from_utf8_lossy(&first.report)
    );
    std::fs::write(
        root.join("src/helper.js"),
        "const cp = require('child_process');\nexports.run = (cmd) => cp.execSync(cmd);\n",
    )
    .unwrap();
    let second = scan(&root, "json", Some(&cache));
    assert_eq!(second.analysed, 1, "{}", second.stderr);
    assert!(
        findings(&second.report)
            .iter()
            .any(|f| f["rule"].as_str().unwrap().starts_with("INJ")),
        "{}",
        String::from_utf8_lossy(&second.report)
    );
    assert!(second.report == scan(&root, "json", None).report);
}

#[test]
fn a_corrupt_or_unwritable_cache_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let cache = dir.path().join("cache");
    let fresh = scan(&root, "json", None);
    scan(&root, "json", Some(&cache));
    // Every entry (a line of the pack files) damaged in one of three ways.
    let entries = walk(&cache);
    assert!(!entries.is_empty());
    for e in &entries {
        let text = std::fs::read_to_string(e).unwrap();
        let damaged: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, line)| match i % 3 {
                0 => line[..line.len() / 2].to_owned(),
                1 => line.replace("\"Read\"", "\"Exists\""),
                _ => String::from("{}"),
            })
            .collect();
        assert!(damaged.len() > 10);
        std::fs::write(e, damaged.join("\n")).unwrap();
    }
    let damaged = scan(&root, "json", Some(&cache));
    assert!(damaged.report == fresh.report);
    // A cache folder that cannot be made: a warning, the same findings.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "a file, not a folder").unwrap();
    let run = scan(&root, "json", Some(&blocked));
    assert_eq!(findings(&run.report), findings(&fresh.report));
    let v: serde_json::Value = serde_json::from_slice(&run.report).unwrap();
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("cannot be written")),
        "{v:#}"
    );
}
