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
        .env("PERIMETER_NO_RESULT_CACHE", "1")
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
    // One pack file for the folder (besides the key), one line per function, rewritten
    // rather than grown.
    let packs: Vec<PathBuf> = walk(&cache)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "key"))
        .collect();
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
    // The findings elsewhere are the same as before: those of other files and other
    // functions (a finding of the changed function, such as its route's, may describe what
    // its code now does).
    let elsewhere = |r: &[u8]| -> Vec<serde_json::Value> {
        findings(r)
            .into_iter()
            .filter(|f| f["path"] != rel && f["function"] != "dailyReport")
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
    // Every entry (a line of the pack files) damaged in one of three ways (not the key).
    let entries: Vec<PathBuf> = walk(&cache)
        .into_iter()
        .filter(|e| e.file_name().is_some_and(|n| n != "key"))
        .collect();
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

/// A scan with the result cache: the report, and whether it was reused.
fn scan_results(root: &Path, cache: &Path, extra: &[&str]) -> (Vec<u8>, bool, Option<i32>) {
    let db = root.parent().unwrap().join("no-db");
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--db"])
        .arg(&db)
        .arg(root)
        .arg("--cache-dir")
        .arg(cache)
        .args(extra)
        .env("PERIMETER_CACHE_STATS", "1")
        .env_remove("PERIMETER_CACHE_DIR")
        .env_remove("PERIMETER_NO_RESULT_CACHE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (
        out.stdout,
        stderr.contains("perimeter: cache: report reused"),
        out.status.code(),
    )
}

/// Lets the tree's times fall out of the window in which a scan does not trust them.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(2_200));
}

#[test]
fn an_unchanged_tree_gets_its_report_back_and_any_change_misses() {
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let cache = dir.path().join("cache");
    settle();
    let (cold, reused, code) = scan_results(&root, &cache, &[]);
    assert!(!reused);
    let (warm, reused, warm_code) = scan_results(&root, &cache, &[]);
    assert!(reused, "an unchanged tree was analysed again");
    assert!(warm == cold, "the reused report differs");
    assert_eq!(warm_code, code);
    // Another question of the same tree is another entry.
    let (selected, reused, _) = scan_results(&root, &cache, &["--select", "AUTH"]);
    assert!(!reused);
    assert!(selected != cold);

    // A handler rewritten with its old size and modification time: the change time moved.
    let handler = root.join("examples/shop/src/reports/daily.py");
    let before = std::fs::metadata(&handler).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&handler).unwrap();
    let swapped = text.replacen("def handler(", "def handlex(", 1);
    assert_eq!(swapped.len(), text.len());
    std::fs::write(&handler, &swapped).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&handler)
        .unwrap()
        .set_modified(before)
        .unwrap();
    let (after, reused, _) = scan_results(&root, &cache, &[]);
    assert!(!reused, "a rewritten handler was not seen");
    assert!(
        after != cold,
        "the handler's function lost its handler: the report changes"
    );

    // A file added to a folder the walk entered.
    settle();
    scan_results(&root, &cache, &[]);
    assert!(scan_results(&root, &cache, &[]).1);
    std::fs::write(
        root.join("examples/shop/src/reports/notes.py"),
        "PASSWORD = 'hunter2-hunter2'\n",
    )
    .unwrap();
    assert!(
        !scan_results(&root, &cache, &[]).1,
        "a new file was not seen"
    );
}

#[test]
fn a_gitignored_handler_the_analysis_read_is_watched() {
    // The walk skips `dist/` (gitignored), but the handler resolution reads the handler there:
    // a change to it must be seen.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::write(root.join(".gitignore"), "dist/\n").unwrap();
    std::fs::write(
        root.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  run:\n    handler: dist/index.handler\n    events:\n      - httpApi: 'POST /run'\n",
    )
    .unwrap();
    std::fs::write(
        root.join("dist/index.js"),
        "exports.handler = async (event) => ({ statusCode: 200 });\n",
    )
    .unwrap();
    let cache = dir.path().join("cache");
    settle();
    let (first, _, _) = scan_results(&root, &cache, &[]);
    assert!(scan_results(&root, &cache, &[]).1);
    std::fs::write(
        root.join("dist/index.js"),
        "const cp = require('child_process');\nexports.handler = async (event) => cp.execSync(event.body);\n",
    )
    .unwrap();
    let (second, reused, _) = scan_results(&root, &cache, &[]);
    assert!(!reused, "the gitignored handler's change was not seen");
    let injections = |r: &[u8]| {
        findings(r)
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("INJ"))
            .count()
    };
    assert_eq!(injections(&first), 0);
    assert_eq!(injections(&second), 1);
}

#[test]
fn a_tree_changed_just_before_the_scan_is_not_kept() {
    // Times within two seconds of the scan's start are not trusted: nothing is stored.
    let dir = tempfile::tempdir().unwrap();
    let root = tree(dir.path());
    let cache = dir.path().join("cache");
    scan_results(&root, &cache, &[]);
    assert!(!scan_results(&root, &cache, &[]).1);
}
