//! The builder from saphyr-parser events to [`Node`] trees: byte spans, CloudFormation short
//! forms rewritten to long forms, aliases expanded within a budget, merge keys, bounded
//! depth. It never recurses over the input, so no document can overflow the stack.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::{Key, Node, ParseError, Value};
use crate::limits::{MAX_ALIAS_NODES, MAX_DEPTH};

/// CloudFormation short-form tags and the long-form key they stand for.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("ImportValue", "Fn::ImportValue"),
    ("FindInMap", "Fn::FindInMap"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// Converts the parser's character indices to byte offsets of the original text. When the
/// text was re-indented to be parsed (see [`parse`]), `inserted` holds the byte positions, in
/// the parsed text, of the spaces that were added, so every offset maps back to the file.
struct Offsets {
    /// `None` for ASCII text, where characters are bytes.
    table: Option<Vec<u32>>,
    len: u32,
    inserted: Vec<u32>,
}

impl Offsets {
    fn new(text: &str, inserted: Vec<u32>) -> Self {
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        if text.is_ascii() {
            return Self {
                table: None,
                len,
                inserted,
            };
        }
        let mut table: Vec<u32> = text
            .char_indices()
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        table.push(len);
        Self {
            table: Some(table),
            len,
            inserted,
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        let parsed = match &self.table {
            None => u32::try_from(char_index).unwrap_or(u32::MAX).min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        };
        let before = self.inserted.partition_point(|q| *q < parsed);
        parsed - u32::try_from(before).unwrap_or(0)
    }
}

enum Frame {
    Seq {
        start: u32,
        flow: bool,
        anchor: usize,
        tag: Option<(String, Loc)>,
        items: Vec<Node>,
    },
    Map {
        start: u32,
        flow: bool,
        anchor: usize,
        tag: Option<(String, Loc)>,
        entries: Vec<(Key, Node)>,
        pending_key: Option<Node>,
    },
}

struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    offsets: Offsets,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node, usize)>,
    expanded: usize,
    root: Option<Node>,
}

