//! Regression tests for reported attacks and bugs (issue 14 and later): each is named after
//! what it protects and written in the form the attack used. One module per group of items.

/// Writes `text` at `rel` under `root`, creating its folders (shared by the blocks below).
fn write(root: &std::path::Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Runs perimeter in `dir` with `args`, without the result cache (shared by the blocks below).
fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .current_dir(dir)
        .env("PERIMETER_NO_RESULT_CACHE", "1")
        .args(args)
        .output()
        .unwrap()
}

/// The JSON report on a run's standard output.
fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

// --- issue 14: fingerprints (item 16) ---

mod fingerprints {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::{json, run};

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

    const TWO_FUNCTIONS: &str = "\
service: fp
provider:
  name: aws
  runtime: nodejs20.x
functions:
  one:
    handler: handler.one
    events:
      - httpApi: 'POST /one'
  two:
    handler: handler.two
    events:
      - httpApi: 'POST /two'
";

    const ONE_HANDLER: &str = "\
const { exec } = require('child_process');
exports.one = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
exports.two = async () => ({ statusCode: 200 });
";

    /// The same vulnerable line added to a second handler of the same file.
    const TWO_HANDLERS: &str = "\
const { exec } = require('child_process');
exports.one = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
exports.two = async (event) => {
  exec(event.body);
  return { statusCode: 200 };
};
";

    fn injections(report: &Value) -> Vec<(u64, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "injection-os-command")
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn baseline_does_not_hide_a_new_copy_of_an_accepted_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("serverless.yml"), TWO_FUNCTIONS).unwrap();
        std::fs::write(root.join("handler.js"), ONE_HANDLER).unwrap();
        run(root, &["scan", "--write-baseline", "base.json"]);
        std::fs::write(root.join("handler.js"), TWO_HANDLERS).unwrap();
        let all = json(&run(root, &["scan", "--format", "json"]));
        let found = injections(&all);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_ne!(
            found[0].1, found[1].1,
            "two occurrences share a fingerprint"
        );
        let new = json(&run(
            root,
            &["scan", "--format", "json", "--baseline", "base.json"],
        ));
        assert_eq!(injections(&new).len(), 1, "{}", new["findings"]);
    }

    #[test]
    fn diff_does_not_hide_a_new_copy_of_a_line_in_the_base() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        git(repo, &["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("serverless.yml"), TWO_FUNCTIONS).unwrap();
        std::fs::write(repo.join("handler.js"), ONE_HANDLER).unwrap();
        git(repo, &["add", "."]);
        git(repo, &["commit", "-q", "-m", "first"]);
        std::fs::write(repo.join("handler.js"), TWO_HANDLERS).unwrap();
        let new = json(&run(repo, &["scan", "--format", "json", "--diff", "main"]));
        assert_eq!(injections(&new).len(), 1, "{}", new["findings"]);
    }
}

// --- issue 14: gates (items 13, 14, 15, 17) ---
mod gates {
    use std::path::Path;
    use std::process::{Command, Output};

    use serde_json::Value;

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    fn serverless(root: &Path, runtime: &str) {
        write(
            root,
            "serverless.yml",
            format!(
                "service: s\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n  f:\n    handler: handler.main\n    events:\n      - httpApi: 'GET /x'\n"
            )
            .as_bytes(),
        );
    }

    fn run(root: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .arg("scan")
            .args(args)
            .arg(root)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .env_remove("PERIMETER_NO_REPO_CONFIG")
            .output()
            .unwrap()
    }

