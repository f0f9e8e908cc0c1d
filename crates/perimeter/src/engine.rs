//! The scan pipeline: discover, load descriptors into application models, analyse each
//! function's code, run the rules. It never prints; the CLI renders what it returns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use perimeter_code::handler::{self, HandlerSpec};
use perimeter_code::repo::read_source;
use perimeter_code::{FunctionSummary, Repo};
use perimeter_diagnostics::{Finding, ScanError, SourceFile};
use perimeter_model::discover::{self, Walk};
use perimeter_model::limits::MAX_DESCRIPTOR_BYTES;
use perimeter_model::{Application, CodeSource, cfn, serverless, yaml};
use rayon::prelude::*;

/// The stack of the threads that parse and analyse code: the parsers and the analysis
/// recurse once per level of a syntax tree, and a file may nest up to
/// [`perimeter_code::limits::MAX_NESTING_RAW`] levels before it is refused. Reserved, not
/// used: only the pages a deep file touches are ever mapped.
pub const STACK_SIZE: usize = 1 << 30;

/// Sets up the worker threads with [`STACK_SIZE`] stacks (once, before any scan; later calls
/// do nothing).
pub fn init_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
}

/// How to scan.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--opt key=value` values for `${opt:...}`.
    pub opts: BTreeMap<String, String>,
    /// Whether `${env:...}` reads the host environment (`--env-vars`).
    pub env_vars: bool,
    /// Whether to analyse the handlers' code.
    pub skip_code: bool,
    /// Paths (globs) excluded by configuration.
    pub exclude: Vec<String>,
    /// Whether the tree's `.gitignore` and `.ignore` files are not honoured
    /// (`--no-repo-config`).
    pub no_vcs_ignore: bool,
    /// The incremental cache's folder (`None`: `--no-cache`).
    pub cache_dir: Option<PathBuf>,
    /// The memory limit in MiB: past it, no more functions are analysed (`None`: the
    /// default, [`crate::memory::DEFAULT_MAX_MIB`]).
    pub max_memory_mib: Option<usize>,
}

/// Everything a scan learnt, before rules.
pub struct Scan {
    /// The scan root.
    pub root: PathBuf,
    /// The applications, sorted by id.
    pub apps: Vec<Application>,
    /// The code summaries of each application's functions, in the order of `apps`.
    pub summaries: Vec<Vec<FunctionSummary>>,
    /// What could not be analysed.
    pub errors: Vec<ScanError>,
    /// What the user should know that is not an error (descriptors for other clouds).
    pub warnings: Vec<String>,
    /// The files of the tree.
    pub repo: Repo,
    /// How the incremental cache served the code analysis, when it was used.
    pub cache: Option<crate::cache::Stats>,
    /// Files left out by the configuration's `exclude`.
    pub excluded: usize,
    /// Files left out by the tree's `.gitignore` and `.ignore` files.
    pub vcs_ignored: usize,
    /// The `.gitignore` and `.ignore` files of the tree, honoured or not.
    pub ignore_files: Vec<String>,
    descriptors: Mutex<BTreeMap<String, Arc<SourceFile>>>,
    /// The folders the walk entered (for the result cache).
    pub dirs: Vec<String>,
    /// Committed dependency folders the walk did not enter (`node_modules`,
    /// `site-packages`): inventoried by the dependency check.
    pub vendored: Vec<String>,
    /// The memory limit in MiB, for the stages after loading (graph and rules).
    pub max_memory_mib: usize,
}

impl Scan {
    /// The number of files walked.
    pub fn file_count(&self) -> usize {
        self.repo.files().count()
    }

    /// The number of functions across applications.
    pub fn function_count(&self) -> usize {
        self.apps.iter().map(|a| a.functions.len()).sum()
    }

    /// A file that was read during the scan (descriptor or source), by relative path.
    pub fn source(&self, rel: &str) -> Option<Arc<SourceFile>> {
        if let Some(f) = self.lock_descriptors().get(rel) {
            return Some(Arc::clone(f));
        }
        self.repo.cached(rel).or_else(|| self.repo.read(rel).ok())
    }

    fn lock_descriptors(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<SourceFile>>> {
        self.descriptors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read_descriptor(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
        if let Some(f) = self.lock_descriptors().get(rel) {
            return Ok(Arc::clone(f));
        }
        let file = read_source(&self.root.join(rel), rel, MAX_DESCRIPTOR_BYTES)?;
        self.lock_descriptors()
            .insert(rel.to_owned(), Arc::clone(&file));
        Ok(file)
    }
}

/// Reads files for `${file(...)}`: only files the walk found (so never through a link and
/// never outside the root), with the descriptor size limit.
struct TreeReader<'a>(&'a Scan);

impl serverless::FileReader for TreeReader<'_> {
    fn read(&self, rel_path: &str) -> Result<Arc<SourceFile>, String> {
        if !self.0.repo.exists(rel_path) {
            return Err(format!("`{rel_path}` is not a file of the scanned tree"));
        }
        self.0.read_descriptor(rel_path)
    }
}

/// The scanned tree as [`perimeter_model::code::link_archives`] reads it.
struct ScanTree<'a>(&'a Scan);

impl perimeter_model::code::TreeView for ScanTree<'_> {
    fn has_dir(&self, rel: &str) -> bool {
        self.0.repo.files_under(rel).next().is_some()
    }

    fn has_file(&self, rel: &str) -> bool {
        self.0.repo.exists(rel)
    }

    fn dirs_named(&self, name: &str) -> Vec<String> {
        self.0
            .dirs
            .iter()
            .filter(|d| d.rsplit('/').next() == Some(name))
            .cloned()
            .collect()
    }

    fn files_named(&self, name: &str) -> Vec<String> {
        self.0
            .repo
            .files()
            .filter(|f| f.rsplit('/').next() == Some(name))
            .map(str::to_owned)
            .collect()
    }

    fn text(&self, rel: &str) -> Option<String> {
        self.0
            .repo
            .exists(rel)
            .then(|| self.0.read_descriptor(rel).ok())
            .flatten()
            .map(|f| f.text().to_owned())
    }
}

/// The scanned tree as the loaders of Azure Functions and Chalice apps read it.
struct AppTree<'a>(&'a Scan);

