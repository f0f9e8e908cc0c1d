//! DEP001: a package with a published vulnerability, judged by whether a deployed function's
//! code reaches it.
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use perimeter_code::{FunctionSummary, PackageUseKind, ResourceExpr};
use perimeter_deps::db::Db;
use perimeter_deps::osv::Advisory;
use perimeter_deps::version::{Range, Version};
use perimeter_deps::{Ecosystem, Lockfile, Package};
use perimeter_diagnostics::{
    Finding, Justification, Kind, Loc, NotAffected, SourceFile, TraceStep,
};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reads the lockfiles (`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
    /// `pnpm-lock.yaml`, `requirements*.txt`, `Pipfile.lock`, `poetry.lock`, `uv.lock`; a
    /// `package.json` without a lockfile for its ranges) and matches every package against
    /// the offline OSV database (`perimeter db import`, `perimeter db update`). A package a
    /// deployed function's code imports, directly or through the packages it depends on, is
    /// reported at the advisory's severity with the import chain; one no deployed function's
    /// code imports is reported low. A lockfile serves only the functions whose runtime loads
    /// its ecosystem's packages (the `package.json` of deploy tooling beside Python functions
    /// serves none). An unpinned range is reported when it admits an affected version.
    ///
    /// An advisory that cannot affect the deployed application is not a finding: it is
    /// listed in the report's `not_affected` section (JSON; a count in the other formats)
    /// with its VEX justification and the evidence, and `--report-not-affected` (or
    /// `report-not-affected = true` in `perimeter.toml`) reports it as a finding again:
    /// - `component_not_present`: a development dependency (by the lockfile's own record, or
    ///   a `requirements-dev.txt`-style file) that no deployed function's code imports; a
    ///   lockfile inside an application whose functions load no package from it (its
    ///   functions run another language, or their code lives elsewhere, all of it found,
    ///   and none runs with a layer: the lockfile may be one's; a folder laid out as a
    ///   layer never is judged so). With no application found, whether a lockfile is deployed is not known: it
    ///   stays a low finding;
    /// - `vulnerable_code_cannot_be_controlled_by_adversary`: a server-side request forgery
    ///   advisory of an HTTP client when every function reaching the client imports it
    ///   itself, and each of its calls with that client is a request whose destination the
    ///   code fixes (constants and configuration; the SSRF analysis finds no event data in
    ///   its scheme or host), with no other use of the client (handed to other code, a call
    ///   the analysis does not know);
    /// - `vulnerable_code_not_in_execute_path`: an advisory whose flaw lies in named
    ///   functions of the package, when every path from the code to it goes through
    ///   packages known to call only other functions of it (`stripe` calls only
    ///   `qs.stringify`; the prototype pollution is in `qs.parse`), or the code's own calls
    ///   of the package are only to other functions. A parser reached only through another
    ///   package is otherwise still a finding: the other package may hand it the request
    ///   (`express` parses the query string with `qs`).
    ///
    /// ## Why is this bad?
    /// A function's package ships its dependencies; a published vulnerability in one the
    /// code calls needs no exploit development, only the advisory.
    ///
    /// ## Example
    /// ```json
    /// "dependencies": { "node-serialize": "0.0.4" }
    /// ```
    /// Use instead: a fixed version, or another package when there is no fix.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9 Using Components with Known Vulnerabilities
    /// - SAS Top 10: SAS-8 Improper Third-Party Dependency Management
    /// - CWE-1395: Dependency on Vulnerable Third-Party Component
    pub struct VulnerableDependency {
        code: "DEP001",
        name: "vulnerable-dependency",
        kind: Kind::VulnerableDependency,
        severity: Severity::High,
        category: Category::Dependencies,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for VulnerableDependency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// This rule reads lockfiles, not the application model: see [`check_dependencies`].
    fn check(&self, _cx: &AppContext<'_>, _out: &mut Findings) {}
}

/// A deployed function as the dependency check sees it.
pub struct DependencyInput<'a> {
    /// The function's id.
    pub function: &'a str,
    /// Its code folder, relative to the scan root.
    pub code_dir: &'a str,
    /// The file of its handler, when resolved.
    pub handler: Option<&'a Loc>,
    /// The packages its code imports (npm names, Python top-level modules); `None` when
    /// its code was not analysed.
    pub imports: Option<&'a [String]>,
    /// The package ecosystem its runtime loads from (`nodejs*`: npm, `python*`: PyPI);
    /// `None` when the runtime says nothing (a container image, a custom runtime).
    pub ecosystem: Option<Ecosystem>,
    /// The root folder of its application (the descriptor's folder).
    pub app_root: &'a str,
    /// Whether it runs with layers (whose content folders the model does not know: a
    /// lockfile may be one's).
    pub layers: bool,
    /// The summary of its code, when analysed without error.
    pub code: Option<&'a FunctionSummary>,
}

/// What the dependency check found: findings, and advisories that cannot affect the
/// deployed application.
pub struct DependencyAssessment {
    /// Findings of DEP001, sorted.
    pub findings: Vec<Finding>,
    /// Advisories judged not to affect the deployed application, with their justification.
    pub not_affected: Vec<NotAffected>,
}

/// The package ecosystem a Lambda (or Azure) runtime string loads packages from.
pub fn runtime_ecosystem(runtime: Option<&str>) -> Option<Ecosystem> {
    let r = runtime?.trim().to_ascii_lowercase();
    if r.starts_with("node") {
        Some(Ecosystem::Npm)
    } else if r.starts_with("python") {
        Some(Ecosystem::PyPI)
    } else {
        None
    }
}

/// Python modules whose distribution has another name (data: module, then distributions).
const PY_MODULES: &str = include_str!("../../../resources/deps/python-modules.txt");

/// Where advisories' flaws lie and what packages call of their dependencies (data).
const ENTRY_POINTS: &str = include_str!("../../../resources/deps/entry-points.txt");

/// The functions of `package` an advisory's flaw lies in, when the data names them.
fn flawed_functions(package: &str, adv: &Advisory) -> Option<Vec<&'static str>> {
    ENTRY_POINTS.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next() == Some("flaw")
            && w.next() == Some(package)
            && w.next()
                .is_some_and(|id| id == adv.id || adv.aliases.iter().any(|a| a == id)))
        .then(|| w.collect())
    })
}

