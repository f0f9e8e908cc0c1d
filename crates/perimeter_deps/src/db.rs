//! The offline advisory database: OSV records imported once (JSON files, folders of them,
//! or an ecosystem's `all.zip`), stored per ecosystem as an index (package -> place) and a
//! data file, so a scan reads only the packages it looks up.
//!
//! Layout of the folder: `meta.json` names the current generation `G`; `<ecosystem>-G.idx`
//! (JSON: normalised name -> [offset, length]) and `<ecosystem>-G.dat` (the JSON advisories
//! of each package, one after the other) hold the data. An import writes the files of the next
//! generation beside the current ones, then replaces `meta.json` with one rename: a reader sees
//! the old database or the new one, never a mix. The old generation's files are removed
//! afterwards (a reader that opened them keeps reading them).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::Ecosystem;
use crate::osv::{self, Advisory, Record};

/// What the database holds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The generation whose files hold the data (0: the first layout, `<ecosystem>.idx`).
    #[serde(default)]
    pub generation: u64,
    /// Per ecosystem.
    pub ecosystems: BTreeMap<String, EcoMeta>,
}

/// What the database holds of one ecosystem.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EcoMeta {
    /// Advisories (after merging aliases).
    pub advisories: usize,
    /// Packages with at least one.
    pub packages: usize,
    /// The newest `modified` date among them.
    pub newest: String,
    /// When it was imported (seconds since the epoch).
    pub imported_at: u64,
    /// Where from.
    pub source: String,
}

/// The default folder: `$PERIMETER_DB`, else `$XDG_DATA_HOME/perimeter/osv`, else
/// `~/.local/share/perimeter/osv`.
pub fn default_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PERIMETER_DB") {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p).join("perimeter/osv"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/perimeter/osv"))
}

/// An open database.
pub struct Db {
    dir: PathBuf,
    /// Per ecosystem: the index and the data file.
    stores: BTreeMap<Ecosystem, Store>,
    /// What it holds.
    pub meta: Meta,
}

struct Store {
    index: BTreeMap<String, (u64, u64)>,
    data: Mutex<std::fs::File>,
}

impl Db {
    /// Opens the database in a folder; `Ok(None)` when it holds nothing.
    pub fn open(dir: &Path) -> Result<Option<Db>, String> {
        match Self::open_once(dir) {
            // An import replaced the generation between reading meta.json and opening its
            // files: read the new one.
            Err(e) if e.contains("(os error 2)") => Self::open_once(dir),
            r => r,
        }
    }