impl perimeter_model::pysource::AppFiles for AppTree<'_> {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.0
            .repo
            .exists(rel)
            .then(|| self.0.read_descriptor(rel).ok())
            .flatten()
    }

    fn files_under(&self, dir: &str) -> Vec<String> {
        self.0.repo.files_under(dir).map(str::to_owned).collect()
    }

    fn python(&self, rel: &str) -> Option<Result<perimeter_model::pysource::PyModule, ScanError>> {
        if !self.0.repo.exists(rel) {
            return None;
        }
        Some(
            self.0
                .repo
                .read(rel)
                .map_err(|e| ScanError::new(rel, e))
                .and_then(|f| {
                    // The parser recurses once per level: the same bound as handler code.
                    if let Some(why) = perimeter_code::limits::nesting_error(rel, f.text()) {
                        return Err(ScanError::new(rel, why));
                    }
                    perimeter_model::pysource::read(&f)
                }),
        )
    }
}

/// The scanned tree as the Terraform loader reads it.
struct TerraformTree<'a> {
    scan: &'a Scan,
    /// `*.tf` and `*.tfvars` files by folder.
    dirs: BTreeMap<String, Vec<String>>,
}

impl<'a> TerraformTree<'a> {
    fn new(scan: &'a Scan) -> Self {
        let mut dirs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in scan.repo.files() {
            if perimeter_model::terraform::is_terraform(f)
                || perimeter_model::terraform::is_tfvars(f)
            {
                dirs.entry(perimeter_code::repo::parent_dir(f).to_owned())
                    .or_default()
                    .push(f.to_owned());
            }
        }
        // A folder with variables files only is not a module.
        dirs.retain(|_, files| {
            files
                .iter()
                .any(|f| perimeter_model::terraform::is_terraform(f))
        });
        for files in dirs.values_mut() {
            files.sort();
        }
        Self { scan, dirs }
    }
}

impl perimeter_model::terraform::Tree for TerraformTree<'_> {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        if !self.scan.repo.exists(rel) {
            return None;
        }
        self.scan.read_descriptor(rel).ok()
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        self.dirs.get(dir).cloned().unwrap_or_default()
    }

    fn has_dir(&self, dir: &str) -> bool {
        self.scan.repo.files_under(dir).next().is_some()
    }
}