/// The functions of `dependency` that `package` calls, when the data names them.
fn calls_of(package: &str, dependency: &str) -> Option<Vec<&'static str>> {
    ENTRY_POINTS.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next() == Some("calls") && w.next() == Some(package) && w.next() == Some(dependency))
            .then(|| w.collect())
    })
}

/// Whether an advisory is a server-side request forgery: its flaw needs the request to go
/// where the attacker says, or to a server the attacker controls (a redirect).
fn is_ssrf(adv: &Advisory) -> bool {
    let s = adv.summary.to_ascii_lowercase();
    adv.cwes.iter().any(|c| c == "CWE-918")
        || s.contains("server-side request forgery")
        || s.contains("server side request forgery")
        || s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "ssrf")
}

/// Packages that load another one they do not list as a dependency (peer or host), for
/// manifests without a lockfile.
const LOADS: &[(&str, &str)] = &[
    ("dustjs-helpers", "dustjs-linkedin"),
    ("express-handlebars", "handlebars"),
    ("ejs-locals", "ejs"),
    ("humanize-ms", "ms"),
    ("body-parser", "qs"),
    ("express", "qs"),
    ("express", "body-parser"),
    ("request", "qs"),
];

/// Template engines that Express and consolidate load by name.
const TEMPLATE_ENGINES: &[&str] = &[
    "ejs",
    "pug",
    "jade",
    "handlebars",
    "hbs",
    "express-handlebars",
    "dustjs-linkedin",
    "dustjs-helpers",
    "mustache",
    "nunjucks",
    "swig",
    "twig",
    "hogan.js",
    "marko",
    "eta",
    "liquidjs",
    "underscore",
    "lodash",
];

/// The distributions an imported module may come from, normalised, most likely first
/// (npm: the package itself).
fn distributions(eco: Ecosystem, import: &str) -> Vec<String> {
    match eco {
        Ecosystem::Npm => vec![import.to_owned()],
        Ecosystem::PyPI => {
            let top = import.split('.').next().unwrap_or(import);
            let mut out: Vec<String> = PY_MODULES
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    (words.next() == Some(top)).then_some(words)
                })
                .flatten()
                .map(|d| eco.normalise(d))
                .collect();
            let own = eco.normalise(top);
            if !out.contains(&own) {
                out.push(own);
            }
            out
        }
    }
}

