//! The result cache: a scan's rendered report, handed back when a later scan asks the same
//! question (same build, options, configuration, baseline and advisory database) of a tree in
//! which nothing the scan looked at has changed. A second scan of an unchanged monorepo is
//! then a `stat` of its files instead of an analysis.
//!
//! What the scan looked at: every file and folder the walk visited, and every path the
//! analysis looked up outside the walk (a gitignored handler, a module that is not there),
//! each prefix of it. Each is stamped with what any change to it updates: its type, size,
//! modification and change times, inode and device. The change time cannot be set back by a
//! user or an archive tool, so a file rewritten with its old size and modification time still
//! misses, and a folder's times change when an entry is added, removed or renamed in it. A scan
//! that sees anything changed since shortly before it started stores nothing (the change may
//! have happened while it read), nor does a scan whose tree has names that are not UTF-8.
//!
//! One pair of files per question, `<dir>/results/<build>/<key>.{json,out}`; the report is
//! written first and the stamps last, each to a temporary file renamed over the old one. The
//! stamps file starts with a MAC, under the folder's key ([`crate::cachekey`]), of the entry's
//! name, the stamps with the exit code, and the report: an entry anyone else wrote or changed
//! is a miss.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Bumped when the entries' layout changes.
const FORMAT: u32 = 2;

/// How long before the scan started a change makes the scan's result unsafe to keep.
const RACY: Duration = Duration::from_secs(2);

/// What one path looked like: its type (0 absent, 1 file, 2 folder, 3 other), size, times
/// (nanoseconds), inode and device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp(u8, u64, i128, i128, u64, u64);

#[cfg(unix)]
fn stamp(path: &Path) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::symlink_metadata(path) else {
        return Stamp(0, 0, 0, 0, 0, 0);
    };
    let ft = m.file_type();
    let kind = if ft.is_file() {
        1
    } else if ft.is_dir() {
        2
    } else {
        3
    };
    let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
    Stamp(
        kind,
        m.len(),
        ns(m.mtime(), m.mtime_nsec()),
        ns(m.ctime(), m.ctime_nsec()),
        m.ino(),
        m.dev(),
    )
}

/// The cache is only kept where change times exist.
#[cfg(not(unix))]
fn stamp(_path: &Path) -> Stamp {
    Stamp(3, 0, i128::MAX, i128::MAX, 0, 0)
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    /// The exit code of the scan.
    exit: u8,
    /// The report's length in bytes (a report file of another write does not pass).
    len: usize,
    /// `(root index, relative path, stamp)` of everything the scan looked at.
    stamps: Vec<(usize, String, Stamp)>,
}

/// The result cache of one question.
pub struct Results {
    key: std::sync::Arc<crate::cachekey::Key>,
    name: String,
    json: PathBuf,
    out: PathBuf,
    roots: Vec<PathBuf>,
    started: SystemTime,
}

impl Results {
    /// The entry for the scan of `roots` identified by `question` (every option and outside
    /// input that shapes the report, in any stable textual form), in the cache folder `dir`.
    /// An error says why the folder is not used.
    pub fn open(dir: &Path, roots: &[PathBuf], question: &str) -> Result<Self, String> {
        let started = SystemTime::now();
        let mac_key = crate::cachekey::key(dir)?;
        let results = dir.join("results");
        let build = crate::cache::sha_hex(&[crate::cache::build_id().as_str()])[..16].to_owned();
        crate::cache::prune(&results, &build);
        let roots: Vec<PathBuf> = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
            .collect();
        let mut parts: Vec<String> = vec![FORMAT.to_string(), question.to_owned()];
        parts.extend(roots.iter().map(|r| r.to_string_lossy().into_owned()));
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let key = crate::cache::sha_hex(&refs);
        let base = results.join(&build).join(&key[..32]);
        Ok(Self {
            key: mac_key,
            name: format!("{build}/{}", &key[..32]),
            json: base.with_extension("json"),
            out: base.with_extension("out"),
            roots,
            started,
        })
    }

