//! The SAM and CloudFormation loader (intrinsics, conditions, mappings, Globals, policy
//! templates) over any document that says it is a template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;
use perimeter_model::cfn;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new("template.yaml", text.into_owned());
    if let Ok(doc) = perimeter_model::yaml::parse(&file)
        && cfn::is_template(&doc).is_some()
    {
        let _ = cfn::load("template.yaml", "", doc);
    }
});
