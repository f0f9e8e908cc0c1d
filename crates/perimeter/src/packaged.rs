//! Function code that ships in another form than a folder of the repository: written inline
//! in a template (`ZipFile`, `InlineCode`), or a committed `.zip` package read in memory
//! within bounds (never extracted to disk).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use perimeter_code::handler::{self, HandlerSpec, runtime_language};
use perimeter_code::{FunctionSummary, Language, Repo};
use perimeter_diagnostics::{ScanError, SourceFile};
use perimeter_model::InlineCode;

/// Largest `.zip` package read, in bytes.
pub const MAX_ARCHIVE_BYTES: u64 = 64 << 20;
/// Most entries a package may hold.
pub const MAX_ENTRIES: usize = 20_000;
/// Most bytes the entries read from one package may hold, uncompressed.
pub const MAX_UNPACKED_BYTES: u64 = 128 << 20;
/// Highest compression ratio of an entry past [`RATIO_FLOOR`] bytes: beyond it the package
/// is taken for a zip bomb.
pub const MAX_RATIO: u64 = 100;
/// Entries smaller than this are not judged by their ratio (a small text compresses well).
const RATIO_FLOOR: u64 = 1 << 20;

/// Extensions of the entries read from a package: source and the manifests module
/// resolution reads.
const SOURCE_EXTENSIONS: &[&str] = &["py", "js", "mjs", "cjs", "ts", "mts", "cts", "json"];

fn summary_with(function: &str, error: ScanError) -> FunctionSummary {
    FunctionSummary {
        function: function.to_owned(),
        errors: vec![error],
        ..FunctionSummary::default()
    }
}

/// Analyses code written inline in a template: the runtime decides the language, the handler
/// names its module (`index.handler` reads `index.py` or `index.js`), and every location
/// is the template's, at the code's lines there.
pub fn analyse_inline(code: &InlineCode, spec: &HandlerSpec<'_>) -> FunctionSummary {
    let ext = match spec.runtime.and_then(runtime_language) {
        Some(Language::Python) => "py",
        Some(Language::JavaScript | Language::TypeScript) => "js",
        None => {
            let mut e = ScanError::new(
                code.file.clone(),
                format!(
                    "the inline code of `{}` was not analysed: its runtime is not known",
                    spec.function
                ),
            );
            e.line = Some(code.line);
            return summary_with(spec.function, e);
        }
    };
    // CloudFormation writes inline code to `index.py` or `index.js`: a handler in another
    // module is code deployed later over a placeholder.
    let module = spec.handler.rsplit_once('.').map_or("", |(m, _)| m);
    if module != "index" {
        let mut e = ScanError::new(
            code.file.clone(),
            format!(
                "the inline code of `{}` is a placeholder: it is deployed as `index.{ext}`, but the handler `{}` is in another module; the code deployed over it was not analysed",
                spec.function, spec.handler
            ),
        );
        e.line = Some(code.line);
        return summary_with(spec.function, e);
    }
    let key = format!("{module}.{ext}");
    // Code whose lines are the template's is located there; code written with escaped line
    // breaks (a synthesised JSON template) is located in itself, under the template.
    let (path, text) = if code.exact {
        (code.file.clone(), code.placed_text())
    } else {
        (
            format!("{}!/{}/{key}", code.file, spec.function),
            code.text.clone(),
        )
    };
    let file = SourceFile::new(path.clone(), text);
    let repo = Repo::from_sources([(key.clone(), Ok(file))]);
    let inline = HandlerSpec {
        code_dir: "",
        ..spec.clone()
    };
    let mut summary = handler::analyse(&repo, &inline);
    // The analysis names the module it read; the file is the template.
    for e in &mut summary.errors {
        if e.path == key || e.path == module {
            e.path.clone_from(&path);
        }
    }
    for f in &mut summary.files {
        if *f == key {
            f.clone_from(&path);
        }
    }
    summary.files.sort();
    summary.files.dedup();
    summary
}