    fn open_once(dir: &Path) -> Result<Option<Db>, String> {
        let meta_path = dir.join("meta.json");
        if !meta_path.is_file() {
            return Ok(None);
        }
        let meta: Meta = serde_json::from_str(
            &std::fs::read_to_string(&meta_path)
                .map_err(|e| format!("{}: {e}", meta_path.display()))?,
        )
        .map_err(|e| format!("{}: {e}", meta_path.display()))?;
        let mut stores = BTreeMap::new();
        for eco in [Ecosystem::Npm, Ecosystem::PyPI] {
            if !meta.ecosystems.contains_key(eco.as_str()) {
                continue;
            }
            let (idx, dat) = files(dir, eco, meta.generation);
            let index: BTreeMap<String, (u64, u64)> = serde_json::from_slice(
                &std::fs::read(&idx).map_err(|e| format!("{}: {e}", idx.display()))?,
            )
            .map_err(|e| format!("{}: {e}", idx.display()))?;
            let data = std::fs::File::open(&dat).map_err(|e| format!("{}: {e}", dat.display()))?;
            stores.insert(
                eco,
                Store {
                    index,
                    data: Mutex::new(data),
                },
            );
        }
        Ok(Some(Db {
            dir: dir.to_owned(),
            stores,
            meta,
        }))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether it holds advisories of an ecosystem.
    pub fn has(&self, eco: Ecosystem) -> bool {
        self.stores.contains_key(&eco)
    }

    /// The advisories of a package.
    pub fn lookup(&self, eco: Ecosystem, name: &str) -> Vec<Advisory> {
        let Some(store) = self.stores.get(&eco) else {
            return Vec::new();
        };
        let Some(&(offset, len)) = store.index.get(&eco.normalise(name)) else {
            return Vec::new();
        };
        let mut buf = vec![0; usize::try_from(len).unwrap_or(0)];
        let Ok(mut f) = store.data.lock() else {
            return Vec::new();
        };
        if f.seek(SeekFrom::Start(offset)).is_err() || f.read_exact(&mut buf).is_err() {
            return Vec::new();
        }
        serde_json::from_slice(&buf).unwrap_or_default()
    }
}

/// The index and data files of an ecosystem in a generation.
fn files(dir: &Path, eco: Ecosystem, generation: u64) -> (PathBuf, PathBuf) {
    let stem = if generation == 0 {
        eco.as_str().to_owned()
    } else {
        format!("{}-{generation}", eco.as_str())
    };
    (
        dir.join(format!("{stem}.idx")),
        dir.join(format!("{stem}.dat")),
    )
}

/// Held while an import writes: a second import at the same time is refused. An OS lock on
/// `import.lock`, so the lock goes with the process however it ends (a file left by a killed
/// import is locked again, not obeyed). The file is removed when the import ends; a taker
/// that locked a file removed meanwhile tries again on the new one.
struct ImportLock(PathBuf, std::fs::File);

impl ImportLock {
    fn take(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("import.lock");
        let err = |e: std::io::Error| format!("{}: {e}", path.display());
        loop {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(err)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(format!("another import into {} is running", dir.display()));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
            }
            if same_file(&file, &path) {
                return Ok(ImportLock(path, file));
            }
        }
    }
}

/// Whether an open file is still the one at `path`.
#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

impl Drop for ImportLock {
    fn drop(&mut self) {
        // Removed while still locked; the lock goes when the file is closed.
        let _ = std::fs::remove_file(&self.0);
        let _ = self.1.unlock();
    }
}

/// Advisories of one ecosystem being imported, by package.
type Table = BTreeMap<String, Vec<Held>>;

/// An advisory held during an import: its ids (for merging aliases), what `modified` says,
/// and its stored form, so the table of a whole ecosystem stays near the size of its file
/// (measured: 200,000 records held in about a third of the memory their structures took).
struct Held {
    id: String,
    aliases: Vec<String>,
    modified: String,
    json: Box<[u8]>,
}

impl Held {
    fn new(a: &Advisory) -> Result<Self, String> {
        Ok(Held {
            id: a.id.clone(),
            aliases: a.aliases.clone(),
            modified: a.modified.clone(),
            json: serde_json::to_vec(a)
                .map_err(|e| e.to_string())?
                .into_boxed_slice(),
        })
    }

    fn is(&self, ids: &[&str]) -> bool {
        ids.contains(&self.id.as_str()) || self.aliases.iter().any(|a| ids.contains(&a.as_str()))
    }
}

/// How an import went.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Records read.
    pub records: usize,
    /// Records left out (withdrawn, other ecosystems, unreadable), with the first reasons.
    pub skipped: usize,
    /// Problems met (file and reason), at most a few.
    pub problems: Vec<String>,
}

