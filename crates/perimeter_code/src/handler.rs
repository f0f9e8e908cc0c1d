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
    /// How the platform calls the handler.
    pub convention: Convention,
}

/// How the platform calls a handler, and where the trigger's data sits in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Convention {
    /// AWS Lambda: `(event, context)`; the event is the trigger's payload.
    #[default]
    Lambda,
    /// Azure Functions: JavaScript `(context, trigger, ...)`, Python `main(trigger, ...)`.
    /// An HTTP trigger's argument is the request (`req.query`, `req.params`, `req.body`):
    /// its data is named under `req.` so that it is the caller's.
    Azure {
        /// Whether the function is triggered by HTTP.
        http: bool,
    },
}

impl Convention {
    /// The path under which the trigger's argument is named in flows.
    pub fn event_root(self) -> &'static str {
        match self {
            Convention::Azure { http: true } => "req",
            _ => "",
        }
    }

    /// Whether the invocation context comes before the trigger's argument (JavaScript).
    pub fn context_first(self) -> bool {
        matches!(self, Convention::Azure { .. })
    }
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
