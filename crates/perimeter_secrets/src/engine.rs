//! The scanning engine: one keyword prefilter pass over the file, then each detector on the
//! lines its keywords hit, then overlap resolution, confidence adjustment and ordering.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use perimeter_diagnostics::Span;

use crate::detectors::{DETECTORS, Found};
use crate::{Confidence, FileContext, SecretMatch, files, value};

/// Bytes of a file that are scanned; the rest is ignored (generated data, dumps).
pub(crate) const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Lines longer than this are minified bundles or data blobs: skipped by most detectors.
pub(crate) const MAX_LINE_BYTES: usize = 2_000;
/// At most this many matches are reported for one file.
const MAX_MATCHES: usize = 1_000;

/// The prefilter: every detector keyword (ASCII, matched case-insensitively) and, for each
/// keyword, the detectors it wakes up.
struct Prefilter {
    automaton: AhoCorasick,
    detectors_of: Vec<Vec<usize>>,
}

static PREFILTER: LazyLock<Prefilter> = LazyLock::new(|| {
    // Deduplicate keywords (lowercased) so one hit wakes every detector that shares it.
    let mut by_keyword: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in DETECTORS.iter().enumerate() {
        for k in d.keywords {
            by_keyword
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
    }
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(by_keyword.keys())
        .expect("the keyword automaton builds");
    Prefilter {
        automaton,
        detectors_of: by_keyword.into_values().collect(),
    }
});

/// The scanned text with its line starts.
pub(crate) struct Text<'a> {
    /// The text (at most [`MAX_FILE_BYTES`]).
    pub(crate) src: &'a str,
    /// What the file is.
    pub(crate) context: FileContext,
    line_starts: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(src: &'a str, context: FileContext) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self {
            src,
            context,
            line_starts,
        }
    }

    /// Number of lines.
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of a 0-based line, without its line break.
    pub(crate) fn line_range(&self, line: usize) -> (usize, usize) {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.src.len());
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.src.len(), |&e| e - 1);
        if end > start && self.src.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// `(start offset, text)` of a 0-based line, or `None` when it is longer than `max` bytes.
    pub(crate) fn line(&self, line: usize, max: usize) -> Option<(usize, &'a str)> {
        let (s, e) = self.line_range(line);
        (e - s <= max).then(|| (s, &self.src[s..e]))
    }
}

/// Scans `src` (the text of the file at `path`) with every detector. Matches in test files
/// and copy-me templates (`.env.example`) are lowered to medium confidence.
pub(crate) fn scan_text(path: &str, src: &str, context: FileContext) -> Vec<SecretMatch> {
    let src = &src[..src.floor_char_boundary(MAX_FILE_BYTES)];
    let text = Text::new(src, context);
    let prefilter = &*PREFILTER;

    // Lines on which each detector has a keyword hit, in order.
    let mut lines: Vec<Vec<usize>> = vec![Vec::new(); DETECTORS.len()];
    for hit in prefilter.automaton.find_overlapping_iter(src) {
        let line = text.line_of(hit.start());
        for &d in &prefilter.detectors_of[hit.pattern().as_usize()] {
            if lines[d].last() != Some(&line) {
                lines[d].push(line);
            }
        }
    }

    let mut found: Vec<(usize, Found)> = Vec::new();
    let mut buf = Vec::new();
    for (d, detector_lines) in lines.iter_mut().enumerate() {
        if detector_lines.is_empty() {
            continue;
        }
        // Overlapping keyword hits arrive in end order: restore line order and uniqueness.
        detector_lines.sort_unstable();
        detector_lines.dedup();
        (DETECTORS[d].run)(&text, detector_lines, &mut buf);
        found.extend(buf.drain(..).map(|f| (d, f)));
    }

    let recorded = files::is_recorded_data_path(path);
    let example = files::is_example_path(path);
    let frontend = files::is_frontend_build_config(path);
    let mut out: Vec<SecretMatch> = resolve_overlaps(found)
        .into_iter()
        .filter_map(|(d, f)| {
            let id = DETECTORS[d].id;
            // Recorded data (a captured event's bearer token, a seed user's password, a
            // test's stub): only a provider's own format is worth reporting there.
            if recorded && GENERIC_DETECTORS.contains(&id) {
                return None;
            }
            let value = src.get(f.start..f.end)?;
            // Vendors' and RFCs' published examples are never leaks, whatever matched them.
            if value::is_documented_example(value) {
                return None;
            }
            let span = Span::new(u32::try_from(f.start).ok()?, u32::try_from(f.end).ok()?);
            let confidence = if recorded {
                Confidence::Low
            } else if example || (frontend && id == "google-api-key") {
                Confidence::Medium.min(f.confidence)
            } else {
                f.confidence
            };
            Some(SecretMatch {
                detector: id,
                description: DETECTORS[d].description,
                span,
                redacted: value::redact(value),
                confidence,
                key: key_before(&text, f.start),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.span, a.detector).cmp(&(b.span, b.detector)));
    out.truncate(MAX_MATCHES);
    out
}

/// Detectors that judge a value by its name or its shape rather than a provider's format.
const GENERIC_DETECTORS: &[&str] = &[
    crate::detectors::GENERIC_ID,
    "jwt",
    "http-basic-credentials",
    "signing-key-literal",
];

/// The key or variable a value at `start` is assigned to on its line: `NAME = "v"`,
/// `"name": "v"`, `name: v`, `NAME=v`, `self.name = 'v'`, `Header-Name: v`.
fn key_before(text: &Text<'_>, start: usize) -> Option<String> {
    let (line_start, _) = text.line_range(text.line_of(start));
    let before = text.src.get(line_start..start)?;
    // Drop the value's opening quote and the operator.
    let before = before.trim_end_matches(['"', '\'', '`', '\\', ' ', '\t']);
    let before = before
        .strip_suffix(":=")
        .or_else(|| before.strip_suffix('='))
        .or_else(|| before.strip_suffix(':'))?;
    let before = before.trim_end_matches(['"', '\'', '`', '\\', ' ', '\t', ']']);
    let key_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$' | '@')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = before[key_start..].trim_matches(['.', '-']);
    (!key.is_empty() && key.len() <= 80 && key.starts_with(|c: char| !c.is_ascii_digit()))
        .then(|| key.to_owned())
}

/// Keeps, among overlapping matches, the one of the earliest (most specific) detector; ties
/// go to the earlier, then longer, match.
fn resolve_overlaps(mut found: Vec<(usize, Found)>) -> Vec<(usize, Found)> {
    found.sort_by(|(da, a), (db, b)| {
        (da, a.start, std::cmp::Reverse(a.end)).cmp(&(db, b.start, std::cmp::Reverse(b.end)))
    });
    // Accepted matches, non-overlapping, keyed by start: `start -> (end, index in found)`.
    let mut accepted: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, (_, f)) in found.iter().enumerate() {
        let before = accepted
            .range(..=f.start)
            .next_back()
            .is_some_and(|(_, &(end, _))| end > f.start);
        let inside = accepted
            .range(f.start..f.end.max(f.start + 1))
            .next()
            .is_some();
        if !before && !inside && f.end > f.start {
            accepted.insert(f.start, (f.end, i));
        }
    }
    let keep: Vec<usize> = accepted.values().map(|&(_, i)| i).collect();
    let mut slots: Vec<Option<(usize, Found)>> = found.into_iter().map(Some).collect();
    keep.into_iter().filter_map(|i| slots[i].take()).collect()
}
