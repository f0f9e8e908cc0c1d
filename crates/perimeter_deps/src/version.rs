//! Versions and ranges by each ecosystem's rules: npm semver (prereleases, `||`, x-ranges,
//! carets and tildes) and PEP 440 (epochs, pre, post and dev releases, local versions).

use std::cmp::Ordering;
use std::str::FromStr;

use crate::Ecosystem;

/// A parsed version of an ecosystem.
#[derive(Clone, Debug)]
pub enum Version {
    /// npm.
    Npm(nodejs_semver::Version),
    /// PyPI.
    Py(pep440_rs::Version),
}

impl Version {
    /// Parses a version; OSV's `"0"` (the beginning of time) is the lowest version.
    pub fn parse(eco: Ecosystem, s: &str) -> Option<Self> {
        let s = s.trim();
        match eco {
            Ecosystem::Npm => {
                let s = if s == "0" {
                    "0.0.0-0"
                } else {
                    s.trim_start_matches('v')
                };
                nodejs_semver::Version::parse(s).ok().map(Version::Npm)
            }
            Ecosystem::PyPI => {
                let s = if s == "0" { "0.dev0" } else { s };
                pep440_rs::Version::from_str(s).ok().map(Version::Py)
            }
        }
    }

    /// Compares two versions of the same ecosystem.
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::Py(a), Version::Py(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// A range a manifest allows (`^2.0.0`, `>=1.0,<2`).
#[derive(Clone, Debug)]
pub enum Range {
    /// npm.
    Npm(nodejs_semver::Range),
    /// PEP 440 specifiers.
    Py(pep440_rs::VersionSpecifiers),
}

impl Range {
    /// Parses a range; `*` and the empty range admit everything.
    pub fn parse(eco: Ecosystem, s: &str) -> Option<Self> {
        let s = s.trim();
        match eco {
            Ecosystem::Npm => nodejs_semver::Range::parse(if s.is_empty() { "*" } else { s })
                .ok()
                .map(Range::Npm),
            Ecosystem::PyPI => {
                let s = if s == "*" { "" } else { s };
                pep440_rs::VersionSpecifiers::from_str(s)
                    .ok()
                    .map(Range::Py)
            }
        }
    }

    /// Whether a version satisfies the range.
    pub fn contains(&self, v: &Version) -> bool {
        match (self, v) {
            (Range::Npm(r), Version::Npm(v)) => r.satisfies(v),
            (Range::Py(r), Version::Py(v)) => r.contains(v),
            _ => false,
        }
    }

    /// Versions worth testing against an affected interval: the range's own bounds, each
    /// with how to name it.
    pub fn bounds(&self) -> Vec<(Version, String)> {
        match self {
            Range::Npm(r) => r
                .min_version()
                .map(|v| {
                    let name = v.to_string();
                    (Version::Npm(v), name)
                })
                .into_iter()
                .collect(),
            Range::Py(r) => r
                .iter()
                .flat_map(|s| {
                    let v = s.version();
                    // `>1.0` admits nothing of 1.0 itself: test the next release after it
                    // (1.0.0.0.1, before any 1.0.1).
                    let next = (*s.operator() == pep440_rs::Operator::GreaterThan
                        && !v.any_prerelease()
                        && !v.is_post()
                        && !v.is_local())
                    .then(|| {
                        let mut release = v.release().to_vec();
                        release.extend([0, 0, 0, 1]);
                        (
                            Version::Py(v.clone().with_release(release)),
                            format!("a release after {v}"),
                        )
                    });
                    std::iter::once((Version::Py(v.clone()), v.to_string())).chain(next)
                })
                .collect(),
        }
    }

    /// Whether the range admits a version of an npm interval written as a range
    /// (`>=1.0.0 <1.4.4`).
    pub fn allows_any_npm(&self, interval: &str) -> Option<bool> {
        self.first_in_npm(interval).map(|v| v.is_some())
    }

    /// The lowest version of an npm interval (written as a range) that the range admits;
    /// `Some(None)` when it admits none, `None` for a PEP 440 range.
    pub fn first_in_npm(&self, interval: &str) -> Option<Option<String>> {
        let Range::Npm(r) = self else { return None };
        let i = nodejs_semver::Range::parse(interval).ok()?;
        if !r.allows_any(&i) {
            return Some(None);
        }
        let lowest = r.intersect(&i).and_then(|x| x.min_version());
        // OSV's "0" is written `0.0.0-0`; say `0.0.0`.
        Some(Some(lowest.map_or_else(
            || "a version".to_owned(),
            |v| {
                let s = v.to_string();
                if s == "0.0.0-0" {
                    "0.0.0".to_owned()
                } else {
                    s
                }
            },
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npm(s: &str) -> Version {
        Version::parse(Ecosystem::Npm, s).unwrap()
    }

    fn py(s: &str) -> Version {
        Version::parse(Ecosystem::PyPI, s).unwrap()
    }

    #[test]
    fn npm_order_with_prereleases() {
        assert_eq!(
            npm("1.0.0-alpha").compare(&npm("1.0.0")),
            Some(Ordering::Less)
        );
        assert_eq!(
            npm("1.0.0-alpha.1").compare(&npm("1.0.0-alpha.beta")),
            Some(Ordering::Less)
        );
        assert_eq!(
            npm("1.0.0-rc.1").compare(&npm("1.0.0-beta.11")),
            Some(Ordering::Greater)
        );
        assert_eq!(npm("0").compare(&npm("0.0.0")), Some(Ordering::Less));
        assert_eq!(npm("v2.1.0").compare(&npm("2.1.0")), Some(Ordering::Equal));
    }

    #[test]
    fn npm_ranges() {
        let r = Range::parse(Ecosystem::Npm, "^0.0.3").unwrap();
        assert!(r.contains(&npm("0.0.3")));
        assert!(!r.contains(&npm("0.0.4")), "caret on 0.0.x pins the patch");
        let r = Range::parse(Ecosystem::Npm, "1.x || >=2.5.0 <3").unwrap();
        assert!(r.contains(&npm("1.9.9")) && r.contains(&npm("2.6.0")));
        assert!(!r.contains(&npm("2.4.0")));
        // Prereleases are outside a range unless it names the same version's prerelease.
        let r = Range::parse(Ecosystem::Npm, "^1.2.0").unwrap();
        assert!(!r.contains(&npm("1.3.0-beta")));
        let r = Range::parse(Ecosystem::Npm, "^2.0.0").unwrap();
        assert_eq!(r.allows_any_npm(">=0.0.0-0 <3.0.2"), Some(true));
        assert_eq!(r.allows_any_npm(">=3.0.2"), Some(false));
    }

    #[test]
    fn pep440_order() {
        assert_eq!(py("1.0.dev0").compare(&py("1.0a1")), Some(Ordering::Less));
        assert_eq!(py("1.0a1").compare(&py("1.0")), Some(Ordering::Less));
        assert_eq!(py("1.0").compare(&py("1.0.post1")), Some(Ordering::Less));
        assert_eq!(
            py("1!0.5").compare(&py("2.0")),
            Some(Ordering::Greater),
            "epochs first"
        );
        assert_eq!(py("1.0+abc").compare(&py("1.0")), Some(Ordering::Greater));
        assert_eq!(py("1.0.0").compare(&py("1.0")), Some(Ordering::Equal));
        assert_eq!(py("0").compare(&py("0.0.1")), Some(Ordering::Less));
    }

    #[test]
    fn pep440_specifiers() {
        let r = Range::parse(Ecosystem::PyPI, ">=2.0,!=2.1.*,<3").unwrap();
        assert!(r.contains(&py("2.0.5")) && !r.contains(&py("2.1.3")) && !r.contains(&py("3.0")));
        let r = Range::parse(Ecosystem::PyPI, "~=1.4.2").unwrap();
        assert!(r.contains(&py("1.4.9")) && !r.contains(&py("1.5.0")));
        assert!(
            Range::parse(Ecosystem::PyPI, "*")
                .unwrap()
                .contains(&py("9.9"))
        );
    }
}
