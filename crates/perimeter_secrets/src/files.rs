//! Which files to scan for secrets, what each file is, and which paths are test fixtures.

use crate::FileContext;

/// Directories whose contents are third-party, generated or tool state.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    "bower_components",
    "jspm_packages",
    ".venv",
    "venv",
    "__pycache__",
    "site-packages",
    ".terraform",
    ".serverless",
    ".aws-sam",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".next",
    ".nuxt",
];

/// Lockfiles: full of hashes and registry URLs, never of hand-written secrets.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "composer.lock",
    "cargo.lock",
    "gemfile.lock",
    "go.sum",
    ".terraform.lock.hcl",
];

/// Extensions of files that may hold a secret.
const EXTENSIONS: &[&str] = &[
    "js",
    "mjs",
    "cjs",
    "ts",
    "tsx",
    "jsx",
    "mts",
    "cts",
    "py",
    "yml",
    "yaml",
    "json",
    "toml",
    "ini",
    "cfg",
    "properties",
    "ipynb",
    "tf",
    "tfvars",
    "sh",
    "bash",
    "env",
];

/// Whether a file (path relative to the scan root, `/`-separated) is worth scanning for
/// secrets: source code (`.js .mjs .cjs .ts .tsx .jsx .py`), `.env*` files, configuration
/// (`.yml .yaml .json .toml .ini .cfg .properties`), notebooks (`.ipynb`), Terraform (`.tf`,
/// `.tfvars`), `Dockerfile`s, shell scripts and the registry credential files `.npmrc`,
/// `.pypirc` and `.netrc`. Lockfiles, minified bundles (`*.min.js`) and anything under
/// `node_modules`, `.git`, virtual environments or build output are skipped.
pub fn is_candidate_file(rel_path: &str) -> bool {
    let mut parts = rel_path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".");
    let Some(name) = parts.next_back() else {
        return false;
    };
    if parts.any(|dir| SKIPPED_DIRS.contains(&dir)) || is_vendored_sdk_path(rel_path) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    if LOCKFILES.contains(&lower.as_str()) {
        return false;
    }
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    if lower.contains(".min.") || lower.contains(".bundle.") || ext == "map" {
        return false;
    }
    if lower == ".env"
        || lower.starts_with(".env.")
        || lower == ".npmrc"
        || lower == ".pypirc"
        || lower == ".netrc"
        || lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return true;
    }
    lower
        .rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

/// Whether a path is data shipped inside a vendored SDK or package: botocore's and boto3's
/// service models and examples (`botocore/data/**`), the JavaScript SDK's API models
/// (`aws-sdk/apis/**`) and installed packages' metadata (`*.dist-info/`, `*.egg-info/`).
/// Their example values are the vendor's documentation, not the application's credentials.
pub fn is_vendored_sdk_path(rel_path: &str) -> bool {
    let lower = rel_path.to_ascii_lowercase().replace('\\', "/");
    let segments: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
    segments.windows(2).any(|w| {
        matches!(
            (w[0], w[1]),
            ("botocore" | "boto3", "data") | ("aws-sdk", "apis")
        )
    }) || segments[..segments.len().saturating_sub(1)]
        .iter()
        .any(|d| d.ends_with(".dist-info") || d.ends_with(".egg-info"))
}

