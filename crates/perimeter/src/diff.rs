//! `--diff REV`: only the findings introduced since a git revision. The revision's tree is
//! read in-process with gitoxide (no `git` is run, so nothing the repository's `.git/config`,
//! attributes or hooks name can run: no fsmonitor, filter or hook) and written to a
//! temporary folder: blobs as stored (no filter, no line-ending conversion), folders as
//! folders, and neither symbolic links nor submodules (the scan never follows a link either).
//! That folder is scanned the same way, and every current finding whose fingerprint (rule,
//! path and normalised code, not the line) it already had is left out.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use perimeter_diagnostics::nofollow::excerpt;

/// A revision's tree checked out in a temporary folder.
pub struct BaseTree {
    /// Keeps the folder alive.
    _dir: tempfile::TempDir,
    /// The scanned path's counterpart inside the revision's tree.
    pub path: PathBuf,
    /// Entries not written: symbolic links, submodules, blobs over [`MAX_BLOB`], names that
    /// cannot be a file name.
    pub skipped: usize,
}

/// The largest blob written; larger ones are left out (no analysed file is that large).
const MAX_BLOB: u64 = 64 << 20;

/// A gitoxide error as a short message (its text may quote the repository's files).
fn short(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(excerpt(&e.to_string(), 300))
}

/// Writes the tree of `rev` to a temporary folder and returns where `scanned` is in it.
pub fn checkout(scanned: &Path, rev: &str) -> Result<BaseTree> {
    let dir = if scanned.is_dir() {
        scanned
    } else {
        scanned.parent().unwrap_or(Path::new("."))
    };
    let dir = std::fs::canonicalize(dir)
        .with_context(|| format!("--diff: cannot resolve {}", dir.display()))?;
    // Isolated: no environment variable, no global or system configuration.
    let repo = gix::ThreadSafeRepository::discover_opts(
        &dir,
        gix::discover::upwards::Options::default(),
        |_, _| gix::open::Options::isolated(),
    )
    .map_err(short)
    .with_context(|| format!("--diff: {} is not inside a git repository", dir.display()))?
    .to_thread_local();
    let top = repo
        .workdir()
        .context("--diff: the repository has no working tree")?;
    let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
    let prefix = dir
        .strip_prefix(&top)
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let commit = repo
        .rev_parse_single(rev)
        .map_err(short)
        .and_then(|id| id.object().map_err(short))
        .and_then(|o| o.peel_to_commit().map_err(short))
        .with_context(|| format!("--diff: unknown revision `{rev}`"))?;
    let tree = commit.tree_id().map_err(short)?.detach();

    let tmp = tempfile::tempdir().context("--diff: cannot create a temporary folder")?;
    let out = tmp.path().join("tree");
    std::fs::create_dir_all(&out)?;
    // Down to the scanned folder's tree, then all of it.
    let mut at = Some(tree);
    for part in prefix.components() {
        let name = part.as_os_str().to_string_lossy();
        at = match at {
            Some(id) => subtree(&repo, id, &name)?,
            None => None,
        };
    }
    let path = out.join(&prefix);
    let mut skipped = 0;
    if let Some(id) = at {
        std::fs::create_dir_all(&path)?;
        skipped = write_tree(&repo, id, &path)?;
    }
    Ok(BaseTree {
        path,
        _dir: tmp,
        skipped,
    })
}

/// The tree named `name` in the tree `id`.
fn subtree(repo: &gix::Repository, id: gix::ObjectId, name: &str) -> Result<Option<gix::ObjectId>> {
    let tree = repo.find_tree(id).map_err(short)?;
    let decoded = tree.decode().map_err(short)?;
    Ok(decoded
        .entries
        .iter()
        .find(|e| e.filename == name.as_bytes() && e.mode.is_tree())
        .map(|e| e.oid.to_owned()))
}

/// Writes a tree's blobs and folders under `dir`; returns how many entries were left out.
fn write_tree(repo: &gix::Repository, root: gix::ObjectId, dir: &Path) -> Result<usize> {
    let mut skipped = 0;
    let mut stack = vec![(root, dir.to_path_buf())];
    while let Some((id, dir)) = stack.pop() {
        let tree = repo.find_tree(id).map_err(short)?;
        let decoded = tree.decode().map_err(short)?;
        for e in &decoded.entries {
            let Some(name) = file_name(e.filename) else {
                skipped += 1;
                continue;
            };
            let path = dir.join(name);
            if e.mode.is_tree() {
                std::fs::create_dir(&path)
                    .with_context(|| format!("--diff: cannot write {}", path.display()))?;
                stack.push((e.oid.to_owned(), path));
            } else if e.mode.is_blob() {
                let blob = repo.find_object(e.oid).map_err(short)?;
                if blob.data.len() as u64 > MAX_BLOB {
                    skipped += 1;
                    continue;
                }
                // A new file: nothing there can be a link to write through.
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .with_context(|| format!("--diff: cannot write {}", path.display()))?;
                f.write_all(&blob.data)?;
            } else {
                // A symbolic link or a submodule.
                skipped += 1;
            }
        }
    }
    Ok(skipped)
}

/// A tree entry's name as one path component; `None` for what no checkout may write (`.`,
/// `..`, `.git`, a separator or a NUL inside, not UTF-8).
fn file_name(name: &[u8]) -> Option<&str> {
    let name = std::str::from_utf8(name).ok()?;
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\\', '\0']);
    (!bad).then_some(name)
}
