//! Dependencies: lockfiles of npm, Yarn, pnpm and the Python package managers, an offline
//! database of OSV advisories, and version matching by each ecosystem's rules.
//!
//! Nothing here reaches the network but [`db::download`], which the `perimeter db update`
//! command calls on the user's request.

pub mod db;
pub mod lockfile;
pub mod osv;
pub mod vendored;
pub mod version;

use perimeter_diagnostics::Loc;

/// A package ecosystem, named as OSV names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// npm (and Yarn, pnpm).
    Npm,
    /// The Python Package Index.
    PyPI,
}

impl Ecosystem {
    /// OSV's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
        }
    }

    /// From OSV's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "npm" => Some(Ecosystem::Npm),
            "PyPI" => Some(Ecosystem::PyPI),
            _ => None,
        }
    }

    /// A package name as the ecosystem compares it (PyPI names per PEP 503).
    pub fn normalise(self, name: &str) -> String {
        match self {
            Ecosystem::Npm => name.to_owned(),
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                    } else {
                        if sep && !out.is_empty() {
                            out.push('-');
                        }
                        sep = false;
                        out.push(c.to_ascii_lowercase());
                    }
                }
                out
            }
        }
    }
}

/// A dependency as a lockfile (or a manifest without one) records it.
#[derive(Clone, Debug)]
pub struct Package {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name as written.
    pub name: String,
    /// The exact version installed, when pinned.
    pub version: Option<String>,
    /// The range allowed, when not pinned (a manifest without a lockfile, a requirement
    /// with `>=`).
    pub range: Option<String>,
    /// Only needed for development (not deployed with the function).
    pub dev: bool,
    /// Where it is recorded.
    pub loc: Loc,
    /// The names of the packages it depends on, each with the key that resolves it in this
    /// lockfile (an install path, a `name@range` key), when the lockfile says.
    pub requires: Vec<String>,
    /// The key of this entry in the lockfile (install path or `name@range`), for resolving
    /// `requires`.
    pub key: String,
}

/// A lockfile or manifest read.
#[derive(Clone, Debug)]
pub struct Lockfile {
    /// Its path, relative to the scan root.
    pub path: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The packages, in file order.
    pub packages: Vec<Package>,
    /// The names the project itself depends on (manifest or lockfile root), non-dev first.
    pub direct: Vec<String>,
    /// Whether it is a manifest read for want of a lockfile (`package.json`).
    pub manifest_only: bool,
}
