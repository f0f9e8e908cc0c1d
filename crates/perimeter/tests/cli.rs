//! The command line: exit codes, formats, configuration, suppressions, baselines.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const APP: &str = "\
service: shop
provider:
  name: aws
  runtime: nodejs20.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: '*'
          Resource: '*'
functions:
  hello:
    handler: handler.hello
    events:
      - httpApi: 'GET /hello'
";

fn app(dir: &Path, text: &str) {
    std::fs::write(dir.join("serverless.yml"), text).unwrap();
    std::fs::write(
        dir.join("handler.js"),
        "exports.hello = async () => ({ statusCode: 200 });\n",
    )
    .unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn exit_codes_follow_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    assert_eq!(run(dir.path(), &["scan"]).status.code(), Some(1));
    assert_eq!(
        run(
            dir.path(),
            &["scan", "--fail-on", "critical", "--ignore", "IAM001"]
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run(dir.path(), &["scan", "--format", "nope"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(dir.path(), &["scan", "no/such/dir"]).status.code(),
        Some(2)
    );
}

#[test]
fn json_report_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    let out = run(dir.path(), &["scan", "--format", "json"]);
    let r = json(&out);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "perimeter");
    assert_eq!(r["summary"]["apps"], 1);
    assert_eq!(r["summary"]["functions"], 1);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "IAM001")
        .unwrap();
    assert_eq!(f["path"], "serverless.yml");
    assert_eq!(f["line"], 9);
    assert_eq!(f["kind"], "wildcard-iam");
    for key in [
        "name",
        "severity",
        "message",
        "column",
        "end_line",
        "end_column",
        "fingerprint",
    ] {
        assert!(!f[key].is_null(), "{key} missing");
    }
    // Byte-identical on a second run.
    assert_eq!(
        out.stdout,
        run(dir.path(), &["scan", "--format", "json"]).stdout
    );
}

#[test]
fn select_ignore_and_config_file() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    let r = json(&run(
        dir.path(),
        &["scan", "--format", "json", "--select", "IAM001"],
    ));
    assert_eq!(rules(&r), ["IAM001"]);
    std::fs::write(
        dir.path().join("perimeter.toml"),
        "ignore = [\"wildcard-iam\"]\n[severity]\nIAM001 = \"low\"\n",
    )
    .unwrap();
    let r = json(&run(dir.path(), &["scan", "--format", "json"]));
    assert!(!rules(&r).contains(&"IAM001".to_owned()));
    std::fs::write(dir.path().join("perimeter.toml"), "unknown-key = 1\n").unwrap();
    assert_eq!(run(dir.path(), &["scan"]).status.code(), Some(2));
}

#[test]
fn suppressions_need_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    app(
        dir.path(),
        &APP.replace(
            "Action: '*'",
            "Action: '*' # perimeter: ignore[IAM001] -- break-glass",
        ),
    );
    assert!(
        !rules(&json(&run(dir.path(), &["scan", "--format", "json"])))
            .contains(&"IAM001".to_owned())
    );
    app(
        dir.path(),
        &APP.replace("Action: '*'", "Action: '*' # perimeter: ignore[IAM001]"),
    );
    let r = json(&run(dir.path(), &["scan", "--format", "json"]));
    assert!(rules(&r).contains(&"IAM001".to_owned()));
    assert!(r["warnings"].to_string().contains("no reason"));
}

#[test]
fn baseline_hides_known_findings_even_when_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    assert_eq!(
        run(dir.path(), &["scan", "--write-baseline", "base.json"])
            .status
            .code(),
        Some(0)
    );
    app(dir.path(), &format!("# moved down\n\n{APP}"));
    let out = run(
        dir.path(),
        &["scan", "--format", "json", "--baseline", "base.json"],
    );
    assert_eq!(rules(&json(&out)), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn inventory_lists_functions_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    let inv = json(&run(dir.path(), &["inventory"]));
    let f = &inv["apps"][0]["functions"][0];
    assert_eq!(f["id"], "hello");
    assert_eq!(f["at"]["line"], 12);
    assert_eq!(f["handler"]["value"], "handler.hello");
    assert_eq!(f["events"][0]["kind"], "http-api");
}

