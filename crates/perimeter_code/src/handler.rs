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
    /// Output bindings the platform hands to the handler (Azure Functions); empty elsewhere.
    pub outputs: &'a [Output],
    /// The file that holds the handler's module when the package names it otherwise (a
    /// template packaged as `index.py`), relative to the scan root.
    pub module_file: Option<&'a str>,
}

/// An output binding: a name under which the code hands a value to the platform, which
/// writes it to a resource (`msg.set(value)`, `context.bindings.msg = value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The name the code uses.
    pub name: String,
    /// The binding type (`queue`, `serviceBus`, `blob`, `eventHub`, `cosmosDB`): the
    /// operation of the write recorded.
    pub binding: String,
    /// The id of the resource written, in the model.
    pub resource: String,
}

/// How the platform calls a handler, and where the trigger's data sits in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Convention {
    /// AWS Lambda: `(event, context)`; the event is the trigger's payload.
    #[default]
    Lambda,
    /// Azure Functions: JavaScript `(context, trigger, ...)`, Python `main(trigger, ...)`.
    /// The trigger's argument is named where the same data sits in a Lambda event, so that
    /// sources and the application graph read it alike: an HTTP request under `req.` (the
    /// caller's), a queue message as `Records[].body`, a blob's content as `s3-object`.
    Azure {
        /// The path of the trigger's argument.
        root: &'static str,
    },
}

impl Convention {
    /// The path under which the trigger's argument is named in flows.
    pub fn event_root(self) -> &'static str {
        match self {
            Convention::Azure { root } => root,
            Convention::Lambda => "",
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

/// Whether a runtime is a custom one (`provided`, `provided.al2023`): its bootstrap, in the
/// package or a layer, may run any language.
pub fn custom_runtime(runtime: &str) -> bool {
    runtime.to_ascii_lowercase().starts_with("provided")
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
