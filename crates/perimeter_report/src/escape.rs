//! Escaping of repository-derived text before it reaches a terminal: a hostile repository
//! must not be able to write escape sequences through a file name, a value or a snippet.

/// Whether a character is escaped: control characters other than tab, and the invisible
/// formatting characters that reorder or hide text (bidirectional overrides and isolates such
/// as U+202E, zero-width characters, the byte order mark), which make a terminal show code
/// other than what is there.
fn escaped(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061c}'
                | '\u{feff}'
        )
}

/// Replaces control characters (other than tab) and bidirectional and zero-width formatting
/// characters with visible escapes (`\u{1b}`, `\u{202e}`).
pub fn escape_control(s: &str) -> String {
    if !s.chars().any(escaped) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::escape_control("a\x1b[31mb\n"), "a\\u{1b}[31mb\\u{a}");
        assert_eq!(super::escape_control("plain é"), "plain é");
        assert_eq!(
            super::escape_control("a\u{202e}b\u{2066}c\u{200b}"),
            "a\\u{202e}b\\u{2066}c\\u{200b}"
        );
    }
}
