//! YAML and JSON documents as trees of nodes that keep their spans.
//!
//! CloudFormation short forms (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) are rewritten to their
//! long forms (`{Ref: X}`, `{"Fn::GetAtt": [A, B]}`) while parsing, so loaders see one shape.
//! Alias expansion, nesting depth and file size are bounded (see [`crate::limits`]).

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile};

/// A value with the place it came from.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is written. Nodes produced by resolution keep the place of the text that
    /// produced them.
    pub loc: Loc,
}

/// A YAML/JSON value.
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A value that cannot be known statically, such as `<ssm:/db/password>` or
    /// `<env:STAGE>`; the text is that display form.
    Symbolic(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are strings (non-string keys are stringified).
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its place.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key is written.
    pub loc: Loc,
}

/// Why a document could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong, for people.
    pub message: String,
    /// Byte offset, when known.
    pub offset: Option<u32>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses the first YAML (or JSON) document of a file. See the module documentation.
pub fn parse(file: &Arc<SourceFile>) -> Result<Node, ParseError> {
    parse_impl::parse(file)
}

/// Parses a JSON settings file as the tools that own it read it: `zappa_settings.json`,
/// `.chalice/config.json`, Azure's `local.settings.json` and `function.json` are read by
/// loaders that accept comments (`//`, `/* */`) and trailing commas. These are blanked with
/// spaces (so every span stays where it is in the file) and the rest is parsed as usual.
pub fn parse_settings(file: &Arc<SourceFile>) -> Result<Node, ParseError> {
    parse_settings_noted(file).map(|(node, _)| node)
}

/// What [`parse_settings`] read that strict JSON does not allow, at a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tolerated {
    /// The line of the first byte concerned.
    pub line: u32,
    /// `comment`, `trailing comma` or `missing comma`.
    pub what: &'static str,
}

/// [`parse_settings`], with what was read tolerantly: a missing comma between two members
/// or items is read as if it were there (a space before the next one becomes the comma).
pub fn parse_settings_noted(file: &Arc<SourceFile>) -> Result<(Node, Vec<Tolerated>), ParseError> {
    let (text, notes) = blank_json_extras(file.text());
    let node = match text {
        None => parse_impl::parse(file)?,
        Some(text) => parse_impl::parse_with_text(file, &text)?,
    };
    Ok((node, notes))
}

/// One warning for a settings file read tolerantly: the file, the first line concerned and
/// what was tolerated where; `None` when it was strict JSON.
pub fn tolerated_warning(path: &str, notes: &[Tolerated]) -> Option<String> {
    let first = notes.iter().map(|n| n.line).min()?;
    let mut parts: Vec<String> = Vec::new();
    for what in ["missing comma", "trailing comma", "comment"] {
        let lines: Vec<String> = notes
            .iter()
            .filter(|n| n.what == what)
            .map(|n| n.line.to_string())
            .collect();
        if lines.is_empty() {
            continue;
        }
        let more = lines.len().saturating_sub(5);
        let shown = lines.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let (one, many) = (what.to_owned(), format!("{what}s"));
        let label = if lines.len() == 1 { one } else { many };
        let word = if lines.len() == 1 { "line" } else { "lines" };
        parts.push(if more > 0 {
            format!("{label} at {word} {shown} and {more} more")
        } else {
            format!("{label} at {word} {shown}")
        });
    }
    Some(format!(
        "{path}:{first}: not strict JSON, read as its tool reads it ({})",
        parts.join("; ")
    ))
}

