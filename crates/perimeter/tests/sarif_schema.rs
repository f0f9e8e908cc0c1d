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

/// Microsoft's SARIF multitool (`validate`: the schema plus its own SARIF rules), installed
/// from the npm registry by `.ci/install-deps`, finds nothing to report on the example
/// application's SARIF.
#[test]
#[ignore = "needs .ci/install-deps (Microsoft's SARIF multitool from npm)"]
fn sarif_multitool_validates_the_example_report() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tool = root.join("target/browser-test/node_modules/.bin/sarif-multitool");
    assert!(
        tool.is_file(),
        "run .ci/install-deps first: {} is missing",
        tool.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("shop.sarif");
    let out = dir.path().join("validation.sarif");
    let status = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&sarif)
        .arg(root.join("examples/shop"))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the example has high findings");
    let run = Command::new(&tool)
        .args(["validate", "--output"])
        .arg(&out)
        .arg(&sarif)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{log}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the multitool wrote no output"))
            .unwrap();
    let results = report["runs"][0]["results"].as_array().unwrap();
    let problems: Vec<String> = results
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning")))
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{log}");
}
