//! YAML conformance data: the official YAML test suite extracted for the conformance test, and
//! the comparison of perimeter's YAML parser with PyYAML's reading of a corpus.
//!
//! - `yaml-suite --suite GITDIR [--out DIR]`: writes the `data` branch of a yaml/yaml-test-suite
//!   git directory (as `fetch github:yaml/yaml-test-suite` brings it) to DIR (default
//!   `target/yaml-test-suite`), where `crates/perimeter_model/tests/yaml_suite.rs` reads it. The
//!   suite's files are not committed: only our list of the cases we do not pass is.
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

/// Writes the suite's `data` branch under `out` (`git archive` piped to `tar`: the objects
/// are read, nothing of the repository runs).
pub(crate) fn extract_suite(git_dir: &Path, out: &Path) -> Result<usize> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    std::fs::create_dir_all(out)?;
    let mut archive = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["archive", "--format=tar", "data"])
        .stdout(Stdio::piped())
        .spawn()
        .context("git archive")?;
    let stdout = archive.stdout.take().context("git archive stdout")?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(out)
        .stdin(stdout)
        .status()
        .context("tar")?;
    if !archive.wait()?.success() || !tar.success() {
        bail!("extracting the data branch of {} failed", git_dir.display());
    }
    let cases = walk(out)?
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "in.yaml"))
        .count();
    Ok(cases)
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
