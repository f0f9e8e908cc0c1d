//! Lockfiles and manifests: `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`,
//! `yarn.lock` (v1 and Berry), `pnpm-lock.yaml` (v5 to v9), `package.json` without a lockfile
//! (its ranges, unpinned), `requirements*.txt` (pins, hashes, `-r` includes, extras, markers;
//! ranges unpinned), `Pipfile.lock`, `poetry.lock` and `uv.lock`.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile, Span};
use serde_json::Value as Json;

use crate::{Ecosystem, Lockfile, Package};

/// The kind of a file by its name, if it is one read here.
pub fn kind_of(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match name {
        "package-lock.json" | "npm-shrinkwrap.json" => "package-lock",
        "yarn.lock" => "yarn",
        "pnpm-lock.yaml" => "pnpm",
        "package.json" => "package.json",
        "Pipfile.lock" => "pipfile",
        "poetry.lock" => "poetry",
        "uv.lock" => "uv",
        n if n.starts_with("requirements") && n.ends_with(".txt") => "requirements",
        _ => return None,
    })
}

/// Reads other files of the tree (`-r` includes).
pub trait Includes {
    /// A file relative to the scan root.
    fn read(&self, rel: &str) -> Option<Arc<SourceFile>>;
}

/// Parses a lockfile or manifest; `Err` says why it cannot be read.
pub fn parse(file: &Arc<SourceFile>, includes: &dyn Includes) -> Result<Lockfile, String> {
    let kind = kind_of(file.path()).ok_or("not a lockfile")?;
    match kind {
        "package-lock" => package_lock(file),
        "yarn" => yarn(file),
        "pnpm" => pnpm(file),
        "package.json" => package_json(file),
        "pipfile" => pipfile(file),
        "poetry" => toml_lock(file, "poetry"),
        "uv" => toml_lock(file, "uv"),
        _ => requirements(file, includes),
    }
}

/// Where each string of a file is written, indexed once: a lockfile of `n` packages is
/// located in one pass instead of one search of the whole text per package.
struct Places<'t> {
    /// The offsets of the opening quote of each double-quoted string (its raw text), in
    /// order; for TOML, also of `name = "x"` lines under `name = `.
    strings: std::collections::HashMap<&'t str, Vec<usize>>,
    /// Per string, the first occurrence not yet used by an entry (entries come in order).
    cursors: std::collections::HashMap<&'t str, usize>,
}

impl<'t> Places<'t> {
    fn new(text: &'t str) -> Self {
        let mut strings: std::collections::HashMap<&'t str, Vec<usize>> =
            std::collections::HashMap::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'"' {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' {
                    strings.entry(&text[i + 1..j]).or_default().push(i);
                }
                i = j + 1;
            } else {
                i += 1;
            }
        }
        Self {
            strings,
            cursors: std::collections::HashMap::new(),
        }
    }

    /// The place of the first `"raw"` string, or the file's start.
    fn string(&self, file: &Arc<SourceFile>, raw: &str) -> Loc {
        match self.strings.get(raw).and_then(|v| v.first()) {
            Some(&p) => at(file, p, p + raw.len() + 2),
            None => at(file, 0, 0),
        }
    }

    /// The place of the first `{prefix}"raw"` (`name = "x"`), or the file's start.
    fn assigned(&self, file: &Arc<SourceFile>, prefix: &str, raw: &str) -> Loc {
        let text = file.text();
        let found = self
            .strings
            .get(raw)
            .and_then(|v| v.iter().find(|&&p| text[..p].ends_with(prefix)));
        match found {
            Some(&p) => at(file, p - prefix.len(), p + raw.len() + 2),
            None => at(file, 0, 0),
        }
    }

    /// The place of the `"name": {` entry whose version follows it closely (a nested tree
    /// repeats names), searched from the last one used; the first one when none says.
    fn entry(&mut self, file: &Arc<SourceFile>, name: &str, version: Option<&str>) -> Loc {
        let text = file.text();
        let Some((&key, all)) = self.strings.get_key_value(name) else {
            return at(file, 0, 0);
        };
        let is_entry = |p: usize| text[p + name.len() + 2..].starts_with(": {");
        if let Some(v) = version {
            let want = format!("\"version\": \"{v}\"");
            let from = self.cursors.get(key).copied().unwrap_or(0);
            for (k, &p) in all.iter().enumerate().skip(from) {
                if !is_entry(p) {
                    continue;
                }
                let after = &text[p..text.floor_char_boundary(p + name.len() + 2 + 200)];
                let next_entry = after[name.len() + 2..]
                    .find("\": {")
                    .map_or(after.len(), |e| e + name.len() + 2);
                if after[..next_entry.min(after.len())].contains(&want) {
                    self.cursors.insert(key, k + 1);
                    return at(file, p, p + name.len() + 5);
                }
            }
        }
        match all.iter().find(|&&p| is_entry(p)) {
            Some(&p) => at(file, p, p + name.len() + 5),
            None => at(file, 0, 0),
        }
    }
}