/// Imports OSV records from a JSON file, a folder of them (recursively) or a `.zip` archive
/// into the database in `dir`, merged with what it holds.
pub fn import(dir: &Path, source: &Path) -> Result<ImportReport, String> {
    let _lock = ImportLock::take(dir)?;
    let mut tables: BTreeMap<Ecosystem, Table> = BTreeMap::new();
    let existing = Db::open(dir)?;
    if let Some(db) = &existing {
        for (eco, store) in &db.stores {
            let t = tables.entry(*eco).or_default();
            for name in store.index.keys() {
                let held = db
                    .lookup(*eco, name)
                    .iter()
                    .map(Held::new)
                    .collect::<Result<Vec<_>, _>>()?;
                t.insert(name.clone(), held);
            }
        }
    }
    let mut report = ImportReport::default();
    let mut add = |bytes: &[u8], origin: &str, report: &mut ImportReport| {
        match serde_json::from_slice::<Record>(bytes) {
            Ok(r) => {
                report.records += 1;
                let advs = osv::advisories(&r);
                if advs.is_empty() {
                    report.skipped += 1;
                }
                for (eco, name, adv) in advs {
                    if let Err(e) =
                        merge(tables.entry(eco).or_default().entry(name).or_default(), adv)
                    {
                        report.skipped += 1;
                        if report.problems.len() < 10 {
                            report.problems.push(format!("{origin}: {e}"));
                        }
                    }
                }
            }
            Err(e) => {
                report.skipped += 1;
                if report.problems.len() < 10 {
                    report.problems.push(format!("{origin}: {e}"));
                }
            }
        }
    };
    if source.is_dir() {
        // Symbolic links inside the folder are not followed (one to `..` would loop).
        let mut stack = vec![source.to_owned()];
        let mut files = Vec::new();
        let mut links = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
                let e = e.map_err(|e| e.to_string())?;
                let p = e.path();
                let ft = e.file_type().map_err(|e| format!("{}: {e}", p.display()))?;
                if ft.is_symlink() {
                    links.push(p);
                } else if ft.is_dir() {
                    stack.push(p);
                } else if ft.is_file() && p.extension().is_some_and(|x| x == "json" || x == "zip") {
                    files.push(p);
                }
            }
        }
        links.sort();
        report.skipped += links.len();
        for l in &links {
            if report.problems.len() < 10 {
                report
                    .problems
                    .push(format!("{}: symbolic link not followed", l.display()));
            }
        }
        files.sort();
        for f in files {
            read_source(&f, &mut |b, o| add(b, o, &mut report))?;
        }
    } else {
        read_source(source, &mut |b, o| add(b, o, &mut report))?;
    }
    write(
        dir,
        &tables,
        &source.display().to_string(),
        existing.as_ref(),
    )?;
    Ok(report)
}

/// Bytes of zip entries inflated before they are parsed.
const BATCH_BYTES: usize = 8 << 20;

/// Reads the records of one file: a JSON record, a JSON array of records, or a zip of them.
fn read_source(path: &Path, add: &mut dyn FnMut(&[u8], &str)) -> Result<(), String> {
    let origin = path.display().to_string();
    if path.extension().is_some_and(|x| x == "zip") {
        let f = std::fs::File::open(path).map_err(|e| format!("{origin}: {e}"))?;
        let mut z = zip::ZipArchive::new(std::io::BufReader::new(f))
            .map_err(|e| format!("{origin}: {e}"))?;
        // Entries are inflated a batch at a time into one buffer and parsed afterwards: a
        // decompressor allocated between the advisories kept would leave a hole per entry
        // (measured: 1.6 GB instead of 0.4 GB for 200,000 records).
        let mut batch: Vec<u8> = Vec::with_capacity(BATCH_BYTES + (1 << 20));
        let mut spans: Vec<(String, usize, usize)> = Vec::new();
        let mut flush = |batch: &mut Vec<u8>, spans: &mut Vec<(String, usize, usize)>| {
            for (name, from, to) in spans.drain(..) {
                add(&batch[from..to], &format!("{origin}/{name}"));
            }
            batch.clear();
        };
        for i in 0..z.len() {
            let mut entry = z.by_index(i).map_err(|e| format!("{origin}: {e}"))?;
            let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
            // Records are small; a huge entry is not one.
            if !name.ends_with(".json") || entry.size() > 16 << 20 {
                continue;
            }
            let from = batch.len();
            entry
                .read_to_end(&mut batch)
                .map_err(|e| format!("{origin}/{name}: {e}"))?;
            spans.push((name, from, batch.len()));
            drop(entry);
            if batch.len() >= BATCH_BYTES {
                flush(&mut batch, &mut spans);
            }
        }
        flush(&mut batch, &mut spans);
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{origin}: {e}"))?;
    let trimmed = bytes.iter().position(|b| !b.is_ascii_whitespace());
    if trimmed.is_some_and(|i| bytes[i] == b'[') {
        let all: Vec<serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|e| format!("{origin}: {e}"))?;
        for r in all {
            add(r.to_string().as_bytes(), &origin);
        }
    } else {
        add(&bytes, &origin);
    }
    Ok(())
}

