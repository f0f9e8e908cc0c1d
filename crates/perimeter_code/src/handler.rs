//! Handler resolution entry point: from a function's handler string, code folder and runtime
//! to the language analyser that reads it.

use crate::summary::{FunctionSummary, Language};
use crate::{Repo, js, python};

/// What the model says about a function's code.
#[derive(Clone, Debug)]
pub struct HandlerSpec<'a> {
    /// The function's id in the model.
    pub function: &'a str,
    /// The code folder relative to the scan root (`""` for the root).
    pub code_dir: &'a str,
    /// The handler string (`src/orders/create.main`, `app.lambda_handler`, `index.handler`).
    pub handler: &'a str,
    /// The runtime (`nodejs20.x`, `python3.12`), when known.
    pub runtime: Option<&'a str>,
}

/// The language a runtime string names.
pub fn runtime_language(runtime: &str) -> Option<Language> {
    let r = runtime.to_ascii_lowercase();
    if r.starts_with("python") {
        Some(Language::Python)
    } else if r.starts_with("nodejs") || r.starts_with("node") {
        Some(Language::JavaScript)
    } else {
        None
    }
}

/// Analyses one function: resolves its handler and summarises its code. A handler that
/// cannot be found gives a summary with an error naming the function.
pub fn analyse(repo: &Repo, spec: &HandlerSpec<'_>) -> FunctionSummary {
    match spec.runtime.and_then(runtime_language) {
        Some(Language::Python) => python::analyse_handler(repo, spec),
        Some(Language::JavaScript | Language::TypeScript) => js::analyse_handler(repo, spec),
        None => {
            // Unknown runtime (a container image, a custom runtime, or none declared): take
            // the language whose module exists.
            let js = js::analyse_handler(repo, spec);
            if js.handler.is_some() {
                return js;
            }
            let py = python::analyse_handler(repo, spec);
            if py.handler.is_some() { py } else { js }
        }
    }
}