    fn scan(root: &Path, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--format", "json", "--no-cache"];
        all.extend_from_slice(args);
        let out = run(root, &all);
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), report)
    }

    fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    }

    fn error_with<'a>(report: &'a Value, needle: &str) -> &'a Value {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no error with `{needle}`: {report:#}"))
    }

    /// The command injection is reported, and no analysis limit was met.
    fn assert_injection_found(root: &Path, path: &str) {
        let (_, r) = scan(root, &["--allow-errors"]);
        assert!(
            findings(&r, "INJ003").iter().any(|f| f["path"] == path),
            "no injection in {path}: {r:#}"
        );
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
    }

    /// A limit was met: an error entry names the function and the limit, and fails the gate.
    fn assert_cut_reported(root: &Path, function: &str, limit: &str) {
        let (code, r) = scan(root, &[]);
        assert_eq!(code, 1, "{r:#}");
        let e = error_with(&r, limit);
        let m = e["message"].as_str().unwrap();
        assert!(m.contains(function), "{m}");
    }

    fn js_chain(n: usize, wrap: usize) -> String {
        let mut src = String::from("const { exec } = require('child_process');\n");
        for i in 0..n {
            let next = if i + 1 < n {
                format!(
                    "{}f{}(x){}",
                    "String(".repeat(wrap),
                    i + 1,
                    ")".repeat(wrap)
                )
            } else {
                "exec(x)".to_owned()
            };
            src.push_str(&format!("function f{i}(x) {{ return {next}; }}\n"));
        }
        src + "exports.main = async (event) => f0(event.body);\n"
    }

    fn py_chain(n: usize, wrap: usize) -> String {
        let mut src = String::from("import subprocess\n");
        for i in 0..n {
            let next = if i + 1 < n {
                format!("{}f{}(x){}", "str(".repeat(wrap), i + 1, ")".repeat(wrap))
            } else {
                "subprocess.run(x, shell=True)".to_owned()
            };
            src.push_str(&format!("def f{i}(x):\n    return {next}\n"));
        }
        src + "def main(event, context):\n    return f0(event['body'])\n"
    }

    #[test]
    fn javascript_call_chain_of_24_functions_reaches_its_sink() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "nodejs20.x");
        write(dir.path(), "handler.js", js_chain(24, 0).as_bytes());
        assert_injection_found(dir.path(), "handler.js");
        write(dir.path(), "handler.js", js_chain(200, 0).as_bytes());
        assert_injection_found(dir.path(), "handler.js");
    }

    #[test]
    fn javascript_call_chain_past_the_limit_names_function_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "nodejs20.x");
        write(dir.path(), "handler.js", js_chain(502, 0).as_bytes());
        assert_cut_reported(dir.path(), "f498", "limit of 500 nested calls");
        // Nesting around each call adds up over the chain: bounded by the stack's limit.
        write(dir.path(), "handler.js", js_chain(24, 480).as_bytes());
        assert_cut_reported(
            dir.path(),
            "f20",
            "limit of 10000 nested statements and expressions",
        );
    }

    fn js_requires(root: &Path, n: usize) {
        let mut src: String = (0..n).map(|i| format!("require('./m{i}');\n")).collect();
        src.push_str(
            "const v = require('./vuln');\nexports.main = async (event) => v.run(event.body);\n",
        );
        for i in 0..n {
            write(
                root,
                &format!("m{i}.js"),
                format!("exports.x = {i};\n").as_bytes(),
            );
        }
        write(
            root,
            "vuln.js",
            b"const { exec } = require('child_process');\nexports.run = (x) => exec(x);\n",
        );
        write(root, "handler.js", src.as_bytes());
    }

    #[test]
    fn javascript_399_requires_before_the_vulnerable_module() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "nodejs20.x");
        js_requires(dir.path(), 399);
        assert_injection_found(dir.path(), "vuln.js");
    }

    #[test]
    fn javascript_modules_past_the_limit_name_function_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "nodejs20.x");
        js_requires(dir.path(), 5_000);
        assert_cut_reported(dir.path(), "module handler.js", "limit of 5000 modules");
    }

    #[test]
    fn python_call_depth_11_reaches_its_sink() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "python3.12");
        write(dir.path(), "handler.py", py_chain(11, 0).as_bytes());
        assert_injection_found(dir.path(), "handler.py");
        write(dir.path(), "handler.py", py_chain(200, 0).as_bytes());
        assert_injection_found(dir.path(), "handler.py");
    }

    #[test]
    fn python_call_chain_past_the_limit_names_function_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "python3.12");
        write(dir.path(), "handler.py", py_chain(502, 0).as_bytes());
        assert_cut_reported(dir.path(), "`f498`", "limit of 500 nested calls");
        write(dir.path(), "handler.py", py_chain(24, 480).as_bytes());
        assert_cut_reported(
            dir.path(),
            "`f20`",
            "limit of 10000 nested statements and expressions",
        );
    }

    fn py_imports(root: &Path, n: usize) {
        let mut src: String = (0..n).map(|i| format!("import m{i}\n")).collect();
        src.push_str(
            "import vuln\ndef main(event, context):\n    return vuln.run(event['body'])\n",
        );
        for i in 0..n {
            write(root, &format!("m{i}.py"), format!("X = {i}\n").as_bytes());
        }
        write(
            root,
            "vuln.py",
            b"import subprocess\ndef run(x):\n    return subprocess.run(x, shell=True)\n",
        );
        write(root, "handler.py", src.as_bytes());
    }

    #[test]
    fn python_299_imports_before_the_vulnerable_module() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "python3.12");
        py_imports(dir.path(), 299);
        assert_injection_found(dir.path(), "vuln.py");
    }

    #[test]
    fn python_modules_past_the_limit_name_function_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "python3.12");
        py_imports(dir.path(), 5_000);
        assert_cut_reported(dir.path(), "<module>", "limit of 5000 modules");
    }

    #[test]
    fn python_198_nested_ifs_and_250_nested_str_reach_the_sink() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "python3.12");
        let mut src = String::from("import subprocess\ndef main(event, context):\n");
        for i in 0..198 {
            src.push_str(&format!("{}if event.get('k{i}'):\n", "    ".repeat(i + 1)));
        }
        src.push_str(&format!(
            "{}subprocess.run(event['body'], shell=True)\n",
            "    ".repeat(199)
        ));
        write(dir.path(), "handler.py", src.as_bytes());
        assert_injection_found(dir.path(), "handler.py");
        let src = format!(
            "import subprocess\ndef main(event, context):\n    subprocess.run({}event['body']{}, shell=True)\n",
            "str(".repeat(250),
            ")".repeat(250)
        );
        write(dir.path(), "handler.py", src.as_bytes());
        assert_injection_found(dir.path(), "handler.py");
    }

    // Item 14: secrets in files that cannot be read as text.

    const DB_URI: &[u8] = b"DB = 'postgres://app:Zq8vR2mLx9@db.internal/app'\n";

    fn secret_lines(report: &Value, path: &str) -> Vec<u64> {
        findings(report, "SEC006")
            .iter()
            .filter(|f| f["path"] == path)
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn secret_in_a_file_with_one_latin1_byte_is_found() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "config.py", &[b"# caf\xe9\n", DB_URI].concat());
        let (_, r) = scan(dir.path(), &["--no-code"]);
        assert_eq!(secret_lines(&r, "config.py"), [2], "{r:#}");
    }

    #[test]
    fn secret_in_a_file_with_a_nul_byte_is_found() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".env", &[b"A=\x00\x01\n", DB_URI].concat());
        let (_, r) = scan(dir.path(), &["--no-code"]);
        assert_eq!(secret_lines(&r, ".env"), [2], "{r:#}");
    }

    #[test]
    fn secret_in_a_file_over_2_mib_is_found_across_window_edges() {
        let dir = tempfile::tempdir().unwrap();
        // One secret far past 2 MiB, one straddling the first window's edge (4 MiB).
        let pad = b"# pad\n";
        let mut text = pad.repeat((3 << 20) / pad.len());
        text.extend_from_slice(DB_URI);
        let line_a = text.iter().filter(|&&b| b == b'\n').count() as u64;
        while text.len() < (4 << 20) - 20 {
            text.extend_from_slice(pad);
        }
        text.extend_from_slice(DB_URI);
        let line_b = text.iter().filter(|&&b| b == b'\n').count() as u64;
        text.extend_from_slice(&pad.repeat(1000));
        write(dir.path(), "data.py", &text);
        let (_, r) = scan(dir.path(), &["--no-code"]);
        assert_eq!(
            secret_lines(&r, "data.py"),
            [line_a, line_b],
            "{:#}",
            r["errors"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_that_cannot_be_read_is_an_error_entry_never_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a/.env", DB_URI);
        for name in ["serverless.yml", "template.yaml", ".env", "main.tf"] {
            let p = dir.path().join(name);
            assert!(
                Command::new("mkfifo").arg(&p).status().unwrap().success(),
                "mkfifo"
            );
        }
        let (code, r) = scan(dir.path(), &["--no-code"]);
        assert_eq!(code, 1);
        for name in ["serverless.yml", "template.yaml", ".env", "main.tf"] {
            let e = r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["path"] == name)
                .unwrap_or_else(|| panic!("no entry for {name}: {r:#}"));
            assert!(e["message"].as_str().unwrap().contains("FIFO"), "{e}");
        }
        assert_eq!(secret_lines(&r, "a/.env"), [1]);
    }

    // Item 15: configuration that switches the scanner off is visible.

    const IAM_APP: &str = "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: '*'\n          Resource: '*'\nfunctions:\n  f:\n    handler: handler.main\n";

    fn iam_app(root: &Path) {
        write(root, "serverless.yml", IAM_APP.as_bytes());
        write(root, "handler.js", b"exports.main = async () => 1;\n");
        std::fs::create_dir_all(root.join(".git")).unwrap();
    }

    #[test]
    fn unknown_selectors_are_an_error_in_config_and_on_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        iam_app(dir.path());
        let out = run(dir.path(), &["--select", "NOPE"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--select: unknown rule selector `NOPE`")
        );
        let out = run(dir.path(), &["--ignore", "IAM001,NOPE2"]);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        for (key, toml) in [
            ("select", "select = [\"NOPE\"]"),
            ("ignore", "ignore = [\"NOPE\"]"),
            ("severity", "[severity]\nNOPE = \"info\""),
            (
                "overrides.ignore",
                "[[overrides]]\nfiles = [\"x\"]\nignore = [\"NOPE\"]",
            ),
        ] {
            write(dir.path(), "perimeter.toml", toml.as_bytes());
            let out = run(dir.path(), &[]);
            assert_eq!(out.status.code(), Some(2), "{toml}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("perimeter.toml: `") && err.contains(key) && err.contains("`NOPE`"),
                "{err}"
            );
        }
    }

    #[test]
    fn configuration_that_switches_the_scanner_off_is_reported() {
        let cases: [(&str, &str, &str); 5] = [
            ("perimeter.toml", "exclude = [\"**\"]", "paths_excluded"),
            (
                "perimeter.toml",
                "ignore = [\"IAM\", \"OBS\", \"DOW\", \"RUN\", \"AUTH\", \"SEC\"]",
                "rules_deselected",
            ),
            (
                "perimeter.toml",
                "[severity]\nALL = \"info\"",
                "severities_lowered",
            ),
            (".gitignore", "*\n", "ignored_by_vcs_rules"),
            (".ignore", "*\n", "ignored_by_vcs_rules"),
        ];
        for (file, text, field) in cases {
            let dir = tempfile::tempdir().unwrap();
            iam_app(dir.path());
            write(dir.path(), file, text.as_bytes());
            let (_, r) = scan(dir.path(), &[]);
            let c = &r["configuration"];
            assert_eq!(c["files"], serde_json::json!([file]), "{c:#}");
            let v = &c[field];
            assert!(
                v.as_u64().is_some_and(|n| n > 0) || v.as_array().is_some_and(|a| !a.is_empty()),
                "{file}: {c:#}"
            );
            // Every format says so.
            let text_out = run(dir.path(), &["--no-cache"]);
            let text_out = String::from_utf8_lossy(&text_out.stdout);
            assert!(
                text_out.contains(&format!("configuration: {file}")),
                "{text_out}"
            );
            for format in ["sarif", "junit", "gitlab", "html"] {
                let out = run(dir.path(), &["--no-cache", "--format", format]);
                let out = String::from_utf8_lossy(&out.stdout);
                assert!(
                    out.contains(&format!("configuration: {file}")),
                    "{format}: {out}"
                );
            }
            // CI can refuse the repository's configuration.
            let (code, r) = scan(dir.path(), &["--no-repo-config"]);
            assert_eq!(code, 1, "{file}: {r:#}");
            assert!(!findings(&r, "IAM001").is_empty(), "{file}: {r:#}");
            assert_eq!(r["configuration"]["repo_config_ignored"], true);
            let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
                .args(["scan", "--format", "json", "--no-cache"])
                .arg(dir.path())
                .env("PERIMETER_NO_REPO_CONFIG", "1")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{file}");
        }
    }

    #[test]
    fn suppressions_and_baseline_are_counted_and_repo_suppressions_can_be_refused() {
        let dir = tempfile::tempdir().unwrap();
        iam_app(dir.path());
        let sls = IAM_APP.replace(
            "Action: '*'",
            "Action: '*' # perimeter: ignore[IAM001] -- break-glass",
        );
        write(dir.path(), "serverless.yml", sls.as_bytes());
        let (_, r) = scan(dir.path(), &[]);
        assert!(findings(&r, "IAM001").is_empty());
        assert_eq!(
            r["configuration"]["suppressed_inline"], 1,
            "{:#}",
            r["configuration"]
        );
        let (_, r) = scan(dir.path(), &["--no-repo-config"]);
        assert_eq!(findings(&r, "IAM001").len(), 1);
        let baseline = dir.path().join("b.json");
        let out = run(
            dir.path(),
            &[
                "--no-cache",
                "--no-repo-config",
                "--write-baseline",
                baseline.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let (_, r) = scan(
            dir.path(),
            &["--no-repo-config", "--baseline", baseline.to_str().unwrap()],
        );
        assert!(r["configuration"]["suppressed_baseline"].as_u64().unwrap() > 0);
    }

    #[test]
    fn terraform_folder_claiming_the_root_as_a_module_does_not_hide_it() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "main.tf",
            b"resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{}\"\n}\nresource \"aws_iam_role_policy\" \"p\" {\n  role = aws_iam_role.r.id\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\nresource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  role = aws_iam_role.r.arn\n  handler = \"index.handler\"\n  runtime = \"nodejs22.x\"\n  filename = \"x.zip\"\n}\nmodule \"evil\" {\n  source = \"./evil\"\n}\n",
        );
        write(
            dir.path(),
            "evil/main.tf",
            b"module \"root\" {\n  source = \"../\"\n}\n",
        );
        let (code, r) = scan(dir.path(), &[]);
        assert_eq!(code, 1);
        assert!(
            findings(&r, "IAM001")
                .iter()
                .any(|f| f["path"] == "main.tf"),
            "{r:#}"
        );
        let e = error_with(&r, "in a cycle");
        assert!(e["path"].as_str().unwrap().ends_with("main.tf"), "{e}");
    }

    // Item 17: smaller gates.

    #[test]
    fn suppression_marker_inside_a_string_does_not_suppress() {
        let dir = tempfile::tempdir().unwrap();
        serverless(dir.path(), "nodejs22.x");
        write(
            dir.path(),
            "handler.js",
            b"const { exec } = require('child_process');\nexports.main = async (e) => { const s = '// perimeter: ignore[INJ003] -- fake'; exec(e.body); };\n",
        );
        let (_, r) = scan(dir.path(), &["--allow-errors"]);
        assert_eq!(findings(&r, "INJ003").len(), 1, "{r:#}");
        // A real comment still works.
        write(
            dir.path(),
            "handler.js",
            b"const { exec } = require('child_process');\nexports.main = async (e) => { exec(e.body); }; // perimeter: ignore[INJ003] -- vetted\n",
        );
        let (_, r) = scan(dir.path(), &["--allow-errors"]);
        assert!(findings(&r, "INJ003").is_empty(), "{r:#}");
        // Python and YAML.
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            b"service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: '* # perimeter: ignore[IAM001] -- fake'\n          Resource: '*'\n        - Effect: Allow\n          Action: \"*\"\n          Resource: '*'\n          Sid: \"# perimeter: ignore[IAM001] -- fake\"\nfunctions:\n  f:\n    handler: handler.main\n    events:\n      - httpApi: 'GET /x'\n",
        );
        write(
            dir.path(),
            "handler.py",
            b"import subprocess\ndef main(event, context):\n    s = '# perimeter: ignore[INJ003] -- fake'; subprocess.run(event['body'], shell=True)\n",
        );
        let (_, r) = scan(dir.path(), &["--allow-errors"]);
        assert_eq!(findings(&r, "INJ003").len(), 1, "{r:#}");
        assert!(
            findings(&r, "IAM001").iter().any(|f| f["line"] == 12),
            "{r:#}"
        );
    }

    #[test]
    fn bidirectional_controls_are_escaped_in_text_output() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  f\u{202e}x\u{2066}:\n    handler: handler.main\n    events:\n      - httpApi: 'GET /a\u{202e}b'\n".as_bytes(),
        );
        let out = run(dir.path(), &["--no-cache", "--no-code"]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("\\u{202e}"), "{text}");
        assert!(
            !text.contains('\u{202e}') && !text.contains('\u{2066}'),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn walk_errors_name_a_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        iam_app(dir.path());
        write(dir.path(), "locked/serverless.yml", IAM_APP.as_bytes());
        let locked = dir.path().join("locked");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let readable = std::fs::read_dir(&locked).is_ok();
        let (_, r) = scan(dir.path(), &[]);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        for e in r["errors"].as_array().unwrap() {
            assert!(!e["path"].as_str().unwrap().is_empty(), "{e}");
        }
        // Root reads every folder: the walk has no error to name then.
        if !readable {
            assert_eq!(error_with(&r, "cannot walk")["path"], "locked");
        }
    }
}

// --- issue 14: leaks (items 1, 2, 3, 11, 12) ---
mod leaks {
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    const BIN: &str = env!("CARGO_BIN_EXE_perimeter");

    /// What a CI job's environment holds and must never be printed.
    const SECRET: &str = "leak-sentinel-7f3a9c";

    /// An application with a high finding (a wildcard role) and a handler with an injection.
    const APP: &str = "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: '*'\n          Resource: '*'\nfunctions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: 'GET /hello'\n";

    const HANDLER: &str =
        "exports.hello = async (e) => { require('child_process').exec(e.body); };\n";

    use super::write;

    fn run(args: &[&str], dir: &Path) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(dir)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("GITHUB_TOKEN", SECRET)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .env_remove("PERIMETER_CACHE_DIR")
            .output()
            .unwrap()
    }

    fn text(out: &Output) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// The commands that read a folder's configuration, each on `.`.
    const COMMANDS: &[&[&str]] = &[
        &["scan", "--no-cache", "--format", "json", "."],
        &["inventory", "--no-cache", "."],
        &["map", "--no-cache", "."],
        &["policy", "--no-cache", "."],
    ];

    /// Runs `perimeter lsp` on `root` through a whole session (initialize, open a file,
    /// shutdown, exit) and returns everything it wrote.
    fn lsp_session(root: &Path, open: &Path) -> String {
        let mut input = Vec::new();
        for m in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}}),
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": format!("file://{}", open.display()), "languageId": "yaml", "version": 1, "text": ""}}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
            json!({"jsonrpc": "2.0", "method": "exit"}),
        ] {
            let body = m.to_string();
            input.extend_from_slice(
                format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes(),
            );
        }
        lsp_raw(&input, &["lsp", "--no-cache"]).0
    }

    /// Feeds `input` to `perimeter lsp` and returns its output and exit code.
    fn lsp_raw(input: &[u8], args: &[&str]) -> (String, Option<i32>) {
        let mut child = Command::new(BIN)
            .args(args)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("GITHUB_TOKEN", SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = wait(child, Duration::from_secs(120));
        writer.join().unwrap();
        (text(&out), out.status.code())
    }

    /// Waits for a child at most `limit`, killing it past that (the test then fails on its
    /// exit status rather than hanging).
    fn wait(mut child: std::process::Child, limit: Duration) -> Output {
        let start = Instant::now();
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let out_thread = std::thread::spawn(move || {
            let mut b = Vec::new();
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_end(&mut b);
            }
            b
        });
        let err_thread = std::thread::spawn(move || {
            let mut b = Vec::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut b);
            }
            b
        });
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Output {
            status,
            stdout: out_thread.join().unwrap(),
            stderr: err_thread.join().unwrap(),
        }
    }

    /// A repository with an application, a `.git` (where the configuration search stops) and
    /// a file outside it holding the secret.
    fn repo_and_outside() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("repo");
        write(&root, "serverless.yml", APP);
        write(&root, "handler.js", HANDLER);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let outside = base.join("outside");
        write(
            &outside,
            "environ",
            &format!("select = [\"AWS_SECRET_ACCESS_KEY={SECRET}\"\nGITHUB_TOKEN={SECRET}\n"),
        );
        (dir, root, outside)
    }

    #[cfg(unix)]
    #[test]
    fn a_configuration_link_is_not_read_by_any_command() {
        let (_dir, root, outside) = repo_and_outside();
        // The attack's form: the CI process's own environment.
        for target in [PathBuf::from("/proc/self/environ"), outside.join("environ")] {
            let _ = std::fs::remove_file(root.join("perimeter.toml"));
            std::os::unix::fs::symlink(&target, root.join("perimeter.toml")).unwrap();
            for args in COMMANDS {
                let out = run(args, &root);
                let all = text(&out);
                assert!(!all.contains(SECRET), "{args:?} printed the secret: {all}");
                assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
                assert!(
                    all.contains("symbolic link not followed"),
                    "{args:?}: {all}"
                );
            }
            // Given on the command line, inside the tree: refused the same way.
            let out = run(
                &["scan", "--no-cache", "--config", "perimeter.toml", "."],
                &root,
            );
            let all = text(&out);
            assert!(!all.contains(SECRET), "{all}");
            assert_eq!(out.status.code(), Some(2), "{all}");
            let out = lsp_session(&root, &root.join("serverless.yml"));
            assert!(
                !out.contains(SECRET),
                "the language server printed the secret: {out}"
            );
            assert!(out.contains("symbolic link not followed"), "{out}");
        }
        // A folder on the way to the configuration given on the command line.
        std::fs::remove_file(root.join("perimeter.toml")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("conf")).unwrap();
        let out = run(
            &["scan", "--no-cache", "--config", "conf/environ", "."],
            &root,
        );
        let all = text(&out);
        assert!(!all.contains(SECRET), "{all}");
        assert_eq!(out.status.code(), Some(2), "{all}");
    }

    #[cfg(unix)]
    #[test]
    fn no_repository_file_is_read_through_a_link() {
        let (_dir, root, outside) = repo_and_outside();
        let secret_yml = format!("value: {SECRET}\n");
        write(&outside, "vars.yml", &secret_yml);
        write(
            &outside,
            "handler.js",
            &format!("exports.x = () => '{SECRET}';\nconst k = 'AKIA{SECRET}';\n"),
        );
        write(
            &outside,
            "package-lock.json",
            &format!("{{\"name\": \"{SECRET}\", \"lockfileVersion\": 3, \"packages\": {{}}}}"),
        );
        write(
            &outside,
            "main.tf",
            &format!(
                "locals {{ x = \"{SECRET}\" }}\nresource \"aws_lambda_function\" \"f\" {{ function_name = local.x }}\n"
            ),
        );
        // A descriptor variable, a handler, a lockfile, a Terraform file and a whole
        // descriptor, each a link out of the tree.
        write(
            &root,
            "app/serverless.yml",
            &APP.replace("service: shop", "service: ${file(./vars.yml):value}")
                .replace("handler.hello", "linked.hello"),
        );
        let link = |target: &str, at: &str| {
            std::os::unix::fs::symlink(outside.join(target), root.join(at)).unwrap();
        };
        link("vars.yml", "app/vars.yml");
        link("handler.js", "app/linked.js");
        link("package-lock.json", "app/package-lock.json");
        link("main.tf", "main.tf");
        link("vars.yml", "template.yaml");
        std::os::unix::fs::symlink(&outside, root.join("linked-dir")).unwrap();
        for args in COMMANDS {
            let out = run(args, &root);
            let all = text(&out);
            assert!(!all.contains(SECRET), "{args:?} read through a link: {all}");
            assert_ne!(out.status.code(), Some(2), "{args:?}: {all}");
        }
        let out = run(&["scan", "--no-cache", "--format", "json", "."], &root);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = report["errors"].to_string();
        for at in [
            "app/vars.yml",
            "app/linked.js",
            "app/package-lock.json",
            "main.tf",
        ] {
            assert!(errors.contains(at), "{at} not reported: {errors}");
        }
        let out = lsp_session(&root, &root.join("app/serverless.yml"));
        assert!(!out.contains(SECRET), "{out}");
    }

    #[cfg(unix)]
    #[test]
    fn ignore_files_are_not_read_through_a_link_or_a_fifo() {
        let (_dir, root, _outside) = repo_and_outside();
        // The walker read ignore files itself: a link to /dev/zero never ended, a FIFO
        // blocked.
        std::os::unix::fs::symlink("/dev/zero", root.join(".gitignore")).unwrap();
        write(&root, "sub/serverless.yml", APP);
        let fifo = Command::new("mkfifo")
            .arg(root.join("sub/.ignore"))
            .status();
        assert!(fifo.is_ok_and(|s| s.success()));
        for args in COMMANDS {
            let child = Command::new(BIN)
                .args(*args)
                .current_dir(&root)
                .env("PERIMETER_NO_RESULT_CACHE", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let out = wait(child, Duration::from_secs(60));
            let all = text(&out);
            assert!(out.status.code().is_some(), "{args:?} did not end: {all}");
            assert_ne!(out.status.code(), Some(2), "{args:?}: {all}");
        }
        let out = run(&["scan", "--no-cache", "--format", "json", "."], &root);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = report["errors"].to_string();
        assert!(
            errors.contains("its .gitignore is a symbolic link"),
            "{errors}"
        );
        assert!(
            errors.contains("folder not scanned: its .ignore"),
            "{errors}"
        );
        // The root's application is still scanned.
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == "serverless.yml"),
            "{report:#}"
        );
    }

    #[test]
    fn parser_errors_quote_only_a_short_escaped_excerpt() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        write(&root, "serverless.yml", APP);
        write(&root, "handler.js", HANDLER);
        // Each parser quotes what it could not read: a long line, a secret at its end, and a
        // right-to-left override that would reorder the terminal's text.
        let long = format!("{}\u{202e}{SECRET}", "x".repeat(4000));
        write(
            &root,
            "broken/serverless.yml",
            &format!("service: [\n  {long}: {{\n"),
        );
        write(
            &root,
            "broken/template.json",
            &format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{ {long} }}"),
        );
        write(
            &root,
            "tf/main.tf",
            &format!("resource \"aws_lambda_function\" \"f\" {{\n  x = {long} {{\n"),
        );
        write(
            &root,
            "npm/package.json",
            "{\"name\": \"x\", \"dependencies\": {}}",
        );
        write(
            &root,
            "npm/package-lock.json",
            &format!("{{\"lockfileVersion\": 3, \"packages\": {{\"\": {{ {long} }}}}"),
        );
        write(&root, "py/requirements.txt", "x==1\n");
        write(
            &root,
            "py/poetry.lock",
            &format!("[[package]]\nname = {long}\n"),
        );
        for args in COMMANDS {
            let out = run(args, &root);
            let all = text(&out);
            assert!(!all.contains(SECRET), "{args:?}: {all}");
            assert!(
                !all.contains('\u{202e}'),
                "{args:?} printed a bidi override"
            );
        }
        let out = run(&["scan", "--no-cache", "--format", "json", "."], &root);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = report["errors"].as_array().unwrap();
        assert!(errors.len() >= 3, "{report:#}");
        for e in errors {
            let m = e["message"].as_str().unwrap();
            assert!(m.chars().count() <= 301, "{m}");
        }
        // The configuration's own parser error: where, and a short message.
        write(&root, "perimeter.toml", &format!("select = [\n{long}\n"));
        for args in COMMANDS {
            let out = run(args, &root);
            let all = text(&out);
            assert_eq!(out.status.code(), Some(2), "{all}");
            assert!(!all.contains(SECRET), "{args:?}: {all}");
            assert!(!all.contains('\u{202e}'), "{args:?}: {all}");
            assert!(all.contains("line 2"), "{all}");
            assert!(all.len() < 600, "{all}");
        }
        let out = lsp_session(&root, &root.join("serverless.yml"));
        assert!(!out.contains(SECRET) && !out.contains('\u{202e}'), "{out}");
    }

    // Item 2: `--diff` runs nothing the repository configures.

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    }

    /// A committed application, then a `.git/config`, attributes and hooks that would each
    /// create `marker` if git (or anything) ran them.
    pub(super) fn hostile_git_repo(root: &Path, marker: &Path) {
        write(root, "serverless.yml", APP);
        write(root, "handler.js", &GIT_HANDLER.replace("NEW\n", ""));
        write(
            root,
            ".gitattributes",
            "* filter=evil diff=evil merge=evil\n",
        );
        write(
            root,
            "sub/handler.py",
            "def f(event, context):\n    return 1\n",
        );
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        let m = marker.display();
        let touch = format!("sh -c 'echo ran >> {m}'");
        let mut config = std::fs::read_to_string(root.join(".git/config")).unwrap();
        config.push_str(&format!(
            "[core]\n\tfsmonitor = {touch}\n\thooksPath = .git/hooks\n\tpager = {touch}\n\tsshCommand = {touch}\n\
             [filter \"evil\"]\n\tclean = {touch}\n\tsmudge = {touch}\n\tprocess = {touch}\n\trequired = true\n\
             [diff \"evil\"]\n\ttextconv = {touch}\n\tcommand = {touch}\n\
             [merge \"evil\"]\n\tdriver = {touch}\n\
             [uploadpack]\n\tpackObjectsHook = {touch}\n\
             [credential]\n\thelper = !{touch}\n\
             [include]\n\tpath = {}\n",
            root.join("included.cfg").display()
        ));
        std::fs::write(root.join(".git/config"), config).unwrap();
        write(
            root,
            "included.cfg",
            &format!("[core]\n\tfsmonitor = {touch}\n"),
        );
        for hook in [
            "post-checkout",
            "pre-commit",
            "post-index-change",
            "reference-transaction",
            "fsmonitor-watchman",
            "pre-auto-gc",
        ] {
            let p = root.join(".git/hooks").join(hook);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("#!/bin/sh\necho ran >> {m}\n")).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }

    /// A handler with a flaw in the base revision, and a second one (`NEW`) added since.
    const GIT_HANDLER: &str = "const cp = require('child_process');\nexports.hello = async (e) => {\n  cp.exec(e.body);\nNEW\n};\n";

    fn has_git() -> bool {
        Command::new("git").arg("--version").output().is_ok()
    }

    #[test]
    fn diff_runs_no_program_the_repository_configures() {
        if !has_git() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let marker = dir.path().join("MARKER");
        hostile_git_repo(&root, &marker);
        // A new flaw since the base revision.
        write(
            &root,
            "handler.js",
            &GIT_HANDLER.replace("NEW", "  cp.execSync(e.rawPath);"),
        );
        for rev in ["HEAD", "main", "HEAD~0"] {
            let out = run(
                &["scan", "--no-cache", "--format", "json", "--diff", rev, "."],
                &root,
            );
            assert!(
                !marker.exists(),
                "--diff {rev} ran a program the repository configured"
            );
            let all = text(&out);
            assert_eq!(out.status.code(), Some(1), "{all}");
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            let findings = report["findings"].as_array().unwrap();
            // The wildcard role and the first injection were there before; the new one is shown.
            assert!(findings.iter().all(|f| f["rule"] != "IAM001"), "{report:#}");
            assert!(
                findings.iter().any(|f| f["path"] == "handler.js"),
                "{report:#}"
            );
            assert!(
                report["warnings"].to_string().contains("already present"),
                "{report:#}"
            );
        }
        // A subfolder, and a revision that does not exist.
        let out = run(
            &[
                "scan",
                "--no-cache",
                "--format",
                "json",
                "--diff",
                "HEAD",
                "sub",
            ],
            &root,
        );
        assert!(!marker.exists());
        assert_ne!(out.status.code(), Some(2), "{}", text(&out));
        let out = run(&["scan", "--no-cache", "--diff", "nope", "."], &root);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).contains("unknown revision"), "{}", text(&out));
        assert!(!marker.exists());
    }

    // Item 3: the result cache is authenticated.

    /// A scan with the result cache on: stdout, whether the report was reused, exit code.
    fn cached_scan(root: &Path, cache: &Path) -> (Vec<u8>, bool, Option<i32>, String) {
        let out = Command::new(BIN)
            .args(["scan", "--format", "json", "--cache-dir"])
            .arg(cache)
            .arg(root)
            .env("PERIMETER_CACHE_STATS", "1")
            .env_remove("PERIMETER_CACHE_DIR")
            .env_remove("PERIMETER_NO_RESULT_CACHE")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let reused = stderr.contains("perimeter: cache: report reused");
        (out.stdout, reused, out.status.code(), stderr)
    }

    fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == ext) {
                    out.push(p);
                }
            }
        }
        out
    }

    fn cached_tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        write(&root, "serverless.yml", APP);
        write(&root, "handler.js", HANDLER);
        let cache = dir.path().join("cache");
        // Out of the window in which a scan does not keep what it saw.
        std::thread::sleep(Duration::from_millis(2_200));
        (dir, root, cache)
    }

    #[test]
    fn a_forged_or_tampered_cache_entry_is_not_used() {
        let (_dir, root, cache) = cached_tree();
        let (cold, reused, code, _) = cached_scan(&root, &cache);
        assert!(!reused);
        assert_eq!(code, Some(1));
        let (_, reused, _, _) = cached_scan(&root, &cache);
        assert!(reused, "the entry was not kept");
        let jsons = files_with(&cache, "json");
        assert_eq!(jsons.len(), 1);
        let json = &jsons[0];
        let out = json.with_extension("out");
        let original = (std::fs::read(json).unwrap(), std::fs::read(&out).unwrap());
        let restore = || {
            std::fs::write(json, &original.0).unwrap();
            std::fs::write(&out, &original.1).unwrap();
        };
        // A tampered exit code: the stamps kept, the exit code made 0.
        let stored = String::from_utf8(original.0.clone()).unwrap();
        assert!(stored.contains("\"exit\":1"), "{stored}");
        std::fs::write(json, stored.replace("\"exit\":1", "\"exit\":0")).unwrap();
        let (report, reused, code, _) = cached_scan(&root, &cache);
        assert!(!reused, "a tampered exit code was used");
        assert_eq!(code, Some(1));
        assert_eq!(report, cold);
        // A forged report of the same length, with a clean exit.
        restore();
        let text = String::from_utf8(original.1.clone()).unwrap();
        let clean = "{\"findings\":[]}";
        let forged = format!("{clean}{}", " ".repeat(text.len() - clean.len()));
        std::fs::write(&out, &forged).unwrap();
        std::fs::write(json, stored.replace("\"exit\":1", "\"exit\":0")).unwrap();
        let (report, reused, code, _) = cached_scan(&root, &cache);
        assert!(!reused, "a forged report was used");
        assert_eq!(code, Some(1));
        assert_eq!(report, cold);
        // An entry in the old, unauthenticated layout (no MAC line).
        restore();
        let body = stored
            .split_once('\n')
            .unwrap()
            .1
            .replace("\"exit\":1", "\"exit\":0");
        std::fs::write(json, body).unwrap();
        let (_, reused, code, _) = cached_scan(&root, &cache);
        assert!(!reused);
        assert_eq!(code, Some(1));
        // The genuine entry is used again.
        restore();
        let (_, reused, _, _) = cached_scan(&root, &cache);
        assert!(reused, "the genuine entry is used again");
        // A code summary line without its MAC (as anyone could write one) is not reused.
        let packs = files_with(&cache, "jsonl");
        assert_eq!(packs.len(), 1);
        let pack = std::fs::read_to_string(&packs[0]).unwrap();
        let unsigned: String = pack
            .lines()
            .map(|l| format!("{}\n", l.split_once(' ').unwrap().1))
            .collect();
        std::fs::write(&packs[0], unsigned).unwrap();
        let out = Command::new(BIN)
            .args(["scan", "--format", "json", "--cache-dir"])
            .arg(&cache)
            .arg(&root)
            .env("PERIMETER_CACHE_STATS", "1")
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(" 0 function summaries reused"), "{stderr}");
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_folder_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, root, cache) = cached_tree();
        std::fs::create_dir_all(&cache).unwrap();
        for mode in [0o777, 0o775, 0o757] {
            std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(mode)).unwrap();
            for _ in 0..2 {
                let (report, reused, code, stderr) = cached_scan(&root, &cache);
                assert!(!reused);
                assert_eq!(code, Some(1));
                assert_eq!(
                    stderr.matches("is not used").count(),
                    1,
                    "warned not exactly once: {stderr}"
                );
                assert!(stderr.contains("other users"), "{stderr}");
                let report: Value = serde_json::from_slice(&report).unwrap();
                assert!(
                    report["warnings"].to_string().contains("is not used"),
                    "{report:#}"
                );
            }
            assert!(
                std::fs::read_dir(&cache).unwrap().next().is_none(),
                "something was written into a folder others can write"
            );
        }
        // A key others can read is not the user's alone.
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o700)).unwrap();
        cached_scan(&root, &cache);
        let key = cache.join("key");
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, reused, _, stderr) = cached_scan(&root, &cache);
        assert!(!reused);
        assert!(stderr.contains("is not used"), "{stderr}");
    }

    // Item 11: `db import` follows no link and leaves no lock that outlives it.

    const RECORD: &str = r#"{"id": "GHSA-test-0001", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "leftpad"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}"#;

    #[cfg(unix)]
    #[test]
    fn db_import_follows_no_link_and_ends() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("osv");
        write(&src, "a/GHSA-test-0001.json", RECORD);
        std::os::unix::fs::symlink("..", src.join("a/up")).unwrap();
        std::os::unix::fs::symlink(".", src.join("a/self")).unwrap();
        std::os::unix::fs::symlink("/", src.join("root")).unwrap();
        let db = dir.path().join("db");
        let child = Command::new(BIN)
            .args(["db", "import"])
            .arg(&src)
            .arg("--db")
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait(child, Duration::from_secs(60));
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        assert!(all.contains("imported 1 records"), "{all}");
        assert_eq!(
            all.matches("symbolic link not followed").count(),
            3,
            "{all}"
        );
        assert!(!db.join("import.lock").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_left_by_a_killed_import_does_not_block_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("GHSA-test-0001.json");
        std::fs::write(&src, RECORD).unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir_all(&db).unwrap();
        let import = || {
            Command::new(BIN)
                .args(["db", "import"])
                .arg(&src)
                .arg("--db")
                .arg(&db)
                .output()
                .unwrap()
        };
        // The file an import killed before this change left behind.
        std::fs::write(db.join("import.lock"), "").unwrap();
        let out = import();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        // A live import holds the lock (flock(2), as the import takes it); killed, it holds
        // nothing.
        if Command::new("flock").arg("--version").output().is_err() {
            return;
        }
        // `-o`: the lock is held by flock itself, not by the command it runs.
        let mut holder = Command::new("flock")
            .arg("-o")
            .arg(db.join("import.lock"))
            .args(["sleep", "60"])
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !db.join("import.lock").exists() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "flock did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let blocked = loop {
            let out = import();
            if out.status.code() == Some(2) {
                break text(&out);
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the lock was never taken"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(blocked.contains("another import"), "{blocked}");
        holder.kill().unwrap();
        holder.wait().unwrap();
        let out = import();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }

    // Item 12: the language server survives malformed messages.

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut m = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        m.extend_from_slice(body);
        m
    }

    /// The messages in a server's output, in order.
    fn messages(out: &str) -> Vec<Value> {
        let mut v = Vec::new();
        let mut rest = out;
        while let Some(i) = rest.find("Content-Length: ") {
            let after = &rest[i + 16..];
            let end = after.find("\r\n").unwrap();
            let len: usize = after[..end].parse().unwrap();
            let body = &after[end + 4..end + 4 + len];
            v.push(serde_json::from_str(body).unwrap());
            rest = &after[end + 4 + len..];
        }
        v
    }

    #[test]
    fn lsp_answers_malformed_messages_and_keeps_serving() {
        let mut input = Vec::new();
        input.extend(frame(b"{not json"));
        input.extend(frame(b"[1, 2, 3]"));
        input.extend(frame(b"{\"jsonrpc\": \"2.0\", \"id\": 7}"));
        input.extend(frame(b"{\"jsonrpc\": \"2.0\", \"id\": 8, \"method\": 5}"));
        input.extend(b"Content-Type: nothing else\r\n\r\n");
        input.extend(b"Content-Length: lots\r\n\r\n");
        // A header line of 1 MiB: consumed, not kept.
        input.extend(b"X-Padding: ");
        input.extend(std::iter::repeat_n(b'a', 1 << 20));
        input.extend(b"\r\nContent-Length: 2\r\n\r\n{}");
        // A body over the limit: skipped.
        let big = 65 << 20;
        input.extend(format!("Content-Length: {big}\r\n\r\n").as_bytes());
        input.extend(std::iter::repeat_n(b' ', big));
        for m in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
            json!({"jsonrpc": "2.0", "method": "exit"}),
        ] {
            input.extend(frame(m.to_string().as_bytes()));
        }
        let (out, code) = lsp_raw(&input, &["lsp", "--no-cache"]);
        let msgs = messages(&out);
        let codes: Vec<i64> = msgs
            .iter()
            .filter_map(|m| m["error"]["code"].as_i64())
            .collect();
        assert_eq!(
            codes,
            [
                -32700, -32600, -32600, -32600, -32600, -32600, -32600, -32600
            ],
            "{msgs:#?}"
        );
        assert_eq!(msgs[2]["id"], 7);
        assert_eq!(msgs[3]["id"], 8);
        assert!(
            msgs[6]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("header line"),
            "{msgs:#?}"
        );
        assert!(
            msgs[7]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("limit"),
            "{msgs:#?}"
        );
        assert_eq!(msgs[8]["id"], 1);
        assert_eq!(msgs[8]["result"]["serverInfo"]["name"], "perimeter");
        assert_eq!(msgs[9]["id"], 2);
        assert_eq!(code, Some(0), "{out}");
    }
}

// --- issue 14: bounds (items 4-10) ---
// Crashes (stack overflows), exponential resolution, unbounded values and quadratic costs:
// each hostile input is generated here, scaled so the old code clearly blew up (minutes,
// gigabytes, an abort) while the fixed code finishes in well under a second in release.

mod bounds {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    /// Scans `root` and returns the report; panics (with stderr) if the process did not
    /// exit with a code, i.e. it was killed by a signal (a stack overflow aborts).
    fn scan(root: &Path, code: bool) -> Value {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_perimeter"));
        cmd.args(["scan", "--format", "json", "--no-cache"]);
        if !code {
            cmd.arg("--no-code");
        }
        let out = cmd.arg(root).output().unwrap();
        assert!(
            out.status.code().is_some(),
            "the scan crashed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// The messages of the error entries of a file.
    fn errors_of(report: &Value, path: &str) -> Vec<String> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["path"] == path)
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect()
    }

    fn assert_error(report: &Value, path: &str, needle: &str) {
        let errors = errors_of(report, path);
        assert!(
            errors.iter().any(|m| m.contains(needle)),
            "no error containing {needle:?} for {path}: {errors:#?}"
        );
    }

    const SLS_HEAD: &str = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n";

    #[test]
    fn condition_that_uses_itself_is_an_error_entry_not_a_stack_overflow() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "cfn/template.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nConditions:\n  C: !Equals [x, !If [C, a, b]]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [C, a, b]\n",
        );
        write(
            dir.path(),
            "sls/serverless.yml",
            &format!(
                "{SLS_HEAD}functions:\n  f:\n    handler: app.handler\nresources:\n  Conditions:\n    C: !Equals [x, !If [C, a, b]]\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n      Properties:\n        BucketName: !If [C, a, b]\n"
            ),
        );
        let report = scan(dir.path(), false);
        assert_error(
            &report,
            "cfn/template.yaml",
            "condition `C` depends on itself",
        );
        assert_error(
            &report,
            "sls/serverless.yml",
            "condition `C` depends on itself",
        );
    }

    #[test]
    fn javascript_handler_with_5000_else_if_is_scanned_without_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let mut js = String::from(
            "exports.handler = async (event) => {\n  const x = event.k;\n  if (x === 0) { return 0; }\n",
        );
        for i in 1..5000 {
            js.push_str(&format!("  else if (x === {i}) {{ return {i}; }}\n"));
        }
        js.push_str("  return -1;\n};\n");
        write(dir.path(), "handler.js", &js);
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  f:\n    handler: handler.handler\n",
        );
        let report = scan(dir.path(), true);
        assert_eq!(report["summary"]["functions"], 1, "{report:#}");
    }

    #[test]
    fn chalice_long_sum_and_azure_not_chain_are_error_entries_not_stack_overflows() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "chalice/.chalice/config.json",
            r#"{"version": "2.0", "app_name": "x", "stages": {"dev": {}}}"#,
        );
        let sum = vec!["1"; 160_000].join("+");
        write(
            dir.path(),
            "chalice/app.py",
            &format!(
                "from chalice import Chalice\napp = Chalice(app_name='x')\nX = {sum}\n@app.route('/')\ndef index():\n    return {{}}\n"
            ),
        );
        write(dir.path(), "azure/host.json", r#"{"version": "2.0"}"#);
        write(
            dir.path(),
            "azure/function_app.py",
            &format!(
                "import azure.functions as func\napp = func.FunctionApp()\nX = {}1\n@app.route(route='x')\ndef f(req):\n    return 1\n",
                "not ".repeat(200_000)
            ),
        );
        let report = scan(dir.path(), false);
        assert_error(&report, "chalice/app.py", "nesting limit");
        assert_error(&report, "azure/function_app.py", "nesting limit");
    }

    #[test]
    fn serverless_fallbacks_that_double_per_level_are_resolved_once_each() {
        // 30 levels: 2^30 resolutions without memoisation (about 26 minutes in release).
        let dir = tempfile::tempdir().unwrap();
        let mut custom = String::from("custom:\n  a0: ${ssm:/x}\n");
        for i in 1..=30 {
            let p = i - 1;
            custom.push_str(&format!(
                "  a{i}: ${{self:custom.a{p}, self:custom.a{p}}}\n"
            ));
        }
        write(
            dir.path(),
            "serverless.yml",
            &format!(
                "{SLS_HEAD}{custom}functions:\n  f:\n    handler: app.handler\n    environment:\n      X: ${{self:custom.a30}}\n"
            ),
        );
        let report = scan(dir.path(), false);
        assert_eq!(report["summary"]["functions"], 1, "{report:#}");
    }

    #[test]
    fn doubling_through_serverless_variables_is_bounded_with_an_error_entry() {
        let dir = tempfile::tempdir().unwrap();
        // 40 levels of '${a}${a}': 8 TiB of text unbounded.
        let mut custom = String::from("custom:\n  a0: xxxxxxxx\n");
        for i in 1..=40 {
            let p = i - 1;
            custom.push_str(&format!(
                "  a{i}: '${{self:custom.a{p}}}${{self:custom.a{p}}}'\n"
            ));
        }
        write(
            dir.path(),
            "strings/serverless.yml",
            &format!(
                "{SLS_HEAD}{custom}functions:\n  f:\n    handler: app.handler\n    environment:\n      X: ${{self:custom.a40}}\n"
            ),
        );
        // Lists that double: the copies are charged to the budget.
        let mut custom = String::from("custom:\n  l0: [x]\n");
        for i in 1..=40 {
            let p = i - 1;
            custom.push_str(&format!(
                "  l{i}: ['${{self:custom.l{p}}}', '${{self:custom.l{p}}}']\n"
            ));
        }
        write(
            dir.path(),
            "lists/serverless.yml",
            &format!("{SLS_HEAD}{custom}functions:\n  f:\n    handler: app.handler\n"),
        );
        // A file that includes itself twice.
        write(
            dir.path(),
            "file/serverless.yml",
            &format!(
                "{SLS_HEAD}custom:\n  a: ${{file(./inc.yml)}}\nfunctions:\n  f:\n    handler: app.handler\n"
            ),
        );
        write(
            dir.path(),
            "file/inc.yml",
            "x: ${file(./inc.yml)}\ny: ${file(./inc.yml)}\n",
        );
        let report = scan(dir.path(), false);
        assert_error(&report, "strings/serverless.yml", "1048576 bytes (limit)");
        assert_error(&report, "lists/serverless.yml", "(limit)");
        assert_error(&report, "file/inc.yml", "includes itself");
    }

    const TF_FUNCTION: &str = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  role = \"r\"\n  handler = \"a.h\"\n  runtime = \"python3.12\"\n  environment {\n    variables = { X = VALUE }\n  }\n}\n";

    #[test]
    fn doubling_terraform_locals_are_bounded_with_an_error_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut strings = String::from("locals {\n  a0 = \"xxxxxxxx\"\n");
        let mut lists = String::from("locals {\n  l0 = [\"x\"]\n");
        for i in 1..=40 {
            let p = i - 1;
            strings.push_str(&format!("  a{i} = \"${{local.a{p}}}${{local.a{p}}}\"\n"));
            lists.push_str(&format!("  l{i} = concat(local.l{p}, local.l{p})\n"));
        }
        strings.push_str("}\n");
        lists.push_str("}\n");
        strings.push_str(&TF_FUNCTION.replace("VALUE", "local.a40"));
        lists.push_str(&TF_FUNCTION.replace("VALUE", "join(\",\", local.l40)"));
        write(dir.path(), "strings/main.tf", &strings);
        write(dir.path(), "lists/main.tf", &lists);
        let report = scan(dir.path(), false);
        assert_error(&report, "strings/main.tf", "(limit)");
        assert_error(&report, "lists/main.tf", "(limit)");
    }

    #[test]
    fn cloudformation_sub_with_200000_references_is_bounded_with_an_error_entry() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.yaml",
            &format!(
                "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  P:\n    Type: String\n    Default: {}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '{}'\n",
                "x".repeat(1000),
                "${P}".repeat(200_000)
            ),
        );
        let report = scan(dir.path(), false);
        assert_error(&report, "template.yaml", "`Fn::Sub` resolves to more than");
    }

    #[test]
    fn terraform_module_fan_out_is_bounded_with_an_error_entry() {
        // 8 levels of modules each calling 6 copies of the next: 335,923 instances unbounded.
        let dir = tempfile::tempdir().unwrap();
        let mut path = String::new();
        for level in 0..8 {
            let mut tf = String::new();
            if level < 7 {
                for j in 0..6 {
                    tf.push_str(&format!(
                        "module \"c{j}\" {{\n  source = \"./m{}\"\n  name = \"${{var.name}}-{j}\"\n}}\n",
                        level + 1
                    ));
                }
            }
            tf.push_str("variable \"name\" {\n  default = \"x\"\n}\n");
            write(dir.path(), &format!("{path}main.tf"), &tf);
            path.push_str(&format!("m{}/", level + 1));
        }
        let report = scan(dir.path(), false);
        let all: Vec<String> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect();
        assert!(
            all.iter()
                .any(|m| m.contains("1000 module instances (limit)")),
            "{all:#?}"
        );
    }

    #[test]
    fn lockfile_of_a_long_package_chain_is_read_in_linear_time() {
        // Each package was located by searching the whole text: quadratic in the packages.
        let dir = tempfile::tempdir().unwrap();
        let n = 60_000;
        let mut lock = String::from(
            r#"{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0","dependencies":{"p0":"1.0.0"}}"#,
        );
        for i in 0..n {
            lock.push_str(&format!(r#","node_modules/p{i}":{{"version":"1.0.0""#));
            if i + 1 < n {
                lock.push_str(&format!(r#","dependencies":{{"p{}":"1.0.0"}}"#, i + 1));
            }
            lock.push('}');
        }
        lock.push_str("}}");
        write(dir.path(), "package-lock.json", &lock);
        write(
            dir.path(),
            "package.json",
            r#"{"name":"x","version":"1.0.0","dependencies":{"p0":"1.0.0"}}"#,
        );
        let report = scan(dir.path(), false);
        assert!(
            errors_of(&report, "package-lock.json").is_empty(),
            "{report:#}"
        );
    }

    // Issue 14, item 10: functions chained through SQS (the graph's propagation and the rules
    // stage), and --max-memory in the graph stage.

    /// A Serverless application of `n` functions: `f0` (an HTTP endpoint) sends the request
    /// body to queue `Q1`, function `i` is triggered by queue `Qi` and sends each record's
    /// body to `Q{i+1}`, and the last one runs it as a shell command.
    fn sqs_chain(root: &Path, n: usize, python: bool) {
        let runtime = if python { "python3.12" } else { "nodejs22.x" };
        let mut sls =
            format!("service: chain\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n");
        let mut queues = String::from("resources:\n  Resources:\n");
        for i in 0..n {
            sls.push_str(&format!(
                "  f{i}:\n    handler: h{i}.handler\n    events:\n"
            ));
            if i == 0 {
                sls.push_str("      - httpApi: POST /in\n");
            } else {
                sls.push_str(&format!("      - sqs:\n          arn: !GetAtt Q{i}.Arn\n"));
                queues.push_str(&format!("    Q{i}:\n      Type: AWS::SQS::Queue\n"));
            }
            if i + 1 < n {
                sls.push_str(&format!("    environment:\n      NEXT: !Ref Q{}\n", i + 1));
            }
            let (file, code) = match (python, i) {
                (false, 0) => (
                    "js",
                    "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nexports.handler = async (event) => {\n  await new SQSClient().send(new SendMessageCommand({QueueUrl: process.env.NEXT, MessageBody: event.body}));\n};\n",
                ),
                (false, i) if i + 1 == n => (
                    "js",
                    "const { exec } = require('child_process');\nexports.handler = async (event) => {\n  for (const record of event.Records) {\n    exec(record.body);\n  }\n};\n",
                ),
                (false, _) => (
                    "js",
                    "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nexports.handler = async (event) => {\n  for (const record of event.Records) {\n    await new SQSClient().send(new SendMessageCommand({QueueUrl: process.env.NEXT, MessageBody: record.body}));\n  }\n};\n",
                ),
                (true, 0) => (
                    "py",
                    "import os\nimport boto3\n\nsqs = boto3.client('sqs')\n\ndef handler(event, context):\n    sqs.send_message(QueueUrl=os.environ['NEXT'], MessageBody=event['body'])\n",
                ),
                (true, i) if i + 1 == n => (
                    "py",
                    "import subprocess\n\ndef handler(event, context):\n    for record in event['Records']:\n        subprocess.run(record['body'], shell=True)\n",
                ),
                (true, _) => (
                    "py",
                    "import os\nimport boto3\n\nsqs = boto3.client('sqs')\n\ndef handler(event, context):\n    for record in event['Records']:\n        sqs.send_message(QueueUrl=os.environ['NEXT'], MessageBody=record['body'])\n",
                ),
            };
            write(root, &format!("h{i}.{file}"), code);
        }
        sls.push_str(&queues);
        write(root, "serverless.yml", &sls);
    }

    /// The injection finding at the end of the chain: it names `f0` and traces every hop.
    fn assert_chain_finding(report: &Value, n: usize, ext: &str) {
        let last = format!("h{}.{ext}", n - 1);
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == last.as_str() && f["rule"] == "INJ003")
            .collect();
        assert_eq!(found.len(), 1, "{:#}", report["summary"]);
        let f = found[0];
        assert!(
            f["message"].as_str().unwrap().contains("sends to `f0`"),
            "{f:#}"
        );
        let trace = f["trace"].as_array().unwrap();
        for i in [0, n / 2, n - 1] {
            let name = format!("f{i}");
            assert!(
                trace.iter().any(|t| t["function"] == name.as_str()),
                "no step in {name}"
            );
        }
    }

    #[test]
    fn sqs_chain_of_javascript_functions_is_linked_to_its_end_in_linear_passes() {
        let dir = tempfile::tempdir().unwrap();
        let n = 400;
        sqs_chain(dir.path(), n, false);
        let started = std::time::Instant::now();
        let report = scan(dir.path(), true);
        assert_chain_finding(&report, n, "js");
        assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    }

    #[test]
    fn sqs_chain_of_python_functions_is_linked_to_its_end_in_linear_passes() {
        let dir = tempfile::tempdir().unwrap();
        let n = 400;
        sqs_chain(dir.path(), n, true);
        let report = scan(dir.path(), true);
        assert_chain_finding(&report, n, "py");
    }

    #[test]
    fn template_of_3000_functions_with_permissions_is_searched_for_suppressions_once() {
        // Each of the 12,000 findings searched the whole template for a suppression comment.
        let dir = tempfile::tempdir().unwrap();
        let mut t = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
        for i in 0..3000 {
            t.push_str(&format!(
                "  F{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        ZipFile: 'def handler(e, c): pass'\n  P{i}:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref F{i}\n      Principal: s3.amazonaws.com\n"
            ));
        }
        write(dir.path(), "template.yaml", &t);
        let started = std::time::Instant::now();
        let report = scan(dir.path(), false);
        assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
        let auth006 = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH006")
            .count();
        assert_eq!(auth006, 1000, "{:#}", report["summary"]);
    }

    #[test]
    fn max_memory_holds_in_the_graph_stage_with_an_error_entry() {
        // Without code analysis, the graph stage is the first to meet the limit (the model of
        // 300 functions holds more than 1 MiB).
        let dir = tempfile::tempdir().unwrap();
        sqs_chain(dir.path(), 300, false);
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--no-code"])
            .args(["--max-memory", "1"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.code().is_some(), "the scan crashed");
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_error(&report, "serverless.yml", "over the memory limit of 1 MiB");
        assert_error(&report, "serverless.yml", "were not run to the end");
    }
}
// --- end issue 14: bounds ---

// --- issue 15: Zappa Django stages, Chalice app objects, debug switches (helper misc) ---
mod python_apps {
    use std::path::PathBuf;
    use std::process::Command;

    use serde_json::Value;

    /// A project of `perimeter_model`'s loader fixtures, scanned as a repository.
    fn scan(project: &str) -> Value {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../perimeter_model/resources/test")
            .join(project);
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--allow-errors"])
            .arg(&root)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// `(path, line, function)` of each finding of a rule.
    fn found(report: &Value, rule: &str) -> Vec<(String, u64, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                    f["function"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn django_debug_of_a_deployed_stage_is_a_verbose_error_once_per_line() {
        let r = scan("zappa/django");
        assert_eq!(r["summary"]["functions"], 5, "{:#}", r["summary"]);
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        // dev sets it; qa takes it from dev (`from .dev import *`): one finding, at dev.py.
        // prod reads it from the environment and local.py is no stage's settings: none.
        assert_eq!(
            found(&r, "ERR001"),
            [("site/settings/dev.py".to_owned(), 5, "dev".to_owned())]
        );
        let message = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "ERR001")
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("`dev` and 1 other"), "{message}");
    }

    #[test]
    fn django_secret_key_literal_is_a_hardcoded_secret() {
        let r = scan("zappa/django");
        let secrets = found(&r, "SEC006");
        assert!(
            secrets
                .iter()
                .any(|(p, l, _)| p == "site/settings/dev.py" && *l == 3),
            "{secrets:?}"
        );
        // `SECRET_KEY = os.environ["SECRET_KEY"]` is read at run time.
        assert!(
            !secrets.iter().any(|(p, _, _)| p == "site/settings/prod.py"),
            "{secrets:?}"
        );
    }

    #[test]
    fn chalice_subclass_app_star_imported_is_analysed_with_its_debug_switch() {
        let r = scan("chalice/custom");
        assert_eq!(r["summary"]["functions"], 9, "{:#}", r["summary"]);
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        let debug = found(&r, "ERR001");
        assert_eq!(debug.len(), 1, "{debug:?}");
        assert_eq!(
            (debug[0].0.as_str(), debug[0].1),
            ("chalicelib/main.py", 24)
        );
        // The routes registered by calls are routes: the one without an authorizer is open.
        let open = found(&r, "AUTH001");
        assert!(
            open.iter()
                .any(|(p, l, f)| p == "chalicelib/main.py" && *l == 42 && f == "health"),
            "{open:?}"
        );
    }

    #[test]
    fn chalice_lookalike_class_is_no_app_and_no_finding() {
        let r = scan("chalice/lookalike");
        assert_eq!(r["summary"]["functions"], 0, "{:#}", r["summary"]);
        assert!(found(&r, "ERR001").is_empty());
        let errors = r["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["message"].as_str().unwrap().starts_with("no Chalice app")),
            "{errors:#?}"
        );
    }
}
// --- end issue 15: python apps ---

// --- issue 15 item 3: Terraform intake (module paths, 0.11 syntax, templated archives,
// REST API methods linked by reference) ---
mod terraform_intake {
    use std::path::PathBuf;
    use std::process::Command;

    use serde_json::Value;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../perimeter_model/tests/fixtures/terraform")
            .join(name)
    }

    fn scan(name: &str) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--no-repo-config"])
            .arg(fixture(name))
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// `(rule, path, line)` of every finding of the given rules.
    fn found(report: &Value, rules: &[&str]) -> Vec<(String, String, u64)> {
        let mut v: Vec<(String, String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    }

    fn f(rule: &str, path: &str, line: u64) -> (String, String, u64) {
        (rule.to_owned(), path.to_owned(), line)
    }

    #[test]
    fn terraform_child_module_handlers_under_src_are_analysed() {
        let r = scan("modapp");
        assert_eq!(r["summary"]["functions"], 5, "{:#}", r["summary"]);
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        assert_eq!(
            found(&r, &["INJ003"]),
            [f("INJ003", "src/orders/app.py", 6)]
        );
    }

    #[test]
    fn terraform_templatefile_archive_findings_point_into_the_template() {
        let r = scan("tpl");
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        assert_eq!(
            found(&r, &["INJ003"]),
            [
                f("INJ003", "modules/fn/copied.js", 3),
                f("INJ003", "modules/fn/handler.py.tpl", 7)
            ]
        );
    }

    #[test]
    fn terraform_0_11_file_is_read_and_its_open_method_reported() {
        let r = scan("legacy");
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        assert_eq!(
            found(&r, &["INJ003", "AUTH001"]),
            [
                f("AUTH001", "modules/api_gw.tf", 5),
                f("INJ003", "code/convert.py", 5)
            ]
        );
    }

    #[test]
    fn terraform_rest_api_authorization_comes_from_the_linked_method() {
        let r = scan("rest");
        assert_eq!(found(&r, &["AUTH001"]), [f("AUTH001", "main.tf", 18)]);
    }
}
// --- end issue 15 item 3: Terraform intake ---

// --- issue 15: serverless.ts, serverless.js and serverless.json read statically (item 2) ---
mod serverless_script {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    fn scan(root: &Path) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--allow-errors"])
            .arg(root)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// The aws-nodejs-typescript layout: functions imported through a tsconfig alias, handler
    /// paths from `handlerPath(__dirname)`.
    fn typescript_app(root: &Path) {
        write(
            root,
            "serverless.ts",
            "import type { AWS } from '@serverless/typescript';\nimport run from '@functions/run';\n\nconst serverlessConfiguration: AWS = {\n  service: 'runner',\n  provider: { name: 'aws', runtime: 'nodejs20.x' },\n  functions: { run },\n};\n\nmodule.exports = serverlessConfiguration;\n",
        );
        write(
            root,
            "tsconfig.json",
            "{\n  \"compilerOptions\": {\n    \"baseUrl\": \".\",\n    \"paths\": { \"@functions/*\": [\"src/functions/*\"], \"@libs/*\": [\"src/libs/*\"] }\n  }\n}\n",
        );
        write(
            root,
            "src/libs/handler-resolver.ts",
            "export const handlerPath = (context: string) =>\n  `${context.split(process.cwd())[1].substring(1).replace(/\\\\/g, '/')}`;\n",
        );
        write(
            root,
            "src/functions/run/index.ts",
            "import { handlerPath } from '@libs/handler-resolver';\n\nexport default {\n  handler: `${handlerPath(__dirname)}/handler.main`,\n  events: [{ http: { method: 'post', path: 'run' } }],\n};\n",
        );
        write(
            root,
            "src/functions/run/handler.ts",
            "import { exec } from 'child_process';\n\nexport const main = async (event: { body: string }) => {\n  exec(event.body);\n  return { statusCode: 200 };\n};\n",
        );
    }

    #[test]
    fn flaw_in_a_handler_of_a_serverless_ts_app_is_found() {
        let dir = tempfile::tempdir().unwrap();
        typescript_app(dir.path());
        let r = scan(dir.path());
        assert_eq!(r["summary"]["functions"], 1, "{r:#}");
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
        let inj = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "INJ003")
            .unwrap_or_else(|| panic!("no injection: {r:#}"));
        assert_eq!(inj["path"], "src/functions/run/handler.ts");
        assert_eq!(inj["line"], 4);
        assert_eq!(inj["function"], "run");
        // The route is declared in the function's module: findings about it land there.
        let route = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "AUTH001")
            .unwrap_or_else(|| panic!("no route finding: {r:#}"));
        assert_eq!(route["path"], "src/functions/run/index.ts");
        assert_eq!(route["line"], 5);
    }

    #[test]
    fn serverless_ts_beside_a_serverless_yml_is_not_read_twice() {
        let dir = tempfile::tempdir().unwrap();
        typescript_app(dir.path());
        write(
            dir.path(),
            "serverless.yml",
            "service: runner\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  run:\n    handler: src/functions/run/handler.main\n",
        );
        let r = scan(dir.path());
        assert_eq!(r["summary"]["apps"], 1, "{r:#}");
        assert_eq!(r["summary"]["functions"], 1, "{r:#}");
        assert!(
            r["warnings"].as_array().unwrap().iter().any(|w| w
                .as_str()
                .unwrap()
                .contains("serverless.ts: not read, the framework uses serverless.yml")),
            "{:#}",
            r["warnings"]
        );
        assert!(
            r["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            r["errors"]
        );
    }
}
// --- end issue 15: serverless.ts, serverless.js and serverless.json ---

// --- issue 16: authentication as the application does it (item 2), SSRF only when the
// attacker chooses where the request goes (item 3) ---
mod auth_and_ssrf {
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    /// Scans an application made of `files` and returns its findings.
    fn scan(files: &[(&str, &str)]) -> Vec<Value> {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--no-cache", "--format", "json", "."])
            .current_dir(dir.path())
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["findings"].as_array().unwrap().clone()
    }

    /// The AUTH001 findings: (severity, message).
    fn auth(findings: &[Value]) -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The SSRF findings' lines.
    fn ssrf(findings: &[Value]) -> Vec<u64> {
        findings
            .iter()
            .filter(|f| f["kind"] == "ssrf")
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    }

    fn serverless(runtime: &str, handler: &str) -> String {
        format!(
            "service: t\nprovider:\n  name: aws\n  runtime: {runtime}\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ['dynamodb:PutItem']\n          Resource: '*'\nfunctions:\n  api:\n    handler: {handler}\n    events:\n      - httpApi: 'POST /items'\n"
        )
    }

    fn js_app(code: &str) -> Vec<Value> {
        scan(&[
            ("serverless.yml", &serverless("nodejs20.x", "handler.main")),
            ("handler.js", code),
        ])
    }

    fn py_app(code: &str) -> Vec<Value> {
        scan(&[
            ("serverless.yml", &serverless("python3.12", "handler.main")),
            ("handler.py", code),
        ])
    }

    const JS_STATELESS: &str = "exports.main = async (event) => {\n  const q = event.queryStringParameters || {};\n  return { statusCode: 200, body: JSON.stringify({ sum: Number(q.a) + Number(q.b) }) };\n};\n";
    const PY_STATELESS: &str = "import json\n\ndef main(event, context):\n    q = event.get('queryStringParameters') or {}\n    return {'statusCode': 200, 'body': json.dumps({'sum': int(q['a']) + int(q['b'])})}\n";
    const JS_WRITES: &str = "const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');\nconst db = new DynamoDBClient({});\nexports.main = async (event) => {\n  await db.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: event.body } } }));\n  return { statusCode: 201 };\n};\n";
    const PY_WRITES: &str = "import os\nimport boto3\n\ntable = boto3.resource('dynamodb').Table(os.environ['TABLE'])\nclient = boto3.client('dynamodb')\n\ndef main(event, context):\n    client.put_item(TableName=os.environ['TABLE'], Item={'id': {'S': event['body']}})\n    return {'statusCode': 201}\n";

    #[test]
    fn unauthenticated_stateless_route_is_low() {
        for findings in [js_app(JS_STATELESS), py_app(PY_STATELESS)] {
            let a = auth(&findings);
            assert_eq!(a.len(), 1, "{a:?}");
            assert_eq!(a[0].0, "low", "{a:?}");
            assert!(a[0].1.contains("reaches no data store"), "{a:?}");
        }
    }

    #[test]
    fn unauthenticated_route_that_writes_a_table_stays_high() {
        for findings in [js_app(JS_WRITES), py_app(PY_WRITES)] {
            let a = auth(&findings);
            assert_eq!(a.len(), 1, "{a:?}");
            assert_eq!(a[0].0, "high", "{a:?}");
            assert!(a[0].1.contains("dynamodb:PutItem"), "{a:?}");
        }
    }

    #[test]
    fn unauthenticated_route_that_reads_a_secret_stays_high() {
        let js = "exports.main = async (event) => {\n  const r = await fetch('https://api.example.com/v1/sms?key=' + process.env.SMS_API_KEY, { method: 'POST', body: event.body });\n  return { statusCode: 200 };\n};\n";
        let a = auth(&js_app(js));
        assert_eq!(a[0].0, "high", "{a:?}");
        assert!(a[0].1.contains("SMS_API_KEY"), "{a:?}");
    }

    #[test]
    fn signature_checked_in_code_before_any_effect_is_low() {
        let js = "const crypto = require('crypto');\nconst { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');\nconst db = new DynamoDBClient({});\nexports.main = async (event) => {\n  const sig = crypto.createHmac('sha256', process.env.HOOK_SECRET).update(event.body).digest('hex');\n  if (sig !== event.headers['x-signature']) {\n    return { statusCode: 401, body: 'bad signature' };\n  }\n  await db.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: event.body } } }));\n  return { statusCode: 201 };\n};\n";
        let py = "import hmac, hashlib, os\nimport boto3\n\nclient = boto3.client('dynamodb')\n\ndef main(event, context):\n    sig = hmac.new(os.environ['HOOK_SECRET'].encode(), event['body'].encode(), hashlib.sha256).hexdigest()\n    if not hmac.compare_digest(sig, event['headers'].get('x-signature', '')):\n        return {'statusCode': 403, 'body': 'bad signature'}\n    client.put_item(TableName=os.environ['TABLE'], Item={'id': {'S': event['body']}})\n    return {'statusCode': 201}\n";
        for findings in [js_app(js), py_app(py)] {
            let a = auth(&findings);
            assert_eq!(a.len(), 1, "{a:?}");
            assert_eq!(a[0].0, "low", "{a:?}");
            assert!(a[0].1.contains("denies the caller"), "{a:?}");
        }
    }

    #[test]
    fn check_after_the_write_does_not_protect_the_route() {
        let js = "const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');\nconst db = new DynamoDBClient({});\nexports.main = async (event) => {\n  await db.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: event.body } } }));\n  if (event.headers['x-token'] !== process.env.HOOK_SECRET) {\n    return { statusCode: 401 };\n  }\n  return { statusCode: 201 };\n};\n";
        let py = "import os\nimport boto3\n\nclient = boto3.client('dynamodb')\n\ndef main(event, context):\n    client.put_item(TableName=os.environ['TABLE'], Item={'id': {'S': event['body']}})\n    if event['headers'].get('x-token') != os.environ['HOOK_SECRET']:\n        return {'statusCode': 401}\n    return {'statusCode': 201}\n";
        for findings in [js_app(js), py_app(py)] {
            let a = auth(&findings);
            assert_eq!(a[0].0, "high", "{a:?}");
        }
    }

    #[test]
    fn local_development_descriptor_is_reported_as_such() {
        let local = "service: t\nplugins:\n  - serverless-offline\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  stage: local\nfunctions:\n  api:\n    handler: handler.main\n    events:\n      - httpApi: 'POST /items'\n";
        let a = auth(&scan(&[
            ("serverless.yml", local),
            ("handler.js", JS_WRITES),
        ]));
        assert_eq!(a[0].0, "low", "{a:?}");
        assert!(a[0].1.contains("local development only"), "{a:?}");
        // The same plugin in a descriptor deployed to a real stage is a public API.
        let deployed = local.replace("stage: local", "stage: prod");
        let a = auth(&scan(&[
            ("serverless.yml", &deployed),
            ("handler.js", JS_WRITES),
        ]));
        assert_eq!(a[0].0, "high", "{a:?}");
    }

    #[test]
    fn ssrf_fires_only_when_the_attacker_chooses_the_origin_js() {
        let js = "\
exports.main = async (event) => {
  const id = event.queryStringParameters.id;
  const url = event.queryStringParameters.url;
  await fetch('https://api.example.com/items/' + id);
  await fetch(`${process.env.BASE_URL}/items/${id}?full=1`);
  await fetch(process.env.BASE_URL + '/items/' + id);
  await fetch(new URL('/items/' + id, 'https://api.example.com'));
  await fetch('https://api.example.com?q=' + id);
  await fetch(url);
  await fetch('https://' + id + '/items');
  await fetch(process.env.BASE_URL + id);
  await fetch(new URL(url, 'https://api.example.com'));
  await fetch(url + '?format=json');
  return { statusCode: 200 };
};
";
        let f = js_app(js);
        assert_eq!(ssrf(&f), vec![9, 10, 11, 12, 13], "{f:#?}");
    }

    #[test]
    fn ssrf_fires_only_when_the_attacker_chooses_the_origin_python() {
        let py = "\
import os
import requests
from urllib.parse import urljoin

BASE = os.environ['BASE_URL']

def main(event, context):
    q = event['queryStringParameters']
    requests.get(BASE + f\"/product/{q['id']}\")
    requests.get('https://api.example.com/items/%s' % q['id'])
    requests.get('https://api.example.com/items/{}'.format(q['id']))
    requests.get(urljoin('https://api.example.com', '/items/' + q['id']))
    requests.get(q['url'])
    requests.get(f\"https://{q['host']}/items\")
    requests.get(BASE + q['id'])
    requests.get(urljoin('https://api.example.com/', q['url']))
    return {'statusCode': 200}
";
        let f = py_app(py);
        assert_eq!(ssrf(&f), vec![13, 14, 15, 16], "{f:#?}");
    }
}
// --- end issue 16: auth_and_ssrf ---

// --- issue 15: discovery (items 5, 6, 7) ---
mod discovery {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run};

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn scan(dir: &Path) -> Value {
        json(&run(dir, &["scan", ".", "--format", "json", "--no-cache"]))
    }

    fn inventory(dir: &Path) -> Value {
        json(&run(dir, &["inventory", "."]))
    }

    /// `(app id, framework, function id, handler, handler's line)` of every function.
    fn functions(inv: &Value) -> Vec<(String, String, String, String, u64)> {
        let mut out = Vec::new();
        for a in inv["apps"].as_array().unwrap() {
            for f in a["functions"].as_array().unwrap() {
                out.push((
                    a["id"].as_str().unwrap().to_owned(),
                    a["framework"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                    f["handler"]["value"].as_str().unwrap_or("").to_owned(),
                    f["handler"]["line"].as_u64().unwrap_or(0),
                ));
            }
        }
        out
    }

    fn warnings(report: &Value) -> Vec<String> {
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .filter(|w| !w.contains("advisory database"))
            .collect()
    }

    const FLASK_APP: &str = "from flask import Flask\napp = Flask(__name__)\n";

    const CHALICE_APP: &str = "\
from chalice import Chalice

app = Chalice(app_name='orders')


@app.route('/orders')
def list_orders():
    return []
";

    #[test]
    fn settings_json_with_a_missing_comma_or_comments_loads_with_a_warning_at_its_line() {
        let dir = tree(&[
            (
                "zappa_settings.json",
                "{\n  // production\n  \"prod\": {\n    \"app_function\": \"app.handler\"\n    \"s3_bucket\": \"b\",\n  }\n}\n",
            ),
            ("app.py", "def handler(event, context):\n    return event\n"),
            (
                "api/.chalice/config.json",
                "{\n  \"version\": \"2.0\",\n  \"app_name\": \"orders\"\n  \"stages\": {\"dev\": {}},\n}\n",
            ),
            ("api/app.py", CHALICE_APP),
        ]);
        let report = scan(dir.path());
        assert_eq!(report["summary"]["functions"], 2, "{report:#}");
        assert!(
            report["errors"].as_array().unwrap().is_empty(),
            "{report:#}"
        );
        let w = warnings(&report);
        assert!(
            w.iter()
                .any(|w| w.starts_with("zappa_settings.json:2: not strict JSON")
                    && w.contains("missing comma at line 5")
                    && w.contains("comment at line 2")
                    && w.contains("trailing comma at line 5")),
            "{w:#?}"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("api/.chalice/config.json:4: ")
                    && w.contains("missing comma at line 4")),
            "{w:#?}"
        );
        let f = functions(&inventory(dir.path()));
        assert!(
            f.iter()
                .any(|f| f.2 == "list_orders" && f.3 == "app.list_orders" && f.4 == 7)
        );
    }

    #[test]
    fn chalice_apps_load_from_a_sample_config_or_none_and_near_misses_do_not() {
        let dir = tree(&[
            // A sample committed in place of the configuration.
            (
                "sample/.chalice/config-sample.json",
                "{\"app_name\": \"orders\", \"stages\": {\"dev\": {\"environment_variables\": {\"TABLE\": \"t\"}}}}",
            ),
            ("sample/app.py", CHALICE_APP),
            // The configuration is not committed: only the policy file is.
            (
                "bare/.chalice/policy-dev.json",
                "{\"Version\": \"2012-10-17\", \"Statement\": []}",
            ),
            ("bare/app.py", CHALICE_APP),
            // Near misses: a `.chalice/` folder beside a Flask app, a Chalice app with no
            // `.chalice/` folder at all.
            ("flask/.chalice/policy-dev.json", "{}"),
            ("flask/app.py", FLASK_APP),
            ("loose/app.py", CHALICE_APP),
        ]);
        let f = functions(&inventory(dir.path()));
        assert_eq!(
            f,
            [
                (
                    "bare/.chalice".to_owned(),
                    "chalice".to_owned(),
                    "list_orders".to_owned(),
                    "app.list_orders".to_owned(),
                    7
                ),
                (
                    "sample/.chalice/config-sample.json".to_owned(),
                    "chalice".to_owned(),
                    "list_orders".to_owned(),
                    "app.list_orders".to_owned(),
                    7
                ),
            ]
        );
        let report = scan(dir.path());
        let w = warnings(&report);
        assert!(
            w.iter()
                .any(|w| w
                    .starts_with("sample/.chalice/config-sample.json: read as the configuration")),
            "{w:#?}"
        );
        assert!(
            w.iter().any(|w| w.starts_with(
                "bare/.chalice: the Chalice app of `bare/app.py` commits no `config.json`"
            )),
            "{w:#?}"
        );
        assert!(
            report["errors"].as_array().unwrap().is_empty(),
            "{report:#}"
        );
    }

    #[test]
    fn ignored_descriptors_in_the_tree_are_read_and_the_rest_is_counted_as_skipped() {
        let dir = tree(&[
            (
                ".gitignore",
                "serverless.yml\n.chalice/config.json\nbuild/\ncdk.out/\n",
            ),
            // A copy in build output stays out; a synthesised template is read.
            (
                "build/serverless.yml",
                "service: s\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: handler.hello\n",
            ),
            (
                "cdk.out/App.template.json",
                "{\"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Handler\": \"index.handler\", \"Runtime\": \"nodejs20.x\", \"Code\": {\"ZipFile\": \"exports.handler = async () => 1;\"}}}}}",
            ),
            ("cdk.out/manifest.json", "{}"),
            (
                "serverless.yml",
                "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  hello:\n    handler: handler.hello\n",
            ),
            (
                "handler.js",
                "exports.hello = async (event) => ({ statusCode: 200 });\n",
            ),
            (
                "build/handler.js",
                "exports.hello = async (event) => ({});\n",
            ),
            ("build/other.js", "x\n"),
            ("api/.gitignore", ".chalice/config.json\n"),
            ("api/.chalice/config.json", "{\"app_name\": \"orders\"}"),
            (
                "api/.chalice/config-sample.json",
                "{\"app_name\": \"orders\"}",
            ),
            ("api/app.py", CHALICE_APP),
        ]);
        let report = scan(dir.path());
        assert_eq!(report["summary"]["functions"], 3, "{report:#}");
        // `build/` (3 files) stays out and is counted; the descriptors are read.
        assert_eq!(
            report["configuration"]["ignored_by_vcs_rules"], 3,
            "{report:#}"
        );
        let f = functions(&inventory(dir.path()));
        let ids: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            ids,
            [
                "api/.chalice/config.json",
                "cdk.out/App.template.json",
                "serverless.yml"
            ],
            "{f:?}"
        );
    }

    #[test]
    fn handlers_by_convention_are_functions_of_unknown_trigger_found_at_their_line() {
        let dir = tree(&[
            (
                "resize/lambda_function.py",
                "import os\n\n\ndef lambda_handler(event, context):\n    os.system('convert ' + event['name'])\n",
            ),
            (
                "web/index.mjs",
                "import { exec } from 'child_process';\n\nexport const handler = async (event) => {\n  exec(event.queryStringParameters.cmd);\n  return { statusCode: 200 };\n};\n",
            ),
            // Near misses: tests, vendored code, templates, libraries, other file names.
            (
                "tests/lambda_function.py",
                "def lambda_handler(event, context):\n    pass\n",
            ),
            (
                "vendor/lib/index.js",
                "exports.handler = (event) => event;\n",
            ),
            (
                "{{cookiecutter.name}}/lambda_function.py",
                "def lambda_handler(event, context):\n    pass\n",
            ),
            (
                "lib/index.js",
                "module.exports = { format(v) { return v; } };\n",
            ),
            ("wrap/index.js", "exports.handler = serverless(app);\n"),
            (
                "src/handler.py",
                "def lambda_handler(event, context):\n    pass\n",
            ),
        ]);
        let f = functions(&inventory(dir.path()));
        assert_eq!(
            f,
            [
                (
                    "resize/lambda_function.py".to_owned(),
                    "convention".to_owned(),
                    "resize".to_owned(),
                    "lambda_function.lambda_handler".to_owned(),
                    4
                ),
                (
                    "web/index.mjs".to_owned(),
                    "convention".to_owned(),
                    "web".to_owned(),
                    "index.handler".to_owned(),
                    3
                ),
            ]
        );
        let report = scan(dir.path());
        let found: Vec<(&str, &str, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"].as_str().unwrap().starts_with("injection"))
            .map(|f| {
                (
                    f["path"].as_str().unwrap(),
                    f["severity"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        // The event is the caller's: medium, unless the code reads an HTTP request.
        assert!(
            found.contains(&("resize/lambda_function.py", "medium", 5)),
            "{report:#}"
        );
        assert!(
            found.contains(&("web/index.mjs", "critical", 4)),
            "{report:#}"
        );
        // Settings nobody can see are not judged (no timeout, tracing, log findings).
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| !f["rule"].as_str().unwrap().starts_with("OBS")
                    && !f["rule"].as_str().unwrap().starts_with("DOW")),
            "{report:#}"
        );
    }

    #[test]
    fn no_ignored_sample_or_convention_discovery_duplicates_a_declared_function() {
        let dir = tree(&[
            (".gitignore", ".chalice/config.json\n"),
            // SAM: a code folder whose handler follows the convention.
            (
                "sam/template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/fn\n      Handler: index.handler\n      Runtime: nodejs20.x\n  Zipped:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: build/zipped.zip\n      Handler: lambda_function.lambda_handler\n      Runtime: python3.12\n",
            ),
            (
                "sam/src/fn/index.js",
                "exports.handler = async (event) => event;\n",
            ),
            // Packaged from a zip: the same handler in the template's folder is its source.
            (
                "sam/zipped/lambda_function.py",
                "def lambda_handler(event, context):\n    return event\n",
            ),
            // Serverless packages its whole folder.
            (
                "svc/serverless.yml",
                "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  one:\n    handler: fns/lambda_function.lambda_handler\n",
            ),
            (
                "svc/fns/lambda_function.py",
                "def lambda_handler(event, context):\n    return event\n",
            ),
            (
                "svc/other/index.js",
                "exports.handler = async (event) => event;\n",
            ),
            // A service of another cloud is not read, and its code is still its own.
            (
                "gcp/serverless.yml",
                "service: g\nprovider:\n  name: google\nfunctions:\n  f:\n    handler: http\n",
            ),
            (
                "gcp/index.js",
                "exports.handler = (event, context) => {};\n",
            ),
            // Chalice: the real configuration is ignored, present, and a sample sits beside it.
            ("api/.chalice/config.json", "{\"app_name\": \"orders\"}"),
            (
                "api/.chalice/config-sample.json",
                "{\"app_name\": \"orders\"}",
            ),
            ("api/app.py", CHALICE_APP),
            (
                "api/lambda_function.py",
                "def lambda_handler(event, context):\n    return event\n",
            ),
            // Azure: functions of an app with its host.json are not read again without one.
            ("az/host.json", "{\"version\": \"2.0\"}"),
            (
                "az/Http/function.json",
                "{\"bindings\": [{\"type\": \"httpTrigger\", \"direction\": \"in\", \"name\": \"req\"}]}",
            ),
            (
                "az/Http/index.js",
                "module.exports = async function (context, req) {};\n",
            ),
        ]);
        let f = functions(&inventory(dir.path()));
        let mut seen: Vec<(&str, &str)> = f.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n, "{f:?}");
        assert!(f.iter().all(|f| f.1 != "convention"), "{f:?}");
        assert_eq!(
            seen,
            [
                ("api/.chalice/config.json", "list_orders"),
                ("az/host.json", "Http"),
                ("sam/template.yaml", "Fn"),
                ("sam/template.yaml", "Zipped"),
                ("svc/serverless.yml", "one"),
            ]
        );
    }

    #[test]
    fn formats_not_read_give_one_warning_each_and_never_fail_the_gate() {
        let dir = tree(&[
            ("infra/cdk.json", "{\"app\": \"npx ts-node bin/app.ts\"}"),
            (
                "infra/lib/stack.ts",
                "new lambda.Function(this, 'F', {});\n",
            ),
            ("sst.config.ts", "export default $config({});\n"),
            ("pulumi/Pulumi.yaml", "name: p\nruntime: nodejs\n"),
            ("web/amplify/backend/backend-config.json", "{}"),
            (
                "gcp/serverless.yml",
                "service: g\nprovider:\n  name: google\nfunctions:\n  f:\n    handler: http\n",
            ),
            (
                "az/serverless.yml",
                "service: a\nprovider:\n  name: azure\nfunctions:\n  f:\n    handler: src/f.main\n",
            ),
        ]);
        let out = run(dir.path(), &["scan", ".", "--format", "json", "--no-cache"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        assert!(
            report["errors"].as_array().unwrap().is_empty(),
            "{report:#}"
        );
        let w = warnings(&report);
        let starts = |p: &str| w.iter().filter(|w| w.starts_with(p)).count();
        assert_eq!(starts("infra/cdk.json: "), 1, "{w:#?}");
        assert!(
            w.iter().any(|w| w.contains("run `cdk synth` in `infra`")),
            "{w:#?}"
        );
        assert_eq!(starts("sst.config.ts: "), 1, "{w:#?}");
        assert_eq!(starts("pulumi/Pulumi.yaml: "), 1, "{w:#?}");
        assert_eq!(starts("web/amplify: "), 1, "{w:#?}");
        assert_eq!(starts("gcp/serverless.yml: provider `google`"), 1, "{w:#?}");
        assert_eq!(starts("az/serverless.yml: provider `azure`"), 1, "{w:#?}");
        assert_eq!(w.len(), 7, "{w:#?}");
    }
}
// --- end issue 15: discovery ---

// ---------------------------------------------------------------------------------------------
// Issue 15, item 1: YAML as the frameworks read it. A template that PyYAML (SAM) reads loads
// every function, through the scan.
// ---------------------------------------------------------------------------------------------
mod yaml_as_frameworks_read_it {
    use std::process::Command;

    use serde_json::Value;

    fn scan(root: &std::path::Path) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--no-code"])
            .arg(root)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// Constructs the YAML 1.2 parser refuses and PyYAML reads (a flow sequence closed at its
    /// key's column, a quoted scalar continued at column 0, a comment with no space after a
    /// quote, `-` as a flow item, inline code ending the file without a line break): the
    /// template loads with both functions and no error entry.
    #[test]
    fn sam_template_read_by_pyyaml_loads_every_function() {
        let dir = tempfile::tempdir().unwrap();
        let template = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: \"Orders API,\nwritten by hand\"\nResources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: \"python3.12\"# the runtime\n      Handler: \"app.handler\"# entry point\n      CodeUri: src/\n      FunctionName: !Join [-, [orders, !Ref AWS::StackName]]\n      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: [\n                \"s3:GetObject\"\n              ]\n              Resource: '*'\n  Inline:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: |\n        def handler(event, context):\n            return event";
        std::fs::write(dir.path().join("template.yaml"), template).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/app.py"),
            "def handler(event, context):\n    return {}\n",
        )
        .unwrap();
        let report = scan(dir.path());
        assert_eq!(report["summary"]["functions"], 2, "{report:#}");
        assert!(
            report["errors"].as_array().unwrap().is_empty(),
            "{:#}",
            report["errors"]
        );
    }
}

// --- issue 15 item 4 (and issue 18 item 1, CodeSource): code that ships in other forms ---
// Inline template code, committed `.zip` packages, zips built from a folder, vendored
// dependencies. Fixtures are written here, by us; packages are zipped at test time.
mod shipped_code {
    use std::io::Write;
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    /// Writes a zip of `(name, text, deflated)` entries.
    fn zip(root: &Path, rel: &str, entries: &[(&str, &str)]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut z = zip::ZipWriter::new(std::fs::File::create(p).unwrap());
        for (name, text) in entries {
            z.start_file(
                *name,
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }

    fn scan(root: &Path, extra: &[&str]) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .env_remove("PERIMETER_DB")
            .args(["scan", "--format", "json", "--no-cache"])
            .args(extra)
            .arg(root)
            .output()
            .unwrap();
        assert!(out.status.code().is_some(), "the scan crashed");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// `(rule, path, line)` of every finding of a rule family.
    fn found(report: &Value, prefix: &str) -> Vec<(String, String, u64)> {
        let mut out: Vec<(String, String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with(prefix))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }

    fn errors(report: &Value) -> Vec<(String, String)> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["path"].as_str().unwrap().to_owned(),
                    e["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    const INLINE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import subprocess

        def handler(event, context):
            cmd = event['queryStringParameters']['cmd']
            subprocess.run(cmd, shell=True)
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: !Sub |
          const cp = require('child_process');
          exports.handler = async (event) => {
            cp.exec(event.body);
            return `${!event.x} ${Table}`;
          };
  Unknown:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !Ref RuntimeParameter
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
          import os
          def handler(e, c):
              os.system(e['x'])
  Java:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: java21
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
          import os
          def handler(e, c):
              os.system(e['x'])
";

    #[test]
    fn inline_template_code_is_analysed_at_its_lines_in_the_template() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", INLINE);
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [
                ("INJ003".to_owned(), "template.yaml".to_owned(), 14),
                ("INJ003".to_owned(), "template.yaml".to_owned(), 25),
            ]
        );
        // An unknown runtime is said, not guessed; a runtime perimeter does not read is not
        // an error.
        let errs = errors(&r);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert_eq!(errs[0].0, "template.yaml");
        assert!(
            errs[0]
                .1
                .contains("inline code of `Unknown` was not analysed")
        );
    }

    #[test]
    fn inline_code_built_with_join_is_analysed_at_each_part() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.json",
            r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Code": {"ZipFile": {"Fn::Join": ["\n", [
          "import os",
          "def handler(event, context):",
          "    os.system(event['body'])"
        ]]}}
      }
    }
  }
}
"#,
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [("INJ003".to_owned(), "template.json".to_owned(), 13)]
        );
    }

    #[test]
    fn custom_resource_response_url_is_not_the_callers() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.yaml",
            "Resources:\n  Custom:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        ZipFile: |\n          import urllib.request\n          def handler(event, context):\n              req = urllib.request.Request(event['ResponseURL'], data=b'{}', method='PUT')\n              urllib.request.urlopen(req)\n",
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(found(&r, "INJ"), []);
        assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
    }

    #[test]
    fn inline_placeholder_for_another_module_is_said_not_analysed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.yaml",
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: scan.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        ZipFile: |\n          def handler(e, c):\n              return 1\n",
        );
        let r = scan(dir.path(), &[]);
        let errs = errors(&r);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert!(errs[0].1.contains("inline code of `Fn` is a placeholder"));
    }

    #[test]
    fn s3_package_is_linked_to_the_one_folder_of_its_name_holding_the_handler() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "deployment/main.template",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Parser:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: parse.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        S3Bucket: b\n        S3Key: '%VERSION%/log_parser.zip'\n  Other:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: missing.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        S3Bucket: b\n        S3Key: '%VERSION%/log_parser.zip'\n",
        );
        // The shared helper beside the function's folder is copied in by the build.
        write(
            dir.path(),
            "source/log_parser/parse.py",
            "from lib.run import run\ndef handler(event, context):\n    run(event['cmd'])\n",
        );
        write(
            dir.path(),
            "source/lib/run.py",
            "import os\ndef run(cmd):\n    os.system(cmd)\n",
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [("INJ003".to_owned(), "source/lib/run.py".to_owned(), 3)]
        );
        // No folder of that name holds `missing.py`: still said not analysed.
        let errs = errors(&r);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert!(errs[0].1.contains("the code of `Other` is deployed from"));
    }

    #[test]
    fn package_built_into_a_build_folder_is_linked_to_its_project() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "deploy/main.tf",
            "resource \"aws_lambda_function\" \"api\" {\n  function_name = \"api\"\n  filename      = \"../api/build/dist/lambda.zip\"\n  handler       = \"index.handler\"\n  runtime       = \"nodejs22.x\"\n  role          = \"arn:aws:iam::123456789012:role/r\"\n}\n",
        );
        write(
            dir.path(),
            "api/src/index.ts",
            "import { exec } from 'child_process';\nexport const handler = async (event: any) => {\n  exec(event.body);\n};\n",
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [("INJ003".to_owned(), "api/src/index.ts".to_owned(), 3)]
        );
        assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
    }

    const PACKAGED: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Packed:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: dist/package.zip
  Built:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src.zip
  Missing:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: gone.handler
      CodeUri: build/gone.zip
