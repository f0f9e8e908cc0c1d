//! The bound on how deeply a source file can nest, checked before it is parsed: the parsers
//! and the analysis recurse once per level of the syntax tree, so a hostile file
//! (`((((...))))`, `!!!!...!x`, `a ? b : a ? b : ...`, `e.a.a.a...`, `f()()()...`, ten
//! thousand nested blocks) must not exhaust a thread's stack and abort the whole scan.
//!
//! The depth is over-approximated from the text, without parsing: at each point, the number
//! of open brackets plus, for each open bracket, the operators and operator keywords since
//! the last separator at that level (`,`, `;`, the end of a statement). A chain of `n`
//! operators (`a + a + ...`, `!!!x`, `.a.a.a`, `x ? y : x ? y : ...`) is `n` levels deep in
//! the tree, so it counts `n`; siblings (arguments, elements, statements) do not add up.
//! Strings and comments are skipped, and counted again as code by a second, cruder pass with
//! a higher bound, so a mislexed string (a regular expression taken for a division) cannot
//! hide code; the scanner runs the analysis on threads whose stacks hold that higher bound
//! (see `perimeter::engine::STACK_SIZE`).

/// Deepest nesting analysed, as estimated with strings and comments skipped. Real code stays
/// far below it (the deepest file of the benchmark corpus of real npm and PyPI packages is
/// reported by the test `real_code_is_under_the_bound`).
pub const MAX_NESTING: usize = 1_000;

/// The same with strings and comments counted as code: the bound that the analysis threads'
/// stacks must hold.
pub const MAX_NESTING_RAW: usize = 10_000;

/// Why `text` is not analysed, when it may nest deeper than the bounds.
/// Records, once per function and limit, that an analysis stopped at a limit there: the error
/// entry names the function and the limit. Shared by the JavaScript and Python analysers.
pub(crate) fn record_cut(
    seen: &mut rustc_hash::FxHashSet<String>,
    errors: &mut Vec<perimeter_diagnostics::ScanError>,
    path: String,
    name: &str,
    what: &str,
) {
    if seen.insert(format!("{name}\0{what}")) {
        errors.push(perimeter_diagnostics::ScanError::new(
            path,
            format!("analysis of {name} stopped at {what}: results may be incomplete"),
        ));
    }
}

pub fn nesting_error(path: &str, text: &str) -> Option<String> {
    let python = path.ends_with(".py") || path.ends_with(".pyi");
    let (depth, limit) = match (depth(text, python, true), depth(text, python, false)) {
        (d, _) if d > MAX_NESTING => (d, MAX_NESTING),
        (_, d) if d > MAX_NESTING_RAW => (d, MAX_NESTING_RAW),
        _ => return None,
    };
    Some(format!(
        "may nest {depth} levels deep, over the nesting limit of {limit}: not analysed"
    ))
}

