//! Which rules run, and at what severity: selectors are codes, code prefixes (`IAM`), rule
//! names, kinds, categories and `ALL`; the most specific selector wins.

use std::collections::BTreeMap;

use perimeter_diagnostics::Severity;

use crate::registry;
use crate::rule::RuleMeta;

/// The user's choice of rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Rules to run; empty means the default set (every stable and deprecated rule).
    pub select: Vec<String>,
    /// Rules not to run.
    pub ignore: Vec<String>,
    /// Severity overrides by selector.
    pub severity: BTreeMap<String, Severity>,
}

/// How specifically a selector names a rule (`None`: it does not). An exact code or name
/// beats a longer prefix, which beats a shorter one, which beats a kind or category, which
/// beats `ALL`.
pub(crate) fn specificity(selector: &str, meta: &RuleMeta) -> Option<u32> {
    let s = selector.trim();
    if s.is_empty() {
        return None;
    }
    let target = registry::redirect(s).unwrap_or(s);
    if target.eq_ignore_ascii_case(meta.code) || target == meta.name {
        return Some(100);
    }
    if s == "ALL" {
        return Some(1);
    }
    if s == meta.kind.as_str() || s == meta.category.as_str() {
        return Some(2);
    }
    let upper = s.to_ascii_uppercase();
    if upper.chars().all(|c| c.is_ascii_alphanumeric())
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && meta.code.starts_with(&upper)
    {
        return Some(10 + u32::try_from(upper.len()).unwrap_or(0));
    }
    None
}

/// Whether a selector names at least one rule (of any status): an unknown selector is a
/// typo or a way to switch the scanner off, never a choice to honour silently.
pub fn names_a_rule(selector: &str) -> bool {
    registry::all()
        .iter()
        .any(|r| specificity(selector, r.meta()).is_some())
}

fn best<'a>(selectors: impl IntoIterator<Item = &'a String>, meta: &RuleMeta) -> Option<u32> {
    selectors
        .into_iter()
        .filter_map(|s| specificity(s, meta))
        .max()
}

impl Selection {
    /// Whether a rule runs. Removed rules never run; preview rules run only when a selector
    /// names them; ties between `select` and `ignore` go to `ignore`.
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        if !meta.status.is_runnable() {
            return false;
        }
        let sel = if self.select.is_empty() {
            meta.status.is_default().then_some(0)
        } else {
            best(&self.select, meta)
        };
        match (sel, best(&self.ignore, meta)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// The severity the user sets for a rule, if any (the most specific selector wins).
    pub fn severity_for(&self, meta: &RuleMeta) -> Option<Severity> {
        self.severity
            .iter()
            .filter_map(|(s, sev)| specificity(s, meta).map(|n| (n, *sev)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, sev)| sev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::by_code_or_name;

    fn meta(code: &str) -> &'static RuleMeta {
        by_code_or_name(code).unwrap().meta()
    }

    fn sel(select: &[&str], ignore: &[&str]) -> Selection {
        Selection {
            select: select.iter().map(|s| (*s).to_owned()).collect(),
            ignore: ignore.iter().map(|s| (*s).to_owned()).collect(),
            severity: BTreeMap::new(),
        }
    }

    #[test]
    fn most_specific_selector_wins() {
        assert!(Selection::default().enabled(meta("IAM001")));
        assert!(!sel(&[], &["IAM"]).enabled(meta("IAM001")));
        assert!(sel(&["IAM001"], &["IAM"]).enabled(meta("IAM001")));
        assert!(!sel(&["IAM"], &["IAM001"]).enabled(meta("IAM001")));
        assert!(sel(&["IAM"], &["IAM001"]).enabled(meta("IAM002")));
        assert!(!sel(&["IAM"], &[]).enabled(meta("AUTH001")));
        assert!(sel(&["wildcard-iam"], &[]).enabled(meta("IAM002")));
        assert!(sel(&["iam-wildcard-action"], &[]).enabled(meta("IAM001")));
        assert!(sel(&["sql-injection"], &[]).enabled(meta("INJ001")));
        assert!(sel(&["injection"], &[]).enabled(meta("INJ005")));
        // `I` is a prefix of `IAM` and `INJ`, not of `AUTH`.
        assert!(!sel(&["I"], &[]).enabled(meta("AUTH001")));
    }

    #[test]
    fn severity_overrides_pick_the_most_specific() {
        let mut s = Selection::default();
        s.severity.insert("IAM".to_owned(), Severity::Low);
        s.severity.insert("IAM001".to_owned(), Severity::Critical);
        assert_eq!(s.severity_for(meta("IAM001")), Some(Severity::Critical));
        assert_eq!(s.severity_for(meta("IAM002")), Some(Severity::Low));
        assert_eq!(s.severity_for(meta("AUTH001")), None);
    }
}
