//! Shared by the integration tests: the fixture tree and its markers.
#![allow(dead_code, reason = "each test binary uses part of it")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixture root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/test/fixtures")
}

/// Every `<domain>/<CODE>` fixture directory, sorted.
pub(crate) fn fixture_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for domain in sorted(&root()) {
        if domain.is_dir() {
            out.extend(sorted(&domain).into_iter().filter(|p| p.is_dir()));
        }
    }
    out
}

/// The entries of a directory, sorted.
pub(crate) fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The 1-based lines of `text` carrying a `<marker>: CODE` comment (`# expect: IAM001`,
/// `// ok: INJ003, INJ004`).
pub(crate) fn marked_lines(text: &str, marker: &str, code: &str) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line
            .find("# ")
            .or_else(|| line.find("// "))
            .map(|at| &line[at..])
        else {
            continue;
        };
        let mut rest = comment;
        while let Some(at) = rest.find(&format!("{marker}:")) {
            let before_ok = at == 0
                || !rest.as_bytes()[at - 1].is_ascii_alphanumeric()
                    && rest.as_bytes()[at - 1] != b'-';
            let after = &rest[at + marker.len() + 1..];
            let codes: Vec<&str> = after
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(str::trim)
                .take_while(|c| {
                    c.is_empty()
                        || c.chars()
                            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
                })
                .filter(|c| !c.is_empty())
                .collect();
            if before_ok && codes.contains(&code) {
                out.insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
            rest = after;
        }
    }
    out
}
