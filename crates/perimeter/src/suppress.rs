//! Inline suppressions: a comment `perimeter: ignore[CODE] -- reason` on the flagged line or
//! the line above silences that rule there. The reason is required: a suppression without
//! one is not honoured, and the report says so. Only a real comment counts (the parsers'
//! comments for code, `#` comments for YAML), never a string that holds the marker.

use std::sync::Arc;

use perimeter_diagnostics::{Finding, SourceFile};

use crate::config::selector_matches;

/// Where suppression comments are looked for.
pub trait Lines {
    /// The file at a relative path, if it was read.
    fn file(&self, path: &str) -> Option<Arc<SourceFile>>;
}

/// A parsed suppression comment.
#[derive(Debug, PartialEq, Eq)]
struct Suppression<'a> {
    selectors: Vec<&'a str>,
    reason: Option<&'a str>,
}

const MARKER: &str = "perimeter: ignore[";

fn parse(line: &str) -> Option<Suppression<'_>> {
    let at = line.find(MARKER)?;
    // Only inside a comment: `#` (YAML, Python) or `//` (JavaScript) before the marker.
    let before = &line[..at];
    if !(before.contains('#') || before.contains("//") || before.contains("/*")) {
        return None;
    }
    let rest = &line[at + MARKER.len()..];
    let close = rest.find(']')?;
    let selectors = rest[..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>();
    let tail = rest[close + 1..].trim_start();
    let reason = tail
        .strip_prefix("--")
        .map(|r| r.trim().trim_end_matches("*/").trim())
        .filter(|r| !r.is_empty());
    Some(Suppression { selectors, reason })
}

/// The suppression a line holds, if its marker is inside one of `comments` (byte ranges of
/// the file); `line_start` is the line's offset.
fn parse_in_comment<'a>(
    text: &'a str,
    line_start: usize,
    comments: &[(usize, usize)],
) -> Option<Suppression<'a>> {
    let at = line_start + text.find(MARKER)?;
    if !comments.iter().any(|&(s, e)| s <= at && at < e) {
        return None;
    }
    parse(text)
}

/// Removes suppressed findings; returns warnings for suppressions that lack a reason, and
/// how many findings were suppressed.
pub fn apply(findings: &mut Vec<Finding>, files: &dyn Lines) -> (Vec<String>, usize) {
    let mut warnings = Vec::new();
    let mut comments: std::collections::HashMap<String, Vec<(usize, usize)>> =
        std::collections::HashMap::new();
    // Whether each file holds a suppression at all, looked for once per file: a descriptor
    // of megabytes with thousands of findings was searched whole for each of them.
    let mut marked: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let before = findings.len();
    findings.retain(|f| {
        let Some(file) = files.file(&f.path) else {
            return true;
        };
        if !*marked
            .entry(f.path.clone())
            .or_insert_with(|| file.text().contains(MARKER))
        {
            return true;
        }
        let ranges = comments
            .entry(f.path.clone())
            .or_insert_with(|| perimeter_code::comments::comment_ranges(file.path(), file.text()));
        for line in [f.line, f.line.saturating_sub(1)] {
            if line == 0 {
                continue;
            }
            let text = file.line_text(line);
            let start = file.offset(perimeter_diagnostics::Position { line, column: 1 }) as usize;
            let Some(s) = parse_in_comment(text, start, ranges) else {
                continue;
            };
            if !s.selectors.iter().any(|sel| selector_matches(sel, f)) {
                continue;
            }
            if s.reason.is_some() {
                return false;
            }
            warnings.push(format!(
                "{}:{line}: suppression of {} has no reason (`-- why`); not honoured",
                f.path, f.rule
            ));
        }
        true
    });
    warnings.sort();
    warnings.dedup();
    (warnings, before - findings.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_only() {
        let s = parse("  Action: '*'  # perimeter: ignore[IAM001, SEC001] -- break-glass role")
            .unwrap();
        assert_eq!(s.selectors, ["IAM001", "SEC001"]);
        assert_eq!(s.reason, Some("break-glass role"));
        assert_eq!(parse("// perimeter: ignore[INJ001]").unwrap().reason, None);
        assert!(parse("x = 'perimeter: ignore[INJ001] -- no'").is_none());
    }
}
