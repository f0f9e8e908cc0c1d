//! Baselines: the fingerprints of accepted findings, so a gate only fails on new ones.
//! Keyed by fingerprint (rule, path and normalised snippet), not by line.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use perimeter_diagnostics::Finding;
use serde::{Deserialize, Serialize};

/// A baseline file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version.
    pub schema_version: u32,
    /// Accepted findings.
    pub findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// Rule code.
    pub rule: String,
    /// Path.
    pub path: String,
    /// Fingerprint.
    pub fingerprint: String,
}

impl Baseline {
    /// The baseline of a set of findings.
    pub fn of(findings: &[Finding]) -> Self {
        let set: BTreeSet<Entry> = findings
            .iter()
            .map(|f| Entry {
                rule: f.rule.clone(),
                path: f.path.clone(),
                fingerprint: f.fingerprint.clone(),
            })
            .collect();
        Self {
            schema_version: 1,
            findings: set.into_iter().collect(),
        }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = crate::config::read_text(path, 256 << 20)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        // serde's messages quote values: escaped and cut short.
        serde_json::from_str(&text)
            .map_err(|e| {
                anyhow::anyhow!(perimeter_diagnostics::nofollow::excerpt(
                    &e.to_string(),
                    200
                ))
            })
            .with_context(|| format!("invalid baseline {}", path.display()))
    }

    /// Writes it, pretty-printed.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Drops findings that the baseline accepts; returns how many were dropped.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let known: BTreeSet<(&str, &str)> = self
            .findings
            .iter()
            .map(|e| (e.rule.as_str(), e.fingerprint.as_str()))
            .collect();
        let before = findings.len();
        findings.retain(|f| !known.contains(&(f.rule.as_str(), f.fingerprint.as_str())));
        before - findings.len()
    }
}
