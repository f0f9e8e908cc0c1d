//! perimeter's report formats: `text` for people, `json` (the stable contract), `sarif` for
//! code scanning, `junit` for CI test views and `gitlab` for GitLab's security dashboard.
//! Renderers never read files: code frames come from a [`SourceLookup`].

mod escape;
mod gitlab;
mod html;
mod json;
mod junit;
mod sarif;
mod text;

use std::str::FromStr;
use std::sync::Arc;

use perimeter_diagnostics::{Finding, Kind, NotAffected, ScanError, Severity, SourceFile};
use serde::Serialize;

pub use escape::escape_control;

/// Counts shown in every format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Applications found.
    pub apps: usize,
    /// Functions across applications.
    pub functions: usize,
    /// Files walked.
    pub files: usize,
    /// Findings reported.
    pub findings: usize,
    /// Files or constructs that could not be analysed.
    pub errors: usize,
    /// Advisories that match a package but cannot affect the deployed application.
    pub not_affected: usize,
}

/// A rule's metadata, as the reports need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable code.
    pub code: String,
    /// Kebab-case name.
    pub name: String,
    /// Finding kind.
    pub kind: Kind,
    /// Default severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: String,
    /// Markdown documentation.
    pub docs: String,
    /// Where the documentation lives on the web.
    pub help_uri: String,
    /// CWE ids (`CWE-89`).
    pub cwe: Vec<String>,
}

/// What the configuration turned off or changed: which files were applied and what they
/// did, so a configuration that switches the scanner off is visible in every format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Configuration {
    /// Configuration files applied (`perimeter.toml`, and the tree's `.gitignore` and
    /// `.ignore` files when honoured), as given or relative to the scanned folder.
    pub files: Vec<String>,
    /// Whether the repository's own configuration was ignored (`--no-repo-config`).
    pub repo_config_ignored: bool,
    /// Codes of the default rules that did not run.
    pub rules_deselected: Vec<String>,
    /// Files left out by `exclude`.
    pub paths_excluded: usize,
    /// Severity overrides: selector to severity (`[overrides]` entries prefixed with their
    /// files).
    pub severity_overrides: std::collections::BTreeMap<String, Severity>,
    /// Findings whose severity an override lowered.
    pub severities_lowered: usize,
    /// Findings dropped by an `[[overrides]]` `ignore`.
    pub suppressed_by_overrides: usize,
    /// Findings silenced by inline `perimeter: ignore[...]` comments.
    pub suppressed_inline: usize,
    /// Findings accepted by the baseline.
    pub suppressed_baseline: usize,
    /// Findings already present in the `--diff` base.
    pub suppressed_diff: usize,
    /// Files left out by the tree's `.gitignore` and `.ignore` files.
    pub ignored_by_vcs_rules: usize,
}

impl Configuration {
    /// Whether the configuration turned nothing off and changed no severity.
    pub fn is_neutral(&self) -> bool {
        *self
            == Configuration {
                files: self.files.clone(),
                repo_config_ignored: self.repo_config_ignored,
                ..Configuration::default()
            }
    }

    /// Whether the text formats show the configuration line: something was turned off, a
    /// configuration file other than an ignore file applied, or the repository's was ignored.
    pub fn worth_a_line(&self) -> bool {
        !self.is_neutral()
            || self.repo_config_ignored
            || self
                .files
                .iter()
                .any(|f| !(f.ends_with(".gitignore") || f.ends_with(".ignore")))
    }

    /// One line saying what the configuration turned off, for the text formats.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let n =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.rules_deselected.is_empty() {
            parts.push(format!(
                "{} deselected",
                n(self.rules_deselected.len(), "rule", "rules")
            ));
        }
        if self.paths_excluded > 0 {
            parts.push(format!(
                "{} excluded",
                n(self.paths_excluded, "file", "files")
            ));
        }
        if self.ignored_by_vcs_rules > 0 {
            parts.push(format!(
                "{} ignored by .gitignore/.ignore",
                n(self.ignored_by_vcs_rules, "file", "files")
            ));
        }
        if !self.severity_overrides.is_empty() {
            parts.push(format!(
                "{} ({} findings lowered)",
                n(
                    self.severity_overrides.len(),
                    "severity override",
                    "severity overrides"
                ),
                self.severities_lowered
            ));
        }
        for (count, what) in [
            (self.suppressed_by_overrides, "ignored by overrides"),
            (self.suppressed_inline, "suppressed inline"),
            (self.suppressed_baseline, "accepted by the baseline"),
            (self.suppressed_diff, "already in the --diff base"),
        ] {
            if count > 0 {
                parts.push(format!("{} {what}", n(count, "finding", "findings")));
            }
        }
        let files = if self.files.is_empty() {
            "no configuration file".to_owned()
        } else {
            self.files.join(", ")
        };
        let repo = if self.repo_config_ignored {
            " (repository configuration ignored)"
        } else {
            ""
        };
        if parts.is_empty() {
            format!("configuration: {files}{repo}")
        } else {
            format!("configuration: {files}{repo}: {}", parts.join(", "))
        }
    }
}

/// Everything a report shows.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// perimeter's version.
    pub tool_version: String,
    /// Counts.
    pub summary: Summary,
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Advisories judged not to affect the deployed application (VEX `not_affected`), with
    /// their justification and evidence.
    pub not_affected: Vec<NotAffected>,
    /// What could not be analysed.
    pub errors: Vec<ScanError>,
    /// Things the user should know (no application found, suppressions without reason).
    pub warnings: Vec<String>,
    /// Metadata of the rules that produced findings.
    pub rules: Vec<RuleInfo>,
    /// The data map of the applications as `perimeter map --format json` prints it, for the
    /// HTML report.
    pub data_map: Option<serde_json::Value>,
    /// What the configuration turned off.
    pub configuration: Configuration,
}

/// Where renderers find the text of a file, for code frames and snippets.
pub trait SourceLookup {
    /// The file at a report path.
    fn source(&self, path: &str) -> Option<Arc<SourceFile>>;
}

/// No sources: frames are left out.
pub struct NoSources;

impl SourceLookup for NoSources {
    fn source(&self, _: &str) -> Option<Arc<SourceFile>> {
        None
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// The JSON contract (schema_version 1).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// GitLab SAST report.
    Gitlab,
    /// One self-contained HTML page with the data map.
    Html,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "text" => Format::Text,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "gitlab" => Format::Gitlab,
            "html" => Format::Html,
            other => {
                return Err(format!(
                    "unknown format `{other}` (text, json, sarif, junit, gitlab, html)"
                ));
            }
        })
    }
}

/// Options of the text format.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Emit ANSI colour.
    pub color: bool,
}

/// Renders a report.
pub fn render(
    report: &Report,
    format: Format,
    sources: &dyn SourceLookup,
    options: &TextOptions,
) -> String {
    match format {
        Format::Text => text::render(report, sources, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, sources),
        Format::Junit => junit::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Html => html::render(report, sources),
    }
}

/// Sorts findings by (path, line, column, rule, function, fingerprint) and drops exact
/// duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    perimeter_diagnostics::number_repeats(findings);
}

/// The SARIF `security-severity` score of a severity.
pub const fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}
