//! The fixture harness: every `resources/test/fixtures/<domain>/<CODE>/` directory holds
//! descriptors (`serverless.yml`, `template.yaml`, `cfn.yaml`) and handler files whose lines
//! carry `# expect: CODE` (a finding of the rule must start on that line) or `# ok: CODE`
//! (documentation: it must not fire there). Each descriptor is loaded with the real loaders,
//! its handlers analysed, the rule run, and the reported lines compared with the `expect`
//! lines, per file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use perimeter_code::handler::{self, HandlerSpec};
use perimeter_code::{FunctionSummary, Repo};
use perimeter_diagnostics::{Finding, SourceFile};
use perimeter_model::{Application, cfn, yaml};
use perimeter_rules::{AppContext, Selection, by_code_or_name, run};

/// Whether a file name is a descriptor the harness loads.
fn is_descriptor(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".json")
}

fn rel(path: &Path) -> String {
    path.strip_prefix(common::root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Loads one descriptor; `None` when its loader is not available.
fn load(path: &Path) -> Option<Application> {
    let rel = rel(path);
    let mut text = std::fs::read_to_string(path).unwrap();
    if rel.ends_with(".json") {
        text = json_without_markers(&rel, &text);
    }
    let file = SourceFile::new(rel.clone(), text);
    let doc = yaml::parse(&file).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let name = path.file_name().unwrap().to_string_lossy();
    if name.starts_with("serverless") {
        return load_serverless(&file, doc);
    }
    assert!(cfn::is_template(&doc).is_some(), "{rel} is not a template");
    Some(cfn::load(&rel, dir, doc))
}

/// JSON has no comments: a `.json` descriptor carries its markers as `// expect: CODE` at the
/// end of a line, blanked here (every line stays where it is) before the loader reads it; what
/// remains must be strict JSON, as a real `cfn.json` is.
fn json_without_markers(rel: &str, text: &str) -> String {
    let out: Vec<String> = text
        .lines()
        .map(|line| {
            let at = [" // expect:", " // ok:"]
                .iter()
                .filter_map(|m| line.find(m))
                .min();
            at.map_or_else(|| line.to_owned(), |at| line[..at].to_owned())
        })
        .collect();
    let out = out.join("\n");
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
        panic!("{rel} is not JSON once its markers are blanked: {e}");
    }
    out
}

/// Whether the Serverless loader is wired in (until then `serverless.yml` fixtures are
/// skipped).
const SERVERLESS_READY: bool = true;

fn load_serverless(
    file: &std::sync::Arc<SourceFile>,
    doc: perimeter_model::Node,
) -> Option<Application> {
    Some(perimeter_model::serverless::load(
        file,
        doc,
        &perimeter_model::serverless::NoFiles,
        &perimeter_model::serverless::LoadOptions::default(),
    ))
}

/// The fixtures as the Terraform loader reads a tree.
struct FixtureTree {
    root: std::path::PathBuf,
}

impl perimeter_model::terraform::Tree for FixtureTree {
    fn file(&self, rel: &str) -> Option<std::sync::Arc<SourceFile>> {
        let mut text = std::fs::read_to_string(self.root.join(rel)).ok()?;
        if rel.ends_with(".json") {
            text = json_without_markers(rel, &text);
        }
        Some(SourceFile::new(rel, text))
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.root.join(dir))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
                    .filter(|p| {
                        perimeter_model::terraform::is_terraform(p)
                            || perimeter_model::terraform::is_tfvars(p)
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

/// Every file under a folder, recursively, sorted.
fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in common::sorted(dir) {
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A project folder of a fixture as the Chalice and Azure loaders read a tree.
struct ProjectTree {
    root: std::path::PathBuf,
    files: Vec<String>,
}

impl perimeter_model::pysource::AppFiles for ProjectTree {
    fn file(&self, rel: &str) -> Option<std::sync::Arc<SourceFile>> {
        if !self.files.iter().any(|f| f == rel) {
            return None;
        }
        let mut text = std::fs::read_to_string(self.root.join(rel)).ok()?;
        if rel.ends_with(".json") {
            text = json_without_markers(rel, &text);
        }
        Some(SourceFile::new(rel, text))
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| f.starts_with(&format!("{dir}/")))
            .cloned()
            .collect()
    }
}

fn check_dependency_fixture(
    dir: &Path,
    repo: &Repo,
    entries: &[std::path::PathBuf],
) -> Vec<String> {
    struct NoIncludes;
    impl perimeter_deps::lockfile::Includes for NoIncludes {
        fn read(&self, _: &str) -> Option<std::sync::Arc<SourceFile>> {
            None
        }
    }
    let db_dir = tempfile::tempdir().unwrap();
    perimeter_deps::db::import(db_dir.path(), &dir.join("osv")).unwrap();
    let db = perimeter_deps::db::Db::open(db_dir.path())
        .unwrap()
        .unwrap();
    let mut locks = Vec::new();
    for e in entries {
        let path = rel(e);
        if perimeter_deps::lockfile::kind_of(&path).is_some() {
            let text = std::fs::read_to_string(e).unwrap();
            let file = SourceFile::new(path, text);
            locks.push(perimeter_deps::lockfile::parse(&file, &NoIncludes).unwrap());
        }
    }
    let apps: Vec<Application> = entries
        .iter()
        .filter(|p| is_descriptor(&p.file_name().unwrap().to_string_lossy()))
        .filter(|p| perimeter_deps::lockfile::kind_of(&rel(p)).is_none())
        .filter_map(|d| load(d))
        .collect();
    let summaries: Vec<Vec<FunctionSummary>> = apps.iter().map(|a| analyse(repo, a)).collect();
    let mut inputs = Vec::new();
    for (app, sums) in apps.iter().zip(&summaries) {
        for f in &app.functions {
            let s = sums.iter().find(|s| s.function == f.id);
            inputs.push(perimeter_rules::rules::deps::DependencyInput {
                function: &f.id,
                code_dir: f.code_dir.as_deref().unwrap_or(&app.root),
                handler: s.and_then(|s| s.handler.as_ref()),
                imports: s.map(|s| s.imports.as_slice()),
                ecosystem: perimeter_rules::rules::deps::runtime_ecosystem(f.runtime_str()),
                app_root: &app.root,
                layers: !f.layers.is_empty(),
                code: s,
            });
        }
    }
    let findings = perimeter_rules::rules::deps::check_dependencies(
        &locks,
        &std::collections::BTreeMap::new(),
        &inputs,
        &db,
    );
    let got = lines_by_file(&findings);
    let mut failures = Vec::new();
    for l in &locks {
        let text = std::fs::read_to_string(common::root().join(&l.path)).unwrap();
        let want = common::marked_lines(&text, "expect", "DEP001");
        let have = got.get(&l.path).cloned().unwrap_or_default();
        if want != have {
            failures.push(format!(
                "{} (DEP001): expected lines {want:?}, reported {have:?}",
                l.path
            ));
        }
    }
    // Reachability: what the handler imports is reported at the advisory's severity, what
    // nothing imports low.
    for f in &findings {
        let imported = f.message.contains("` imports it");
        let expected = if imported { "critical" } else { "low" };
        if f.message.contains("jsonpickle") != imported || f.severity.as_str() != expected {
            failures.push(format!(
                "DEP001: unexpected {} {}",
                f.severity.as_str(),
                f.message
            ));
        }
    }
    failures
}

fn analyse(repo: &Repo, app: &Application) -> Vec<FunctionSummary> {
    app.functions
        .iter()
        .filter_map(|f| {
            let handler = f.handler_str()?;
            let code_dir = f.code_dir.as_deref().unwrap_or(&app.root);
            let outputs = perimeter_graph::outputs(f);
            let spec = HandlerSpec {
                function: &f.id,
                code_dir,
                handler,
                runtime: f.runtime_str(),
                convention: perimeter_graph::convention(app, f),
                outputs: &outputs,
                module_file: None,
            };
            Some(handler::analyse(repo, &spec))
        })
        .collect()
}

fn lines_by_file(findings: &[Finding]) -> BTreeMap<String, BTreeSet<u32>> {
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for f in findings {
        out.entry(f.path.clone()).or_default().insert(f.line);
    }
    out
}

#[test]
fn fixtures() {
    let root = common::root();
    let files: Vec<String> = common::fixture_dirs()
        .iter()
        .flat_map(|d| all_files(d))
        .map(|p| rel(&p))
        .collect();
    let repo = Repo::new(root.clone(), files);
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in common::fixture_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(rule) = by_code_or_name(&code) else {
            failures.push(format!("{}: no rule {code}", rel(&dir)));
            continue;
        };
        let selection = Selection {
            select: vec![code.clone()],
            ..Selection::default()
        };
        let entries = common::sorted(&dir);
        let mut covered: BTreeSet<String> = BTreeSet::new();
        if code == "SEC006" {
            // A rule over repository files, and over the strings the code analysis of the
            // folder's functions folds from constants.
            let mut got: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
            let mut detail: Vec<String> = Vec::new();
            let files = all_files(&dir);
            for file in &files {
                let path = rel(file);
                let text = std::fs::read_to_string(file).unwrap();
                let source = SourceFile::new(path.clone(), text);
                let findings = perimeter_rules::run_files(&[source], &selection);
                got.entry(path)
                    .or_default()
                    .extend(findings.iter().map(|f| f.line));
            }
            for d in files
                .iter()
                .filter(|p| is_descriptor(&p.file_name().unwrap().to_string_lossy()))
            {
                let Some(app) = load(d) else { continue };
                let summaries = analyse(&repo, &app);
                let graph = perimeter_graph::AppGraph::build(&app, &summaries);
                let cx = AppContext::new(&app, &summaries).with_graph(&graph);
                for f in run(&[cx], &selection) {
                    detail.push(format!("    {}:{} {}", f.path, f.line, f.message));
                    got.entry(f.path.clone()).or_default().insert(f.line);
                }
            }
            for file in &files {
                let path = rel(file);
                let text = std::fs::read_to_string(file).unwrap();
                let want = common::marked_lines(&text, "expect", &code);
                let have = got.get(&path).cloned().unwrap_or_default();
                if want != have {
                    failures.push(format!(
                        "{path} ({code}): expected lines {want:?}, reported {have:?}\n{}",
                        detail.join("\n")
                    ));
                }
                checked += 1;
            }
            continue;
        }
        if code == "DEP001" {
            // Lockfiles against a database imported from the folder's `osv/` records, with
            // the functions of its descriptors for reachability.
            failures.extend(check_dependency_fixture(&dir, &repo, &entries));
            checked += 1;
            continue;
        }
        // Every descriptor file, and the folder's `*.tf` files as one Terraform module.
        let mut apps: Vec<(Application, Vec<String>)> = entries
            .iter()
            .filter(|p| is_descriptor(&p.file_name().unwrap().to_string_lossy()))
            .filter_map(|d| load(d).map(|a| (a, vec![rel(d)])))
            .collect();
        let tf: Vec<String> = entries
            .iter()
            .map(|p| rel(p))
            .filter(|p| perimeter_model::terraform::is_terraform(p))
            .collect();
        // Projects in sub-folders: Chalice (`.chalice/config.json`), Zappa
        // (`zappa_settings.json`) and Azure Functions (`host.json`) applications.
        for sub in entries.iter().filter(|p| p.is_dir()) {
            let files = all_files(sub);
            let tree = ProjectTree {
                root: root.clone(),
                files: files.iter().map(|p| rel(p)).collect(),
            };
            for path in &tree.files {
                let Some(file) = perimeter_model::pysource::AppFiles::file(&tree, path) else {
                    continue;
                };
                let app = if perimeter_model::chalice::is_config(path) {
                    perimeter_model::chalice::load(&file, &tree)
                } else if perimeter_model::zappa::is_settings(path) {
                    perimeter_model::zappa::load(&file, &tree)
                } else if perimeter_model::azure::is_host(path) {
                    perimeter_model::azure::load(&file, &tree)
                } else {
                    continue;
                };
                assert!(app.errors.is_empty(), "{path}: {:?}", app.errors);
                let mut descriptors = vec![path.clone()];
                // The files a loader read beside its descriptor (settings, policies).
                descriptors.extend(
                    tree.files
                        .iter()
                        .filter(|f| f.ends_with(".json") && !f.ends_with("function.json"))
                        .cloned(),
                );
                apps.push((app, descriptors));
            }
        }
        if !tf.is_empty() {
            let tree = FixtureTree { root: root.clone() };
            let (app, _) = perimeter_model::terraform::load(&rel(&dir), &tree);
            assert!(app.errors.is_empty(), "{}: {:?}", rel(&dir), app.errors);
            apps.push((app, tf));
        }
        for (app, descriptors) in apps {
            checked += 1;
            let summaries = analyse(&repo, &app);
            let graph = perimeter_graph::AppGraph::build(&app, &summaries);
            let cx = AppContext::new(&app, &summaries).with_graph(&graph);
            let findings = run(&[cx], &selection);
            assert!(findings.iter().all(|f| f.rule == rule.meta().code));
            let got = lines_by_file(&findings);
            // The descriptor and the handler files its functions reach.
            let mut paths: BTreeSet<String> = descriptors.into_iter().collect();
            paths.extend(summaries.iter().flat_map(|s| s.files.iter().cloned()));
            paths.extend(got.keys().cloned());
            for path in paths {
                covered.insert(path.clone());
                let text = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
                let want = common::marked_lines(&text, "expect", &code);
                let have = got.get(&path).cloned().unwrap_or_default();
                if want != have {
                    let detail: Vec<String> = findings
                        .iter()
                        .filter(|f| f.path == path)
                        .map(|f| format!("    {}:{} {}", f.line, f.column, f.message))
                        .collect();
                    failures.push(format!(
                        "{path} ({code}): expected lines {want:?}, reported {have:?}\n{}",
                        detail.join("\n")
                    ));
                }
            }
        }
        // A file with `expect` markers that no loaded descriptor reached would pass silently.
        for file in &all_files(&dir) {
            let path = rel(file);
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let name = file.file_name().unwrap().to_string_lossy();
            let pending = name.starts_with("serverless") && !SERVERLESS_READY;
            if !pending
                && !covered.contains(&path)
                && !common::marked_lines(&text, "expect", &code).is_empty()
            {
                failures.push(format!(
                    "{path} ({code}): has `expect` markers but was not analysed"
                ));
            }
        }
    }
    assert!(checked > 0, "no fixture was loaded");
    assert!(
        failures.is_empty(),
        "{} fixture mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