/// The folder of a path.
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn under(dir: &str, code_dir: &str) -> bool {
    dir.is_empty() || code_dir == dir || code_dir.starts_with(&format!("{dir}/"))
}

/// Whether a function may load packages from a lockfile's folder: the folder is its code
/// folder or above it, or (Node resolves from the handler's file upwards) a folder inside
/// its code folder that holds the handler's file.
fn loads_from(dir: &str, eco: Ecosystem, f: &DependencyInput<'_>) -> bool {
    under(dir, f.code_dir)
        || (eco == Ecosystem::Npm
            && under(f.code_dir, dir)
            && f.handler.is_some_and(|h| under(dir, dir_of(h.path()))))
}

/// A step of reachability: a function's import of a package, or a package's dependency.
#[derive(Clone, Copy)]
enum Edge<'x> {
    /// The function imports the package (index).
    Import(&'x str, usize),
    /// The first package depends on the second.
    Dep(usize, usize),
}

/// The package a dependency of `from` resolves to: Node's resolution for install paths,
/// `name@range` keys for Yarn and pnpm, names for Python.
fn resolve(
    lock: &Lockfile,
    by_key: &BTreeMap<&str, usize>,
    from: &Package,
    dep: &str,
) -> Option<usize> {
    match lock.ecosystem {
        Ecosystem::PyPI => by_key.get(lock.ecosystem.normalise(dep).as_str()).copied(),
        Ecosystem::Npm => {
            if dep.contains('@') && !dep.starts_with('@') || dep[1..].contains('@') {
                // `name@range` (yarn, pnpm).
                if let Some(i) = by_key.get(dep) {
                    return Some(*i);
                }
            }
            let name = if dep.starts_with('@') {
                dep.match_indices('@')
                    .nth(1)
                    .map_or(dep, |(i, _)| &dep[..i])
            } else {
                dep.split('@').next().unwrap_or(dep)
            };
            let mut base = from.key.clone();
            loop {
                let cand = if base.is_empty() {
                    format!("node_modules/{name}")
                } else {
                    format!("{base}/node_modules/{name}")
                };
                if let Some(i) = by_key.get(cand.as_str()) {
                    return Some(*i);
                }
                if base.is_empty() {
                    break;
                }
                base = base
                    .rfind("node_modules/")
                    .map(|i| base[..i].trim_end_matches('/').to_owned())
                    .unwrap_or_default();
            }
            // Yarn/pnpm: the first entry of that name.
            lock.packages.iter().position(|p| p.name == name)
        }
    }
}

/// Keys under which each package is found.
fn keys(lock: &Lockfile) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        match lock.ecosystem {
            Ecosystem::PyPI => {
                m.entry(p.key.as_str()).or_insert(i);
            }
            Ecosystem::Npm => {
                for k in p.key.split(", ") {
                    m.entry(k).or_insert(i);
                }
            }
        }
    }
    // Python keys are compared normalised.
    m
}

