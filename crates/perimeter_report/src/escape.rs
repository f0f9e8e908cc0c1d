//! Escaping of repository-derived text before it reaches a terminal: a hostile repository
//! must not be able to write escape sequences through a file name, a value or a snippet.

/// Replaces control characters (other than tab) with visible escapes (`\u{1b}`).
pub fn escape_control(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\t' {
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
    }
}