/// Walks the tree and loads every application in it; analyses the code unless told not to.
pub fn load(root: &Path, options: &Options) -> Scan {
    crate::progress::phase("discovering files", 0);
    let Walk {
        root,
        files,
        errors,
        warnings: link_warnings,
        dirs,
        vendored,
    } = discover::walk_with(root, !options.no_vcs_ignore);
    // What the ignore files left out, counted by a walk without them. Only a folder the walk
    // entered can hold an ignore file that hid something (one may hide itself, so the walk's
    // list of files cannot tell): without any, nothing was left out and the second walk,
    // as long as the first, is not needed.
    let has_ignore_file = !options.no_vcs_ignore
        && dirs.iter().any(|d| {
            [".gitignore", ".ignore"]
                .iter()
                .any(|n| std::fs::symlink_metadata(root.join(d).join(n)).is_ok())
        });
    let all = if has_ignore_file {
        discover::walk_with(&root, false).files
    } else {
        Vec::new()
    };
    let ignore_files: Vec<String> = all
        .iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name == ".gitignore" || name == ".ignore"
        })
        .cloned()
        .collect();
    // A descriptor that an ignore rule names but that is in the tree is read all the same:
    // settings files holding secrets are ignored as a matter of course (`.chalice/config.json`,
    // `local.settings.json`), and so is synthesised output (`cdk.out`), yet they are what is
    // deployed. Other ignored files stay out (build output, copies of the sources).
    let mut files = files;
    if !all.is_empty() {
        let walked: std::collections::BTreeSet<&str> = files.iter().map(String::as_str).collect();
        let readmitted: Vec<String> = all
            .iter()
            .filter(|f| !walked.contains(f.as_str()) && read_although_ignored(f))
            .cloned()
            .collect();
        if !readmitted.is_empty() {
            files.extend(readmitted);
            files.sort();
        }
    }
    let vcs_ignored = all.len().saturating_sub(files.len());
    let exclude = crate::config::Resolved::from_config(
        crate::config::Config {
            exclude: options.exclude.clone(),
            ..Default::default()
        },
        None,
    )
    .ok();
    let walked = files.len();
    let files: Vec<String> = files
        .into_iter()
        .filter(|f| !exclude.as_ref().is_some_and(|e| e.is_excluded(f)))
        .collect();
    let excluded = walked - files.len();
    let candidates: Vec<&String> = files
        .iter()
        .filter(|f| {
            discover::is_serverless_descriptor(f)
                || discover::is_serverless_sample(f)
                || discover::may_be_template(f)
        })
        .collect();
    let candidates: Vec<String> = candidates.into_iter().cloned().collect();
    let mut scan = Scan {
        root,
        apps: Vec::new(),
        summaries: Vec::new(),
        errors,
        warnings: link_warnings,
        repo: Repo::new(PathBuf::new(), std::iter::empty()),
        cache: None,
        excluded,
        max_memory_mib: options
            .max_memory_mib
            .unwrap_or(crate::memory::DEFAULT_MAX_MIB),
        vcs_ignored,
        ignore_files,
        descriptors: Mutex::new(BTreeMap::new()),
        dirs,
        vendored,
    };
    scan.repo = Repo::new(scan.root.clone(), files);

    let load_options = serverless::LoadOptions {
        opts: options.opts.clone(),
        env: options.env_vars.then(|| std::env::vars().collect()),
    };
    crate::progress::phase("reading descriptors", candidates.len());
    let results: Vec<Loaded> = candidates
        .par_iter()
        .map(|rel| {
            let loaded = load_one(&scan, rel, &load_options);
            crate::progress::tick();
            loaded
        })
        .collect();
    let mut apps = Vec::new();
    // The folders of descriptors found but not read (another cloud, an error): the code in
    // them is theirs, never a function found by convention.
    let mut unread_roots: Vec<String> = Vec::new();
    let results = samples_and_tests(&candidates, results);
    for (rel, (app, errs, warning)) in candidates.iter().zip(results) {
        if app.is_none() && (warning.is_some() || !errs.is_empty()) {
            unread_roots.push(perimeter_code::repo::parent_dir(rel).to_owned());
        }
        scan.errors.extend(errs);
        scan.warnings.extend(warning);
        if let Some(app) = app {
            apps.push(app);
        }
    }
    // Terraform: every folder of `*.tf` files that no other folder calls as a module.
    let tf = TerraformTree::new(&scan);
    let tf_dirs: Vec<String> = tf.dirs.keys().cloned().collect();
    let roots = perimeter_model::terraform::root_modules(&tf, &tf_dirs);
    let loaded: Vec<(Application, Vec<String>)> = roots
        .par_iter()
        .map(|dir| perimeter_model::terraform::load(dir, &tf))
        .collect();
    for (app, warnings) in loaded {
        scan.warnings.extend(warnings);
        apps.push(app);
    }
    // Chalice: each `.chalice/config.json` with the `app.py` beside its folder; Azure
    // Functions: each function app's host.json; Zappa: each settings file.
    type Loader = fn(&Arc<SourceFile>, &AppTree<'_>) -> Application;
    type IsDescriptor = fn(&str) -> bool;
    let loaders: [(IsDescriptor, Loader); 3] = [
        (perimeter_model::chalice::is_config, |f, t| {
            perimeter_model::chalice::load(f, t)
        }),
        (perimeter_model::azure::is_host, |f, t| {
            perimeter_model::azure::load(f, t)
        }),
        (perimeter_model::zappa::is_settings, |f, t| {
            perimeter_model::zappa::load(f, t)
        }),
    ];
    // Chalice projects without a committed `.chalice/config.json` (a sample only, or none),
    // and Azure function folders without their app's `host.json`.
    {
        let all: Vec<&str> = scan.repo.files().collect();
        let dirs: Vec<&str> = scan.dirs.iter().map(String::as_str).collect();
        for (project, sample) in perimeter_model::chalice::projects_without_config(&all, &dirs) {
            let sample = match sample.map(|s| scan.read_descriptor(s).map_err(|e| (s, e))) {
                Some(Ok(f)) => Some(f),
                Some(Err((s, e))) => {
                    scan.errors.push(ScanError::new(s, e));
                    None
                }
                None => None,
            };
            apps.extend(perimeter_model::chalice::load_without_config(
                &project,
                sample.as_ref(),
                &AppTree(&scan),
            ));
        }
        let found: Vec<(String, String)> = perimeter_model::azure::apps_without_host(&all)
            .into_iter()
            .filter(|(_, first)| !perimeter_model::convention::in_skipped_folder(first))
            .map(|(d, f)| (d, f.to_owned()))
            .collect();
        for (dir, first) in found {
            match scan.read_descriptor(&first) {
                Ok(f) => apps.push(perimeter_model::azure::load_without_host(
                    &dir,
                    &f,
                    &AppTree(&scan),
                )),
                Err(e) => scan.errors.push(ScanError::new(&first, e)),
            }
        }
    }
    for (is_descriptor, load) in loaders {
        let found: Vec<String> = scan
            .repo
            .files()
            .filter(|f| is_descriptor(f))
            .map(str::to_owned)
            .collect();
        for rel in found {
            match scan.read_descriptor(&rel) {
                Ok(f) => apps.push(load(&f, &AppTree(&scan))),
                Err(e) => scan.errors.push(ScanError::new(&rel, e)),
            }
        }
    }
    // Functions without a descriptor: a handler file by the platform's convention that no
    // descriptor's application packages.
    let candidates: Vec<String> = scan
        .repo
        .files()
        .filter(|f| {
            perimeter_model::convention::is_candidate(f)
                && !perimeter_model::convention::claimed(&apps, &unread_roots, f)
        })
        .map(str::to_owned)
        .collect();
    let mut candidates = candidates;
    perimeter_model::convention::one_per_folder(&mut candidates);
    let mut conventional: Vec<Application> = candidates
        .iter()
        .filter_map(|rel| scan.repo.read(rel).ok())
        .filter_map(|f| perimeter_model::convention::load(&f))
        .collect();
    apps.append(&mut conventional);
    // Formats perimeter does not read: one warning for each tree of them.
    {
        let all: Vec<&str> = scan.repo.files().collect();
        let unseen = perimeter_model::unseen::warnings(&all, &apps);
        scan.warnings.extend(unseen);
    }
    apps.sort_by(|a, b| a.id.cmp(&b.id));
    for app in &mut apps {
        // A package named after a folder of the tree (`lambda.zip` beside `lambda/`) is
        // built from it: the folder is the code.
        perimeter_model::code::link_archives(app, &ScanTree(&scan));
        scan.errors.append(&mut app.errors.clone());
        scan.warnings.append(&mut app.warnings.clone());
    }

    crate::progress::phase(
        "analysing functions",
        apps.iter().map(|a| a.functions.len()).sum(),
    );
    let cache = options
        .cache_dir
        .as_deref()
        .filter(|_| !options.skip_code)
        .and_then(|dir| match crate::cache::Cache::open(dir, &scan.root) {
            Ok(cache) => Some(cache),
            Err(why) => {
                scan.warnings.push(why);
                None
            }
        });
    let summaries: Vec<Vec<FunctionSummary>> = if options.skip_code {
        apps.iter().map(|_| Vec::new()).collect()
    } else {
        apps.iter()
            .map(|app| {
                analyse_app_bounded(
                    &scan.repo,
                    app,
                    cache.as_ref(),
                    options
                        .max_memory_mib
                        .unwrap_or(crate::memory::DEFAULT_MAX_MIB),
                )
            })
            .collect()
    };
    if let Some(cache) = &cache {
        scan.cache = Some(cache.stats());
        scan.warnings.extend(cache.finish().err());
    }
    for list in &summaries {
        for s in list {
            scan.errors.extend(s.errors.iter().cloned());
        }
    }
    scan.errors.sort();
    scan.errors.dedup();
    scan.apps = apps;
    scan.summaries = summaries;
    scan
}

/// An application, the errors met loading it, and a warning.
type Loaded = (Option<Application>, Vec<ScanError>, Option<String>);

