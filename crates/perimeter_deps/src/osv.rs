//! OSV advisories: the parts of a record that matching needs, and matching itself.
//!
//! A version is affected when an `affected` entry of its ecosystem and package lists it in
//! `versions`, or when one of its `ranges` (`SEMVER` or `ECOSYSTEM`; `GIT` ranges are not
//! about versions) puts it in an interval opened by `introduced` and closed by `fixed`,
//! `limit` (exclusive) or `last_affected` (inclusive). Withdrawn records are ignored.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::Ecosystem;
use crate::version::{Range, Version};

/// An advisory as stored: one per vulnerability, its aliases merged.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Advisory {
    /// The id (a GHSA or PYSEC id, ...).
    pub id: String,
    /// Other ids of the same vulnerability (CVE, ...).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line.
    #[serde(default)]
    pub summary: String,
    /// The severity in perimeter's words (`critical`, `high`, `medium`, `low`).
    #[serde(default)]
    pub severity: String,
    /// Last modification (RFC 3339).
    #[serde(default)]
    pub modified: String,
    /// Affected intervals of this package: `(kind, version)` events per range.
    #[serde(default)]
    pub ranges: Vec<Vec<(String, String)>>,
    /// Affected versions listed one by one.
    #[serde(default)]
    pub versions: Vec<String>,
    /// The weaknesses the record names (`CWE-918`), from GitHub's `cwe_ids`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
}

/// An OSV record as published (the fields used).
#[derive(Debug, Deserialize)]
pub struct Record {
    /// Id.
    pub id: String,
    /// Aliases.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Details (first line used when there is no summary).
    #[serde(default)]
    pub details: Option<String>,
    /// Modified.
    #[serde(default)]
    pub modified: Option<String>,
    /// Withdrawn.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Severity vectors.
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// Affected packages.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Ecosystem-specific data (`severity: HIGH` in GitHub's records).
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A severity entry.
#[derive(Debug, Deserialize)]
pub struct SeverityEntry {
    /// `CVSS_V3`, `CVSS_V4`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector.
    pub score: String,
}

/// An affected package.
#[derive(Debug, Deserialize)]
pub struct Affected {
    /// The package.
    pub package: Option<PackageId>,
    /// Ranges.
    #[serde(default)]
    pub ranges: Vec<RangeEntry>,
    /// Versions.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Per-package severity (some databases put it here).
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// Ecosystem-specific data.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A package id.
#[derive(Debug, Deserialize)]
pub struct PackageId {
    /// Ecosystem (`npm`, `PyPI`, `PyPI:...` variants are not used).
    pub ecosystem: String,
    /// Name.
    pub name: String,
}

/// A range.
#[derive(Debug, Deserialize)]
pub struct RangeEntry {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Events.
    #[serde(default)]
    pub events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// The advisories a record makes, per `(ecosystem, normalised package name)`.
pub fn advisories(r: &Record) -> Vec<(Ecosystem, String, Advisory)> {
    if r.withdrawn.is_some() {
        return Vec::new();
    }
    let summary = r
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            r.details
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().chars().take(160).collect())
        })
        .unwrap_or_default();
    let mut out: Vec<(Ecosystem, String, Advisory)> = Vec::new();
    for a in &r.affected {
        let Some(p) = &a.package else { continue };
        let Some(eco) = Ecosystem::parse(&p.ecosystem) else {
            continue;
        };
        let name = eco.normalise(&p.name);
        let ranges: Vec<Vec<(String, String)>> = a
            .ranges
            .iter()
            .filter(|rg| rg.kind != "GIT")
            .map(|rg| {
                rg.events
                    .iter()
                    .flat_map(|e| {
                        e.iter()
                            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                    })
                    .collect()
            })
            .collect();
        // A v3 vector's computed score first; then the database's own word; a v4 vector's
        // approximation only when nothing else says.
        let severity = severity_of(&r.severity, "CVSS_V3")
            .or_else(|| severity_of(&a.severity, "CVSS_V3"))
            .or_else(|| db_severity(r.database_specific.as_ref()))
            .or_else(|| db_severity(a.database_specific.as_ref()))
            .or_else(|| severity_of(&r.severity, "CVSS_V4"))
            .or_else(|| severity_of(&a.severity, "CVSS_V4"))
            .unwrap_or("medium");
        let adv = Advisory {
            id: r.id.clone(),
            aliases: r.aliases.clone(),
            summary: summary.clone(),
            severity: severity.to_owned(),
            modified: r.modified.clone().unwrap_or_default(),
            ranges,
            versions: a.versions.clone(),
            cwes: r
                .database_specific
                .as_ref()
                .and_then(|d| d.get("cwe_ids"))
                .and_then(serde_json::Value::as_array)
                .map(|ids| {
                    ids.iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        };
        match out.iter_mut().find(|(e, n, _)| *e == eco && *n == name) {
            Some((_, _, existing)) => {
                existing.ranges.extend(adv.ranges);
                existing.versions.extend(adv.versions);
            }
            None => out.push((eco, name, adv)),
        }
    }
    out
}

fn db_severity(v: Option<&serde_json::Value>) -> Option<&'static str> {
    let s = v?.get("severity")?.as_str()?.to_ascii_lowercase();
    Some(match s.as_str() {
        "critical" => "critical",
        "high" => "high",
        "moderate" | "medium" => "medium",
        "low" => "low",
        _ => return None,
    })
}

/// The severity of the first CVSS vector of a kind (`CVSS_V3`, `CVSS_V4`) with a computable
/// base score.
fn severity_of(entries: &[SeverityEntry], kind: &str) -> Option<&'static str> {
    entries
        .iter()
        .filter(|e| e.kind.starts_with(kind))
        .find_map(|e| cvss_base_score(&e.score))
        .map(|score| match score {
            s if s >= 9.0 => "critical",
            s if s >= 7.0 => "high",
            s if s >= 4.0 => "medium",
            s if s > 0.0 => "low",
            _ => "low",
        })
}

