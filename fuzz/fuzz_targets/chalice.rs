//! The Chalice loader: `.chalice/config.json`, then `app.py` and a policy file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_fuzz::{Tree, touch};

fuzz_target!(|data: &[u8]| {
    let Some(tree) = Tree::new(
        data,
        "p/.chalice/config.json",
        &[
            "p/app.py",
            "p/.chalice/policy-dev.json",
            "p/chalicelib/__init__.py",
        ],
    ) else {
        return;
    };
    let config = tree.get("p/.chalice/config.json").unwrap();
    touch(&perimeter_model::chalice::load(&config, &tree));
});
