//! Regression tests for reported attacks and bugs (issue 14 and later): each is named after
//! what it protects and written in the form the attack used. One module per group of items.

// --- issue 14: fingerprints (item 16) ---
mod fingerprints {
    use std::path::Path;
    use std::process::{Command, Output};

    use serde_json::Value;

    fn run(dir: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .current_dir(dir)
            .env("PERIMETER_NO_RESULT_CACHE", "1")
            .args(args)
            .output()
            .unwrap()
    }

    fn json(out: &Output) -> Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
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