/// Samples and tests among the applications read from descriptors and templates:
/// - a sample (`serverless.example.yml`, `template.example.yaml`) stands in for a descriptor
///   its folder does not commit; where the folder has a real one of the same framework, or an
///   earlier sample, it is not an application (it would declare the same functions twice);
///   otherwise it is read, with a warning;
/// - an application declared in a folder of tests (`tests/aws/cf.yml`) is test
///   infrastructure, not what the repository deploys: it is not analysed, and a warning names
///   it (scanning its folder itself analyses it).
fn samples_and_tests(candidates: &[String], mut results: Vec<Loaded>) -> Vec<Loaded> {
    let is_sample = |rel: &str| discover::sample_of(rel).is_some();
    // The folders with a real application of each kind (Serverless, templates).
    let mut real: std::collections::BTreeSet<(bool, &str)> = std::collections::BTreeSet::new();
    for (rel, (app, _, _)) in candidates.iter().zip(&results) {
        let dir = perimeter_code::repo::parent_dir(rel);
        // A real Serverless descriptor counts even when it is not read (an error, another
        // cloud): the sample is not what is deployed either way.
        if discover::is_serverless_descriptor(rel) {
            real.insert((true, dir));
        } else if !is_sample(rel) && app.is_some() {
            real.insert((false, dir));
        }
    }
    let mut sampled: std::collections::BTreeSet<(bool, String)> = std::collections::BTreeSet::new();
    for (rel, loaded) in candidates.iter().zip(results.iter_mut()) {
        let Some(app) = &loaded.0 else {
            continue;
        };
        let dir = perimeter_code::repo::parent_dir(rel);
        let sls = app.framework == perimeter_model::Framework::Serverless;
        if is_sample(rel) {
            if real.contains(&(sls, dir)) || !sampled.insert((sls, dir.to_owned())) {
                *loaded = (None, Vec::new(), None);
                continue;
            }
            let what = if sls {
                "the Serverless Framework descriptor"
            } else {
                "a template"
            };
            let real_name = discover::sample_of(rel).unwrap_or_default();
            if let Some(app) = &mut loaded.0 {
                let folder = if dir.is_empty() {
                    "the scanned folder".to_owned()
                } else {
                    format!("`{dir}/`")
                };
                app.warnings.push(format!(
                    "{rel}: a sample, read as {what} of {folder}, which commits no `{real_name}` (settings may differ from the deployed ones)"
                ));
            }
        }
        if discover::in_test_folder(rel) {
            let functions = loaded.0.as_ref().map_or(0, |a| a.functions.len());
            *loaded = (
                None,
                Vec::new(),
                Some(format!(
                    "{rel}: in a folder of tests, taken as test infrastructure and not analysed ({functions} function(s)); scan `{dir}` itself to analyse it"
                )),
            );
        }
    }
    results
}

fn load_one(scan: &Scan, rel: &str, options: &serverless::LoadOptions) -> Loaded {
    if discover::is_serverless_descriptor(rel)
        && let Some(used) = shadowing_descriptor(scan, rel)
    {
        // The framework reads one descriptor per folder; the others are not deployed.
        return (
            None,
            Vec::new(),
            Some(format!(
                "{rel}: not read, the framework uses {used} in the same folder"
            )),
        );
    }
    let (app, errors) = load_descriptor(scan, rel, options);
    match app {
        // The Serverless Framework also deploys to other clouds; perimeter reads AWS.
        Some(Err(provider)) => (None, errors, Some(other_provider(rel, &provider))),
        Some(Ok(app)) => (Some(app), errors, None),
        None => (None, errors, None),
    }
}

/// The Serverless Framework reads the first of `serverless.yml`, `.yaml`, `.json`, `.js` and
/// `.ts` in a folder: the name of the one that is used instead of `rel`, if any.
fn shadowing_descriptor(scan: &Scan, rel: &str) -> Option<String> {
    const ORDER: [&str; 5] = [
        "serverless.yml",
        "serverless.yaml",
        "serverless.json",
        "serverless.js",
        "serverless.ts",
    ];
    let name = discover::file_name(rel);
    let dir = perimeter_code::repo::parent_dir(rel);
    let mine = ORDER.iter().position(|n| *n == name)?;
    ORDER[..mine]
        .iter()
        .find(|n| {
            let p = if dir.is_empty() {
                (*n).to_string()
            } else {
                format!("{dir}/{n}")
            };
            scan.repo.exists(&p)
        })
        .map(|n| (*n).to_owned())
}

/// The warning for a Serverless Framework service of another cloud: what is not read, and
/// what perimeter would read instead.
fn other_provider(rel: &str, provider: &str) -> String {
    let instead = match provider.to_ascii_lowercase().as_str() {
        "azure" => {
            "; an Azure function app is read from its `host.json` and `function.json` files (missing format: Serverless Framework for Azure)"
        }
        "google" => "; Google Cloud Functions are not read (missing format: Google Cloud)",
        _ => "",
    };
    format!(
        "{rel}: provider `{provider}` is not analysed (perimeter reads AWS applications), so the functions of this service are not{instead}"
    )
}

/// Whether a file that the tree's ignore rules leave out is read all the same: descriptors
/// by name and synthesised CloudFormation templates, never anything under dependencies.
fn read_although_ignored(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if rel.ends_with(".template.json") && rel.split('/').any(|p| p == "cdk.out") {
        return true;
    }
    // Build output holds copies of the descriptors (a packaged template, a bundled service):
    // reading them would declare every function twice.
    const BUILD_OUTPUT: &[&str] = &[
        "dist", "build", "out", ".build", ".webpack", ".esbuild", ".sst",
    ];
    if rel.split('/').any(|p| BUILD_OUTPUT.contains(&p)) {
        return false;
    }
    discover::is_serverless_descriptor(rel)
        || perimeter_model::chalice::is_config(rel)
        || perimeter_model::chalice::is_sample_config(rel)
        || perimeter_model::zappa::is_settings(rel)
        || perimeter_model::azure::is_host(rel)
        || matches!(
            name,
            "function.json"
                | "local.settings.json"
                | "function_app.py"
                | "template.yaml"
                | "template.yml"
                | "template.json"
        )
}

/// Most bytes of a candidate template that could not be read looked at to tell whether it is
/// a template at all.
const CANDIDATE_PEEK_BYTES: u64 = 64 << 10;

/// Whether a candidate template that could not be read as text (not UTF-8, NUL bytes, over
/// the size limit) is a template all the same: its first bytes, decoded lossily, name what
/// a template names. Such a file is an error; any other is not perimeter's to read.
fn candidate_is_template(scan: &Scan, rel: &str) -> bool {
    use std::io::Read;
    let Ok((file, _)) = perimeter_diagnostics::nofollow::open_regular(&scan.root.join(rel)) else {
        return false;
    };
    let mut head = Vec::new();
    if file
        .take(CANDIDATE_PEEK_BYTES)
        .read_to_end(&mut head)
        .is_err()
    {
        return false;
    }
    discover::looks_like_template(&String::from_utf8_lossy(&head))
}