";

    #[test]
    fn committed_zip_is_read_in_memory_and_located_inside_the_package() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", PACKAGED);
        zip(
            dir.path(),
            "dist/package.zip",
            &[
                (
                    "index.js",
                    "const cp = require('child_process');\nconst util = require('./lib/util');\n\nexports.handler = async (event) => {\n  cp.exec(util.pick(event));\n};\n",
                ),
                ("lib/util.js", "exports.pick = (e) => e.body;\n"),
                (
                    "../../x.js",
                    "require('child_process').exec(process.argv[2]);\n",
                ),
            ],
        );
        // `src.zip` is built from `src/` (absent here, as a build step makes it).
        write(
            dir.path(),
            "src/app.py",
            "import os\ndef handler(event, context):\n    os.system(event['body'])\n",
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [
                (
                    "INJ003".to_owned(),
                    "dist/package.zip!/index.js".to_owned(),
                    5
                ),
                ("INJ003".to_owned(), "src/app.py".to_owned(), 3),
            ]
        );
        let errs = errors(&r);
        assert!(
            errs.iter().any(|(p, m)| p == "dist/package.zip"
                && m.contains("entry `../../x.js` was not read: its name leaves the package")),
            "{errs:#?}"
        );
        assert!(
            errs.iter().any(|(p, m)| p == "template.yaml"
                && m.contains("package `build/gone.zip`, which is not in the repository")),
            "{errs:#?}"
        );
        // Nothing was written outside the tree by reading the package.
        assert!(!dir.path().parent().unwrap().join("x.js").exists());
    }

    #[test]
    fn zip_bomb_is_an_error_entry_naming_the_package() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  f:\n    handler: index.handler\n    package:\n      artifact: bomb.zip\n",
        );
        let zeros = "0".repeat(32 << 20);
        zip(dir.path(), "bomb.zip", &[("index.js", &zeros)]);
        assert!(
            std::fs::metadata(dir.path().join("bomb.zip"))
                .unwrap()
                .len()
                < 1 << 20
        );
        let r = scan(dir.path(), &[]);
        let errs = errors(&r);
        assert!(
            errs.iter().any(|(p, m)| p == "bomb.zip"
                && m.contains("package of `f` was not analysed")
                && m.contains("zip bomb")),
            "{errs:#?}"
        );
    }

    const LODASH: &str = r#"{"id":"PERIMETER-TEST-1","modified":"2023-01-01T00:00:00Z",
 "summary":"test advisory for lodash",
 "affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}],
 "database_specific":{"severity":"HIGH"}}"#;
    const PYYAML: &str = r#"{"id":"PERIMETER-TEST-2","modified":"2023-01-01T00:00:00Z",
 "summary":"test advisory for pyyaml",
 "affected":[{"package":{"ecosystem":"PyPI","name":"pyyaml"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.4"}]}]}],
 "database_specific":{"severity":"CRITICAL"}}"#;

    #[test]
    fn vendored_packages_reach_the_dependency_check_at_their_manifest() {
        let work = tempfile::tempdir().unwrap();
        write(work.path(), "records/a.json", LODASH);
        write(work.path(), "records/b.json", PYYAML);
        let db = work.path().join("db");
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["db", "import"])
            .arg(work.path().join("records"))
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let app = work.path().join("app");
        write(
            &app,
            "template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Py:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: py/\n  Js:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      CodeUri: js/\n",
        );
        write(
            &app,
            "py/app.py",
            "import yaml\ndef handler(e, c):\n    return yaml.safe_load(e['body'])\n",
        );
        // `pip install -t py/`: the distribution's metadata ships with the function.
        write(
            &app,
            "py/PyYAML-5.3.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n",
        );
        write(
            &app,
            "js/index.js",
            "const _ = require('lodash');\nexports.handler = async (e) => _.get(e, 'x');\n",
        );
        write(
            &app,
            "js/node_modules/lodash/package.json",
            "{\n  \"name\": \"lodash\",\n  \"version\": \"4.17.4\"\n}\n",
        );
        // Near misses: a manifest inside a package, and a `package.json` that is not a root.
        write(
            &app,
            "js/node_modules/lodash/fp/package.json",
            "{\"name\":\"lodash\",\"version\":\"1.0.0\"}\n",
        );
        write(
            &app,
            "js/node_modules/other/package.json",
            "{\"type\":\"module\"}\n",
        );
        // A layer's installed Python packages.
        write(
            &app,
            "layer/python/lib/python3.12/site-packages/PyYAML-3.0.dist-info/METADATA",
            "Name: PyYAML\nVersion: 3.0\n",
        );
        let r = scan(&app, &["--db", db.to_str().unwrap()]);
        assert_eq!(
            found(&r, "DEP"),
            [
                (
                    "DEP001".to_owned(),
                    "js/node_modules/lodash/package.json".to_owned(),
                    2
                ),
                (
                    "DEP001".to_owned(),
                    "layer/python/lib/python3.12/site-packages/PyYAML-3.0.dist-info/METADATA"
                        .to_owned(),
                    1
                ),
                (
                    "DEP001".to_owned(),
                    "py/PyYAML-5.3.dist-info/METADATA".to_owned(),
                    2
                ),
            ]
        );
    }

    #[test]
    fn gitignored_node_modules_is_not_inventoried() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".gitignore", "node_modules/\n");
        write(
            dir.path(),
            "node_modules/lodash/package.json",
            "{\"name\":\"lodash\",\"version\":\"4.17.4\"}\n",
        );
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  f:\n    handler: index.handler\n",
        );
        write(dir.path(), "index.js", "exports.handler = async () => 1;\n");
        let walk = perimeter_model::discover::walk(dir.path());
        assert!(walk.vendored.is_empty(), "{:?}", walk.vendored);
        std::fs::remove_file(dir.path().join(".gitignore")).unwrap();
        let walk = perimeter_model::discover::walk(dir.path());
        assert_eq!(walk.vendored, ["node_modules"]);
    }

    /// A package built outside the repository (a gitignored `package.zip`) or code deployed
    /// over an inline placeholder: the handler's module in the repository is analysed; where
    /// the repository has no such module, the error entry stays.
    #[test]
    fn code_built_from_the_tree_is_analysed_when_its_package_is_not_committed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "tiler/serverless.yml",
            "service: tiler\nprovider:\n  name: aws\n  runtime: python3.12\npackage:\n  artifact: package.zip\nfunctions:\n  app:\n    handler: tiler/handlers/app.handler\n  gone:\n    handler: nowhere.handler\n",
        );
        write(
            dir.path(),
            "tiler/tiler/handlers/app.py",
            "import os\ndef handler(event, context):\n    os.system(event['body'])\n",
        );
        write(
            dir.path(),
            "deploy/template.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Scanner:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: scan.handler\n      Role: arn:aws:iam::123456789012:role/r\n      Code:\n        ZipFile: |\n          def handler(event, context):\n              return 'placeholder'\n",
        );
        write(
            dir.path(),
            "scan.py",
            "import subprocess\ndef handler(event, context):\n    subprocess.run(event['cmd'], shell=True)\n",
        );
        let r = scan(dir.path(), &[]);
        assert_eq!(
            found(&r, "INJ"),
            [
                ("INJ003".to_owned(), "scan.py".to_owned(), 3),
                (
                    "INJ003".to_owned(),
                    "tiler/tiler/handlers/app.py".to_owned(),
                    3
                ),
            ]
        );
        let errs = errors(&r);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert!(
            errs[0].1.contains("the code of `gone` is the package `tiler/package.zip`, which is not in the repository"),
            "{errs:#?}"
        );
    }
}

