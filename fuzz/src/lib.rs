//! What the fuzz targets share: the input split into the files of a small in-memory tree,
//! and readers over it that every loader accepts.

use std::collections::BTreeMap;
use std::sync::Arc;

use perimeter_diagnostics::SourceFile;

/// The line that separates the files of an input: the first part is the file the target
/// loads, the next ones are the other files of the tree (`${file()}` targets, modules,
/// policy files), named by [`Tree::new`].
pub const SEPARATOR: &str = "\n#--file--\n";

/// The files of one input, by relative path.
pub struct Tree {
    files: BTreeMap<String, Arc<SourceFile>>,
}

impl Tree {
    /// The tree made of `data`: the first part is `main` and the others are named
    /// `others[i]` (further parts are dropped). `None` when the input is not UTF-8 (the
    /// scanner rejects such files before any loader sees them).
    pub fn new(data: &[u8], main: &str, others: &[&str]) -> Option<Self> {
        let text = std::str::from_utf8(data).ok()?;
        let mut parts = text.split(SEPARATOR);
        let mut files = BTreeMap::new();
        let first = parts.next().unwrap_or("");
        files.insert(main.to_owned(), SourceFile::new(main, first));
        for (name, part) in others.iter().zip(parts) {
            files.insert((*name).to_owned(), SourceFile::new(*name, part));
        }
        Some(Self { files })
    }

    /// A file of the tree.
    pub fn get(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.files.get(rel).cloned()
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

impl perimeter_model::serverless::FileReader for Tree {
    fn read(&self, rel_path: &str) -> Result<Arc<SourceFile>, String> {
        self.get(rel_path).ok_or_else(|| format!("no `{rel_path}`"))
    }
}

impl perimeter_model::terraform::Tree for Tree {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.get(rel)
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        self.paths()
            .filter(|p| {
                perimeter_code::repo::parent_dir(p) == dir
                    && (perimeter_model::terraform::is_terraform(p)
                        || perimeter_model::terraform::is_tfvars(p))
            })
            .map(str::to_owned)
            .collect()
    }

    fn has_dir(&self, dir: &str) -> bool {
        self.paths().any(|p| p.starts_with(dir))
    }
}

impl perimeter_model::pysource::AppFiles for Tree {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.get(rel)
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        self.paths()
            .filter(|p| dir.is_empty() || p.starts_with(&format!("{dir}/")))
            .map(str::to_owned)
            .collect()
    }

}

impl perimeter_deps::lockfile::Includes for Tree {
    fn read(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.get(rel)
    }
}

/// Loads a whole descriptor the way the scanner does once it is parsed: every value of the
/// model is touched (rendered), so lazily computed parts run too.
pub fn touch(app: &perimeter_model::Application) {
    let _ = format!("{app:?}");
}

/// Runs `f` on a thread with the scanner's analysis stack (`perimeter::engine::STACK_SIZE`,
/// 1 GiB reserved): the code analysis is bounded in depth for that stack, not for the 8 MiB
/// of libFuzzer's thread.
pub fn with_big_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(s, f)
            .expect("a thread");
        match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
