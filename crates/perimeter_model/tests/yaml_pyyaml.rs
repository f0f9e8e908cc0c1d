//! perimeter's YAML parser against PyYAML's reading (the loader of SAM and the AWS CLI), on our
//! own fixtures of the constructs where the two could differ. The expected JSON next to each
//! fixture is PyYAML's, written by `cargo xtask yaml-fixtures` (xtask/scripts/pyyaml_json.py:
//! the safe loader plus CloudFormation short forms), so this test needs no Python. Fixtures
//! where perimeter deliberately reads otherwise are listed in `tests/yaml/pyyaml_known.txt`
//! with their reason; the test fails when an unlisted fixture differs or a listed one agrees.

use std::path::Path;

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml;
use serde_json::Value as Json;

#[path = "yaml/json.rs"]
mod json;
use json::{plain, same};

/// Whether perimeter reads the fixture as PyYAML does; the difference when not.
fn agrees(yaml_path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(yaml_path).unwrap();
    let expected: Json =
        serde_json::from_str(&std::fs::read_to_string(yaml_path.with_extension("json")).unwrap())
            .unwrap();
    let ours = yaml::parse(&SourceFile::new("f.yaml", text));
    match (expected.get("value"), ours) {
        (Some(v), Ok(n)) if same(v, &plain(&n)) => Ok(()),
        (Some(v), Ok(n)) => Err(format!("PyYAML {v}\nperimeter {}", plain(&n))),
        (Some(_), Err(e)) => Err(format!("PyYAML reads it, perimeter: {}", e.message)),
        (None, Err(_)) => Ok(()),
        (None, Ok(n)) => Err(format!(
            "PyYAML refuses it ({}), perimeter reads {}",
            expected["error"],
            plain(&n)
        )),
    }
}

#[test]
fn fixtures_read_as_pyyaml_reads_them_or_are_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml/pyyaml");
    let known_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml/pyyaml_known.txt"),
    )
    .unwrap();
    let known: Vec<&str> = known_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "{} fixtures", fixtures.len());
    let mut problems = Vec::new();
    for path in &fixtures {
        let name = path.file_stem().unwrap().to_str().unwrap();
        match (agrees(path), known.contains(&name)) {
            (Ok(()), false) | (Err(_), true) => {}
            (Ok(()), true) => problems.push(format!("{name}: agrees now, remove it from the list")),
            (Err(e), false) => problems.push(format!("{name}: {e}")),
        }
    }
    for name in &known {
        if !fixtures.iter().any(|p| p.file_stem().unwrap() == *name) {
            problems.push(format!("{name}: listed but no such fixture"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The repaired constructs keep spans in the file: findings point at the written text.
#[test]
fn repaired_constructs_keep_their_spans() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml/pyyaml");
    let read = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        yaml::parse(&SourceFile::new(name, text)).unwrap()
    };
    let doc = read("quoted_continuation.yaml");
    let d = doc.path(&["Outputs", "Endpoint", "Description"]).unwrap();
    assert_eq!(
        d.loc.text(),
        "\"The endpoint of the API,\nto be called by the web client\""
    );
    assert_eq!(d.loc.start().line, 4);
    let doc = read("comment_without_space.yaml");
    let s = doc.path(&["Parameters", "Stage", "Default"]).unwrap();
    assert_eq!(s.loc.text(), "\"dev\"");
    let tags = doc.path(&["Parameters", "Stage", "Tags"]).unwrap().items();
    assert_eq!(tags[1].loc.text(), "b");
    assert_eq!(tags[1].loc.start().line, 7);
    let doc = read("dash_in_flow.yaml");
    let sep = &doc.path(&["Name", "Fn::Join"]).unwrap().items()[0];
    assert_eq!(sep.loc.text(), "-");
    assert_eq!(sep.loc.start().column, 14);
    let doc = read("block_scalar_at_eof.yaml");
    let code = doc
        .path(&["Resources", "Fn", "Properties", "InlineCode"])
        .unwrap();
    assert!(code.as_str().unwrap().ends_with("return event"));
}
