//! The code table: every rule, looked up by code or name; renamed rules redirect.

use crate::rule::Rule;
use crate::rules;

/// Old codes and names that now live under another code. Codes are never reused.
pub const REDIRECTS: &[(&str, &str)] = &[
    // Names used in early design notes.
    ("os-command-injection", "INJ003"),
    ("sql-injection", "INJ001"),
    ("nosql-injection", "INJ002"),
    ("code-injection", "INJ004"),
];

/// Every rule, in code order.
pub fn all() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// The code a renamed code or name now goes by.
pub fn redirect(s: &str) -> Option<&'static str> {
    REDIRECTS
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(s))
        .map(|(_, new)| *new)
}

/// A rule by code (any case), kebab name, or a redirected old code or name.
pub fn by_code_or_name(s: &str) -> Option<&'static dyn Rule> {
    let s = s.trim();
    let target = redirect(s).unwrap_or(s);
    all()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(target) || r.meta().name == target)
}