/// Adds an advisory to a package's, merging it with one that shares an id or alias (a GHSA
/// and a PYSEC record of the same CVE are one vulnerability).
fn merge(list: &mut Vec<Held>, adv: Advisory) -> Result<(), String> {
    let new_ids: Vec<&str> = std::iter::once(adv.id.as_str())
        .chain(adv.aliases.iter().map(String::as_str))
        .collect();
    let Some(held) = list.iter_mut().find(|h| h.is(&new_ids)) else {
        list.push(Held::new(&adv)?);
        return Ok(());
    };
    if held.id == adv.id {
        // The same record again (a newer copy): replace.
        *held = Held::new(&adv)?;
        return Ok(());
    }
    let mut e: Advisory = serde_json::from_slice(&held.json).map_err(|e| e.to_string())?;
    let new_ids: Vec<String> = new_ids.into_iter().map(str::to_owned).collect();
    for a in new_ids {
        if a != e.id && !e.aliases.contains(&a) {
            e.aliases.push(a);
        }
    }
    e.ranges.extend(adv.ranges);
    e.versions.extend(adv.versions);
    // Prefer the GitHub id for display; keep the worse severity.
    if adv.id.starts_with("GHSA-") && !e.id.starts_with("GHSA-") {
        let old = std::mem::replace(&mut e.id, adv.id);
        e.aliases.retain(|a| *a != e.id);
        e.aliases.push(old);
    }
    if rank(&adv.severity) > rank(&e.severity) {
        e.severity = adv.severity;
    }
    if e.summary.is_empty() {
        e.summary = adv.summary;
    }
    if adv.modified > e.modified {
        e.modified = adv.modified;
    }
    e.aliases.sort();
    e.aliases.dedup();
    *held = Held::new(&e)?;
    Ok(())
}

