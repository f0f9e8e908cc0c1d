//! The Zappa loader: `zappa_settings.json`, then the Flask app or the Django settings module
//! and `wsgi.py` a stage names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_fuzz::{Tree, touch};

fuzz_target!(|data: &[u8]| {
    let Some(tree) = Tree::new(
        data,
        "zappa_settings.json",
        &["app.py", "site/settings.py", "site/wsgi.py"],
    ) else {
        return;
    };
    let settings = tree.get("zappa_settings.json").unwrap();
    touch(&perimeter_model::zappa::load(&settings, &tree));
});
