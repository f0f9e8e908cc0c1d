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

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

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

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

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

// --- issue 16: precision (items 1 secrets, 4 IAM conditions) ---
mod precision_secrets_iam {
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

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
