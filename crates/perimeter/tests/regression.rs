//! Regression tests of reported attacks, each in the form the attack used.

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
}
// --- end issue 14: bounds ---