fn count_nodes(node: &Node) -> usize {
    let mut n = 0;
    let mut stack = vec![node];
    while let Some(x) = stack.pop() {
        n += 1;
        match &x.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    n
}

fn error(message: String, offset: u32) -> ParseError {
    ParseError {
        message,
        offset: Some(offset),
    }
}

impl Builder<'_> {
    fn loc(&self, start: u32, end: u32) -> Loc {
        Loc::new(self.file, Span::new(start, end.max(start)))
    }

    fn position_text(&self, offset: u32) -> String {
        let p = self.file.position(offset);
        format!("line {}:{} (offset {offset})", p.line, p.column)
    }

    /// The place of the `!Tag` written at or after `start` (after an anchor, if any), for
    /// the key of a rewritten short form.
    fn tag_loc(&self, start: u32, end: u32) -> Loc {
        let text = self.file.text().as_bytes();
        let from = start as usize;
        let to = (end as usize).min(text.len());
        let bang = text
            .get(from..to)
            .and_then(|s| s.iter().position(|b| *b == b'!'));
        match bang {
            Some(i) => {
                let tag_start = from + i;
                let len = text[tag_start..]
                    .iter()
                    .position(|b| {
                        b.is_ascii_whitespace() || matches!(b, b'[' | b'{' | b',' | b']' | b'}')
                    })
                    .unwrap_or(text.len() - tag_start);
                let s = u32::try_from(tag_start).unwrap_or(start);
                let e = u32::try_from(tag_start + len).unwrap_or(s);
                self.loc(s, e)
            }
            None => self.loc(start, start),
        }
    }

    /// Adds a finished node to the collection being built, or makes it the root.
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            let size = count_nodes(&node);
            self.anchors.retain(|(id, _, _)| *id != anchor);
            self.anchors.push((anchor, node.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    let name = key.scalar_text().unwrap_or_else(|| key.display());
                    entries.push((Key { name, loc: key.loc }, node));
                }
            },
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, offset: u32) -> Result<(), ParseError> {
        let Some((_, node, size)) = self.anchors.iter().find(|(a, _, _)| *a == id) else {
            return Err(error(
                format!("unknown alias at {}", self.position_text(offset)),
                offset,
            ));
        };
        self.expanded += size;
        if self.expanded > MAX_ALIAS_NODES {
            return Err(error(
                format!(
                    "alias expansion exceeds {MAX_ALIAS_NODES} nodes at {} (possible billion-laughs attack)",
                    self.position_text(offset)
                ),
                offset,
            ));
        }
        let node = node.clone();
        self.push(node, 0)
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        start: u32,
        end: u32,
    ) -> Node {
        let end = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                quoted_end(self.file.text(), start, end)
            }
            _ => end,
        };
        let loc = self.loc(start, end);
        let value = match tag {
            Some(t) if t.is_yaml_core_schema() => match t.suffix.as_str() {
                "str" | "binary" | "timestamp" => Value::Str(text.to_owned()),
                "int" => text
                    .parse()
                    .map_or_else(|_| Value::Str(text.to_owned()), Value::Int),
                "float" => text
                    .parse()
                    .map_or_else(|_| Value::Str(text.to_owned()), Value::Float),
                "bool" => plain_scalar(text),
                "null" => Value::Null,
                _ => Value::Str(text.to_owned()),
            },
            _ if style == ScalarStyle::Plain => plain_scalar(text),
            _ => Value::Str(text.to_owned()),
        };
        let node = Node::new(value, loc.clone());
        match tag.and_then(short_form) {
            Some(long) => {
                let key_loc = self.tag_loc(start, end);
                tagged(long, node, loc, key_loc)
            }
            None => node,
        }
    }

    fn close(&mut self, end_offset: u32) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        match frame {
            Frame::Seq {
                start,
                flow,
                anchor,
                tag,
                items,
            } => {
                let end = if flow {
                    end_offset
                } else {
                    items.last().map_or(end_offset, |n| n.loc.span.end)
                };
                let loc = self.loc(start, end);
                let node = Node::new(Value::Seq(items), loc.clone());
                let node = match tag {
                    Some((long, key_loc)) => tagged(&long, node, loc, key_loc),
                    None => node,
                };
                self.push(node, anchor)
            }
            Frame::Map {
                start,
                flow,
                anchor,
                tag,
                entries,
                pending_key,
            } => {
                let mut entries = entries;
                if let Some(key) = pending_key {
                    // A key without a value (`key:` at the end of a flow map).
                    let name = key.scalar_text().unwrap_or_default();
                    let loc = key.loc;
                    entries.push((
                        Key {
                            name,
                            loc: loc.clone(),
                        },
                        Node::new(Value::Null, loc),
                    ));
                }
                let entries = merge_keys(entries);
                let end = if flow {
                    end_offset
                } else {
                    entries
                        .last()
                        .map_or(end_offset, |(k, v)| v.loc.span.end.max(k.loc.span.end))
                };
                let loc = self.loc(start, end);
                let node = Node::new(Value::Map(dedupe(entries)), loc.clone());
                let node = match tag {
                    Some((long, key_loc)) => tagged(&long, node, loc, key_loc),
                    None => node,
                };
                self.push(node, anchor)
            }
        }
    }
}

/// The end of a quoted scalar written from `start` (after its tag and anchor, if any): just
/// past its closing quote. The parser's span runs on over a comment that follows it.
fn quoted_end(text: &str, start: u32, end: u32) -> u32 {
    let b = text.as_bytes();
    let to = (end as usize).min(b.len());
    let Some(open) = (start as usize..to).find(|i| matches!(b[*i], b'"' | b'\'')) else {
        return end;
    };
    let quote = b[open];
    let mut i = open + 1;
    while i < to {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return u32::try_from(i + 1).unwrap_or(end),
            _ => i += 1,
        }
    }
    end
}

