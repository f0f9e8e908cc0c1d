//! The incremental cache: a function's code summary (the expensive, pure part of a scan)
//! kept between runs and reused only while every question its analysis asked the tree gets
//! the same answer (each file read, by content hash; each existence check; each folder
//! listing) and the binary is the same build.
//!
//! One file per scanned folder, `<dir>/summaries/<build>/<hash of the folder's path>.jsonl`:
//! a line per function, keyed by the hash of what identifies its analysis (function, code
//! folder, handler, runtime, convention, output bindings). It is read once when the scan
//! starts and rewritten once when the code analysis ends, with the entries this scan used (so it never
//! grows past the tree's functions), to a temporary file renamed over the old one: a reader
//! never sees half a file and two scans may share the folder (the last one wins). A stale,
//! corrupt or unreadable entry is a miss: the cache can make a scan faster, never different.
//! Each line starts with its MAC under the folder's key ([`crate::cachekey`]): a line written
//! by anyone else is a miss too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use perimeter_code::handler::HandlerSpec;
use perimeter_code::repo::{Access, AccessLog, Answer};
use perimeter_code::{FunctionSummary, Repo};
use perimeter_diagnostics::SourceFile;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the entries' layout changes.
const FORMAT: u32 = 2;

/// The cache folder used when none is given: `$PERIMETER_CACHE_DIR`, else the user's cache
/// folder (`$XDG_CACHE_HOME/perimeter`, `~/.cache/perimeter`).
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("PERIMETER_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("perimeter"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".cache").join("perimeter"))
}

/// The summaries of earlier scans of one folder.
pub struct Cache {
    /// The pack file.
    path: PathBuf,
    /// Authenticates its lines.
    key: Arc<crate::cachekey::Key>,
    /// Its lines when the scan started, by key.
    old: BTreeMap<String, String>,
    /// The lines of this scan (reused or new), by key.
    new: Mutex<BTreeMap<String, String>>,
    stats: Mutex<Stats>,
}

/// How a scan used the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Summaries reused.
    pub hits: usize,
    /// Summaries computed (no entry, or a stale one).
    pub misses: usize,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: String,
    /// Each question asked, with the digest of its answer.
    answers: Vec<(Question, String)>,
    summary: FunctionSummary,
}

#[derive(Serialize, Deserialize)]
enum Question {
    Exists(String),
    Read(String),
    List(String),
    Vendored(String),
}

impl Cache {
    /// The cache of the scans of `root` in `dir` (written by [`Cache::finish`]). The entries
    /// of other builds that no scan used for a day are removed. An error says why the folder
    /// is not used (see [`crate::cachekey::key`]).
    pub fn open(dir: &Path, root: &Path) -> Result<Self, String> {
        let key = crate::cachekey::key(dir)?;
        let summaries = dir.join("summaries");
        let folder = sha_hex(&[build_id().as_str()])[..16].to_owned();
        prune(&summaries, &folder);
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let name = sha_hex(&[root.to_string_lossy().as_ref()]);
        let path = summaries
            .join(folder)
            .join(format!("{}.jsonl", &name[..32]));
        let old = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                #[derive(Deserialize)]
                struct Key {
                    key: String,
                }
                let (mac, line) = line.split_once(' ')?;
                if !key.verify(&[line.as_bytes()], mac) {
                    return None;
                }
                let k: Key = serde_json::from_str(line).ok()?;
                Some((k.key, line.to_owned()))
            })
            .collect();
        Ok(Self {
            path,
            key,
            old,
            new: Mutex::new(BTreeMap::new()),
            stats: Mutex::new(Stats::default()),
        })
    }

    /// Writes the entries this scan used; an error says why the cache could not be written.
    pub fn finish(&self) -> Result<(), String> {
        let new = lock(&self.new);
        let mut text = String::new();
        for line in new.values() {
            text.push_str(&self.key.mac(&[line.as_bytes()]));
            text.push(' ');
            text.push_str(line);
            text.push('\n');
        }
        write_atomically(&self.path, text.as_bytes()).map_err(|e| {
            format!(
                "the cache {} cannot be written ({e}): the next scan will not be faster",
                self.path.display()
            )
        })
    }

    /// How this scan used the cache so far.
    pub fn stats(&self) -> Stats {
        *lock(&self.stats)
    }

    /// The summary of `spec`: reused when an entry's answers all still hold, else computed by
    /// `analyse` (given a view of `repo` that records what it asks) and stored.
    pub fn summary(
        &self,
        repo: &Repo,
        spec: &HandlerSpec<'_>,
        analyse: impl FnOnce(&Repo) -> FunctionSummary,
    ) -> FunctionSummary {
        let key = sha_hex(&[
            &FORMAT.to_string(),
            spec.function,
            spec.code_dir,
            spec.handler,
            spec.runtime.unwrap_or("\u{0}"),
            &format!("{:?}", spec.convention),
            &format!("{:?}", spec.outputs),
            spec.module_file.unwrap_or("\u{0}"),
        ]);
        if let Some(line) = self.old.get(&key)
            && let Some(summary) = reuse(repo, line.as_bytes())
        {
            lock(&self.stats).hits += 1;
            lock(&self.new).insert(key, line.clone());
            return summary;
        }
        lock(&self.stats).misses += 1;
        let view = repo.recording();
        let summary = analyse(&view);
        let log = view.take_log();
        if let Ok(line) = entry_line(&key, &log, &summary) {
            lock(&self.new).insert(key, line);
        }
        summary
    }
}