/// The text with JSON comments and trailing commas replaced by spaces and missing commas
/// written in place of a space, or `None` when it has none of these; with what was changed.
/// Strings are skipped, escapes included; line breaks inside block comments are kept. Only
/// a text that starts like JSON is touched: in YAML, `//` and adjacent strings are valid.
fn blank_json_extras(text: &str) -> (Option<String>, Vec<Tolerated>) {
    let b = text.as_bytes();
    let mut notes: Vec<Tolerated> = Vec::new();
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if !(trimmed.starts_with('{')
        || trimmed.starts_with('[')
        || trimmed.starts_with("//")
        || trimmed.starts_with("/*"))
    {
        return (None, notes);
    }
    let line_of = |i: usize| -> u32 {
        u32::try_from(b[..i].iter().filter(|c| **c == b'\n').count() + 1).unwrap_or(u32::MAX)
    };
    let mut out = b.to_vec();
    let mut changed = false;
    // The end (exclusive) of the last token that completes a value, when nothing but
    // blanks and comments followed it yet.
    let mut value_end: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'{' | b'[' => {
                if let Some(end) = value_end.take()
                    && end < i
                    && out[end].is_ascii_whitespace()
                {
                    out[end] = b',';
                    changed = true;
                    notes.push(Tolerated {
                        line: line_of(i),
                        what: "missing comma",
                    });
                }
                if b[i] == b'"' {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                    // A key is followed by `:`, so it never takes a comma: only the next
                    // significant byte decides, and `:` clears this.
                    value_end = Some(i.min(b.len()));
                } else {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                notes.push(Tolerated {
                    line: line_of(i),
                    what: "comment",
                });
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                changed = true;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                notes.push(Tolerated {
                    line: line_of(i),
                    what: "comment",
                });
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                for c in &mut out[i..end] {
                    if *c != b'\n' {
                        *c = b' ';
                    }
                }
                i = end;
                changed = true;
            }
            b',' => {
                value_end = None;
                let mut j = i + 1;
                while j < b.len() && (out[j].is_ascii_whitespace() || out[j] == b'/') {
                    // A comment after the comma is blanked when the loop reaches it.
                    if out[j] == b'/' {
                        break;
                    }
                    j += 1;
                }
                if matches!(b.get(j), Some(b'}' | b']')) {
                    out[i] = b' ';
                    changed = true;
                    notes.push(Tolerated {
                        line: line_of(i),
                        what: "trailing comma",
                    });
                }
                i += 1;
            }
            b'}' | b']' => {
                i += 1;
                value_end = Some(i);
            }
            c if c.is_ascii_whitespace() => i += 1,
            c if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'+' => {
                // A number or `true`, `false`, `null`.
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'.' | b'+'))
                {
                    i += 1;
                }
                value_end = Some(i);
            }
            _ => {
                value_end = None;
                i += 1;
            }
        }
    }
    notes.sort_by_key(|n| n.line);
    // Only ASCII bytes were replaced by ASCII bytes, so the text is still UTF-8.
    let text = changed.then(|| String::from_utf8(out).unwrap_or_else(|_| text.to_owned()));
    (text, notes)
}

mod parse_impl;

impl Node {
    /// A node at a location.
    pub fn new(value: Value, loc: Loc) -> Self {
        Self { value, loc }
    }

    /// The value under a mapping key (exact match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value under a mapping key, ignoring ASCII case.
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key node of a mapping entry.
    pub fn key(&self, key: &str) -> Option<&Key> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, _)| k),
            _ => None,
        }
    }

    /// Follows a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Mapping entries (empty for other values).
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sequence items; a single non-sequence value is a one-item list, null is empty.
    pub fn items(&self) -> Vec<&Node> {
        match &self.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// The string of a string node (not of symbolic values).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text: strings, numbers, booleans and symbolic values.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) | Value::Symbolic(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An integer, from an int node or a string holding one.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean, from a bool node or the strings `true`/`false` (any case).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// Whether this is a symbolic (unknowable) value.
    pub fn is_symbolic(&self) -> bool {
        matches!(self.value, Value::Symbolic(_))
    }

    /// Whether this is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The single key of a one-entry mapping whose key is an intrinsic function
    /// (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Condition`, ...), with its argument.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.value {
            Value::Map(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                (k.name == "Ref" || k.name == "Condition" || k.name.starts_with("Fn::"))
                    .then_some((k.name.as_str(), v))
            }
            _ => None,
        }
    }

    /// The logical ids this value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`
    /// (`${X}` and `${X.Arn}`), searched recursively. Pseudo parameters (`AWS::...`) are
    /// left out.
    pub fn referenced_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_refs(self, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// A compact one-line rendering for messages and the inventory (`!Ref Queue`,
    /// `!GetAtt Table.Arn`, `"text"`).
    pub fn display(&self) -> String {
        display(self, 0)
    }

    /// The value as plain JSON, with intrinsics kept in their long form; a float JSON cannot
    /// hold (`.nan`, `.inf`, `-.inf`) is its YAML text rather than `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) if f.is_nan() => serde_json::Value::from(".nan"),
            Value::Float(f) if f.is_infinite() => {
                serde_json::Value::from(if *f > 0.0 { ".inf" } else { "-.inf" })
            }
            Value::Float(f) => serde_json::Value::from(*f),
            Value::Str(s) | Value::Symbolic(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.name.clone(), v.to_json()))
                .collect(),
        }
    }
}

fn collect_refs(node: &Node, out: &mut Vec<String>) {
    if let Some((name, arg)) = node.intrinsic() {
        match name {
            "Ref" => {
                if let Some(s) = arg.as_str()
                    && !s.starts_with("AWS::")
                {
                    out.push(s.to_owned());
                }
                return;
            }
            "Fn::GetAtt" => {
                match &arg.value {
                    Value::Seq(items) => {
                        if let Some(s) = items.first().and_then(Node::as_str) {
                            out.push(s.to_owned());
                        }
                    }
                    Value::Str(s) => {
                        out.push(s.split('.').next().unwrap_or(s).to_owned());
                    }
                    _ => {}
                }
                return;
            }
            "Fn::Sub" => {
                let template = match &arg.value {
                    Value::Seq(items) => items.first(),
                    _ => Some(arg),
                };
                if let Some(t) = template.and_then(Node::as_str) {
                    for var in sub_variables(t) {
                        let id = var.split('.').next().unwrap_or(var);
                        if !id.starts_with("AWS::") {
                            out.push(id.to_owned());
                        }
                    }
                }
                if let Value::Seq(items) = &arg.value {
                    for item in items.iter().skip(1) {
                        collect_refs(item, out);
                    }
                }
                return;
            }
            _ => {}
        }
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| collect_refs(n, out)),
        Value::Map(entries) => entries.iter().for_each(|(_, n)| collect_refs(n, out)),
        _ => {}
    }
}

