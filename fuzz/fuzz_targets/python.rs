//! The Python analysis: parsing, module resolution and the abstract interpretation with
//! its budget, over any handler module.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_code::Repo;
use perimeter_code::handler::{self, HandlerSpec};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let repo = Repo::in_memory([("app.py", text.as_ref()), ("util.py", "X = 1\n")]);
    let spec = HandlerSpec {
        function: "Fuzz",
        code_dir: "",
        handler: "app.handler",
        runtime: Some("python3.12"),
        convention: handler::Convention::Lambda,
        outputs: &[],
        module_file: None,
    };
    let _ = perimeter_fuzz::with_big_stack(|| handler::analyse(&repo, &spec));
});