fn load_descriptor(
    scan: &Scan,
    rel: &str,
    options: &serverless::LoadOptions,
) -> (Option<Result<Application, String>>, Vec<ScanError>) {
    let is_sls = discover::is_serverless_descriptor(rel) || discover::is_serverless_sample(rel);
    let script = is_sls && (rel.ends_with(".ts") || rel.ends_with(".js"));
    let file = match scan.read_descriptor(rel) {
        Ok(f) => f,
        Err(e) => {
            // A candidate template that cannot be read is only an error when it is a
            // descriptor by name, or looks like one: a data file (a Latin-1 word list, a
            // large dataset) is only looked at in case it is a template.
            return (
                None,
                if is_sls || (!e.contains("not a regular") && candidate_is_template(scan, rel)) {
                    vec![ScanError::new(rel, e)]
                } else {
                    vec![]
                },
            );
        }
    };
    if !is_sls && !discover::looks_like_template(file.text()) {
        return (None, Vec::new());
    }
    // serverless.ts/js: the exported configuration, evaluated statically (never run).
    let mut script_errors = Vec::new();
    let doc = if script {
        let (doc, errors) = serverless::script::read(&file, &TreeReader(scan), options);
        script_errors = errors;
        match doc {
            Some(doc) => doc,
            None => return (None, script_errors),
        }
    } else {
        match yaml::parse(&file) {
            Ok(doc) => doc,
            Err(e) => {
                return (
                    None,
                    vec![ScanError::new(rel, format!("cannot parse: {e}"))],
                );
            }
        }
    };
    if is_sls {
        if let Some(provider) = doc
            .path(&["provider", "name"])
            .and_then(perimeter_model::Node::as_str)
            .filter(|p| !p.eq_ignore_ascii_case("aws"))
        {
            return (Some(Err(provider.to_owned())), script_errors);
        }
        let mut app = serverless::load(&file, doc, &TreeReader(scan), options);
        app.errors.append(&mut script_errors);
        return (Some(Ok(app)), Vec::new());
    }
    if cfn::is_template(&doc).is_none() {
        return (None, Vec::new());
    }
    let dir = perimeter_code::repo::parent_dir(rel);
    (Some(Ok(cfn::load(rel, dir, doc))), Vec::new())
}

/// Analyses every function of an application, in parallel.
pub fn analyse_app(repo: &Repo, app: &Application) -> Vec<FunctionSummary> {
    analyse_app_cached(repo, app, None)
}

/// Analyses every function of an application, in parallel, reusing the summaries of the
/// cache that still hold.
pub fn analyse_app_cached(
    repo: &Repo,
    app: &Application,
    cache: Option<&crate::cache::Cache>,
) -> Vec<FunctionSummary> {
    analyse_app_bounded(repo, app, cache, usize::MAX)
}

/// [`analyse_app_cached`], analysing no more functions once the scan holds more than
/// `max_mib` MiB (each function left out is an error entry).
pub fn analyse_app_bounded(
    repo: &Repo,
    app: &Application,
    cache: Option<&crate::cache::Cache>,
    max_mib: usize,
) -> Vec<FunctionSummary> {
    // On a worker with a [`STACK_SIZE`] stack even for one function: rayon runs a parallel
    // iterator of one item on the calling thread, which may be `main`.
    rayon::scope(|_| analyse_functions(repo, app, cache, max_mib))
}

fn analyse_functions(
    repo: &Repo,
    app: &Application,
    cache: Option<&crate::cache::Cache>,
    max_mib: usize,
) -> Vec<FunctionSummary> {
    app.functions
        .par_iter()
        .filter_map(|f| {
            crate::progress::tick();
            let handler = f.handler_str()?;
            // Runtimes perimeter does not read (Java, .NET, Go, Ruby) are not handler files to
            // resolve. A custom runtime (`provided`) runs whatever its bootstrap loads, often
            // Node.js or Python from a layer: its handler is read when it names a JavaScript
            // or Python module of the package, and left alone otherwise (a Go or Rust binary).
            let custom = f.runtime_str().is_some_and(handler::custom_runtime);
            if !custom
                && f.runtime_str()
                    .is_some_and(|r| handler::runtime_language(r).is_none())
            {
                return None;
            }
            let not_analysed = |why: ScanError| {
                // A custom runtime's code not read says so by its runtime, as before.
                (!custom).then(|| FunctionSummary {
                    function: f.id.clone(),
                    errors: vec![why],
                    ..FunctionSummary::default()
                })
            };
            // A package that is not in the repository (a gitignored build output): the code
            // it is built from is the handler's module where the package is built, if there.
            let built_elsewhere = match &f.code {
                CodeSource::Archive { zip, loc } if !repo.exists(zip) => Some(ScanError::at(
                    loc,
                    format!(
                        "the code of `{}` is the package `{zip}`, which is not in the repository: it was not analysed",
                        f.id
                    ),
                )),
                _ => None,
            };
            // Where the code lives is the loader's word (`CodeSource`).
            let code_dir = match &f.code {
                // Written by the deployment tool from values not known here: nothing to read.
                CodeSource::Generated(_) => return None,
                // Code deployed from an artifact that is not a folder of the repository: say
                // so once, instead of looking for the handler where it is not.
                CodeSource::Image(a) | CodeSource::Remote(a) => {
                    return not_analysed(ScanError::at(
                        &a.loc,
                        format!(
                            "the code of `{}` is deployed from `{}`, not from a folder of the repository: it was not analysed",
                            f.id,
                            a.display()
                        ),
                    ));
                }
                CodeSource::Archive { .. } if built_elsewhere.is_some() => "",
                CodeSource::Inline(_) | CodeSource::Archive { .. } => "",
                CodeSource::Folder(dir) => dir.as_str(),
                CodeSource::Unknown => app.root.as_str(),
            };
            // A CDK asset the repository does not hold is read from the folder it is built
            // from.
            let asset_source = crate::cdk_source::asset_source(repo, app, f);
            let code_dir = asset_source.as_deref().unwrap_or(code_dir);
            if let Some(why) = crate::memory::over_limit(max_mib) {
                return not_analysed(ScanError::new(
                    app.id.clone(),
                    format!("function `{}` was not analysed: {why}", f.id),
                ));
            }
            let outputs = perimeter_graph::outputs(f);
            let spec = HandlerSpec {
                function: &f.id,
                code_dir,
                handler,
                runtime: f.runtime_str(),
                convention: perimeter_graph::convention(app, f),
                outputs: &outputs,
                module_file: f.handler_file.as_deref(),
            };
            if let Some(why) = built_elsewhere {
                let zip = match &f.code {
                    CodeSource::Archive { zip, .. } => zip.as_str(),
                    _ => "",
                };
                let found =
                    code_built_from_the_tree(repo, app, &spec, perimeter_code::repo::parent_dir(zip));
                if custom {
                    return found.filter(|s| s.handler.is_some());
                }
                return Some(
                    found.unwrap_or_else(|| FunctionSummary {
                            function: f.id.clone(),
                            errors: vec![why],
                            ..FunctionSummary::default()
                        }),
                );
            }
            let summary = match (&f.code, cache) {
                (CodeSource::Inline(code), _) => {
                    let inline = crate::packaged::analyse_inline(code, &spec);
                    // A placeholder (the handler names another module): the code deployed
                    // over it is that module, when the repository has it.
                    if inline.handler.is_none()
                        && let Some(found) = code_built_from_the_tree(repo, app, &spec, &app.root)
                    {
                        return Some(found);
                    }
                    inline
                }
                (CodeSource::Archive { zip, .. }, _) => {
                    crate::packaged::analyse_archive(repo.root(), zip, &spec)
                }
                (_, Some(cache)) => {
                    cache.summary(repo, &spec, |view| handler::analyse(view, &spec))
                }
                (_, None) => handler::analyse(repo, &spec),
            };
            (!custom || summary.handler.is_some()).then_some(summary)
        })
        .collect()
}