fn short_form(tag: &Tag) -> Option<&'static str> {
    if tag.handle != "!" {
        return None;
    }
    SHORT_FORMS
        .iter()
        .find(|(short, _)| *short == tag.suffix)
        .map(|(_, long)| *long)
}

/// `!GetAtt A.B` is `{"Fn::GetAtt": [A, B]}`; every other short form wraps its argument.
fn tagged(long: &str, arg: Node, loc: Loc, key_loc: Loc) -> Node {
    let arg = if long == "Fn::GetAtt" {
        match &arg.value {
            Value::Str(s) => match s.split_once('.') {
                Some((a, b)) => Node::new(
                    Value::Seq(vec![
                        Node::new(Value::Str(a.to_owned()), arg.loc.clone()),
                        Node::new(Value::Str(b.to_owned()), arg.loc.clone()),
                    ]),
                    arg.loc.clone(),
                ),
                None => arg,
            },
            _ => arg,
        }
    } else {
        arg
    };
    Node::new(
        Value::Map(vec![(
            Key {
                name: long.to_owned(),
                loc: key_loc,
            },
            arg,
        )]),
        loc,
    )
}

/// `<<: *base` merges the entries of a map (or of each map of a list) that the mapping does
/// not set itself.
fn merge_keys(entries: Vec<(Key, Node)>) -> Vec<(Key, Node)> {
    if !entries.iter().any(|(k, _)| k.name == "<<") {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) =
        entries.into_iter().partition(|(k, _)| k.name == "<<");
    for (_, value) in merges {
        let sources: Vec<Node> = match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) => items,
            _ => Vec::new(),
        };
        for source in sources {
            if let Value::Map(inner) = source.value {
                for (k, v) in inner {
                    if !own.iter().any(|(o, _)| o.name == k.name) {
                        own.push((k, v));
                    }
                }
            }
        }
    }
    own
}

/// Duplicate keys: the later value wins, at the earlier key's position.
fn dedupe(entries: Vec<(Key, Node)>) -> Vec<(Key, Node)> {
    if entries.len() < 2 {
        return entries;
    }
    let mut out: Vec<(Key, Node)> = Vec::with_capacity(entries.len());
    let mut seen = rustc_hash::FxHashMap::default();
    for (k, v) in entries {
        if let Some(&i) = seen.get(&k.name) {
            out[i] = (k, v);
        } else {
            seen.insert(k.name.clone(), out.len());
            out.push((k, v));
        }
    }
    out
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ if text.eq_ignore_ascii_case("true") => return Value::Bool(true),
        _ if text.eq_ignore_ascii_case("false") => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let unsigned = bytes
        .strip_prefix(b"-")
        .or_else(|| bytes.strip_prefix(b"+"))
        .unwrap_or(bytes);
    if digits(unsigned) {
        return text
            .parse()
            .map_or_else(|_| Value::Str(text.to_owned()), Value::Int);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return i64::from_str_radix(hex, 16)
            .map_or_else(|_| Value::Str(text.to_owned()), Value::Int);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && !oct.is_empty()
        && oct.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return i64::from_str_radix(oct, 8)
            .map_or_else(|_| Value::Str(text.to_owned()), Value::Int);
    }
    if is_float(unsigned)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.to_owned())
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(s: &[u8]) -> bool {
    let mut i = 0;
    let int_digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == s.len()
        && (frac_digits > 0 || s.contains(&b'.') || s.iter().any(|b| *b == b'e' || *b == b'E'))
}

/// How many times one document may be repaired and parsed again before it is refused.
const MAX_REPAIRS: usize = 64;
/// How many bytes the repairs of one document may insert in all.
const MAX_INSERTED: usize = 4096;
/// How many bytes the parses of one document may read in all, repaired retries included, so
/// a large hostile document cannot multiply its cost by [`MAX_REPAIRS`] (a 100 KiB template
/// gets every repair, a 4 MiB one 7).
const MAX_REPARSED_BYTES: usize = 32 << 20;

/// Where and why the parser stopped: a byte offset of the parsed text and the parser's words.
type Stop = Option<(usize, String)>;

