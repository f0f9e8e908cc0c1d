//! Known text of a string value, shared by the JavaScript and Python engines: a constant, an
//! environment variable's value, a pattern with `*` where unknown, or a choice among a few
//! constants made in branches.

use std::rc::Rc;

/// Most characters of known text kept for a string.
const MAX_TEXT: usize = 400;
/// Most alternatives a choice of texts keeps before it becomes unknown.
const MAX_ALTERNATIVES: usize = 24;

/// Known text of a string value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    /// Fully known.
    Const(Rc<str>),
    /// An environment variable's value (`process.env.NAME`, `os.environ["NAME"]`).
    Env(Rc<str>),
    /// Partly known, `*` where unknown.
    Pattern(Rc<str>),
    /// One of a few known texts (constants or environment variables), chosen by a branch
    /// (`switch (action) { case "new": name = "orders-new"; ... }`): each alternative is a
    /// possible target.
    OneOf(Rc<[Text]>),
}

impl Text {
    /// The text with `*` for unknown parts.
    pub(crate) fn pattern(&self) -> &str {
        match self {
            Text::Const(s) | Text::Pattern(s) => s,
            Text::Env(_) | Text::OneOf(_) => "*",
        }
    }

    /// A constant text.
    pub(crate) fn konst(s: &str) -> Text {
        Text::Const(Rc::from(truncate(s)))
    }

    /// The known texts it may be: itself for a constant or an environment variable, each
    /// alternative of a choice, none for a pattern.
    pub(crate) fn alternatives(&self) -> Vec<Text> {
        match self {
            Text::Const(_) | Text::Env(_) => vec![self.clone()],
            Text::OneOf(all) => all.to_vec(),
            Text::Pattern(_) => Vec::new(),
        }
    }

    /// An order of alternatives that does not depend on the order of branches.
    fn sort_key(&self) -> (u8, &str) {
        match self {
            Text::Const(s) => (0, s),
            Text::Env(s) => (1, s),
            Text::Pattern(s) => (2, s),
            Text::OneOf(_) => (3, ""),
        }
    }

    /// Text made of parts, some unknown: constant when every part is.
    pub(crate) fn concat(parts: &[Option<&Text>]) -> Option<Text> {
        let all_const = parts.iter().all(|p| matches!(p, Some(Text::Const(_))));
        if parts.len() == 1 {
            return parts[0].cloned();
        }
        let mut s = String::new();
        for p in parts {
            s.push_str(p.map_or("*", Text::pattern));
        }
        let s = truncate(&s);
        if all_const {
            Some(Text::Const(Rc::from(s)))
        } else if s.chars().all(|c| c == '*') {
            None
        } else {
            Some(Text::Pattern(Rc::from(s)))
        }
    }

    /// The text of a value that holds `a` on one path and `b` on another.
    pub(crate) fn join(a: Option<&Text>, b: Option<&Text>) -> Option<Text> {
        match (a, b) {
            (Some(x), Some(y)) if x == y => Some(x.clone()),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (Some(x), Some(y)) => Some(choice(x, y)),
            (None, None) => None,
        }
    }
}

/// Two different texts joined: the choice between their alternatives when both are known,
/// else unknown.
fn choice(x: &Text, y: &Text) -> Text {
    let (a, b) = (x.alternatives(), y.alternatives());
    if a.is_empty() || b.is_empty() {
        // An environment variable on one side stays the better guess of the resource.
        return match (x, y) {
            (e @ Text::Env(_), _) | (_, e @ Text::Env(_)) => e.clone(),
            _ => Text::Pattern(Rc::from("*")),
        };
    }
    let mut all = a;
    for t in b {
        if !all.contains(&t) {
            all.push(t);
        }
    }
    if all.len() > MAX_ALTERNATIVES {
        return Text::Pattern(Rc::from("*"));
    }
    all.sort_by(|p, q| p.sort_key().cmp(&q.sort_key()));
    Text::OneOf(all.into())
}

/// In the marked text of a URL being built: an unknown character the attacker does not
/// choose (an environment variable, a value not derived from the event).
pub(crate) const CLEAN: char = '\u{1}';
/// In the marked text of a URL being built: an unknown character the attacker may choose.
pub(crate) const TAINTED: char = '\u{2}';

/// The text of one part of a string being built, its unknown characters marked [`TAINTED`]
/// when the part carries the attacker's data, else [`CLEAN`].
pub(crate) fn marked(text: Option<&Text>, tainted: bool) -> String {
    let m = if tainted { TAINTED } else { CLEAN };
    match text {
        Some(Text::Const(s)) => s.to_string(),
        Some(Text::Pattern(s)) => s.chars().map(|c| if c == '*' { m } else { c }).collect(),
        _ => m.to_string(),
    }
}

