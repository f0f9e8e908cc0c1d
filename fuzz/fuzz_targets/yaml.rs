//! The YAML/JSON reader with spans: any bytes give a document or an error, never a panic,
//! a hang or unbounded memory (aliases, depth).
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new("fuzz.yml", text.into_owned());
    if let Ok(doc) = perimeter_model::yaml::parse(&file) {
        // Every node's span lies inside the file.
        let len = u32::try_from(file.text().len()).unwrap_or(u32::MAX);
        assert!(doc.loc.span.end <= len);
    }
});
