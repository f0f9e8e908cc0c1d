//! JavaScript and TypeScript: handler resolution, parsing with oxc, taint summaries.
//!
//! `resolve` finds the handler's file and the modules it imports; `taint` evaluates them
//! abstractly from the handler with an untrusted event; `spec` lists sinks, sanitizers and
//! SDK tables as data; `sinks` and `sdk` apply those tables to library calls.

mod powertools;
mod resolve;
mod sdk;
mod sinks;
mod spec;
mod taint;
mod value;
mod verify;

use oxc_allocator::Allocator;
use perimeter_diagnostics::{Loc, ScanError, Span};

use crate::handler::HandlerSpec;
use std::collections::BTreeSet;

use crate::summary::Language;
use crate::{FunctionSummary, Repo};

use resolve::{EXTENSIONS, Resolver, split_handler};
use taint::Engine;
use value::Val;

/// Resolves a Node.js handler and summarises the code it reaches.
pub fn analyse_handler(repo: &Repo, spec: &HandlerSpec<'_>) -> FunctionSummary {
    let mut summary = FunctionSummary {
        function: spec.function.to_owned(),
        ..FunctionSummary::default()
    };
    let resolver = Resolver::new(repo, spec.code_dir);
    let where_ = if resolver.code_dir().is_empty() {
        ".".to_owned()
    } else {
        resolver.code_dir().to_owned()
    };
    let Some((module, export)) = split_handler(spec.handler) else {
        summary.errors.push(ScanError::new(
            resolver.code_dir(),
            format!(
                "handler `{}` of function `{}`: not of the form `file.export`",
                spec.handler, spec.function
            ),
        ));
        return summary;
    };
    let found = match spec.module_file {
        Some(file) => repo.exists(file).then(|| file.to_owned()),
        None => resolver.resolve_handler(&module),
    };
    let Some(path) = found else {
        summary.errors.push(ScanError::new(
            crate::repo::join_rel(resolver.code_dir(), &module).unwrap_or_else(|| module.clone()),
            format!(
                "handler `{}` of function `{}`: no file {module}.{{{}}} under {where_}",
                spec.handler,
                spec.function,
                EXTENSIONS.join(","),
            ),
        ));
        return summary;
    };
    summary.language = Some(
        if [".ts", ".mts", ".cts", ".tsx"]
            .iter()
            .any(|e| path.ends_with(e))
        {
            Language::TypeScript
        } else {
            Language::JavaScript
        },
    );
    let alloc = Allocator::default();
    let mut engine = Engine::new(&alloc, repo, resolver);
    engine.outputs = spec.outputs.to_vec();
    if let Some(idx) = engine.load(&path) {
        let exports = engine.exports(idx);
        match find_export(&exports, &export) {
            Some((val, def)) => {
                let loc = match (&val.func, def) {
                    (Some(f), _) => Some(engine.loc_in(f.module, f.span())),
                    (None, Some((m, span))) => Some(engine.loc_in(m, span)),
                    (None, None) => engine
                        .modules
                        .get(idx)
                        .map(|m| Loc::new(&m.file, Span::new(0, 0))),
                };
                summary.handler = loc;
                if let Some(f) = val.func.clone() {
                    engine.run_handler(&f, spec.convention);
                }
            }
            None => summary.errors.push(ScanError::new(
                path.clone(),
                format!(
                    "handler `{}` of function `{}`: module {path} has no export `{export}`",
                    spec.handler, spec.function
                ),
            )),
        }
    }
    let mut files: Vec<String> = engine.modules.iter().map(|m| m.path.clone()).collect();
    files.sort();
    files.dedup();
    summary.files = files;
    summary.imports = engine.imports.iter().cloned().collect();
    summary.package_uses = engine.package_uses.take().map(|uses| {
        // A call recognised as a request is that, not also a plain call.
        let requests: BTreeSet<(String, String, u32, u32)> = uses
            .iter()
            .filter(|u| u.how == crate::PackageUseKind::Request)
            .map(|u| {
                (
                    u.package.clone(),
                    u.loc.path().to_owned(),
                    u.loc.span.start,
                    u.loc.span.end,
                )
            })
            .collect();
        let mut uses: Vec<crate::PackageUse> = uses
            .into_iter()
            .filter(|u| {
                u.how != crate::PackageUseKind::Call
                    || !requests.contains(&(
                        u.package.clone(),
                        u.loc.path().to_owned(),
                        u.loc.span.start,
                        u.loc.span.end,
                    ))
            })
            .collect();
        uses.sort_by(|a, b| {
            (a.loc.path(), a.loc.span.start, &a.package, &a.member, a.how).cmp(&(
                b.loc.path(),
                b.loc.span.start,
                &b.package,
                &b.member,
                b.how,
            ))
        });
        uses
    });
    summary.env_reads = engine.env_reads.take().into_iter().collect();
    let mut flows = std::mem::take(&mut engine.flows);
    flows.sort_by(|a, b| {
        (
            a.sink.path(),
            a.sink.span.start,
            a.kind,
            &a.source.path,
            a.source.loc.path(),
            a.source.loc.span.start,
        )
            .cmp(&(
                b.sink.path(),
                b.sink.span.start,
                b.kind,
                &b.source.path,
                b.source.loc.path(),
                b.source.loc.span.start,
            ))
    });
    summary.flows = flows;
    let mut calls = std::mem::take(&mut engine.sdk_calls);
    calls.sort_by(|a, b| {
        (a.loc.path(), a.loc.span.start, &a.operation, &a.resource).cmp(&(
            b.loc.path(),
            b.loc.span.start,
            &b.operation,
            &b.resource,
        ))
    });
    summary.sdk_calls = calls;
    // Without an entry point run, what a request reaches is not known apart.
    let request = std::mem::take(&mut engine.request);
    if engine.entered {
        summary.request = Some(request.finish(&summary.sdk_calls));
    }
    crate::summary::set_denials(&mut summary, std::mem::take(&mut engine.denials));
    crate::summary::set_guards(&mut summary, std::mem::take(&mut engine.guards));
    crate::summary::set_credentials(&mut summary, std::mem::take(&mut engine.credentials));
    crate::summary::set_folded(&mut summary, std::mem::take(&mut engine.folded));
    crate::summary::drop_service_set(&mut summary);
    summary.errors.append(&mut engine.errors);
    summary.errors.sort();
    summary.errors.dedup();
    engine.teardown();
    summary
}

/// The value at a dotted export path, with where it was defined. A module whose
/// `module.exports` is a function answers every name with it (Lambda calls it whatever the
/// export name); an ES module's default export is looked through when the name is missing.
fn find_export<'a>(
    exports: &Val<'a>,
    path: &str,
) -> Option<(Val<'a>, Option<(usize, oxc_span::Span)>)> {
    let mut cur = exports.clone();
    let mut def = None;
    for (i, seg) in path.split('.').enumerate() {
        let next = cur.obj.as_ref().and_then(|o| {
            let o = o.borrow();
            o.fields
                .get(seg)
                .cloned()
                .map(|v| (v, o.defs.get(seg).copied()))
        });
        match next {
            Some((v, d)) => {
                cur = v;
                def = d.or(def);
            }
            None => {
                if i == 0 && cur.func.is_some() {
                    return Some((cur, def));
                }
                let default = cur.field("default")?;
                let inner = default
                    .obj
                    .as_ref()
                    .and_then(|o| o.borrow().fields.get(seg).cloned());
                cur = match inner {
                    Some(v) => v,
                    None if default.func.is_some() && i == 0 => default,
                    None => return None,
                };
            }
        }
    }
    Some((cur, def))
}
