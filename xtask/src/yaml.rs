//! YAML conformance data: the official YAML test suite extracted for the conformance test, and
//! the comparison of perimeter's YAML parser with PyYAML's reading of a corpus.
//!
//! - `yaml-suite --suite GITDIR [--out DIR] [--licence-rev REV]`: writes the cases of the
//!   `data` branch of a yaml/yaml-test-suite git directory (as `fetch github:yaml/yaml-test-suite`
//!   brings it), one JSON line each, with the suite's licence and a README naming the commits,
//!   to DIR (default `crates/perimeter_model/tests/yaml/suite`, committed), where
//!   `crates/perimeter_model/tests/yaml_suite.rs` reads them.
//! - `yaml-pyyaml --trees DIR [--python BIN]`: reads every YAML file under DIR (the ecosystem
//!   trees; `node_modules` skipped) with PyYAML (`xtask/scripts/pyyaml_json.py`) and with
//!   perimeter, and prints each difference, classified, with totals. Nothing is written.
//! - `yaml-fixtures [--python BIN]`: writes PyYAML's reading of our own fixtures
//!   (`crates/perimeter_model/tests/fixtures/yaml/pyyaml/*.yaml`) next to them as `*.json`, so
//!   the Rust test compares without Python.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml::{self, Node};
use serde_json::Value as Json;

/// The PyYAML reader.
pub(crate) const SCRIPT: &str = "xtask/scripts/pyyaml_json.py";
/// Our own fixtures with PyYAML's expected reading.
pub(crate) const FIXTURES: &str = "crates/perimeter_model/tests/fixtures/yaml/pyyaml";

/// Where the suite's cases are committed, with its licence and a README naming their source.
pub(crate) const SUITE_OUT: &str = "crates/perimeter_model/tests/yaml/suite";
/// The cases, one JSON object a line.
pub(crate) const SUITE_CASES: &str = "cases.jsonl";

/// One case of the suite as committed: what the conformance test needs of its folder.
#[derive(serde::Serialize)]
struct SuiteCase {
    /// `ID` or `ID/NN` (a case with sub-cases).
    id: String,
    /// The first line of the case's `===` file.
    name: String,
    /// The suite marks the document invalid (an `error` file).
    error: bool,
    /// `in.yaml`, byte for byte.
    yaml: String,
    /// The documents of `in.json`, or null where the suite gives none.
    json: Option<Vec<Json>>,
}

/// Runs git on the suite's git directory (objects are read, nothing of the repository runs).
fn git(git_dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .context("running git")?;
    if !out.status.success() {
        bail!("git {} failed on {}", args.join(" "), git_dir.display());
    }
    Ok(out.stdout)
}

/// The blob of `rev:path` as text.
fn git_text(git_dir: &Path, rev: &str, path: &str) -> Result<String> {
    String::from_utf8(git(
        git_dir,
        &["cat-file", "blob", &format!("{rev}:{path}")],
    )?)
    .with_context(|| format!("{rev}:{path} is not UTF-8"))
}

