//! JavaScript and TypeScript: handler resolution, parsing with oxc, taint summaries.
//!
//! `resolve` finds the handler's file and the modules it imports; `taint` evaluates them
//! abstractly from the handler with an untrusted event; `spec` lists sinks, sanitizers and
//! SDK tables as data; `sinks` and `sdk` apply those tables to library calls.

mod fail_open;
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
    engine.fx.outputs = spec.outputs.to_vec();
    // The package whose handler serves a fixed page, when the handler is one.
    let mut page = None;
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
                page = val
                    .origin
                    .as_ref()
                    .filter(|o| val.func.is_none() && serves_page(&o.module, o.name()))
                    .map(|o| o.module.to_string());
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
    let files = engine.modules.iter().map(|m| m.path.clone()).collect();
    engine.fx.finish(&mut summary, files);
    if !engine.fx.entered
        && let Some(module) = page
    {
        // A library's handler that serves a fixed page (a GraphQL playground) runs none of
        // what the modules handed the library: the request reaches that package only.
        summary.request = Some(crate::RequestReach {
            imports: vec![module],
            ..crate::RequestReach::default()
        });
    }
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
    summary.fail_open = engine
        .modules
        .iter()
        .flat_map(|m| {
            fail_open::fail_open(&m.path, m.file.text())
                .into_iter()
                .map(|s| {
                    perimeter_diagnostics::Loc::new(
                        &m.file,
                        perimeter_diagnostics::Span::new(s.start, s.end),
                    )
                })
        })
        .collect();
    engine.teardown();
    summary
}

/// Handlers made by a library that serve a fixed page and call nothing the application gave
/// the library (its resolvers, its schema's functions): the package, and the member that is
/// the handler (`""`: any value the package makes).
const PAGE_HANDLERS: &[(&str, &str)] = &[
    // `new GraphQLServerLambda({ typeDefs, resolvers }).playgroundHandler`
    ("graphql-yoga", "playgroundHandler"),
    // `lambdaPlayground({ endpoint })`: the GraphQL Playground page
    ("graphql-playground-middleware-lambda", ""),
];

/// Whether a handler made by `module`, whose last member is `name`, serves a fixed page.
fn serves_page(module: &str, name: &str) -> bool {
    PAGE_HANDLERS
        .iter()
        .any(|&(m, n)| m == module && (n.is_empty() || n == name))
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