/// Parses a YAML or JSON document as the frameworks' loaders read it. The YAML 1.2 parser
/// refuses a few constructs that PyYAML (which SAM and the AWS CLI use) and js-yaml (the
/// Serverless Framework's) accept. When the parser stops at one of them, the text is repaired
/// by inserting bytes that change no value, and parsed again, with every span mapped back to
/// the original text (the inserted bytes are skipped). The repairs:
/// - flow content (a `[` ... `]` or `{` ... `}` spanning lines) less indented than the block
///   it sits in, such as a closing `]` at its key's column: the line is indented by a space;
/// - continuation lines of a multi-line quoted scalar less indented than its block: they are
///   indented past it (a quoted scalar's line breaks fold, so leading spaces are not content);
/// - a comment with no space before its `#` after a quoted scalar or a flow indicator
///   (`"value"# note`, `]#note`, `,#note`): a space;
/// - a plain `-` as a flow item (`[-, x]`), read as the string `-`: it is quoted.
///
/// At most [`MAX_REPAIRS`] parses more, [`MAX_INSERTED`] inserted bytes and
/// [`MAX_REPARSED_BYTES`] read per document; any other error is a real error.
pub(super) fn parse(file: &Arc<SourceFile>) -> Result<Node, ParseError> {
    let mut inserted: Vec<u32> = Vec::new();
    let mut patched: Option<String> = None;
    let mut repairs = 0;
    loop {
        let text = patched.as_deref().unwrap_or_else(|| file.text());
        let mut stop = None;
        let err = match parse_text(file, text, inserted.clone(), &mut stop) {
            Ok(node) => return Ok(node),
            Err(e) => e,
        };
        let Some(patch) = stop
            .filter(|_| may_retry(repairs, text.len()))
            .and_then(|(at, info)| repair(text, at, &info))
            .filter(|p| {
                inserted.len() + p.iter().map(|(_, s)| s.len()).sum::<usize>() <= MAX_INSERTED
            })
        else {
            return Err(err);
        };
        repairs += 1;
        patched = Some(apply(text, patch, &mut inserted));
    }
}

/// Whether a document of `len` bytes, already repaired `repairs` times, may be parsed again.
fn may_retry(repairs: usize, len: usize) -> bool {
    repairs < MAX_REPAIRS && (repairs + 2).saturating_mul(len) <= MAX_REPARSED_BYTES
}

/// The insertions (byte offset of `text`, bytes) that let the parser past the error it stopped
/// at, for the constructs [`parse`] repairs; `None` for every other error.
fn repair(text: &str, at: usize, info: &str) -> Option<Vec<(usize, &'static str)>> {
    let at = at.min(text.len());
    if info.starts_with("invalid indentation in quoted scalar") {
        return quoted_continuations(text, at);
    }
    if info.starts_with("invalid indentation") {
        return flow_line_start(text, at).map(|p| vec![(p, " ")]);
    }
    if info.starts_with("comments must be separated from other tokens by whitespace") {
        // After a quoted scalar or a flow indicator, as PyYAML accepts; not after a block
        // scalar header or a directive, which PyYAML refuses too.
        let b = text.as_bytes();
        let after_end = at > 0 && matches!(b[at - 1], b'"' | b'\'' | b']' | b'}' | b',');
        return (b.get(at) == Some(&b'#') && after_end).then(|| vec![(at, " ")]);
    }
    if info.starts_with("plain scalar cannot start with '-' followed by") {
        return (text.as_bytes().get(at) == Some(&b'-')).then(|| vec![(at, "\""), (at + 1, "\"")]);
    }
    None
}