/// Whether a URL, given as marked text, has its scheme and host fixed before the first
/// character the attacker chooses, so that the attacker's data lands in the path, query or
/// fragment only. Fixed: a constant `scheme://host` followed by `/`, `?` or `#`; a base from
/// configuration (an environment variable) followed by one of those; a relative reference
/// that cannot turn absolute or protocol-relative (`/items/`, `?q=`, `#`, `items/`). Not
/// fixed: the attacker's data first, in the scheme or the host, right after a base from
/// configuration (`BASE + id`: `@evil.example` would change the host), or after a lone
/// `/` (`//evil.example` is protocol-relative). `new URL(path, base)` and
/// `urljoin(base, path)` resolve `path` against `base`, and an absolute `path` replaces the
/// host, so they are judged on `path` with this same test.
pub(crate) fn origin_fixed(marked: &str) -> bool {
    let Some(i) = marked.find(TAINTED) else {
        return false;
    };
    let prefix = &marked[..i];
    let authority_ends = |rest: &str| rest.find(['/', '?', '#']).is_some_and(|j| j > 0);
    if let Some(k) = prefix.find("://") {
        let scheme = &prefix[..k];
        return !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c) || c == CLEAN)
            && authority_ends(&prefix[k + 3..]);
    }
    if let Some(rest) = prefix.strip_prefix("//") {
        return authority_ends(rest);
    }
    if prefix.starts_with(CLEAN) {
        let rest = prefix.trim_start_matches(CLEAN);
        if let Some(r) = rest.strip_prefix("//") {
            return authority_ends(r);
        }
        return rest.contains(['/', '?', '#']);
    }
    match prefix.find(['/', '?', '#']) {
        Some(0) => {
            prefix.starts_with(['?', '#']) || (prefix.len() > 1 && !prefix[1..].starts_with('/'))
        }
        Some(j) => !prefix[..j].contains(':'),
        None => false,
    }
}

/// `s` cut to the text limit on a character boundary.
pub(crate) fn truncate(s: &str) -> &str {
    if s.len() <= MAX_TEXT {
        return s;
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Standard base64 (with padding) of a constant's UTF-8 bytes, as `btoa`,
/// `Buffer.from(s).toString('base64')` and `base64.b64encode` give it; `None` for a text that
/// may have been cut at [`MAX_TEXT`] (its encoding would be wrong).
pub(crate) fn base64_encode(s: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if s.len() >= MAX_TEXT {
        return None;
    }
    let mut out = String::with_capacity(s.len().div_ceil(3) * 4);
    for chunk in s.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_encode_matches_the_standard_alphabet_and_padding() {
        assert_eq!(
            super::base64_encode("admin:8e254ed4").as_deref(),
            Some("YWRtaW46OGUyNTRlZDQ=")
        );
        assert_eq!(super::base64_encode("ab").as_deref(), Some("YWI="));
        assert_eq!(super::base64_encode("abc").as_deref(), Some("YWJj"));
        assert_eq!(super::base64_encode("").as_deref(), Some(""));
    }

    use super::*;

    fn k(s: &str) -> Text {
        Text::konst(s)
    }

    #[test]
    fn branches_of_constants_make_a_choice() {
        let j = Text::join(Some(&k("orders-new")), Some(&k("orders-get"))).unwrap();
        assert_eq!(j.alternatives(), [k("orders-get"), k("orders-new")]);
        let j = Text::join(Some(&j), Some(&k("orders-new"))).unwrap();
        assert_eq!(j.alternatives().len(), 2);
        assert_eq!(j.pattern(), "*");
    }

    #[test]
    fn environment_variables_are_alternatives_too() {
        let a = Text::Env(Rc::from("ORDERS"));
        let b = Text::Env(Rc::from("AUDIT"));
        let j = Text::join(Some(&a), Some(&b)).unwrap();
        assert_eq!(j.alternatives(), [b, a.clone()]);
        // Joined with an unknown text, the variable stays the best guess.
        let p = Text::Pattern(Rc::from("*"));
        assert_eq!(Text::join(Some(&a), Some(&p)), Some(a));
    }

    #[test]
    fn a_choice_with_an_unknown_is_unknown() {
        let j = Text::join(Some(&k("a")), Some(&Text::Pattern(Rc::from("x-*")))).unwrap();
        assert_eq!(j, Text::Pattern(Rc::from("*")));
        assert!(j.alternatives().is_empty());
    }

    fn url(parts: &[(&str, bool)]) -> String {
        parts
            .iter()
            .map(|(t, tainted)| match *t {
                "$" => marked(None, *tainted),
                "ENV" => marked(Some(&Text::Env(Rc::from("BASE"))), false),
                c => marked(Some(&k(c)), false),
            })
            .collect()
    }

    #[test]
    fn origin_fixed_only_before_the_attackers_data() {
        let t = ("$", true);
        assert!(origin_fixed(&url(&[
            ("https://api.example.com/items/", false),
            t
        ])));
        assert!(origin_fixed(&url(&[
            ("https://api.example.com?q=", false),
            t
        ])));
        assert!(origin_fixed(&url(&[
            ("ENV", false),
            ("/product/", false),
            t
        ])));
        assert!(origin_fixed(&url(&[("/product/", false), t])));
        assert!(origin_fixed(&url(&[("items/", false), t])));
        assert!(!origin_fixed(&url(&[t, ("?format=json", false)])));
        assert!(!origin_fixed(&url(&[
            ("https://", false),
            t,
            ("/x", false)
        ])));
        assert!(!origin_fixed(&url(&[
            ("https://api.example.com", false),
            t
        ])));
        assert!(!origin_fixed(&url(&[("ENV", false), t])));
        assert!(!origin_fixed(&url(&[("/", false), t])));
        assert!(!origin_fixed(&url(&[("http:", false), t])));
        assert!(!origin_fixed(&url(&[("", false)])));
    }

    #[test]
    fn too_many_alternatives_are_unknown() {
        let mut t = k("f0");
        for i in 1..=MAX_ALTERNATIVES {
            t = Text::join(Some(&t), Some(&k(&format!("f{i}")))).unwrap();
        }
        assert!(t.alternatives().is_empty());
    }
}