/// Whether a path holds recorded or made-up data rather than configuration: a test or fixture
/// file ([`is_test_path`]), a recorded event (`events/`, `test-events/`, `*Event.json`,
/// `event.json`), a mock or a database seed (`mocks/`, `seeds/`). Generic detectors (names,
/// JWTs) are not run on them: a captured request's token or a seed user's hash is not a
/// credential of the application.
pub fn is_recorded_data_path(rel_path: &str) -> bool {
    const DATA_DIRS: &[&str] = &[
        "events",
        "event",
        "test-events",
        "test_events",
        "testevents",
        "sample-events",
        "sample_events",
        "mocks",
        "mock",
        "seeds",
        "seed",
        "seeders",
        "seed-data",
        "seed_data",
    ];
    if is_test_path(rel_path) {
        return true;
    }
    let lower = rel_path.to_ascii_lowercase();
    let mut parts = lower.split(['/', '\\']).filter(|p| !p.is_empty());
    let Some(name) = parts.next_back() else {
        return false;
    };
    if parts.any(|d| DATA_DIRS.contains(&d)) {
        return true;
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    name.ends_with(".json") && (stem.ends_with("event") || stem.ends_with("events"))
}

/// Whether a file configures a browser bundle (`webpack.*.js`, `vite.config.*`,
/// `next.config.*`, `nuxt.config.*`, `rollup.config.*`): values it defines are compiled into
/// code every visitor downloads, so a browser key there (Google Maps) is public by design.
pub(crate) fn is_frontend_build_config(rel_path: &str) -> bool {
    let name = rel_path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(rel_path)
        .to_ascii_lowercase();
    name.starts_with("webpack.")
        || name.starts_with("webpack-")
        || [
            "vite.config.",
            "next.config.",
            "nuxt.config.",
            "rollup.config.",
            "vue.config.",
        ]
        .iter()
        .any(|p| name.starts_with(p))
}

/// Whether a path is a test or fixture file (`test/`, `tests/`, `__tests__/`, `*.test.*`,
/// `*.spec.*`, `test_*.py`, `*_test.py`, `conftest.py`, `fixtures/`, `__mocks__/`). Secrets
/// found there are reported with medium confidence: they are often fakes, but not always.
pub fn is_test_path(rel_path: &str) -> bool {
    const TEST_DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "__mocks__",
        "fixtures",
        "testdata",
        "test-data",
        "test_data",
        "e2e",
    ];
    let lower = rel_path.to_ascii_lowercase();
    let mut parts = lower.split(['/', '\\']).filter(|p| !p.is_empty());
    let Some(name) = parts.next_back() else {
        return false;
    };
    if parts.any(|d| TEST_DIRS.contains(&d)) {
        return true;
    }
    name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_test.")
        || name.starts_with("test_")
        || name == "conftest.py"
}

/// Whether a file is a template others copy (`.env.example`, `.env.sample`,
/// `.env.template`, `config.dist.json`): values there are usually illustrations, so matches
/// get medium confidence. A SAM `template.yaml` is not one.
pub(crate) fn is_example_path(rel_path: &str) -> bool {
    let name = rel_path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(rel_path)
        .to_ascii_lowercase();
    [".example", ".sample", ".dist"]
        .iter()
        .any(|m| name.contains(m))
        || (name.starts_with(".env") && name.contains(".template"))
}