/// The CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/AC:L/...`). For v4 vectors, an
/// approximation from the same metrics where they exist (exploitability and the vulnerable
/// system's impact).
pub fn cvss_base_score(vector: &str) -> Option<f64> {
    let metric = |name: &str| {
        vector
            .split('/')
            .find_map(|p| p.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
    };
    let v4 = vector.starts_with("CVSS:4");
    let av = match metric("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match metric("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let ui = match metric("UI")? {
        "N" => 0.85,
        _ => 0.62,
    };
    let scope_changed = !v4 && metric("S") == Some("C");
    let pr = match (metric("PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let cia = |m: &str| match m {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let (c, i, a) = if v4 {
        (
            cia(metric("VC")?)?,
            cia(metric("VI")?)?,
            cia(metric("VA")?)?,
        )
    } else {
        (cia(metric("C")?)?, cia(metric("I")?)?, cia(metric("A")?)?)
    };
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    if impact <= 0.0 {
        return Some(0.0);
    }
    let exploitability = 8.22 * av * ac * pr * ui;
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(round_up(raw))
}

/// CVSS v3.1's Roundup: the smallest number with one decimal at or above the input, computed
/// on integers so that 4.000000001 (a floating-point artefact) stays 4.0.
fn round_up(x: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation)]
    let scaled = (x * 100_000.0).round() as i64;
    if scaled % 10_000 == 0 {
        scaled as f64 / 100_000.0
    } else {
        (scaled / 10_000 + 1) as f64 / 10.0
    }
}

impl Advisory {
    /// Whether a version is affected.
    pub fn affects(&self, eco: Ecosystem, version: &str) -> bool {
        let v = version.trim();
        if self.versions.iter().any(|x| x == v) {
            return true;
        }
        let Some(ver) = Version::parse(eco, v) else {
            return false;
        };
        self.ranges.iter().any(|events| in_range(eco, events, &ver))
    }

    /// Whether a range of versions (a manifest's) admits an affected version.
    pub fn admits(&self, eco: Ecosystem, range: &Range) -> bool {
        self.admitted(eco, range).is_some()
    }

    /// An affected version that a range of versions (a manifest's) admits: the lowest of an
    /// affected interval for npm, a boundary version for PEP 440.
    pub fn admitted(&self, eco: Ecosystem, range: &Range) -> Option<String> {
        if let Some(v) = self
            .versions
            .iter()
            .find(|v| Version::parse(eco, v).is_some_and(|parsed| range.contains(&parsed)))
        {
            return Some(v.clone());
        }
        for events in &self.ranges {
            // npm: intervals as ranges, intersected exactly.
            if eco == Ecosystem::Npm {
                for interval in npm_intervals(events) {
                    if let Some(Some(v)) = range.first_in_npm(&interval) {
                        return Some(v);
                    }
                }
                continue;
            }
            // PEP 440: test the interval's and the range's own boundary versions.
            let mut candidates: Vec<(Version, String)> = events
                .iter()
                .filter(|(k, _)| k == "introduced" || k == "last_affected")
                .filter_map(|(_, v)| Version::parse(eco, v).map(|p| (p, v.clone())))
                .collect();
            candidates.extend(range.bounds());
            candidates.sort_by(|a, b| a.0.compare(&b.0).unwrap_or(Ordering::Equal));
            if let Some((_, name)) = candidates
                .iter()
                .find(|(c, _)| range.contains(c) && in_range(eco, events, c))
            {
                return Some(name.clone());
            }
        }
        None
    }
}

/// Whether a version is inside one OSV range (its events sorted by version).
fn in_range(eco: Ecosystem, events: &[(String, String)], v: &Version) -> bool {
    let mut parsed: Vec<(&str, Version)> = events
        .iter()
        .filter_map(|(k, x)| Version::parse(eco, x).map(|p| (k.as_str(), p)))
        .collect();
    parsed.sort_by(|a, b| {
        a.1.compare(&b.1)
            .unwrap_or(Ordering::Equal)
            // At the same version, a closing event before an opening one.
            .then_with(|| (a.0 == "introduced").cmp(&(b.0 == "introduced")))
    });
    let mut affected = false;
    for (kind, at) in &parsed {
        let ord = at.compare(v).unwrap_or(Ordering::Greater);
        match *kind {
            "introduced" if ord != Ordering::Greater => affected = true,
            "fixed" | "limit" if ord != Ordering::Greater => affected = false,
            "last_affected" if ord == Ordering::Less => affected = false,
            _ => {}
        }
    }
    affected
}

/// An npm OSV range as semver ranges, one per affected interval.
fn npm_intervals(events: &[(String, String)]) -> Vec<String> {
    let mut sorted: Vec<(&str, Version)> = events
        .iter()
        .filter_map(|(k, x)| Version::parse(Ecosystem::Npm, x).map(|p| (k.as_str(), p)))
        .collect();
    sorted.sort_by(|a, b| a.1.compare(&b.1).unwrap_or(Ordering::Equal));
    let show = |v: &Version| match v {
        Version::Npm(v) => v.to_string(),
        Version::Py(v) => v.to_string(),
    };
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for (kind, v) in &sorted {
        match *kind {
            "introduced" => open = Some(show(v)),
            "fixed" | "limit" => {
                if let Some(lo) = open.take() {
                    out.push(format!(">={lo} <{}", show(v)));
                }
            }
            "last_affected" => {
                if let Some(lo) = open.take() {
                    out.push(format!(">={lo} <={}", show(v)));
                }
            }
            _ => {}
        }
    }
    if let Some(lo) = open {
        out.push(format!(">={lo}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(ranges: Vec<Vec<(&str, &str)>>, versions: &[&str]) -> Advisory {
        Advisory {
            id: "T".into(),
            ranges: ranges
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|(a, b)| (a.to_owned(), b.to_owned()))
                        .collect()
                })
                .collect(),
            versions: versions.iter().map(|s| (*s).to_owned()).collect(),
            ..Advisory::default()
        }
    }

    #[test]
    fn npm_events() {
        // qs: introduced 6.3.0, fixed 6.3.2.
        let a = adv(vec![vec![("introduced", "6.3.0"), ("fixed", "6.3.2")]], &[]);
        assert!(a.affects(Ecosystem::Npm, "6.3.1"));
        assert!(!a.affects(Ecosystem::Npm, "6.3.2"));
        assert!(!a.affects(Ecosystem::Npm, "6.2.9"));
        // A prerelease of the fixed version is still affected.
        assert!(a.affects(Ecosystem::Npm, "6.3.2-rc.1"));
        // From the beginning, with no fix: every version.
        let a = adv(vec![vec![("introduced", "0")]], &[]);
        assert!(a.affects(Ecosystem::Npm, "0.0.4"));
        // last_affected is inclusive; limit is exclusive; unsorted events are sorted.
        let a = adv(
            vec![vec![("last_affected", "1.4.3"), ("introduced", "0")]],
            &[],
        );
        assert!(a.affects(Ecosystem::Npm, "1.4.3") && !a.affects(Ecosystem::Npm, "1.4.4"));
        let a = adv(vec![vec![("introduced", "2.0.0"), ("limit", "2.5.0")]], &[]);
        assert!(a.affects(Ecosystem::Npm, "2.4.9") && !a.affects(Ecosystem::Npm, "2.5.0"));
        // Several intervals in one range, and several ranges.
        let a = adv(
            vec![
                vec![
                    ("introduced", "1.0.0"),
                    ("fixed", "1.2.0"),
                    ("introduced", "2.0.0"),
                    ("fixed", "2.1.0"),
                ],
                vec![("introduced", "3.0.0"), ("fixed", "3.0.1")],
            ],
            &[],
        );
        assert!(a.affects(Ecosystem::Npm, "1.1.0"));
        assert!(!a.affects(Ecosystem::Npm, "1.5.0"));
        assert!(a.affects(Ecosystem::Npm, "2.0.5"));
        assert!(a.affects(Ecosystem::Npm, "3.0.0"));
        // Explicit versions.
        let a = adv(vec![], &["0.0.4"]);
        assert!(a.affects(Ecosystem::Npm, "0.0.4") && !a.affects(Ecosystem::Npm, "0.0.5"));
    }

    #[test]
    fn pep440_events() {
        let a = adv(vec![vec![("introduced", "0"), ("fixed", "1.4.2")]], &[]);
        assert!(a.affects(Ecosystem::PyPI, "1.4.1"));
        assert!(
            a.affects(Ecosystem::PyPI, "1.4.2rc1"),
            "a release candidate comes before"
        );
        assert!(a.affects(Ecosystem::PyPI, "1.4.2.dev0"));
        assert!(!a.affects(Ecosystem::PyPI, "1.4.2"));
        assert!(!a.affects(Ecosystem::PyPI, "1.4.2.post1"));
        assert!(!a.affects(Ecosystem::PyPI, "1!0.1"), "a later epoch");
        assert!(a.affects(Ecosystem::PyPI, "1.4.1+local"));
        let a = adv(
            vec![vec![("introduced", "2.0"), ("last_affected", "2.3")]],
            &[],
        );
        assert!(a.affects(Ecosystem::PyPI, "2.3") && !a.affects(Ecosystem::PyPI, "2.3.1"));
    }

    #[test]
    fn ranges_that_admit_an_affected_version() {
        let a = adv(vec![vec![("introduced", "0"), ("fixed", "3.0.2")]], &[]);
        let r = Range::parse(Ecosystem::Npm, "^2.0.0").unwrap();
        assert!(a.admits(Ecosystem::Npm, &r));
        assert_eq!(a.admitted(Ecosystem::Npm, &r).as_deref(), Some("2.0.0"));
        let r = Range::parse(Ecosystem::Npm, "*").unwrap();
        assert_eq!(a.admitted(Ecosystem::Npm, &r).as_deref(), Some("0.0.0"));
        let r = Range::parse(Ecosystem::Npm, "^3.0.2").unwrap();
        assert!(!a.admits(Ecosystem::Npm, &r));
        let a = adv(vec![vec![("introduced", "0"), ("fixed", "2.0")]], &[]);
        let r = Range::parse(Ecosystem::PyPI, ">=1.0").unwrap();
        assert_eq!(a.admitted(Ecosystem::PyPI, &r).as_deref(), Some("1.0"));
        let r = Range::parse(Ecosystem::PyPI, ">=2.0").unwrap();
        assert!(!a.admits(Ecosystem::PyPI, &r));
    }

    #[test]
    fn edge_cases_of_both_ecosystems() {
        let npm_range = |s: &str| Range::parse(Ecosystem::Npm, s).unwrap();
        let py_range = |s: &str| Range::parse(Ecosystem::PyPI, s).unwrap();
        // npm: x-ranges and `||` against an interval.
        let a = adv(vec![vec![("introduced", "2.0.0"), ("fixed", "2.3.5")]], &[]);
        assert!(a.admits(Ecosystem::Npm, &npm_range("2.x")));
        assert!(!a.admits(Ecosystem::Npm, &npm_range("1.x")));
        assert!(a.admits(Ecosystem::Npm, &npm_range("<1.0.0 || >=2.3.0 <2.4.0")));
        assert!(!a.admits(Ecosystem::Npm, &npm_range("<1.0.0 || >=2.4.0")));
        assert!(!a.admits(Ecosystem::Npm, &npm_range("~2.3.5")));
        // npm: a `0.0.x` caret admits only its own patch.
        let a = adv(vec![], &["0.0.4"]);
        assert!(!a.admits(Ecosystem::Npm, &npm_range("^0.0.3")));
        assert!(a.admits(Ecosystem::Npm, &npm_range("^0.0.4")));
        // npm: prereleases order among themselves and before the release.
        let a = adv(
            vec![vec![("fixed", "2.0.0"), ("introduced", "2.0.0-beta.1")]],
            &[],
        );
        assert!(a.affects(Ecosystem::Npm, "2.0.0-beta.3"));
        assert!(a.affects(Ecosystem::Npm, "2.0.0-rc.1"));
        assert!(!a.affects(Ecosystem::Npm, "2.0.0-alpha.9"));
        assert!(!a.affects(Ecosystem::Npm, "2.0.0"));
        // PEP 440: epochs.
        let a = adv(vec![vec![("introduced", "1!1.0"), ("fixed", "1!2.0")]], &[]);
        assert!(a.affects(Ecosystem::PyPI, "1!1.5"));
        assert!(
            !a.affects(Ecosystem::PyPI, "1.5"),
            "epoch 0 is before epoch 1"
        );
        assert!(!a.affects(Ecosystem::PyPI, "1!2.0"));
        // PEP 440: `limit` is exclusive; dev releases come before their release.
        let a = adv(vec![vec![("introduced", "0"), ("limit", "2.0")]], &[]);
        assert!(a.affects(Ecosystem::PyPI, "1.9.post1"));
        assert!(a.affects(Ecosystem::PyPI, "2.0.dev1"));
        assert!(!a.affects(Ecosystem::PyPI, "2.0"));
        // PEP 440: unsorted events; 1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1.
        let a = adv(vec![vec![("fixed", "1.0"), ("introduced", "1.0a1")]], &[]);
        assert!(!a.affects(Ecosystem::PyPI, "1.0.dev0"));
        assert!(a.affects(Ecosystem::PyPI, "1.0a1"));
        assert!(a.affects(Ecosystem::PyPI, "1.0rc2"));
        assert!(!a.affects(Ecosystem::PyPI, "1.0"));
        // PEP 440: last_affected includes the release, not its post-releases; `fixed` at the
        // same version excludes it.
        let last = adv(
            vec![vec![("introduced", "0"), ("last_affected", "1.0")]],
            &[],
        );
        let fixed = adv(vec![vec![("introduced", "0"), ("fixed", "1.0")]], &[]);
        assert!(last.affects(Ecosystem::PyPI, "1.0") && !fixed.affects(Ecosystem::PyPI, "1.0"));
        assert!(!last.affects(Ecosystem::PyPI, "1.0.post1"));
        // PEP 440: a local version sorts after its public version.
        assert!(fixed.affects(Ecosystem::PyPI, "0.9+ubuntu1"));
        assert!(!fixed.affects(Ecosystem::PyPI, "1.0+abc"));
        // PEP 440 ranges: `~=`, `!=` and wildcards judged by whether they admit an affected
        // version.
        let a = adv(vec![vec![("introduced", "1.4"), ("fixed", "1.4.2")]], &[]);
        assert!(a.admits(Ecosystem::PyPI, &py_range("~=1.4")));
        assert!(a.admits(Ecosystem::PyPI, &py_range("==1.4.*")));
        assert!(!a.admits(Ecosystem::PyPI, &py_range(">=1.4.2")));
        assert!(!a.admits(Ecosystem::PyPI, &py_range("<1.4")));
        // An exclusive lower bound: `>1.4.1` admits 1.4.1.0.0.1, before the fix.
        assert_eq!(
            a.admitted(Ecosystem::PyPI, &py_range(">1.4.1")).as_deref(),
            Some("a release after 1.4.1")
        );
        assert!(!a.admits(Ecosystem::PyPI, &py_range(">1.4.2")));
        // Multiple ranges of one package: any of them.
        let a = adv(
            vec![
                vec![("introduced", "0"), ("fixed", "0.9")],
                vec![("introduced", "1.2"), ("last_affected", "1.3")],
            ],
            &[],
        );
        assert!(a.affects(Ecosystem::PyPI, "0.8") && a.affects(Ecosystem::PyPI, "1.3"));
        assert!(!a.affects(Ecosystem::PyPI, "1.0") && !a.affects(Ecosystem::PyPI, "1.3.1"));
    }

    #[test]
    fn cvss_scores() {
        // CVE-2021-44228's vector: 10.0.
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some(10.0)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            Some(5.9)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N"),
            Some(0.0)
        );
        // GHSA-qwph-4952-7xr6 (jsonwebtoken): 6.4; GHSA-p8p7-x288-28g6 (request, scope
        // changed, user interaction): 6.1.
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:H/A:L"),
            Some(6.4)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
            Some(6.1)
        );
        assert_eq!(round_up(4.000_000_001), 4.0);
        assert_eq!(round_up(4.02), 4.1);
    }

    #[test]
    fn records_merge_aliases_and_skip_withdrawn() {
        let r: Record = serde_json::from_str(
            r#"{"id":"GHSA-x","aliases":["CVE-1"],"summary":"s","affected":[
              {"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"6.3.2"}]}]},
              {"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"abc"}]}]}],
              "database_specific":{"severity":"HIGH"}}"#,
        )
        .unwrap();
        let a = advisories(&r);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].2.severity, "high");
        assert_eq!(a[0].2.ranges.len(), 1, "GIT ranges are not version ranges");
        // A v4 vector defers to the database's severity; a v3 vector is computed.
        let v4: Record = serde_json::from_str(
            r#"{"id":"GHSA-v4","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],
              "affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}],"database_specific":{"severity":"LOW"}}"#,
        )
        .unwrap();
        assert_eq!(advisories(&v4)[0].2.severity, "low");
        let v3: Record = serde_json::from_str(
            r#"{"id":"GHSA-v3","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
              "affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}],"database_specific":{"severity":"LOW"}}"#,
        )
        .unwrap();
        assert_eq!(advisories(&v3)[0].2.severity, "critical");
        let none: Record = serde_json::from_str(
            r#"{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":["1.0.0"]}]}"#,
        )
        .unwrap();
        assert_eq!(advisories(&none)[0].2.severity, "medium");
        let w: Record =
            serde_json::from_str(r#"{"id":"W","withdrawn":"2024-01-01T00:00:00Z","affected":[]}"#)
                .unwrap();
        assert!(advisories(&w).is_empty());
    }
}
