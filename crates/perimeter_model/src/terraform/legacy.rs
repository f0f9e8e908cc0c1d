//! Terraform 0.11 (HCL1) syntax read tolerantly: a map attribute written as a block
//! (`tags { Name = "x" }`, `response_models { "application/json" = "Empty" }`) is read as
//! the attribute it stands for (`tags = { ... }`).
//!
//! The rewrite replaces the blank between the block's name and its `{` by `=`, so every
//! byte keeps its offset and every span still points into the file as written. A comma
//! after an attribute's value, which HCL1 allowed, is read as a blank the same way. What HCL2
//! reads the same in both versions (quoted block labels, `"${var.x}"` strings, lists of
//! interpolations, `type = "map"`) needs nothing.

use hcl_edit::Span as _;
use hcl_edit::structure::{Body, Structure};

/// Attributes of the AWS provider that hold a map, and that Terraform 0.11 let one write as
/// a block.
const MAP_ATTRIBUTES: &[&str] = &[
    "tags",
    "tags_all",
    "variables",
    "request_parameters",
    "request_templates",
    "request_models",
    "response_models",
    "response_parameters",
    "response_templates",
    "stage_variables",
];

/// Most blocks rewritten in one file (each rewrite is one more parse of the file).
const MAX_REWRITES: usize = 64;

/// Most bytes parsed again for the rewrites of one file.
const MAX_REPARSED_BYTES: usize = 64 << 20;

/// The body of a file, read as HCL2 and, where HCL2 refuses a 0.11 construct or reads a map
/// attribute as a block, with those blocks read as attributes. The error is the first one
/// left once the 0.11 constructs are read. `true` when something was rewritten.
pub(crate) fn parse(text: &str) -> Result<(Body, bool), hcl_edit::parser::Error> {
    let mut bytes = text.as_bytes().to_vec();
    let mut rewritten = false;
    let mut last_error = None;
    // Each rewrite parses the file again: a large file gets fewer.
    let tries = MAX_REWRITES.min((MAX_REPARSED_BYTES / text.len().max(1)).max(1));
    for _ in 0..tries {
        // Only `=` replaces an ASCII blank: the bytes stay UTF-8.
        let current = std::str::from_utf8(&bytes).unwrap_or(text);
        match hcl_edit::parser::parse_body(current) {
            Ok(body) => {
                let blocks = map_blocks(current, &body);
                if blocks.is_empty() {
                    return Ok((body, rewritten));
                }
                for at in blocks {
                    bytes[at] = b'=';
                }
                rewritten = true;
            }
            Err(e) => {
                // What is left once the 0.11 constructs are read is the file's error.
                let offset = e.location().offset();
                if let Some(at) = trailing_comma(current, offset) {
                    bytes[at] = b' ';
                } else if let Some(at) = enclosing_header(current, offset) {
                    bytes[at] = b'=';
                } else {
                    return Err(e);
                }
                last_error = Some(e);
                rewritten = true;
            }
        }
    }
    match last_error {
        Some(e) => Err(e),
        None => hcl_edit::parser::parse_body(text).map(|b| (b, false)),
    }
}

/// The offsets of the blank before `{` of every block nested in a top-level block that is a
/// known map attribute written as a block (no labels, attributes only).
fn map_blocks(text: &str, body: &Body) -> Vec<usize> {
    let mut out = Vec::new();
    for s in body.iter() {
        if let Structure::Block(b) = s {
            nested_map_blocks(text, &b.body, &mut out);
        }
    }
    out
}

fn nested_map_blocks(text: &str, body: &Body, out: &mut Vec<usize>) {
    for s in body.iter() {
        let Structure::Block(b) = s else { continue };
        if b.labels.is_empty()
            && MAP_ATTRIBUTES.contains(&b.ident.as_str())
            && b.body.iter().all(|x| matches!(x, Structure::Attribute(_)))
            && let Some(at) = b.ident.span().and_then(|r| blank_before_brace(text, r.end))
        {
            out.push(at);
        } else {
            nested_map_blocks(text, &b.body, out);
        }
    }
}

/// The last blank between a block's name (ending at `from`) and its `{`.
fn blank_before_brace(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let brace = rest.find('{')?;
    let gap = &rest[..brace];
    if gap.is_empty() || !gap.bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    Some(from + brace - 1)
}

