//! The SARIF report validates against the official SARIF 2.1.0 schema. The schema and the
//! validator come from the package registries (`.ci/install-deps`), so this test is ignored
//! by default and run by CI: `cargo test -p perimeter --test sarif_schema -- --ignored`.

use std::path::PathBuf;
use std::process::Command;

const VALIDATE: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
validator = jsonschema.Draft7Validator(schema)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:20]:
    print("/".join(map(str, e.path)), e.message)
sys.exit(1 if errors else 0)
"#;

#[test]
#[ignore = "needs .ci/install-deps (the official schema and Python's jsonschema)"]
fn sarif_report_is_valid_sarif_2_1_0() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema = root.join("target/sarif-schema/sarif-2.1.0.json");
    assert!(
        schema.is_file(),
        "run .ci/install-deps first: {} is missing",
        schema.display()
    );
    let out_dir = tempfile::tempdir().unwrap();
    let sarif = out_dir.path().join("report.sarif");
    // An application with findings, a cross-function trace (codeFlows) and an error.
    for case in ["tests/fixtures/flow/sqs-js", "tests/fixtures/flow/chain-js"] {
        let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(case);
        let status = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "sarif", "--output"])
            .arg(&sarif)
            .arg(&app)
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 1));
        let text = std::fs::read_to_string(&sarif).unwrap();
        assert!(text.contains("\"codeFlows\""), "{case}: no codeFlows");
        assert!(text.contains("\"partialFingerprints\""));
        assert!(text.contains("\"security-severity\""));
        let out = Command::new("python3")
            .arg("-c")
            .arg(VALIDATE)
            .arg(&schema)
            .arg(&sarif)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{case}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