// --- issue 16: precision (items 1 secrets, 4 IAM conditions) ---
mod precision_secrets_iam {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    fn scan(root: &Path) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--format", "json", "--no-cache", "--allow-errors"])
            .arg(root)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    fn of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    }

    const SERVERLESS: &str = "service: s\nprovider:\n  name: aws\n  runtime: nodejs22.x\n  environment: ${file(./env.yml)}\nfunctions:\n  f:\n    handler: handler.main\n";

    #[test]
    fn a_secret_in_an_included_env_file_is_reported_once_under_sec001() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "serverless.yml", SERVERLESS);
        write(dir.path(), "env.yml", "DB_PASSWORD: Xk8vQ2mLp9zR4tWq\n");
        write(dir.path(), "handler.js", "exports.main = async () => 1;\n");
        let r = scan(dir.path());
        let sec001 = of(&r, "SEC001");
        assert_eq!(sec001.len(), 1, "{r:#}");
        assert!(
            sec001[0]["message"]
                .as_str()
                .unwrap()
                .contains("`DB_PASSWORD`")
        );
        assert!(of(&r, "SEC006").is_empty(), "{r:#}");
    }

    #[test]
    fn recorded_events_seeds_and_vendored_sdk_data_are_not_secrets() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            &SERVERLESS.replace("  environment: ${file(./env.yml)}\n", ""),
        );
        write(dir.path(), "handler.js", "exports.main = async () => 1;\n");
        // A captured API Gateway event with a (made-up) signed token and a request id.
        let jwt = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhYmMiLCJleHAiOjE1NjQ0MTExNDd9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
        write(
            dir.path(),
            "svc/test-events/share-event.json",
            &format!(
                "{{\"headers\": {{\"Authorization\": \"{jwt}\", \"Postman-Token\": \"7d3e9a21-4c5b-4f8e-a1d2-93b6c0e4f571\"}}}}\n"
            ),
        );
        // A seed user's bcrypt hash (made up).
        write(
            dir.path(),
            "database/seeds/users.json",
            "[{\"password\": \"$2a$08$hYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt.1fjORS/6ilI\"}]\n",
        );
        // Vendored botocore examples.
        write(
            dir.path(),
            "vendor/botocore/data/iam/2010-05-08/examples-1.json",
            "{\"SecretAccessKey\": \"q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1JdT5fGh0Xy2Ab9Cd\", \"password\": \"Wq9#rT2xLm4vBz\"}\n",
        );
        // The same token in application configuration is one.
        write(
            dir.path(),
            "config/app.json",
            &format!("{{\"serviceToken\": \"{jwt}\"}}\n"),
        );
        let r = scan(dir.path());
        let paths: Vec<&str> = of(&r, "SEC006")
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["config/app.json"], "{r:#}");
    }

    /// A role with one statement, used by two functions through a managed policy attached to
    /// two roles (the statement is reported once), and conditioned statements.
    const IAM_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref ApiRole, !Ref WorkerRole]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [iam:PassRole, states:CreateStateMachine]
            Resource: "*"
          - Effect: Allow
            Action: iam:PassRole
            Resource: "*"
            Condition: { StringLike: { iam:PassedToService: [dax.amazonaws.com, application-autoscaling.amazonaws.com] } }
          - Effect: Allow
            Action: [ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DetachNetworkInterface, ec2:DeleteNetworkInterface]
            Resource: "*"
  Api:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
      Role: !GetAtt ApiRole.Arn
      Code: { ZipFile: "exports.handler = async () => {}" }
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
      Role: !GetAtt WorkerRole.Arn
      Code: { ZipFile: "exports.handler = async () => {}" }
"#;

    #[test]
    fn pass_role_is_judged_with_its_condition_and_reported_once_per_statement() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", IAM_TEMPLATE);
        let r = scan(dir.path());
        let lines: Vec<u64> = of(&r, "IAM006")
            .iter()
            .map(|f| f["line"].as_u64().unwrap())
            .collect();
        // Only the unconditioned statement (line 22), once for both roles.
        assert_eq!(lines, [22], "{r:#}");
    }

    #[test]
    fn the_lambda_vpc_statement_is_not_over_broad() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", IAM_TEMPLATE);
        let r = scan(dir.path());
        let iam003: Vec<&str> = of(&r, "IAM003")
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(iam003.iter().all(|m| !m.contains("ec2:")), "{iam003:#?}");
        assert!(
            iam003.iter().any(|m| m.contains("iam:PassRole")),
            "{iam003:#?}"
        );
    }
}
// --- end issue 16: precision (items 1, 4) ---

// --- issue 16 item 6: behaviour the platform guarantees (lead) ---

mod platform_guarantees {
    use super::{json, run, write};

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OpenInbox:
    Type: AWS::SQS::Queue
  OpenInboxPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref OpenInbox]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt OpenInbox.Arn
  PartnerInbox:
    Type: AWS::SQS::Queue
  PartnerInboxPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref PartnerInbox]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { AWS: "*" }
            Action: sqs:SendMessage
            Resource: !GetAtt PartnerInbox.Arn
            Condition:
              ArnEquals: { "aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:partner" }
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Handler: ledger.handler
      Runtime: python3.12
      CodeUri: src
      Events:
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt OpenInbox.Arn } }
  Partner:
    Type: AWS::Serverless::Function
    Properties:
      Handler: ledger.handler
      Runtime: python3.12
      CodeUri: src
      Events:
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt PartnerInbox.Arn } }
"#;

    const LEDGER: &str = r#"import json
import os

import pymysql

db = pymysql.connect(host=os.environ.get("DB_HOST"))


def handler(event, context):
    for record in event["Records"]:
        entry = json.loads(record["body"])
        with db.cursor() as cur:
            cur.execute("INSERT INTO ledger VALUES ('%s')" % entry["memo"])
"#;

    /// A queue whose policy lets any principal send makes its consumer as exposed as an
    /// endpoint; one open only to a named source stays a producer's data.
    #[test]
    fn a_queue_anyone_may_write_to_makes_its_consumer_internet_facing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", TEMPLATE);
        write(dir.path(), "src/ledger.py", LEDGER);
        let r = json(&run(dir.path(), &["scan", ".", "--format", "json"]));
        let sql: Vec<(String, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "INJ001")
            .map(|f| {
                (
                    f["function"].as_str().unwrap_or_default().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            sql.contains(&("Open".to_owned(), "critical".to_owned()))
                || sql.contains(&("Open".to_owned(), "high".to_owned())),
            "{sql:?}"
        );
        assert!(
            sql.contains(&("Partner".to_owned(), "medium".to_owned())),
            "{sql:?}"
        );
    }
}
// --- end issue 16 item 6 ---

// ---------------------------------------------------------------------------------------------
// issue 15 (yamlvendor): sample descriptors, descriptors in folders of tests, serverless-lift
// constructs that deploy functions.
// ---------------------------------------------------------------------------------------------
mod samples_tests_and_lift {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run, write};

    fn inventory(dir: &Path) -> Value {
        json(&run(dir, &["inventory", "."]))
    }

    /// `(app id, function id)` of every function, sorted.
    fn functions(dir: &Path) -> Vec<(String, String)> {
        let inv = inventory(dir);
        let mut out = Vec::new();
        for a in inv["apps"].as_array().unwrap() {
            for f in a["functions"].as_array().unwrap() {
                out.push((
                    a["id"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                ));
            }
        }
        out.sort();
        out
    }

    fn warnings(dir: &Path) -> Vec<String> {
        let r = json(&run(dir, &["scan", ".", "--format", "json", "--no-cache"]));
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .filter(|w| !w.contains("advisory database"))
            .collect()
    }

    fn pair(app: &str, function: &str) -> (String, String) {
        (app.to_owned(), function.to_owned())
    }

    fn service(functions: &[&str]) -> String {
        let mut text =
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n".to_owned();
        for f in functions {
            text.push_str(&format!("  {f}:\n    handler: {f}.handler\n"));
        }
        text
    }

    fn template(functions: &[&str]) -> String {
        let mut text =
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
                .to_owned();
        for f in functions {
            text.push_str(&format!(
                "  {f}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: {f}.handler\n      Runtime: nodejs20.x\n"
            ));
        }
        text
    }

    const HANDLER: &str = "exports.handler = async (event) => event;\n";

    #[test]
    fn a_sample_serverless_descriptor_is_read_when_its_folder_has_no_real_one() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.example.yml",
            &service(&["api", "ingest"]),
        );
        write(dir.path(), "api/serverless.yml.sample", &service(&["rest"]));
        for f in ["api.js", "ingest.js", "api/rest.js"] {
            write(dir.path(), f, HANDLER);
        }
        assert_eq!(
            functions(dir.path()),
            [
                pair("api/serverless.yml.sample", "rest"),
                pair("serverless.example.yml", "api"),
                pair("serverless.example.yml", "ingest"),
            ]
        );
        let w = warnings(dir.path());
        assert!(
            w.iter()
                .any(|w| w.starts_with("serverless.example.yml: a sample")
                    && w.contains("commits no `serverless.yml`")),
            "{w:#?}"
        );
    }

    #[test]
    fn a_sample_next_to_a_real_descriptor_adds_no_function() {
        let dir = tempfile::tempdir().unwrap();
        // Serverless: the real descriptor wins.
        write(dir.path(), "serverless.yml", &service(&["api"]));
        write(
            dir.path(),
            "serverless.example.yml",
            &service(&["api", "extra"]),
        );
        // Two samples in one folder: one is read.
        write(dir.path(), "b/serverless.example.yml", &service(&["one"]));
        write(dir.path(), "b/serverless.sample.yml", &service(&["one"]));
        // Templates: the real template wins.
        write(dir.path(), "sam/template.yaml", &template(&["Fn"]));
        write(
            dir.path(),
            "sam/template.example.yaml",
            &template(&["Fn", "Other"]),
        );
        // A sample template alone is read.
        write(
            dir.path(),
            "alone/template.yaml.example",
            &template(&["Solo"]),
        );
        assert_eq!(
            functions(dir.path()),
            [
                pair("alone/template.yaml.example", "Solo"),
                pair("b/serverless.example.yml", "one"),
                pair("sam/template.yaml", "Fn"),
                pair("serverless.yml", "api"),
            ]
        );
    }

    #[test]
    fn names_that_are_not_samples_of_a_descriptor_are_not_read_as_one() {
        let dir = tempfile::tempdir().unwrap();
        // The Serverless examples gallery's metadata, a test configuration, a script sample.
        write(
            dir.path(),
            "serverless.template.yml",
            &service(&["gallery"]),
        );
        write(dir.path(), "serverless.test.yml", &service(&["tested"]));
        write(dir.path(), "serverless.example.ts", "export default {};\n");
        assert_eq!(functions(dir.path()), []);
    }

    #[test]
    fn a_descriptor_in_a_folder_of_tests_is_test_infrastructure() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", &template(&["App"]));
        write(dir.path(), "tests/aws/cf.yml", &template(&["SystemTest"]));
        write(
            dir.path(),
            "svc/__tests__/serverless.yml",
            &service(&["fixture"]),
        );
        // Near misses: folder names that only contain or resemble `test`.
        write(dir.path(), "contest/template.yaml", &template(&["Contest"]));
        write(
            dir.path(),
            "fixtures/template.yaml",
            &template(&["Fixture"]),
        );
        assert_eq!(
            functions(dir.path()),
            [
                pair("contest/template.yaml", "Contest"),
                pair("fixtures/template.yaml", "Fixture"),
                pair("template.yaml", "App"),
            ]
        );
        let w = warnings(dir.path());
        assert!(
            w.iter()
                .any(|w| w.starts_with("tests/aws/cf.yml: in a folder of tests")
                    && w.contains("(1 function(s))")
                    && w.contains("scan `tests/aws` itself")),
            "{w:#?}"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("svc/__tests__/serverless.yml: in a folder of tests")),
            "{w:#?}"
        );
        // Scanned itself, the folder of tests is an application.
        assert_eq!(
            functions(&dir.path().join("tests/aws")),
            [pair("cf.yml", "SystemTest")]
        );
    }

    #[test]
    fn lift_queue_workers_are_functions_triggered_by_their_queue() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nplugins:\n  - serverless-lift\nconstructs:\n  jobs:\n    type: queue\n    worker:\n      handler: worker.handler\n  site:\n    type: static-website\n    path: dist\nfunctions:\n  publisher:\n    handler: publisher.handler\n",
        );
        write(dir.path(), "worker.js", HANDLER);
        write(dir.path(), "publisher.js", HANDLER);
        assert_eq!(
            functions(dir.path()),
            [
                pair("serverless.yml", "jobsWorker"),
                pair("serverless.yml", "publisher"),
            ]
        );
        let inv = inventory(dir.path());
        let worker = inv["apps"][0]["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "jobsWorker")
            .unwrap();
        assert_eq!(worker["at"]["line"], 8, "{worker:#}");
        assert_eq!(worker["handler"]["value"], "worker.handler");
        let events = worker["events"].to_string();
        assert!(events.contains("sqs"), "{events}");
    }
}
// --- end issue 15 (yamlvendor) ---

// --- issue 16: false positives of rules other than AUTH001 (otherfp): public website
// buckets (STO001/STO002), resources off by default (template conditions), path separators
// removed before a file path (INJ006), lockfiles no function loads (DEP001) ---

mod other_rules_precision {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run, write};

    fn scan(root: &Path) -> Value {
        let root = root.to_str().unwrap();
        json(&run(
            Path::new("."),
            &[
                "scan",
                root,
                "--format",
                "json",
                "--no-cache",
                "--allow-errors",
            ],
        ))
    }

    fn of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    }

    /// A template with a bucket (`bucket` is its extra properties) and a policy whose
    /// statements are `statements` (YAML list items, indented for the policy).
    fn bucket_template(bucket: &str, statements: &str) -> String {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n{bucket}  SitePolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Site\n      PolicyDocument:\n        Statement:\n{statements}"
        )
    }

    const WEBSITE: &str = "      WebsiteConfiguration:\n        IndexDocument: index.html\n";
    const READ: &str = "          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: !Sub '${Site.Arn}/*'\n";
    const LIST: &str = "          - Effect: Allow\n            Principal: '*'\n            Action: s3:ListBucket\n            Resource: !GetAtt Site.Arn\n";
    const WRITE: &str = "          - Effect: Allow\n            Principal: '*'\n            Action: [s3:GetObject, s3:PutObject]\n            Resource: !Sub '${Site.Arn}/*'\n";

    fn severities(report: &Value, rule: &str) -> Vec<String> {
        of(report, rule)
            .iter()
            .map(|f| f["severity"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_website_bucket_anyone_may_read_is_low() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "template.yaml", &bucket_template(WEBSITE, READ));
        let r = scan(dir.path());
        let sto002 = of(&r, "STO002");
        assert_eq!(severities(&r, "STO002"), ["low"], "{r:#}");
        let msg = sto002[0]["message"].as_str().unwrap();
        assert!(msg.contains("public website bucket"), "{msg}");
        assert!(
            sto002[0]["help"]
                .as_str()
                .unwrap()
                .contains("CloudFront with origin access control")
        );
    }

    #[test]
    fn a_website_bucket_anyone_may_list_or_write_stays_high() {
        for extra in [LIST, WRITE] {
            let dir = tempfile::tempdir().unwrap();
            write(
                dir.path(),
                "template.yaml",
                &bucket_template(WEBSITE, &format!("{READ}{extra}")),
            );
            let r = scan(dir.path());
            let sev = severities(&r, "STO002");
            assert_eq!(sev, ["high", "high"], "{r:#}");
        }
    }

    #[test]
    fn a_public_bucket_that_is_not_a_website_stays_high() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.yaml",
            &bucket_template("      BucketName: reports\n", READ),
        );
        let r = scan(dir.path());
        assert_eq!(severities(&r, "STO002"), ["high"], "{r:#}");
    }

    #[test]
    fn a_website_bucket_that_holds_function_data_stays_high() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = bucket_template(WEBSITE, READ);
        t = t.replace(
            "AWSTemplateFormatVersion: '2010-09-09'\n",
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n",
        );
        t.push_str("  Export:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      CodeUri: src/\n      Environment:\n        Variables:\n          EXPORTS: !Ref Site\n");
        write(dir.path(), "template.yaml", &t);
        write(
            dir.path(),
            "src/index.js",
            "exports.handler = async () => 1;\n",
        );
        let r = scan(dir.path());
        assert_eq!(severities(&r, "STO002"), ["high"], "{r:#}");
        assert_eq!(severities(&r, "STO006"), ["medium"], "{r:#}");
    }

    const TF_SITE: &str = "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"my-site\"\n  acl    = \"ACL\"\n  website {\n    index_document = \"index.html\"\n  }\n}\n";

    #[test]
    fn a_terraform_website_bucket_with_a_public_read_acl_is_low() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "main.tf",
            &TF_SITE.replace("ACL", "public-read"),
        );
        let r = scan(dir.path());
        let sto001 = of(&r, "STO001");
        assert_eq!(severities(&r, "STO001"), ["low"], "{r:#}");
        assert!(
            sto001[0]["message"]
                .as_str()
                .unwrap()
                .contains("public website bucket")
        );
    }

    #[test]
    fn a_public_read_write_website_bucket_or_a_public_plain_bucket_stays_high() {
        for tf in [
            TF_SITE.replace("ACL", "public-read-write"),
            TF_SITE.replace("ACL", "public-read").replace(
                "  website {\n    index_document = \"index.html\"\n  }\n",
                "",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "main.tf", &tf);
            let r = scan(dir.path());
            assert_eq!(severities(&r, "STO001"), ["high"], "{tf}\n{r:#}");
        }
    }

    /// A module output that is a whole bucket, read by attribute (`module.storage.site.id`)
    /// in a function's environment: the function stores data in the website bucket.
    #[test]
    fn a_module_output_that_is_a_whole_resource_is_read_by_attribute() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "storage/main.tf",
            &format!(
                "{}output \"site\" {{\n  value = aws_s3_bucket.site\n}}\n",
                TF_SITE.replace("ACL", "public-read")
            ),
        );
        write(
            dir.path(),
            "main.tf",
            "module \"storage\" {\n  source = \"./storage\"\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{}\"\n}\nresource \"aws_lambda_function\" \"export\" {\n  function_name = \"export\"\n  role          = aws_iam_role.r.arn\n  runtime       = \"nodejs22.x\"\n  handler       = \"index.handler\"\n  filename      = \"export.zip\"\n  environment {\n    variables = {\n      SITE_BUCKET = module.storage.site.id\n    }\n  }\n}\n",
        );
        let r = scan(dir.path());
        assert_eq!(severities(&r, "STO006"), ["medium"], "{r:#}");
        assert_eq!(severities(&r, "STO001"), ["high"], "{r:#}");
    }

    /// The template of bucket-antivirus style opt-in sharing: the public policy exists only
    /// when a parameter is set to `public`.
    fn conditional_template(default: Option<&str>) -> String {
        let default = default.map_or(String::new(), |d| format!("    Default: {d}\n"));
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  BucketType:\n    Type: String\n{default}    AllowedValues: [public, private]\nConditions:\n  PublicBucket: !Equals [!Ref BucketType, public]\nResources:\n  Definitions:\n    Type: AWS::S3::Bucket\n  DefinitionsPolicy:\n    Type: AWS::S3::BucketPolicy\n    Condition: PublicBucket\n    Properties:\n      Bucket: !Ref Definitions\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {{AWS: ['*']}}\n            Action: [s3:GetObject, s3:GetObjectTagging]\n            Resource: !Sub '${{Definitions.Arn}}/*'\n"
        )
    }

    #[test]
    fn a_resource_off_by_default_is_low_and_says_when_it_is_deployed() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "template.yaml",
            &conditional_template(Some("private")),
        );
        let r = scan(dir.path());
        let sto002 = of(&r, "STO002");
        assert_eq!(severities(&r, "STO002"), ["low"], "{r:#}");
        let msg = sto002[0]["message"].as_str().unwrap();
        assert!(
            msg.contains(
                "deployed only when parameter `BucketType` is `public` (default `private`)"
            ),
            "{msg}"
        );
    }

    #[test]
    fn a_resource_on_by_default_or_of_undecided_condition_keeps_its_severity() {
        for default in [Some("public"), None] {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "template.yaml", &conditional_template(default));
            let r = scan(dir.path());
            assert_eq!(severities(&r, "STO002"), ["high"], "{default:?}\n{r:#}");
            let msg = of(&r, "STO002")[0]["message"].as_str().unwrap().to_owned();
            assert!(!msg.contains("deployed only when"), "{msg}");
        }
    }

    /// Two functions triggered by uploads to a bucket outside the app (anyone the bucket's
    /// owner allows may upload): `safe` and `unsafe`, whose code is `safe.<ext>` and
    /// `unsafe.<ext>`.
    fn upload_app(dir: &Path, runtime: &str, ext: &str, safe: &str, unsafe_code: &str) {
        let mut t =
            format!("service: up\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n");
        for name in ["safe", "unsafe"] {
            t.push_str(&format!(
                "  {name}:\n    handler: src/{name}.handler\n    events:\n      - s3:\n          bucket: shared-uploads\n          event: s3:ObjectCreated:*\n          existing: true\n"
            ));
        }
        write(dir, "serverless.yml", &t);
        write(dir, &format!("src/safe.{ext}"), safe);
        write(dir, &format!("src/unsafe.{ext}"), unsafe_code);
    }

    /// The lines of INJ006 findings in a function's file.
    fn traversal_lines(report: &Value, file: &str) -> Vec<u64> {
        let mut lines: Vec<u64> = of(report, "INJ006")
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(&format!("/{file}")))
            .map(|f| f["line"].as_u64().unwrap())
            .collect();
        lines.sort_unstable();
        lines
    }

    #[test]
    fn python_parts_of_a_key_split_on_slash_cannot_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let head = "import os\nimport urllib.parse\n\ndef handler(event, context):\n    key = urllib.parse.unquote_plus(event['Records'][0]['s3']['object']['key'])\n";
        upload_app(
            dir.path(),
            "python3.12",
            "py",
            &format!(
                "{head}    parts = key.split('/')\n    name = parts[1]\n    open(f'/tmp/{{name}}', 'wb')\n    open('/tmp/' + key.replace('/', '_'), 'rb')\n    open('/tmp/' + os.path.basename(key), 'rb')\n    for part in key.split('/'):\n        open('/tmp/' + part, 'rb')\n"
            ),
            &format!(
                "{head}    open('/tmp/' + key.split('_')[-1], 'rb')\n    open(os.path.join('/tmp', *key.split('/')), 'rb')\n    open('/tmp/' + '/'.join(key.split('/')[1:]), 'rb')\n    open('/tmp/' + key.split('/', 1)[1], 'rb')\n    open('/tmp/' + key.replace('/', '_/'), 'rb')\n"
            ),
        );
        let r = scan(dir.path());
        assert_eq!(traversal_lines(&r, "safe.py"), Vec::<u64>::new(), "{r:#}");
        assert_eq!(traversal_lines(&r, "unsafe.py"), [6, 7, 8, 9, 10], "{r:#}");
    }

    #[test]
    fn javascript_parts_of_a_key_split_on_slash_cannot_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let head = "const fs = require('fs');\nconst path = require('path');\n\nexports.handler = async (event) => {\n  const key = decodeURIComponent(event.Records[0].s3.object.key);\n";
        upload_app(
            dir.path(),
            "nodejs22.x",
            "js",
            &format!(
                "{head}  fs.writeFileSync(`/tmp/${{key.split('/').pop()}}`, 'x');\n  const parts = key.split('/');\n  fs.readFileSync('/tmp/' + parts[1]);\n  fs.unlinkSync('/tmp/' + key.replaceAll('/', '_'));\n  fs.unlinkSync('/tmp/' + path.basename(key));\n}};\n"
            ),
            &format!(
                "{head}  fs.writeFileSync('/tmp/' + key.split('_').pop(), 'x');\n  fs.readFileSync(path.join('/tmp', ...key.split('/')));\n  fs.unlinkSync('/tmp/' + key.replace('/', '_'));\n  fs.unlinkSync('/tmp/' + key.split('/').slice(1).join('/'));\n}};\n"
            ),
        );
        let r = scan(dir.path());
        assert_eq!(traversal_lines(&r, "safe.js"), Vec::<u64>::new(), "{r:#}");
        assert_eq!(traversal_lines(&r, "unsafe.js"), [6, 7, 8, 9], "{r:#}");
    }

    /// Scans with the advisory records committed for the tests.
    fn scan_with_db(root: &Path) -> Value {
        let db = root.join(".osv");
        let records =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../perimeter_deps/resources/test/osv");
        let imported = run(
            Path::new("."),
            &[
                "db",
                "import",
                records.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ],
        );
        assert!(imported.status.success(), "{imported:?}");
        json(&run(
            Path::new("."),
            &[
                "scan",
                root.to_str().unwrap(),
                "--format",
                "json",
                "--no-cache",
                "--allow-errors",
                "--db",
                db.to_str().unwrap(),
            ],
        ))
    }

    /// A Serverless project whose `package.json` holds the deploy tooling (a CLI that pulls
    /// a vulnerable `qs`), with `functions` as given.
    fn tooling_project(dir: &Path, functions: &str, qs_dev: bool) {
        write(
            dir,
            "serverless.yml",
            &format!(
                "service: layers\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n{functions}"
            ),
        );
        write(
            dir,
            "build/handler.py",
            "import json\n\ndef main(event, context):\n    return json.dumps(event)\n",
        );
        write(
            dir,
            "api/handler.js",
            "const qs = require('qs');\nexports.main = async (e) => qs.parse(e.body);\n",
        );
        write(
            dir,
            "package.json",
            r#"{ "dependencies": { "deploy-cli": "2.0.0" } }"#,
        );
        let dev = if qs_dev { r#", "dev": true"# } else { "" };
        write(
            dir,
            "package-lock.json",
            &format!(
                r#"{{ "lockfileVersion": 3, "packages": {{
  "": {{ "dependencies": {{ "deploy-cli": "2.0.0" }} }},
  "node_modules/deploy-cli": {{ "version": "2.0.0", "dependencies": {{ "qs": "6.5.2" }}{dev} }},
  "node_modules/qs": {{ "version": "6.5.2"{dev} }}
}} }}"#
            ),
        );
    }

    fn dep001(report: &Value) -> Vec<(String, String)> {
        of(report, "DEP001")
            .iter()
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_lockfile_only_python_functions_sit_under_is_deploy_tooling_not_high() {
        let dir = tempfile::tempdir().unwrap();
        tooling_project(
            dir.path(),
            "  build:\n    handler: build/handler.main\n",
            false,
        );
        let r = scan_with_db(dir.path());
        // Not deployed at all: a not-affected statement (vex, session 8), not a finding.
        assert_eq!(dep001(&r), [], "{r:#}");
        let na = r["not_affected"].as_array().unwrap();
        assert_eq!(na.len(), 1, "{r:#}");
        assert_eq!(na[0]["justification"], "component_not_present");
        assert!(
            na[0]["evidence"]
                .as_str()
                .unwrap()
                .contains("no deployed function loads npm packages from here"),
            "{na:?}"
        );
    }

    #[test]
    fn a_node_function_under_the_same_lockfile_keeps_the_advisory_severity() {
        let dir = tempfile::tempdir().unwrap();
        tooling_project(
            dir.path(),
            "  build:\n    handler: build/handler.main\n  api:\n    handler: api/handler.main\n    runtime: nodejs20.x\n",
            false,
        );
        let r = scan_with_db(dir.path());
        let found = dep001(&r);
        assert_eq!(found.len(), 1, "{r:#}");
        assert_eq!(found[0].0, "high", "{found:?}");
        assert!(found[0].1.contains("`api` imports it"), "{found:?}");
    }

    #[test]
    fn a_development_only_package_is_low_even_when_a_node_function_imports_its_name() {
        let dir = tempfile::tempdir().unwrap();
        tooling_project(
            dir.path(),
            "  api:\n    handler: api/handler.main\n    runtime: nodejs20.x\n",
            true,
        );
        let r = scan_with_db(dir.path());
        let found = dep001(&r);
        assert_eq!(found.len(), 1, "{r:#}");
        assert_eq!(found[0].0, "low", "{found:?}");
        assert!(
            found[0].1.contains("only a development dependency"),
            "{found:?}"
        );
    }

    /// `Action: "*"` with these resources (YAML flow list) on the provider role.
    fn every_action_on(resources: &str) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            &format!(
                "service: tiles\nprovider:\n  name: aws\n  runtime: python3.12\n  iamRoleStatements:\n    - Effect: Allow\n      Action: ['*']\n      Resource: {resources}\nfunctions:\n  app:\n    handler: handler.main\n"
            ),
        );
        write(
            dir.path(),
            "handler.py",
            "def main(event, context):\n    return 1\n",
        );
        let r = scan(dir.path());
        let iam001 = of(&r, "IAM001");
        assert_eq!(iam001.len(), 1, "{r:#}");
        (
            iam001[0]["severity"].as_str().unwrap().to_owned(),
            iam001[0]["message"].as_str().unwrap().to_owned(),
        )
    }

    #[test]
    fn every_action_on_the_buckets_of_one_service_is_that_service_wildcard() {
        let (sev, msg) = every_action_on("['arn:aws:s3:::${opt:bucket, \"tiles\"}*']");
        assert_eq!(sev, "medium", "{msg}");
        assert!(msg.contains("(in effect `s3:*`)"), "{msg}");
    }

    #[test]
    fn every_action_on_everything_on_several_services_or_on_identities_stays_high() {
        for resources in [
            "['*']",
            "['arn:aws:s3:::tiles*', 'arn:aws:dynamodb:us-east-1:123456789012:table/t']",
            "['arn:aws:iam::123456789012:role/*']",
        ] {
            let (sev, msg) = every_action_on(resources);
            assert_eq!(sev, "high", "{resources}: {msg}");
        }
    }
}

