//! The Zappa loader: `zappa_settings.json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_fuzz::{Tree, touch};

fuzz_target!(|data: &[u8]| {
    let Some(tree) = Tree::new(data, "zappa_settings.json", &[]) else {
        return;
    };
    touch(&perimeter_model::zappa::load(
        &tree.get("zappa_settings.json").unwrap(),
    ));
});
