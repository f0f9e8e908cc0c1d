//! A read-only view of the scanned tree for code analysis: source files by relative path,
//! loaded lazily and at most once, never outside the root.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use perimeter_diagnostics::SourceFile;
use rustc_hash::FxHashMap;

/// Largest source file analysed, in bytes. Bigger files are bundles or generated code.
pub const MAX_SOURCE_BYTES: u64 = 2 * 1024 * 1024;

/// The files of the scanned tree that the walk found (relative, `/`-separated paths), and a
/// cache of the ones read so far.
pub struct Repo {
    shared: Arc<Shared>,
    /// When this view records what it is asked (see [`Repo::recording`]).
    log: Option<Arc<Mutex<AccessLog>>>,
}

struct Shared {
    root: PathBuf,
    files: BTreeSet<String>,
    cache: Mutex<FxHashMap<String, Result<Arc<SourceFile>, String>>>,
    /// Files outside the walk looked up on disk, and whether they exist.
    extra: Mutex<FxHashMap<String, bool>>,
    /// Per folder: the top-level Python packages installed into it (vendored with `pip
    /// install -t`), from their `*.dist-info` folders.
    vendored: Mutex<FxHashMap<String, Arc<BTreeSet<String>>>>,
}

/// One question an analysis asked the tree; its answer is in [`AccessLog`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Whether a path exists.
    Exists(String),
    /// A file's content (or why it cannot be read).
    Read(String),
    /// The files under a folder (`""` for every file).
    List(String),
    /// The Python packages installed into a folder.
    Vendored(String),
}

/// What an analysis asked the tree and what it was answered: everything its result depends
/// on, so the result may be reused while every answer stays the same (the incremental cache).
#[derive(Debug, Default)]
pub struct AccessLog {
    /// Each question once, with its first answer.
    pub answers: std::collections::BTreeMap<Access, Answer>,
}

/// An answer in an [`AccessLog`].
#[derive(Clone, Debug)]
pub enum Answer {
    /// To `Exists`.
    Exists(bool),
    /// To `Read`.
    Read(Result<Arc<SourceFile>, String>),
    /// To `List` and `Vendored`.
    Names(Vec<String>),
}

impl Repo {
    /// A view of `root` holding the given relative paths.
    pub fn new(root: impl Into<PathBuf>, files: impl IntoIterator<Item = String>) -> Self {
        Self {
            shared: Arc::new(Shared {
                root: root.into(),
                files: files.into_iter().collect(),
                cache: Mutex::new(FxHashMap::default()),
                extra: Mutex::new(FxHashMap::default()),
                vendored: Mutex::new(FxHashMap::default()),
            }),
            log: None,
        }
    }

