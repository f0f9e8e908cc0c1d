//! The microbenchmark suite (issue 17 item 4): small applications under tests/microbench, each
//! with one tainted flow and one safe twin, over every channel, both languages, intra- and
//! inter-procedural flows, modules and helper libraries. Each app is scanned as `perimeter scan`
//! does; the test prints a table (flow found, source in the trace, safe twin reported, false
//! alarms) and holds every app to the status its `expect.toml` records, so a regression fails
//! and a fix that makes a known miss pass asks for its status to be flipped.
//!
//! `expect.toml`:
//! - `summary`, `channel`, `lang`, `shape`: what the app exercises (printed in the table);
//! - `[[flow]]`: `rule` (kind or code), `file`, `line` of the sink, `source` (`file:line` that
//!   must appear in the finding's trace), `status` (`found` or `known-miss`, with `reason`);
//! - `[safe]`: `twin` (what makes it safe), `files` (`file` or `file:line`) and `functions`
//!   (function ids) that must not be reported;
//! - `[[false_alarm]]`: a known false alarm (`rule`, `file`, `line`, `reason`), kept visible.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    summary: String,
    channel: String,
    lang: String,
    shape: String,
    flow: Vec<Expected>,
    safe: Safe,
    #[serde(default)]
    false_alarm: Vec<KnownFalseAlarm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    file: String,
    line: u64,
    source: String,
    status: Status,
    reason: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Found,
    KnownMiss,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Safe {
    twin: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    functions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownFalseAlarm {
    rule: String,
    file: String,
    line: u64,
    reason: String,
}

/// Kinds a flow of event data to a sink produces.
fn is_flow_kind(kind: &str) -> bool {
    kind.starts_with("injection-")
        || matches!(
            kind,
            "ssrf" | "path-traversal" | "deserialization" | "xxe" | "xss"
        )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/microbench")
}

fn scan(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .env("PERIMETER_NO_RESULT_CACHE", "1")
        .args(["scan", "--no-cache", "--format", "json", "--allow-errors"])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn split_loc(s: &str) -> (&str, Option<u64>) {
    match s.rsplit_once(':') {
        Some((f, l)) if l.parse::<u64>().is_ok() => (f, l.parse().ok()),
        _ => (s, None),
    }
}

fn rule_matches(f: &Value, rule: &str) -> bool {
    f["kind"] == rule || f["rule"] == rule || f["name"] == rule
}

/// One row of the table, with what the manifest says and what the scan gave.
struct Row {
    app: String,
    manifest: Manifest,
    /// Per expected flow: (reported at its sink, source in the trace).
    flows: Vec<(bool, bool)>,
    /// Flow-kind findings in the safe twin.
    twin: Vec<String>,
    /// Other flow-kind findings that no flow expects.
    other: Vec<String>,
}

fn evaluate(app: &str, dir: &Path) -> Row {
    let text = std::fs::read_to_string(dir.join("expect.toml")).unwrap();
    let manifest: Manifest =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{app}/expect.toml: {e}"));
    for fl in &manifest.flow {
        let (sf, sl) = split_loc(&fl.source);
        for (file, line) in [(fl.file.as_str(), Some(fl.line)), (sf, sl)] {
            let lines = std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("{app}: {file}: {e}"))
                .lines()
                .count() as u64;
            let line = line.unwrap_or_else(|| panic!("{app}: source needs file:line"));
            assert!(
                line >= 1 && line <= lines,
                "{app}: {file}:{line} is past the end"
            );
        }
        assert!(
            fl.status == Status::Found || fl.reason.is_some(),
            "{app}: a known-miss needs a reason"
        );
    }
    let report = scan(dir);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"].as_str().is_some_and(is_flow_kind))
        .collect();
    let mut expected_hit = vec![false; findings.len()];
    let flows = manifest
        .flow
        .iter()
        .map(|fl| {
            let (sf, sl) = split_loc(&fl.source);
            let mut found = false;
            let mut sourced = false;
            for (i, f) in findings.iter().enumerate() {
                if rule_matches(f, &fl.rule) && f["path"] == fl.file && f["line"] == fl.line {
                    expected_hit[i] = true;
                    found = true;
                    sourced |= f["trace"].as_array().is_some_and(|t| {
                        t.iter()
                            .any(|s| s["path"] == sf && s["line"].as_u64() == sl)
                    });
                }
            }
            (found, sourced)
        })
        .collect();
    let in_twin = |f: &Value| {
        let path = f["path"].as_str().unwrap_or_default();
        let line = f["line"].as_u64();
        manifest.safe.files.iter().any(|s| {
            let (file, l) = split_loc(s);
            file == path && (l.is_none() || l == line)
        }) || manifest
            .safe
            .functions
            .iter()
            .any(|id| f["function"].as_str() == Some(id.as_str()))
    };
    let describe = |f: &Value| {
        format!(
            "{} {}:{} in {}",
            f["kind"].as_str().unwrap_or_default(),
            f["path"].as_str().unwrap_or_default(),
            f["line"],
            f["function"].as_str().unwrap_or("?")
        )
    };
    let mut twin = Vec::new();
    let mut other = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if expected_hit[i] && !in_twin(f) {
            continue;
        }
        if in_twin(f) {
            twin.push(describe(f));
        } else {
            other.push(describe(f));
        }
    }
    Row {
        app: app.to_owned(),
        manifest,
        flows,
        twin,
        other,
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[test]
#[allow(clippy::print_stdout)] // the table is the suite's report (`-- --nocapture` shows it)
fn microbench_flows_found_and_safe_twins_quiet() {
    let mut apps: Vec<(String, PathBuf)> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    apps.sort();
    assert!(apps.len() >= 40, "{} apps", apps.len());

    // Scan a few apps at a time: each scan is its own process.
    let rows: Vec<Row> = std::thread::scope(|s| {
        let chunks: Vec<_> = apps
            .chunks(apps.len().div_ceil(4))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, dir)| evaluate(name, dir))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });

    let mut table = String::from(
        "app                                  channel          lang shape                  rule                 found source twin  other status\n",
    );
    let mut failures = Vec::new();
    let (mut expected, mut passing, mut twins_reported) = (0, 0, 0);
    let mut channels: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for row in &rows {
        let m = &row.manifest;
        let _ = (&m.summary, &m.safe.twin);
        if !row.twin.is_empty() {
            twins_reported += 1;
        }
        for (fl, &(found, sourced)) in m.flow.iter().zip(&row.flows) {
            expected += 1;
            let pass = found && sourced;
            passing += usize::from(pass);
            let lang = if m.lang == "ts" {
                "js"
            } else {
                m.lang.as_str()
            };
            let c = channels
                .entry((m.channel.clone(), lang.to_owned()))
                .or_default();
            c.0 += 1;
            c.1 += usize::from(pass);
            table.push_str(&format!(
                "{:<36} {:<16} {:<4} {:<22} {:<20} {:<5} {:<6} {:<5} {:<5} {}\n",
                row.app,
                m.channel,
                m.lang,
                m.shape,
                fl.rule,
                yes(found),
                yes(sourced),
                row.twin.len(),
                row.other.len(),
                match fl.status {
                    Status::Found => "found",
                    Status::KnownMiss => "known-miss",
                }
            ));
            match (fl.status, pass) {
                (Status::Found, false) => failures.push(format!(
                    "{}: {} at {}:{} {} (status = \"found\")",
                    row.app,
                    fl.rule,
                    fl.file,
                    fl.line,
                    if found {
                        format!("is reported but its trace lacks the source {}", fl.source)
                    } else {
                        "is not reported".to_owned()
                    }
                )),
                (Status::KnownMiss, true) => failures.push(format!(
                    "{}: {} at {}:{} now passes: flip its status to \"found\" in expect.toml",
                    row.app, fl.rule, fl.file, fl.line
                )),
                _ => {}
            }
        }
        // Every unexpected flow-kind finding is a false alarm unless the manifest lists it.
        let listed = |d: &str| {
            m.false_alarm.iter().any(|k| {
                d.starts_with(&format!("{} {}:{} ", k.rule, k.file, k.line)) && !k.reason.is_empty()
            })
        };
        for d in row.twin.iter().chain(&row.other) {
            if !listed(d) {
                failures.push(format!("{}: false alarm: {d}", row.app));
            }
        }
        for k in &m.false_alarm {
            let prefix = format!("{} {}:{} ", k.rule, k.file, k.line);
            if !row
                .twin
                .iter()
                .chain(&row.other)
                .any(|d| d.starts_with(&prefix))
            {
                failures.push(format!(
                    "{}: the known false alarm {prefix}is gone: remove it from expect.toml",
                    row.app
                ));
            }
        }
    }
    table.push_str(&format!(
        "\n{} apps, {passing}/{expected} flows found with their source in the trace, {twins_reported} safe twins reported\n",
        rows.len()
    ));
    for ((channel, lang), (n, ok)) in &channels {
        table.push_str(&format!("  {channel:<16} {lang:<3} {ok}/{n}\n"));
    }
    for row in &rows {
        for (fl, &(found, sourced)) in row.manifest.flow.iter().zip(&row.flows) {
            if let Some(reason) = &fl.reason {
                table.push_str(&format!(
                    "  miss {} (found {}, source {}): {reason}\n",
                    row.app,
                    yes(found),
                    yes(sourced)
                ));
            }
        }
        for d in row.twin.iter().chain(&row.other) {
            table.push_str(&format!("  false alarm {}: {d}\n", row.app));
        }
    }
    assert!(failures.is_empty(), "{table}\n{}", failures.join("\n"));
    println!("{table}");
}