/// The analysis of a function whose package is built outside the repository (a gitignored
/// zip, code deployed over an inline placeholder) from the handler's module in `from`, in its
/// parent folders up to the application's root, or in the folder just above that root (a
/// template kept in `deploy/` for code at the top): the first folder where the handler's
/// module is found. `None` when none has it.
fn code_built_from_the_tree(
    repo: &Repo,
    app: &Application,
    spec: &HandlerSpec<'_>,
    from: &str,
) -> Option<FunctionSummary> {
    let root = app.root.as_str();
    let mut dirs: Vec<&str> = Vec::new();
    let mut dir = from;
    // Up to the application's root when `from` is under it; otherwise `from` alone.
    while dirs.len() < 16 {
        dirs.push(dir);
        if dir == root || dir.is_empty() || !(root.is_empty() || dir.starts_with(root)) {
            break;
        }
        dir = perimeter_code::repo::parent_dir(dir);
    }
    for extra in [root, perimeter_code::repo::parent_dir(root)] {
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
    }
    dirs.into_iter().find_map(|dir| {
        let spec = HandlerSpec {
            code_dir: dir,
            ..*spec
        };
        let summary = handler::analyse(repo, &spec);
        summary.handler.is_some().then_some(summary)
    })
}

/// Most bytes of one file read for secrets; a longer file is scanned up to there and listed
/// as an error.
pub const MAX_SECRET_SCAN_BYTES: u64 = 256 << 20;

/// Scans a file that cannot be read as text (not UTF-8, NUL bytes, over the source limit)
/// for secrets from its bytes; an error entry says why it could not be scanned, or scanned
/// whole.
fn secrets_from_bytes(
    scan: &Scan,
    rel: &str,
    why: &str,
    selection: &perimeter_rules::Selection,
) -> (Vec<Finding>, Option<ScanError>) {
    let abs = scan.repo.root().join(rel);
    // Opened without following a link and without blocking (a FIFO or a device would never
    // end), then checked to be a regular file: the same guard as every other read.
    let file = match perimeter_diagnostics::nofollow::open_regular(&abs) {
        Ok((f, _)) => f,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            return (
                Vec::new(),
                Some(ScanError::new(rel, format!("secrets not checked: {why}"))),
            );
        }
        Err(e) => {
            return (
                Vec::new(),
                Some(ScanError::new(
                    rel,
                    format!("secrets not checked: cannot read: {e}"),
                )),
            );
        }
    };
    match perimeter_rules::run_file_bytes(rel, file, MAX_SECRET_SCAN_BYTES, selection) {
        Ok((found, false)) => (found, None),
        Ok((found, true)) => (
            found,
            Some(ScanError::new(
                rel,
                format!(
                    "secrets checked in the first {} MiB only: the file is longer",
                    MAX_SECRET_SCAN_BYTES >> 20
                ),
            )),
        ),
        Err(e) => (
            Vec::new(),
            Some(ScanError::new(
                rel,
                format!("secrets not checked: cannot read: {e}"),
            )),
        ),
    }
}

/// The link stage: each application's graph, built once and propagated to a fixpoint. An
/// application whose graph would take the scan past the memory limit is not linked to the
/// end (nor judged by the rules) and says so in an error entry.
pub(crate) fn link(scan: &Scan) -> (Vec<perimeter_graph::AppGraph<'_>>, Vec<ScanError>) {
    let max_mib = scan.max_memory_mib;
    let over = move || crate::memory::over_limit(max_mib);
    let graphs: Vec<perimeter_graph::AppGraph<'_>> = scan
        .apps
        .par_iter()
        .zip(&scan.summaries)
        .map(|(app, summaries)| perimeter_graph::AppGraph::build_bounded(app, summaries, &over))
        .collect();
    let mut errors = Vec::new();
    for g in &graphs {
        if let Some(why) = &g.stopped {
            errors.push(ScanError::new(
                g.app.id.clone(),
                format!(
                    "the links between this application's functions and its rules were not run to the end: {why}"
                ),
            ));
        }
    }
    (graphs, errors)
}