/// The estimated depth, or a value just over the bound as soon as it passes it.
fn depth(text: &str, python: bool, skip_strings: bool) -> usize {
    let limit = if skip_strings {
        MAX_NESTING
    } else {
        MAX_NESTING_RAW
    };
    let b = text.as_bytes();
    // The chain length at each open bracket level (the first is the file's top level).
    let mut chains: Vec<usize> = vec![0];
    // Their sum plus the open brackets, kept up to date.
    let mut total = 0usize;
    // Python: the indentation widths of the open blocks.
    let mut indents: Vec<usize> = Vec::new();
    // JavaScript: whether a `/` here would start a regular expression.
    let mut regex_ok = true;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if line_start {
            line_start = false;
            if python && chains.len() == 1 {
                let width = b[i..]
                    .iter()
                    .take_while(|&&c| c == b' ' || c == b'\t')
                    .count();
                let next = b.get(i + width).copied();
                if !matches!(next, None | Some(b'\n' | b'\r' | b'#')) {
                    while indents.last().is_some_and(|&w| w >= width) {
                        indents.pop();
                        total -= 1;
                    }
                    if width > 0 {
                        indents.push(width);
                        total += 1;
                    }
                }
            }
        }
        match c {
            b'\n' => {
                line_start = true;
                let at_top = chains.len() == 1;
                let ends_statement = if python {
                    at_top && !ends_with_backslash(b, i)
                } else {
                    js_newline_ends_statement(b, i)
                };
                if ends_statement {
                    reset(&mut chains, &mut total);
                    regex_ok = true;
                }
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' if python && skip_strings => {
                i = skip_to_newline(b, i);
                continue;
            }
            b'/' if !python && skip_strings && b.get(i + 1) == Some(&b'/') => {
                i = skip_to_newline(b, i);
                continue;
            }
            b'/' if !python && skip_strings && b.get(i + 1) == Some(&b'*') => {
                i = b[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(b.len(), |p| i + 2 + p + 2);
                continue;
            }
            b'/' if !python && skip_strings && regex_ok => {
                i = skip_regex(b, i);
                regex_ok = false;
                continue;
            }
            b'\'' | b'"' if skip_strings => {
                i = skip_string(b, i, python);
                regex_ok = false;
                continue;
            }
            b'`' if skip_strings && !python => {
                i = skip_string(b, i, python);
                regex_ok = false;
                continue;
            }
            b'(' | b'[' | b'{' => {
                // The group is one more level of the chain it is part of (a call, an
                // index, a literal), and opens a level of its own.
                bump(&mut chains, &mut total);
                chains.push(0);
                total += 1;
                regex_ok = true;
            }
            b')' | b']' | b'}' => {
                if chains.len() > 1 {
                    let inner = chains.pop().unwrap_or(0);
                    total -= inner + 1;
                }
                // After a block's `}` a new statement starts, unless an operator follows
                // (`{} + {}`, `{}.a`).
                if c == b'}' && starts_statement(b, i + 1) {
                    reset(&mut chains, &mut total);
                }
                regex_ok = c == b'}';
            }
            b',' | b';' => {
                reset(&mut chains, &mut total);
                regex_ok = true;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                let end = b[i..]
                    .iter()
                    .position(|&c| {
                        !(c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80)
                    })
                    .map_or(b.len(), |p| i + p);
                let word = &b[i..end];
                let operator = if python {
                    matches!(
                        word,
                        b"not"
                            | b"and"
                            | b"or"
                            | b"if"
                            | b"else"
                            | b"lambda"
                            | b"await"
                            | b"in"
                            | b"is"
                            | b"yield"
                            | b"for"
                            | b"async"
                    )
                } else {
                    matches!(
                        word,
                        b"await"
                            | b"typeof"
                            | b"void"
                            | b"delete"
                            | b"new"
                            | b"yield"
                            | b"in"
                            | b"instanceof"
                            | b"of"
                            | b"return"
                            | b"throw"
                            | b"case"
                            | b"async"
                            | b"extends"
                    )
                };
                if operator {
                    bump(&mut chains, &mut total);
                    if total > limit {
                        return total;
                    }
                }
                regex_ok = operator;
                i = end;
                continue;
            }
            _ => {
                // Any other punctuation is (part of) an operator: `+`, `!`, `?`, `:`, `.`,
                // `=>`, `=`, `**`, `@` ... each character counts.
                bump(&mut chains, &mut total);
                regex_ok = true;
            }
        }
        if total > limit {
            return total;
        }
        i += 1;
    }
    total
}

fn bump(chains: &mut [usize], total: &mut usize) {
    if let Some(last) = chains.last_mut() {
        *last += 1;
        *total += 1;
    }
}

fn reset(chains: &mut [usize], total: &mut usize) {
    if let Some(last) = chains.last_mut() {
        *total -= *last;
        *last = 0;
    }
}

/// Whether the next significant byte after `i` begins a word, a block's end or nothing.
fn starts_statement(b: &[u8], i: usize) -> bool {
    b[i..]
        .iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_none_or(|&c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'$' | b'}'))
}

