//! What makes a cache entry trusted: a per-user key, kept in the cache folder with mode 0600,
//! and an HMAC-SHA256 of each entry under it. A cache folder that other users can write, or
//! that is not the user's, is not used at all (one warning): whoever can write entries could
//! otherwise hand a later scan a forged report and exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key of one cache folder.
pub struct Key([u8; 32]);

impl Key {
    fn hmac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for p in parts {
            m.update(&(p.len() as u64).to_le_bytes());
            m.update(p);
        }
        m
    }

    /// The MAC of the parts (each length-prefixed), in hex.
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        crate::cache::hex(&self.hmac(parts).finalize().into_bytes())
    }

    /// Whether `mac` is the MAC of the parts (compared in constant time).
    pub fn verify(&self, parts: &[&[u8]], mac: &str) -> bool {
        unhex(mac).is_some_and(|bytes| self.hmac(parts).verify_slice(&bytes).is_ok())
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The key of a cache folder, made on first use; `None` when the folder is not safe to use
/// (a warning is printed once per folder and process, and `why` set for the report).
pub fn key(dir: &Path) -> Result<Arc<Key>, String> {
    static SEEN: Mutex<BTreeMap<PathBuf, Result<Arc<Key>, String>>> = Mutex::new(BTreeMap::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = seen.get(dir) {
        return known.clone();
    }
    let result = open(dir).map(Arc::new).map_err(|why| {
        let why = format!(
            "the cache {} is not used ({why}): the next scan will not be faster",
            dir.display()
        );
        let _ = writeln!(std::io::stderr().lock(), "perimeter: warning: {why}");
        why
    });
    seen.insert(dir.to_path_buf(), result.clone());
    result
}

const KEY_FILE: &str = "key";

#[cfg(unix)]
fn open(dir: &Path) -> Result<Key, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("it cannot be written: {e}"))?;
    let me = rustix::process::geteuid().as_raw();
    let canonical = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    // The folder: the user's, written by no one else. Its parents: the user's or root's,
    // and writable by others only with the sticky bit (`/tmp`).
    for (i, d) in canonical.ancestors().enumerate() {
        let m = std::fs::metadata(d).map_err(|e| format!("{}: {e}", d.display()))?;
        let others_write = m.mode() & 0o022 != 0 && m.mode() & 0o1000 == 0;
        if i == 0 && !m.is_dir() {
            return Err("it is not a folder".to_owned());
        }
        if i == 0 && m.uid() != me {
            return Err(format!("it belongs to user {}, not to this user", m.uid()));
        }
        if i > 0 && m.uid() != me && m.uid() != 0 {
            return Err(format!(
                "{} belongs to user {}, who could replace it",
                d.display(),
                m.uid()
            ));
        }
        if others_write {
            return Err(format!(
                "{} can be written by other users (mode {:o})",
                d.display(),
                m.mode() & 0o7777
            ));
        }
    }
    let path = canonical.join(KEY_FILE);
    let bytes = match perimeter_diagnostics::nofollow::open_regular(&path) {
        Ok((file, meta)) => {
            if meta.uid() != me || meta.mode() & 0o077 != 0 {
                return Err(format!(
                    "its key {} is not this user's alone (owner {}, mode {:o})",
                    path.display(),
                    meta.uid(),
                    meta.mode() & 0o7777
                ));
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(file, 64), &mut bytes)
                .map_err(|e| format!("its key cannot be read: {e}"))?;
            bytes
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| format!("no random bytes: {e}"))?;
            // Written whole under a temporary name (mode 0600), then linked in: a concurrent
            // scan keeps the first key.
            let mut tmp = tempfile::NamedTempFile::new_in(&canonical)
                .map_err(|e| format!("it cannot be written: {e}"))?;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| e.to_string())?;
            tmp.write_all(&bytes).map_err(|e| e.to_string())?;
            tmp.as_file().sync_all().map_err(|e| e.to_string())?;
            match tmp.persist_noclobber(&path) {
                Ok(_) => bytes.to_vec(),
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                    return open(dir);
                }
                Err(e) => return Err(format!("it cannot be written: {}", e.error)),
            }
        }
        Err(e) => return Err(format!("its key cannot be read: {e}")),
    };
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| format!("its key {} is damaged", path.display()))?;
    Ok(Key(key))
}

/// Without owners and modes to check, no cache.
#[cfg(not(unix))]
fn open(_dir: &Path) -> Result<Key, String> {
    Err("its permissions cannot be checked on this system".to_owned())
}
