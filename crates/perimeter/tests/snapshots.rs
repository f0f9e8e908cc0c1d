//! Every output format, pinned: the bundled example shop rendered by `scan` in each report
//! format, by `map` in each diagram format, by `policy` in each policy format and by
//! `inventory`. A change to any rendering shows here as a snapshot diff to review
//! (`INSTA_UPDATE=always cargo test -p perimeter --test snapshots` rewrites them).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// The committed OSV test records, imported once into a temporary database: the dependency
/// findings are the same on every machine.
fn db() -> &'static Path {
    static DB: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["db", "import"])
            .arg(root().join("crates/perimeter_deps/resources/test/osv"))
            .arg("--db")
            .arg(dir.path().join("osv"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .path()
}

/// Runs perimeter from the repository root on `examples/<app>` and returns standard output.
fn render(args: &[&str], app: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .current_dir(root())
        .args(args)
        .args(["--no-cache", "--no-repo-config"])
        .arg(format!("examples/{app}"))
        .env("PERIMETER_NO_RESULT_CACHE", "1")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn scan(format: &str) -> String {
    let db = db().join("osv");
    render(
        &[
            "scan",
            "--format",
            format,
            "--color",
            "never",
            "--db",
            db.to_str().unwrap(),
        ],
        "shop",
    )
}

macro_rules! pin {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), $body);
        }
    };
}

pin!(scan_text, scan("text"));
pin!(scan_json, scan("json"));
pin!(scan_sarif, scan("sarif"));
pin!(scan_junit, scan("junit"));
pin!(scan_gitlab, scan("gitlab"));
pin!(scan_html, scan("html"));
pin!(map_mermaid, render(&["map", "--format", "mermaid"], "shop"));
pin!(map_dot, render(&["map", "--format", "dot"], "shop"));
pin!(map_json, render(&["map", "--format", "json"], "shop"));
pin!(
    policy_iam_json,
    render(&["policy", "--format", "iam-json"], "shop")
);
pin!(
    policy_serverless,
    render(&["policy", "--format", "serverless"], "shop")
);
pin!(
    policy_sam,
    render(&["policy", "--format", "sam"], "shop-sam")
);
pin!(inventory_json, render(&["inventory"], "shop"));
