//! The Azure Functions loader: `host.json`, a v1 `function.json`, the settings file and a
//! Python v2 `function_app.py`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_fuzz::{Tree, touch};

fuzz_target!(|data: &[u8]| {
    let Some(tree) = Tree::new(
        data,
        "f/host.json",
        &[
            "f/Http/function.json",
            "f/local.settings.json",
            "f/function_app.py",
        ],
    ) else {
        return;
    };
    touch(&perimeter_model::azure::load(
        &tree.get("f/host.json").unwrap(),
        &tree,
    ));
});
