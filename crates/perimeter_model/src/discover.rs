//! Discovery: a parallel, gitignore-aware walk of the scanned tree that lists every file
//! perimeter may read, skipping dependency folders, build output and virtual environments,
//! never following symbolic links.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use perimeter_diagnostics::ScanError;

/// Folders never entered: installed dependencies, build output, tool state.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    ".serverless",
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "site-packages",
    ".terraform",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "bower_components",
    "jspm_packages",
    ".next",
    ".nuxt",
    ".yarn",
    ".pnpm-store",
    "target",
];

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The scan root.
    pub root: PathBuf,
    /// Every file found, as relative `/`-separated paths, sorted (see `reorder_for_tests`).
    pub files: Vec<String>,
    /// Entries that were not followed or could not be read (symbolic links out of the tree or
    /// that cannot be resolved, walk errors).
    pub errors: Vec<ScanError>,
    /// Symbolic links not followed whose target is a file or folder of the scanned tree (a
    /// loop included): the target is analysed where it is, so nothing is lost.
    pub warnings: Vec<String>,
    /// Every folder entered (the root is `""`), sorted: a file added to or removed from one
    /// changes the folder's times, which is how the result cache sees new files.
    pub dirs: Vec<String>,
    /// Dependency folders not entered (`node_modules`, `site-packages`) that no ignore file
    /// hides: dependencies committed with the code, inventoried by the dependency check.
    pub vendored: Vec<String>,
}

/// Walks `root`. `cdk.out` folders contribute only their `*.template.json` files;
/// `.aws-sam/build` is skipped (it is a copy of the sources).
pub fn walk(root: &Path) -> Walk {
    walk_with(root, true)
}

/// [`walk`], honouring the tree's `.gitignore` and `.ignore` files or not.
pub fn walk_with(root: &Path, ignore_files: bool) -> Walk {
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let dirs = Mutex::new(Vec::new());
    // The walker reads each folder's ignore files itself, following links and blocking on a
    // FIFO (`.gitignore -> /dev/zero` never ends). A folder whose ignore file is not a regular
    // file is not entered (an error entry says why); at the root, ignore files are not read.
    let root_ignores = bad_ignore_file(root);
    if let Some(why) = &root_ignores {
        push(&errors, ScanError::new(".", why.clone()));
    }
    let read_ignores = ignore_files && root_ignores.is_none();
    let mut builder = WalkBuilder::new(root);
    let skipped_dirs: std::sync::Arc<Mutex<Vec<ScanError>>> = std::sync::Arc::default();
    let skipped = std::sync::Arc::clone(&skipped_dirs);
    let vendored_dirs: std::sync::Arc<Mutex<Vec<String>>> = std::sync::Arc::default();
    let vendored = std::sync::Arc::clone(&vendored_dirs);
    let walk_root = root.to_path_buf();
    builder
        .hidden(false)
        .follow_links(false)
        .git_ignore(read_ignores)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(read_ignores)
        .parents(false)
        .threads(2)
        .filter_entry(move |entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir {
                return true;
            }
            if entry.depth() == 0 {
                return true;
            }
            if SKIP_DIRS.contains(&name.as_ref()) {
                // The ignore files are applied before this filter: a folder seen here is
                // one they do not hide.
                if name == "node_modules" || name == "site-packages" {
                    push(&vendored, relative(&walk_root, entry.path()));
                }
                return false;
            }
            if let Some(why) = bad_ignore_file(entry.path()) {
                push(
                    &skipped,
                    ScanError::new(
                        relative(&walk_root, entry.path()),
                        format!("folder not scanned: {why}"),
                    ),
                );
                return false;
            }
            if name == "build"
                && entry
                    .path()
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|p| p == ".aws-sam")
            {
                return false;
            }
            // A virtual environment has a pyvenv.cfg at its top, whatever its name.
            !entry.path().join("pyvenv.cfg").is_file()
        });
    let root_owned = root.to_path_buf();
    builder.build_parallel().run(|| {
        let files = &files;
        let errors = &errors;
        let warnings = &warnings;
        let dirs = &dirs;
        let root = &root_owned;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else {
                        return WalkState::Continue;
                    };
                    let rel = relative(root, entry.path());
                    if ft.is_symlink() {
                        match symlink_reason(root, entry.path()) {
                            Link::InTree(why) => push(
                                warnings,
                                format!("{rel}: symbolic link not followed; {why}"),
                            ),
                            Link::Refused(why) => push(
                                errors,
                                ScanError::new(rel, format!("symbolic link not followed: {why}")),
                            ),
                        }
                    } else if ft.is_dir() {
                        push(dirs, rel);
                    } else if ft.is_file() {
                        if in_cdk_out(&rel) && !rel.ends_with(".template.json") {
                            return WalkState::Continue;
                        }
                        push(files, rel);
                    } else {
                        // Never opened: a FIFO would block the scan, a device never end.
                        push(
                            errors,
                            ScanError::new(
                                rel,
                                format!("not a regular file ({}): not read", special_kind(&ft)),
                            ),
                        );
                    }
                }
                Err(err) => {
                    let path =
                        error_path(&err).map_or_else(|| ".".to_owned(), |p| relative(root, p));
                    let path = if path.is_empty() {
                        ".".to_owned()
                    } else {
                        path
                    };
                    push(errors, ScanError::new(path, format!("cannot walk: {err}")));
                }
            }
            WalkState::Continue
        })
    });
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut errors = errors
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    errors.append(
        &mut skipped_dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let mut dirs = dirs
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut warnings = warnings
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    warnings.sort();
    files.sort();
    files.dedup();
    reorder_for_tests(&mut files);
    errors.sort();
    dirs.sort();
    dirs.dedup();
    let mut vendored = std::mem::take(
        &mut *vendored_dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    vendored.sort();
    Walk {
        root: root.to_path_buf(),
        files,
        errors,
        warnings,
        dirs,
        vendored,
    }
}

/// The path a walk error is about, looking through the wrappers that carry one.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// What a special file is, for messages.
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    let _ = ft;
    "a special file"
}