/// Analyses a function whose code is a committed `.zip` package: its source entries are
/// read in memory and located as `package.zip!/index.js`.
pub fn analyse_archive(root: &Path, zip: &str, spec: &HandlerSpec<'_>) -> FunctionSummary {
    let (files, errors) = match read_archive(root, zip) {
        Ok(read) => read,
        Err(why) => {
            return summary_with(
                spec.function,
                ScanError::new(
                    zip,
                    format!("the package of `{}` was not analysed: {why}", spec.function),
                ),
            );
        }
    };
    let repo = Repo::from_sources(files);
    let code_dir = format!("{zip}!");
    let inside = HandlerSpec {
        code_dir: &code_dir,
        ..spec.clone()
    };
    let mut summary = handler::analyse(&repo, &inside);
    summary.errors.extend(errors);
    summary
}

/// A file of a package under its path (`<zip>!/<entry>`), or why it cannot be read.
pub type Entry = (String, Result<Arc<SourceFile>, String>);

/// The source entries of a `.zip` package, each under `<zip>!/<entry>` (or why it cannot be
/// read), and error entries for the entries left out. The whole package is refused when it
/// is too large, holds too many entries, or an entry's compression ratio is a zip bomb's.
pub fn read_archive(root: &Path, zip: &str) -> Result<(Vec<Entry>, Vec<ScanError>), String> {
    let bytes = perimeter_diagnostics::nofollow::read_regular(&root.join(zip), MAX_ARCHIVE_BYTES)
        .map_err(|e| format!("cannot read: {e}"))?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!(
            "{} entries, over the limit of {MAX_ENTRIES}",
            archive.len()
        ));
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("entry {i} cannot be read: {e}"))?;
        let raw = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = entry.size();
        let compressed = entry.compressed_size();
        if size > RATIO_FLOOR && size > compressed.saturating_mul(MAX_RATIO) {
            return Err(format!(
                "entry `{raw}` expands {size} bytes from {compressed}, over the ratio of {MAX_RATIO} (a zip bomb)"
            ));
        }
        if entry.is_dir() {
            continue;
        }
        // Entry names are the package's: one that would leave it (`../x`, `/etc/x`) is
        // never given a path.
        let Some(name) = entry
            .enclosed_name()
            .filter(|_| !raw.is_empty() && !raw.split(['/', '\\']).any(|p| p == ".."))
            .and_then(|p| p.to_str().map(|s| s.replace('\\', "/")))
        else {
            errors.push(ScanError::new(
                zip,
                format!("entry `{raw}` was not read: its name leaves the package"),
            ));
            continue;
        };
        let ext = Path::new(&name)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if !SOURCE_EXTENSIONS.contains(&ext) || name.split('/').any(|p| p == "node_modules") {
            continue;
        }
        let key = format!("{zip}!/{name}");
        if size > perimeter_code::repo::MAX_SOURCE_BYTES {
            files.push((
                key,
                Err(format!(
                    "file is {size} bytes, over the {} byte limit",
                    perimeter_code::repo::MAX_SOURCE_BYTES
                )),
            ));
            continue;
        }
        unpacked += size;
        if unpacked > MAX_UNPACKED_BYTES {
            return Err(format!(
                "its sources expand past {} MiB",
                MAX_UNPACKED_BYTES >> 20
            ));
        }
        // The declared size bounds the read: an entry that inflates past it is not trusted.
        let mut data = Vec::new();
        (&mut entry)
            .take(size + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("entry `{name}` cannot be read: {e}"))?;
        if data.len() as u64 > size {
            return Err(format!("entry `{name}` expands past its declared size"));
        }
        let read = if data.contains(&0) {
            Err("binary file (contains NUL bytes)".to_owned())
        } else {
            String::from_utf8(data)
                .map(|text| SourceFile::new(key.clone(), text))
                .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
        };
        files.push((key, read));
    }
    Ok((files, errors))
}
