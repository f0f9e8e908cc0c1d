//! Source files, byte spans and line/column positions.

use std::fmt;
use std::sync::Arc;

/// A byte range `start..end` inside one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub const fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// The span that covers both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and 1-based column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// One file read during a scan: its path relative to the scan root (with `/` separators) and
/// its text. Line starts are computed once so positions are cheap.
pub struct SourceFile {
    path: String,
    text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A source file from its relative path and text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Arc::new(Self {
            path: path.into(),
            text,
            line_starts,
        })
    }

    /// The path relative to the scan root, `/`-separated.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of a span (empty when the span is out of range or splits a character).
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Line and column of a byte offset.
    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        Position {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a 1-based line and column (column in characters).
    pub fn offset(&self, pos: Position) -> u32 {
        let Some(&start) = self.line_starts.get(pos.line.saturating_sub(1) as usize) else {
            return u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        };
        let rest = &self.text[start as usize..];
        let skip: usize = rest
            .chars()
            .take(pos.column.saturating_sub(1) as usize)
            .map(char::len_utf8)
            .sum();
        start + u32::try_from(skip).unwrap_or(0)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line as usize)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A place in a source file: the file and a byte span in it.
#[derive(Clone)]
pub struct Loc {
    /// The file.
    pub file: Arc<SourceFile>,
    /// The bytes.
    pub span: Span,
}

impl Loc {
    /// A location.
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Self {
        Self {
            file: Arc::clone(file),
            span,
        }
    }

    /// The file's relative path.
    pub fn path(&self) -> &str {
        self.file.path()
    }

    /// Start position.
    pub fn start(&self) -> Position {
        self.file.position(self.span.start)
    }

    /// End position.
    pub fn end(&self) -> Position {
        self.file.position(self.span.end)
    }

    /// The source text of the span.
    pub fn text(&self) -> &str {
        self.file.slice(self.span)
    }
}

// A location is stored (in the incremental cache) as its file's path and span. Reading one
// back needs the file itself: the reader names the files it has checked with
// [`with_files`], and a location in any other file is an error.
thread_local! {
    static FILES: std::cell::RefCell<Option<std::collections::BTreeMap<String, Arc<SourceFile>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` (which deserialises values holding [`Loc`]s) with `files` as the files those
/// locations may name; gives the files back.
pub fn with_files<R>(
    files: std::collections::BTreeMap<String, Arc<SourceFile>>,
    f: impl FnOnce() -> R,
) -> (R, std::collections::BTreeMap<String, Arc<SourceFile>>) {
    let previous = FILES.with(|cell| cell.replace(Some(files)));
    let result = f();
    let files = FILES
        .with(|cell| cell.replace(previous))
        .unwrap_or_default();
    (result, files)
}

impl serde::Serialize for Loc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.file.path(), self.span.start, self.span.end).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Loc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (path, start, end) = <(String, u32, u32)>::deserialize(d)?;
        let file = FILES
            .with(|cell| cell.borrow().as_ref().and_then(|m| m.get(&path).cloned()))
            .ok_or_else(|| serde::de::Error::custom(format!("no file `{path}` to locate in")))?;
        let len = u32::try_from(file.text().len()).unwrap_or(u32::MAX);
        if start > end || end > len {
            return Err(serde::de::Error::custom(format!(
                "span {start}..{end} outside `{path}`"
            )));
        }
        Ok(Self {
            file,
            span: Span { start, end },
        })
    }
}

impl PartialEq for Loc {
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.file.path() == other.file.path()
    }
}

impl Eq for Loc {}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.start();
        write!(f, "{}:{}:{}", self.file.path(), p.line, p.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_stored_by_path_and_read_back_in_the_files_given() {
        let f = SourceFile::new("a.js", "let x = 1;\n");
        let loc = Loc::new(&f, Span { start: 4, end: 5 });
        let json = serde_json::to_string(&loc).unwrap();
        assert_eq!(json, r#"["a.js",4,5]"#);
        let files = std::collections::BTreeMap::from([("a.js".to_owned(), Arc::clone(&f))]);
        let (back, files) = with_files(files, || serde_json::from_str::<Loc>(&json));
        assert_eq!(back.unwrap().text(), "x");
        // Outside `with_files`, or in a file not given, or beyond its end: an error.
        assert!(serde_json::from_str::<Loc>(&json).is_err());
        let (other, files) = with_files(files, || serde_json::from_str::<Loc>(r#"["b.js",0,1]"#));
        assert!(other.is_err());
        let (beyond, _) = with_files(files, || serde_json::from_str::<Loc>(r#"["a.js",4,99]"#));
        assert!(beyond.is_err());
    }

    #[test]
    fn positions_count_characters() {
        let f = SourceFile::new("a.yml", "a: 1\nb: é x\n");
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        let x = f.text().find('x').unwrap() as u32;
        assert_eq!(f.position(x), Position { line: 2, column: 6 });
        assert_eq!(f.offset(Position { line: 2, column: 6 }), x);
        assert_eq!(f.line_text(2), "b: é x");
    }
}
