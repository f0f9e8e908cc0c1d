//! The JavaScript/TypeScript analysis: parsing, handler resolution and the abstract
//! interpretation with its budget, over any handler file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_code::Repo;
use perimeter_code::handler::{self, HandlerSpec};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first byte picks the dialect; the rest is the handler module.
    let path = match data.first().map(|b| b % 3) {
        Some(0) => "index.ts",
        Some(1) => "index.mjs",
        _ => "index.js",
    };
    let repo = Repo::in_memory([(path, text.as_ref()), ("lib.js", "exports.x = 1;")]);
    let spec = HandlerSpec {
        function: "Fuzz",
        code_dir: "",
        handler: "index.handler",
        runtime: Some("nodejs22.x"),
        convention: handler::Convention::Lambda,
        outputs: &[],
        module_file: None,
    };
    let _ = perimeter_fuzz::with_big_stack(|| handler::analyse(&repo, &spec));
});
