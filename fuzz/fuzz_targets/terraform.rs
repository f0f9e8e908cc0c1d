//! The HCL reader and the Terraform evaluator (variables, locals, functions, policy
//! documents, modules) over any `main.tf`.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;
use perimeter_model::terraform;

struct One(Arc<SourceFile>);

impl terraform::Tree for One {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        (rel == self.0.path()).then(|| Arc::clone(&self.0))
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        if dir == "app" {
            vec![self.0.path().to_owned()]
        } else {
            Vec::new()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tree = One(SourceFile::new("app/main.tf", text.into_owned()));
    let _ = terraform::load("app", &tree);
});
