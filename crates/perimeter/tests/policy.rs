//! `perimeter policy` on the example shop: valid IAM JSON, a `serverless.yml` fragment that
//! the Serverless loader reads, SAM `Policies` that parse; and every SDK call of the example
//! is covered by the generated policy, with nothing else granted.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use perimeter::engine::{self, Options};
use perimeter_diagnostics::SourceFile;
use perimeter_graph::AppGraph;
use perimeter_graph::policy::policies;
use perimeter_graph::privilege::needs;
use perimeter_model::{serverless, yaml};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/shop")
}

fn policy(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["policy", "--format", format])
        .arg(example())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn iam_json_is_valid_policy_documents() {
    let v: serde_json::Value = serde_json::from_str(&policy("iam-json")).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 11);
    for p in list {
        assert_eq!(p["policy"]["Version"], "2012-10-17");
        for s in p["policy"]["Statement"].as_array().unwrap() {
            assert_eq!(s["Effect"], "Allow");
            assert!(!s["Action"].as_array().unwrap().is_empty());
            assert!(!s["Resource"].as_array().unwrap().is_empty());
            let sid = s["Sid"].as_str().unwrap();
            assert!(sid.chars().all(|c| c.is_ascii_alphanumeric()), "{sid}");
            assert!(
                !p["sources"][sid].as_array().unwrap().is_empty(),
                "each statement names the code that needs it"
            );
        }
    }
    let create = list
        .iter()
        .find(|p| p["function"] == "createOrder")
        .unwrap();
    let actions: Vec<&str> = create["policy"]["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(actions.contains(&"sqs:SendMessage"), "{create:#}");
    let resources = create["policy"]["Statement"][0]["Resource"]
        .as_array()
        .unwrap();
    assert!(
        resources.contains(&serde_json::json!({"Fn::GetAtt": ["OrdersQueue", "Arn"]})),
        "{create:#}"
    );
    assert!(
        !resources.contains(&serde_json::json!("*")),
        "the queues are known: {create:#}"
    );
}

#[test]
fn serverless_and_sam_forms_load() {
    let sls = policy("serverless");
    let doc_text = format!(
        "service: check\nprovider:\n  name: aws\n{}",
        sls.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let text = doc_text.replace("    iam:", "    handler: h.h\n    iam:");
    let file = SourceFile::new("serverless.yml", text);
    let doc = yaml::parse(&file).unwrap_or_else(|e| panic!("{e}\n{}", file.text()));
    let app = serverless::load(
        &file,
        doc,
        &serverless::NoFiles,
        &serverless::LoadOptions::default(),
    );
    let create = app.function("createOrder").unwrap();
    let role = app.role_of(create).unwrap();
    assert!(
        role.statements
            .iter()
            .flat_map(|s| s.action_strs())
            .any(|(a, _)| a == "sqs:SendMessage")
    );
    let sam = policy("sam");
    let doc = yaml::parse(&SourceFile::new("sam.yaml", sam.clone()))
        .unwrap_or_else(|e| panic!("{e}\n{sam}"));
    assert!(
        doc.path(&["Resources", "createOrder", "Properties", "Policies"])
            .is_some(),
        "{sam}"
    );
}

#[test]
fn every_sdk_call_is_covered_and_nothing_else_is_granted() {
    let scan = engine::load(&example(), &Options::default());
    let app = &scan.apps[0];
    let graph = AppGraph::build(app, &scan.summaries[0]);
    let generated = policies(&graph);
    let mut checked = 0;
    for p in &generated {
        let f = app.function(&p.function).unwrap();
        let Some(summary) = graph.summary(&f.id).filter(|s| s.handler.is_some()) else {
            continue;
        };
        let needed: BTreeSet<String> = needs(app, f, summary)
            .into_iter()
            .map(|n| n.action)
            .collect();
        let granted: BTreeSet<String> = p
            .statements
            .iter()
            .flat_map(|s| s.actions.iter().cloned())
            .collect();
        assert_eq!(granted, needed, "{}", p.function);
        checked += needed.len();
    }
    assert!(checked >= 4, "the example makes SDK calls: {checked}");
}
