//! The secret detectors (prefilter, regexes, validation, redaction) over any file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;
use perimeter_secrets::FileContext;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let (name, context) = match first % 4 {
        0 => ("app.js", FileContext::Source),
        1 => ("serverless.yml", FileContext::Descriptor),
        2 => (".env", FileContext::Env),
        _ => ("notes.ipynb", FileContext::Notebook),
    };
    let text = String::from_utf8_lossy(rest);
    let file = SourceFile::new(name, text.into_owned());
    for m in perimeter_secrets::scan(&file, context) {
        // A match lies inside the file and never shows its secret whole.
        let (start, end) = (m.span.start as usize, m.span.end as usize);
        let secret = file.text().get(start..end).expect("match inside the file");
        assert!(
            secret.len() < 8 || !m.redacted.contains(secret),
            "{}",
            m.detector
        );
    }
});