/// The rules stage over a linked scan: the rules of each application whose graph was
/// completed, and the secrets rules over the tree's files; with the files the secrets rule
/// could not read (or not read whole).
pub(crate) fn rules(
    scan: &Scan,
    graphs: &[perimeter_graph::AppGraph<'_>],
    selection: &perimeter_rules::Selection,
) -> (Vec<Finding>, Vec<ScanError>) {
    let mut errors = Vec::new();
    let contexts: Vec<perimeter_rules::AppContext<'_>> = graphs
        .iter()
        .filter(|g| g.stopped.is_none())
        .map(|g| {
            perimeter_rules::AppContext::new(g.app, g.summaries)
                .with_graph(g)
                .with_apps(&scan.apps)
        })
        .collect();
    let mut out = perimeter_rules::run(&contexts, selection);
    // Secrets in every file of the tree, except the descriptors the model rules read.
    // An Azure function app's settings file is its functions' environment, judged by SEC001.
    let settings: Vec<String> = scan
        .apps
        .iter()
        .filter(|a| a.framework == perimeter_model::Framework::Azure)
        .map(|a| perimeter_code::repo::join_rel(&a.root, "local.settings.json").unwrap_or_default())
        .collect();
    // A function found by convention has no descriptor: its id is its handler file, which is
    // checked like any other source.
    let descriptors: std::collections::BTreeSet<&str> = scan
        .apps
        .iter()
        .filter(|a| a.framework != perimeter_model::Framework::Convention)
        .map(|a| a.id.as_str())
        .chain(settings.iter().map(String::as_str))
        .collect();
    let read: Vec<(&str, Result<Arc<SourceFile>, String>)> = scan
        .repo
        .files()
        .filter(|f| perimeter_rules::reads_file(f) && !descriptors.contains(f))
        .collect::<Vec<_>>()
        .par_iter()
        .map(|f| (*f, scan.repo.read(f)))
        .collect();
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for (rel, r) in read {
        match r {
            Ok(f) => files.push(f),
            Err(why) => unreadable.push((rel, why)),
        }
    }
    out.extend(perimeter_rules::run_files(&files, selection));
    let from_bytes: Vec<(Vec<Finding>, Option<ScanError>)> = unreadable
        .par_iter()
        .map(|(rel, why)| secrets_from_bytes(scan, rel, why, selection))
        .collect();
    for (found, error) in from_bytes {
        out.extend(found);
        errors.extend(error);
    }
    perimeter_rules::drop_repeated_secrets(&mut out);
    perimeter_rules::sort_findings(&mut out);
    (out, errors)
}

/// Most findings of one rule reported in one file; the rest are counted in a warning (a
/// generated or hostile file can hold tens of thousands of the same flaw). High enough that a
/// real descriptor (a `serverless.yml` with hundreds of public functions) is reported whole.
pub const MAX_FINDINGS_PER_RULE_PER_FILE: usize = 1_000;

/// Keeps the first [`MAX_FINDINGS_PER_RULE_PER_FILE`] findings of each rule in each file (in
/// report order: sort them first) and says, per file and rule, how many were left out.
pub fn cap_findings(findings: &mut Vec<Finding>) -> Vec<String> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    findings.retain(|f| {
        let n = counts.entry((f.path.clone(), f.rule.clone())).or_default();
        *n += 1;
        *n <= MAX_FINDINGS_PER_RULE_PER_FILE
    });
    counts
        .into_iter()
        .filter(|(_, n)| *n > MAX_FINDINGS_PER_RULE_PER_FILE)
        .map(|((path, rule), n)| {
            format!(
                "{path}: {n} findings of {rule}, over the limit of {MAX_FINDINGS_PER_RULE_PER_FILE} per rule and file: only the first {MAX_FINDINGS_PER_RULE_PER_FILE} are reported"
            )
        })
        .collect()
}

/// What the dependency check found: findings, warnings for the report, files it could not
/// read.
pub struct DependencyReport {
    /// Findings of DEP001.
    pub findings: Vec<Finding>,
    /// Advisories that cannot affect the deployed application.
    pub not_affected: Vec<perimeter_diagnostics::NotAffected>,
    /// Warnings (no database, an ecosystem the database lacks).
    pub warnings: Vec<String>,
    /// Lockfiles that could not be read.
    pub errors: Vec<ScanError>,
}

struct LockIncludes<'a>(&'a Scan);

impl perimeter_deps::lockfile::Includes for LockIncludes<'_> {
    fn read(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.0
            .repo
            .exists(rel)
            .then(|| self.0.read_descriptor(rel).ok())
            .flatten()
    }
}

/// Most packages read from the tree's vendored folders.
const MAX_VENDORED_PACKAGES: usize = 20_000;
/// Largest manifest of a vendored package read, in bytes.
const MAX_VENDORED_MANIFEST: u64 = 1 << 20;
/// Deepest `node_modules` nesting followed inside a vendored one.
const MAX_NODE_MODULES_DEPTH: usize = 8;

/// The dependencies installed into the tree (vendored), one inventory per folder: the
/// `*.dist-info` folders the walk found (a package built with `pip install -t .`), and the
/// committed `node_modules` and `site-packages` folders it did not enter (layers:
/// `nodejs/node_modules`, `python/lib/python3.x/site-packages`). Each package is located
/// at its own manifest. Reads are bounded and never follow a link.
fn vendored_inventories(scan: &Scan, errors: &mut Vec<ScanError>) -> Vec<perimeter_deps::Lockfile> {
    use perimeter_code::repo::parent_dir;
    use perimeter_deps::{Ecosystem, vendored};
    let mut out = Vec::new();
    let mut budget = MAX_VENDORED_PACKAGES;
    let mut by_folder: BTreeMap<&str, Vec<perimeter_deps::Package>> = BTreeMap::new();
    for rel in scan.repo.files().filter(|f| vendored::is_dist_info(f)) {
        if budget == 0 {
            break;
        }
        if let Some(p) = scan
            .repo
            .read(rel)
            .ok()
            .as_ref()
            .and_then(vendored::dist_info)
        {
            budget -= 1;
            by_folder
                .entry(parent_dir(parent_dir(rel)))
                .or_default()
                .push(p);
        }
    }
    for (folder, packages) in by_folder {
        out.push(vendored::inventory(
            folder,
            "*.dist-info",
            Ecosystem::PyPI,
            packages,
        ));
    }
    for dir in &scan.vendored {
        let folder = parent_dir(dir);
        let mut packages = Vec::new();
        if dir.ends_with("site-packages") {
            for name in sorted_subdirs(&scan.root, dir) {
                let meta = if name.ends_with(".dist-info") {
                    "METADATA"
                } else if name.ends_with(".egg-info") {
                    "PKG-INFO"
                } else {
                    continue;
                };
                if budget == 0 {
                    break;
                }
                let rel = format!("{dir}/{name}/{meta}");
                if let Some(p) = read_source(&scan.root.join(&rel), &rel, MAX_VENDORED_MANIFEST)
                    .ok()
                    .as_ref()
                    .and_then(vendored::dist_info)
                {
                    budget -= 1;
                    packages.push(p);
                }
            }
            if !packages.is_empty() {
                out.push(vendored::inventory(
                    folder,
                    "site-packages",
                    Ecosystem::PyPI,
                    packages,
                ));
            }
        } else {
            node_modules(&scan.root, dir, folder, 0, &mut budget, &mut packages);
            if !packages.is_empty() {
                out.push(vendored::inventory(
                    folder,
                    "node_modules",
                    Ecosystem::Npm,
                    packages,
                ));
            }
        }
    }
    if budget == 0 {
        errors.push(ScanError::new(
            ".",
            format!(
                "vendored dependencies inventoried up to {MAX_VENDORED_PACKAGES} packages only: the tree holds more"
            ),
        ));
    }
    out
}