/// The committed files of the suite, by name under [`SUITE_OUT`], generated from the `data`
/// branch of a yaml/yaml-test-suite git directory (as `fetch github:yaml/yaml-test-suite`
/// brings it), with the licence of the commit the data was generated from (`licence_rev`
/// names another) and the number of cases.
pub(crate) fn suite_files(
    git_dir: &Path,
    licence_rev: Option<&str>,
) -> Result<(BTreeMap<&'static str, String>, usize)> {
    let data = String::from_utf8(git(git_dir, &["rev-parse", "data^{commit}"])?)?
        .trim()
        .to_owned();
    // The data branch carries no licence: its commits say which commit of the suite's
    // sources they were generated from ("Regenerated data from main 45db50ae").
    let subject = String::from_utf8(git(git_dir, &["log", "-1", "--format=%s", &data])?)?;
    let source = match licence_rev {
        Some(rev) => rev.to_owned(),
        None => subject
            .trim()
            .strip_prefix("Regenerated data from main ")
            .context("the data commit does not name its source commit: pass --licence-rev REV")?
            .to_owned(),
    };
    let source = String::from_utf8(git(
        git_dir,
        &["rev-parse", &format!("{source}^{{commit}}")],
    )?)?
    .trim()
    .to_owned();
    let licence = git_text(git_dir, &source, "License")?;
    if !licence.starts_with("MIT License") {
        bail!("the suite's licence at {source} is not the MIT licence: check it before vendoring");
    }

    // Case folders are `ID/` or `ID/NN/`; `name/` and `tags/` are symbolic-link indexes.
    let listing = String::from_utf8(git(git_dir, &["ls-tree", "-r", "--name-only", &data])?)?;
    let mut folders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in listing.lines() {
        let Some((folder, file)) = path.rsplit_once('/') else {
            continue;
        };
        let id = folder.split('/').next().unwrap_or_default();
        if id.len() == 4
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            folders
                .entry(folder.to_owned())
                .or_default()
                .push(file.to_owned());
        }
    }
    let mut cases = String::new();
    let mut count = 0;
    for (folder, files) in &folders {
        let has = |f: &str| files.iter().any(|x| x == f);
        if !has("in.yaml") {
            continue;
        }
        let read = |f: &str| git_text(git_dir, &data, &format!("{folder}/{f}"));
        let json = if has("in.json") {
            let text = read("in.json")?;
            let docs = serde_json::Deserializer::from_str(&text)
                .into_iter::<Json>()
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("{folder}/in.json"))?;
            Some(docs)
        } else {
            None
        };
        let case = SuiteCase {
            id: folder.clone(),
            name: read("===")?
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            error: has("error"),
            yaml: read("in.yaml")?,
            json,
        };
        cases.push_str(&serde_json::to_string(&case)?);
        cases.push('\n');
        count += 1;
    }
    let readme = format!(
        "# The YAML test suite\n\n\
         The cases of github.com/yaml/yaml-test-suite (MIT, `LICENSE` here), one a line in\n\
         `{SUITE_CASES}`: the case's id, name, whether the suite marks it invalid, its `in.yaml`\n\
         and the documents of its `in.json` (null where the suite gives none). Read by\n\
         `tests/yaml_suite.rs`; the cases perimeter does not pass are in `../suite_known.txt`.\n\n\
         Generated, do not edit: `cargo xtask yaml-suite --suite GITDIR`, {count} cases from the\n\
         suite's `data` branch at {data},\n\
         generated by the suite from its commit {source},\n\
         whose `License` is copied here.\n"
    );
    let mut files = BTreeMap::new();
    files.insert(SUITE_CASES, cases);
    files.insert("LICENSE", licence);
    files.insert("README.md", readme);
    Ok((files, count))
}

/// Every file under `dir`, `node_modules` and `.git` skipped, symbolic links not followed.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                if !matches!(entry.file_name().to_str(), Some("node_modules" | ".git")) {
                    stack.push(path);
                }
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_yaml(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    [".yml", ".yaml", ".template", ".cfn"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// PyYAML's reading of each file: `Ok(value)` or `Err(message)`.
fn pyyaml(
    root: &Path,
    python: &str,
    files: &[PathBuf],
) -> Result<BTreeMap<PathBuf, Result<Json, String>>> {
    let mut out = BTreeMap::new();
    for chunk in files.chunks(200) {
        let output = Command::new(python)
            .arg(root.join(SCRIPT))
            .args(chunk)
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("running {python} {SCRIPT}"))?;
        if !output.status.success() {
            bail!("{SCRIPT} failed");
        }
        for line in String::from_utf8(output.stdout)?.lines() {
            let mut v: Json = serde_json::from_str(line)?;
            let path = PathBuf::from(v["path"].as_str().context("path")?);
            let result = match v.get_mut("value") {
                Some(value) => Ok(value.take()),
                None => Err(v["error"].as_str().unwrap_or_default().to_owned()),
            };
            out.insert(path, result);
        }
    }
    Ok(out)
}

/// A parsed node as the PyYAML script writes values (non-finite floats as text).
pub(crate) fn plain(node: &Node) -> Json {
    node.to_json()
}

/// Words YAML 1.1 (PyYAML) reads as booleans and YAML 1.2 (js-yaml, perimeter) as strings.
fn yaml11_bool(s: &str) -> bool {
    matches!(
        s,
        "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"
    )
}

/// A YAML 1.1 timestamp (`2001-12-14`, `2001-12-14T21:59:43Z`): PyYAML builds a date whose
/// ISO form the script writes, perimeter keeps the text.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// One difference between the two readings of a document, at a JSON path.
struct Diff {
    path: String,
    kind: &'static str,
    detail: String,
}

fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

fn numbers_equal(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Collects the differences of `ours` from `py` (PyYAML's), classified.
fn diff(path: &str, py: &Json, ours: &Json, out: &mut Vec<Diff>) {
    match (py, ours) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => diff(&format!("{path}/{k}"), v, w, out),
                    None => {
                        // `on:` is the key `true` for PyYAML.
                        let renamed = (k == "true" || k == "false")
                            && b.keys().any(|bk| yaml11_bool(bk) && !a.contains_key(bk));
                        out.push(Diff {
                            path: format!("{path}/{k}"),
                            kind: if renamed {
                                "yaml-1.1-bool"
                            } else {
                                "structure"
                            },
                            detail: "key missing in perimeter's reading".to_owned(),
                        });
                    }
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                let kind = if yaml11_bool(k) {
                    "yaml-1.1-bool"
                } else {
                    "structure"
                };
                out.push(Diff {
                    path: format!("{path}/{k}"),
                    kind,
                    detail: "key only in perimeter's reading".to_owned(),
                });
            }
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}/{i}"), v, w, out);
            }
        }
        _ if py == ours || numbers_equal(py, ours) => {}
        (Json::Bool(_), Json::String(s)) if yaml11_bool(s) => out.push(Diff {
            path: path.to_owned(),
            kind: "yaml-1.1-bool",
            detail: format!("PyYAML {py}, perimeter {}", short(ours)),
        }),
        (Json::Number(_) | Json::String(_), Json::String(_) | Json::Number(_))
            if !(py.is_string() && ours.is_string()) =>
        {
            out.push(Diff {
                path: path.to_owned(),
                kind: "yaml-1.1-scalar",
                detail: format!("PyYAML {}, perimeter {}", short(py), short(ours)),
            });
        }
        (Json::String(a), Json::String(b)) if is_timestamp(b) && a.get(..10) == b.get(..10) => {
            out.push(Diff {
                path: path.to_owned(),
                kind: "yaml-1.1-timestamp",
                detail: format!("PyYAML {}, perimeter {}", short(py), short(ours)),
            });
        }
        _ => out.push(Diff {
            path: path.to_owned(),
            kind: if py.is_string() && ours.is_string() {
                "string"
            } else {
                "structure"
            },
            detail: format!("PyYAML {}, perimeter {}", short(py), short(ours)),
        }),
    }
}