fn rank(s: &str) -> u8 {
    match s {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

fn write(
    dir: &Path,
    tables: &BTreeMap<Ecosystem, Table>,
    source: &str,
    existing: Option<&Db>,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut meta = existing.map(|d| d.meta.clone()).unwrap_or_default();
    let previous_generation = meta.generation;
    meta.generation += 1;
    for (eco, table) in tables {
        let (idx, dat) = files(dir, *eco, meta.generation);
        let err = |e: std::io::Error| format!("{}: {e}", dat.display());
        let file = std::fs::File::create(&dat).map_err(err)?;
        let mut data = std::io::BufWriter::new(file);
        let mut offset = 0u64;
        let mut index: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let mut newest = "";
        let mut count = 0;
        for (name, held) in table {
            // Each package's advisories as one JSON array, sorted by id.
            let mut order: Vec<&Held> = held.iter().collect();
            if order.is_empty() {
                continue;
            }
            order.sort_by(|a, b| a.id.cmp(&b.id));
            let start = offset;
            for (k, h) in order.iter().enumerate() {
                if h.modified.as_str() > newest {
                    newest = &h.modified;
                }
                data.write_all(if k == 0 { b"[" } else { b"," })
                    .map_err(err)?;
                data.write_all(&h.json).map_err(err)?;
                offset += 1 + h.json.len() as u64;
            }
            data.write_all(b"]").map_err(err)?;
            offset += 1;
            count += order.len();
            index.insert(name, (start, offset - start));
        }
        let file = data.into_inner().map_err(|e| err(e.into_error()))?;
        file.sync_all().map_err(err)?;
        let newest = newest.to_owned();
        write_synced(
            &idx,
            &serde_json::to_vec(&index).map_err(|e| e.to_string())?,
        )?;
        let previous = meta.ecosystems.get(eco.as_str()).map(|m| m.source.clone());
        meta.ecosystems.insert(
            eco.as_str().to_owned(),
            EcoMeta {
                advisories: count,
                packages: table.len(),
                newest,
                imported_at: now,
                source: match previous {
                    Some(p) if !p.is_empty() && p != source => format!("{p}; {source}"),
                    _ => source.to_owned(),
                },
            },
        );
    }
    // The switch: one rename.
    let meta_tmp = dir.join("meta.json.new");
    write_synced(
        &meta_tmp,
        &serde_json::to_vec_pretty(&meta).map_err(|e| e.to_string())?,
    )?;
    let meta_path = dir.join("meta.json");
    std::fs::rename(&meta_tmp, &meta_path).map_err(|e| format!("{}: {e}", meta_path.display()))?;
    for eco in [Ecosystem::Npm, Ecosystem::PyPI] {
        let (idx, dat) = files(dir, eco, previous_generation);
        let _ = std::fs::remove_file(idx);
        let _ = std::fs::remove_file(dat);
    }
    Ok(())
}

/// Writes a file and flushes it to the disk (before the rename that makes it current).
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = std::fs::File::create(path).map_err(err)?;
    std::io::Write::write_all(&mut f, bytes).map_err(err)?;
    f.sync_all().map_err(err)
}

/// The archives `perimeter db update` downloads.
pub const ARCHIVES: &[(&str, &str)] = &[
    (
        "npm",
        "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip",
    ),
    (
        "PyPI",
        "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
    ),
];

/// The largest archive `perimeter db update` accepts (npm's is about 200 MB uncompressed
/// in 2026; compressed far less).
#[cfg(feature = "download")]
const MAX_ARCHIVE: u64 = 4 << 30;

/// Downloads the current archives over HTTPS (ureq with rustls: the only network access of
/// the tool, on the user's request) into a temporary folder beside the database and imports
/// them; the database is replaced only when an archive is complete.
#[cfg(feature = "download")]
pub fn download(dir: &Path) -> Result<Vec<(String, ImportReport)>, String> {
    download_from(dir, ARCHIVES, true)
}

/// [`download`] from given addresses (plain HTTP allowed only when `https_only` is false:
/// tests serve archives locally).
#[cfg(feature = "download")]
fn download_from(
    dir: &Path,
    archives: &[(&str, &str)],
    https_only: bool,
) -> Result<Vec<(String, ImportReport)>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = tempfile_dir(dir)?;
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .https_only(https_only)
            .timeout_connect(Some(std::time::Duration::from_secs(30)))
            .timeout_recv_body(Some(std::time::Duration::from_secs(600)))
            .user_agent(concat!("perimeter/", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut out = Vec::new();
    for (eco, url) in archives {
        let file = tmp.join(format!("{eco}.zip"));
        let fetched = (|| -> Result<(), String> {
            let resp = agent
                .get(*url)
                .call()
                .map_err(|e| format!("downloading {url}: {e}"))?;
            let mut reader = resp
                .into_body()
                .into_with_config()
                .limit(MAX_ARCHIVE)
                .reader();
            let mut f =
                std::fs::File::create(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            std::io::copy(&mut reader, &mut f).map_err(|e| format!("downloading {url}: {e}"))?;
            Ok(())
        })();
        let imported = fetched.and_then(|()| import(dir, &file));
        let _ = std::fs::remove_file(&file);
        match imported {
            Ok(r) => out.push(((*eco).to_owned(), r)),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(out)
}

/// A fresh folder for downloads inside the database folder (same disk, cleaned afterwards).
#[cfg(feature = "download")]
fn tempfile_dir(dir: &Path) -> Result<PathBuf, String> {
    let tmp = dir.join(format!("download-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    Ok(tmp)
}

/// Seconds since the epoch of an RFC 3339 date's day (`2024-02-01T...`), UTC midnight.
pub fn day_secs(rfc3339: &str) -> Option<u64> {
    let mut parts = rfc3339.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (proleptic Gregorian).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days).ok().map(|d| d * 86_400)
}

/// `YYYY-MM-DD` of seconds since the epoch (UTC).
pub fn date(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Civil from days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{m:02}-{d:02}", if m <= 2 { y + 1 } else { y })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(951_782_400), "2000-02-29");
        for secs in [0, 951_782_400, 1_700_006_400, 1_709_164_800] {
            assert_eq!(day_secs(&format!("{}T12:00:00Z", date(secs))), Some(secs));
        }
        assert_eq!(day_secs("2024-13-01"), None);
        assert_eq!(day_secs(""), None);
    }

    #[test]
    fn import_lookup_and_merge() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(
            src.path().join("GHSA-1.json"),
            r#"{"id":"GHSA-1","aliases":["CVE-9"],"modified":"2024-02-01T00:00:00Z","summary":"qs pollution",
               "affected":[{"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"6.3.0"},{"fixed":"6.3.2"}]}]}],
               "database_specific":{"severity":"HIGH"}}"#,
        )
        .unwrap();
        std::fs::write(
            src.path().join("PYSEC-1.json"),
            r#"{"id":"PYSEC-1","aliases":["CVE-8"],"modified":"2023-01-01T00:00:00Z",
               "affected":[{"package":{"ecosystem":"PyPI","name":"Jsonpickle"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.4.2"}]}]}]}"#,
        )
        .unwrap();
        std::fs::write(
            src.path().join("GHSA-2.json"),
            r#"{"id":"GHSA-2","aliases":["CVE-8"],"modified":"2023-02-01T00:00:00Z","summary":"pickle",
               "affected":[{"package":{"ecosystem":"PyPI","name":"jsonpickle"},"versions":["1.4.1"]}],
               "database_specific":{"severity":"CRITICAL"}}"#,
        )
        .unwrap();
        std::fs::write(src.path().join("broken.json"), "{").unwrap();
        let db_dir = tempfile::tempdir().unwrap();
        let report = import(db_dir.path(), src.path()).unwrap();
        assert_eq!(report.records, 3);
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        let db = Db::open(db_dir.path()).unwrap().unwrap();
        let qs = db.lookup(Ecosystem::Npm, "qs");
        assert_eq!(qs.len(), 1);
        assert!(qs[0].affects(Ecosystem::Npm, "6.3.1"));
        // Two records of CVE-8 are one vulnerability, under the GitHub id; names per PEP 503.
        let jp = db.lookup(Ecosystem::PyPI, "JSONPickle");
        assert_eq!(jp.len(), 1, "{jp:?}");
        assert_eq!(jp[0].id, "GHSA-2");
        assert!(jp[0].aliases.contains(&"PYSEC-1".to_owned()));
        assert_eq!(jp[0].severity, "critical");
        assert_eq!(db.meta.ecosystems["npm"].newest, "2024-02-01T00:00:00Z");
        assert!(db.lookup(Ecosystem::Npm, "lodash").is_empty());
        // A second import adds to what is there.
        let more = tempfile::tempdir().unwrap();
        std::fs::write(
            more.path().join("GHSA-3.json"),
            r#"{"id":"GHSA-3","affected":[{"package":{"ecosystem":"npm","name":"ms"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}"#,
        )
        .unwrap();
        // A database opened before the import keeps reading its own generation.
        let before = Db::open(db_dir.path()).unwrap().unwrap();
        import(db_dir.path(), more.path()).unwrap();
        let db = Db::open(db_dir.path()).unwrap().unwrap();
        assert_eq!(db.lookup(Ecosystem::Npm, "qs").len(), 1);
        assert_eq!(db.lookup(Ecosystem::Npm, "ms").len(), 1);
        assert_eq!(before.lookup(Ecosystem::Npm, "qs").len(), 1);
        assert!(before.lookup(Ecosystem::Npm, "ms").is_empty());
        // Only the current generation's files remain, and no lock.
        assert_eq!(db.meta.generation, 2);
        let mut names: Vec<String> = std::fs::read_dir(db_dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "PyPI-2.dat",
                "PyPI-2.idx",
                "meta.json",
                "npm-2.dat",
                "npm-2.idx"
            ]
        );
    }

    #[cfg(feature = "download")]
    #[test]
    fn update_downloads_and_imports_archives() {
        use std::io::{BufRead, BufReader, Write};
        // An archive of one record, served once by a local HTTP server; a second address
        // answers 404.
        let mut zip_bytes = Vec::new();
        {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut zip_bytes));
            z.start_file("GHSA-1.json", zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(br#"{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"qs"},"versions":["6.3.1"]}]}"#)
                .unwrap();
            z.finish().unwrap();
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for _ in 0..2 {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request_line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap() == 0 || l == "\r\n" {
                        break;
                    }
                }
                if request_line.starts_with("GET /npm/all.zip ") {
                    write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        zip_bytes.len()
                    )
                    .unwrap();
                    stream.write_all(&zip_bytes).unwrap();
                } else {
                    stream
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .unwrap();
                }
            }
        });
        let db_dir = tempfile::tempdir().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let npm = format!("{base}/npm/all.zip");
        let missing = format!("{base}/PyPI/all.zip");
        let out = download_from(db_dir.path(), &[("npm", &npm)], false).unwrap();
        assert_eq!(out[0].1.records, 1);
        let err = download_from(db_dir.path(), &[("PyPI", &missing)], false).unwrap_err();
        assert!(err.contains("404"), "{err}");
        server.join().unwrap();
        // The failed download left the database as it was, and no temporary files.
        let db = Db::open(db_dir.path()).unwrap().unwrap();
        assert!(db.lookup(Ecosystem::Npm, "qs")[0].affects(Ecosystem::Npm, "6.3.1"));
        assert!(!db.has(Ecosystem::PyPI));
        assert!(std::fs::read_dir(db_dir.path()).unwrap().all(|e| {
            !e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("download")
        }));
        // Plain HTTP is refused for the real thing.
        let err = download_from(db_dir.path(), &[("npm", &npm)], true).unwrap_err();
        assert!(err.to_lowercase().contains("https"), "{err}");
    }

    #[test]
    fn one_import_at_a_time() {
        let db_dir = tempfile::tempdir().unwrap();
        let src = tempfile::tempdir().unwrap();
        let lock = ImportLock::take(db_dir.path()).unwrap();
        let err = import(db_dir.path(), src.path()).unwrap_err();
        assert!(err.contains("another import"), "{err}");
        drop(lock);
        import(db_dir.path(), src.path()).unwrap();
    }

    #[test]
    fn zip_archives_are_read_in_batches() {
        use std::io::Write;
        // More bytes than one batch, so several batches are parsed.
        let src = tempfile::tempdir().unwrap();
        let zip_path = src.path().join("all.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let pad = "x".repeat(4096);
        let n = BATCH_BYTES / 4096 + 100;
        for i in 0..n {
            z.start_file(
                format!("GHSA-{i}.json"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            write!(
                z,
                r#"{{"id":"GHSA-{i}","details":"{pad}","affected":[{{"package":{{"ecosystem":"npm","name":"p{}"}},"versions":["1.0.{i}"]}}]}}"#,
                i % 1000
            )
            .unwrap();
        }
        z.start_file("README.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"not a record").unwrap();
        z.start_file("broken.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"{").unwrap();
        z.finish().unwrap();
        let db_dir = tempfile::tempdir().unwrap();
        let report = import(db_dir.path(), &zip_path).unwrap();
        assert_eq!(report.records, n);
        assert_eq!(report.problems.len(), 1);
        assert!(
            report.problems[0].contains("broken.json"),
            "{:?}",
            report.problems
        );
        let db = Db::open(db_dir.path()).unwrap().unwrap();
        assert_eq!(db.meta.ecosystems["npm"].advisories, n);
        // The last record, parsed in the last batch.
        let last = n - 1;
        let advs = db.lookup(Ecosystem::Npm, &format!("p{}", last % 1000));
        assert!(
            advs.iter().any(|a| a.id == format!("GHSA-{last}")
                && a.affects(Ecosystem::Npm, &format!("1.0.{last}")))
        );
    }
}