    /// A view of the same tree (sharing what was read) that records every question asked
    /// through it and its answer, until [`Repo::take_log`].
    pub fn recording(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            log: Some(Arc::new(Mutex::new(AccessLog::default()))),
        }
    }

    /// What was asked through this view since it was made (empty for a view that does not
    /// record).
    pub fn take_log(&self) -> AccessLog {
        self.log
            .as_ref()
            .map(|l| {
                std::mem::take(&mut *l.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
            })
            .unwrap_or_default()
    }

    fn record(&self, access: Access, answer: impl FnOnce() -> Answer) {
        if let Some(log) = &self.log {
            log.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .answers
                .entry(access)
                .or_insert_with(answer);
        }
    }

    /// A view over files held in memory, for tests: `(path, text)` pairs.
    pub fn in_memory<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut paths = BTreeSet::new();
        let mut cache = FxHashMap::default();
        for (path, text) in files {
            paths.insert(path.to_owned());
            cache.insert(path.to_owned(), Ok(SourceFile::new(path, text)));
        }
        let repo = Self::new(PathBuf::new(), paths);
        *repo.lock() = cache;
        repo
    }

    /// A view over files held in memory, each under the path the analysis looks it up by:
    /// code that ships in another form than a file of the tree (a template's inline code,
    /// read as `index.py` but located in the template; the entries of a `.zip` package). An
    /// entry may hold why it cannot be read. Nothing is looked up on disk.
    pub fn from_sources(
        files: impl IntoIterator<Item = (String, Result<Arc<SourceFile>, String>)>,
    ) -> Self {
        let mut paths = BTreeSet::new();
        let mut cache = FxHashMap::default();
        for (path, file) in files {
            paths.insert(path.clone());
            cache.insert(path, file);
        }
        let repo = Self::new(PathBuf::new(), paths);
        *repo.lock() = cache;
        repo
    }

    /// The scan root.
    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// The file at a relative path if it was already read successfully.
    pub fn cached(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.lock().get(rel).and_then(|r| r.as_ref().ok().cloned())
    }

    /// Whether the walk found this relative path, or it is a regular file inside the root
    /// that `.gitignore` hid from the walk: repositories commit handler code that their
    /// ignore rules match (a `*.js` rule written for compiled TypeScript, say), and a handler
    /// is code that ships whatever git ignores. The check never goes through a symbolic link
    /// and never enters installed dependencies.
    pub fn exists(&self, rel: &str) -> bool {
        let found = self.exists_unrecorded(rel);
        self.record(Access::Exists(rel.to_owned()), || Answer::Exists(found));
        found
    }

    fn exists_unrecorded(&self, rel: &str) -> bool {
        if self.shared.files.contains(rel) {
            return true;
        }
        if let Some(&known) = self.lock_extra().get(rel) {
            return known;
        }
        let found = self.on_disk(rel);
        self.lock_extra().insert(rel.to_owned(), found);
        found
    }

    fn on_disk(&self, rel: &str) -> bool {
        if self.shared.root.as_os_str().is_empty() || rel.is_empty() {
            return false;
        }
        let mut path = self.shared.root.clone();
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            if part.is_empty()
                || *part == "."
                || *part == ".."
                || *part == "node_modules"
                || *part == ".git"
            {
                return false;
            }
            path.push(part);
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                return false;
            };
            let last = i + 1 == parts.len();
            if meta.file_type().is_symlink()
                || (last && !meta.is_file())
                || (!last && !meta.is_dir())
            {
                return false;
            }
        }
        true
    }

    /// The paths looked up on disk outside the walk (found or not), sorted: what the result
    /// cache must watch besides the walked files.
    pub fn lookups(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lock_extra().keys().cloned().collect();
        out.sort();
        out
    }

    fn lock_extra(&self) -> std::sync::MutexGuard<'_, FxHashMap<String, bool>> {
        self.shared
            .extra
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The top-level Python packages and modules installed into a folder (a function
    /// package built with `pip install -t .`): each `*.dist-info` folder names them in its
    /// `top_level.txt` or `RECORD`, or by its own name. Third-party code, not the
    /// application's.
    pub fn vendored_packages(&self, dir: &str) -> Arc<BTreeSet<String>> {
        let tops = self.vendored_unrecorded(dir);
        self.record(Access::Vendored(dir.to_owned()), || {
            Answer::Names(tops.iter().cloned().collect())
        });
        tops
    }

    fn vendored_unrecorded(&self, dir: &str) -> Arc<BTreeSet<String>> {
        if let Some(hit) = self
            .shared
            .vendored
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(dir)
        {
            return Arc::clone(hit);
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut infos: BTreeSet<String> = BTreeSet::new();
        for f in self.files_under_unrecorded(dir) {
            let Some(rest) = f.strip_prefix(&prefix) else {
                continue;
            };
            if let Some((first, _)) = rest.split_once('/')
                && (first.ends_with(".dist-info") || first.ends_with(".egg-info"))
            {
                infos.insert(first.to_owned());
            }
        }
        let mut tops = BTreeSet::new();
        for info in infos {
            let base = format!("{prefix}{info}");
            let listed: Vec<String> = self
                .read_unrecorded(&format!("{base}/top_level.txt"))
                .map(|f| f.text().lines().map(|l| l.trim().to_owned()).collect())
                .or_else(|_| {
                    self.read_unrecorded(&format!("{base}/RECORD")).map(|f| {
                        f.text()
                            .lines()
                            .filter_map(|l| l.split(',').next())
                            .filter_map(|p| p.split('/').next())
                            .filter(|t| !t.contains(".dist-info") && !t.starts_with(".."))
                            .map(|t| t.trim_end_matches(".py").to_owned())
                            .collect()
                    })
                })
                .unwrap_or_default();
            tops.extend(listed.into_iter().filter(|t| !t.is_empty()));
            if let Some(name) = info.split('-').next() {
                tops.insert(name.to_owned());
            }
        }
        let tops = Arc::new(tops);
        self.shared
            .vendored
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(dir.to_owned(), Arc::clone(&tops));
        tops
    }

    /// Every relative path, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.record(Access::List(String::new()), || {
            Answer::Names(self.shared.files.iter().cloned().collect())
        });
        self.shared.files.iter().map(String::as_str)
    }

    /// Relative paths under a folder (`""` for all), sorted.
    pub fn files_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.record(Access::List(dir.to_owned()), || {
            Answer::Names(
                self.files_under_unrecorded(dir)
                    .map(str::to_owned)
                    .collect(),
            )
        });
        self.files_under_unrecorded(dir)
    }

    fn files_under_unrecorded<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.shared
            .files
            .range(prefix.clone()..)
            .take_while(move |p| p.starts_with(&prefix))
            .map(String::as_str)
    }

    /// Reads a file found by the walk, once: an error says why it cannot be analysed (too
    /// large, not UTF-8, unreadable).
    pub fn read(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
        let result = self.read_unrecorded(rel);
        self.record(Access::Read(rel.to_owned()), || {
            Answer::Read(result.clone())
        });
        result
    }

    fn read_unrecorded(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
        if let Some(hit) = self.lock().get(rel) {
            return hit.clone();
        }
        if !self.exists_unrecorded(rel) {
            return Err("file not found".to_owned());
        }
        let result = read_source(&self.shared.root.join(rel), rel, MAX_SOURCE_BYTES);
        self.lock().entry(rel.to_owned()).or_insert(result).clone()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, FxHashMap<String, Result<Arc<SourceFile>, String>>> {
        self.shared
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Reads one file with the limits every analysed file gets: at most `limit` bytes, a regular
/// file (never through a link), no NUL bytes, valid UTF-8.
pub fn read_source(abs: &Path, rel: &str, limit: u64) -> Result<Arc<SourceFile>, String> {
    let meta = std::fs::symlink_metadata(abs).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    if meta.len() > limit {
        return Err(format!(
            "file is {} bytes, over the {limit} byte limit",
            meta.len()
        ));
    }
    // Opened without following a link: the check above and the read are not one step.
    let bytes = perimeter_diagnostics::nofollow::read_regular(abs, limit)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".to_owned());
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))?;
    Ok(SourceFile::new(rel, text))
}

/// Joins a relative folder and a relative path, normalising `.` and `..`; `None` when the
/// result would leave the root.
pub fn join_rel(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect()
    };
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a relative path (`""` at the root).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_normalises_and_stays_inside() {
        assert_eq!(join_rel("a/b", "../c/./d.js").as_deref(), Some("a/c/d.js"));
        assert_eq!(join_rel("", "x.py").as_deref(), Some("x.py"));
        assert_eq!(join_rel("a", "../../etc/passwd"), None);
    }

    #[test]
    fn files_under_a_folder() {
        let repo = Repo::in_memory([("a/x.js", ""), ("a/y/z.js", ""), ("ab/c.js", "")]);
        assert_eq!(
            repo.files_under("a").collect::<Vec<_>>(),
            ["a/x.js", "a/y/z.js"]
        );
        assert_eq!(repo.read("a/x.js").unwrap().path(), "a/x.js");
    }
}
