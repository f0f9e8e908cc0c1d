//! The Serverless variable resolver: each input line becomes a value under `custom:` and
//! `provider.environment`, referencing the others (`${self:custom.a}`, `${file()}`,
//! `${opt:}`, `${env:}`, `${ssm:}`, `${cf:}`, fallbacks, nesting).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use perimeter_fuzz::{Tree, touch};
use perimeter_model::serverless::{LoadOptions, load};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut doc = String::from("service: fuzz\nprovider:\n  name: aws\n  environment:\n");
    let lines: Vec<&str> = text.lines().take(64).collect();
    for (i, l) in lines.iter().enumerate() {
        doc.push_str(&format!("    E{i}: {}\n", quote(l)));
    }
    doc.push_str("custom:\n");
    for (i, l) in lines.iter().enumerate() {
        doc.push_str(&format!("  v{i}: {}\n", quote(l)));
    }
    doc.push_str(
        "functions:\n  f:\n    handler: h.main\n    environment:\n      X: ${self:custom.v0}\n",
    );
    let mut bytes = doc.into_bytes();
    bytes.extend_from_slice(perimeter_fuzz::SEPARATOR.as_bytes());
    bytes.extend_from_slice(text.as_bytes());
    let Some(tree) = Tree::new(&bytes, "serverless.yml", &["config.yml"]) else {
        return;
    };
    let file = tree.get("serverless.yml").unwrap();
    let Ok(doc) = perimeter_model::yaml::parse(&file) else {
        return;
    };
    let mut env = BTreeMap::new();
    env.insert("HOME".to_owned(), "${env:HOME}".to_owned());
    let mut opts = BTreeMap::new();
    opts.insert("stage".to_owned(), "${opt:stage}".to_owned());
    let options = LoadOptions {
        opts,
        env: Some(env),
    };
    touch(&load(&file, doc, &tree, &options));
});

/// A YAML double-quoted scalar holding `s`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
