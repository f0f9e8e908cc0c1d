//! `--diff REV`: only the findings introduced since a git revision. The revision's tree is
//! written to a temporary folder with git's own plumbing (a private index file, so the user's
//! index and working tree are untouched), scanned the same way, and every current finding
//! whose fingerprint (rule, path and normalised code, not the line) it already had is left
//! out. This is the one place perimeter runs a program, and only on the user's request.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A revision's tree checked out in a temporary folder.
pub struct BaseTree {
    /// Keeps the folder alive.
    _dir: tempfile::TempDir,
    /// The scanned path's counterpart inside the revision's tree.
    pub path: PathBuf,
}

fn git(dir: &Path, args: &[&str], index: Option<&Path>) -> Result<String> {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir).args(args);
    if let Some(i) = index {
        c.env("GIT_INDEX_FILE", i);
    }
    let out = c
        .output()
        .context("--diff needs git, which could not be run")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
}

/// Writes the tree of `rev` to a temporary folder and returns where `scanned` is in it.
pub fn checkout(scanned: &Path, rev: &str) -> Result<BaseTree> {
    let dir = if scanned.is_dir() {
        scanned
    } else {
        scanned.parent().unwrap_or(Path::new("."))
    };
    let prefix = git(dir, &["rev-parse", "--show-prefix"], None)
        .with_context(|| format!("--diff: {} is not inside a git repository", dir.display()))?;
    let commit = git(
        dir,
        &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
        None,
    )
    .with_context(|| format!("--diff: unknown revision `{rev}`"))?;
    let top = git(dir, &["rev-parse", "--show-toplevel"], None)?;
    let tmp = tempfile::tempdir().context("--diff: cannot create a temporary folder")?;
    let index = tmp.path().join("index");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree)?;
    let top = Path::new(&top);
    git(top, &["read-tree", &commit], Some(&index))?;
    let mut prefix_arg = tree.to_string_lossy().into_owned();
    prefix_arg.push('/');
    git(
        top,
        &["checkout-index", "--all", "--prefix", &prefix_arg],
        Some(&index),
    )?;
    Ok(BaseTree {
        path: tree.join(prefix),
        _dir: tmp,
    })
}