// --- issue 15 (zipintake): zips built by a package.json script, data files in other encodings ---
mod zip_intake {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run, write};

    const ROLE: &str = "arn:aws:iam::123456789012:role/r";

    fn function(name: &str, zip: &str, handler: &str) -> String {
        format!(
            "resource \"aws_lambda_function\" \"{name}\" {{\n  function_name = \"{name}\"\n  filename      = \"{zip}\"\n  handler       = \"{handler}\"\n  runtime       = \"nodejs22.x\"\n  role          = \"{ROLE}\"\n}}\n"
        )
    }

    /// A handler that runs its event: an INJ003 at line 3 of its file.
    fn vulnerable(export: &str) -> String {
        format!(
            "import {{ exec }} from 'child_process';\nexport const {export} = async (event: any) => {{\n  exec(event.body);\n}};\n"
        )
    }

    fn scan(root: &Path) -> Value {
        json(&run(root, &["scan", "--format", "json", "--no-cache", "."]))
    }

    fn injections(r: &Value) -> Vec<String> {
        let mut out: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "INJ003")
            .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn errors(r: &Value) -> Vec<String> {
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}: {}", e["path"].as_str().unwrap(), e["message"]))
            .collect()
    }

    fn node_packages(root: &Path) {
        // ncc writes `out/index.js`, zipped by a script that runs the build script first.
        write(
            root,
            "services/ingest/package.json",
            r#"{"name": "ingest", "main": "out/index.js", "scripts": {"compile": "ncc build src/entry.ts -o out", "package": "npm run compile && cd out && zip -q ../ingest-bundle.zip index.js"}}"#,
        );
        write(root, "services/ingest/src/entry.ts", &vulnerable("receive"));
        // A folder named after the zip, deeper in the package, holding an `index` module.
        write(
            root,
            "services/ingest/src/ingest-bundle/index.ts",
            "export const publish = async () => 1;\n",
        );
        // esbuild's `--outfile` names the module; the package sits below the zip's folder.
        write(
            root,
            "services/report/package.json",
            r#"{"scripts": {"bundle": "esbuild src/main.ts --bundle --platform=node --outfile=dist/handler.js", "zip": "cd dist && zip ../../report.zip handler.js"}}"#,
        );
        write(root, "services/report/src/main.ts", &vulnerable("build"));
        // Two siblings that write another zip name (twice): never the report's package.
        for pkg in ["billing", "ledger"] {
            write(
                root,
                &format!("services/{pkg}/package.json"),
                r#"{"scripts": {"build": "esbuild src/main.ts --bundle --outfile=dist/index.js && cd dist && zip ../../billing.zip index.js"}}"#,
            );
            write(
                root,
                &format!("services/{pkg}/src/main.ts"),
                &vulnerable("build"),
            );
        }
    }

    #[test]
    fn zip_written_by_a_package_script_is_its_bundle_entry() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        node_packages(root);
        let tf = [
            function(
                "ingest",
                "../services/ingest/ingest-bundle.zip",
                "index.receive",
            ),
            function("report", "../services/report.zip", "handler.build"),
            // A release artifact of the same build, downloaded elsewhere: the one package
            // whose script writes a zip of that name.
            function(
                "downloaded",
                "../downloads/ingest-bundle.zip",
                "index.receive",
            ),
        ]
        .concat();
        write(root, "deploy/main.tf", &tf);
        let r = scan(root);
        assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
        assert_eq!(
            injections(&r),
            [
                "services/ingest/src/entry.ts:3",
                "services/report/src/main.ts:3"
            ]
        );
    }

    #[test]
    fn zip_near_misses_are_not_linked_to_a_package_that_does_not_build_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        node_packages(root);
        let tf = [
            // No package writes it and none is in its folder.
            function("stray", "../artifacts/stray.zip", "index.handler"),
            // The bundle is written as `index`: another module is not its entry.
            function(
                "other",
                "../services/ingest/ingest-bundle.zip",
                "worker.handler",
            ),
            // Two packages write a zip of that name: neither is chosen.
            function("ambiguous", "../downloads/billing.zip", "index.build"),
        ]
        .concat();
        write(root, "deploy/main.tf", &tf);
        let r = scan(root);
        let errs = errors(&r);
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert!(
            errs.iter().any(
                |e| e.contains("package `artifacts/stray.zip`, which is not in the repository")
            ),
            "{errs:#?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("`worker.handler`") && e.contains("under services/ingest")),
            "{errs:#?}"
        );
        assert!(
            errs.iter()
                .any(|e| e
                    .contains("package `downloads/billing.zip`, which is not in the repository")),
            "{errs:#?}"
        );
        assert!(injections(&r).is_empty(), "{:#?}", injections(&r));
    }

    #[test]
    fn a_data_file_in_another_encoding_is_not_an_error_but_a_template_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "serverless.yml",
            "service: words\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n  lookup:\n    handler: handler.lookup\n",
        );
        write(
            root,
            "handler.js",
            "const words = require('./data/words.json');\nexports.lookup = async () => words;\n",
        );
        // Latin-1: 0xE9 is `é`, not UTF-8. A data file the code reads, not a descriptor.
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(
            root.join("data/words.json"),
            b"{\"caf\xe9\": \"coffee shop\", \"r\xe9sum\xe9\": \"cv\"}\n",
        )
        .unwrap();
        // Near miss: a template in the same encoding is one perimeter must read.
        std::fs::create_dir_all(root.join("infra")).unwrap();
        std::fs::write(
            root.join("infra/stack.yaml"),
            b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9\nResources: {}\n",
        )
        .unwrap();
        let r = scan(root);
        let errs = errors(&r);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert!(
            errs[0].starts_with("infra/stack.yaml: ") && errs[0].contains("invalid UTF-8"),
            "{errs:#?}"
        );
        assert_eq!(r["summary"]["functions"], 1, "{r:#}");
    }
}
// --- end issue 15 (zipintake) ---

// --- issue 16 item 2: authentication endpoints and verified webhooks (authpurpose) ---
// A route that is the authentication itself, or a webhook whose sender the code verifies
// before any write, is not an open route; each quiet case has a true case next to it.

mod auth_purpose {
    use serde_json::Value;

    use super::{json, run, write};

    /// The AUTH001 findings, (severity, message), of a Serverless application whose one HTTP
    /// route runs `handler.main`.
    fn scan(runtime: &str, route: &str, file: &str, code: &str) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        let sls = format!(
            "service: t\nprovider:\n  name: aws\n  runtime: {runtime}\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'ssm:GetParameter']\n          Resource: '*'\nfunctions:\n  api:\n    handler: handler.main\n    events:\n      - httpApi: '{route}'\n"
        );
        write(dir.path(), "serverless.yml", &sls);
        write(dir.path(), file, code);
        let v: Value = json(&run(
            dir.path(),
            &["scan", "--no-cache", "--format", "json", "."],
        ));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Scans the case and checks its one AUTH001 finding's severity and what it says.
    fn check(case: (&str, &str, &str), severity: &str, says: &str) {
        let (lang, route, code) = case;
        let found = if lang == "js" {
            scan("nodejs20.x", route, "handler.js", code)
        } else {
            scan("python3.12", route, "handler.py", code)
        };
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, severity, "{found:?}");
        assert!(found[0].1.contains(says), "{found:?}");
    }

    const JS_HOOK_OK: (&str, &str, &str) = (
        "js",
        "POST /hook",
        r#"const crypto = require('crypto');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
const lambda = new AWS.Lambda();

function getSecret(cb) {
  db.get({ TableName: process.env.CONFIG, Key: { id: 'webhook' } }, (err, data) => cb(err, data && data.Item.secret));
}

exports.main = (event, context, cb) => {
  const done = (err, body, code) => cb(err, { statusCode: code || 200, body: JSON.stringify(body || {}) });
  const signature = ((event.headers['X-Hub-Signature'] || '').match(/^sha1=([0-9a-f]{40})$/) || [])[1];
  if (!signature) return done(null, { error: 'missing signature' }, 400);
  getSecret((err, secret) => {
    if (err) return done(err);
    const signed = crypto.createHmac('sha1', secret).update(event.body || '').digest('hex');
    if (signature !== signed) return done(null, { error: 'bad signature' }, 400);
    lambda.invoke({ FunctionName: process.env.BUILDER, InvocationType: 'Event', Payload: event.body }, done);
  });
};
"#,
    );

    const JS_HOOK_PROCEEDS: (&str, &str, &str) = (
        "js",
        "POST /hook",
        r#"const crypto = require('crypto');
const AWS = require('aws-sdk');
const lambda = new AWS.Lambda();
exports.main = async (event) => {
  const signed = crypto.createHmac('sha256', process.env.HOOK_SECRET).update(event.body).digest('hex');
  if (event.headers['x-signature'] !== signed) {
    console.log('signature mismatch');
  }
  await lambda.invoke({ FunctionName: process.env.BUILDER, Payload: event.body }).promise();
  return { statusCode: 202 };
};
"#,
    );

    const PY_HOOK_OK: (&str, &str, &str) = (
        "py",
        "POST /hook",
        r#"import hashlib
import hmac
import os
import boto3

ssm = boto3.client('ssm')
table = boto3.resource('dynamodb').Table(os.environ['TABLE'])

def main(event, context):
    secret = ssm.get_parameter(Name='/hook/secret', WithDecryption=True)['Parameter']['Value']
    expected = hmac.new(secret.encode(), event['body'].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, event['headers'].get('x-signature', '')):
        return {'statusCode': 400, 'body': 'bad signature'}
    table.put_item(Item={'id': event['body']})
    return {'statusCode': 200}
"#,
    );

    const PY_HOOK_PROCEEDS: (&str, &str, &str) = (
        "py",
        "POST /hook",
        r#"import hashlib
import hmac
import os
import boto3

table = boto3.resource('dynamodb').Table(os.environ['TABLE'])

def main(event, context):
    expected = hmac.new(os.environ['HOOK_SECRET'].encode(), event['body'].encode(), hashlib.sha256).hexdigest()
    if expected != event['headers'].get('x-signature'):
        print('signature mismatch')
    table.put_item(Item={'id': event['body']})
    return {'statusCode': 200}
"#,
    );

    const JS_STRIPE_OK: (&str, &str, &str) = (
        "js",
        "POST /stripe",
        r#"const Stripe = require('stripe');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
const stripe = Stripe(process.env.STRIPE_KEY);
exports.main = async (event) => {
  let ev;
  try {
    ev = stripe.webhooks.constructEvent(event.body, event.headers['stripe-signature'], process.env.WEBHOOK_SECRET);
  } catch (err) {
    return { statusCode: 400, body: 'bad signature' };
  }
  await db.put({ TableName: process.env.TABLE, Item: { id: ev.id, type: ev.type } }).promise();
  return { statusCode: 200 };
};
"#,
    );

    const JS_STRIPE_SWALLOWED: (&str, &str, &str) = (
        "js",
        "POST /stripe",
        r#"const Stripe = require('stripe');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
const stripe = Stripe(process.env.STRIPE_KEY);
exports.main = async (event) => {
  let ev = JSON.parse(event.body);
  try {
    stripe.webhooks.constructEvent(event.body, event.headers['stripe-signature'], process.env.WEBHOOK_SECRET);
  } catch (err) {
    console.log('signature check failed', err.message);
  }
  await db.put({ TableName: process.env.TABLE, Item: { id: ev.id, type: ev.type } }).promise();
  return { statusCode: 200 };
};
"#,
    );

    const PY_STRIPE_OK: (&str, &str, &str) = (
        "py",
        "POST /stripe",
        r#"import os
import boto3
import stripe

table = boto3.resource('dynamodb').Table(os.environ['TABLE'])

def main(event, context):
    try:
        ev = stripe.Webhook.construct_event(event['body'], event['headers']['stripe-signature'], os.environ['WEBHOOK_SECRET'])
    except Exception:
        return {'statusCode': 400}
    table.put_item(Item={'id': ev['id']})
    return {'statusCode': 200}
"#,
    );

    const PY_STRIPE_SWALLOWED: (&str, &str, &str) = (
        "py",
        "POST /stripe",
        r#"import json
import os
import boto3
import stripe

table = boto3.resource('dynamodb').Table(os.environ['TABLE'])

def main(event, context):
    ev = json.loads(event['body'])
    try:
        stripe.Webhook.construct_event(event['body'], event['headers']['stripe-signature'], os.environ['WEBHOOK_SECRET'])
    except Exception:
        print('bad signature')
    table.put_item(Item={'id': ev['id']})
    return {'statusCode': 200}
"#,
    );

    const JS_LOGIN_OK: (&str, &str, &str) = (
        "js",
        "POST /login",
        r#"const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.main = async (event) => {
  const { email, password } = JSON.parse(event.body);
  const { Item: user } = await db.get({ TableName: process.env.USERS, Key: { email } }).promise();
  if (!user || !(await bcrypt.compare(password, user.hash))) {
    return { statusCode: 401, body: 'wrong email or password' };
  }
  return { statusCode: 200, body: JSON.stringify({ token: jwt.sign({ sub: user.id }, process.env.JWT_SECRET) }) };
};
"#,
    );

    const JS_LOGIN_UNCHECKED: (&str, &str, &str) = (
        "js",
        "POST /login",
        r#"const jwt = require('jsonwebtoken');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.main = async (event) => {
  const { email } = JSON.parse(event.body);
  const { Item: user } = await db.get({ TableName: process.env.USERS, Key: { email } }).promise();
  return { statusCode: 200, body: JSON.stringify({ token: jwt.sign({ sub: user.id }, process.env.JWT_SECRET) }) };
};
"#,
    );

    const PY_LOGIN_OK: (&str, &str, &str) = (
        "py",
        "POST /login",
        r#"import hashlib
import hmac
import json
import os
import boto3
import jwt

users = boto3.resource('dynamodb').Table(os.environ['USERS'])

def main(event, context):
    body = json.loads(event['body'])
    record = users.get_item(Key={'username': body['username']})['Item']
    actual = hashlib.pbkdf2_hmac('sha256', body['password'].encode(), record['salt'], 100000)
    if not hmac.compare_digest(actual, record['hashed']):
        return {'statusCode': 401}
    token = jwt.encode({'sub': body['username']}, os.environ['JWT_SECRET'], algorithm='HS256')
    return {'statusCode': 200, 'body': json.dumps({'token': token})}
"#,
    );

    const PY_LOGIN_UNCHECKED: (&str, &str, &str) = (
        "py",
        "POST /login",
        r#"import json
import os
import boto3
import jwt

users = boto3.resource('dynamodb').Table(os.environ['USERS'])

def main(event, context):
    body = json.loads(event['body'])
    record = users.get_item(Key={'username': body['username']})['Item']
    token = jwt.encode({'sub': record['username']}, os.environ['JWT_SECRET'], algorithm='HS256')
    return {'statusCode': 200, 'body': json.dumps({'token': token})}
"#,
    );

    const JS_REGISTER_OK: (&str, &str, &str) = (
        "js",
        "POST /register",
        r#"const bcrypt = require('bcryptjs');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.main = async (event) => {
  const { email, name, password } = JSON.parse(event.body);
  const item = { id: email, name, hash: await bcrypt.hash(password, 10), role: 'member' };
  await db.put({ TableName: process.env.USERS, Item: item }).promise();
  return { statusCode: 201 };
};
"#,
    );

    const JS_REGISTER_ADMIN: (&str, &str, &str) = (
        "js",
        "POST /register",
        r#"const bcrypt = require('bcryptjs');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.main = async (event) => {
  const { email, name, password, role } = JSON.parse(event.body);
  const item = { id: email, name, hash: await bcrypt.hash(password, 10), role };
  await db.put({ TableName: process.env.USERS, Item: item }).promise();
  return { statusCode: 201 };
};
"#,
    );

    const PY_REGISTER_OK: (&str, &str, &str) = (
        "py",
        "POST /register",
        r#"import json
import os
import boto3
from werkzeug.security import generate_password_hash

users = boto3.resource('dynamodb').Table(os.environ['USERS'])

def main(event, context):
    body = json.loads(event['body'])
    users.put_item(Item={'id': body['email'], 'name': body['name'], 'hash': generate_password_hash(body['password']), 'role': 'member'})
    return {'statusCode': 201}
"#,
    );

    const PY_REGISTER_ADMIN: (&str, &str, &str) = (
        "py",
        "POST /register",
        r#"import json
import os
import boto3
from werkzeug.security import generate_password_hash

users = boto3.resource('dynamodb').Table(os.environ['USERS'])

def main(event, context):
    body = json.loads(event['body'])
    users.put_item(Item={'id': body['email'], 'name': body['name'], 'hash': generate_password_hash(body['password']), 'is_admin': body.get('is_admin', False)})
    return {'statusCode': 201}
"#,
    );

    const JS_SLACK_OK: (&str, &str, &str) = (
        "js",
        "ANY /slack/{proxy+}",
        r#"const { App, ExpressReceiver } = require('@slack/bolt');
const serverless = require('serverless-http');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
const receiver = new ExpressReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET });
const app = new App({ token: process.env.SLACK_BOT_TOKEN, receiver });
app.command('/members', async ({ command, ack }) => {
  await ack();
  await db.get({ TableName: process.env.TABLE, Key: { id: command.channel_id } }).promise();
});
exports.main = serverless(receiver.app);
"#,
    );

    const JS_SLACK_PLAIN_EXPRESS: (&str, &str, &str) = (
        "js",
        "ANY /slack/{proxy+}",
        r#"const express = require('express');
const serverless = require('serverless-http');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
const app = express();
app.post('/slack/events', async (req, res) => {
  const r = await db.get({ TableName: process.env.TABLE, Key: { id: req.body.channel_id } }).promise();
  res.json(r.Item);
});
exports.main = serverless(app);
"#,
    );

    const JS_OAUTH_CALLBACK: (&str, &str, &str) = (
        "js",
        "GET /callback",
        r#"const fetch = require('node-fetch');
exports.main = async (event) => {
  const r = await fetch('https://provider.example.com/oauth2/token', { method: 'POST', body: new URLSearchParams({ code: event.queryStringParameters.code, client_id: process.env.CLIENT_ID, client_secret: process.env.CLIENT_SECRET, grant_type: 'authorization_code' }) });
  return { statusCode: 200, body: await r.text() };
};
"#,
    );

    const JS_STRIPE_REFETCH: (&str, &str, &str) = (
        "js",
        "POST /stripe",
        r#"const stripe = require('stripe')(process.env.STRIPE_KEY);
exports.main = async (event) => {
  const received = JSON.parse(event.body);
  const ev = await stripe.events.retrieve(received.id);
  console.log(ev.type);
  return { statusCode: 200 };
};
"#,
    );

    #[test]
    fn webhook_checked_against_an_hmac_before_any_write_is_guarded() {
        check(JS_HOOK_OK, "low", "denies the caller");
        check(PY_HOOK_OK, "low", "denies the caller");
    }

    #[test]
    fn webhook_that_compares_the_signature_but_goes_on_stays_high() {
        check(JS_HOOK_PROCEEDS, "high", "lambda:Invoke");
        check(PY_HOOK_PROCEEDS, "high", "dynamodb:PutItem");
    }

    #[test]
    fn provider_verification_that_stops_the_handler_is_guarded() {
        check(JS_STRIPE_OK, "low", "denies the caller");
        check(PY_STRIPE_OK, "low", "denies the caller");
        check(JS_STRIPE_REFETCH, "low", "fetches back from the provider");
    }

    #[test]
    fn provider_verification_whose_failure_is_swallowed_stays_high() {
        check(JS_STRIPE_SWALLOWED, "high", "dynamodb:PutItem");
        check(PY_STRIPE_SWALLOWED, "high", "dynamodb:PutItem");
    }

    #[test]
    fn login_that_checks_a_password_and_issues_a_token_is_low() {
        check(JS_LOGIN_OK, "low", "a login route");
        check(PY_LOGIN_OK, "low", "a login route");
    }

    #[test]
    fn login_that_issues_a_token_without_a_check_stays_high() {
        check(JS_LOGIN_UNCHECKED, "high", "dynamodb:GetItem");
        check(PY_LOGIN_UNCHECKED, "high", "dynamodb:GetItem");
    }

    const JS_LOGIN_LISTS_USERS: (&str, &str, &str) = (
        "js",
        "POST /login",
        r#"const bcrypt = require('bcryptjs');
const jwt = require('jsonwebtoken');
const AWS = require('aws-sdk');
const db = new AWS.DynamoDB.DocumentClient();
exports.main = async (event) => {
  const { email, password } = JSON.parse(event.body);
  const { Item: user } = await db.get({ TableName: process.env.USERS, Key: { email } }).promise();
  if (!user || !(await bcrypt.compare(password, user.hash))) {
    return { statusCode: 401 };
  }
  const all = await db.scan({ TableName: process.env.USERS }).promise();
  return { statusCode: 200, body: JSON.stringify({ token: jwt.sign({ sub: user.id }, process.env.JWT_SECRET), users: all.Items }) };
};
"#,
    );

    const PY_LOGIN_LISTS_USERS: (&str, &str, &str) = (
        "py",
        "POST /login",
        r#"import json
import os
import boto3
import jwt
from werkzeug.security import check_password_hash

users = boto3.resource('dynamodb').Table(os.environ['USERS'])

def main(event, context):
    body = json.loads(event['body'])
    record = users.get_item(Key={'username': body['username']})['Item']
    if not check_password_hash(record['hash'], body['password']):
        return {'statusCode': 401}
    token = jwt.encode({'sub': body['username']}, os.environ['JWT_SECRET'], algorithm='HS256')
    return {'statusCode': 200, 'body': json.dumps({'token': token, 'users': users.scan()['Items']})}
"#,
    );

    #[test]
    fn login_that_also_reads_every_account_stays_high() {
        check(JS_LOGIN_LISTS_USERS, "high", "dynamodb:");
        check(PY_LOGIN_LISTS_USERS, "high", "dynamodb:");
    }

    #[test]
    fn sign_up_of_a_standard_account_is_low() {
        check(JS_REGISTER_OK, "low", "a sign-up route");
        check(PY_REGISTER_OK, "low", "a sign-up route");
    }

    #[test]
    fn sign_up_where_the_caller_sets_a_privilege_stays_high() {
        check(JS_REGISTER_ADMIN, "high", "dynamodb:PutItem");
        check(PY_REGISTER_ADMIN, "high", "dynamodb:PutItem");
    }

    #[test]
    fn slack_bolt_with_a_signing_secret_covers_its_catch_all_route() {
        check(JS_SLACK_OK, "low", "verifies each request");
    }

    #[test]
    fn plain_express_app_behind_a_catch_all_route_stays_high() {
        check(JS_SLACK_PLAIN_EXPRESS, "high", "dynamodb:GetItem");
    }

    #[test]
    fn oauth_code_exchange_at_a_fixed_token_endpoint_is_low() {
        check(JS_OAUTH_CALLBACK, "low", "an OAuth callback");
    }
}

// --- issue 16 item 2: AUTH001 severity follows what a request reaches, not what the modules
// set up when they load (authfx) ---
mod request_reach {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run, write};

    /// The AUTH001 finding of each function: `(function, severity, message)`.
    fn routes(root: &Path) -> Vec<(String, String, String)> {
        let r = json(&run(
            root,
            &[
                "scan",
                "--format",
                "json",
                "--no-cache",
                "--allow-errors",
                ".",
            ],
        ));
        let mut out: Vec<(String, String, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f: &Value| {
                (
                    f["function"].as_str().unwrap_or_default().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        out.sort();
        out
    }

    fn severity_of(all: &[(String, String, String)], function: &str) -> String {
        let (_, sev, msg) = all
            .iter()
            .find(|(f, _, _)| f == function)
            .unwrap_or_else(|| panic!("no AUTH001 for {function}: {all:?}"));
        format!("{sev}: {msg}")
    }

    fn serverless(runtime: &str, functions: &[(&str, &str, &str)]) -> String {
        let mut s =
            format!("service: shop\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n");
        for (name, handler, path) in functions {
            s.push_str(&format!(
                "  {name}:\n    handler: {handler}\n    events:\n      - httpApi:\n          method: GET\n          path: {path}\n"
            ));
        }
        s
    }

    /// A TypeScript service whose shared module builds a DynamoDB client and reads a password
    /// when it loads: a route that only answers is low, a route whose helper (in another
    /// module) writes through that client stays high.
    #[test]
    fn module_level_client_and_secret_are_not_charged_to_a_route_that_does_not_use_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "serverless.yml",
            &serverless(
                "nodejs20.x",
                &[
                    ("status", "src/status.main", "/status"),
                    ("order", "src/order.main", "/order"),
                ],
            ),
        );
        write(
            root,
            "src/shared/clients.ts",
            "import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';\n\
             export const password = process.env.LEDGER_PASSWORD;\n\
             export const ddb = new DynamoDBClient({});\n\
             export async function record(id: string) {\n\
             \x20 await ddb.send(new PutItemCommand({ TableName: process.env.LEDGER, Item: { id: { S: id } } }));\n\
             }\n",
        );
        write(
            root,
            "src/shared/reply.ts",
            "import { ddb } from './clients';\n\
             export const reply = (body: object) => ({ statusCode: 200, body: JSON.stringify(body) });\n\
             export const client = ddb;\n",
        );
        write(
            root,
            "src/status.ts",
            "import { reply } from './shared/reply';\n\
             export const main = async () => reply({ up: true, at: Date.now() });\n",
        );
        write(
            root,
            "src/order.ts",
            "import { reply } from './shared/reply';\n\
             import { record } from './shared/clients';\n\
             export const main = async (event: any) => {\n\
             \x20 await record(event.queryStringParameters.id);\n\
             \x20 return reply({ saved: true });\n\
             };\n",
        );
        let all = routes(root);
        assert!(severity_of(&all, "status").starts_with("low"), "{all:#?}");
        let order = severity_of(&all, "order");
        assert!(
            order.starts_with("high") && order.contains("dynamodb:PutItem"),
            "{all:#?}"
        );
    }

    /// Functions handed to a library when the module loads (resolvers inside a schema object)
    /// run for the request that calls the library; a call to a method the modules define on a
    /// value the analysis cannot place keeps everything charged.
    #[test]
    fn library_held_callbacks_and_unresolved_dispatch_keep_a_route_high() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "serverless.yml",
            &serverless(
                "nodejs20.x",
                &[("query", "api.query", "/q"), ("lookup", "api.lookup", "/l")],
            ),
        );
        write(
            root,
            "api.js",
            "const gql = require('tiny-gql');\n\
             const { S3 } = require('aws-sdk');\n\
             const s3 = new S3();\n\
             const schema = gql.buildSchema({\n\
             \x20 fields: { file: { resolve: (_, args) => s3.getObject({ Bucket: 'docs', Key: args.key }).promise() } },\n\
             });\n\
             class Finder { locate(k) { return s3.getObject({ Bucket: 'docs', Key: k }).promise(); } }\n\
             exports.Finder = Finder;\n\
             exports.query = async (event) => gql.run(schema, event.body);\n\
             exports.lookup = async (event, context) => context.registry.finder.locate(event.body);\n",
        );
        let all = routes(root);
        let query = severity_of(&all, "query");
        assert!(
            query.starts_with("high") && query.contains("s3:GetObject"),
            "{all:#?}"
        );
        assert!(severity_of(&all, "lookup").starts_with("high"), "{all:#?}");
    }

    /// Python: a module that connects to MongoDB when it loads; the health route is low, the
    /// route that queries through a helper module stays high, and so does a route whose write
    /// sits behind a flag it sets from the request.
    #[test]
    fn python_module_level_connection_is_charged_only_to_the_routes_that_query() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "serverless.yml",
            &serverless(
                "python3.12",
                &[
                    ("ping", "routes/ping.handler", "/ping"),
                    ("books", "routes/books.handler", "/books"),
                    ("upload", "routes/upload.handler", "/upload"),
                ],
            ),
        );
        write(root, "routes/__init__.py", "");
        write(
            root,
            "routes/store.py",
            "import os\nimport pymongo\n\n\
             CONN = pymongo.MongoClient(os.environ[\"CATALOG_MONGO_URI\"])\n\
             SHELF = CONN[\"library\"][\"books\"]\n\n\n\
             def titles(author):\n    return [b[\"title\"] for b in SHELF.find({\"author\": author})]\n",
        );
        write(
            root,
            "routes/ping.py",
            "import json\nfrom routes import store  # noqa: F401\n\n\n\
             def handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"pong\": True})}\n",
        );
        write(
            root,
            "routes/books.py",
            "import json\nfrom routes.store import titles\n\n\n\
             def handler(event, context):\n    author = event[\"queryStringParameters\"][\"author\"]\n    return {\"statusCode\": 200, \"body\": json.dumps(titles(author))}\n",
        );
        write(
            root,
            "routes/upload.py",
            "import os\nimport boto3\n\nBUCKET = os.environ.get(\"INBOX\")\ns3 = boto3.client(\"s3\")\n\n\n\
             def keep(body, on):\n    if on:\n        s3.put_object(Bucket=BUCKET, Key=\"last\", Body=body)\n\n\n\
             def handler(event, context):\n    on = False\n    if \"keep\" in event[\"queryStringParameters\"]:\n        on = event[\"queryStringParameters\"][\"keep\"] == \"yes\"\n    keep(event[\"body\"], on)\n    return {\"statusCode\": 204}\n",
        );
        let all = routes(root);
        assert!(severity_of(&all, "ping").starts_with("low"), "{all:#?}");
        let books = severity_of(&all, "books");
        assert!(
            books.starts_with("high") && books.contains("pymongo"),
            "{all:#?}"
        );
        let upload = severity_of(&all, "upload");
        assert!(
            upload.starts_with("high") && upload.contains("s3:PutObject"),
            "{all:#?}"
        );
    }
}
// --- end issue 16 item 2: request reach (authfx) ---

