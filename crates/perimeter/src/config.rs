//! `perimeter.toml`: the project's choices (rule selection, severity overrides, per-path
//! overrides, the gate), found by walking up from the scan root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use perimeter_diagnostics::{Finding, Severity};
use serde::Deserialize;

/// The file name searched for.
pub const FILE_NAME: &str = "perimeter.toml";

/// The configuration file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules to run: codes, code prefixes, names or kinds. Empty: every stable rule.
    #[serde(default)]
    pub select: Vec<String>,
    /// Rules not to run.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides by code, name or kind.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// The lowest severity that fails the gate.
    pub fail_on: Option<Severity>,
    /// Paths (globs, relative to the scan root) never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Per-path overrides.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Values for `${opt:...}` (`stage = "prod"`).
    #[serde(default)]
    pub opt: BTreeMap<String, String>,
    /// Report advisories that cannot affect the deployed application (DEP001's
    /// not-affected statements) as findings too, low, instead of listing them apart.
    #[serde(default)]
    pub report_not_affected: bool,
}

/// Choices that apply to some paths only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Override {
    /// Globs relative to the scan root.
    pub files: Vec<String>,
    /// Rules not reported in those files.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides in those files.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// A loaded configuration with its globs compiled.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    /// The contents.
    pub config: Config,
    overrides: Vec<(GlobSet, usize)>,
    exclude: Option<GlobSet>,
}

impl Resolved {
    /// Reads `explicit`, or the nearest `perimeter.toml` from `start` upwards.
    pub fn load(explicit: Option<&Path>, start: &Path) -> Result<Self> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => find(start),
        };
        let Some(path) = path else {
            return Ok(Self::default());
        };
        if explicit.is_some() {
            check_inside(start, &path)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
        let text = read_text(&path, MAX_CONFIG_BYTES)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!(toml_error(&text, &e)))
            .with_context(|| format!("invalid {}", path.display()))?;
        Self::from_config(config, Some(path))
    }

    /// Compiles a configuration.
    pub fn from_config(config: Config, path: Option<PathBuf>) -> Result<Self> {
        let mut overrides = Vec::new();
        for (i, o) in config.overrides.iter().enumerate() {
            overrides.push((globs(&o.files)?, i));
        }
        let exclude = if config.exclude.is_empty() {
            None
        } else {
            Some(globs(&config.exclude)?)
        };
        Ok(Self {
            path,
            config,
            overrides,
            exclude,
        })
    }

    /// Whether a relative path is excluded from the scan.
    pub fn is_excluded(&self, rel: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }

    /// Applies per-path overrides to a finding: `None` when the finding is ignored there,
    /// else the finding with its severity overridden.
    pub fn apply_overrides(&self, mut finding: Finding) -> Option<Finding> {
        for (set, i) in &self.overrides {
            if !set.is_match(&finding.path) {
                continue;
            }
            let o = &self.config.overrides[*i];
            if o.ignore.iter().any(|sel| selector_matches(sel, &finding)) {
                return None;
            }
            for (sel, sev) in &o.severity {
                if selector_matches(sel, &finding) {
                    finding.severity = *sev;
                }
            }
        }
        Some(finding)
    }
}

/// Whether a selector (code, code prefix, rule name or kind) names a finding's rule.
pub fn selector_matches(selector: &str, finding: &Finding) -> bool {
    selector == finding.rule
        || selector == finding.name
        || selector == finding.kind.as_str()
        || (!selector.is_empty()
            && selector
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && finding.rule.starts_with(selector))
}

fn globs(patterns: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).with_context(|| format!("invalid glob `{p}`"))?);
        // `dir` also means everything below it.
        if !p.contains('*') {
            b.add(Glob::new(&format!("{}/**", p.trim_end_matches('/')))?);
        }
    }
    Ok(b.build()?)
}

/// The largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A repository file's text, read without following a symbolic link (see
/// [`perimeter_diagnostics::nofollow`]).
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    let bytes = perimeter_diagnostics::nofollow::read_regular(path, limit)?;
    String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// Refuses a path given on the command line that goes through a symbolic link inside the
/// scanned tree (a link committed there is the repository's, not the user's).
pub fn check_inside(start: &Path, path: &Path) -> Result<()> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        }
    };
    let path = abs(path);
    let start = abs(start);
    let root = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    perimeter_diagnostics::nofollow::check_no_link_below(&root, &path)?;
    if let Ok(canonical) = std::fs::canonicalize(&root) {
        perimeter_diagnostics::nofollow::check_no_link_below(&canonical, &path)?;
    }
    Ok(())
}

/// A TOML error without the source line the parser quotes: where, and its message escaped
/// and cut short.
pub(crate) fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let place = e.span().map(|span| {
        let before = &text.as_bytes()[..span.start.min(text.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        format!("line {line}, column {column}: ")
    });
    format!(
        "{}{}",
        place.unwrap_or_default(),
        perimeter_diagnostics::nofollow::excerpt(e.message().trim(), 200)
    )
}

fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        // Anything by that name is the configuration: a link or a folder is refused when
        // read, not passed over.
        let candidate = d.join(FILE_NAME);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_diagnostics::{Kind, Loc, SourceFile, Span};

    fn finding(path: &str) -> Finding {
        let f = SourceFile::new(path, "x: 1\n");
        Finding::new(
            "IAM001",
            "iam-wildcard-action",
            Kind::WildcardIam,
            Severity::High,
            &Loc::new(&f, Span::new(0, 1)),
            "m",
        )
    }

    #[test]
    fn overrides_ignore_and_reweigh_by_path() {
        let config: Config = toml::from_str(
            r#"
            fail-on = "critical"
            [[overrides]]
            files = ["legacy"]
            ignore = ["IAM"]
            [[overrides]]
            files = ["**/*.yml"]
            severity = { wildcard-iam = "low" }
            "#,
        )
        .unwrap();
        let r = Resolved::from_config(config, None).unwrap();
        assert_eq!(r.config.fail_on, Some(Severity::Critical));
        assert!(
            r.apply_overrides(finding("legacy/serverless.yml"))
                .is_none()
        );
        assert_eq!(
            r.apply_overrides(finding("app/serverless.yml"))
                .unwrap()
                .severity,
            Severity::Low
        );
        assert_eq!(
            r.apply_overrides(finding("app/t.json")).unwrap().severity,
            Severity::High
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<Config>("selekt = []").is_err());
    }
}