/// The `${Name}` variables of an `Fn::Sub` template (`${!Literal}` escapes are skipped).
pub fn sub_variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let var = after[..j].trim();
        if !var.starts_with('!') {
            out.push(var);
        }
        rest = &after[j + 1..];
    }
    out
}

fn display(node: &Node, depth: usize) -> String {
    if depth > 4 {
        return "…".to_owned();
    }
    if let Some((name, arg)) = node.intrinsic() {
        let short = name.strip_prefix("Fn::").unwrap_or(name);
        return match (&arg.value, name) {
            (Value::Seq(items), "Fn::GetAtt") => format!(
                "!GetAtt {}",
                items
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            _ => format!("!{short} {}", display(arg, depth + 1)),
        };
    }
    match &node.value {
        Value::Null => "null".to_owned(),
        Value::Str(s) => s.clone(),
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|n| display(n, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", k.name, display(v, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn settings_json_with_comments_and_trailing_commas_is_read_in_place() {
        let text = "{\n  // the app\n  \"IsEncrypted\": false, /* no */\n  \"Values\": {\n    \"KEY\": \"v\",\n  },\n}\n";
        let file = SourceFile::new("local.settings.json", text);
        let doc = parse_settings(&file).unwrap();
        assert_eq!(doc.get("IsEncrypted").unwrap().as_bool(), Some(false));
        let key = doc.get("Values").unwrap().get("KEY").unwrap();
        assert_eq!(key.as_str(), Some("v"));
        assert!(key.loc.text().starts_with("\"v\""));
        assert_eq!(key.loc.start().line, 5);
    }

    #[test]
    fn a_missing_comma_between_members_is_read_and_noted_at_its_line() {
        let text = "{\n  \"dev\": {\n    \"app_function\": \"app.app\"\n    \"s3_bucket\": \"b\"\n  }\n  \"prod\": {\"x\": [1, 2, {\"a\": true} {\"b\": null}]},\n}\n";
        let file = SourceFile::new("zappa_settings.json", text);
        let (doc, notes) = parse_settings_noted(&file).unwrap();
        let dev = doc.get("dev").unwrap();
        assert_eq!(dev.get("app_function").unwrap().as_str(), Some("app.app"));
        let bucket = dev.get("s3_bucket").unwrap();
        assert_eq!(bucket.as_str(), Some("b"));
        assert_eq!(bucket.loc.start().line, 4, "spans stay where they are");
        assert_eq!(doc.path(&["prod", "x"]).unwrap().items().len(), 4);
        let missing: Vec<u32> = notes
            .iter()
            .filter(|n| n.what == "missing comma")
            .map(|n| n.line)
            .collect();
        assert_eq!(missing, [4, 6, 6]);
        let w = tolerated_warning("zappa_settings.json", &notes).unwrap();
        assert!(
            w.starts_with("zappa_settings.json:4: not strict JSON"),
            "{w}"
        );
        assert!(w.contains("missing commas at lines 4, 6, 6"), "{w}");
        assert!(w.contains("trailing comma at line 6"), "{w}");
    }

    #[test]
    fn strict_json_and_yaml_are_left_alone() {
        let strict = SourceFile::new("c.json", "{\"a\": [1, 2], \"b\": {\"c\": \"d\"}}");
        let (_, notes) = parse_settings_noted(&strict).unwrap();
        assert!(notes.is_empty());
        assert_eq!(tolerated_warning("c.json", &notes), None);
        // In YAML, `//` in a plain scalar and adjacent quoted strings are valid.
        let yaml = SourceFile::new(
            "zappa_settings.yaml",
            "dev:\n  url: http://example.com\n  a: \"x\"\n\"b\": \"y\"\n",
        );
        let (doc, notes) = parse_settings_noted(&yaml).unwrap();
        assert!(notes.is_empty());
        assert_eq!(
            doc.path(&["dev", "url"]).unwrap().as_str(),
            Some("http://example.com")
        );
    }

    #[test]
    fn slashes_inside_strings_are_not_comments() {
        let text = "{\"url\": \"https://example.com/a,}\", \"b\": [1,]}";
        let doc = parse_settings(&SourceFile::new("x.json", text)).unwrap();
        assert_eq!(
            doc.get("url").unwrap().as_str(),
            Some("https://example.com/a,}")
        );
        assert_eq!(doc.get("b").unwrap().items().len(), 1);
    }
}
