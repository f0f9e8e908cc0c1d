//! The fixture harness shared by the language analysers' tests: a fixture folder is a
//! repository; every line marked `expect: <kind>` (after the language's comment marker) must
//! be a sink of that kind, and no other line may be one.

#![allow(dead_code, reason = "each test crate uses part of the harness")]

use std::collections::BTreeSet;
use std::path::Path;

use perimeter_code::handler::HandlerSpec;
use perimeter_code::{FunctionSummary, Repo};

/// The source families of the matrix (issue #3): one fixture file per family, with a
/// `handler`, in `families` (JavaScript, Python) and `ts_families` (TypeScript).
pub(crate) const FAMILIES: &[&str] = &[
    "rest_v1",
    "http_v2",
    "function_url",
    "alb",
    "websocket",
    "sqs",
    "sns",
    "s3",
    "dynamodb_stream",
    "kinesis",
    "eventbridge",
    "cognito",
    "invoke",
];

/// What differs between languages.
pub struct Lang {
    /// Folder under tests/fixtures.
    pub dir: &'static str,
    /// The runtime string given to the analyser.
    pub runtime: &'static str,
    /// The marker that starts an expectation.
    pub marker: &'static str,
    /// The analyser.
    pub analyse: fn(&Repo, &HandlerSpec<'_>) -> FunctionSummary,
}

pub(crate) fn fixture_repo(dir: &str) -> Repo {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(crate::LANG.dir)
        .join(dir);
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    Repo::new(root, files)
}

pub(crate) fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.push(
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

pub(crate) fn analyse(repo: &Repo, code_dir: &str, handler: &str) -> FunctionSummary {
    (crate::LANG.analyse)(
        repo,
        &HandlerSpec {
            function: "Fn",
            code_dir,
            handler,
            runtime: Some(crate::LANG.runtime),
            convention: Default::default(),
            outputs: &[],
            module_file: None,
        },
    )
}

/// `(file, line, kind)` of every `expect:` marker in the files the handlers reached.
pub(crate) fn expected(repo: &Repo, files: &BTreeSet<String>) -> BTreeSet<(String, u32, String)> {
    let mut out = BTreeSet::new();
    for f in files {
        let Ok(file) = repo.read(f) else { continue };
        for (i, line) in file.text().lines().enumerate() {
            if let Some((_, kinds)) = line.split_once(crate::LANG.marker) {
                for k in kinds.split(',') {
                    out.insert((
                        f.clone(),
                        u32::try_from(i + 1).unwrap(),
                        k.trim().to_owned(),
                    ));
                }
            }
        }
    }
    out
}

/// Analyses each handler and checks the union of their flows against the markers.
pub(crate) fn check(dir: &str, handlers: &[&str]) -> Vec<FunctionSummary> {
    let repo = fixture_repo(dir);
    let summaries: Vec<FunctionSummary> = handlers.iter().map(|h| analyse(&repo, "", h)).collect();
    let mut got = BTreeSet::new();
    let mut files = BTreeSet::new();
    for s in &summaries {
        files.extend(s.files.iter().cloned());
        assert!(
            s.handler.is_some(),
            "{dir}: handler not resolved: {:?}",
            s.errors
        );
        assert!(s.errors.is_empty(), "{dir}: errors {:?}", s.errors);
        for f in &s.flows {
            got.insert((
                f.sink.path().to_owned(),
                f.sink.start().line,
                f.kind.as_str().to_owned(),
            ));
        }
    }
    let want = expected(&repo, &files);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{dir}: missing {missing:?}, unexpected {extra:?}"
    );
    summaries
}

/// The source paths of the flows reaching a line.
pub(crate) fn sources_at(s: &FunctionSummary, file: &str, line: u32) -> Vec<String> {
    s.flows
        .iter()
        .filter(|f| f.sink.path() == file && f.sink.start().line == line)
        .map(|f| f.source.path.clone())
        .collect()
}