/// The comma HCL1 allowed after an attribute's value (`max_session_duration = 3600,`), when
/// the error is at it and only blanks or a comment follow it on its line: HCL2 reads the
/// attribute once the comma is a blank.
fn trailing_comma(text: &str, offset: usize) -> Option<usize> {
    if text.as_bytes().get(offset) != Some(&b',') {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let head = &text[line_start..offset];
    let (name, value) = head.split_once('=')?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'"')
        || value.trim().is_empty()
    {
        return None;
    }
    let rest = text[offset + 1..]
        .split('\n')
        .next()
        .unwrap_or("")
        .trim_start();
    (rest.is_empty() || rest.starts_with('#') || rest.starts_with("//")).then_some(offset)
}

/// The blank to rewrite for the innermost block open at `offset`, when it is a block with
/// a bare name and no labels (`response_models {`) whose body HCL2 refused.
fn enclosing_header(text: &str, offset: usize) -> Option<usize> {
    let open = innermost_open_brace(text, offset)?;
    let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
    let header = &text[line_start..open];
    let name = header.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        || !header.ends_with([' ', '\t'])
    {
        return None;
    }
    Some(open - 1)
}

/// The offset of the innermost `{` of the configuration still open at `offset` (braces in
/// strings, interpolations, comments and heredocs do not count).
fn innermost_open_brace(text: &str, offset: usize) -> Option<usize> {
    enum Ctx {
        Brace(usize),
        Str,
        Interp,
    }
    let b = text.as_bytes();
    let end = offset.min(b.len());
    let mut stack: Vec<Ctx> = Vec::new();
    let mut i = 0;
    while i < end {
        let c = b[i];
        if matches!(stack.last(), Some(Ctx::Str)) {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    stack.pop();
                }
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Ctx::Interp);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => stack.push(Ctx::Str),
            b'{' => stack.push(Ctx::Brace(i)),
            b'}' => {
                stack.pop();
            }
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 1);
            }
            b'<' if b.get(i + 1) == Some(&b'<') => i = heredoc_end(text, i),
            _ => {}
        }
        i += 1;
    }
    stack.iter().rev().find_map(|c| match c {
        Ctx::Brace(p) => Some(*p),
        _ => None,
    })
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The end of a heredoc starting at `i` (`<<EOF` or `<<-EOF`): the end of its closing line.
fn heredoc_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    let marker = &text[start..j];
    if marker.is_empty() {
        return i + 1;
    }
    let mut pos = line_end(b, j);
    while pos < b.len() {
        let next = line_end(b, pos + 1);
        if text[pos + 1..next].trim() == marker {
            return next;
        }
        pos = next;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_with_quoted_keys_is_read_as_a_map_with_offsets_kept() {
        let text = "resource \"a\" \"b\" {\n  response_models {\n    \"application/json\" = \"Empty\"\n  }\n}\n";
        let (body, rewritten) = parse(text).unwrap();
        assert!(rewritten);
        let r = body.get_blocks("resource").next().unwrap();
        let a = r.body.get_attribute("response_models").unwrap();
        let span = a.value.span().unwrap();
        assert_eq!(&text[span.start..span.start + 1], "{");
    }

    #[test]
    fn tags_block_is_an_attribute_and_real_blocks_stay_blocks() {
        let text = "resource \"a\" \"b\" {\n  tags {\n    Name = \"x\"\n  }\n  environment {\n    variables {\n      A = \"1\"\n    }\n  }\n}\n";
        let (body, _) = parse(text).unwrap();
        let r = body.get_blocks("resource").next().unwrap();
        assert!(r.body.get_attribute("tags").is_some());
        let env = r.body.get_blocks("environment").next().unwrap();
        assert!(env.body.get_attribute("variables").is_some());
    }

    #[test]
    fn a_file_broken_otherwise_keeps_its_error() {
        let text = "resource \"a\" \"b\" {\n  x = = 1\n}\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.location().line(), 2);
        // A brace in a string or a heredoc is not a block.
        let text = "locals {\n  s = \"{\"\n  h = <<EOF\n{\nEOF\n}\nfoo {\n  \"k\" = 1\n}\n";
        assert!(parse(text).is_ok());
    }

    #[test]
    fn a_comma_after_an_attribute_is_read_as_hcl1_did() {
        let text = "resource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n  max_session_duration = 3600, # one hour\n  path = \"/\"\n}\n";
        let (body, rewritten) = parse(text).unwrap();
        assert!(rewritten);
        let r = body.get_blocks("resource").next().unwrap();
        let a = r.body.get_attribute("path").unwrap();
        assert_eq!(a.value.span().unwrap().start, text.find("\"/\"").unwrap());
        // A comma that is not the end of an attribute's line stays an error.
        assert!(parse("resource \"a\" \"b\" {\n  a = 1, b = 2\n}\n").is_err());
        assert!(parse("resource \"a\" \"b\" {\n  a = 1,,\n}\n").is_err());
    }
}