/// The stored form of an analysis: one line of JSON.
fn entry_line(key: &str, log: &AccessLog, summary: &FunctionSummary) -> Result<String, String> {
    let answers = log
        .answers
        .iter()
        .map(|(q, a)| {
            let q = match q {
                Access::Exists(p) => Question::Exists(p.clone()),
                Access::Read(p) => Question::Read(p.clone()),
                Access::List(p) => Question::List(p.clone()),
                Access::Vendored(p) => Question::Vendored(p.clone()),
            };
            (q, digest(a))
        })
        .collect();
    let entry = Entry {
        format: FORMAT,
        key: key.to_owned(),
        answers,
        summary: summary.clone(),
    };
    serde_json::to_string(&entry).map_err(|e| e.to_string())
}

/// The stored summary, if every answer still holds and every location it names is in a file
/// just checked.
fn reuse(repo: &Repo, bytes: &[u8]) -> Option<FunctionSummary> {
    // First the questions, without the summary (its locations need the files).
    #[derive(Deserialize)]
    struct Head {
        format: u32,
        answers: Vec<(Question, String)>,
    }
    let head: Head = serde_json::from_slice(bytes).ok()?;
    if head.format != FORMAT {
        return None;
    }
    let mut files: BTreeMap<String, Arc<SourceFile>> = BTreeMap::new();
    for (question, stored) in &head.answers {
        let answer = match question {
            Question::Exists(p) => Answer::Exists(repo.exists(p)),
            Question::Read(p) => {
                let read = repo.read(p);
                if let Ok(f) = &read {
                    files.insert(p.clone(), Arc::clone(f));
                }
                Answer::Read(read)
            }
            Question::List(p) => Answer::Names(repo.files_under(p).map(str::to_owned).collect()),
            Question::Vendored(p) => {
                Answer::Names(repo.vendored_packages(p).iter().cloned().collect())
            }
        };
        if digest(&answer) != *stored {
            return None;
        }
    }
    let (entry, _) =
        perimeter_diagnostics::with_files(files, || serde_json::from_slice::<Entry>(bytes).ok());
    entry.map(|e| e.summary)
}

/// The digest of an answer: SHA-256 of a file's text (or of why it cannot be read), of the
/// names listed, or the boolean.
fn digest(answer: &Answer) -> String {
    let mut h = Sha256::new();
    match answer {
        Answer::Exists(b) => return b.to_string(),
        Answer::Read(Ok(f)) => {
            h.update(b"ok\0");
            h.update(f.text().as_bytes());
        }
        Answer::Read(Err(e)) => {
            h.update(b"err\0");
            h.update(e.as_bytes());
        }
        Answer::Names(names) => {
            for n in names {
                h.update(n.as_bytes());
                h.update([0]);
            }
        }
    }
    hex(&h.finalize())
}

/// SHA-256 of the parts (each followed by a NUL), in hex.
pub(crate) fn sha_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a file of the cache whole or not at all: to a temporary file in its folder, renamed
/// over the old one, so that a reader never sees half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path)?;
    Ok(())
}

/// What identifies this build of the analysis: the version and the executable's size and
/// modification time (a rebuilt binary may analyse differently).
pub(crate) fn build_id() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok());
    let (len, modified) = exe.map_or((0, 0), |m| {
        let t = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (m.len(), t)
    });
    format!("{} {len} {modified}", env!("CARGO_PKG_VERSION"))
}

/// Removes the folders of other builds not written for a day.
pub(crate) fn prune(summaries: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(summaries) else {
        return;
    };
    let day = std::time::Duration::from_secs(86_400);
    for e in entries.flatten() {
        let old = e
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if old && e.file_name() != keep && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