/// The packages the deployed functions served by a lockfile reach, each with the chain of
/// names from an import and the function.
fn reachable(
    lock: &Lockfile,
    functions: &[&DependencyInput<'_>],
    follow: &dyn Fn(Edge<'_>) -> bool,
) -> BTreeMap<usize, (Vec<String>, String)> {
    let norm_keys: Vec<String> = lock
        .packages
        .iter()
        .map(|p| match lock.ecosystem {
            Ecosystem::PyPI => lock.ecosystem.normalise(&p.name),
            Ecosystem::Npm => p.key.clone(),
        })
        .collect();
    let mut by_key: BTreeMap<&str, usize> = keys(lock);
    if lock.ecosystem == Ecosystem::PyPI {
        by_key = norm_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
    }
    let root = Package {
        key: String::new(),
        ..lock.packages.first().cloned().unwrap_or_else(|| Package {
            ecosystem: lock.ecosystem,
            name: String::new(),
            version: None,
            range: None,
            dev: false,
            loc: Loc::new(
                &SourceFile::new("", ""),
                perimeter_diagnostics::Span { start: 0, end: 0 },
            ),
            requires: Vec::new(),
            key: String::new(),
        })
    };
    let mut seen: BTreeMap<usize, (Vec<String>, String)> = BTreeMap::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    for f in functions {
        for imp in f.imports.unwrap_or_default() {
            let Some(i) = distributions(lock.ecosystem, imp)
                .iter()
                .find_map(|d| resolve(lock, &by_key, &root, d))
            else {
                continue;
            };
            if !follow(Edge::Import(f.function, i)) {
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(i) {
                e.insert((vec![lock.packages[i].name.clone()], f.function.to_owned()));
                queue.push_back(i);
            }
        }
    }
    // Template engines are loaded by name at run time (`app.set('view engine', 'dust')`,
    // `consolidate.dust`): a project that loads templates that way reaches the engines it
    // declares.
    let loads_engines = seen
        .values()
        .any(|(chain, _)| matches!(chain[0].as_str(), "consolidate" | "express"));
    if lock.ecosystem == Ecosystem::Npm && loads_engines {
        for (i, p) in lock.packages.iter().enumerate() {
            if TEMPLATE_ENGINES.contains(&p.name.as_str()) && lock.direct.contains(&p.name) {
                let function = seen
                    .values()
                    .next()
                    .map(|(_, f)| f.clone())
                    .unwrap_or_default();
                if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(i) {
                    e.insert((vec!["view engine".to_owned(), p.name.clone()], function));
                    queue.push_back(i);
                }
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        let (chain, function) = seen[&i].clone();
        if chain.len() > 32 {
            continue;
        }
        let from = &lock.packages[i];
        // A manifest without a lockfile has no graph: the packages well known to load
        // another one (a plugin and its host, a wrapper and what it wraps) stand for it.
        let known: Vec<String> = if lock.manifest_only {
            LOADS
                .iter()
                .filter(|(a, _)| *a == from.name)
                .map(|(_, b)| (*b).to_owned())
                .collect()
        } else {
            Vec::new()
        };
        for dep in from.requires.iter().chain(&known) {
            let Some(j) = resolve(lock, &by_key, from, dep) else {
                continue;
            };
            if !follow(Edge::Dep(i, j)) {
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(j) {
                let mut c = chain.clone();
                c.push(lock.packages[j].name.clone());
                e.insert((c, function.clone()));
                queue.push_back(j);
            }
        }
    }
    seen
}

fn severity_of(s: &str) -> Severity {
    match s {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "low" => Severity::Low,
        _ => Severity::Medium,
    }
}

/// The lowest version that fixes an advisory above `version`, when one is known.
fn fixed_in(adv: &Advisory, eco: Ecosystem, version: Option<&str>) -> Option<String> {
    let v = version.and_then(|v| Version::parse(eco, v));
    adv.ranges
        .iter()
        .flatten()
        .filter(|(k, _)| k == "fixed")
        .filter_map(|(_, f)| Version::parse(eco, f).map(|p| (f.clone(), p)))
        .filter(|(_, p)| {
            v.as_ref()
                .is_none_or(|v| p.compare(v) == Some(std::cmp::Ordering::Greater))
        })
        .min_by(|a, b| a.1.compare(&b.1).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(f, _)| f)
}

/// Matches every lockfile's packages against the database and judges reachability from the
/// deployed functions; advisories that cannot affect the deployment are reported as findings
/// too (low, saying why). See [`assess_dependencies`].
pub fn check_dependencies(
    locks: &[Lockfile],
    manifests: &BTreeMap<String, Arc<SourceFile>>,
    functions: &[DependencyInput<'_>],
    db: &Db,
) -> Vec<Finding> {
    let a = assess_dependencies(locks, manifests, functions, db);
    let mut out = a.findings;
    out.extend(a.not_affected.into_iter().map(|n| n.finding));
    crate::sort_findings(&mut out);
    out
}

/// Whether a package is a development dependency by a record that says so: the lockfile's
/// (npm, pnpm, Pipfile, Poetry, uv, a manifest's `devDependencies`) or a requirements file
/// named for development or tests, not only a folder's name.
fn dev_by_record(lock: &Lockfile, p: &Package) -> bool {
    if !p.dev {
        return false;
    }
    let name = lock.path.rsplit('/').next().unwrap_or(&lock.path);
    !name.ends_with(".txt") || name.contains("dev") || name.contains("test")
}

/// Why an advisory of package `i` cannot affect the deployment, when the evidence shows it.
struct Verdict {
    justification: Justification,
    evidence: String,
}

/// A request's destination the code fixes: the SSRF analysis finds no event data in its scheme
/// or host, and what it knows of the URL starts with something it knows.
fn destination_fixed(code: &FunctionSummary, loc: &Loc) -> bool {
    let at = |l: &Loc| l.path() == loc.path() && l.span.start == loc.span.start;
    let calls: Vec<_> = code
        .sdk_calls
        .iter()
        .filter(|c| c.is_http() && at(&c.loc))
        .collect();
    !calls.is_empty()
        && calls.iter().all(|c| match &c.resource {
            ResourceExpr::Literal(_) | ResourceExpr::Env(_) => true,
            ResourceExpr::Pattern(p) => !p.starts_with('*'),
            ResourceExpr::Unknown(_) => false,
        })
        && !code
            .flows
            .iter()
            .any(|f| f.kind == Kind::Ssrf && at(&f.sink))
}

/// `vulnerable_code_cannot_be_controlled_by_adversary` for an SSRF advisory of package `i`:
/// every served function that reaches it imports it itself (not through another package),
/// and uses it only for requests whose destination the code fixes.
fn ssrf_not_controlled(
    lock: &Lockfile,
    served: &[&DependencyInput<'_>],
    i: usize,
) -> Option<Verdict> {
    let name = &lock.packages[i].name;
    let mut places = Vec::new();
    for f in served {
        if !reachable(lock, &[*f], &|_| true).contains_key(&i) {
            continue;
        }
        let not_direct = |e: Edge<'_>| !matches!(e, Edge::Import(_, j) if j == i);
        if reachable(lock, &[*f], &not_direct).contains_key(&i) {
            return None;
        }
        let code = f.code?;
        let uses: Vec<_> = code
            .package_uses
            .as_ref()?
            .iter()
            .filter(|u| &u.package == name)
            .collect();
        // A method of what a request call returns (`request.post(url).form(...)`) acts on
        // that request; what another call returns (`request.defaults()`) may be a client.
        let on_a_request = |member: &str| {
            uses.iter().any(|r| {
                r.how == PackageUseKind::Request
                    && member
                        .strip_prefix(r.member.as_str())
                        .is_some_and(|rest| rest.starts_with("()."))
            })
        };
        for u in &uses {
            if u.how == PackageUseKind::Call && on_a_request(&u.member) {
                continue;
            }
            if u.how != PackageUseKind::Request || !destination_fixed(code, &u.loc) {
                return None;
            }
            let line = u.loc.start().line;
            places.push(format!("`{}` at {}:{line}", f.function, u.loc.path()));
        }
    }
    let evidence = if places.is_empty() {
        format!("the code imports `{name}` but makes no request with it")
    } else {
        format!(
            "every request the code makes with `{name}` goes to a destination it fixes ({}): the flaw needs one the attacker chooses or controls",
            places.join(", ")
        )
    };
    Some(Verdict {
        justification: Justification::VulnerableCodeCannotBeControlledByAdversary,
        evidence,
    })
}

/// `vulnerable_code_not_in_execute_path` for an advisory whose flaw lies in named functions
/// of package `i`: with the edges into it that never call those functions cut (a package
/// known to call only others; the code's own calls of only others), nothing reaches it.
fn flaw_not_reached(
    lock: &Lockfile,
    served: &[&DependencyInput<'_>],
    i: usize,
    flawed: &[&str],
) -> Option<Verdict> {
    let name = &lock.packages[i].name;
    let cut = std::cell::RefCell::new(BTreeSet::new());
    let safe = |member: &str| {
        let first = member.split(['.', '(']).next().unwrap_or(member);
        !first.is_empty() && !flawed.contains(&first)
    };
    let follow = |e: Edge<'_>| match e {
        Edge::Dep(from, to) if to == i => {
            let from = &lock.packages[from].name;
            match calls_of(from, name) {
                Some(calls) if calls.iter().all(|c| !flawed.contains(c)) => {
                    cut.borrow_mut().insert(format!(
                        "`{from}` calls only {}",
                        calls
                            .iter()
                            .map(|c| format!("`{name}.{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    false
                }
                _ => true,
            }
        }
        Edge::Import(function, j) if j == i => {
            let uses = served
                .iter()
                .find(|f| f.function == function)
                .and_then(|f| f.code)
                .and_then(|c| c.package_uses.as_ref());
            let only_safe = uses.is_some_and(|u| {
                u.iter()
                    .filter(|u| &u.package == name)
                    .all(|u| u.how == PackageUseKind::Call && safe(&u.member))
            });
            if only_safe {
                cut.borrow_mut()
                    .insert(format!("`{function}` calls no flawed function of `{name}`"));
            }
            !only_safe
        }
        _ => true,
    };
    if reachable(lock, served, &follow).contains_key(&i) {
        return None;
    }
    let cut = cut.into_inner();
    let flawed = flawed
        .iter()
        .map(|f| format!("`{name}.{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Verdict {
        justification: Justification::VulnerableCodeNotInExecutePath,
        evidence: format!(
            "the code reaches `{name}` only through packages that never call the flawed {flawed}: {}",
            cut.into_iter().collect::<Vec<_>>().join("; ")
        ),
    })
}

/// Matches every lockfile's packages against the database and judges reachability from the
/// deployed functions. `manifests` gives the `package.json` (or other manifest) beside a
/// lockfile, so a direct dependency is reported where the project declares it. An advisory
/// the evidence shows cannot affect the deployment is a not-affected statement, not a
/// finding.
pub fn assess_dependencies(
    locks: &[Lockfile],
    manifests: &BTreeMap<String, Arc<SourceFile>>,
    functions: &[DependencyInput<'_>],
    db: &Db,
) -> DependencyAssessment {
    let meta = VulnerableDependency.meta();
    let mut out = Vec::new();
    let mut not_affected = Vec::new();
    for lock in locks {
        if !db.has(lock.ecosystem) {
            continue;
        }
        let dir = dir_of(&lock.path);
        // The functions this lockfile serves: the nearest lockfile of the ecosystem their
        // code loads packages from, for functions whose runtime loads that ecosystem's
        // packages (the `package.json` of deploy tooling beside Python functions serves
        // none of them).
        let served: Vec<&DependencyInput<'_>> = functions
            .iter()
            .filter(|f| loads_from(dir, lock.ecosystem, f))
            .filter(|f| f.ecosystem.is_none_or(|e| e == lock.ecosystem))
            .filter(|f| {
                !locks.iter().any(|o| {
                    o.ecosystem == lock.ecosystem
                        && o.path != lock.path
                        && dir_of(&o.path).len() > dir.len()
                        && loads_from(dir_of(&o.path), lock.ecosystem, f)
                })
            })
            .collect();
        let unknown = served
            .iter()
            .any(|f| f.imports.is_none() || f.code.is_none());
        let reach = reachable(lock, &served, &|_| true);
        // Inside an application whose functions are known, a lockfile none of them loads is
        // not deployed with them.
        // Not an installed folder (a layer's content ships as it is), not a layer's layout
        // (`nodejs/`, `python/`), and no function of the application runs with a layer
        // whose folder it may be.
        let layer_like = lock.path.ends_with("site-packages")
            || lock.path.ends_with("node_modules")
            || lock.path.ends_with(".dist-info")
            || dir.split('/').any(|seg| seg == "nodejs" || seg == "python");
        let apps: Vec<&DependencyInput<'_>> = functions
            .iter()
            .filter(|f| under(f.app_root, dir))
            .collect();
        // Every function of the application analysed: one whose code was not found may
        // live in this folder (a CDK asset, a packaged artifact).
        let in_app =
            !layer_like && !apps.is_empty() && apps.iter().all(|f| !f.layers && f.code.is_some());
        let manifest = manifest_of(manifests, dir);
        let mut reported: BTreeSet<(String, String, String)> = BTreeSet::new();
        for (i, p) in lock.packages.iter().enumerate() {
            for adv in db.lookup(lock.ecosystem, &p.name) {
                let (hit, shown) = match (&p.version, &p.range) {
                    (Some(v), _) => (adv.affects(lock.ecosystem, v), v.clone()),
                    (None, Some(r)) => {
                        match Range::parse(lock.ecosystem, r)
                            .and_then(|range| adv.admitted(lock.ecosystem, &range))
                        {
                            Some(example) => (true, format!("unpinned: `{r}` admits {example}")),
                            None => (false, String::new()),
                        }
                    }
                    (None, None) => (false, String::new()),
                };
                if !hit || !reported.insert((p.name.clone(), shown.clone(), adv.id.clone())) {
                    continue;
                }
                let cves: Vec<String> = adv
                    .aliases
                    .iter()
                    .filter(|a| a.starts_with("CVE-"))
                    .cloned()
                    .collect();
                let ids = std::iter::once(adv.id.clone())
                    .chain(cves.iter().cloned())
                    .collect::<Vec<_>>()
                    .join(", ");
                let fix = fixed_in(&adv, lock.ecosystem, p.version.as_deref()).map_or_else(
                    || "no fixed version published".to_owned(),
                    |f| format!("fixed in {f}"),
                );
                let what = if p.version.is_some() {
                    format!("`{}` {} has", p.name, shown)
                } else {
                    format!("`{}` {}, affected by", p.name, shown)
                };
                let summary = if adv.summary.is_empty() {
                    String::new()
                } else {
                    format!(": {}", adv.summary)
                };
                let reached = reach.get(&i);
                let mut verdict: Option<Verdict> = None;
                let (severity, why, chain) = match reached {
                    Some((chain, function)) if !p.dev => {
                        if !unknown {
                            if is_ssrf(&adv) && lock.ecosystem == Ecosystem::Npm {
                                verdict = ssrf_not_controlled(lock, &served, i);
                            }
                            if verdict.is_none()
                                && let Some(flawed) = flawed_functions(&p.name, &adv)
                            {
                                verdict = flaw_not_reached(lock, &served, i, &flawed);
                            }
                        }
                        (
                            severity_of(&adv.severity),
                            format!("; `{function}` imports it{}", if chain.len() > 1 {
                                format!(" through {}", chain.join(" → "))
                            } else {
                                String::new()
                            }),
                            Some((chain.clone(), function.clone())),
                        )
                    }
                    Some((_, function)) => (
                        Severity::Low,
                        format!("; only a development dependency, but `{function}` imports it: deployed only if a bundler packs it"),
                        None,
                    ),
                    None if p.dev => {
                        if dev_by_record(lock, p) {
                            verdict = Some(Verdict {
                                justification: Justification::ComponentNotPresent,
                                evidence: format!(
                                    "a development dependency ({}) that no deployed function's code imports: not installed for deployment",
                                    lock.path.rsplit('/').next().unwrap_or(&lock.path)
                                ),
                            });
                        }
                        (Severity::Low, "; only a development dependency: not deployed".to_owned(), None)
                    }
                    None if unknown => (
                        severity_of(&adv.severity),
                        "; a function it serves was not analysed, so whether its code imports it is not known".to_owned(),
                        None,
                    ),
                    None if served.is_empty() && functions.iter().any(|f| under(dir, f.code_dir)) => {
                        // Only when every function below runs another language: one of this
                        // language with a nearer lockfile may still resolve (or bundle) a
                        // package from here.
                        let other_language = functions
                            .iter()
                            .filter(|f| under(dir, f.code_dir))
                            .all(|f| f.ecosystem.is_some_and(|e| e != lock.ecosystem));
                        if other_language {
                            verdict = Some(Verdict {
                                justification: Justification::ComponentNotPresent,
                                evidence: format!(
                                    "no deployed function loads {} packages from here (their runtimes load another language's): deploy or build tooling",
                                    lock.ecosystem.as_str()
                                ),
                            });
                        }
                        (
                            Severity::Low,
                            format!(
                                "; no deployed function loads {} packages from here: deploy or build tooling",
                                lock.ecosystem.as_str()
                            ),
                            None,
                        )
                    }
                    None if served.is_empty() => {
                        if in_app {
                            verdict = Some(Verdict {
                                justification: Justification::ComponentNotPresent,
                                evidence: "inside an application whose functions' code lives elsewhere: no deployed function loads packages from this lockfile".to_owned(),
                            });
                        }
                        (Severity::Low, "; no deployed function uses this lockfile".to_owned(), None)
                    }
                    None => (Severity::Low, "; no deployed function's code imports it".to_owned(), None),
                };
                // A direct dependency is reported where the project declares it.
                let loc = manifest
                    .filter(|_| lock.direct.contains(&p.name) && !lock.manifest_only)
                    .and_then(|m| {
                        let needle = format!("\"{}\"", p.name);
                        m.text().find(&needle).map(|at| {
                            Loc::new(
                                m,
                                perimeter_diagnostics::Span {
                                    start: u32::try_from(at).unwrap_or(0),
                                    end: u32::try_from(at + needle.len()).unwrap_or(0),
                                },
                            )
                        })
                    })
                    .unwrap_or_else(|| p.loc.clone());
                let mut f = Finding::new(
                    meta.code,
                    meta.name,
                    meta.kind,
                    severity,
                    &loc,
                    format!("{what} {ids} ({fix}){summary}{why}"),
                )
                .help(format!(
                    "upgrade `{}` ({fix}); `perimeter db update` refreshes the advisories",
                    p.name
                ))
                .resource(format!(
                    "{}@{}",
                    p.name,
                    p.version.as_deref().unwrap_or("*")
                ))
                .distinguish(&adv.id);
                if let Some((chain, function)) = &chain {
                    f = f.function(function.clone());
                    let handler = served
                        .iter()
                        .find(|s| s.function == function)
                        .and_then(|s| s.handler);
                    let mut trace = Vec::new();
                    if let Some(h) = handler {
                        trace.push(TraceStep::at(
                            h,
                            Some(function),
                            format!("the handler imports `{}`", chain[0]),
                        ));
                    }
                    trace.push(TraceStep::at(
                        &loc,
                        Some(function),
                        format!("{} {}", p.name, p.version.as_deref().unwrap_or("")),
                    ));
                    f = f.trace(trace);
                }
                match verdict {
                    Some(v) => {
                        if chain.is_some() {
                            // Reported as a finding on request: low, with the reason.
                            f.severity = Severity::Low;
                            f.message = format!(
                                "{what} {ids} ({fix}){summary}{why}, but not affected ({}): {}",
                                v.justification.as_str(),
                                v.evidence
                            );
                        }
                        not_affected.push(NotAffected {
                            rule: meta.code.to_owned(),
                            package: p.name.clone(),
                            version: shown.clone(),
                            advisory: adv.id.clone(),
                            aliases: cves,
                            severity: severity_of(&adv.severity),
                            justification: v.justification,
                            evidence: v.evidence,
                            path: f.path.clone(),
                            line: f.line,
                            function: f.function.clone(),
                            finding: f,
                        });
                    }
                    None => out.push(f),
                }
            }
        }
    }
    crate::sort_findings(&mut out);
    not_affected.sort_by(|a, b| {
        (&a.path, a.line, &a.package, &a.advisory).cmp(&(&b.path, b.line, &b.package, &b.advisory))
    });
    DependencyAssessment {
        findings: out,
        not_affected,
    }
}

/// The manifest of a lockfile's folder.
fn manifest_of<'m>(
    manifests: &'m BTreeMap<String, Arc<SourceFile>>,
    dir: &str,
) -> Option<&'m Arc<SourceFile>> {
    manifests.get(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_modules_name_their_distributions() {
        assert_eq!(distributions(Ecosystem::PyPI, "yaml"), ["pyyaml", "yaml"]);
        assert_eq!(
            distributions(Ecosystem::PyPI, "jwt.algorithms"),
            ["pyjwt", "jwt"]
        );
        // Several distributions provide one module; each is tried, the module's own name last.
        assert_eq!(
            distributions(Ecosystem::PyPI, "psycopg2"),
            ["psycopg2-binary", "psycopg2"]
        );
        assert_eq!(
            distributions(Ecosystem::PyPI, "Crypto.Cipher")[1],
            "pycrypto"
        );
        // Not listed: its own name, normalised.
        assert_eq!(distributions(Ecosystem::PyPI, "Requests"), ["requests"]);
        assert_eq!(
            distributions(Ecosystem::Npm, "@aws-sdk/client-s3"),
            ["@aws-sdk/client-s3"]
        );
        // Every line of the table is a module and at least one distribution.
        for l in PY_MODULES.lines().filter(|l| !l.starts_with('#')) {
            assert!(l.split_whitespace().count() >= 2, "{l}");
        }
    }
}