/// The comparison over every YAML file under `trees`: a report of each difference and totals.
pub(crate) fn compare(root: &Path, trees: &Path, python: &str) -> Result<String> {
    let files: Vec<PathBuf> = walk(trees)?.into_iter().filter(|p| is_yaml(p)).collect();
    let expected = pyyaml(root, python, &files)?;
    let mut report = String::new();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files_differing: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &files {
        let rel = file
            .strip_prefix(trees)
            .unwrap_or(file)
            .display()
            .to_string();
        let Some(py) = expected.get(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&std::fs::read(file)?).into_owned();
        let ours = yaml::parse(&SourceFile::new(&rel, text));
        let mut diffs = Vec::new();
        match (py, &ours) {
            (Err(_), Err(_)) => {}
            (Ok(v), Ok(n)) => diff("", v, &plain(n), &mut diffs),
            (Ok(_), Err(e)) => diffs.push(Diff {
                path: String::new(),
                kind: "refused",
                detail: format!("PyYAML reads it, perimeter: {}", e.message),
            }),
            (Err(e), Ok(_)) => diffs.push(Diff {
                path: String::new(),
                kind: if e.contains("expected a single document") {
                    "multi-document"
                } else {
                    "accepted"
                },
                detail: format!("PyYAML refuses it: {e}"),
            }),
        }
        let mut kinds: Vec<&str> = diffs.iter().map(|d| d.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for k in kinds {
            *files_differing.entry(k).or_default() += 1;
        }
        for d in diffs {
            *totals.entry(d.kind).or_default() += 1;
            let _ = writeln!(report, "{rel}{} [{}] {}", d.path, d.kind, d.detail);
        }
    }
    let _ = writeln!(report, "\n{} YAML files compared", files.len());
    for (kind, n) in &totals {
        let _ = writeln!(
            report,
            "{kind}: {n} difference(s) in {} file(s)",
            files_differing.get(kind).copied().unwrap_or(0)
        );
    }
    Ok(report)
}

/// Writes PyYAML's reading of each of our fixtures next to it.
pub(crate) fn write_fixtures(root: &Path, python: &str) -> Result<usize> {
    let dir = root.join(FIXTURES);
    let files: Vec<PathBuf> = walk(&dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    let expected = pyyaml(root, python, &files)?;
    for (path, result) in &expected {
        let value = match result {
            Ok(v) => serde_json::json!({ "value": v }),
            Err(e) => serde_json::json!({ "error": e }),
        };
        let mut text = serde_json::to_string_pretty(&value)?;
        text.push('\n');
        std::fs::write(path.with_extension("json"), text)?;
    }
    Ok(expected.len())
}
