//! Every input with which fuzzing crashed a parser (`fuzz/`, issue #9) is kept as a small tree
//! under `tests/fixtures/fuzz/r9_*`; the scanner must read each without a panic, with a
//! report that is valid JSON.

use std::path::Path;
use std::process::Command;

#[test]
fn every_fuzz_crash_is_scanned_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let db = tempfile::tempdir().unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--db"])
            .arg(db.path())
            .arg(&case)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)) && !stderr.contains("panicked"),
            "{}: {stderr}",
            case.display()
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        assert_eq!(report["schema_version"], 1);
    }
}
