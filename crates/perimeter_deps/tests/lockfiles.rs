//! Every lockfile format and version read: packages, versions, dev flags, dependencies,
//! places; a broken one is an error that says why.

use std::sync::Arc;

use perimeter_deps::lockfile::{self, Includes};
use perimeter_deps::{Ecosystem, Lockfile};
use perimeter_diagnostics::SourceFile;

struct Fixtures;

impl Includes for Fixtures {
    fn read(&self, rel: &str) -> Option<Arc<SourceFile>> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).ok()?;
        Some(SourceFile::new(rel, text))
    }
}

fn parse(rel: &str) -> Result<Lockfile, String> {
    let file = Fixtures.read(rel).unwrap();
    lockfile::parse(&file, &Fixtures)
}

fn versions(l: &Lockfile, name: &str) -> Vec<String> {
    let mut v: Vec<String> = l
        .packages
        .iter()
        .filter(|p| p.name == name)
        .filter_map(|p| p.version.clone())
        .collect();
    v.sort();
    v
}

fn line_of(l: &Lockfile, name: &str, version: &str) -> u32 {
    l.packages
        .iter()
        .find(|p| p.name == name && p.version.as_deref() == Some(version))
        .unwrap()
        .loc
        .start()
        .line
}

/// The npm lockfiles all say: express 4.16.0 with its own qs 6.5.1, qs 6.3.1 at the top.
fn npm_shape(l: &Lockfile) {
    assert_eq!(l.ecosystem, Ecosystem::Npm);
    assert_eq!(versions(l, "qs"), ["6.3.1", "6.5.1"], "{l:#?}");
    assert_eq!(versions(l, "express"), ["4.16.0"]);
    let express = l.packages.iter().find(|p| p.name == "express").unwrap();
    assert!(
        express.requires.iter().any(|r| r.starts_with("qs")),
        "{:?}",
        express.requires
    );
}

#[test]
fn package_lock_v1_v2_v3_and_shrinkwrap() {
    let v1 = parse("lock-v1/package-lock.json").unwrap();
    npm_shape(&v1);
    assert!(v1.packages.iter().any(|p| p.name == "mocha" && p.dev));
    assert_eq!(line_of(&v1, "qs", "6.3.1"), 14);
    let v3 = parse("lock-v3/package-lock.json").unwrap();
    npm_shape(&v3);
    assert_eq!(v3.direct, ["express", "qs"]);
    assert_eq!(line_of(&v3, "qs", "6.3.1"), 8);
    assert_eq!(versions(&v3, "@scope/util"), ["1.0.0-beta.2"]);
    // A workspace link is the project's own code, not a package.
    assert!(!v3.packages.iter().any(|p| p.name == "shared"));
    assert!(v3.packages.iter().any(|p| p.name == "mocha" && p.dev));
    npm_shape(&parse("shrinkwrap/npm-shrinkwrap.json").unwrap());
}

#[test]
fn yarn_v1_and_berry() {
    let y = parse("yarn1/yarn.lock").unwrap();
    npm_shape(&y);
    assert_eq!(versions(&y, "@scope/util"), ["1.0.0-beta.2"]);
    assert_eq!(line_of(&y, "express", "4.16.0"), 9);
    let b = parse("berry/yarn.lock").unwrap();
    npm_shape(&b);
    assert!(!b.packages.iter().any(|p| p.name == "__metadata"));
}

#[test]
fn pnpm_v5_v6_v9() {
    for v in ["pnpm5", "pnpm6", "pnpm9"] {
        let l = parse(&format!("{v}/pnpm-lock.yaml")).unwrap();
        npm_shape(&l);
        assert!(l.direct.contains(&"qs".to_owned()), "{v}: {:?}", l.direct);
    }
    let v5 = parse("pnpm5/pnpm-lock.yaml").unwrap();
    assert!(v5.packages.iter().any(|p| p.name == "mocha" && p.dev));
}

#[test]
fn package_json_without_a_lockfile_is_unpinned() {
    let l = parse("manifest/package.json").unwrap();
    assert!(l.manifest_only);
    let mm = l.packages.iter().find(|p| p.name == "minimatch").unwrap();
    assert_eq!(mm.version, None);
    assert_eq!(mm.range.as_deref(), Some("^2.0.10"));
    // An exact version is a pin even in a manifest.
    let uuid = l.packages.iter().find(|p| p.name == "node-uuid").unwrap();
    assert_eq!(uuid.version.as_deref(), Some("1.4.3"));
    assert!(l.packages.iter().any(|p| p.name == "mocha" && p.dev));
}

#[test]
fn requirements_with_hashes_markers_extras_ranges_and_includes() {
    let l = parse("req/requirements.txt").unwrap();
    assert_eq!(l.ecosystem, Ecosystem::PyPI);
    assert_eq!(versions(&l, "jsonpickle"), ["1.4.1"]);
    assert_eq!(versions(&l, "requests"), ["2.19.0"]);
    let yaml = l.packages.iter().find(|p| p.name == "PyYAML").unwrap();
    assert_eq!(yaml.version, None, "a range is not a pin");
    assert_eq!(yaml.range.as_deref(), Some(">=5.1,<6"));
    assert_eq!(versions(&l, "urllib3"), ["1.24.1"], "from the -r include");
    assert_eq!(line_of(&l, "jsonpickle", "1.4.1"), 2);
    assert!(!l.packages.iter().any(|p| p.name.contains("local")));
}

#[test]
fn pipfile_poetry_and_uv_locks() {
    let p = parse("pipfile/Pipfile.lock").unwrap();
    assert_eq!(versions(&p, "jsonpickle"), ["1.4.1"]);
    assert!(p.packages.iter().any(|x| x.name == "pytest" && x.dev));
    let po = parse("poetry/poetry.lock").unwrap();
    assert_eq!(versions(&po, "urllib3"), ["1.23"]);
    assert!(po.packages.iter().any(|x| x.name == "pytest" && x.dev));
    let req = po.packages.iter().find(|x| x.name == "requests").unwrap();
    assert_eq!(req.requires, ["urllib3"]);
    let uv = parse("uv/uv.lock").unwrap();
    assert_eq!(uv.direct, ["requests"]);
    assert!(
        !uv.packages.iter().any(|x| x.name == "app"),
        "the project itself"
    );
    assert_eq!(versions(&uv, "urllib3"), ["1.23"]);
}

#[test]
fn a_broken_lockfile_says_why() {
    let e = parse("broken/package-lock.json").unwrap_err();
    assert!(e.contains("invalid JSON"), "{e}");
}

#[test]
fn every_format_says_why_when_broken() {
    for (rel, why) in [
        ("broken-yarn/yarn.lock", "not a yarn.lock entry"),
        ("broken-pnpm/pnpm-lock.yaml", "invalid YAML"),
        ("broken-pipfile/Pipfile.lock", "invalid JSON"),
        ("broken-poetry/poetry.lock", "invalid TOML"),
        ("broken-uv/uv.lock", "not a uv lockfile"),
        ("broken-manifest/package.json", "invalid JSON"),
    ] {
        let e = parse(rel).unwrap_err();
        assert!(e.contains(why), "{rel}: {e}");
    }
}

/// npm writes a lockfile with neither `packages` nor `dependencies` for a project without
/// dependencies: it is a lockfile of no package, not a broken one.
#[test]
fn an_empty_package_lock_has_no_packages_and_no_error() {
    let l = parse("lock-empty/package-lock.json").unwrap();
    assert!(l.packages.is_empty());
}