/// Inserts `patch` into `text`, recording the inserted bytes' positions (in the new text) in
/// `inserted`, which stays sorted.
fn apply(text: &str, mut patch: Vec<(usize, &str)>, inserted: &mut Vec<u32>) -> String {
    patch.sort_by_key(|(p, _)| *p);
    let added: usize = patch.iter().map(|(_, s)| s.len()).sum();
    let mut next = String::with_capacity(text.len() + added);
    let mut from = 0;
    let mut shift = 0u32;
    let mut new_positions = Vec::new();
    let mut old = inserted.iter().copied().peekable();
    let mut moved = Vec::with_capacity(inserted.len() + added);
    for (p, s) in &patch {
        next.push_str(&text[from..*p]);
        let q = u32::try_from(*p).unwrap_or(u32::MAX);
        // Earlier insertions before this point move by what was added before them.
        while let Some(o) = old.next_if(|o| *o < q) {
            moved.push(o + shift);
        }
        for i in 0..s.len() {
            new_positions.push(q + shift + u32::try_from(i).unwrap_or(0));
        }
        next.push_str(s);
        shift += u32::try_from(s.len()).unwrap_or(0);
        from = *p;
    }
    next.push_str(&text[from..]);
    moved.extend(old.map(|o| o + shift));
    moved.extend(new_positions);
    moved.sort_unstable();
    *inserted = moved;
    next
}