// --- issue 16: severity follows what the route does when the code was not analysed (item 2
// of "authentication"): the deployment's grants (authbound items 1-2), Azure App Service
// Authentication (item 3), REST methods integrated directly with an AWS service (item 4) ---
mod route_reach_from_deployment {
    use serde_json::Value;

    use super::{json, run, write};

    /// Scans the files and returns the AUTH findings: (rule, severity, message, path).
    fn auth(files: &[(&str, &str)]) -> Vec<(String, String, String, String)> {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let r = json(&run(
            dir.path(),
            &["scan", "--no-cache", "--format", "json", "."],
        ));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("AUTH00"))
            .map(|f: &Value| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("rule"), s("severity"), s("message"), s("path"))
            })
            .collect()
    }

    /// The one AUTH001 finding: (severity, message).
    fn one(files: &[(&str, &str)]) -> (String, String) {
        let a: Vec<_> = auth(files)
            .into_iter()
            .filter(|f| f.0 == "AUTH001")
            .collect();
        assert_eq!(a.len(), 1, "{a:#?}");
        (a[0].1.clone(), a[0].2.clone())
    }

    const GO_HELLO: &str = "service: hello\nprovider:\n  name: aws\n  runtime: go1.x\nfunctions:\n  hello:\n    handler: bin/hello\n    events:\n      - http: { path: hello, method: get }\n";

    #[test]
    fn go_route_with_the_default_logging_role_is_medium() {
        let (sev, msg) = one(&[("serverless.yml", GO_HELLO)]);
        assert_eq!(sev, "medium", "{msg}");
        assert!(msg.contains("not analysed (runtime `go1.x`)"), "{msg}");
        assert!(msg.contains("its role grants no data access"), "{msg}");
    }

    #[test]
    fn go_route_whose_role_writes_a_table_stays_high() {
        let yml = GO_HELLO.replace(
            "  runtime: go1.x\n",
            "  runtime: go1.x\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ['logs:CreateLogStream', 'dynamodb:Query', 'dynamodb:PutItem']\n          Resource: '*'\n",
        );
        let (sev, msg) = one(&[("serverless.yml", &yml)]);
        assert_eq!(sev, "high", "{msg}");
        // The write is named, not the first action of the statement.
        assert!(msg.contains("its role allows `dynamodb:PutItem`"), "{msg}");
    }

    /// A SAM function in another language, with `policies` in place of `POLICIES`.
    fn sam(runtime: &str, policies: &str) -> String {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Table:\n    Type: AWS::Serverless::SimpleTable\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      Handler: Api::Api.Functions::Get\n      CodeUri: ./src/Api/\n      Policies:\n{policies}      Events:\n        Get:\n          Type: HttpApi\n          Properties: {{ Path: /items, Method: GET }}\n"
        )
    }

    #[test]
    fn dotnet_route_with_a_sam_policy_template_stays_high() {
        let t = sam(
            "dotnet8",
            "        - DynamoDBCrudPolicy:\n            TableName: !Ref Table\n",
        );
        let (sev, msg) = one(&[("template.yaml", &t)]);
        assert_eq!(sev, "high", "{msg}");
        assert!(msg.contains("runtime `dotnet8`"), "{msg}");
        assert!(msg.contains("its role allows `dynamodb:"), "{msg}");
    }

    #[test]
    fn dotnet_route_with_only_the_basic_execution_role_is_medium() {
        let t = sam("dotnet8", "        - AWSLambdaBasicExecutionRole\n");
        let (sev, msg) = one(&[("template.yaml", &t)]);
        assert_eq!(sev, "medium", "{msg}");
        assert!(msg.contains("its role grants no data access"), "{msg}");
    }

    #[test]
    fn generated_duplicate_descriptor_is_judged_with_the_deployed_one() {
        // A generated `serverless.template` in the code folder grants only logging; the
        // `template.yaml` that deploys the same handler from the same folder writes a table.
        let generated = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Transform\": \"AWS::Serverless-2016-10-31\",\n  \"Resources\": {\n    \"FnGenerated\": {\n      \"Type\": \"AWS::Serverless::Function\",\n      \"Properties\": {\n        \"Runtime\": \"dotnet8\",\n        \"CodeUri\": \".\",\n        \"Handler\": \"Api::Api.Functions::Get\",\n        \"Policies\": [\"AWSLambdaBasicExecutionRole\"],\n        \"Events\": { \"Get\": { \"Type\": \"HttpApi\", \"Properties\": { \"Path\": \"/items\", \"Method\": \"GET\" } } }\n      }\n    }\n  }\n}\n";
        let deployed = sam(
            "dotnet8",
            "        - DynamoDBCrudPolicy:\n            TableName: !Ref Table\n",
        );
        let a = auth(&[
            ("template.yaml", &deployed),
            ("src/Api/serverless.template", generated),
        ]);
        let dup = a
            .iter()
            .find(|f| f.3 == "src/Api/serverless.template")
            .unwrap_or_else(|| panic!("{a:#?}"));
        assert_eq!(dup.1, "high", "{a:#?}");
        assert!(
            dup.2.contains("`template.yaml` deploys the same handler")
                && dup.2.contains("dynamodb:"),
            "{a:#?}"
        );
        // Alone, the generated descriptor's route is medium.
        let (sev, _) = one(&[("src/Api/serverless.template", generated)]);
        assert_eq!(sev, "medium");
    }

    /// A synthesised CDK stack: a Node.js function whose code asset is not committed, its
    /// role, and `extra` resources and function properties.
    fn cdk(policy: &str, fn_props: &str, extra: &str) -> String {
        format!(
            "Resources:\n  FnRole:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Action: sts:AssumeRole\n            Effect: Allow\n            Principal: {{ Service: lambda.amazonaws.com }}\n      ManagedPolicyArns:\n        - !Join ['', ['arn:', !Ref AWS::Partition, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']]\n{policy}  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        S3Bucket: !Ref AssetBucket\n        S3Key: asset.zip\n      Handler: wall.handler\n      Runtime: nodejs18.x\n      Role: !GetAtt FnRole.Arn\n{fn_props}  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: api\n      ProtocolType: HTTP\n  Integration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Api\n      IntegrationType: AWS_PROXY\n      IntegrationUri: !GetAtt Fn.Arn\n      PayloadFormatVersion: '2.0'\n  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Api\n      RouteKey: $default\n      AuthorizationType: NONE\n      Target: !Join ['', ['integrations/', !Ref Integration]]\n{extra}"
        )
    }

    #[test]
    fn handler_not_found_with_a_logging_role_is_medium() {
        let (sev, msg) = one(&[("template.yaml", &cdk("", "", ""))]);
        assert_eq!(sev, "medium", "{msg}");
        assert!(
            msg.contains("not analysed (handler `wall.handler` not found)"),
            "{msg}"
        );
        assert!(msg.contains("its role grants no data access"), "{msg}");
    }

    #[test]
    fn handler_not_found_with_a_cdk_policy_that_starts_a_state_machine_stays_high() {
        let policy = "  FnRolePolicy:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      Roles: [!Ref FnRole]\n      PolicyDocument:\n        Statement:\n          - Action: states:StartExecution\n            Effect: Allow\n            Resource: !Ref Machine\n";
        let (sev, msg) = one(&[("template.yaml", &cdk(policy, "", ""))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("its role allows `states:StartExecution`"),
            "{msg}"
        );
    }

    #[test]
    fn handler_not_found_that_mounts_a_file_system_stays_high() {
        let props = "      FileSystemConfigs:\n        - Arn: !GetAtt AccessPoint.Arn\n          LocalMountPath: /mnt/wall\n";
        let extra = "  AccessPoint:\n    Type: AWS::EFS::AccessPoint\n    Properties:\n      FileSystemId: fs-1\n";
        let (sev, msg) = one(&[("template.yaml", &cdk("", props, extra))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("mounts the EFS file system `AccessPoint`"),
            "{msg}"
        );
    }

    #[test]
    fn handler_not_found_given_a_database_endpoint_stays_high() {
        let props = "      Environment:\n        Variables:\n          PROXY_HOST: !GetAtt Proxy.Endpoint\n";
        let extra =
            "  Proxy:\n    Type: AWS::RDS::DBProxy\n    Properties:\n      EngineFamily: MYSQL\n";
        let (sev, msg) = one(&[("template.yaml", &cdk("", props, extra))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("the database `Proxy` in `PROXY_HOST`"),
            "{msg}"
        );
        // In the database's VPC, without naming it: still high.
        let props =
            "      VpcConfig:\n        SubnetIds: [subnet-1]\n        SecurityGroupIds: [sg-1]\n";
        let (sev, msg) = one(&[("template.yaml", &cdk("", props, extra))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("runs in a VPC beside the database `Proxy`"),
            "{msg}"
        );
    }

    #[test]
    fn handler_not_found_with_a_role_defined_elsewhere_stays_high() {
        let t = cdk("", "", "").replace(
            "      Role: !GetAtt FnRole.Arn\n",
            "      Role: arn:aws:iam::123456789012:role/shared-lambda\n",
        );
        let (sev, msg) = one(&[("template.yaml", &t)]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("its role is defined outside the template"),
            "{msg}"
        );
    }

    #[test]
    fn customer_policy_named_like_the_basic_role_is_not_basic() {
        let t = cdk("", "", "").replace(
            "':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'",
            "':iam::123456789012:policy/AWSLambdaBasicExecutionRole'",
        );
        let (sev, _) = one(&[("template.yaml", &t)]);
        assert_eq!(sev, "high");
    }

    #[test]
    fn handler_not_found_given_a_connection_string_stays_high() {
        let props = "      Environment:\n        Variables:\n          STORE: mongodb+srv://app@cluster0.example.net/shop\n";
        let (sev, msg) = one(&[("template.yaml", &cdk("", props, ""))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(msg.contains("connection string in `STORE`"), "{msg}");
    }

    // --- item 3: Azure App Service Authentication ---

    const HTTP_ANONYMOUS: &str = "{\n  \"bindings\": [\n    { \"type\": \"httpTrigger\", \"direction\": \"in\", \"name\": \"req\", \"authLevel\": \"anonymous\", \"route\": \"items/{id}\" },\n    { \"type\": \"http\", \"direction\": \"out\", \"name\": \"$return\" }\n  ]\n}\n";
    const HANDLER: &str = "const { CosmosClient } = require('@azure/cosmos');\nmodule.exports = async function (context, req) {\n  const db = new CosmosClient(process.env.COSMOS);\n  await db.database('d').container('c').items.upsert({ id: req.params.id, body: req.body });\n  context.res = { status: 200 };\n};\n";

    /// A Terraform function app for the package built in `folder`, with `auth` in its block.
    fn function_app(name: &str, folder: &str, auth: &str) -> String {
        format!(
            "locals {{\n  {name}_zip = \"./../{folder}/dist/function.zip\"\n}}\n\nresource \"azurerm_storage_blob\" \"{name}_zip\" {{\n  name                   = \"{name}.zip\"\n  storage_account_name   = \"store\"\n  storage_container_name = \"deploy\"\n  type                   = \"Block\"\n  source                 = local.{name}_zip\n}}\n\nresource \"azurerm_function_app\" \"{name}\" {{\n  name                = \"app-{name}\"\n  location            = \"westeurope\"\n  resource_group_name = \"rg\"\n{auth}  app_settings = {{\n    FUNCTIONS_WORKER_RUNTIME = \"node\"\n    WEBSITE_RUN_FROM_PACKAGE = \"https://store.blob.core.windows.net/deploy/${{azurerm_storage_blob.{name}_zip.name}}\"\n  }}\n}}\n"
        )
    }

    const LOGIN: &str = "  auth_settings {\n    enabled                       = true\n    default_provider              = \"AzureActiveDirectory\"\n    unauthenticated_client_action = \"RedirectToLoginPage\"\n  }\n";

    /// Two Azure function app folders (`services/api`, `services/jobs`), each with one
    /// anonymous HTTP function, and the Terraform (root `deployment`, module
    /// `deployment/services`) that hosts each in a function app, with `api_auth` and
    /// `jobs_auth` in their blocks.
    fn azure_project(api_auth: &str, jobs_auth: &str) -> Vec<(String, String)> {
        let mut files = vec![(
            "deployment/main.tf".to_owned(),
            "module \"services\" {\n  source = \"./services\"\n}\n".to_owned(),
        )];
        for (name, auth) in [("api", api_auth), ("jobs", jobs_auth)] {
            files.push((
                format!("deployment/services/{name}.tf"),
                function_app(name, &format!("services/{name}"), auth),
            ));
            files.push((
                format!("services/{name}/host.json"),
                "{ \"version\": \"2.0\" }\n".to_owned(),
            ));
            files.push((
                format!("services/{name}/Handler/function.json"),
                HTTP_ANONYMOUS.to_owned(),
            ));
            files.push((
                format!("services/{name}/Handler/index.js"),
                HANDLER.to_owned(),
            ));
        }
        files
    }

    /// The folders whose anonymous route AUTH001 reports.
    fn reported(files: &[(String, String)]) -> Vec<String> {
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let mut v: Vec<String> = auth(&refs)
            .into_iter()
            .filter(|f| f.0 == "AUTH001")
            .map(|f| f.3.split('/').take(2).collect::<Vec<_>>().join("/"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn anonymous_azure_function_behind_app_service_login_is_not_reported() {
        // `api`'s package runs in a function app that requires a login; `jobs`' in one that
        // does not: only `jobs` is reported.
        assert_eq!(reported(&azure_project(LOGIN, "")), ["services/jobs"]);
    }

    #[test]
    fn app_service_auth_that_allows_anonymous_callers_does_not_authenticate() {
        let anonymous = LOGIN.replace("RedirectToLoginPage", "AllowAnonymous");
        assert_eq!(
            reported(&azure_project(&anonymous, &anonymous)),
            ["services/api", "services/jobs"]
        );
        // Version 2 of the settings, login required.
        let v2 = "  auth_settings_v2 {\n    auth_enabled           = true\n    require_authentication = true\n    unauthenticated_action = \"Return401\"\n  }\n";
        assert!(reported(&azure_project(v2, v2)).is_empty());
    }

    #[test]
    fn function_app_of_another_project_does_not_authenticate_azure_functions() {
        // The Terraform hosts packages of other folders, in another project: no link.
        let mut files: Vec<(String, String)> = azure_project(LOGIN, LOGIN)
            .into_iter()
            .filter(|(p, _)| p.starts_with("services/"))
            .map(|(p, t)| (format!("one/{p}"), t))
            .collect();
        for (p, t) in azure_project(LOGIN, LOGIN) {
            if p.starts_with("deployment/") {
                files.push((format!("two/{p}"), t));
            }
        }
        assert_eq!(reported(&files), ["one/services", "one/services"]);
    }

    #[test]
    fn without_a_package_link_every_function_app_of_the_project_must_require_a_login() {
        let unlinked = |files: Vec<(String, String)>| -> Vec<(String, String)> {
            files
                .into_iter()
                .map(|(p, t)| {
                    let t = t
                        .lines()
                        .filter(|l| !l.contains("WEBSITE_RUN_FROM_PACKAGE"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    (p, t)
                })
                .collect()
        };
        assert!(reported(&unlinked(azure_project(LOGIN, LOGIN))).is_empty());
        assert_eq!(
            reported(&unlinked(azure_project(LOGIN, ""))),
            ["services/api", "services/jobs"]
        );
    }

    // --- item 4: REST methods integrated directly with an AWS service ---

    /// A REST API with one method on `/items` whose integration is `integration`, and
    /// `auth` as its `AuthorizationType`.
    fn rest(method: &str, auth: &str, integration: &str) -> String {
        format!(
            "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: direct\n  Items:\n    Type: AWS::ApiGateway::Resource\n    Properties:\n      RestApiId: !Ref Api\n      ParentId: !GetAtt Api.RootResourceId\n      PathPart: items\n  ItemsMethod:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !Ref Items\n      HttpMethod: {method}\n      AuthorizationType: {auth}\n      Integration:\n        Credentials: arn:aws:iam::123456789012:role/apigw-direct\n{integration}"
        )
    }

    const DYNAMO_PUT: &str = "        Type: AWS\n        IntegrationHttpMethod: POST\n        Uri: !Sub arn:aws:apigateway:${AWS::Region}:dynamodb:action/PutItem\n        RequestTemplates:\n          application/json: !Sub '{\"TableName\": \"${Table}\", \"Item\": {\"id\": {\"S\": \"$context.requestId\"}, \"body\": {\"S\": \"$input.body\"}}}'\n";

    #[test]
    fn unauthenticated_method_writing_a_table_directly_is_high() {
        let (sev, msg) = one(&[("template.yaml", &rest("POST", "NONE", DYNAMO_PUT))]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("route `POST /items` has no authorizer"),
            "{msg}"
        );
        assert!(msg.contains("calls `dynamodb:PutItem` directly"), "{msg}");
    }

    #[test]
    fn direct_integrations_name_the_action_of_a_path_uri() {
        let sqs = "        Type: AWS\n        IntegrationHttpMethod: POST\n        Uri: arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders\n        RequestParameters:\n          integration.request.querystring.Action: \"'SendMessage'\"\n          integration.request.querystring.MessageBody: method.request.body\n";
        let (_, msg) = one(&[("template.yaml", &rest("POST", "NONE", sqs))]);
        assert!(msg.contains("calls `sqs:SendMessage` directly"), "{msg}");
        let states = "        Type: AWS\n        IntegrationHttpMethod: POST\n        Uri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':states:action/StartExecution']]\n";
        let (_, msg) = one(&[("template.yaml", &rest("POST", "NONE", states))]);
        assert!(
            msg.contains("calls `states:StartExecution` directly"),
            "{msg}"
        );
        let sns = "        Type: AWS\n        IntegrationHttpMethod: POST\n        Uri: arn:aws:apigateway:us-east-1:sns:path//\n        RequestTemplates:\n          application/json: Action=Publish&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Message=$input.body\n";
        let (_, msg) = one(&[("template.yaml", &rest("POST", "NONE", sns))]);
        assert!(msg.contains("calls `sns:Publish` directly"), "{msg}");
    }

    #[test]
    fn direct_integration_behind_iam_or_a_mock_is_not_reported() {
        assert!(auth(&[("template.yaml", &rest("POST", "AWS_IAM", DYNAMO_PUT))]).is_empty());
        let mock = "        Type: MOCK\n        RequestTemplates:\n          application/json: '{\"statusCode\": 200}'\n";
        assert!(auth(&[("template.yaml", &rest("GET", "NONE", mock))]).is_empty());
        // CORS preflight on a direct integration.
        assert!(auth(&[("template.yaml", &rest("OPTIONS", "NONE", DYNAMO_PUT))]).is_empty());
    }

    #[test]
    fn terraform_method_integrated_directly_with_a_queue_is_reported() {
        let tf = "resource \"aws_api_gateway_rest_api\" \"api\" {\n  name = \"direct\"\n}\n\nresource \"aws_api_gateway_resource\" \"orders\" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id   = aws_api_gateway_rest_api.api.root_resource_id\n  path_part   = \"orders\"\n}\n\nresource \"aws_api_gateway_method\" \"post\" {\n  rest_api_id   = aws_api_gateway_rest_api.api.id\n  resource_id   = aws_api_gateway_resource.orders.id\n  http_method   = \"POST\"\n  authorization = \"NONE\"\n}\n\nresource \"aws_api_gateway_integration\" \"post\" {\n  rest_api_id             = aws_api_gateway_rest_api.api.id\n  resource_id             = aws_api_gateway_resource.orders.id\n  http_method             = aws_api_gateway_method.post.http_method\n  type                    = \"AWS\"\n  integration_http_method = \"POST\"\n  uri                     = \"arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders\"\n  request_parameters = {\n    \"integration.request.querystring.Action\" = \"'SendMessage'\"\n  }\n}\n";
        let (sev, msg) = one(&[("main.tf", tf)]);
        assert_eq!(sev, "high", "{msg}");
        assert!(
            msg.contains("route `POST /orders`") && msg.contains("`sqs:SendMessage`"),
            "{msg}"
        );
    }
}
// --- end issue 16: severity from the deployment (authbound) ---

// --- issue 16, item 1, last bullet: credentials built from constants (constfold) ---

mod folded_secrets {
    use super::{json, run, write};

    const SERVERLESS: &str = "\
service: folded
provider:
  name: aws
  runtime: nodejs22.x
functions:
  api:
    handler: handler.main
    events:
      - httpApi: 'GET /'
";

    const HANDLER: &str = "\
const https = require('https');
exports.main = async () => {
  const auth = 'Basic ' + Buffer.from('admin' + ':' + '8e254ed4c1f9a0b7').toString('base64');
  const docs = `Bearer ${'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'}`;
  const seed = 'Basic ' + 'user:8e254ed4';
  return https.request({ host: 'api.example.com', headers: { auth, docs, seed } });
};
";

    /// `(line, message)` of the SEC006 findings.
    fn sec006(dir: &std::path::Path) -> Vec<(u64, String)> {
        let r = json(&run(dir, &["scan", ".", "--format", "json", "--no-cache"]));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "SEC006")
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn basic_credentials_encoded_from_concatenated_literals_are_reported_once_at_the_expression() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "serverless.yml", SERVERLESS);
        write(dir.path(), "handler.js", HANDLER);
        let found = sec006(dir.path());
        let lines: Vec<u64> = found.iter().map(|(l, _)| *l).collect();
        // Line 3 folded and encoded; line 4 is Stripe's documented example key, not a leak;
        // line 5 (the seeds' example) is reported once, by the file scan.
        assert_eq!(lines, [3, 5], "{found:#?}");
        assert!(found[0].1.contains("`auth`"), "{found:#?}");
    }

    #[test]
    fn the_same_credential_in_a_test_folder_is_quiet() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "serverless.yml",
            &SERVERLESS.replace("handler.main", "tests/handler.main"),
        );
        write(dir.path(), "tests/handler.js", HANDLER);
        let found = sec006(dir.path());
        assert!(found.iter().all(|(l, _)| *l != 3), "{found:#?}");
    }
}
// --- end issue 16, item 1 (constfold) ---

// --- issue 16: the SDK-to-IAM model (item 5) ---

mod sdk_to_iam {
    use std::path::PathBuf;

    use perimeter::engine::{self, Options};
    use perimeter_code::{FunctionSummary, ResourceExpr, SdkCall};
    use perimeter_graph::AppGraph;
    use perimeter_graph::policy::{FunctionPolicy, PolicyResource, policies};
    use perimeter_graph::privilege::{action_matches, actions_for};
    use perimeter_model::{Application, Function, Node};

    use super::{json, run};

    const REGION: &str = "eu-west-1";
    const ACCOUNT: &str = "123456789012";

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/sdkiam/{name}"))
    }

    /// The physical name of a resource of the template: its name property, else its id.
    fn physical(app: &Application, id: &str) -> String {
        const NAMES: &[&str] = &[
            "TableName",
            "BucketName",
            "QueueName",
            "TopicName",
            "RoleName",
            "FunctionName",
        ];
        app.resource(id)
            .and_then(|r| NAMES.iter().find_map(|p| r.prop(p).and_then(Node::as_str)))
            .unwrap_or(id)
            .to_owned()
    }

    /// The ARN a deployed resource of the template gets.
    fn deployed_arn(app: &Application, id: &str) -> String {
        let name = physical(app, id);
        let ty = app.resource(id).map_or("", |r| r.type_name.as_str());
        match ty {
            "AWS::DynamoDB::Table" => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"),
            "AWS::S3::Bucket" => format!("arn:aws:s3:::{name}"),
            "AWS::SQS::Queue" => format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"),
            "AWS::SNS::Topic" => format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"),
            "AWS::IAM::Role" => format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            other => panic!("no ARN for {id} ({other})"),
        }
    }

    /// The resource of the template a name or an ARN designates.
    fn by_name(app: &Application, text: &str) -> Option<String> {
        let name = text.rsplit([':', '/']).next().unwrap_or(text);
        app.resources
            .iter()
            .find(|r| r.id == name || physical(app, &r.id) == name)
            .map(|r| r.id.clone())
    }

    /// The ARN of what one recorded call reaches, worked out from the call and the descriptor
    /// alone (not from the policy generator): `None` when the code does not say.
    fn request_arn(
        app: &Application,
        f: &Function,
        call: &SdkCall,
        action: &str,
    ) -> Option<String> {
        let base = match &call.resource {
            ResourceExpr::Env(var) => {
                let value = &f.env(var)?.value;
                let id = value
                    .referenced_ids()
                    .first()
                    .cloned()
                    .or_else(|| value.as_str().and_then(|t| by_name(app, t)))?;
                deployed_arn(app, &id)
            }
            ResourceExpr::Literal(s) => match by_name(app, s) {
                Some(id) => deployed_arn(app, &id),
                None if s.starts_with("arn:") => s.clone(),
                // A resource outside the template, by name.
                None => match call.service.as_str() {
                    "lambda" => format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{s}"),
                    "dynamodb" => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{s}"),
                    "s3" => format!("arn:aws:s3:::{s}"),
                    "sqs" => format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{s}"),
                    _ => return None,
                },
            },
            _ => return None,
        };
        let verb = action.split(':').nth(1).unwrap_or("");
        let object = action.starts_with("s3:")
            && (verb.contains("Object") || verb == "AbortMultipartUpload");
        if object {
            let key = match &call.key {
                Some(ResourceExpr::Literal(k)) => k.clone(),
                Some(ResourceExpr::Pattern(p)) => p.replace('*', "x"),
                _ => "some/key".to_owned(),
            };
            return Some(format!("{base}/{key}"));
        }
        if let (Some(index), true) = (&call.index, action.starts_with("dynamodb:")) {
            return Some(format!("{base}/index/{index}"));
        }
        Some(base)
    }

    /// A generated policy resource, as the ARN pattern it is once deployed.
    fn deployed_pattern(app: &Application, r: &PolicyResource) -> String {
        match r {
            PolicyResource::Any => "*".to_owned(),
            PolicyResource::Arn(a) => a.clone(),
            PolicyResource::GetAttArn(id) | PolicyResource::Ref(id) => deployed_arn(app, id),
            PolicyResource::ObjectsOf(id) => format!("{}/*", deployed_arn(app, id)),
            PolicyResource::IndexOf(id, index) => {
                format!("{}/index/{index}", deployed_arn(app, id))
            }
        }
    }

    /// Whether the policy allows the action on the resource (`None`: the code does not say
    /// which, so only a grant on every resource allows it).
    fn allows(app: &Application, p: &FunctionPolicy, action: &str, arn: Option<&str>) -> bool {
        p.statements.iter().any(|s| {
            s.actions.iter().any(|a| action_matches(a, action))
                && s.resources.iter().any(|r| {
                    let pattern = deployed_pattern(app, r);
                    match arn {
                        Some(arn) => action_matches(&pattern, arn),
                        None => pattern == "*",
                    }
                })
        })
    }

    struct Checked {
        requests: usize,
        scoped: usize,
        incomplete: Vec<String>,
    }

    /// Evaluates each generated policy of a fixture app against every call its code makes.
    fn check(name: &str) -> Checked {
        let scan = engine::load(&fixture(name), &Options::default());
        assert_eq!(scan.apps.len(), 1, "{:?}", scan.errors);
        let app = &scan.apps[0];
        let graph = AppGraph::build(app, &scan.summaries[0]);
        let mut out = Checked {
            requests: 0,
            scoped: 0,
            incomplete: Vec::new(),
        };
        for p in policies(&graph) {
            let f = app.function(&p.function).unwrap();
            let summary: &FunctionSummary = graph.summary(&f.id).unwrap();
            assert!(p.analysed && summary.handler.is_some(), "{}", f.id);
            assert!(summary.errors.is_empty(), "{}: {:?}", f.id, summary.errors);
            let aws: Vec<&SdkCall> = summary.sdk_calls.iter().filter(|c| c.is_aws()).collect();
            assert!(!aws.is_empty(), "{}: no SDK call recognised", f.id);
            if !p.unresolved.is_empty() {
                out.incomplete.push(f.id.clone());
            }
            for call in aws {
                if call.is_dynamic() {
                    assert!(!p.unresolved.is_empty(), "{}: a dynamic call", f.id);
                    continue;
                }
                for action in actions_for(&call.service, &call.operation).0 {
                    let arn = request_arn(app, f, call, &action);
                    assert!(
                        allows(app, &p, &action, arn.as_deref()),
                        "{}: the generated policy does not allow {action} on {arn:?} ({}:{}): {:#?}",
                        f.id,
                        call.loc.path(),
                        call.loc.start().line,
                        p.statements
                    );
                    out.requests += 1;
                    if let Some(arn) = &arn
                        && !allows(app, &p, &action, None)
                    {
                        // Granted on the resource, not on every resource.
                        let _ = arn;
                        out.scoped += 1;
                    }
                }
            }
        }
        out
    }

    /// What the code of each fixture function needs: each SDK form recognised, mapped to its
    /// actions, with the dependent ones.
    const NEEDED: &[(&str, &[&str])] = &[
        (
            "tableResource",
            &[
                "dynamodb:BatchWriteItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "bucketResource",
            &[
                "s3:AbortMultipartUpload",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:PutObject",
            ],
        ),
        (
            "objectResource",
            &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        ),
        ("queueTopicResource", &["sns:Publish", "sqs:SendMessage"]),
        (
            "pynamo",
            &[
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "transfer",
            &["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
        ),
        ("presign", &["s3:GetObject", "s3:PutObject"]),
        (
            "orchestrate",
            &[
                "iam:PassRole",
                "lambda:CreateFunction",
                "states:CreateStateMachine",
            ],
        ),
        ("dynamic", &["dynamodb:PutItem"]),
        (
            "documentV2",
            &[
                "dynamodb:BatchWriteItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:TransactWriteItems",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "documentV3",
            &[
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "dynamoose",
            &[
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "uploadV2",
            &["s3:AbortMultipartUpload", "s3:ListBucket", "s3:PutObject"],
        ),
        ("presignV2", &["s3:PutObject"]),
        ("presignV3", &["s3:GetObject", "s3:PutObject"]),
    ];

    #[test]
    fn each_sdk_form_of_the_fixtures_needs_its_actions() {
        for name in ["py", "js"] {
            let scan = engine::load(&fixture(name), &Options::default());
            let app = &scan.apps[0];
            let graph = AppGraph::build(app, &scan.summaries[0]);
            for f in &app.functions {
                let summary = graph.summary(&f.id).unwrap();
                let mut needed: Vec<String> = perimeter_graph::privilege::needs(app, f, summary)
                    .into_iter()
                    .map(|n| n.action)
                    .collect();
                needed.dedup();
                let expected: Vec<&str> = match (name, f.id.as_str()) {
                    ("js", "orchestrate") => vec![
                        "ecs:RunTask",
                        "glue:CreateJob",
                        "iam:PassRole",
                        "states:CreateStateMachine",
                    ],
                    (_, id) => NEEDED.iter().find(|(n, _)| *n == id).unwrap().1.to_vec(),
                };
                assert_eq!(needed, expected, "{name} {}", f.id);
            }
        }
    }

    #[test]
    fn every_generated_policy_grants_every_action_the_code_needs() {
        let py = check("py");
        let js = check("js");
        // Each form of the fixtures is a call checked; nearly all are scoped to a resource.
        assert!(py.requests >= 35, "python: {}", py.requests);
        assert!(js.requests >= 33, "javascript: {}", js.requests);
        // Unscoped: the state machine created, the task run and the job created by name.
        assert!(
            py.scoped >= 34 && js.scoped >= 30,
            "{} {}",
            py.scoped,
            js.scoped
        );
        assert_eq!(py.incomplete, ["dynamic"]);
        assert_eq!(js.incomplete, ["dynamic"]);
    }

    #[test]
    fn a_call_that_passes_a_role_needs_pass_role_on_that_role() {
        for name in ["py", "js"] {
            let out = run(&fixture(name), &["policy", "--no-cache"]);
            let v = json(&out);
            let p = v
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["function"] == "orchestrate")
                .unwrap();
            let pass = p["policy"]["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Action"] == serde_json::json!(["iam:PassRole"]))
                .unwrap_or_else(|| panic!("{p:#}"));
            let roles = pass["Resource"].as_array().unwrap();
            assert!(
                roles.contains(&serde_json::json!("arn:aws:iam::*:role/flow-role")),
                "{p:#}"
            );
            assert!(!roles.contains(&serde_json::json!("*")), "{p:#}");
        }
    }

    #[test]
    fn a_query_on_an_index_is_granted_on_the_index() {
        let out = run(&fixture("js"), &["policy", "--no-cache"]);
        let v = json(&out);
        for f in ["documentV2", "documentV3"] {
            let p = v
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["function"] == f)
                .unwrap();
            let query = p["policy"]["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Action"] == serde_json::json!(["dynamodb:Query"]))
                .unwrap_or_else(|| panic!("{p:#}"));
            assert_eq!(
                query["Resource"],
                serde_json::json!([{"Fn::Sub": "${OrdersTable.Arn}/index/by-email"}]),
                "{p:#}"
            );
        }
    }

    const ROLE_APP: &str = "\
service: unused
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    TABLE: !Ref Orders
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:PutItem, dynamodb:Scan]
          Resource: !GetAtt Orders.Arn
functions:
  save:
    handler: handler.save
resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders
";

    fn unused(code: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        super::write(dir.path(), "serverless.yml", ROLE_APP);
        super::write(dir.path(), "handler.js", code);
        let out = run(dir.path(), &["scan", "--format", "json", "--no-cache", "."]);
        let v = json(&out);
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "IAM010")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn no_grant_is_called_unused_when_a_call_is_not_resolved() {
        let put = "const AWS = require('aws-sdk');\n\
const db = new AWS.DynamoDB.DocumentClient();\n\
exports.save = async (event) => {\n\
  await db.put({ TableName: process.env.TABLE, Item: { id: '1' } }).promise();\n";
        // True case: the code only writes, so Scan is unused.
        let resolved = unused(&format!("{put}}};\n"));
        assert!(
            resolved.iter().any(|m| m.contains("dynamodb:Scan")),
            "{resolved:?}"
        );
        // The operation is chosen at run time: the verdict is incomplete, not \"unused\".
        let dynamic = unused(&format!(
            "{put}  await db[event.op]({{ TableName: process.env.TABLE }}).promise();\n}};\n"
        ));
        assert!(dynamic.is_empty(), "{dynamic:?}");
    }
}
// --- end issue 16: the SDK-to-IAM model (item 5) ---

// --- issue 16 item 2: a provider's verification awaited or chained in the check (lead) ---

mod awaited_verification {
    use super::{json, run, write};

    const SERVERLESS: &str = "service: hooks
provider:
  name: aws
  runtime: nodejs20.x
functions:
  hook:
    handler: index.handler
    events:
      - http: { path: hook, method: post }
";

    fn handler(check: &str) -> String {
        format!(
            r#"const {{ Webhooks }} = require('@octokit/webhooks');
const {{ EventBridgeClient, PutEventsCommand }} = require('@aws-sdk/client-eventbridge');

const bus = new EventBridgeClient({{}});

class HttpError extends Error {{
  constructor(status, message) {{
    super(message);
    this.status = status;
  }}
}}

async function checkSender(headers, payload) {{
  const hooks = new Webhooks({{ secret: process.env.HOOK_SECRET }});
{check}
}}

exports.handler = async (event) => {{
  try {{
    await checkSender(event.headers, event.body);
    await bus.send(new PutEventsCommand({{ Entries: [{{ Source: 'hooks', DetailType: 'push', Detail: event.body }}] }}));
    return {{ statusCode: 202 }};
  }} catch (e) {{
    return {{ statusCode: e.status || 500, body: 'rejected' }};
  }}
}};
"#
        )
    }

    fn auth001(check: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "serverless.yml", SERVERLESS);
        write(dir.path(), "index.js", &handler(check));
        let r = json(&run(dir.path(), &["scan", ".", "--format", "json"]));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f| f["severity"].as_str().unwrap().to_owned())
            .collect()
    }

    /// `if (await hooks.verify(...).catch(...)) { ... } else { throw 401 }` in a helper the
    /// handler calls before it writes: the route is authenticated in code.
    #[test]
    fn an_awaited_provider_verification_in_a_helper_guards_the_route() {
        let check = "  if (await hooks.verify(payload, headers['x-hub-signature-256']).catch(() => false)) {
    return true;
  } else {
    throw new HttpError(401, 'bad signature');
  }";
        assert_eq!(auth001(check), ["low"]);
    }

    /// The same verification whose answer nobody checks protects nothing.
    #[test]
    fn a_verification_whose_answer_is_ignored_stays_high() {
        let check =
            "  await hooks.verify(payload, headers['x-hub-signature-256']).catch(() => false);";
        assert_eq!(auth001(check), ["high"]);
    }
}
// --- end issue 16 item 2 (awaited verification) ---

// --- pipeline (session 8): issue 18 item 1, one pipeline for every command ---
// `--diff` scans its base with the dependency check, each scanned folder is judged by its
// own perimeter.toml, each application's graph is built once, and the HTML report embeds the
// map `perimeter map --format json` prints.
mod pipeline {
    use std::path::Path;
    use std::process::Command;

    use perimeter::pipeline::{Pipeline, Products, Settings};
    use serde_json::Value;

    use super::{json, run, write};

    const WILDCARD_ROLE: &str = "\
service: s
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
  one:
    handler: handler.one
    events:
      - httpApi: 'GET /one'
";

    fn app(root: &Path) {
        write(root, "serverless.yml", WILDCARD_ROLE);
        write(
            root,
            "handler.js",
            "exports.one = async () => ({ statusCode: 200 });\n",
        );
    }

    fn git(dir: &Path, args: &[&str]) {
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
    }

    /// The rules and paths of a report's findings.
    fn found(report: &Value) -> Vec<(String, String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    const NODE_UUID: &str = r#"{"id":"GHSA-265q-28rp-chq5","modified":"2023-01-01T00:00:00Z",
 "summary":"Insecure Entropy Source in node-uuid",
 "affected":[{"package":{"ecosystem":"npm","name":"node-uuid"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.4.4"}]}]}],
 "database_specific":{"severity":"MODERATE"}}"#;
    const QS: &str = r#"{"id":"GHSA-gqgv-6jq5-jjj9","modified":"2023-01-01T00:00:00Z",
 "summary":"Prototype Pollution Protection Bypass in qs",
 "affected":[{"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"6.3.0"},{"fixed":"6.3.2"}]}]}],
 "database_specific":{"severity":"HIGH"}}"#;

    fn lockfile(packages: &[(&str, &str)]) -> String {
        let deps: Vec<String> = packages
            .iter()
            .map(|(n, v)| format!("\"{n}\": \"{v}\""))
            .collect();
        let entries: Vec<String> = packages
            .iter()
            .map(|(n, v)| format!("\"node_modules/{n}\": {{ \"version\": \"{v}\" }}"))
            .collect();
        format!(
            "{{ \"lockfileVersion\": 3, \"packages\": {{\n  \"\": {{ \"dependencies\": {{ {} }} }},\n  {}\n}} }}\n",
            deps.join(", "),
            entries.join(",\n  ")
        )
    }

    /// The base revision of `--diff` was scanned without the dependency check, so each
    /// advisory it already had was reported as new. Only the dependency added since is.
    #[test]
    fn diff_does_not_report_unchanged_dependency_advisories_as_new() {
        let work = tempfile::tempdir().unwrap();
        let records = work.path().join("records");
        write(&records, "node-uuid.json", NODE_UUID);
        write(&records, "qs.json", QS);
        let db = work.path().join("db");
        let db = db.to_str().unwrap();
        let imported = run(work.path(), &["db", "import", "records", "--db", db]);
        assert!(imported.status.success(), "{imported:?}");
        let repo = work.path().join("repo");
        app(&repo);
        write(
            &repo,
            "package-lock.json",
            &lockfile(&[("node-uuid", "1.4.3")]),
        );
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-qm", "base"]);
        let scan = |extra: &[&str]| {
            let mut args = vec!["scan", ".", "--no-cache", "--format", "json", "--db", db];
            args.extend_from_slice(extra);
            json(&run(&repo, &args))
        };
        let deps = |report: &Value| -> Vec<String> {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "DEP001")
                .map(|f| f["message"].as_str().unwrap().to_owned())
                .collect()
        };
        // The advisory is there, and nothing changed: nothing is new.
        assert_eq!(deps(&scan(&[])).len(), 1);
        assert!(deps(&scan(&["--diff", "main"])).is_empty());
        // A dependency added since the base is new; the old one still is not.
        write(
            &repo,
            "package-lock.json",
            &lockfile(&[("node-uuid", "1.4.3"), ("qs", "6.3.1")]),
        );
        let all = deps(&scan(&[]));
        assert_eq!(all.len(), 2, "{all:?}");
        let new = deps(&scan(&["--diff", "main"]));
        assert_eq!(new.len(), 1, "{new:?}");
        assert!(new[0].contains("qs"), "{new:?}");
    }

    /// Several folders scanned at once were all judged by the first one's perimeter.toml:
    /// its ignored rules and severities applied to the others, and the others' to nothing.
    #[test]
    fn each_scanned_path_uses_its_own_perimeter_toml() {
        let work = tempfile::tempdir().unwrap();
        for name in ["quiet", "strict", "plain"] {
            app(&work.path().join(name));
        }
        write(
            work.path(),
            "quiet/perimeter.toml",
            "ignore = [\"IAM001\"]\n",
        );
        write(
            work.path(),
            "strict/perimeter.toml",
            "[severity]\nIAM001 = \"critical\"\n",
        );
        let iam = |order: &[&str]| -> Vec<(String, String)> {
            let mut args = vec!["scan", "--no-cache", "--format", "json"];
            args.extend_from_slice(order);
            found(&json(&run(work.path(), &args)))
                .into_iter()
                .filter(|(rule, _, _)| rule == "IAM001")
                .map(|(_, path, severity)| (path, severity))
                .collect()
        };
        let want = vec![
            ("plain/serverless.yml".to_owned(), "high".to_owned()),
            ("strict/serverless.yml".to_owned(), "critical".to_owned()),
        ];
        // Whichever folder comes first.
        assert_eq!(iam(&["quiet", "strict", "plain"]), want);
        assert_eq!(iam(&["plain", "quiet", "strict"]), want);
        assert_eq!(iam(&["strict", "plain", "quiet"]), want);
    }

    /// One run of the pipeline builds each application's graph once, whatever it is asked
    /// for: the rules, the map and the policies read the same graph.
    #[test]
    fn the_graph_is_built_once_per_application() {
        let work = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c"] {
            app(&work.path().join(name));
        }
        let everything = Products {
            findings: true,
            dependencies: true,
            map: true,
            policies: true,
        };
        let outcome = Pipeline::new(Settings::default(), everything).run(work.path());
        assert_eq!(outcome.scan.apps.len(), 3);
        assert_eq!(outcome.graphs_built, 3);
        assert_eq!(outcome.maps.len(), 3);
        assert_eq!(outcome.policies.len(), 3);
        assert!(outcome.findings.iter().any(|f| f.rule == "IAM001"));
        // Loading alone builds none.
        let model = Pipeline::new(Settings::default(), Products::default()).run(work.path());
        assert_eq!(model.graphs_built, 0);
        assert!(model.findings.is_empty());
        // No caller outside the pipeline links applications or chains the stages.
        let sources = [
            ("main.rs", include_str!("../src/main.rs")),
            ("lsp.rs", include_str!("../src/lsp.rs")),
            ("diff.rs", include_str!("../src/diff.rs")),
            ("pipeline.rs", include_str!("../src/pipeline.rs")),
            ("engine.rs", include_str!("../src/engine.rs")),
        ];
        for (name, text) in sources {
            let builds = text.matches("AppGraph::build").count();
            assert_eq!(builds, usize::from(name == "engine.rs"), "{name}");
            let loads = text.matches("engine::load(").count();
            assert_eq!(loads, usize::from(name == "pipeline.rs"), "{name}");
        }
    }

    /// The HTML report's map was the map's JSON text parsed back; it is now the value the
    /// map command prints, and equal to it.
    #[test]
    fn html_report_embeds_the_map_the_map_command_prints() {
        let work = tempfile::tempdir().unwrap();
        for name in ["a", "b"] {
            app(&work.path().join(name));
        }
        let html = run(
            work.path(),
            &["scan", ".", "--no-cache", "--format", "html"],
        );
        let html = String::from_utf8(html.stdout).unwrap();
        let start = "<script type=\"application/json\" id=\"data\">";
        let at = html.find(start).unwrap() + start.len();
        let end = at + html[at..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&html[at..end]).unwrap();
        let map = run(work.path(), &["map", ".", "--no-cache", "--format", "json"]);
        let map: Value = serde_json::from_slice(&map.stdout).unwrap();
        assert_eq!(map["apps"].as_array().unwrap().len(), 2);
        assert_eq!(data["map"], map);
    }
}
// --- end pipeline (session 8) ---

// --- purpose (session 8): payment notifications verified by a post-back or a decryption
// with the merchant's key, webhooks whose code runs on a custom runtime or is not analysed,
// branches only another trigger's event takes ---
mod purpose_session8 {
    use std::process::Command;

    use serde_json::Value;

    use super::write;

    /// Scans an application made of `files`; the AUTH001 findings as (severity, message).
    fn auth001(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .args(["scan", "--no-cache", "--format", "json", "."])
            .current_dir(dir.path())
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_owned(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// A Serverless service of one function on `runtime` behind `route`, whose role writes a
    /// table.
    fn serverless(runtime: &str, route: &str) -> String {
        format!(
            "service: shop\nprovider:\n  name: aws\n  runtime: {runtime}\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: ['dynamodb:PutItem']\n          Resource: '*'\nfunctions:\n  notify:\n    handler: handler.main\n    events:\n      - httpApi: '{route}'\n"
        )
    }

    fn py(route: &str, code: &str) -> Vec<(String, String)> {
        auth001(&[
            ("serverless.yml", &serverless("python3.12", route)),
            ("handler.py", code),
        ])
    }

    fn js(route: &str, code: &str) -> Vec<(String, String)> {
        auth001(&[
            ("serverless.yml", &serverless("nodejs20.x", route)),
            ("handler.js", code),
        ])
    }

    fn severities(found: &[(String, String)]) -> Vec<&str> {
        found.iter().map(|(s, _)| s.as_str()).collect()
    }

    const PY_POST_BACK: &str = r#"import os
import boto3
import requests

ledger = boto3.resource("dynamodb").Table(os.environ["LEDGER"])
CHECK_URL = "https://ipnpb.example-gateway.com/validate"


def main(event, context):
    raw = event["body"]
    answer = requests.post(CHECK_URL, data="cmd=validate&" + raw, timeout=10)
    if answer.text != "VERIFIED":
        return {"statusCode": 400}
    ledger.put_item(Item={"notice": raw, "state": "paid"})
    return {"statusCode": 200}
"#;

    /// A payment notification posted back to its gateway, whose answer is checked before
    /// anything is recorded, is public by purpose.
    #[test]
    fn payment_notification_posted_back_before_recording_is_low() {
        let found = py("POST /billing/paypal-notify", PY_POST_BACK);
        assert_eq!(severities(&found), ["low"], "{found:?}");
        assert!(found[0].1.contains("payment notification"), "{found:?}");
        assert!(
            found[0].1.contains("posts the notification back"),
            "{found:?}"
        );
    }

    /// The same notification recorded without any verification stays high.
    #[test]
    fn payment_notification_recorded_without_verification_stays_high() {
        let code = r#"import os
import boto3

ledger = boto3.resource("dynamodb").Table(os.environ["LEDGER"])


def main(event, context):
    ledger.put_item(Item={"notice": event["body"], "state": "paid"})
    return {"statusCode": 200}
"#;
        assert_eq!(
            severities(&py("POST /billing/paypal-notify", code)),
            ["high"]
        );
    }

    /// A post-back whose answer is compared with nothing verifies nothing.
    #[test]
    fn payment_post_back_whose_answer_is_ignored_stays_high() {
        let code = PY_POST_BACK.replace(
            "    if answer.text != \"VERIFIED\":\n        return {\"statusCode\": 400}\n",
            "",
        );
        assert_eq!(
            severities(&py("POST /billing/paypal-notify", &code)),
            ["high"]
        );
    }

    /// A write made before the post-back is reachable by anyone: medium, said so.
    #[test]
    fn payment_notification_written_before_its_post_back_is_medium() {
        let code = PY_POST_BACK.replace(
            "    answer = requests.post(",
            "    ledger.put_item(Item={\"notice\": raw, \"state\": \"received\"})\n    answer = requests.post(",
        );
        let found = py("POST /billing/paypal-notify", &code);
        assert_eq!(severities(&found), ["medium"], "{found:?}");
        assert!(found[0].1.contains("before that check"), "{found:?}");
    }

    /// The verification is only trusted for a route named as a payment callback: the same
    /// code behind an ordinary route stays high.
    #[test]
    fn post_back_behind_an_ordinary_route_stays_high() {
        assert_eq!(severities(&py("POST /items", PY_POST_BACK)), ["high"]);
    }

    /// A gateway's return whose payload is decrypted with the merchant's key (Fernet, the
    /// key from the environment) before it is recorded.
    #[test]
    fn payment_return_decrypted_with_the_merchants_key_is_low() {
        let code = r#"import os
import boto3
from cryptography.fernet import Fernet

orders = boto3.client("dynamodb")


def main(event, context):
    box = Fernet(os.environ["MERCHANT_KEY"])
    clear = box.decrypt(event["body"].encode())
    orders.put_item(TableName="orders", Item={"paid": {"S": clear.decode()}})
    return {"statusCode": 302, "headers": {"Location": "/thanks"}}
"#;
        let found = py("POST /checkout/return", code);
        assert_eq!(severities(&found), ["low"], "{found:?}");
        assert!(
            found[0].1.contains("decrypts the notification"),
            "{found:?}"
        );
    }

    /// A decryption keyed by what the caller sends proves nothing.
    #[test]
    fn payment_return_decrypted_with_the_callers_key_stays_high() {
        let code = r#"import json
import boto3
from cryptography.fernet import Fernet

orders = boto3.client("dynamodb")


def main(event, context):
    body = json.loads(event["body"])
    clear = Fernet(body["key"]).decrypt(body["data"].encode())
    orders.put_item(TableName="orders", Item={"paid": {"S": clear.decode()}})
    return {"statusCode": 200}
"#;
        assert_eq!(severities(&py("POST /checkout/return", code)), ["high"]);
    }

    /// JavaScript: a gateway callback decrypted with `createDecipheriv` keyed from the
    /// environment, before the order is written.
    #[test]
    fn js_gateway_callback_deciphered_with_a_server_key_is_low() {
        let code = r#"const crypto = require('crypto');
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});
const KEY = Buffer.from(process.env.GATEWAY_WORKING_KEY, 'hex');

exports.main = async (event) => {
  const form = new URLSearchParams(event.body);
  const decipher = crypto.createDecipheriv('aes-128-cbc', KEY, Buffer.alloc(16));
  const clear = decipher.update(form.get('encResp'), 'hex', 'utf8') + decipher.final('utf8');
  await db.send(new PutItemCommand({ TableName: 'orders', Item: { status: { S: clear } } }));
  return { statusCode: 200 };
};
"#;
        let found = js("POST /pay/callback", code);
        assert_eq!(severities(&found), ["low"], "{found:?}");
    }

    /// JavaScript: an IPN listener that records the notice as it came stays high.
    #[test]
    fn js_ipn_writing_the_body_unverified_stays_high() {
        let code = r#"const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});

exports.main = async (event) => {
  await db.send(new PutItemCommand({ TableName: 'orders', Item: { notice: { S: event.body } } }));
  return { statusCode: 200 };
};
"#;
        assert_eq!(severities(&js("POST /ipn", code)), ["high"]);
    }

    /// JavaScript: the notice posted back with axios, recorded only when the gateway answers
    /// that it sent it.
    #[test]
    fn js_ipn_posted_back_with_axios_is_low() {
        let code = r#"const axios = require('axios');
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const db = new DynamoDBClient({});

exports.main = async (event) => {
  const reply = await axios.post('https://ipn.example-gateway.com/cgi/validate', `cmd=check&${event.body}`);
  if (reply.data === 'VERIFIED') {
    await db.send(new PutItemCommand({ TableName: 'orders', Item: { notice: { S: event.body } } }));
  }
  return { statusCode: 200 };
};
"#;
        let found = js("POST /ipn", code);
        assert_eq!(severities(&found), ["low"], "{found:?}");
    }

    /// A SAM function on a custom runtime behind `path`, handler `index.handler`, whose
    /// role writes a table.
    fn sam_custom(path: &str, runtime: &str) -> String {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      CodeUri: src/\n      Handler: index.handler\n      Policies:\n        - DynamoDBCrudPolicy:\n            TableName: builds\n      Events:\n        Push:\n          Type: Api\n          Properties:\n            Path: {path}\n            Method: POST\n"
        )
    }

    const JS_SIGNED_HOOK: &str = r#"const crypto = require('crypto');
const AWS = require('aws-sdk');
const ddb = new AWS.DynamoDB.DocumentClient();

exports.handler = function (event, context, cb) {
  if (event.RequestType === 'Create') {
    ddb.put({ TableName: 'builds', Item: { id: 'settings' } }, () => cb(null, {}));
    return;
  }
  const sent = event.headers['X-Signature'] || '';
  const mac = crypto.createHmac('sha256', process.env.HOOK_SECRET).update(event.body).digest('hex');
  if (sent !== mac) return cb(null, { statusCode: 401, body: 'bad signature' });
  ddb.put({ TableName: 'builds', Item: { id: JSON.parse(event.body).id } }, () => cb(null, { statusCode: 202 }));
};
"#;

    /// A webhook on a custom runtime whose bootstrap runs Node.js: its handler module is in
    /// the package and is read; its signature check guards the route, and the branch only a
    /// CloudFormation custom resource's event takes is not on the request's path.
    #[test]
    fn custom_runtime_webhook_with_signature_check_is_low() {
        let found = auth001(&[
            ("template.yaml", &sam_custom("/ci/webhook", "provided.al2")),
            ("src/index.js", JS_SIGNED_HOOK),
        ]);
        assert_eq!(severities(&found), ["low"], "{found:?}");
        assert!(found[0].1.contains("denies the caller"), "{found:?}");
    }

    /// A branch keyed on what the request carries is on its path: the write before the check
    /// keeps the route high.
    #[test]
    fn custom_runtime_webhook_writing_before_its_check_stays_high() {
        let code =
            JS_SIGNED_HOOK.replace("event.RequestType === 'Create'", "event.body.length > 0");
        let found = auth001(&[
            ("template.yaml", &sam_custom("/ci/webhook", "provided.al2")),
            ("src/index.js", &code),
        ]);
        assert_eq!(severities(&found), ["high"], "{found:?}");
    }

    /// A webhook whose code is not analysed (a Go binary) is public by purpose, its
    /// verification not seen: medium, not high; an ordinary route stays high.
    #[test]
    fn webhook_whose_code_is_not_analysed_is_medium() {
        let found = auth001(&[
            ("template.yaml", &sam_custom("/github/webhook", "go1.x")),
            ("src/main.go", "package main\n"),
        ]);
        assert_eq!(severities(&found), ["medium"], "{found:?}");
        assert!(found[0].1.contains("not seen"), "{found:?}");
        let found = auth001(&[
            ("template.yaml", &sam_custom("/builds", "go1.x")),
            ("src/main.go", "package main\n"),
        ]);
        assert_eq!(severities(&found), ["high"], "{found:?}");
    }

    /// A custom runtime whose handler names no JavaScript or Python module (a Rust binary)
    /// is still judged by its runtime.
    #[test]
    fn custom_runtime_without_a_script_module_is_judged_by_its_runtime() {
        let found = auth001(&[
            ("template.yaml", &sam_custom("/builds", "provided.al2023")),
            ("src/main.rs", "fn main() {}\n"),
        ]);
        assert_eq!(severities(&found), ["high"], "{found:?}");
        assert!(
            found[0].1.contains("runtime `provided.al2023`"),
            "{found:?}"
        );
    }
    /// Python: a handler that also serves a CloudFormation custom resource writes in that
    /// branch; an HTTP request never takes it, so its HMAC check still guards the route.
    #[test]
    fn py_custom_resource_branch_does_not_count_before_a_webhook_check() {
        let code = r#"import hashlib
import hmac
import os
import boto3

table = boto3.resource("dynamodb").Table("builds")


def main(event, context):
    if event.get("RequestType") == "Create":
        table.put_item(Item={"id": "settings"})
        return {}
    mac = hmac.new(os.environ["HOOK_SECRET"].encode(), event["body"].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, event["headers"].get("x-signature", "")):
        return {"statusCode": 401}
    table.put_item(Item={"id": event["body"]})
    return {"statusCode": 202}
"#;
        let found = py("POST /ci/webhook", code);
        assert_eq!(severities(&found), ["low"], "{found:?}");
        let keyed_on_request = code.replace(
            "event.get(\"RequestType\") == \"Create\"",
            "event.get(\"body\") == \"Create\"",
        );
        assert_eq!(
            severities(&py("POST /ci/webhook", &keyed_on_request)),
            ["high"]
        );
    }
}
// --- end purpose (session 8) ---

// reach (session 8): issue 16 item 2, AUTH001 severity follows what the route's own code
// reaches. The fixtures are the rule's (crates/perimeter_rules/resources/test/fixtures/auth/
// AUTH001/reach): each quiet route has a true case next to it.
mod route_reach_mechanisms {
    use std::path::PathBuf;

    use serde_json::Value;

    use super::{json, run};

    /// The fixture folder `name` under the AUTH001 `reach` fixtures.
    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../perimeter_rules/resources/test/fixtures/auth/AUTH001/reach")
            .join(name)
    }

    /// The AUTH001 finding of each function of a fixture: `function -> (severity, message)`.
    fn routes(name: &str) -> std::collections::BTreeMap<String, (String, String)> {
        let r = json(&run(
            &fixture(name),
            &[
                "scan",
                "--format",
                "json",
                "--no-cache",
                "--allow-errors",
                ".",
            ],
        ));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AUTH001")
            .map(|f: &Value| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("function"), (s("severity"), s("message")))
            })
            .collect()
    }

    fn check(
        all: &std::collections::BTreeMap<String, (String, String)>,
        function: &str,
        severity: &str,
        says: &str,
    ) {
        let (sev, msg) = all
            .get(function)
            .unwrap_or_else(|| panic!("no AUTH001 for {function}: {all:#?}"));
        assert_eq!(sev, severity, "{function}: {msg}");
        assert!(msg.contains(says), "{function}: {msg}");
    }

    /// A headless browser is no data store: reporting its version is low; loading the page
    /// the caller names is high, as the SSRF flow into its navigation.
    #[test]
    fn headless_browser_is_an_effect_only_through_the_page_the_caller_names() {
        let all = routes("node");
        check(&all, "engine", "low", "reaches no data store");
        check(
            &all,
            "snapshot",
            "high",
            "passes event data to `puppeteer-core.goto`",
        );
    }

    /// A GraphQL playground served by its package is a fixed page, though the module beside
    /// it queries Postgres for the GraphQL route, which stays high.
    #[test]
    fn graphql_playground_page_is_low_and_the_query_route_beside_it_high() {
        let all = routes("node");
        check(&all, "playground", "low", "reaches no data store");
        check(&all, "graph", "high", "uses `pg`");
    }

    /// A call through a context-carried service the analysis cannot follow keeps the route
    /// high but names no service a registry module only imports (an SNS client built lazily);
    /// routes that publish, write and read by the caller's id name what they do.
    #[test]
    fn registry_import_is_not_claimed_for_an_unfollowed_call() {
        let all = routes("node");
        check(&all, "shelves", "high", "that the analysis does not follow");
        let shelves = &all["shelves"].1;
        assert!(
            !shelves.contains("sns") && !shelves.contains("client-sns"),
            "{shelves}"
        );
        check(&all, "announce", "high", "`sns:Publish`");
        check(&all, "enroll", "high", "`dynamodb:PutItem`");
        check(&all, "member", "high", "`dynamodb:GetItem`");
    }

    /// Python: a health route that tests whether a key is set (raising an exception whose
    /// `super().__init__` is the builtin's) reaches nothing; one that sends the key out stays
    /// high. The `Host` header behind API Gateway names the API itself; a URL from the query
    /// string is the caller's. A table write stays high.
    #[test]
    fn python_secret_presence_and_own_host_are_low_and_their_true_cases_high() {
        let all = routes("python");
        check(&all, "status", "low", "reaches no data store");
        check(&all, "relay", "high", "reads the secret `FORECAST_API_KEY`");
        check(&all, "clock", "low", "reaches no data store");
        check(&all, "feed", "high", "passes event data to `requests.get`");
        check(&all, "log", "high", "`dynamodb:PutItem`");
    }

    /// Code not analysed: a service-wide role granting a bucket does not tie a function given
    /// none of its names (medium); the function given the bucket stays high.
    #[test]
    fn shared_role_grants_only_the_functions_given_its_resources() {
        let all = routes("go");
        check(&all, "viewer", "medium", "none of which it is given");
        check(&all, "tiles", "high", "its role allows `s3:*`");
    }

    /// The Host header is the caller's behind a load balancer: the flow is still reported.
    #[test]
    fn host_header_behind_a_load_balancer_is_still_the_callers() {
        let dir = tempfile::tempdir().unwrap();
        super::write(
            dir.path(),
            "serverless.yml",
            "service: clock\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  clock:\n    handler: clock.handler\n    events:\n      - alb:\n          listenerArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/abc/def\n          priority: 1\n          conditions:\n            path: /clock\n",
        );
        super::write(
            dir.path(),
            "clock.py",
            "import requests\n\n\ndef handler(event, context):\n    host = event[\"headers\"][\"host\"]\n    return {\"statusCode\": 200, \"body\": requests.get(f\"https://{host}/now\", timeout=3).text}\n",
        );
        let r = json(&run(
            dir.path(),
            &["scan", "--format", "json", "--no-cache", "."],
        ));
        let ssrf: Vec<&Value> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "INJ005")
            .collect();
        assert_eq!(ssrf.len(), 1, "{r:#}");
        assert!(
            ssrf[0]["message"]
                .as_str()
                .unwrap()
                .contains("headers.host"),
            "{ssrf:#?}"
        );
    }
}
// end reach (session 8)

