//! The rules' fixture harness: every `perimeter_rules/resources/test/fixtures/<domain>/<CODE>/`
//! folder is scanned by the same [`Pipeline`] as `perimeter scan`, with only that rule
//! selected, and the lines each file reports are compared with its `# expect: CODE` lines
//! (`# ok: CODE` lines are near misses: documentation, and a failure if they fire). The
//! harness has no dispatch of its own: descriptors, Terraform modules, Chalice, Zappa and
//! Azure projects, handler code, repository files (SEC006) and lockfiles (DEP001, against a
//! database imported from the folder's `osv/` records) all go through the pipeline.
//!
//! JSON has no comments: a `.json` file carries its markers as ` // expect: CODE` at the end
//! of a line. Each folder is copied to a temporary one with those markers blanked (every line
//! stays where it is), and what remains must be strict JSON.

#[path = "../../perimeter_rules/tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use perimeter::pipeline::{Pipeline, Products, Settings};

/// The fixture root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../perimeter_rules/resources/test/fixtures")
}

/// Every `<domain>/<CODE>` fixture folder, sorted.
fn fixture_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for domain in common::sorted(&root()) {
        if domain.is_dir() {
            out.extend(common::sorted(&domain).into_iter().filter(|p| p.is_dir()));
        }
    }
    out
}

/// Every file under a folder, relative to it, sorted.
fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for p in common::sorted(dir) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if p.is_dir() {
            files_under(&p, &rel, out);
        } else {
            out.push(rel);
        }
    }
}

/// A `.json` file's text with its ` // expect:` and ` // ok:` markers blanked.
fn json_without_markers(rel: &str, text: &str) -> String {
    let out: Vec<&str> = text
        .lines()
        .map(|line| {
            let at = [" // expect:", " // ok:"]
                .iter()
                .filter_map(|m| line.find(m))
                .min();
            at.map_or(line, |at| &line[..at])
        })
        .collect();
    let out = out.join("\n");
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
        panic!("{rel} is not JSON once its markers are blanked: {e}");
    }
    out
}

/// Copies a fixture folder to `to`, markers of `.json` files blanked (except the `osv/`
/// records, which are the database, not the tree).
fn copy_fixture(dir: &Path, files: &[String], to: &Path) {
    for rel in files {
        let text = std::fs::read_to_string(dir.join(rel)).unwrap();
        let text = if rel.ends_with(".json") {
            json_without_markers(rel, &text)
        } else {
            text
        };
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The reported lines of one folder's scan, per file, and a line per finding for the
/// failure message.
fn scan(code: &str, tree: &Path, db: Option<PathBuf>) -> perimeter::pipeline::Outcome {
    let settings = Settings {
        select: vec![code.to_owned()],
        db,
        ..Settings::default()
    };
    Pipeline::new(settings, Products::FINDINGS).run(tree)
}

#[test]
fn fixtures() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in fixture_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let shown = dir.strip_prefix(root()).unwrap().display().to_string();
        if perimeter_rules::by_code_or_name(&code).is_none() {
            failures.push(format!("{shown}: no rule {code}"));
            continue;
        }
        let mut files = Vec::new();
        files_under(&dir, "", &mut files);
        // A folder's `osv/` records are the advisory database of its scan.
        let (records, tree_files): (Vec<String>, Vec<String>) =
            files.into_iter().partition(|f| f.starts_with("osv/"));
        let work = tempfile::tempdir().unwrap();
        let tree = work.path().join("tree");
        copy_fixture(&dir, &tree_files, &tree);
        let db = if records.is_empty() {
            None
        } else {
            let db = work.path().join("db");
            perimeter_deps::db::import(&db, &dir.join("osv")).unwrap();
            Some(db)
        };
        let outcome = scan(&code, &tree, db);
        assert!(
            outcome.findings.iter().all(|f| f.rule == code),
            "{shown}: another rule reported"
        );
        let mut got: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
        for f in &outcome.findings {
            got.entry(f.path.as_str()).or_default().insert(f.line);
        }
        for rel in &tree_files {
            checked += 1;
            let text = std::fs::read_to_string(dir.join(rel)).unwrap();
            let want = common::marked_lines(&text, "expect", &code);
            let have = got.remove(rel.as_str()).unwrap_or_default();
            if want != have {
                let detail: Vec<String> = outcome
                    .findings
                    .iter()
                    .filter(|f| f.path == *rel)
                    .map(|f| format!("    {}:{} {}", f.line, f.column, f.message))
                    .collect();
                failures.push(format!(
                    "{shown}/{rel} ({code}): expected lines {want:?}, reported {have:?}\n{}",
                    detail.join("\n")
                ));
            }
        }
        for (path, lines) in got {
            failures.push(format!(
                "{shown} ({code}): reported in {path}, not a file of the fixture: {lines:?}"
            ));
        }
        // Reachability: a package the handler imports is reported at the advisory's
        // severity, one nothing imports low.
        if code == "DEP001" {
            for f in &outcome.findings {
                let imported = f.message.contains("` imports it");
                let expected = if imported { "critical" } else { "low" };
                if f.message.contains("jsonpickle") != imported || f.severity.as_str() != expected {
                    failures.push(format!(
                        "DEP001: unexpected {} {}",
                        f.severity.as_str(),
                        f.message
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no fixture was loaded");
    assert!(
        failures.is_empty(),
        "{} fixture mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
