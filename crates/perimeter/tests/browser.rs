//! The HTML report in a real browser: headless Chromium (Debian's package) driven by
//! playwright-core (npm), both installed by `.ci/install-deps`, so this test is ignored by
//! default and run by CI. The script (tests/browser/report.mjs) clicks a function node of the
//! data map and one of its findings and checks what the page shows; the screenshot is left at
//! `target/browser-test/report.png` for a person to look at.

use std::path::PathBuf;
use std::process::Command;

#[test]
#[ignore = "needs .ci/install-deps (Chromium and playwright-core)"]
fn html_report_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = root.join("target/browser-test");
    let modules = work.join("node_modules");
    assert!(
        modules.join("playwright-core").is_dir(),
        "run .ci/install-deps first: {} is missing",
        modules.display()
    );
    let html = work.join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "html", "--output"])
        .arg(&html)
        .arg(root.join("examples/shop"))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the example has high findings");
    let screenshot = work.join("report.png");
    let _ = std::fs::remove_file(&screenshot);
    let out = Command::new("node")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/report.mjs"))
        .arg(&html)
        .arg(&screenshot)
        .arg("createOrder")
        .env("NODE_PATH", &modules)
        .output()
        .expect("node is needed");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(log.contains("ok:"), "{log}");
    assert!(screenshot.is_file(), "no screenshot: {log}");
}

#[test]
#[ignore = "needs .ci/install-deps (Chromium and playwright-core)"]
fn html_report_with_thousands_of_findings_stays_usable() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let modules = root.join("target/browser-test/node_modules");
    assert!(
        modules.join("playwright-core").is_dir(),
        "run .ci/install-deps first"
    );
    // 450 public functions, each with a handful of findings.
    let dir = tempfile::tempdir().unwrap();
    let mut yml =
        String::from("service: big\nprovider:\n  name: aws\n  runtime: nodejs16.x\nfunctions:\n");
    for i in 0..450 {
        yml.push_str(&format!(
            "  f{i}:\n    handler: h.handler\n    events:\n      - httpApi: 'GET /r{i}'\n"
        ));
    }
    std::fs::write(dir.path().join("serverless.yml"), yml).unwrap();
    std::fs::write(
        dir.path().join("h.js"),
        "exports.handler = async () => ({});\n",
    )
    .unwrap();
    let html = root.join("target/browser-test/big.html");
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        // The routes' function touches nothing beyond its response, so their findings are low.
        .args(["scan", "--fail-on", "low", "--format", "html", "--output"])
        .arg(&html)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new("node")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/big.mjs"))
        .arg(&html)
        .arg("2000")
        .env("NODE_PATH", &modules)
        .output()
        .expect("node is needed");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
}