/// Why a folder's `.gitignore` or `.ignore` cannot be read safely: it is a symbolic link, a
/// FIFO, a device or a folder.
fn bad_ignore_file(dir: &Path) -> Option<String> {
    for name in [".gitignore", ".ignore"] {
        if let Ok(m) = std::fs::symlink_metadata(dir.join(name))
            && !m.is_file()
        {
            let what = if m.file_type().is_symlink() {
                "a symbolic link (not followed)"
            } else {
                "not a regular file"
            };
            return Some(format!("its {name} is {what}, so it is not read"));
        }
    }
    None
}

fn push<T>(v: &Mutex<Vec<T>>, item: T) {
    v.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(item);
}

fn in_cdk_out(rel: &str) -> bool {
    rel.split('/').any(|p| p == "cdk.out")
}

/// What a link that is not followed points to.
enum Link {
    /// A file or folder inside the scanned tree, or a folder that contains the link (a loop):
    /// it is walked where it is, so nothing is lost. The text says which.
    InTree(String),
    /// Why the link matters: it points outside the tree, makes a loop or cannot be resolved.
    Refused(String),
}

/// Why a link was not followed: where it points, and whether that is outside the tree or a
/// loop. Links are never followed, so none of this can escape the root.
fn symlink_reason(root: &Path, link: &Path) -> Link {
    let target = std::fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    match (std::fs::canonicalize(link), std::fs::canonicalize(root)) {
        (Ok(resolved), Ok(root)) if !resolved.starts_with(&root) => {
            Link::Refused(format!("it points outside the scanned tree (`{target}`)"))
        }
        (Ok(resolved), _)
            if link.parent().is_some_and(|p| {
                std::fs::canonicalize(p).is_ok_and(|p| p.starts_with(&resolved))
            }) =>
        {
            Link::InTree(format!(
                "it points to a folder that contains it, a loop (`{target}`), which is analysed where it is"
            ))
        }
        (Err(e), _) => Link::Refused(format!("it cannot be resolved (`{target}`: {e})")),
        (Ok(_), Ok(_)) => Link::InTree(format!(
            "its target `{target}` is in the scanned tree and analysed there"
        )),
        (Ok(_), Err(e)) => Link::Refused(format!("the scanned tree cannot be resolved: {e}")),
    }
}

/// A hidden hook for the determinism tests: `PERIMETER_DISCOVERY_ORDER=reverse` or
/// `shuffle:SEED` hands the files to the rest of the pipeline in another order, which must
/// not change any report.
fn reorder_for_tests(files: &mut [String]) {
    if let Ok(order) = std::env::var("PERIMETER_DISCOVERY_ORDER") {
        reorder(files, &order);
    }
}

fn reorder(files: &mut [String], order: &str) {
    if order == "reverse" {
        files.reverse();
    } else if let Some(seed) = order.strip_prefix("shuffle:") {
        // Fisher-Yates with a xorshift generator: reproducible from the seed.
        let mut state = seed.parse::<u64>().unwrap_or(1) | 1;
        for i in (1..files.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
            files.swap(i, j);
        }
    }
}

