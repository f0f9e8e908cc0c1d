//! The incremental cache: a function's code summary (the expensive, pure part of a scan)
//! kept between runs and reused only while every question its analysis asked the tree gets
//! the same answer (each file read, by content hash; each existence check; each folder
//! listing) and the binary is the same build.
//!
//! One JSON file per function under `<dir>/summaries/<build>/`, named by the hash of what
//! identifies the analysis (function, code folder, handler, runtime, convention);
//! written to a temporary file and renamed, so a reader never sees half an entry and two
//! scans may share the folder. A stale, corrupt or unreadable entry is a miss: the cache can
//! make a scan faster, never different.

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
const FORMAT: u32 = 1;

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

/// The summaries of earlier scans.
pub struct Cache {
    dir: PathBuf,
    build: String,
    /// The first write failure, reported once as a warning.
    write_error: Mutex<Option<String>>,
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
    /// The cache in `dir` (made on first write). The entries of other builds that no scan
    /// used for a day are removed.
    pub fn open(dir: &Path) -> Self {
        let summaries = dir.join("summaries");
        let build = build_id();
        let mut h = Sha256::new();
        h.update(build.as_bytes());
        let folder = hex(&h.finalize())[..16].to_owned();
        prune(&summaries, &folder);
        Self {
            dir: summaries.join(folder),
            build,
            write_error: Mutex::new(None),
            stats: Mutex::new(Stats::default()),
        }
    }

    /// How this scan used the cache so far.
    pub fn stats(&self) -> Stats {
        *lock(&self.stats)
    }

    /// Why the cache could not be written, if it could not.
    pub fn write_error(&self) -> Option<String> {
        lock(&self.write_error).clone()
    }

    /// The summary of `spec`: reused when an entry's answers all still hold, else computed by
    /// `analyse` (given a view of `repo` that records what it asks) and stored.
    pub fn summary(
        &self,
        repo: &Repo,
        spec: &HandlerSpec<'_>,
        analyse: impl FnOnce(&Repo) -> FunctionSummary,
    ) -> FunctionSummary {
        let path = self.entry_path(spec);
        if let Some(summary) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| reuse(repo, &bytes))
        {
            lock(&self.stats).hits += 1;
            return summary;
        }
        lock(&self.stats).misses += 1;
        let view = repo.recording();
        let summary = analyse(&view);
        let log = view.take_log();
        if let Err(e) = self.store(&path, &log, &summary) {
            lock(&self.write_error).get_or_insert_with(|| {
                format!(
                    "the cache folder {} cannot be written ({e}): the next scan will not be faster",
                    self.dir.display()
                )
            });
        }
        summary
    }

    fn entry_path(&self, spec: &HandlerSpec<'_>) -> PathBuf {
        let mut h = Sha256::new();
        for part in [
            &FORMAT.to_string(),
            &self.build,
            spec.function,
            spec.code_dir,
            spec.handler,
            spec.runtime.unwrap_or("\u{0}"),
            &format!("{:?}", spec.convention),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let hex = hex(&h.finalize());
        self.dir.join(&hex[..2]).join(format!("{}.json", &hex[2..]))
    }

    fn store(&self, path: &Path, log: &AccessLog, summary: &FunctionSummary) -> Result<(), String> {
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
            answers,
            summary: summary.clone(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| e.to_string())?;
        let dir = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| e.to_string())?;
        tmp.persist(path).map_err(|e| e.to_string())?;
        Ok(())
    }
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What identifies this build of the analysis: the version and the executable's size and
/// modification time (a rebuilt binary may analyse differently).
fn build_id() -> String {
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
fn prune(summaries: &Path, keep: &str) {
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
