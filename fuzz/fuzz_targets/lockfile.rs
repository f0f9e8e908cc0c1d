//! Every lockfile parser (npm, yarn v1 and Berry, pnpm, requirements, Pipfile.lock,
//! poetry.lock, uv.lock, package.json): the first byte picks the format.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use perimeter_deps::lockfile;
use perimeter_diagnostics::SourceFile;

const NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "requirements.txt",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "package.json",
];

/// `-r other.txt` includes resolve to a small fixed file.
struct Includes;

impl lockfile::Includes for Includes {
    fn read(&self, rel: &str) -> Option<Arc<SourceFile>> {
        (rel == "base.txt").then(|| SourceFile::new("base.txt", "requests==2.31.0\n"))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(*first) % NAMES.len()];
    let text = String::from_utf8_lossy(rest);
    let file = SourceFile::new(name, text.into_owned());
    let _ = lockfile::parse(&file, &Includes);
});