#[test]
fn rules_and_rule_docs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["rules"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("IAM001"));
    let out = run(dir.path(), &["rule", "IAM001"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("## What it does"), "{text}");
    assert_eq!(run(dir.path(), &["rule", "NOPE999"]).status.code(), Some(2));
}

#[test]
fn sarif_and_junit_are_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    run(
        dir.path(),
        &["scan", "--format", "sarif", "--output", "out.sarif"],
    );
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    run(
        dir.path(),
        &["scan", "--format", "junit", "--output", "out.xml"],
    );
    assert!(
        std::fs::read_to_string(dir.path().join("out.xml"))
            .unwrap()
            .contains("<testsuite")
    );
}

#[test]
fn other_clouds_are_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("serverless.yml"),
        "service: g\nprovider:\n  name: google\n  runtime: nodejs20\nfunctions:\n  first:\n    handler: http\n",
    )
    .unwrap();
    let r = json(&run(dir.path(), &["scan", "--format", "json"]));
    assert_eq!(r["summary"]["apps"], 0);
    assert_eq!(r["errors"].as_array().unwrap().len(), 0);
    assert!(
        r["warnings"]
            .to_string()
            .contains("provider `google` is not analysed"),
        "{r:#}"
    );
}

#[test]
fn html_report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    app(
        dir.path(),
        &APP.replace(
            "Action: '*'",
            "Action: '*' # </script><script>alert(1)</script>",
        ),
    );
    run(
        dir.path(),
        &["scan", "--format", "html", "--output", "r.html"],
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("id=\"map\"") && html.contains("\"map\":{"),
        "the data map is embedded"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing is loaded from the network"
    );
    // Repository text is data, never markup: the hostile comment cannot close the script.
    assert_eq!(html.matches("</script>").count(), 2);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn diff_reports_only_what_a_change_introduces() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join("svc")).unwrap();
    app(&repo.join("svc"), APP);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "first"]);
    // The change: a second function with a plaintext secret, and the first moved down a line.
    let changed = APP.replace("functions:\n", "functions:\n  # moved\n").replace(
        "  runtime: nodejs20.x\n",
        "  runtime: nodejs20.x\n  environment:\n    API_SECRET: 'sk_live_51Hx9QbF0aZ8eYtWv2nR7kLmP'\n",
    );
    std::fs::write(repo.join("svc/serverless.yml"), changed).unwrap();
    git(repo, &["add", "svc/serverless.yml"]);
    let status_before = git(repo, &["status", "--porcelain"]);

    let all = json(&run(repo, &["scan", "svc", "--format", "json"]));
    let new = json(&run(
        repo,
        &["scan", "svc", "--format", "json", "--diff", "main"],
    ));
    let all_rules = rules(&all);
    let new_rules = rules(&new);
    assert!(all_rules.contains(&"IAM001".to_owned()), "{all_rules:?}");
    assert!(!new_rules.contains(&"IAM001".to_owned()), "{new_rules:?}");
    assert!(
        new_rules.iter().any(|r| r.starts_with("SEC")),
        "{new_rules:?}"
    );
    assert!(new_rules.len() < all_rules.len());
    assert!(
        new["warnings"]
            .to_string()
            .contains("already present at `main`"),
        "{}",
        new["warnings"]
    );
    // The user's index and working tree are untouched.
    assert_eq!(git(repo, &["status", "--porcelain"]), status_before);
    // A revision that does not exist is a usage error, not a silent full report.
    let bad = run(repo, &["scan", "svc", "--diff", "no-such-branch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-branch"));
}

/// What GitHub code scanning reads from SARIF: a fingerprint per result, a help link and a
/// numeric `security-severity` per rule, rule ids that resolve, relative locations.
#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let dir = tempfile::tempdir().unwrap();
    app(dir.path(), APP);
    let out = run(dir.path(), &["scan", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        assert!(
            r["helpUri"].as_str().unwrap().starts_with("https://"),
            "{r:#}"
        );
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let fp = res["partialFingerprints"].as_object().unwrap();
        assert!(
            fp.values()
                .all(|v| v.as_str().is_some_and(|s| s.len() >= 16)),
            "{res:#}"
        );
        let id = res["ruleId"].as_str().unwrap();
        assert!(
            rules.iter().any(|r| r["id"] == id),
            "{id} is not a rule of the run"
        );
        let loc = &res["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        assert!(!loc["uri"].as_str().unwrap().starts_with('/'));
    }
}