/// The `/`-separated path of `path` relative to `root`.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    out
}

/// The file name of a relative path.
pub fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// Whether a file is a Serverless Framework descriptor by its name.
pub fn is_serverless_descriptor(rel: &str) -> bool {
    matches!(
        file_name(rel),
        "serverless.yml"
            | "serverless.yaml"
            | "serverless.json"
            | "serverless.ts"
            | "serverless.js"
    )
}

/// Words that mark a committed sample of a descriptor, kept out of the repository's own
/// configuration because the real one holds the owner's settings.
const SAMPLE_MARKERS: &[&str] = &["example", "sample", "dist"];

/// The descriptor name a sample stands for: `serverless.example.yml`, `serverless-sample.yml`
/// and `serverless.yml.example` stand for `serverless.yml`, `template.example.yaml` for
/// `template.yaml`. `None` when the name is not a sample's.
pub fn sample_of(rel: &str) -> Option<String> {
    let name = file_name(rel);
    // `serverless.yml.example`
    if let Some((base, marker)) = name.rsplit_once('.')
        && SAMPLE_MARKERS.contains(&marker.to_ascii_lowercase().as_str())
        && base.contains('.')
    {
        return Some(base.to_owned());
    }
    // `serverless.example.yml`, `serverless-example.yml`, `serverless_sample.yml`
    let (stem, ext) = name.rsplit_once('.')?;
    SAMPLE_MARKERS.iter().find_map(|m| {
        let lower = stem.to_ascii_lowercase();
        [".", "-", "_"].iter().find_map(|sep| {
            let cut = lower.strip_suffix(m)?.strip_suffix(sep)?.len();
            (cut > 0).then(|| format!("{}.{ext}", &stem[..cut]))
        })
    })
}

/// Whether a file is a committed sample of a Serverless Framework descriptor
/// (`serverless.example.yml`, `serverless.yml.sample`, ...): read as the service's descriptor
/// when its folder has no real one. YAML and JSON only (a sample script is not evaluated).
pub fn is_serverless_sample(rel: &str) -> bool {
    sample_of(rel).is_some_and(|real| {
        matches!(
            real.as_str(),
            "serverless.yml" | "serverless.yaml" | "serverless.json"
        )
    })
}

/// Whether a file is in a folder of tests (`tests/aws/cf.yml`): a descriptor there describes
/// test infrastructure or a test's input, not the application the repository deploys.
pub fn in_test_folder(rel: &str) -> bool {
    const TEST_DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "__test__",
        "e2e",
        "testdata",
        "test-data",
        "test_data",
        "integration-tests",
        "integration_tests",
    ];
    let dir = parent_dir(rel);
    !dir.is_empty()
        && dir
            .split('/')
            .any(|part| TEST_DIRS.contains(&part.to_ascii_lowercase().as_str()))
}

/// Whether a file may be a SAM or CloudFormation template: a YAML/JSON/template file that is
/// not a well-known non-template (lockfiles, package manifests, tool configuration). The
/// content decides ([`looks_like_template`]).
pub fn may_be_template(rel: &str) -> bool {
    let name = file_name(rel);
    // A sample (`template.yaml.example`) is a candidate as the template it stands for.
    let real = sample_of(rel);
    let lower = real.as_deref().unwrap_or(name).to_ascii_lowercase();
    let ext_ok = [".yml", ".yaml", ".json", ".template", ".cfn"]
        .iter()
        .any(|e| lower.ends_with(e));
    if !ext_ok || is_serverless_descriptor(rel) || is_serverless_sample(rel) {
        return false;
    }
    const NOT_TEMPLATES: &[&str] = &[
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "composer.json",
        "composer.lock",
        "tsconfig.json",
        "jsconfig.json",
        "Pipfile.lock",
        ".eslintrc.json",
        ".prettierrc.json",
        "docker-compose.yml",
        "docker-compose.yaml",
        "mkdocs.yml",
        "samconfig.yaml",
        "samconfig.yml",
        "codecov.yml",
        "renovate.json",
        "lerna.json",
        "nx.json",
        "angular.json",
        "cdk.json",
        "cdk.context.json",
        "tree.json",
        "manifest.json",
    ];
    if NOT_TEMPLATES.contains(&name) {
        return false;
    }
    // CI workflows, OpenAPI specs in docs, test snapshots and Kubernetes manifests are common
    // YAML that is never a template; the content check would reject them, but skipping the
    // folders saves reading them.
    !rel.starts_with(".github/") && !rel.contains("/.github/") && !rel.contains("/.circleci/")
}

