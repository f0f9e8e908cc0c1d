//! The Serverless Framework loader with its variable resolver (`${self:}`, `${opt:}`,
//! `${file()}`, fallbacks, nesting, cycles) over any document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;
use perimeter_model::serverless;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new("serverless.yml", text.into_owned());
    if let Ok(doc) = perimeter_model::yaml::parse(&file) {
        let _ = serverless::load(
            &file,
            doc,
            &serverless::NoFiles,
            &serverless::LoadOptions::default(),
        );
    }
});
