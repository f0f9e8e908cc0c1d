//! Determinism: the same tree gives byte-identical reports in every format, scanned twice,
//! walked in another order (the hidden `PERIMETER_DISCOVERY_ORDER` hook), and copied with
//! its files created in the reverse order (so the directory entries come back in another
//! order from the file system).

use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: [&str; 6] = ["json", "sarif", "text", "html", "junit", "gitlab"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Copies the example applications and the CLI fixtures into `dest/tree`, creating the files
/// in the given order.
fn copy_tree(dest: &Path, reverse: bool) -> PathBuf {
    let tree = dest.join("tree");
    let ws = workspace();
    let mut pairs = Vec::new();
    for (from, to) in [
        ("examples", "examples"),
        ("crates/perimeter/tests/fixtures", "fixtures"),
    ] {
        let src = ws.join(from);
        for rel in files_under(&src) {
            pairs.push((src.join(&rel), tree.join(to).join(rel)));
        }
    }
    if reverse {
        pairs.reverse();
    }
    for (src, dst) in pairs {
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(src, dst).unwrap();
    }
    tree
}

fn report(parent: &Path, format: &str, order: Option<&str>, db: &Path) -> Vec<u8> {
    cached_report(parent, format, order, db, None)
}

/// A report, with the incremental cache in `cache` (else `--no-cache`).
fn cached_report(
    parent: &Path,
    format: &str,
    order: Option<&str>,
    db: &Path,
    cache: Option<&Path>,
) -> Vec<u8> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter"));
    cmd.current_dir(parent)
        .args(["scan", "tree", "--color", "never", "--format", format]);
    match cache {
        Some(dir) => cmd.arg("--cache-dir").arg(dir),
        None => cmd.arg("--no-cache"),
    };
    cmd.arg("--db")
        .arg(db)
        .env_remove("PERIMETER_DISCOVERY_ORDER")
        .env("NO_COLOR", "1");
    if let Some(order) = order {
        cmd.env("PERIMETER_DISCOVERY_ORDER", order);
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty(), "{format}: empty report");
    out.stdout
}

#[test]
fn reports_are_byte_identical_whatever_the_walk_order() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    copy_tree(a.path(), false);
    copy_tree(b.path(), true);
    let cache = tempfile::tempdir().unwrap();
    for format in FORMATS {
        let first = report(a.path(), format, None, db.path());
        let runs = [
            ("second run", report(a.path(), format, None, db.path())),
            (
                "reversed walk",
                report(a.path(), format, Some("reverse"), db.path()),
            ),
            (
                "shuffled walk",
                report(a.path(), format, Some("shuffle:7"), db.path()),
            ),
            (
                "tree copied in reverse order",
                report(b.path(), format, None, db.path()),
            ),
            (
                "reverse copy, shuffled walk",
                report(b.path(), format, Some("shuffle:12345"), db.path()),
            ),
            (
                "cold cache",
                cached_report(a.path(), format, None, db.path(), Some(cache.path())),
            ),
            (
                "warm cache, reverse copy, reversed walk",
                cached_report(
                    b.path(),
                    format,
                    Some("reverse"),
                    db.path(),
                    Some(cache.path()),
                ),
            ),
        ];
        for (what, bytes) in runs {
            if bytes != first {
                let first = String::from_utf8_lossy(&first);
                let other = String::from_utf8_lossy(&bytes);
                let line = first
                    .lines()
                    .zip(other.lines())
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                panic!(
                    "{format}: the {what} differs from the first run at line {}:\n{}\n---\n{}",
                    line + 1,
                    first.lines().nth(line).unwrap_or(""),
                    other.lines().nth(line).unwrap_or("")
                );
            }
        }
    }
}
