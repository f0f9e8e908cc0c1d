//! The CI integrations shipped in the repository: the GitHub Action (`action.yml`) and the
//! pre-commit hooks (`.pre-commit-hooks.yaml`) are well-formed, use only options perimeter
//! has, and pass inputs to scripts without shell injection.

use std::path::PathBuf;
use std::process::Command;

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml::{self, Node};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(name: &str) -> (String, Node) {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    let node = yaml::parse(&SourceFile::new(name, text.clone())).unwrap();
    (text, node)
}

#[test]
fn github_action_passes_inputs_through_the_environment() {
    let (text, action) = load("action.yml");
    let inputs: Vec<String> = action
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .map(|(k, _)| k.name.clone())
        .collect();
    assert!(inputs.contains(&"fail-on".to_owned()), "{inputs:?}");
    // Every `inputs.X` the action uses is declared.
    for part in text.split("inputs.").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(inputs.contains(&name), "undeclared input `{name}`");
    }
    let runs = action.get("runs").unwrap();
    assert_eq!(runs.get("using").and_then(Node::as_str), Some("composite"));
    let steps = runs.get("steps").unwrap().items();
    assert!(steps.len() >= 3);
    for step in steps {
        if let Some(script) = step.get("run").and_then(Node::as_str) {
            assert!(
                !script.contains("${{"),
                "a script expands an expression (shell injection): {script}"
            );
            assert_eq!(step.get("shell").and_then(Node::as_str), Some("bash"));
        }
    }
    assert!(text.contains("github/codeql-action/upload-sarif"));
    assert!(text.contains("--format sarif"));
}

#[test]
fn pre_commit_hooks_run_options_perimeter_has() {
    let (_, hooks) = load(".pre-commit-hooks.yaml");
    let hooks = hooks.items();
    assert!(!hooks.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join("README.md"), "x\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "init"]);
    for hook in hooks {
        let id = hook.get("id").and_then(Node::as_str).unwrap();
        let entry = hook.get("entry").and_then(Node::as_str).unwrap();
        let mut words = entry.split_whitespace();
        assert_eq!(words.next(), Some("perimeter"), "{id}");
        // The hook's command line is accepted and runs in a repository with no application.
        let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .current_dir(repo)
            .args(words)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let files = regex::Regex::new(hook.get("files").and_then(Node::as_str).unwrap()).unwrap();
        for hit in [
            "serverless.yml",
            "src/handler.ts",
            "main.tf",
            "template.yaml",
            "app.py",
        ] {
            assert!(files.is_match(hit), "{id} should run for {hit}");
        }
        for miss in ["README.md", "docs/index.html"] {
            assert!(!files.is_match(miss), "{id} should not run for {miss}");
        }
    }
}