impl FileContext {
    /// What a file is, from its path: `.env*`, `.npmrc`, `.pypirc`, `.netrc`, shell scripts,
    /// `Dockerfile`s and `.ini`/`.properties`/`.cfg` are [`FileContext::Env`] (`NAME=value`
    /// lines), `serverless.*` and `template.*` YAML/JSON are [`FileContext::Descriptor`],
    /// `.ipynb` is [`FileContext::Notebook`], other YAML/JSON/TOML is [`FileContext::Config`],
    /// and everything else (code, Terraform) is [`FileContext::Source`].
    pub fn for_path(rel_path: &str) -> FileContext {
        let name = rel_path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(rel_path)
            .to_ascii_lowercase();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        if name == ".env"
            || name.starts_with(".env.")
            || matches!(
                name.as_str(),
                ".npmrc" | ".pypirc" | ".netrc" | "dockerfile"
            )
            || name.starts_with("dockerfile.")
            || matches!(
                ext,
                "env" | "sh" | "bash" | "ini" | "cfg" | "properties" | "dockerfile"
            )
        {
            return FileContext::Env;
        }
        match ext {
            "ipynb" => FileContext::Notebook,
            "yml" | "yaml" | "json" | "toml" => {
                let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
                if matches!(stem, "serverless" | "template" | "samconfig")
                    || stem.ends_with(".template")
                {
                    FileContext::Descriptor
                } else {
                    FileContext::Config
                }
            }
            _ => FileContext::Source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates() {
        for p in [
            "src/handler.js",
            "a/b.mjs",
            "x.cjs",
            "h.ts",
            "c.tsx",
            "d.jsx",
            "app.py",
            ".env",
            ".env.production",
            "config/.env.local",
            "serverless.yml",
            "template.yaml",
            "x.json",
            "pyproject.toml",
            "setup.cfg",
            "a.ini",
            "app.properties",
            "nb/analysis.ipynb",
            "infra/main.tf",
            "prod.tfvars",
            "Dockerfile",
            "docker/Dockerfile.prod",
            "deploy.sh",
            ".npmrc",
        ] {
            assert!(is_candidate_file(p), "{p} should be scanned");
        }
        for p in [
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "poetry.lock",
            "Pipfile.lock",
            "node_modules/aws-sdk/index.js",
            "web/node_modules/x/y.json",
            "dist/app.min.js",
            "README.md",
            "logo.png",
            "src/app.js.map",
            ".git/config",
            "",
        ] {
            assert!(!is_candidate_file(p), "{p} should not be scanned");
        }
    }

    #[test]
    fn test_paths() {
        for p in [
            "test/handler.js",
            "tests/test_app.py",
            "src/__tests__/a.ts",
            "src/a.test.ts",
            "src/a.spec.js",
            "app/test_handler.py",
            "app/handler_test.py",
            "conftest.py",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "src/handler.js",
            "src/latest.js",
            "contest/app.py",
            "attestation.py",
        ] {
            assert!(!is_test_path(p), "{p}");
        }
    }

    #[test]
    fn vendored_and_recorded_paths() {
        for p in [
            "lib/botocore/data/s3/2006-03-01/examples-1.json",
            "package/boto3/data/dynamodb/2012-08-10/resources-1.json",
            "vendor/requests-2.31.0.dist-info/METADATA.json",
            "lambda/aws-sdk/apis/s3-2006-03-01.examples.json",
        ] {
            assert!(is_vendored_sdk_path(p), "{p}");
            assert!(!is_candidate_file(p), "{p}");
        }
        assert!(!is_vendored_sdk_path("src/data/config.json"));
        for p in [
            "packages/svc/test-events/share-event.json",
            "events/event.json",
            "src/fixtures/user.json",
            "database/seeds/users.json",
            "handlers/ApiGatewayEvent.json",
            "tests/unit/test_handler.py",
        ] {
            assert!(is_recorded_data_path(p), "{p}");
        }
        for p in [
            "src/handler.js",
            "serverless.yml",
            "config/prevention.json",
            "src/eventbus.js",
        ] {
            assert!(!is_recorded_data_path(p), "{p}");
        }
        assert!(is_frontend_build_config("web/webpack.prod.js"));
        assert!(!is_frontend_build_config("src/handler.js"));
    }

    #[test]
    fn example_paths() {
        for p in [
            ".env.example",
            "app/.env.sample",
            ".env.template",
            "config.dist.json",
        ] {
            assert!(is_example_path(p), "{p}");
        }
        for p in [
            "template.yaml",
            ".env",
            "examples/app.js",
            "src/sample_handler.py",
        ] {
            assert!(!is_example_path(p), "{p}");
        }
    }

    #[test]
    fn contexts() {
        assert_eq!(FileContext::for_path(".env.prod"), FileContext::Env);
        assert_eq!(
            FileContext::for_path("svc/serverless.yml"),
            FileContext::Descriptor
        );
        assert_eq!(
            FileContext::for_path("template.yaml"),
            FileContext::Descriptor
        );
        assert_eq!(
            FileContext::for_path("config/app.yaml"),
            FileContext::Config
        );
        assert_eq!(FileContext::for_path("nb.ipynb"), FileContext::Notebook);
        assert_eq!(FileContext::for_path("src/h.ts"), FileContext::Source);
        assert_eq!(FileContext::for_path("Dockerfile"), FileContext::Env);
    }
}
