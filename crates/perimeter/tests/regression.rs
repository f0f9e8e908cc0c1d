//! Regression tests for reported attacks and bugs: each is named after what it protects and
//! written in the form the attack used.

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
}
