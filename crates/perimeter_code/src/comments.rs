//! Where the comments of a file are, so that only a real comment can carry an instruction to
//! perimeter (an inline suppression), never a string that looks like one.

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::Ranged;

/// The byte ranges of the comments of `text`, a file at `path`: from the JavaScript and
/// TypeScript parser or the Python tokens for code (none when the file does not parse), and
/// from a line lexer for YAML, TOML, `.env` and other `#`-commented files (`#` at a line's
/// start or after white space, outside quotes and block scalars). JSON has none.
pub fn comment_ranges(path: &str, text: &str) -> Vec<(usize, usize)> {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => {
            if crate::limits::nesting_error(path, text).is_some() {
                return Vec::new();
            }
            let alloc = Allocator::default();
            let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::mjs());
            let ret = Parser::new(&alloc, text, source_type).parse();
            if ret.panicked {
                return Vec::new();
            }
            ret.program
                .comments
                .iter()
                .map(|c| (c.span.start as usize, c.span.end as usize))
                .collect()
        }
        "py" | "pyi" => {
            if crate::limits::nesting_error(path, text).is_some() {
                return Vec::new();
            }
            let Ok(parsed) = ruff_python_parser::parse_module(text) else {
                return Vec::new();
            };
            parsed
                .tokens()
                .iter()
                .filter(|t| t.kind() == TokenKind::Comment)
                .map(|t| (t.start().to_usize(), t.end().to_usize()))
                .collect()
        }
        "json" | "ipynb" => Vec::new(),
        _ => hash_comments(text),
    }
}

/// `#` comments of YAML and similar line-based formats.
fn hash_comments(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    // The indentation of the key that opened a block scalar (`key: |`), while in one.
    let mut block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        if let Some(key_indent) = block {
            if body.trim().is_empty() || indent > key_indent {
                continue;
            }
            block = None;
        }
        let b = body.as_bytes();
        let (mut quote, mut i) = (None::<u8>, 0);
        let mut comment_at = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(b'"') if c == b'\\' => i += 1,
                Some(q) if c == q => {
                    // `''` inside a single-quoted scalar is an escaped quote.
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        quote = None;
                    }
                }
                Some(_) => {}
                None if c == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') => {
                    comment_at = Some(i);
                    break;
                }
                None if (c == b'\'' || c == b'"')
                    && (i == 0
                        || matches!(
                            b[i - 1],
                            b' ' | b'\t' | b':' | b'[' | b'{' | b',' | b'=' | b'-'
                        )) =>
                {
                    quote = Some(c);
                }
                None => {}
            }
            i += 1;
        }
        let code = &body[..comment_at.unwrap_or(body.len())];
        if let Some(at) = comment_at {
            out.push((start + at, start + body.len()));
        }
        // `key: |`, `key: >-`, `- |2`: the more indented lines that follow are text.
        let code = code.trim_end();
        let last = code.rsplit([' ', '\t']).next().unwrap_or("");
        let indicator = last.starts_with(['|', '>'])
            && last[1..]
                .chars()
                .all(|c| matches!(c, '-' | '+') || c.is_ascii_digit());
        let before = code[..code.len() - last.len()].trim_end();
        if indicator && (before.ends_with(':') || before.ends_with('-') || before.is_empty()) {
            block = Some(indent);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments<'a>(path: &str, text: &'a str) -> Vec<&'a str> {
        comment_ranges(path, text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn strings_are_not_comments() {
        let js = "const a = '// not'; // yes\nconst b = `# /* no */`; /* block */\n";
        assert_eq!(comments("a.js", js), ["// yes", "/* block */"]);
        let py = "a = '# not'  # yes\nb = \"\"\"\n# no\n\"\"\"\n";
        assert_eq!(comments("a.py", py), ["# yes"]);
        let yaml = "a: 'x # no'  # yes\nb: \"# no\"\nc: |\n  echo # no\nd: x#no # yes2\n";
        assert_eq!(comments("s.yml", yaml), ["# yes", "# yes2"]);
        assert!(comments("a.json", "{\"a\": \"# no\"}").is_empty());
    }
}
