//! The official YAML test suite (github.com/yaml/yaml-test-suite, MIT) held against perimeter's
//! YAML parser. Valid documents must be read, to the suite's JSON (`in.json`) where it gives one;
//! invalid ones must be refused with an error. No case may panic or hang. Every case perimeter
//! does not pass is listed with its reason in `tests/yaml/suite_known.txt`; the test fails when
//! an unlisted case fails, when a listed case passes (remove it from the list) or when a listed
//! case fails differently.
//!
//! The suite's data is not committed. Bring it with `fetch github:yaml/yaml-test-suite` (or a
//! clone), then `cargo xtask yaml-suite --suite GITDIR` writes it to `target/yaml-test-suite`
//! (or set `PERIMETER_YAML_SUITE` to a folder holding the `data` branch), and run
//! `cargo test -p perimeter_model --test yaml_suite -- --ignored`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml;
use serde_json::Value as Json;

#[path = "yaml/json.rs"]
mod json;
use json::{plain, same};

/// How long one case may take before it counts as a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);

fn suite_dir() -> PathBuf {
    std::env::var_os("PERIMETER_YAML_SUITE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/yaml-test-suite"),
        PathBuf::from,
    )
}

/// The case folders (`ID` or `ID/NN`): those holding an `in.yaml`. Symbolic links (the
/// suite's `name/` and `tags/` indexes) are not followed.
fn cases(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            }
        }
        if d.join("in.yaml").is_file() {
            let name = d
                .strip_prefix(dir)
                .unwrap_or(&d)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((name, d));
        }
    }
    out.sort();
    out
}

/// What perimeter does with a case, when it is not what the suite expects.
fn outcome(dir: &Path) -> Option<&'static str> {
    let text = std::fs::read(dir.join("in.yaml")).unwrap_or_default();
    let invalid = dir.join("error").exists();
    let expected: Option<Vec<Json>> = std::fs::read_to_string(dir.join("in.json")).ok().map(|t| {
        serde_json::Deserializer::from_str(&t)
            .into_iter::<Json>()
            .collect::<Result<_, _>>()
            .unwrap_or_default()
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| {
            let text = String::from_utf8_lossy(&text).into_owned();
            yaml::parse(&SourceFile::new("in.yaml", text)).map(|n| plain(&n))
        });
        let _ = tx.send(result);
    });
    let result = match rx.recv_timeout(CASE_TIMEOUT) {
        Err(_) => return Some("hang"),
        Ok(Err(_)) => return Some("panic"),
        Ok(Ok(r)) => r,
    };
    match (invalid, result) {
        (true, Ok(_)) => Some("accepted"),
        (true, Err(_)) => None,
        (false, Err(_)) => Some("refused"),
        (false, Ok(ours)) => match expected {
            None => None,
            Some(docs) if docs.is_empty() => (!ours.is_null()).then_some("value"),
            Some(docs) if !same(&docs[0], &ours) => Some("value"),
            Some(docs) if docs.len() > 1 => Some("first-document-only"),
            Some(_) => None,
        },
    }
}

/// The committed list: case, outcome, reason.
fn known() -> BTreeMap<String, (String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml/suite_known.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let case = parts.next().unwrap().to_owned();
        let outcome = parts.next().unwrap_or_default().to_owned();
        let reason = parts.next().unwrap_or_default().trim().to_owned();
        assert!(!reason.is_empty(), "{case}: a listed case needs a reason");
        assert!(
            out.insert(case.clone(), (outcome, reason)).is_none(),
            "{case} listed twice"
        );
    }
    out
}

#[test]
#[ignore = "needs the suite's data: cargo xtask yaml-suite --suite GITDIR (see the file's header)"]
fn yaml_test_suite_cases_pass_or_are_listed_with_their_reason() {
    let dir = suite_dir();
    let cases = cases(&dir);
    assert!(
        cases.len() > 300,
        "no yaml-test-suite data at {} ({} cases)",
        dir.display(),
        cases.len()
    );
    let known = known();
    let mut problems = Vec::new();
    let mut failed: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, path) in &cases {
        let got = outcome(path);
        if let Some(o) = got {
            *failed.entry(o).or_default() += 1;
        }
        match (got, known.get(name)) {
            (None, None) => {}
            (Some(o @ ("panic" | "hang")), _) => problems.push(format!("{name}: {o}")),
            (Some(o), None) => problems.push(format!("{name}: {o}, not listed")),
            (None, Some(_)) => {
                problems.push(format!("{name}: now passes, remove it from the list"))
            }
            (Some(o), Some((k, _))) if o != k => {
                problems.push(format!("{name}: {o}, listed as {k}"));
            }
            (Some(_), Some(_)) => {}
        }
    }
    for name in known.keys() {
        if !cases.iter().any(|(n, _)| n == name) {
            problems.push(format!("{name}: listed but not in the suite"));
        }
    }
    let failing: usize = failed.values().sum();
    #[expect(clippy::print_stderr, reason = "the suite's figures, for the record")]
    {
        eprintln!(
            "yaml-test-suite: {} cases, {} pass, {failing} listed failures {failed:?}",
            cases.len(),
            cases.len() - failing
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