fn skip_to_newline(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn ends_with_backslash(b: &[u8], newline: usize) -> bool {
    b[..newline]
        .iter()
        .rev()
        .find(|&&c| c != b'\r')
        .is_some_and(|&c| c == b'\\')
}

/// Whether automatic semicolon insertion may end a statement at this newline: the line ends
/// with a value and the next one starts a new one (not an operator, a call, an index, a
/// member or a template).
fn js_newline_ends_statement(b: &[u8], newline: usize) -> bool {
    let before = b[..newline]
        .iter()
        .rev()
        .find(|c| !c.is_ascii_whitespace())
        .copied();
    let ends_value = before.is_some_and(|c| {
        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b')' | b']' | b'}' | b'\'' | b'"')
    });
    let rest = &b[newline + 1..];
    let Some(start) = rest.iter().position(|c| !c.is_ascii_whitespace()) else {
        return true;
    };
    let next = &rest[start..];
    let starts_value =
        next[0].is_ascii_alphabetic() || matches!(next[0], b'_' | b'$' | b'\'' | b'"');
    let continues = [&b"in "[..], b"instanceof", b"of "]
        .iter()
        .any(|w| next.starts_with(w));
    ends_value && starts_value && !continues
}

/// Past a string literal starting at `i`: JavaScript `'`/`"` strings end at the line's end,
/// template literals and Python triple-quoted strings may span lines.
fn skip_string(b: &[u8], i: usize, python: bool) -> usize {
    let q = b[i];
    let triple = python && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' if !triple && q != b'`' => return j,
            c if c == q => {
                if !triple {
                    return j + 1;
                }
                if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                    return j + 3;
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    b.len()
}

/// Past a regular expression literal starting at `i` (its classes may hold `/`).
fn skip_regex(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut class = false;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' => return j,
            b'[' => {
                class = true;
                j += 1;
            }
            b']' => {
                class = false;
                j += 1;
            }
            b'/' if !class => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(n: usize) -> Vec<(&'static str, String)> {
        let chain = |sep: &str, item: &str| vec![item; n].join(sep);
        vec![
            ("a.js", format!("x = {}e{};", "(".repeat(n), ")".repeat(n))),
            ("a.js", format!("x = {}e;", "e ? 1 : ".repeat(n))),
            ("a.js", format!("x = {}e;", "!".repeat(n))),
            ("a.js", format!("x = {}e;", "- ".repeat(n))),
            ("a.js", format!("x = {};", chain(" + ", "e"))),
            ("a.js", format!("x = {}e;", "x = ".repeat(n))),
            ("a.js", format!("x = {}e;", "x => ".repeat(n))),
            ("a.js", format!("x = e{};", ".a".repeat(n))),
            ("a.js", format!("x = e{};", "()".repeat(n))),
            ("a.js", format!("x = {}e;", "await ".repeat(n))),
            ("a.js", format!("x = {};", chain(" && ", "e"))),
            ("a.js", format!("x = {};", chain("\n+ ", "e"))),
            ("a.js", format!("x = {};", chain(" +\n", "e"))),
            (
                "a.js",
                format!("x = {}1{}", "{a: ".repeat(n), "}".repeat(n)),
            ),
            (
                "a.js",
                format!("{}{}", "if (x) {\n".repeat(n), "}\n".repeat(n)),
            ),
            ("a.js", format!("x = {};", chain(" + ", "{}"))),
            ("a.js", format!("x = {}", "{}".repeat(n))),
            // A regular expression after `)` taken for a division, and a quote it holds for
            // the start of a string: the raw pass still counts what follows.
            (
                "a.js",
                format!("if (x) /'/; x = {}e; '", "!".repeat(n * 11)),
            ),
            ("a.py", format!("x = {}e{}", "(".repeat(n), ")".repeat(n))),
            ("a.py", format!("x = {}e", "1 if e else ".repeat(n))),
            ("a.py", format!("x = {}e", "not ".repeat(n))),
            ("a.py", format!("x = {}", chain(" + ", "e"))),
            ("a.py", format!("x = e{}", ".a".repeat(n))),
            ("a.py", format!("x = e{}", "[0]".repeat(n))),
            ("a.py", format!("x = {}e", "lambda: ".repeat(n))),
            ("a.py", format!("x = {}", chain(" ** ", "e"))),
            ("a.py", format!("x = {}", chain(" \\\n + ", "e"))),
            (
                "a.py",
                (0..n)
                    .map(|i| format!("{}if x:\n", " ".repeat(i)))
                    .collect(),
            ),
        ]
    }

    #[test]
    fn every_kind_of_deep_nesting_is_refused() {
        for (path, text) in deep(MAX_NESTING_RAW + 1) {
            let why = nesting_error(path, &text)
                .unwrap_or_else(|| panic!("not refused: {}", &text[..text.len().min(80)]));
            assert!(why.contains("nesting limit"), "{why}");
        }
    }

    #[test]
    fn ordinary_nesting_is_analysed() {
        for (path, text) in deep(100) {
            assert_eq!(nesting_error(path, &text), None, "{}", &text[..80]);
        }
        // Siblings do not add up: long lists, many statements, long strings and comments.
        let many = format!("x = [{}];\n", vec!["a.b + c"; 50_000].join(", "));
        assert_eq!(nesting_error("a.js", &many), None);
        let statements = "const a = b.c(d) + e\nlet f = g\n".repeat(20_000);
        assert_eq!(nesting_error("a.js", &statements), None);
        let py_statements = "a = b.c(d) + e\nif f:\n    g = h.i\n".repeat(20_000);
        assert_eq!(nesting_error("a.py", &py_statements), None);
        let string = format!(
            "x = '{}';\n// {}\n",
            "a.b/c-d+".repeat(500),
            "!".repeat(5000)
        );
        assert_eq!(nesting_error("a.js", &string), None);
        let doc = format!(
            "x = \"\"\"{}\"\"\"\n# {}\n",
            "a.b\n".repeat(2000),
            "!".repeat(5000)
        );
        assert_eq!(nesting_error("a.py", &doc), None);
    }

    #[test]
    fn real_code_is_under_the_bound() {
        // Every JavaScript, TypeScript and Python file of the repository's fixtures and
        // examples.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut stack = vec![root.join("crates"), root.join("examples")];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                let name = p.to_string_lossy().into_owned();
                if p.is_dir() {
                    if !name.ends_with("/target") {
                        stack.push(p);
                    }
                } else if [".js", ".mjs", ".ts", ".py"]
                    .iter()
                    .any(|x| name.ends_with(x))
                    && let Ok(text) = std::fs::read_to_string(&p)
                {
                    seen += 1;
                    assert_eq!(nesting_error(&name, &text), None, "{name}");
                }
            }
        }
        assert!(seen > 100, "{seen}");
    }
}

#[cfg(test)]
mod corpus {
    /// On real packages (folders in `PERIMETER_NESTING_CORPUS`, `:`-separated; for instance
    /// a `node_modules` and a Python installation): fewer than one file in a thousand is
    /// refused. Measured 2026-11-25: 2 of 11,700 (two generated sympy tables of polynomial
    /// constants, one expression of 6,558 characters each).
    #[test]
    #[ignore = "needs PERIMETER_NESTING_CORPUS"]
    fn real_packages_are_under_the_bound() {
        let dirs = std::env::var("PERIMETER_NESTING_CORPUS").unwrap_or_default();
        let mut stack: Vec<std::path::PathBuf> = dirs
            .split(':')
            .filter(|d| !d.is_empty())
            .map(Into::into)
            .collect();
        let (mut seen, mut refused) = (0, Vec::new());
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let name = p.to_string_lossy().into_owned();
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(p);
                } else if [".js", ".mjs", ".cjs", ".ts", ".py"]
                    .iter()
                    .any(|x| name.ends_with(x))
                    && let Ok(text) = std::fs::read_to_string(&p)
                    && text.len() <= 2 << 20
                {
                    seen += 1;
                    if let Some(why) = super::nesting_error(&name, &text) {
                        refused.push(format!("{name}: {why}"));
                    }
                }
            }
        }
        assert!(
            refused.len() * 1000 < seen,
            "{} of {seen} refused:\n{}",
            refused.len(),
            refused.join("\n")
        );
    }
}
