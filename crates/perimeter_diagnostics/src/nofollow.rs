//! Reading the scanned repository's files without following symbolic links, and quoting them
//! in messages only as short escaped excerpts: a committed link (`perimeter.toml ->
//! /proc/self/environ`) must not make perimeter read, let alone print, a file outside the tree.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Component, Path};

/// The longest message about a file's content, in characters, after escaping.
pub const MAX_EXCERPT: usize = 300;

/// Opens a regular file for reading. The last component is never followed when it is a
/// symbolic link (`O_NOFOLLOW`), and a FIFO or device is refused without blocking
/// (`O_NONBLOCK`, then `fstat` of the opened file).
pub fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(link_error());
    }
    let file = opts.open(path).map_err(|e| {
        // `O_NOFOLLOW` on a link fails with `ELOOP`: say what it was.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            link_error()
        } else {
            e
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta))
}

fn link_error() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "symbolic link not followed")
}

/// Reads a whole regular file of at most `limit` bytes without following a link (see
/// [`open_regular`]).
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("file is {} bytes, over the {limit} byte limit", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The size may have grown since `fstat`: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("file is over the {limit} byte limit"),
        ));
    }
    Ok(bytes)
}

/// Checks that no component of `path` below `root` is a symbolic link (`path` lexically
/// inside `root`; components above `root` are the user's and not checked). An error names the
/// first link.
pub fn check_no_link_below(root: &Path, path: &Path) -> io::Result<()> {
    let Ok(rest) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    for c in rest.components() {
        match c {
            Component::Normal(part) => at.push(part),
            Component::CurDir => continue,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "path leaves the scanned tree",
                ));
            }
        }
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("symbolic link not followed: {}", at.display()),
            ));
        }
    }
    Ok(())
}

/// A message safe to print whatever file it quotes: control, format and bidirectional
/// characters escaped (`\n`, `\u{202e}`), and cut at `max` characters with `…`.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        let escaped: String = match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            c if c.is_control() || is_invisible(c) => format!("\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        };
        let n = escaped.chars().count();
        if count + n > max {
            out.push('…');
            return out;
        }
        count += n;
        out.push_str(&escaped);
    }
    out
}

/// Characters that change how the text around them is shown: bidirectional controls, zero
/// width characters, line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_escaped_and_short() {
        assert_eq!(
            excerpt("a\nb\u{202e}c\u{1b}", 100),
            "a\\nb\\u{202e}c\\u{1b}"
        );
        let long = "x".repeat(1000);
        let e = excerpt(&long, 10);
        assert_eq!(e.chars().count(), 11);
        assert!(e.ends_with('…'));
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_not_read() {
        let dir = tempfile_dir();
        let target = dir.join("target.txt");
        std::fs::write(&target, "secret").unwrap();
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_regular(&target, 100).unwrap(), b"secret");
        let err = read_regular(&link, 100).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(read_regular(&dir, 100).is_err());
        assert!(read_regular(&target, 3).is_err());
        let sub = dir.join("sub");
        std::os::unix::fs::symlink(&dir, &sub).unwrap();
        assert!(check_no_link_below(&dir, &sub.join("target.txt")).is_err());
        assert!(check_no_link_below(&dir, &target).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "perimeter-nofollow-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