/// A cheap check on the text of a candidate before parsing it: CloudFormation and SAM
/// templates name `AWSTemplateFormatVersion`, the SAM transform, or `AWS::` resource types
/// under `Resources`.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::Serverless-2016-10-31")
        || (text.contains("Resources") && text.contains("AWS::"))
}

/// The folder of a relative path (`""` at the root).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_errors_carry_their_path_through_wrappers() {
        let inner = ignore::Error::WithPath {
            path: "/r/locked".into(),
            err: Box::new(ignore::Error::Io(std::io::Error::other("denied"))),
        };
        let wrapped = ignore::Error::WithDepth {
            depth: 1,
            err: Box::new(ignore::Error::Partial(vec![inner])),
        };
        assert_eq!(error_path(&wrapped), Some(Path::new("/r/locked")));
        assert_eq!(
            error_path(&ignore::Error::Io(std::io::Error::other("x"))),
            None
        );
    }

    #[test]
    fn the_test_hook_reorders_the_files() {
        let sorted: Vec<String> = (0..20).map(|i| format!("f{i:02}")).collect();
        let mut v = sorted.clone();
        reorder(&mut v, "reverse");
        assert_eq!(v.first().map(String::as_str), Some("f19"));
        let mut a = sorted.clone();
        reorder(&mut a, "shuffle:7");
        let mut b = sorted.clone();
        reorder(&mut b, "shuffle:7");
        assert_eq!(a, b, "a seed gives one order");
        assert_ne!(a, sorted);
        a.sort();
        assert_eq!(a, sorted, "a permutation");
        let mut c = sorted.clone();
        reorder(&mut c, "anything else");
        assert_eq!(c, sorted);
    }

    #[test]
    fn names() {
        assert!(is_serverless_descriptor("a/serverless.yml"));
        assert!(!is_serverless_descriptor("a/serverless.yml.bak"));
        assert!(may_be_template("infra/template.yaml"));
        assert!(may_be_template("cdk.out/App.template.json"));
        assert!(!may_be_template("package.json"));
        assert!(!may_be_template(".github/workflows/ci.yml"));
        assert!(!may_be_template("src/index.js"));
        assert!(may_be_template("infra/template.yaml.example"));
        assert!(!may_be_template("serverless.example.yml"));
    }

    #[test]
    fn samples_stand_for_their_descriptor() {
        for (sample, real) in [
            ("serverless.example.yml", "serverless.yml"),
            ("api/serverless-sample.yaml", "serverless.yaml"),
            ("serverless_example.json", "serverless.json"),
            ("serverless.yml.example", "serverless.yml"),
            ("serverless.yml.dist", "serverless.yml"),
            ("template.example.yaml", "template.yaml"),
            ("Template.Sample.yml", "Template.yml"),
        ] {
            assert_eq!(sample_of(sample).as_deref(), Some(real), "{sample}");
        }
        for not_sample in [
            "serverless.yml",
            "serverless.template.yml",
            "serverless.test.yml",
            "example.yml",
            "examples.json",
            ".example",
            "sample-item.json",
        ] {
            assert_eq!(sample_of(not_sample), None, "{not_sample}");
        }
        assert!(is_serverless_sample("serverless.example.yml"));
        assert!(is_serverless_sample("a/serverless.yaml.sample"));
        assert!(!is_serverless_sample("serverless.template.yml"));
        assert!(!is_serverless_sample("serverless.example.ts"));
        assert!(!is_serverless_sample("template.example.yaml"));
    }

    #[test]
    fn test_folders() {
        assert!(in_test_folder("tests/aws/cf.yml"));
        assert!(in_test_folder("backend/__tests__/serverless.yml"));
        assert!(!in_test_folder("serverless.yml"));
        assert!(!in_test_folder("latest/template.yaml"));
        assert!(!in_test_folder("fixtures/app/template.yaml"));
        assert!(!in_test_folder("contest/template.yaml"));
    }

    #[test]
    fn walk_skips_dependencies_and_reads_cdk_templates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "serverless.yml",
            "src/a.js",
            "node_modules/x/index.js",
            ".serverless/cloudformation-template-update-stack.json",
            ".aws-sam/build/template.yaml",
            "cdk.out/Stack.template.json",
            "cdk.out/asset.123/index.js",
            "venv1/pyvenv.cfg",
            "venv1/lib/x.py",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let w = walk(root);
        assert_eq!(
            w.files,
            ["cdk.out/Stack.template.json", "serverless.yml", "src/a.js"]
        );
    }
}