// --- issue 17 item 4: gaps the microbenchmark suite found (microbench) ---

mod microbench_gaps {
    use serde_json::Value;

    use super::{json, run, write};

    /// Flow-kind findings as `(kind, path, line)`.
    fn flows(r: &Value) -> Vec<(String, String, u64)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["kind"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("injection-"))
            })
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_owned(),
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    const QUEUE_WITH_DLQ: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
Resources:
  Submit:
    Type: AWS::Serverless::Function
    Properties:
      Handler: submit.handler
      Environment:
        Variables:
          JOBS: !Ref Jobs
      Events:
        Post:
          Type: HttpApi
  Salvage:
    Type: AWS::Serverless::Function
    Properties:
      Handler: salvage.handler
      Events:
        Failed:
          Type: SQS
          Properties:
            Queue: !GetAtt Dead.Arn
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 3
  Dead:
    Type: AWS::SQS::Queue
";

    /// A dead-letter queue has no writer of its own: the messages its queue could not
    /// deliver arrive there unchanged. Its consumer is fed by whoever writes to the queue,
    /// and is not quiet as if nothing in the application wrote to it.
    #[test]
    fn a_dead_letter_queue_carries_what_was_written_to_its_queue() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "template.yaml", QUEUE_WITH_DLQ);
        write(
            root,
            "submit.js",
            "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.JOBS, MessageBody: event.body }));
};
",
        );
        write(
            root,
            "salvage.js",
            "const { execSync } = require('child_process');
exports.handler = async (event) => {
  execSync('git clone ' + event.Records[0].body);
};
",
        );
        let r = json(&run(root, &["scan", "--format", "json", "--allow-errors"]));
        assert_eq!(
            flows(&r),
            [(
                "injection-os-command".to_owned(),
                "salvage.js".to_owned(),
                3
            )]
        );
        let f = &r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "injection-os-command")
            .unwrap();
        assert_eq!(f["trace"][0]["path"], "submit.js", "{f:#}");
    }

    /// A stream consumer reading an attribute that the table's only writer sets to a
    /// constant is not fed by the attacker data the writer put in another attribute.
    #[test]
    fn a_stream_attribute_written_clean_is_not_the_attackers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "template.yaml",
            "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Create:
    Type: AWS::Serverless::Function
    Properties:
      Handler: create.handler
      Environment:
        Variables:
          SITES: !Ref Sites
      Events:
        Post:
          Type: HttpApi
  Domain:
    Type: AWS::Serverless::Function
    Properties:
      Handler: domain.handler
      Events:
        S:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Sites.StreamArn
            StartingPosition: LATEST
  Tier:
    Type: AWS::Serverless::Function
    Properties:
      Handler: tier.handler
      Events:
        S:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Sites.StreamArn
            StartingPosition: LATEST
  Sites:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification:
        StreamViewType: NEW_IMAGE
