//! Python: handler resolution, parsing with ruff's parser, taint summaries.
//!
//! `resolve` finds the handler's module and the repository modules it imports; `taint`
//! interprets them abstractly from the handler with an untrusted event (whatever the first
//! parameter is called); `spec` lists sinks, sanitizers, validators and boto3 tables as
//! data; `sinks` and `sdk` apply those tables to library calls.

mod chalice;
mod fail_open;
mod powertools;
mod resolve;
mod sdk;
mod sinks;
mod spec;
mod taint;
mod value;
mod verify;

use perimeter_diagnostics::ScanError;

use crate::handler::HandlerSpec;
use crate::repo::join_rel;
use crate::summary::Language;
use crate::{FunctionSummary, Repo};

use resolve::{handler_file, split_handler};
use taint::Engine;

/// Resolves a Python handler and summarises the code it reaches.
pub fn analyse_handler(repo: &Repo, spec: &HandlerSpec<'_>) -> FunctionSummary {
    let mut summary = FunctionSummary {
        function: spec.function.to_owned(),
        language: Some(Language::Python),
        ..FunctionSummary::default()
    };
    let code_dir = join_rel("", spec.code_dir).unwrap_or_default();
    let where_ = if code_dir.is_empty() {
        ".".to_owned()
    } else {
        code_dir.clone()
    };
    let Some((module, func)) = split_handler(spec.handler) else {
        summary.errors.push(ScanError::new(
            where_,
            format!(
                "handler `{}` of function `{}`: not of the form `module.function`",
                spec.handler, spec.function
            ),
        ));
        return summary;
    };
    let found = match spec.module_file {
        Some(file) => repo.exists(file).then(|| file.to_owned()),
        None => handler_file(repo, &code_dir, &module),
    };
    let Some(path) = found else {
        summary.errors.push(ScanError::new(
            join_rel(&code_dir, &module).unwrap_or_else(|| module.clone()),
            format!(
                "handler `{}` of function `{}`: no module {module}.py under {where_}",
                spec.handler, spec.function
            ),
        ));
        return summary;
    };
    let mut engine = Engine::new(repo, &code_dir);
    engine.fx.outputs = spec.outputs.to_vec();
    if let Some(m) = engine.load(&path) {
        let handler = engine.global_function(m, &func);
        // A handler that is itself a decorated route runs as that route alone; otherwise
        // every route of the module is an entry point (a framework app's handler, `app` or
        // `Mangum(app)`, or a handler that passes its event to the app).
        let alone = handler.is_some() && engine.run_routes(m, Some(&func)) > 0;
        let routes = if alone { 0 } else { engine.run_routes(m, None) };
        match handler {
            Some(idx) if alone => summary.handler = engine.func_loc(idx),
            Some(idx) => {
                summary.handler = engine.func_loc(idx);
                engine.run_handler(idx, spec.convention.event_root());
                engine.run_router_modules(m);
            }
            // A framework app (`app = Chalice(...)`, `handler = Mangum(app)`) whose routes
            // are the entry points.
            None if routes > 0 => summary.handler = engine.global_loc(m, &func),
            // An app built elsewhere (`app = create_app()`): the routes of the modules its
            // construction loaded (blueprints) are the entry points.
            None if engine.global_loc(m, &func).is_some()
                && engine.run_blueprint_modules(m) > 0 =>
            {
                summary.handler = engine.global_loc(m, &func);
            }
            // A Django project's WSGI app: its views are not read yet, the handler is found.
            None if engine.is_django_app(m, &func) => {
                summary.handler = engine.global_loc(m, &func);
            }
            None => summary.errors.push(ScanError::new(
                path.clone(),
                format!(
                    "handler `{}` of function `{}`: module {path} has no function `{func}`",
                    spec.handler, spec.function
                ),
            )),
        }
    }
    if let Some((file, name)) = engine.exhausted.take() {
        summary.errors.push(ScanError::new(
            if file.is_empty() { path.clone() } else { file },
            format!(
                "analysis budget exhausted in `{name}` (function `{}`, the limit of {} steps per handler): results may be incomplete",
                spec.function,
                crate::core::budget::PYTHON_HANDLER_STEPS
            ),
        ));
    }
    let files = engine.modules.iter().map(|m| m.path.clone()).collect();
    engine.fx.finish(&mut summary, files);
    summary.fail_open = engine
        .modules
        .iter()
        .flat_map(|m| {
            fail_open::fail_open(m.file.text())
                .into_iter()
                .map(|s| perimeter_diagnostics::Loc::new(&m.file, s))
        })
        .collect();
    engine.teardown();
    summary
}