    /// The stored report and exit code, when every stamp still holds.
    pub fn get(&self) -> Option<(String, u8)> {
        let stored = std::fs::read(&self.json).ok()?;
        let split = stored.iter().position(|b| *b == b'\n')?;
        let (mac, json) = (
            std::str::from_utf8(&stored[..split]).ok()?,
            &stored[split + 1..],
        );
        let out = std::fs::read_to_string(&self.out).ok()?;
        if !self
            .key
            .verify(&[self.name.as_bytes(), json, out.as_bytes()], mac)
        {
            return None;
        }
        let entry: Entry = serde_json::from_slice(json).ok()?;
        if entry.format != FORMAT {
            return None;
        }
        for (root, rel, stored) in &entry.stamps {
            if stamp(&self.roots.get(*root)?.join(rel)) != *stored {
                return None;
            }
        }
        (out.len() == entry.len).then_some((out, entry.exit))
    }

    /// Stores a report and exit code, with the stamps of what each scan looked at: per root,
    /// the walked files and folders and the paths looked up outside the walk. Stores nothing
    /// when a stamp is too recent or a name is not UTF-8; an error says why the cache could not
    /// be written.
    pub fn put(&self, looked_at: &[LookedAt<'_>], report: &str, exit: u8) -> Result<(), String> {
        let racy = self
            .started
            .checked_sub(RACY)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(i128::MAX, |d| {
                i128::try_from(d.as_nanos()).unwrap_or(i128::MAX)
            });
        let mut stamps = Vec::new();
        for (i, seen) in looked_at.iter().enumerate() {
            let Some(root) = self.roots.get(i) else {
                return Ok(());
            };
            let mut paths: Vec<String> = seen.files.iter().map(|f| (*f).to_owned()).collect();
            paths.extend(seen.dirs.iter().cloned());
            // A path looked up outside the walk: each of its prefixes, for a folder or file
            // appearing anywhere along it.
            for p in &seen.lookups {
                let mut prefix = String::new();
                for part in p.split('/').filter(|part| !part.is_empty()) {
                    if !prefix.is_empty() {
                        prefix.push('/');
                    }
                    prefix.push_str(part);
                    paths.push(prefix.clone());
                }
            }
            paths.sort();
            paths.dedup();
            for rel in paths {
                if rel.contains('\u{FFFD}') {
                    return Ok(());
                }
                let s = stamp(&root.join(&rel));
                if s.2 >= racy || s.3 >= racy {
                    return Ok(());
                }
                stamps.push((i, rel, s));
            }
        }
        let entry = Entry {
            format: FORMAT,
            exit,
            len: report.len(),
            stamps,
        };
        let body = serde_json::to_vec(&entry).map_err(|e| e.to_string())?;
        let mut json = self
            .key
            .mac(&[self.name.as_bytes(), &body, report.as_bytes()])
            .into_bytes();
        json.push(b'\n');
        json.extend_from_slice(&body);
        let write = crate::cache::write_atomically;
        write(&self.out, report.as_bytes())
            .and_then(|()| write(&self.json, &json))
            .map_err(|e| {
                format!(
                    "the result cache {} cannot be written ({e}): the next scan will not be faster",
                    self.json.display()
                )
            })?;
        self.keep_newest();
        Ok(())
    }

    /// Keeps the [`KEEP`] most recently written entries of this build; reports are large.
    fn keep_newest(&self) {
        let Some(dir) = self.json.parent() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut jsons: Vec<(SystemTime, PathBuf)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
            .collect();
        if jsons.len() <= KEEP {
            return;
        }
        jsons.sort();
        for (_, p) in &jsons[..jsons.len() - KEEP] {
            let _ = std::fs::remove_file(p.with_extension("out"));
            let _ = std::fs::remove_file(p);
        }
    }
}

/// How many reports the cache keeps per build.
const KEEP: usize = 32;

/// What one scan looked at in its tree.
pub struct LookedAt<'a> {
    /// The walked files.
    pub files: Vec<&'a str>,
    /// The walked folders (the root is `""`).
    pub dirs: &'a [String],
    /// Paths looked up outside the walk.
    pub lookups: Vec<String>,
}