/// For a multi-line quoted scalar starting at `at` (its quote): the spaces that indent each
/// continuation line to one column past the indentation of the line the scalar starts on.
/// `None` when the scalar does not close or no line needs them.
fn quoted_continuations(text: &str, at: usize) -> Option<Vec<(usize, &'static str)>> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let need = bytes[line_start..at]
        .iter()
        .take_while(|b| **b == b' ')
        .count()
        + 1;
    let mut i = at + 1;
    let mut out = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return (!out.is_empty()).then_some(out),
            b'\n' => {
                i += 1;
                let indent = bytes[i..].iter().take_while(|b| **b == b' ').count();
                let rest = bytes.get(i + indent);
                // Empty lines need no indentation; content and the closing quote do.
                if indent < need && !matches!(rest, None | Some(b'\n' | b'\r')) {
                    out.extend(std::iter::repeat_n((i, " "), need - indent));
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Parses `text`, a copy of the file's text with some bytes blanked (same length), with spans
/// in the file.
pub(super) fn parse_with_text(file: &Arc<SourceFile>, text: &str) -> Result<Node, ParseError> {
    parse_text(file, text, Vec::new(), &mut None)
}

/// A literal or folded scalar that runs to the end of a file with no final line break has no
/// final line break either (the spec's `b-chomped-last` is a break or the end of the input, and
/// PyYAML reads it so); the parser adds one. `open_end` is the length of the file's text
/// without its trailing spaces when that text does not end with a line break, else `None`.
fn block_scalar_at_end(
    value: std::borrow::Cow<'_, str>,
    style: ScalarStyle,
    open_end: Option<usize>,
    end: u32,
) -> std::borrow::Cow<'_, str> {
    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
        && open_end.is_some_and(|e| end as usize >= e)
        && value.ends_with('\n')
    {
        let mut v = value.into_owned();
        v.pop();
        return std::borrow::Cow::Owned(v);
    }
    value
}

/// The start of the line of `at` (a byte offset of `text`) when that line continues a flow
/// collection: it starts with a closing `]` or `}`, or the line before it ends with `[`, `{`
/// or `,`. Otherwise `None`: an indentation error in block context is a real error.
fn flow_line_start(text: &str, at: usize) -> Option<usize> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let rest = text[line_start..].trim_start_matches(' ');
    if rest.starts_with(']') || rest.starts_with('}') {
        return Some(line_start);
    }
    let before = text[..line_start.saturating_sub(1)]
        .lines()
        .rev()
        .map(|l| l.split(" #").next().unwrap_or(l).trim_end())
        .find(|l| !l.trim().is_empty())?;
    before.ends_with(['[', '{', ',']).then_some(line_start)
}

/// One parse of `text` (the file's text, or a repaired copy whose added bytes are at
/// `inserted`). When the parser stops at an error, `stopped` is set to the byte offset in
/// `text` where it stopped, with the parser's message.
fn parse_text(
    file: &Arc<SourceFile>,
    text: &str,
    inserted: Vec<u32>,
    stopped: &mut Stop,
) -> Result<Node, ParseError> {
    let mut b = Builder {
        file,
        offsets: Offsets::new(text, inserted),
        stack: Vec::new(),
        anchors: Vec::new(),
        expanded: 0,
        root: None,
    };
    let trimmed = file.text().trim_end_matches([' ', '\t']);
    let open_end = (!trimmed.ends_with(['\n', '\r'])).then_some(trimmed.len());
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            let offset = b.offsets.byte(e.marker().index());
            let info = if e.info().contains("recursion limit") {
                "nesting deeper than the parser's limit"
            } else {
                e.info()
            };
            // Where the parser stopped in the text it read, for a repaired retry.
            *stopped = Some((
                text.char_indices()
                    .nth(e.marker().index())
                    .map_or(text.len(), |(i, _)| i),
                e.info().to_owned(),
            ));
            error(format!("{info} at {}", b.position_text(offset)), offset)
        })?;
        let start = b.offsets.byte(span.start.index());
        let end = b.offsets.byte(span.end.index());
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    // Only the first document of a stream is a descriptor.
                    break;
                }
            }
            Event::DocumentEnd => {
                if b.root.is_some() {
                    break;
                }
            }
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::Alias(id) => b.alias(id, start)?,
            Event::Scalar(value, style, anchor, tag) => {
                let value = block_scalar_at_end(value, style, open_end, end);
                let node = b.scalar(&value, style, tag.as_deref(), start, end);
                b.push(node, anchor)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if b.stack.len() >= MAX_DEPTH {
                    return Err(error(
                        format!(
                            "nesting deeper than {MAX_DEPTH} levels at {}",
                            b.position_text(start)
                        ),
                        start,
                    ));
                }
                // The event's span ends after `[`/`{` for flow collections (block ones start
                // with a zero-width token); anchors and tags come before it.
                let flow = end > start
                    && matches!(
                        file.text().as_bytes().get(end as usize - 1),
                        Some(b'[' | b'{')
                    );
                let tag = tag
                    .as_deref()
                    .and_then(short_form)
                    .map(|long| (long.to_owned(), b.tag_loc(start, end)));
                let is_seq = matches!(&event, Event::SequenceStart(..));
                b.stack.push(if is_seq {
                    Frame::Seq {
                        start,
                        flow,
                        anchor,
                        tag,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        flow,
                        anchor,
                        tag,
                        entries: Vec::new(),
                        pending_key: None,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => b.close(end)?,
        }
    }
    Ok(b.root
        .unwrap_or_else(|| Node::new(Value::Null, Loc::new(file, Span::new(0, 0)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, ParseError> {
        parse(&SourceFile::new("t.yml", text))
    }

    /// A flow sequence whose closing bracket sits at its key's column, as in real SAM
    /// templates: PyYAML and js-yaml read it, so perimeter does, with spans in the file.
    #[test]
    fn flow_collection_closed_at_the_key_column_is_read_with_true_spans() {
        let text = "Statement:\n  - Effect: Allow\n    Action: [\n      \"s3:GetObject\",\n      \"s3:PutObject\"\n    ]\n    Resource: '*'\n  - Sid: b\n    Principal: { AWS:\n      \"x\"\n    }\n";
        let node = parse_str(text).unwrap();
        let statements = node.get("Statement").unwrap().items();
        let action = statements[0].get("Action").unwrap().items();
        assert_eq!(action.len(), 2);
        assert_eq!(action[1].as_str(), Some("s3:PutObject"));
        assert_eq!(action[1].loc.text(), "\"s3:PutObject\"");
        assert_eq!(action[1].loc.start().line, 5);
        let resource = statements[0].get("Resource").unwrap();
        assert_eq!(resource.loc.text(), "'*'");
        assert_eq!(resource.loc.start().line, 7);
        let principal = statements[1].get("Principal").unwrap();
        assert_eq!(principal.get("AWS").unwrap().as_str(), Some("x"));
    }

    /// Constructs PyYAML reads that the YAML 1.2 parser refuses: repaired with spans in the
    /// file.
    #[test]
    fn pyyaml_leniencies_are_read_with_true_spans() {
        let text = "a: \"one\ntwo\n  three\"\nb: 'x\ny' # c\nc: \"v\"# note\nd: [p, q]#n\ne: [-, -]\nf: [a,#n\n  b]\n";
        let n = parse_str(text).unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("one two three"));
        assert_eq!(n.get("a").unwrap().loc.text(), "\"one\ntwo\n  three\"");
        assert_eq!(n.get("b").unwrap().as_str(), Some("x y"));
        assert_eq!(n.get("c").unwrap().as_str(), Some("v"));
        assert_eq!(n.get("c").unwrap().loc.text(), "\"v\"");
        assert_eq!(n.get("d").unwrap().items().len(), 2);
        let e = n.get("e").unwrap().items();
        assert_eq!(e[1].as_str(), Some("-"));
        assert_eq!(e[1].loc.text(), "-");
        assert_eq!(e[1].loc.start().line, 8);
        assert_eq!(n.get("f").unwrap().items()[1].loc.text(), "b");
    }

    /// A block scalar that ends the file without a final line break has none.
    #[test]
    fn block_scalar_at_the_end_of_a_file_without_a_final_break() {
        let n = parse_str("a: |\n  x\n  y").unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("x\ny"));
        let n = parse_str("a: |\n  x\n  y\n").unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("x\ny\n"));
        let n = parse_str("a: >\n  x\n  y\nb: 1").unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("x y\n"));
        let n = parse_str("a: |\n  x\n# c").unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("x\n"));
    }

    /// Repairs are bounded: a document needing more than the budget is refused.
    #[test]
    fn repairs_are_bounded() {
        let mut text = String::from("a: [\n");
        for _ in 0..(MAX_REPAIRS + 1) {
            text.push_str("x,\n");
        }
        text.push_str("]\n");
        let err = parse_str(&text).unwrap_err();
        assert!(err.message.contains("indentation"), "{}", err.message);
    }

    /// A large document gets fewer repaired retries: the parses of one document read at most
    /// `MAX_REPARSED_BYTES` in all.
    #[test]
    fn repairs_of_a_large_document_are_bounded_by_its_size() {
        assert!(may_retry(0, 100 << 10));
        assert!(may_retry(MAX_REPAIRS - 1, 100 << 10));
        assert!(!may_retry(MAX_REPAIRS, 100 << 10));
        assert!(may_retry(6, 4 << 20));
        assert!(!may_retry(7, 4 << 20));
        assert!(!may_retry(0, 10 << 20 << 2));
    }

    /// Block content that is under-indented is still an error: only flow content is forgiven.
    #[test]
    fn under_indented_block_content_is_still_refused() {
        assert!(parse_str("a:\n    b: 1\n  c: 2\n").is_err());
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let n =
            parse_str("a: 30\nb: '30'\nc: true\nd: ~\ne: 2012-10-17\nf: 1.5\ng: 0x1F\nh: yes\n")
                .unwrap();
        assert!(matches!(n.get("a").unwrap().value, Value::Int(30)));
        assert!(matches!(n.get("b").unwrap().value, Value::Str(_)));
        assert!(matches!(n.get("c").unwrap().value, Value::Bool(true)));
        assert!(n.get("d").unwrap().is_null());
        assert_eq!(n.get("e").unwrap().as_str(), Some("2012-10-17"));
        assert!(matches!(n.get("f").unwrap().value, Value::Float(_)));
        assert!(matches!(n.get("g").unwrap().value, Value::Int(31)));
        assert_eq!(n.get("h").unwrap().as_str(), Some("yes"));
    }

    #[test]
    fn is_float_accepts_only_floats() {
        for f in ["1.5", ".5", "1e3", "1.", "1.5E-3"] {
            assert!(is_float(f.as_bytes()), "{f}");
        }
        for s in ["1", "a", "1e", ".", "1.2.3", "1-2"] {
            assert!(!is_float(s.as_bytes()), "{s}");
        }
    }
}
