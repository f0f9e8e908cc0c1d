//! Dependencies installed into the repository itself (vendored): a function package built
//! with `pip install -t .`, a committed `node_modules`, a layer's
//! `python/lib/python3.x/site-packages` or `nodejs/node_modules`. Each installed package's
//! own manifest names it: `*.dist-info/METADATA` (`Name`, `Version`) or the `package.json`
//! at the root of `node_modules/<name>`.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile, Span};

use crate::{Ecosystem, Lockfile, Package};

/// Whether a path is the metadata of an installed Python distribution
/// (`requests-2.31.0.dist-info/METADATA`, `x.egg-info/PKG-INFO`).
pub fn is_dist_info(rel: &str) -> bool {
    let mut parts = rel.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some("METADATA"), Some(dir)) => dir.ends_with(".dist-info"),
        (Some("PKG-INFO"), Some(dir)) => dir.ends_with(".egg-info"),
        _ => false,
    }
}

/// The package name a `package.json` path is the root of, when it sits directly in a
/// `node_modules` folder (`node_modules/x/package.json`, `node_modules/@s/x/package.json`).
pub fn node_module_name(rel: &str) -> Option<String> {
    let dir = rel.strip_suffix("/package.json")?;
    let (before, name) = dir.rsplit_once("node_modules/")?;
    if !(before.is_empty() || before.ends_with('/')) || name.is_empty() {
        return None;
    }
    let segments: Vec<&str> = name.split('/').collect();
    match segments.as_slice() {
        [n] if !n.starts_with('@') && !n.starts_with('.') => Some((*n).to_owned()),
        [s, n] if s.starts_with('@') && s.len() > 1 && !n.is_empty() => Some(name.to_owned()),
        _ => None,
    }
}

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).unwrap_or(0);
    Span {
        start: u32::try_from(start).unwrap_or(0),
        end: u32::try_from(start + needle.len()).unwrap_or(0),
    }
}

/// The distribution a `METADATA`/`PKG-INFO` file describes: its `Name` and `Version`
/// headers (the header block ends at the first blank line).
pub fn dist_info(file: &Arc<SourceFile>) -> Option<Package> {
    let mut name = None;
    let mut version = None;
    for line in file.text().lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name.get_or_insert_with(|| v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version.get_or_insert_with(|| v.trim().to_owned());
        }
    }
    let name = name.filter(|n| !n.is_empty())?;
    let version = version.filter(|v| !v.is_empty())?;
    let loc = Loc::new(file, span_of(file.text(), &format!("Name: {name}")));
    Some(Package {
        ecosystem: Ecosystem::PyPI,
        key: Ecosystem::PyPI.normalise(&name),
        name,
        version: Some(version),
        range: None,
        dev: false,
        loc,
        requires: Vec::new(),
    })
}

/// The package a `node_modules/<name>/package.json` describes, when it is that package's
/// root: the manifest's `name` is the folder's and it has a `version` (a `package.json`
/// deeper in a package, or one with only `{"type": "module"}`, is not a package).
pub fn node_module(file: &Arc<SourceFile>) -> Option<Package> {
    let folder_name = node_module_name(file.path())?;
    let doc: serde_json::Value = serde_json::from_str(file.text()).ok()?;
    let name = doc.get("name")?.as_str()?;
    let version = doc.get("version")?.as_str()?;
    if name != folder_name || version.is_empty() {
        return None;
    }
    let requires = ["dependencies", "optionalDependencies"]
        .iter()
        .filter_map(|s| doc.get(*s).and_then(serde_json::Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    let key = file
        .path()
        .strip_suffix("/package.json")
        .unwrap_or_default()
        .to_owned();
    Some(Package {
        ecosystem: Ecosystem::Npm,
        name: name.to_owned(),
        version: Some(version.to_owned()),
        range: None,
        dev: false,
        loc: Loc::new(file, span_of(file.text(), &format!("\"{name}\""))),
        requires,
        key,
    })
}

/// The packages installed into one folder, as one lockfile-like inventory whose path is
/// `<folder>/<marker>` (its folder serves the functions below it). Every vendored package
/// ships with the code, so each is direct.
pub fn inventory(
    folder: &str,
    marker: &str,
    ecosystem: Ecosystem,
    packages: Vec<Package>,
) -> Lockfile {
    let path = if folder.is_empty() {
        marker.to_owned()
    } else {
        format!("{folder}/{marker}")
    };
    Lockfile {
        path,
        ecosystem,
        direct: packages.iter().map(|p| p.name.clone()).collect(),
        packages,
        manifest_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_info_reads_name_and_version() {
        let f = SourceFile::new(
            "fn/PyYAML-5.3.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n\nName: not-a-header\n",
        );
        let p = dist_info(&f).unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("PyYAML", Some("5.3"))
        );
        assert_eq!(f.position(p.loc.span.start).line, 2);
        assert!(is_dist_info(f.path()));
        assert!(!is_dist_info("fn/x.dist-info/RECORD"));
    }

    #[test]
    fn node_module_roots_only() {
        assert_eq!(
            node_module_name("a/node_modules/lodash/package.json").as_deref(),
            Some("lodash")
        );
        assert_eq!(
            node_module_name("node_modules/@s/x/package.json").as_deref(),
            Some("@s/x")
        );
        assert_eq!(
            node_module_name("node_modules/lodash/lib/package.json"),
            None
        );
        assert_eq!(node_module_name("node_modules/@s/package.json"), None);
        assert_eq!(node_module_name("my_node_modules/x/package.json"), None);
        let root = SourceFile::new(
            "node_modules/lodash/package.json",
            "{\"name\":\"lodash\",\"version\":\"4.17.4\"}",
        );
        assert_eq!(
            node_module(&root).unwrap().version.as_deref(),
            Some("4.17.4")
        );
        let marker = SourceFile::new("node_modules/lodash/package.json", "{\"type\":\"module\"}");
        assert!(node_module(&marker).is_none());
        let other = SourceFile::new(
            "node_modules/lodash/package.json",
            "{\"name\":\"x\",\"version\":\"1.0.0\"}",
        );
        assert!(node_module(&other).is_none());
    }
}