fn at(file: &Arc<SourceFile>, start: usize, end: usize) -> Loc {
    let len = file.text().len();
    Loc::new(
        file,
        Span {
            start: u32::try_from(start.min(len)).unwrap_or(u32::MAX),
            end: u32::try_from(end.min(len)).unwrap_or(u32::MAX),
        },
    )
}

fn new_lock(file: &Arc<SourceFile>, eco: Ecosystem) -> Lockfile {
    Lockfile {
        path: file.path().to_owned(),
        ecosystem: eco,
        packages: Vec::new(),
        direct: Vec::new(),
        manifest_only: false,
    }
}

fn json(file: &Arc<SourceFile>) -> Result<Json, String> {
    serde_json::from_str(file.text()).map_err(|e| format!("invalid JSON: {e}"))
}

fn obj_keys(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// `package-lock.json` / `npm-shrinkwrap.json`: v2 and v3 by install path (`packages`), v1
/// by its nested `dependencies` tree.
fn package_lock(file: &Arc<SourceFile>) -> Result<Lockfile, String> {
    let doc = json(file)?;
    let mut lock = new_lock(file, Ecosystem::Npm);
    let mut places = Places::new(file.text());
    if let Some(packages) = doc.get("packages").and_then(Json::as_object) {
        if let Some(root) = packages.get("") {
            lock.direct = obj_keys(root.get("dependencies"));
            lock.direct
                .extend(obj_keys(root.get("optionalDependencies")));
        }
        for (path, p) in packages {
            if path.is_empty() || !path.contains("node_modules/") {
                continue;
            }
            // Links to workspace folders are the project's own code.
            if p.get("link").and_then(Json::as_bool) == Some(true) {
                continue;
            }
            let name = p
                .get("name")
                .and_then(Json::as_str)
                .map_or_else(|| npm_name_of_path(path), str::to_owned);
            let mut requires = obj_keys(p.get("dependencies"));
            requires.extend(obj_keys(p.get("optionalDependencies")));
            requires.extend(obj_keys(p.get("peerDependencies")));
            lock.packages.push(Package {
                ecosystem: Ecosystem::Npm,
                name,
                version: p.get("version").and_then(Json::as_str).map(str::to_owned),
                range: None,
                dev: p.get("dev").and_then(Json::as_bool).unwrap_or(false),
                loc: places.string(file, path),
                requires,
                key: path.clone(),
            });
        }
        return Ok(lock);
    }
    let Some(deps) = doc.get("dependencies").and_then(Json::as_object) else {
        // npm writes a lockfile without either for a project with no dependencies.
        if doc.get("lockfileVersion").is_some() {
            return Ok(lock);
        }
        return Err("no `packages` or `dependencies`: not an npm lockfile".to_owned());
    };
    lock.direct = deps
        .iter()
        .filter(|(_, d)| d.get("dev").and_then(Json::as_bool) != Some(true))
        .map(|(k, _)| k.clone())
        .collect();
    v1_tree(file, &mut places, deps, "", &mut lock.packages, 0);
    Ok(lock)
}

fn v1_tree(
    file: &Arc<SourceFile>,
    places: &mut Places<'_>,
    deps: &serde_json::Map<String, Json>,
    parent: &str,
    out: &mut Vec<Package>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for (name, d) in deps {
        let path = format!("{parent}node_modules/{name}");
        out.push(Package {
            ecosystem: Ecosystem::Npm,
            name: name.clone(),
            version: d.get("version").and_then(Json::as_str).map(str::to_owned),
            range: None,
            dev: d.get("dev").and_then(Json::as_bool).unwrap_or(false),
            loc: places.entry(file, name, d.get("version").and_then(Json::as_str)),
            requires: obj_keys(d.get("requires")),
            key: path.clone(),
        });
        if let Some(nested) = d.get("dependencies").and_then(Json::as_object) {
            v1_tree(file, places, nested, &format!("{path}/"), out, depth + 1);
        }
    }
}

/// `node_modules/a/node_modules/@s/b` -> `@s/b`.
fn npm_name_of_path(path: &str) -> String {
    path.rsplit_once("node_modules/")
        .map_or(path, |(_, n)| n)
        .to_owned()
}

/// `name@range` -> (`name`, `range`); scoped names keep their leading `@`.
fn split_spec(spec: &str) -> (&str, &str) {
    let spec = spec.trim().trim_matches('"');
    let from = usize::from(spec.starts_with('@'));
    match spec[from..].find('@') {
        Some(i) => (&spec[..from + i], &spec[from + i + 1..]),
        None => (spec, ""),
    }
}

/// `yarn.lock`, v1 (`version "1.2.3"`) and Berry (YAML, `version: 1.2.3`).
fn yarn(file: &Arc<SourceFile>) -> Result<Lockfile, String> {
    let text = file.text();
    let mut lock = new_lock(file, Ecosystem::Npm);
    let mut offset = 0usize;
    let mut current: Option<Package> = None;
    let mut in_deps = false;
    let mut saw_entry = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end();
        if l.is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        if indent == 0 {
            if let Some(p) = current.take() {
                lock.packages.push(p);
            }
            in_deps = false;
            let line_no = text[..start].matches('\n').count() + 1;
            let Some(key) = l.strip_suffix(':') else {
                return Err(format!("line {line_no}: `{l}` is not a yarn.lock entry"));
            };
            if key == "__metadata" {
                continue;
            }
            let specs: Vec<&str> = key
                .split(", ")
                .map(|s| s.trim().trim_matches('"'))
                .collect();
            let Some(first) = specs.first() else { continue };
            let (name, range) = split_spec(first);
            if name.is_empty() || range.is_empty() {
                return Err(format!(
                    "line {line_no}: `{key}` is not a `name@range` yarn.lock entry"
                ));
            }
            saw_entry = true;
            current = Some(Package {
                ecosystem: Ecosystem::Npm,
                name: name.to_owned(),
                version: None,
                range: None,
                dev: false,
                loc: at(file, start, start + key.len()),
                requires: Vec::new(),
                // Every spec the entry resolves, normalised (`npm:` protocol dropped).
                key: specs
                    .iter()
                    .map(|s| s.replace("@npm:", "@"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
            continue;
        }
        let Some(p) = current.as_mut() else { continue };
        let t = l.trim_start();
        if indent <= 2 {
            in_deps = matches!(
                t.trim_end_matches(':'),
                "dependencies" | "optionalDependencies"
            );
            if let Some(v) = t.strip_prefix("version") {
                let v = v.trim_start_matches(':').trim().trim_matches('"');
                p.version = Some(v.to_owned());
            }
        } else if in_deps {
            let (name, range) = match t.split_once(": ") {
                Some((n, r)) => (n, r),
                None => t.split_once(' ').unwrap_or((t, "")),
            };
            let name = name.trim_matches('"');
            let range = range.trim().trim_matches('"').trim_start_matches("npm:");
            p.requires.push(format!("{name}@{range}"));
        }
    }
    if let Some(p) = current.take() {
        lock.packages.push(p);
    }
    if !saw_entry && !text.trim().is_empty() {
        return Err("no entries: not a yarn lockfile".to_owned());
    }
    if let Some(p) = lock.packages.iter().find(|p| p.version.is_none()) {
        return Err(format!("`{}` has no version: not a yarn lockfile", p.key));
    }
    Ok(lock)
}

/// `pnpm-lock.yaml`, v5 (`/name/1.2.3`), v6 (`/name@1.2.3`) and v9 (`name@1.2.3` with
/// `snapshots`).
fn pnpm(file: &Arc<SourceFile>) -> Result<Lockfile, String> {
    use perimeter_model::yaml;
    let doc = yaml::parse(file).map_err(|e| format!("invalid YAML: {e}"))?;
    let mut lock = new_lock(file, Ecosystem::Npm);
    let mut direct_dev: Vec<String> = Vec::new();
    // Root dependencies: `importers` (workspaces, v6+) or top-level (v5).
    let mut roots: Vec<&yaml::Node> = vec![&doc];
    if let Some(imp) = doc.get("importers") {
        roots.extend(imp.entries().iter().map(|(_, v)| v));
    }
    for r in roots {
        for (section, dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            for (k, _) in r.get(section).map(yaml::Node::entries).unwrap_or_default() {
                if dev {
                    direct_dev.push(k.name.clone());
                } else {
                    lock.direct.push(k.name.clone());
                }
            }
        }
    }
    let snapshots = doc.get("snapshots");
    let Some(packages) = doc.get("packages") else {
        return Err("no `packages`: not a pnpm lockfile".to_owned());
    };
    for (key, entry) in packages.entries() {
        let Some((name, version)) = pnpm_key(&key.name) else {
            continue;
        };
        let deps_node = snapshots.and_then(|s| s.get(&key.name)).unwrap_or(entry);
        let mut requires = Vec::new();
        for section in ["dependencies", "optionalDependencies"] {
            for (k, v) in deps_node
                .get(section)
                .map(yaml::Node::entries)
                .unwrap_or_default()
            {
                let ver = v.scalar_text().unwrap_or_default();
                let ver = ver.split('(').next().unwrap_or(&ver).to_owned();
                requires.push(format!("{}@{ver}", k.name));
            }
        }
        let dev = entry
            .get("dev")
            .and_then(|d| match d.value {
                yaml::Value::Bool(b) => Some(b),
                _ => None,
            })
            .unwrap_or(false);
        lock.packages.push(Package {
            ecosystem: Ecosystem::Npm,
            key: format!("{name}@{version}"),
            name,
            version: Some(version),
            range: None,
            dev,
            loc: key.loc.clone(),
            requires,
        });
    }
    lock.direct.extend(direct_dev);
    Ok(lock)
}

/// A pnpm package key: (`name`, `version`), peer suffixes `(...)`/`_...` dropped.
fn pnpm_key(key: &str) -> Option<(String, String)> {
    let k = key.trim_start_matches('/');
    let k = k.split('(').next().unwrap_or(k);
    // v6+: name@version
    let from = usize::from(k.starts_with('@'));
    if let Some(i) = k[from..].find('@') {
        let (n, v) = (&k[..from + i], &k[from + i + 1..]);
        return Some((n.to_owned(), v.split('_').next().unwrap_or(v).to_owned()));
    }
    // v5: name/version or @scope/name/version
    let (n, v) = k.rsplit_once('/')?;
    Some((n.to_owned(), v.split('_').next().unwrap_or(v).to_owned()))
}

/// `package.json` read for want of a lockfile: its ranges.
fn package_json(file: &Arc<SourceFile>) -> Result<Lockfile, String> {
    let doc = json(file)?;
    let mut lock = new_lock(file, Ecosystem::Npm);
    lock.manifest_only = true;
    let places = Places::new(file.text());
    for (section, dev) in [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ] {
        let Some(deps) = doc.get(section).and_then(Json::as_object) else {
            continue;
        };
        for (name, range) in deps {
            let range = range.as_str().unwrap_or("*").to_owned();
            if !dev {
                lock.direct.push(name.clone());
            }
            lock.packages.push(Package {
                ecosystem: Ecosystem::Npm,
                name: name.clone(),
                version: exact_npm(&range),
                range: Some(range),
                dev,
                loc: places.string(file, name),
                requires: Vec::new(),
                key: name.clone(),
            });
        }
    }
    Ok(lock)
}

/// A range that admits exactly one version (`1.4.3`, `=1.4.3`).
fn exact_npm(range: &str) -> Option<String> {
    let r = range.trim().trim_start_matches('=').trim_start_matches('v');
    (!r.is_empty()
        && r.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !r.contains([' ', '|', '<', '>', '^', '~', '*', 'x', 'X']))
    .then(|| r.to_owned())
}

/// `requirements*.txt`: `name==1.2`, extras, markers, hashes, `-r` includes; anything but a
/// single `==` pin is a range (unpinned).
fn requirements(file: &Arc<SourceFile>, includes: &dyn Includes) -> Result<Lockfile, String> {
    let mut lock = new_lock(file, Ecosystem::PyPI);
    requirements_into(file, includes, &mut lock, 0);
    Ok(lock)
}

fn requirements_into(
    file: &Arc<SourceFile>,
    includes: &dyn Includes,
    lock: &mut Lockfile,
    depth: usize,
) {
    let dir = file.path().rsplit_once('/').map_or("", |(d, _)| d);
    let mut offset = 0usize;
    let text = file.text();
    let mut joined = String::new();
    let mut joined_start = 0usize;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if joined.is_empty() {
            joined_start = start;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            joined.push_str(cont);
            joined.push(' ');
            continue;
        }
        joined.push_str(line);
        let entry = std::mem::take(&mut joined);
        let entry = entry.split(" #").next().unwrap_or(&entry).trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        if let Some(inc) = entry
            .strip_prefix("-r ")
            .or_else(|| entry.strip_prefix("--requirement "))
            .or_else(|| entry.strip_prefix("-c "))
        {
            if depth < 8
                && let Some(path) = perimeter_model::cfn::join_dir(dir, inc.trim())
                && let Some(f) = includes.read(&path)
            {
                requirements_into(&f, includes, lock, depth + 1);
            }
            continue;
        }
        if entry.starts_with('-') || entry.contains("://") || entry.starts_with('.') {
            continue;
        }
        // Drop hashes and environment markers.
        let spec = entry.split(" --hash").next().unwrap_or(entry);
        let spec = spec.split(';').next().unwrap_or(spec).trim();
        let name_end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec.len());
        let name = &spec[..name_end];
        if name.is_empty() {
            continue;
        }
        let mut rest = spec[name_end..].trim();
        if rest.starts_with('[') {
            rest = rest.split_once(']').map_or("", |(_, r)| r).trim();
        }
        let pinned = rest
            .strip_prefix("==")
            .filter(|v| !v.contains([',', '*', '<', '>', '!', '~']))
            .map(|v| v.trim().to_owned());
        lock.direct.push(name.to_owned());
        lock.packages.push(Package {
            ecosystem: Ecosystem::PyPI,
            name: name.to_owned(),
            version: pinned.clone(),
            range: pinned.is_none().then(|| {
                if rest.is_empty() {
                    "*".to_owned()
                } else {
                    rest.to_owned()
                }
            }),
            dev: file.path().contains("dev") || file.path().contains("test"),
            loc: at(file, joined_start, joined_start + line.trim_end().len()),
            requires: Vec::new(),
            key: name.to_owned(),
        });
    }
}

/// `Pipfile.lock`: `default` (deployed) and `develop` (dev).
fn pipfile(file: &Arc<SourceFile>) -> Result<Lockfile, String> {
    let doc = json(file)?;
    let mut lock = new_lock(file, Ecosystem::PyPI);
    let places = Places::new(file.text());
    let mut found = false;
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(deps) = doc.get(section).and_then(Json::as_object) else {
            continue;
        };
        found = true;
        for (name, d) in deps {
            let version = d
                .get("version")
                .and_then(Json::as_str)
                .map(|v| v.trim_start_matches("==").to_owned());
            if !dev {
                lock.direct.push(name.clone());
            }
            lock.packages.push(Package {
                ecosystem: Ecosystem::PyPI,
                name: name.clone(),
                version,
                range: None,
                dev,
                loc: places.string(file, name),
                requires: Vec::new(),
                key: name.clone(),
            });
        }
    }
    if !found {
        return Err("no `default` or `develop`: not a Pipfile.lock".to_owned());
    }
    Ok(lock)
}

/// `poetry.lock` and `uv.lock`: `[[package]]` tables with their dependencies.
fn toml_lock(file: &Arc<SourceFile>, kind: &str) -> Result<Lockfile, String> {
    let doc: toml::Value =
        toml::from_str(file.text()).map_err(|e| format!("invalid TOML: {}", e.message()))?;
    let mut lock = new_lock(file, Ecosystem::PyPI);
    let Some(packages) = doc.get("package").and_then(toml::Value::as_array) else {
        return Err(format!("no `[[package]]`: not a {kind} lockfile"));
    };
    let places = Places::new(file.text());
    for p in packages {
        let Some(name) = p.get("name").and_then(toml::Value::as_str) else {
            continue;
        };
        // uv lists the project itself as a package with an editable/virtual source.
        let own = p
            .get("source")
            .and_then(|s| s.get("editable").or_else(|| s.get("virtual")))
            .is_some();
        if own {
            let deps = p
                .get("dependencies")
                .and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.get("name").and_then(toml::Value::as_str))
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            lock.direct.extend(deps);
            continue;
        }
        let requires: Vec<String> = match p.get("dependencies") {
            Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
            Some(toml::Value::Array(a)) => a
                .iter()
                .filter_map(|d| d.get("name").and_then(toml::Value::as_str))
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        let dev = p
            .get("category")
            .and_then(toml::Value::as_str)
            .is_some_and(|c| c == "dev")
            || p.get("groups")
                .and_then(toml::Value::as_array)
                .is_some_and(|g| g.iter().all(|x| x.as_str().is_some_and(|s| s != "main")));
        lock.packages.push(Package {
            ecosystem: Ecosystem::PyPI,
            name: name.to_owned(),
            version: p
                .get("version")
                .and_then(toml::Value::as_str)
                .map(str::to_owned),
            range: None,
            dev,
            loc: places.assigned(file, "name = ", name),
            requires,
            key: name.to_owned(),
        });
    }
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_keys() {
        assert_eq!(
            split_spec("\"@babel/core@^7.0.0\""),
            ("@babel/core", "^7.0.0")
        );
        assert_eq!(split_spec("qs@6.3.1"), ("qs", "6.3.1"));
        assert_eq!(pnpm_key("/qs/6.3.1"), Some(("qs".into(), "6.3.1".into())));
        assert_eq!(
            pnpm_key("/@types/node@20.1.0"),
            Some(("@types/node".into(), "20.1.0".into()))
        );
        assert_eq!(
            pnpm_key("react-dom@18.2.0(react@18.2.0)"),
            Some(("react-dom".into(), "18.2.0".into()))
        );
        assert_eq!(npm_name_of_path("node_modules/a/node_modules/@s/b"), "@s/b");
        assert_eq!(exact_npm("1.4.3").as_deref(), Some("1.4.3"));
        assert_eq!(exact_npm("^1.4.3"), None);
        assert_eq!(
            Ecosystem::PyPI.normalise("Python_Dateutil"),
            "python-dateutil"
        );
    }
}