/// The folders directly in a folder of the tree, sorted; links are not followed.
fn sorted_subdirs(root: &Path, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// The packages installed in a `node_modules` folder (`x/`, `@scope/x/`), and in the
/// `node_modules` nested in them; each key is its install path from `folder`.
fn node_modules(
    root: &Path,
    dir: &str,
    folder: &str,
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<perimeter_deps::Package>,
) {
    let mut roots = Vec::new();
    for name in sorted_subdirs(root, dir) {
        if name.starts_with('.') {
            continue;
        }
        if name.starts_with('@') {
            let scope = format!("{dir}/{name}");
            roots.extend(
                sorted_subdirs(root, &scope)
                    .into_iter()
                    .map(|n| format!("{scope}/{n}")),
            );
        } else {
            roots.push(format!("{dir}/{name}"));
        }
    }
    for pkg in roots {
        if *budget == 0 {
            return;
        }
        let rel = format!("{pkg}/package.json");
        if let Some(mut p) = read_source(&root.join(&rel), &rel, MAX_VENDORED_MANIFEST)
            .ok()
            .as_ref()
            .and_then(perimeter_deps::vendored::node_module)
        {
            *budget -= 1;
            let prefix = if folder.is_empty() {
                String::new()
            } else {
                format!("{folder}/")
            };
            p.key = pkg.strip_prefix(&prefix).unwrap_or(&pkg).to_owned();
            out.push(p);
        }
        let nested = format!("{pkg}/node_modules");
        if depth < MAX_NODE_MODULES_DEPTH
            && std::fs::symlink_metadata(root.join(&nested)).is_ok_and(|m| m.is_dir())
        {
            node_modules(root, &nested, folder, depth + 1, budget, out);
        }
    }
}

/// Reads the tree's lockfiles (a `package.json` only where no npm lockfile sits beside it)
/// and matches them against the advisory database in `db_dir`.
pub(crate) fn dependency_findings(
    scan: &Scan,
    db_dir: Option<&Path>,
    selection: &perimeter_rules::Selection,
) -> DependencyReport {
    use perimeter_deps::lockfile;
    let mut report = DependencyReport {
        findings: Vec::new(),
        not_affected: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let meta = perimeter_rules::Rule::meta(&perimeter_rules::rules::deps::VulnerableDependency);
    if !selection.enabled(meta) {
        return report;
    }
    let files: Vec<&str> = scan
        .repo
        .files()
        .filter(|f| lockfile::kind_of(f).is_some())
        .collect();
    let npm_locked: std::collections::BTreeSet<&str> = files
        .iter()
        .filter(|f| matches!(lockfile::kind_of(f), Some("package-lock" | "yarn" | "pnpm")))
        .map(|f| perimeter_code::repo::parent_dir(f))
        .collect();
    let mut locks = Vec::new();
    let mut manifests: BTreeMap<String, Arc<SourceFile>> = BTreeMap::new();
    for rel in &files {
        let kind = lockfile::kind_of(rel);
        let dir = perimeter_code::repo::parent_dir(rel);
        if kind == Some("package.json") {
            if let Ok(f) = scan.read_descriptor(rel) {
                manifests.insert(dir.to_owned(), f);
            }
            if npm_locked.contains(dir) {
                continue;
            }
        }
        let file = match scan.read_descriptor(rel) {
            Ok(f) => f,
            Err(e) => {
                report.errors.push(ScanError::new(*rel, e));
                continue;
            }
        };
        match lockfile::parse(&file, &LockIncludes(scan)) {
            Ok(l) => locks.push(l),
            // A `package.json` that is not JSON is a broken manifest; a folder's other
            // `package.json` files (fixtures, templates) are not lockfiles to report.
            Err(e) => report.errors.push(ScanError::new(
                *rel,
                format!("cannot read this lockfile: {e}"),
            )),
        }
    }
    locks.extend(vendored_inventories(scan, &mut report.errors));
    if locks.is_empty() {
        return report;
    }
    let db = match db_dir.map(perimeter_deps::db::Db::open) {
        Some(Ok(Some(db))) => db,
        Some(Err(e)) => {
            report.warnings.push(format!(
                "the advisory database cannot be read ({e}): dependencies were not checked"
            ));
            return report;
        }
        _ => {
            report.warnings.push(format!(
                "no advisory database{}: the {} lockfiles and manifests were not checked for vulnerable dependencies (run `perimeter db update`, or `perimeter db import` an OSV export)",
                db_dir.map(|d| format!(" in {}", d.display())).unwrap_or_default(),
                locks.len()
            ));
            return report;
        }
    };
    for eco in [
        perimeter_deps::Ecosystem::Npm,
        perimeter_deps::Ecosystem::PyPI,
    ] {
        if locks.iter().any(|l| l.ecosystem == eco) && !db.has(eco) {
            report.warnings.push(format!(
                "the advisory database holds nothing for {}: those dependencies were not checked",
                eco.as_str()
            ));
        }
    }
    let mut inputs = Vec::new();
    for (app, summaries) in scan.apps.iter().zip(&scan.summaries) {
        for f in &app.functions {
            let summary = summaries.iter().find(|s| s.function == f.id);
            let analysed = summary.filter(|s| s.handler.is_some() && s.errors.is_empty());
            inputs.push(perimeter_rules::rules::deps::DependencyInput {
                function: &f.id,
                code_dir: f.code_dir.as_deref().unwrap_or(&app.root),
                handler: analysed.and_then(|s| s.handler.as_ref()),
                imports: analysed.map(|s| s.imports.as_slice()),
                ecosystem: perimeter_rules::rules::deps::runtime_ecosystem(f.runtime_str()),
                app_root: &app.root,
                layers: !f.layers.is_empty(),
                code: analysed,
            });
        }
    }
    let assessed =
        perimeter_rules::rules::deps::assess_dependencies(&locks, &manifests, &inputs, &db);
    report.findings = assessed.findings;
    report.not_affected = assessed.not_affected;
    if let Some(sev) = selection.severity_for(meta) {
        for f in &mut report.findings {
            f.severity = sev;
        }
        for n in &mut report.not_affected {
            n.finding.severity = sev;
        }
    }
    report
}