",
        );
        write(
            root,
            "create.py",
            "import json
import os

import boto3


def handler(event, context):
    body = json.loads(event[\"body\"])
    boto3.client(\"dynamodb\").put_item(
        TableName=os.environ[\"SITES\"],
        Item={\"domain\": {\"S\": body[\"domain\"]}, \"tier\": {\"S\": \"basic\"}},
    )
",
        );
        for (file, attr) in [("domain.py", "domain"), ("tier.py", "tier")] {
            write(
                root,
                file,
                &format!(
                    "import os


def handler(event, context):
    os.system(\"run \" + event[\"Records\"][0][\"dynamodb\"][\"NewImage\"][\"{attr}\"][\"S\"])
"
                ),
            );
        }
        let r = json(&run(root, &["scan", "--format", "json", "--allow-errors"]));
        assert_eq!(
            flows(&r),
            [("injection-os-command".to_owned(), "domain.py".to_owned(), 5)]
        );
    }

    /// A monorepo's workspace package imported by name is the application's code: the
    /// flow into it is followed instead of stopping at an unknown npm package.
    #[test]
    fn a_workspace_package_imported_by_name_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "package.json",
            r#"{ "private": true, "workspaces": { "packages": ["libs/*"] } }"#,
        );
        write(
            root,
            "libs/run/package.json",
            r#"{ "name": "@acme/run", "main": "main.js" }"#,
        );
        write(
            root,
            "libs/run/main.js",
            "const { exec } = require('child_process');
exports.run = (cmd) => exec('sh -c ' + cmd);
",
        );
        write(
            root,
            "svc/serverless.yml",
            "service: s
provider:
  name: aws
  runtime: nodejs20.x
functions:
  go:
    handler: handler.go
    events:
      - httpApi: 'POST /go'
",
        );
        write(
            root,
            "svc/handler.js",
            "const { run } = require('@acme/run');
exports.go = async (event) => run(event.body);
",
        );
        let r = json(&run(root, &["scan", "--format", "json", "--allow-errors"]));
        assert_eq!(
            flows(&r),
            [(
                "injection-os-command".to_owned(),
                "libs/run/main.js".to_owned(),
                2
            )]
        );
    }

    /// A bucket with EventBridge notifications: a rule on the default bus matching S3's
    /// events receives the key a caller chose, traced to that caller; a rule matching
    /// another source does not.
    #[test]
    fn a_bucket_sends_its_keys_to_the_default_bus() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let rule = |id: &str, source: &str| {
            format!(
                "  {id}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: {}.handler
      Events:
        E:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [{source}]
",
                id.to_lowercase()
            )
        };
        let template = format!(
            "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Store:
    Type: AWS::Serverless::Function
    Properties:
      Handler: store.handler
      Environment:
        Variables:
          BUCKET: !Ref Media
      Events:
        Post:
          Type: HttpApi
{}{}  Media:
    Type: AWS::S3::Bucket
    Properties:
      NotificationConfiguration:
        EventBridgeConfiguration:
          EventBridgeEnabled: true
",
            rule("Extract", "aws.s3"),
            rule("Other", "shop.orders")
        );
        write(root, "template.yaml", &template);
        write(
            root,
            "store.py",
            "import os

import boto3


def handler(event, context):
    boto3.client(\"s3\").put_object(Bucket=os.environ[\"BUCKET\"], Key=event[\"body\"], Body=b\"x\")
",
        );
        for file in ["extract.py", "other.py"] {
            write(
                root,
                file,
                "import os


def handler(event, context):
    os.system(\"file /tmp/\" + event[\"detail\"][\"object\"][\"key\"])
",
            );
        }
        let r = json(&run(root, &["scan", "--format", "json", "--allow-errors"]));
        let traced: Vec<(String, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "injection-os-command")
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["trace"][0]["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        // `Other` is still reported (a bus's producers are not all known), but not as fed by
        // the bucket's writer.
        assert!(
            traced.contains(&("extract.py".to_owned(), "store.py".to_owned())),
            "{traced:?}"
        );
        assert!(
            !traced.contains(&("other.py".to_owned(), "store.py".to_owned())),
            "{traced:?}"
        );
    }

    /// An EventBridge Pipe from a queue to a function: the function's event is the batch
    /// (`[].body`), fed by whoever writes to the queue.
    #[test]
    fn a_pipe_feeds_its_target_with_the_queues_messages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "template.yaml",
            "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
Resources:
  Enqueue:
    Type: AWS::Serverless::Function
    Properties:
      Handler: enqueue.handler
      Environment:
        Variables:
          QUEUE: !Ref Q
      Events:
        Post:
          Type: HttpApi
  Target:
    Type: AWS::Serverless::Function
    Properties:
      Handler: target.handler
  Q:
    Type: AWS::SQS::Queue
  P:
    Type: AWS::Pipes::Pipe
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/pipe
      Source: !GetAtt Q.Arn
      Target: !GetAtt Target.Arn
",
        );
        write(
            root,
            "enqueue.js",
            "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = async (event) => {
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.QUEUE, MessageBody: event.body }));
};
",
        );
        write(
            root,
            "target.js",
            "const { execSync } = require('child_process');
exports.handler = async (records) => {
  for (const r of records) execSync('echo ' + r.body);
};
",
        );
        let r = json(&run(root, &["scan", "--format", "json", "--allow-errors"]));
        let f = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "injection-os-command")
            .unwrap_or_else(|| panic!("{r:#}"));
        assert_eq!(f["path"], "target.js");
        assert_eq!(f["trace"][0]["path"], "enqueue.js", "{f:#}");
    }
}
// --- end issue 17 item 4 (microbench) ---

// sfn (session 8): issue 16 high false positives: AUTH001 reach through a state machine the
// route's function starts (its tasks' reach), the function's own dead-letter grant, a CDK
// asset whose cloud assembly is not committed read from its source folder; DOW011 with an S3
// key known in part from the descriptor, judged against the trigger's filters.
mod sfn_session8 {
    use super::{json, run, write};

    /// Scans the files; returns (rule, severity, message) of the findings of `rule`.
    fn findings(files: &[(&str, &str)], rule: &str) -> Vec<(String, String, String)> {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let r = json(&run(
            dir.path(),
            &["scan", "--no-cache", "--format", "json", "."],
        ));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (s("rule"), s("severity"), s("message"))
            })
            .collect()
    }

    /// A SAM app: a Java function behind an HTTP API (its code is not analysed) that may
    /// start `Kitchen`, whose definition is `TASK`; `Sizer` is a Python task function.
    fn kitchen(task: &str) -> String {
        format!(
            r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{ AttributeName: id, KeyType: HASH }}]
      AttributeDefinitions: [{{ AttributeName: id, AttributeType: S }}]
  Failed:
    Type: AWS::SQS::Queue
  Front:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: java17
      Handler: shop.Front::handle
      CodeUri: ./front
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt Failed.Arn
      Policies:
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Failed.Arn
            - Effect: Allow
              Action: states:StartExecution
              Resource: !Ref Kitchen
      Events:
        Order:
          Type: HttpApi
          Properties: {{ Path: /order, Method: POST }}
  Sizer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: sizer.handler
      CodeUri: ./sizer
      Policies:
        - DynamoDBCrudPolicy: {{ TableName: !Ref Orders }}
  KitchenRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{ Effect: Allow, Principal: {{ Service: states.amazonaws.com }}, Action: sts:AssumeRole }}
  Kitchen:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: EXPRESS
      RoleArn: !GetAtt KitchenRole.Arn
      Definition:
        StartAt: Size
        States:
          Size:
            Type: Task
{task}
            End: true
"#
        )
    }

    const PURE_SIZER: &str = "def handler(event, context):\n    inches = int(event.get('inches', 0))\n    return {'size': 'large' if inches > 12 else 'small'}\n";
    const WRITING_SIZER: &str = "import os\nimport boto3\n\norders = boto3.resource('dynamodb').Table(os.environ.get('ORDERS', 'orders'))\n\ndef handler(event, context):\n    orders.put_item(Item={'id': event['id'], 'inches': event['inches']})\n    return {'ok': True}\n";

    #[test]
    fn route_starting_a_state_machine_whose_task_is_pure_is_not_high() {
        let t = kitchen("            Resource: !GetAtt Sizer.Arn");
        let a = findings(
            &[("template.yaml", &t), ("sizer/sizer.py", PURE_SIZER)],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "medium", "{a:#?}");
        // Neither the dead-letter grant nor the start of the machine is a reach of data.
        assert!(
            a[0].2
                .contains("starts `Kitchen`, whose tasks reach no data"),
            "{a:#?}"
        );
    }

    #[test]
    fn route_starting_a_state_machine_whose_task_writes_a_table_stays_high() {
        let t = kitchen("            Resource: !GetAtt Sizer.Arn");
        let a = findings(
            &[("template.yaml", &t), ("sizer/sizer.py", WRITING_SIZER)],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "high", "{a:#?}");
        assert!(a[0].2.contains("state machine `Kitchen`"), "{a:#?}");
        assert!(a[0].2.contains("`Sizer`"), "{a:#?}");
    }

    #[test]
    fn route_starting_a_state_machine_that_writes_a_table_directly_stays_high() {
        let t = kitchen(
            "            Resource: arn:aws:states:::dynamodb:putItem\n            Parameters:\n              TableName: !Ref Orders\n              Item: { id: { S.$: $.id } }",
        );
        let a = findings(
            &[("template.yaml", &t), ("sizer/sizer.py", PURE_SIZER)],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "high", "{a:#?}");
        assert!(a[0].2.contains("dynamodb:putItem"), "{a:#?}");
    }

    /// A synthesised CDK template committed without its cloud assembly: the function's code
    /// is `asset.<hash>`, not in the repository.
    const CDK_TEMPLATE: &str = r#"{
  "Resources": {
    "QuoteRole1A2B3C4D": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": { "Statement": [ { "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" } } ] },
        "Policies": [ { "PolicyName": "data", "PolicyDocument": { "Statement": [ { "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Effect": "Allow", "Resource": "*" } ] } } ]
      }
    },
    "QuoteFnE5F6A7B8": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Code": { "S3Bucket": "cdk-assets", "S3Key": "9f3c.zip" },
        "Handler": "quote.handler",
        "Runtime": "nodejs18.x",
        "Role": { "Fn::GetAtt": ["QuoteRole1A2B3C4D", "Arn"] }
      },
      "Metadata": {
        "aws:cdk:path": "QuoteStack/QuoteFn/Resource",
        "aws:asset:path": "asset.9f3c8e1d2b7a4c6e9f3c8e1d2b7a4c6e9f3c8e1d2b7a4c6e9f3c8e1d2b7a4c6e",
        "aws:asset:property": "Code"
      }
    },
    "QuoteApi": { "Type": "AWS::ApiGatewayV2::Api", "Properties": { "Name": "quotes", "ProtocolType": "HTTP" } },
    "QuoteIntegration": {
      "Type": "AWS::ApiGatewayV2::Integration",
      "Properties": {
        "ApiId": { "Ref": "QuoteApi" },
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": { "Fn::GetAtt": ["QuoteFnE5F6A7B8", "Arn"] },
        "PayloadFormatVersion": "2.0"
      }
    },
    "QuoteRoute": {
      "Type": "AWS::ApiGatewayV2::Route",
      "Properties": {
        "ApiId": { "Ref": "QuoteApi" },
        "RouteKey": "GET /quote",
        "AuthorizationType": "NONE",
        "Target": { "Fn::Join": ["", ["integrations/", { "Ref": "QuoteIntegration" }]] }
      }
    }
  }
}
"#;

    const CDK_STACK: &str = "import * as lambda from 'aws-cdk-lib/aws-lambda';\nexport function build(stack: any) {\n  return new lambda.Function(stack, 'QuoteFn', {\n    runtime: lambda.Runtime.NODEJS_18_X,\n    code: lambda.Code.fromAsset('handlers/quote'),\n    handler: 'quote.handler',\n  });\n}\n";
    const PURE_QUOTE: &str = "export const handler = async () => {\n  const sayings = ['measure twice', 'cut once'];\n  return { statusCode: 200, body: sayings[Math.floor(Math.random() * sayings.length)] };\n};\n";
    const STORING_QUOTE: &str = "import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';\nconst db = new DynamoDBClient({});\nexport const handler = async (event: any) => {\n  await db.send(new PutItemCommand({ TableName: 'quotes', Item: { id: { S: event.rawPath } } }));\n  return { statusCode: 201 };\n};\n";

    #[test]
    fn cdk_asset_not_committed_is_read_from_its_source_folder() {
        let a = findings(
            &[
                (
                    "quotes/cdk.json",
                    "{ \"app\": \"npx ts-node bin/app.ts\" }\n",
                ),
                ("quotes/cdk.out.json", "{}\n"),
                ("quotes/QuoteStack.template.json", CDK_TEMPLATE),
                ("quotes/lib/stack.ts", CDK_STACK),
                ("quotes/handlers/quote/quote.ts", PURE_QUOTE),
            ],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        // The code was analysed: a stateless route, whatever the role allows.
        assert_eq!(a[0].1, "low", "{a:#?}");
        assert!(a[0].2.contains("reaches no data store"), "{a:#?}");
    }

    #[test]
    fn cdk_asset_source_that_writes_a_table_stays_high() {
        let a = findings(
            &[
                (
                    "quotes/cdk.json",
                    "{ \"app\": \"npx ts-node bin/app.ts\" }\n",
                ),
                ("quotes/QuoteStack.template.json", CDK_TEMPLATE),
                ("quotes/lib/stack.ts", CDK_STACK),
                ("quotes/handlers/quote/quote.ts", STORING_QUOTE),
            ],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "high", "{a:#?}");
        assert!(a[0].2.contains("dynamodb:PutItem"), "{a:#?}");
    }

    #[test]
    fn cdk_asset_source_among_several_is_the_one_the_app_names() {
        // Two folders hold a `quote` module; the stack's code names `handlers/quote`, whose
        // code writes a table; the other is an old copy that does nothing.
        let a = findings(
            &[
                (
                    "quotes/cdk.json",
                    "{ \"app\": \"npx ts-node bin/app.ts\" }\n",
                ),
                ("quotes/QuoteStack.template.json", CDK_TEMPLATE),
                ("quotes/lib/stack.ts", CDK_STACK),
                ("quotes/handlers/quote/quote.ts", STORING_QUOTE),
                ("quotes/old/quote.ts", PURE_QUOTE),
            ],
            "AUTH001",
        );
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "high", "{a:#?}");
        assert!(a[0].2.contains("dynamodb:PutItem"), "{a:#?}");
    }

    /// A SAM app: `Packer` is triggered by objects created in `Drop` under `FILTER` and
    /// writes the key `OUT_KEY` (given as `KEY`) through a helper that takes a destination
    /// object.
    fn packer(filter: &str, key: &str) -> String {
        format!(
            r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Flavour:
    Type: String
Resources:
  Drop:
    Type: AWS::S3::Bucket
  Packer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: pack.handler
      CodeUri: ./src
      Environment:
        Variables:
          DROP_BUCKET: !Ref Drop
          OUT_KEY: {key}
      Policies:
        - S3CrudPolicy: {{ BucketName: !Ref Drop }}
      Events:
        Landed:
          Type: S3
          Properties:
            Bucket: !Ref Drop
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
{filter}
"#
        )
    }

    const PACK_JS: &str = "const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');\nconst s3 = new S3Client({});\n\nasync function store(dest, body) {\n  await s3.send(new PutObjectCommand({ Bucket: dest.bucket, Key: dest.key, Body: body }));\n}\n\nexports.handler = async (event) => {\n  const dest = { bucket: process.env.DROP_BUCKET, key: process.env.OUT_KEY };\n  await store(dest, JSON.stringify({ count: event.Records.length }));\n};\n";

    #[test]
    fn s3_key_known_in_part_that_the_trigger_filter_cannot_match_is_no_loop() {
        let t = packer(
            "                  - { Name: prefix, Value: inbox/ }\n                  - { Name: suffix, Value: .json }",
            "!Sub 'bundles/${Flavour}.tar.gz'",
        );
        let d = findings(&[("template.yaml", &t), ("src/pack.js", PACK_JS)], "DOW011");
        assert!(d.is_empty(), "{d:#?}");
        // Only the suffix tells them apart.
        let t = packer(
            "                  - { Name: suffix, Value: .json }",
            "!Sub 'inbox/${Flavour}.tar.gz'",
        );
        let d = findings(&[("template.yaml", &t), ("src/pack.js", PACK_JS)], "DOW011");
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn s3_key_known_in_part_that_the_trigger_filter_matches_loops() {
        let t = packer(
            "                  - { Name: prefix, Value: inbox/ }\n                  - { Name: suffix, Value: .json }",
            "!Sub 'inbox/${Flavour}.json'",
        );
        let d = findings(&[("template.yaml", &t), ("src/pack.js", PACK_JS)], "DOW011");
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].2.contains("triggers `Packer` again"), "{d:#?}");
    }

    #[test]
    fn analysed_code_that_mounts_a_file_system_stays_high() {
        // Reading the code (found now that assets map to their source) must not lose what
        // the deployment shows: files on a shared file system are no SDK call.
        let t = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Share:\n    Type: AWS::EFS::FileSystem\n  ShareAccess:\n    Type: AWS::EFS::AccessPoint\n    Properties: { FileSystemId: !Ref Share }\n  Board:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: board.handler\n      CodeUri: ./board\n      FileSystemConfigs:\n        - Arn: !GetAtt ShareAccess.Arn\n          LocalMountPath: /mnt/board\n      Events:\n        Post:\n          Type: HttpApi\n          Properties: { Path: /notes, Method: POST }\n";
        let code = "def handler(event, context):\n    with open('/mnt/board/notes.txt', 'a') as out:\n        out.write(event.get('body') or '')\n    return {'statusCode': 204}\n";
        let a = findings(&[("template.yaml", t), ("board/board.py", code)], "AUTH001");
        assert_eq!(a.len(), 1, "{a:#?}");
        assert_eq!(a[0].1, "high", "{a:#?}");
        assert!(a[0].2.contains("mounts the EFS file system"), "{a:#?}");
    }

    /// A function whose code calls no AWS API, granted `sqs:SendMessage` on `Spill`;
    /// `CONFIG` says what the platform does with its role.
    fn spill(config: &str) -> String {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Spill:\n    Type: AWS::SQS::Queue\n  Echo:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: echo.handler\n      CodeUri: ./echo\n{config}      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: sqs:SendMessage\n              Resource: !GetAtt Spill.Arn\n"
        )
    }

    #[test]
    fn dead_letter_grant_is_used_by_the_platform_not_unused() {
        let code = (
            "echo/echo.py",
            "def handler(event, context):\n    return event\n",
        );
        let dlq = spill(
            "      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt Spill.Arn\n",
        );
        let d = findings(&[("template.yaml", &dlq), code], "IAM010");
        assert!(d.is_empty(), "{d:#?}");
        let plain = spill("");
        let d = findings(&[("template.yaml", &plain), code], "IAM010");
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(d[0].2.contains("sqs:SendMessage"), "{d:#?}");
    }
}
// --- end sfn (session 8) ---

// --- vex (session 8): advisories that cannot affect the deployed application are VEX
// not-affected statements (justification and evidence), listed apart from findings; real,
// reachable advisories stay findings (issue 16 must-show: zero false positives) ---

mod vex {
    use std::path::Path;

    use serde_json::Value;

    use super::{json, run, write};

    /// Scans `root` with the advisory records committed for the tests, with `extra` flags.
    fn scan(root: &Path, format: &str, extra: &[&str]) -> std::process::Output {
        let db = root.join(".osv");
        let records =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../perimeter_deps/resources/test/osv");
        let imported = run(
            Path::new("."),
            &[
                "db",
                "import",
                records.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ],
        );
        assert!(imported.status.success(), "{imported:?}");
        let mut args = vec![
            "scan",
            root.to_str().unwrap(),
            "--format",
            format,
            "--no-cache",
            "--allow-errors",
            "--db",
            db.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(Path::new("."), &args)
    }

    fn report(root: &Path) -> Value {
        json(&scan(root, "json", &[]))
    }

    /// DEP001 findings as (package, severity).
    fn findings(r: &Value) -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "DEP001")
            .map(|f| {
                let res = f["resource"].as_str().unwrap();
                (
                    res.split('@').next().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Not-affected statements as (package, advisory, justification).
    fn not_affected(r: &Value) -> Vec<(String, String, String)> {
        r["not_affected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["package"].as_str().unwrap().to_owned(),
                    n["advisory"].as_str().unwrap().to_owned(),
                    n["justification"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// A Node function `api` with `handler` as its code and a lockfile of `packages`
    /// (`"name": {...}` entries under `node_modules/`) whose root depends on `direct`.
    fn node_app(dir: &Path, handler: &str, direct: &str, packages: &str) {
        write(
            dir,
            "serverless.yml",
            "service: vex\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  api:\n    handler: handler.main\n    events:\n      - httpApi: 'POST /go'\n",
        );
        write(dir, "handler.js", handler);
        write(
            dir,
            "package.json",
            &format!(r#"{{ "name": "vex", "dependencies": {{ {direct} }} }}"#),
        );
        write(
            dir,
            "package-lock.json",
            &format!(
                r#"{{ "lockfileVersion": 3, "packages": {{
  "": {{ "dependencies": {{ {direct} }} }},
  {packages}
}} }}"#
            ),
        );
    }

    const REQUEST: &str = r#""node_modules/request": { "version": "2.88.2" }"#;

    #[test]
    fn a_development_dependency_no_function_imports_is_not_affected_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "exports.main = async (event) => ({ statusCode: 200 });\n",
            r#""uuid": "9.0.0""#,
            r#""node_modules/uuid": { "version": "9.0.0" },
  "node_modules/offline-tool": { "version": "1.0.0", "dev": true, "dependencies": { "qs": "6.5.2" } },
  "node_modules/qs": { "version": "6.5.2", "dev": true }"#,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [], "{r:#}");
        assert_eq!(
            not_affected(&r),
            [(
                "qs".to_owned(),
                "GHSA-hrpp-h998-j3pp".to_owned(),
                "component_not_present".to_owned()
            )],
            "{r:#}"
        );
        assert_eq!(r["summary"]["not_affected"], 1, "{r:#}");
        let n = &r["not_affected"][0];
        assert_eq!(n["path"], "package-lock.json");
        assert!(
            n["evidence"]
                .as_str()
                .unwrap()
                .contains("development dependency"),
            "{n:#}"
        );
        // Nothing is dropped quietly: the text and SARIF reports count it, and the switch
        // reports it as a finding again.
        let text = String::from_utf8(scan(dir.path(), "text", &[]).stdout).unwrap();
        assert!(
            text.contains("1 advisory cannot affect the deployed application"),
            "{text}"
        );
        let sarif: Value = json(&scan(dir.path(), "sarif", &[]));
        assert_eq!(
            sarif["runs"][0]["properties"]["notAffected"], 1,
            "{sarif:#}"
        );
        let r = json(&scan(dir.path(), "json", &["--report-not-affected"]));
        assert_eq!(findings(&r), [("qs".to_owned(), "low".to_owned())], "{r:#}");
        assert_eq!(not_affected(&r), [], "{r:#}");
        write(dir.path(), "perimeter.toml", "report-not-affected = true\n");
        let r = report(dir.path());
        assert_eq!(findings(&r), [("qs".to_owned(), "low".to_owned())], "{r:#}");
    }

    #[test]
    fn an_ssrf_advisory_of_a_client_whose_requests_go_where_the_code_says_is_not_affected() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const request = require('request');\n\nexports.main = (event, context, callback) => {\n  const keys = 'https://idp.' + process.env.AWS_REGION + '.example.com/' + process.env.POOL + '/keys.json';\n  request({ url: keys, json: true }, (err, res, body) => callback(null, { statusCode: 200, body: JSON.stringify(body) }));\n};\n",
            r#""request": "2.88.2""#,
            REQUEST,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [], "{r:#}");
        assert_eq!(
            not_affected(&r),
            [(
                "request".to_owned(),
                "GHSA-p8p7-x288-28g6".to_owned(),
                "vulnerable_code_cannot_be_controlled_by_adversary".to_owned()
            )],
            "{r:#}"
        );
        let n = &r["not_affected"][0];
        assert_eq!(
            (n["path"].as_str(), n["line"].as_u64()),
            (Some("package.json"), Some(1))
        );
        assert_eq!(n["function"], "api");
        assert!(
            n["evidence"].as_str().unwrap().contains("handler.js:5"),
            "{n:#}"
        );
    }

    #[test]
    fn an_ssrf_advisory_stays_a_finding_when_the_event_chooses_the_url() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const request = require('request');\n\nexports.main = (event, context, callback) => {\n  const { target } = JSON.parse(event.body);\n  request.get(target, (err, res, body) => callback(null, { statusCode: 200, body }));\n};\n",
            r#""request": "2.88.2""#,
            REQUEST,
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("request".to_owned(), "medium".to_owned())],
            "{r:#}"
        );
        assert_eq!(not_affected(&r), [], "{r:#}");
    }

    #[test]
    fn an_ssrf_advisory_stays_a_finding_when_the_client_is_handed_to_other_code() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const request = require('request');\nconst wrap = require('retry-wrapper');\n\nconst client = wrap(request);\nexports.main = async (event) => client('https://api.example.com/status');\n",
            r#""request": "2.88.2", "retry-wrapper": "1.0.0""#,
            &format!(
                r#"{REQUEST},
  "node_modules/retry-wrapper": {{ "version": "1.0.0" }}"#
            ),
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("request".to_owned(), "medium".to_owned())],
            "{r:#}"
        );
    }

    #[test]
    fn an_ssrf_advisory_stays_a_finding_when_another_package_reaches_the_client() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const request = require('request');\nconst keys = require('keys-fetcher');\n\nexports.main = async (event) => {\n  request('https://api.example.com/status');\n  return keys(event.body);\n};\n",
            r#""request": "2.88.2", "keys-fetcher": "1.0.0""#,
            &format!(
                r#"{REQUEST},
  "node_modules/keys-fetcher": {{ "version": "1.0.0", "dependencies": {{ "request": "2.88.2" }} }}"#
            ),
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("request".to_owned(), "medium".to_owned())],
            "{r:#}"
        );
    }

    const STRIPE_QS: &str = r#""node_modules/stripe": { "version": "8.100.0", "dependencies": { "qs": "^6.6.0" } },
  "node_modules/qs": { "version": "6.9.3" }"#;

    #[test]
    fn a_parser_flaw_reached_only_through_a_package_that_never_parses_is_not_affected() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const Stripe = require('stripe');\n\nexports.main = async (event) => {\n  const { source, amount } = JSON.parse(event.body);\n  const stripe = Stripe(process.env.STRIPE_KEY);\n  await stripe.charges.create({ source, amount, currency: 'usd' });\n  return { statusCode: 200 };\n};\n",
            r#""stripe": "8.100.0""#,
            STRIPE_QS,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [], "{r:#}");
        assert_eq!(
            not_affected(&r),
            [(
                "qs".to_owned(),
                "GHSA-hrpp-h998-j3pp".to_owned(),
                "vulnerable_code_not_in_execute_path".to_owned()
            )],
            "{r:#}"
        );
        let evidence = r["not_affected"][0]["evidence"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            evidence.contains("`stripe` calls only `qs.stringify`"),
            "{evidence}"
        );
    }

    #[test]
    fn a_directly_imported_parser_fed_by_the_event_stays_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const Stripe = require('stripe');\nconst qs = require('qs');\n\nexports.main = async (event) => {\n  const form = qs.parse(event.body);\n  await Stripe(process.env.STRIPE_KEY).charges.create(form);\n  return { statusCode: 200 };\n};\n",
            r#""stripe": "8.100.0", "qs": "6.9.3""#,
            STRIPE_QS,
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("qs".to_owned(), "high".to_owned())],
            "{r:#}"
        );
        assert_eq!(not_affected(&r), [], "{r:#}");
    }

    #[test]
    fn a_parser_reached_through_a_package_that_may_parse_stays_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const express = require('express');\nconst serverless = require('serverless-http');\n\nconst app = express();\napp.get('/', (req, res) => res.json(req.query));\nexports.main = serverless(app);\n",
            r#""express": "4.17.1", "serverless-http": "3.0.0""#,
            r#""node_modules/express": { "version": "4.17.1", "dependencies": { "qs": "6.9.3" } },
  "node_modules/serverless-http": { "version": "3.0.0" },
  "node_modules/qs": { "version": "6.9.3" }"#,
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("qs".to_owned(), "high".to_owned())],
            "{r:#}"
        );
    }

    #[test]
    fn a_lockfile_inside_an_application_no_function_loads_is_not_affected() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "exports.main = async (event) => ({ statusCode: 200 });\n",
            r#""uuid": "9.0.0""#,
            r#""node_modules/uuid": { "version": "9.0.0" }"#,
        );
        // A web client beside the functions: its packages are not deployed with them.
        write(
            dir.path(),
            "client/package.json",
            r#"{ "dependencies": { "qs": "6.9.3" } }"#,
        );
        write(
            dir.path(),
            "client/package-lock.json",
            r#"{ "lockfileVersion": 3, "packages": { "": { "dependencies": { "qs": "6.9.3" } }, "node_modules/qs": { "version": "6.9.3" } } }"#,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [], "{r:#}");
        assert_eq!(
            not_affected(&r),
            [(
                "qs".to_owned(),
                "GHSA-hrpp-h998-j3pp".to_owned(),
                "component_not_present".to_owned()
            )],
            "{r:#}"
        );
        // With no application found, whether the lockfile is deployed is not known: low.
        std::fs::remove_file(dir.path().join("serverless.yml")).unwrap();
        let r = report(dir.path());
        assert_eq!(findings(&r), [("qs".to_owned(), "low".to_owned())], "{r:#}");
    }
    #[test]
    fn a_method_of_a_request_keeps_its_destination_but_a_client_made_by_the_package_does_not() {
        let dir = tempfile::tempdir().unwrap();
        node_app(
            dir.path(),
            "const request = require('request');\n\nexports.main = async (event) => {\n  const { text } = JSON.parse(event.body);\n  request.post('https://api.example.com/send').form({ text });\n  return { statusCode: 200 };\n};\n",
            r#""request": "2.88.2""#,
            REQUEST,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [], "{r:#}");
        assert_eq!(not_affected(&r).len(), 1, "{r:#}");
        // `request.defaults()` makes a client whose calls the analysis does not follow.
        write(
            dir.path(),
            "handler.js",
            "const request = require('request');\n\nconst client = request.defaults({ json: true });\nexports.main = async (event) => client.get(JSON.parse(event.body).target);\n",
        );
        let r = report(dir.path());
        assert_eq!(
            findings(&r),
            [("request".to_owned(), "medium".to_owned())],
            "{r:#}"
        );
    }

    #[test]
    fn a_lockfile_beside_a_function_whose_code_was_not_found_stays_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        // The handler's file is not where the descriptor says (a build output): the
        // lockfile in `server/` may be its packages.
        write(
            dir.path(),
            "serverless.yml",
            "service: vex\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  api:\n    handler: dist/lith.main\n",
        );
        write(
            dir.path(),
            "server/package.json",
            r#"{ "dependencies": { "qs": "6.9.3" } }"#,
        );
        write(
            dir.path(),
            "server/package-lock.json",
            r#"{ "lockfileVersion": 3, "packages": { "": { "dependencies": { "qs": "6.9.3" } }, "node_modules/qs": { "version": "6.9.3" } } }"#,
        );
        let r = report(dir.path());
        assert_eq!(findings(&r), [("qs".to_owned(), "low".to_owned())], "{r:#}");
        assert_eq!(not_affected(&r), [], "{r:#}");
    }
}
// --- end vex (session 8) ---
