//! The `resources/test` projects as a scanned tree, for the loaders of applications declared
//! partly in Python (Chalice, Azure Functions).
#![allow(dead_code, reason = "each test binary uses part of it")]

use std::collections::BTreeMap;
use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile};
use perimeter_model::pysource::AppFiles;

/// Every file under `resources/test/<dir>`, by its path relative to `resources/test`.
pub(crate) struct Tree {
    files: BTreeMap<String, Arc<SourceFile>>,
}

impl Tree {
    pub(crate) fn new(dir: &str) -> Self {
        Self {
            files: read_tree("resources/test", dir),
        }
    }

    pub(crate) fn get(&self, rel: &str) -> Arc<SourceFile> {
        self.files
            .get(rel)
            .cloned()
            .unwrap_or_else(|| panic!("no {rel}"))
    }
}

impl AppFiles for Tree {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.files.get(rel).cloned()
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        self.files
            .keys()
            .filter(|k| k.starts_with(&format!("{dir}/")))
            .cloned()
            .collect()
    }
}

/// Every file under `<crate>/<base>/<dir>`, by its path relative to `<base>`.
pub(crate) fn read_tree(base: &str, dir: &str) -> BTreeMap<String, Arc<SourceFile>> {
    let base = format!("{}/{base}/", env!("CARGO_MANIFEST_DIR"));
    let mut files = BTreeMap::new();
    let mut stack = vec![std::path::PathBuf::from(format!("{base}{dir}"))];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.to_string_lossy()[base.len()..].replace('\\', "/");
                let text = std::fs::read_to_string(&p).unwrap();
                files.insert(rel.clone(), SourceFile::new(rel, text));
            }
        }
    }
    files
}

/// `(path, line, column)` of a place, 1-based.
pub(crate) fn at(loc: &Loc) -> (String, u32, u32) {
    let p = loc.start();
    (loc.path().to_owned(), p.line, p.column)
}
