//! `serverless.ts` and `serverless.js` read statically: the exported configuration (`export
//! default`, `module.exports =`, `export =`) is evaluated into the same value tree the YAML
//! loader reads, with the places of the `.ts`/`.js` text, so findings land in those files.
//!
//! Object and array literals, strings, numbers, booleans, template literals, spreads, `const`
//! bindings, destructuring and imports of other modules of the tree (relative, `tsconfig.json`
//! `paths` and `baseUrl`, `index` files, re-exports, JSON files) are followed. Small helper
//! functions whose body is one expression are evaluated with their arguments, and the
//! `handlerPath(__dirname)` idiom of the framework's TypeScript template is the calling
//! module's folder relative to the service. Nothing is run: what is not static (unknown calls,
//! `process.env`, packages) stays a symbolic value such as `<js:getEnvs()>` or `<env:STAGE>`,
//! and a spread or entry whose content cannot be known is an error entry naming it.

use std::collections::HashMap;
use std::sync::Arc;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrowFunctionBody, AssignmentTarget, BinaryOperator, BindingPattern, Expression,
    FormalParameters, Function, FunctionBody, ImportDeclarationSpecifier, ImportOrExportKind,
    LogicalOperator, ModuleExportName, ObjectPropertyKind, Program, PropertyKey, PropertyKind,
    Statement, UnaryOperator, VariableDeclaration,
};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};
use perimeter_diagnostics::{Loc, ScanError, SourceFile, Span};

use super::{FileReader, LoadOptions};
use crate::limits::{Budget, MAX_DEPTH, weight};
use crate::yaml::{self, Key, Node, Value};

/// Modules read for one descriptor, the descriptor included.
const MAX_MODULES: usize = 256;
/// Evaluations in progress at once (expressions inside expressions, bindings, modules).
const MAX_NESTING: usize = 256;
/// Nested calls of helper functions.
const MAX_CALL_DEPTH: usize = 16;
/// Bracket nesting of a module past which it is not parsed (the parser recurses).
const MAX_BRACKETS: usize = 512;
/// `tsconfig.json` `extends` links followed.
const MAX_EXTENDS: usize = 8;
/// Extensions tried for an import, in the order TypeScript and Node.js try them.
const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "mjs", "cjs", "jsx", "json"];

/// Reads a `serverless.ts` or `serverless.js` into a descriptor tree: the tree (`None` when
/// no configuration could be read) and the error entries met.
pub fn read(
    file: &Arc<SourceFile>,
    reader: &dyn FileReader,
    options: &LoadOptions,
) -> (Option<Node>, Vec<ScanError>) {
    let alloc = Allocator::default();
    let root = crate::discover::parent_dir(file.path()).to_owned();
    let mut ev = Eval {
        alloc: &alloc,
        reader,
        options,
        root,
        modules: Vec::new(),
        by_path: HashMap::new(),
        memo: HashMap::new(),
        stack: Vec::new(),
        tsconfigs: HashMap::new(),
        errors: Vec::new(),
        budget: Budget::default(),
        calls: 0,
        nesting: 0,
    };
    let Some(m) = ev.add_module(Arc::clone(file)) else {
        let errors = ev.errors;
        return (None, errors);
    };
    let whole = Loc::new(file, Span::new(0, 0));
    let config = ev.module_value(m, &whole);
    let doc = match config {
        Val::Data(n) if matches!(n.value, Value::Map(_)) => Some(n),
        // `module.exports = async () => ({ ... })`: the framework calls it.
        Val::Func(fm, f) => match ev.call(fm, f, Vec::new(), &whole, 0) {
            Val::Data(n) if matches!(n.value, Value::Map(_)) => Some(n),
            _ => None,
        },
        _ => None,
    };
    let Some(mut doc) = doc else {
        ev.errors.push(ScanError::new(
            file.path(),
            "no static configuration object is exported (`module.exports = {...}`, `export default {...}`); this application was not read",
        ));
        ev.errors.extend(ev.budget.take_errors());
        return (None, ev.errors);
    };
    drop_unknown_functions(&mut doc, &mut ev.errors);
    ev.errors.extend(ev.budget.take_errors());
    let mut errors = ev.errors;
    errors.sort();
    errors.dedup();
    (Some(doc), errors)
}

/// A `functions:` entry that is not an object cannot be read: it is left out, with an entry
/// naming the expression (so the function is not reported as one without a handler).
fn drop_unknown_functions(doc: &mut Node, errors: &mut Vec<ScanError>) {
    let Value::Map(entries) = &mut doc.value else {
        return;
    };
    let Some((_, functions)) = entries.iter_mut().find(|(k, _)| k.name == "functions") else {
        return;
    };
    match &mut functions.value {
        Value::Map(fns) => fns.retain(|(k, v)| {
            if let Value::Symbolic(s) = &v.value {
                errors.push(ScanError::at(
                    &k.loc,
                    format!("function `{}` is not static ({s}): it was not read", k.name),
                ));
                return false;
            }
            true
        }),
        Value::Symbolic(s) => errors.push(ScanError::at(
            &functions.loc,
            format!("`functions` is not static ({s}): no function was read"),
        )),
        _ => {}
    }
}

/// A value while evaluating: data (the descriptor tree), or what only lives in code.
#[derive(Clone)]
enum Val<'a> {
    Data(Node),
    /// JavaScript `undefined`: a missing property, left out of objects.
    Undefined,
    /// A function of a module.
    Func(usize, Fun<'a>),
    /// `__dirname` of a module.
    Dirname(usize),
    /// A module's namespace (`import * as m`, `require('./m')` of an ES module).
    Namespace(usize),
    /// `process.env`.
    Env,
}

#[derive(Clone, Copy)]
enum Fun<'a> {
    Arrow(&'a oxc_ast::ast::ArrowFunctionExpression<'a>),
    Decl(&'a Function<'a>),
}

impl Fun<'_> {
    fn span(&self) -> oxc_span::Span {
        match self {
            Fun::Arrow(a) => a.span,
            Fun::Decl(f) => f.span,
        }
    }
}

/// What a top-level name is bound to.
#[derive(Clone)]
enum Binding<'a> {
    /// `const x = init`, or a destructured part of `init` (`const {a: {b}} = init` binds `b`
    /// to the path `a.b`).
    Expr(&'a Expression<'a>, Vec<String>),
    /// `import x from 'spec'` (`default`), `import {n} ...` (`n`), `import * as x` (`None`).
    Import(&'a str, Option<String>),
    Func(Fun<'a>),
}

/// What a module exports under a name.
#[derive(Clone)]
enum Export<'a> {
    Local(String),
    Expr(&'a Expression<'a>),
    /// `export {n as x} from 'spec'` (`Some(n)`), `export * as x from 'spec'` (`None`).
    From(&'a str, Option<String>),
}

struct Module<'a> {
    file: Arc<SourceFile>,
    dir: String,
    bindings: HashMap<String, Binding<'a>>,
    named: Vec<(String, Export<'a>)>,
    stars: Vec<&'a str>,
    /// `module.exports = x` or `export = x`.
    cjs: Option<&'a Expression<'a>>,
    /// `exports.x = ...` and `module.exports.x = ...`.
    cjs_props: Vec<(String, &'a Expression<'a>)>,
    /// A JSON module's value.
    json: Option<Node>,
}

struct TsConfig {
    base_url: Option<String>,
    paths: Vec<(String, Vec<String>)>,
}

struct Eval<'a, 'r> {
    alloc: &'a Allocator,
    reader: &'r dyn FileReader,
    options: &'r LoadOptions,
    /// The service folder (the descriptor's), relative to the scan root.
    root: String,
    modules: Vec<Module<'a>>,
    by_path: HashMap<String, Option<usize>>,
    memo: HashMap<(usize, String), Val<'a>>,
    stack: Vec<(usize, String)>,
    tsconfigs: HashMap<String, Option<Arc<TsConfig>>>,
    errors: Vec<ScanError>,
    budget: Budget,
    calls: usize,
    /// Evaluations in progress.
    nesting: usize,
}

/// One level of function arguments.
type Scope<'a> = Vec<(String, Val<'a>)>;

impl<'a> Eval<'a, '_> {
    fn loc(&self, m: usize, span: oxc_span::Span) -> Loc {
        Loc::new(&self.modules[m].file, Span::new(span.start, span.end))
    }

    fn src(&self, m: usize, span: oxc_span::Span) -> String {
        short(self.modules[m].file.slice(Span::new(span.start, span.end)))
    }

    fn symbolic(&self, m: usize, span: oxc_span::Span) -> Val<'a> {
        Val::Data(Node::new(
            Value::Symbolic(format!("<js:{}>", self.src(m, span))),
            self.loc(m, span),
        ))
    }

    /// Parses a module and records its bindings and exports.
    fn add_module(&mut self, file: Arc<SourceFile>) -> Option<usize> {
        let path = file.path().to_owned();
        if let Some(m) = self.by_path.get(&path) {
            return *m;
        }
        if self.modules.len() >= MAX_MODULES {
            self.budget.limit(
                "modules",
                &Loc::new(&file, Span::new(0, 0)),
                format!("the configuration imports more than {MAX_MODULES} modules (limit); the rest are left symbolic"),
            );
            return None;
        }
        self.by_path.insert(path.clone(), None);
        let dir = crate::discover::parent_dir(&path).to_owned();
        let mut module = Module {
            file: Arc::clone(&file),
            dir,
            bindings: HashMap::new(),
            named: Vec::new(),
            stars: Vec::new(),
            cjs: None,
            cjs_props: Vec::new(),
            json: None,
        };
        if path.ends_with(".json") {
            match yaml::parse_settings(&file) {
                Ok(n) => module.json = Some(n),
                Err(e) => {
                    self.errors
                        .push(ScanError::new(&path, format!("cannot parse: {e}")));
                    return None;
                }
            }
        } else {
            if bracket_depth(file.text()) > MAX_BRACKETS {
                self.errors.push(ScanError::new(
                    &path,
                    format!("nests deeper than {MAX_BRACKETS} brackets (limit): not read"),
                ));
                return None;
            }
            let source_type = SourceType::from_path(&path)
                .unwrap_or_else(|_| SourceType::ts())
                .with_module(true);
            let text = self.alloc.alloc_str(file.text());
            let ret = Parser::new(self.alloc, text, source_type).parse();
            if ret.panicked {
                let mut e = ScanError::new(&path, "cannot parse: not read");
                if let Some(d) = ret.diagnostics.first() {
                    e.message = format!("cannot parse: {}", d.message);
                    e.line = d.labels.first().map(|l| file.position(l.offset()).line);
                }
                self.errors.push(e);
                return None;
            }
            let program: &'a Program<'a> = self.alloc.alloc(ret.program);
            collect(program, &mut module);
        }
        let idx = self.modules.len();
        self.modules.push(module);
        self.by_path.insert(path, Some(idx));
        Some(idx)
    }

    /// The value a module gives the framework (or `require`): `module.exports`, else the
    /// default export, else its namespace.
    fn module_value(&mut self, m: usize, at: &Loc) -> Val<'a> {
        if let Some(n) = &self.modules[m].json {
            return Val::Data(n.clone());
        }
        let key = (m, "*module*".to_owned());
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        if self.stack.contains(&key) {
            return Val::Data(Node::new(
                Value::Symbolic("<cycle:module.exports>".into()),
                at.clone(),
            ));
        }
        self.stack.push(key.clone());
        let v = self.module_value_uncached(m, at);
        self.stack.pop();
        self.memo.insert(key, v.clone());
        v
    }

    fn module_value_uncached(&mut self, m: usize, at: &Loc) -> Val<'a> {
        if let Some(e) = self.modules[m].cjs {
            let v = self.expr(m, e, &Vec::new(), 0);
            return self.with_cjs_props(m, v);
        }
        if !self.modules[m].cjs_props.is_empty() {
            let v = Val::Data(Node::new(Value::Map(Vec::new()), at.clone()));
            return self.with_cjs_props(m, v);
        }
        if self.modules[m].named.iter().any(|(n, _)| n == "default") {
            return self.export(m, "default", at);
        }
        Val::Namespace(m)
    }

    fn with_cjs_props(&mut self, m: usize, v: Val<'a>) -> Val<'a> {
        let props = self.modules[m].cjs_props.clone();
        if props.is_empty() {
            return v;
        }
        let Val::Data(mut node) = v else { return v };
        if let Value::Map(entries) = &mut node.value {
            for (name, e) in props {
                let key_loc = self.loc(m, e.span());
                if let Val::Data(value) = self.expr(m, e, &Vec::new(), 0) {
                    entries.retain(|(k, _)| k.name != name);
                    entries.push((Key { name, loc: key_loc }, value));
                }
            }
        }
        Val::Data(node)
    }

    /// A module's export by name.
    fn export(&mut self, m: usize, name: &str, at: &Loc) -> Val<'a> {
        let key = (m, format!("export:{name}"));
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        if self.stack.contains(&key) {
            return Val::Data(Node::new(
                Value::Symbolic(format!("<cycle:{name}>")),
                at.clone(),
            ));
        }
        self.stack.push(key.clone());
        let v = self.export_uncached(m, name, at);
        self.stack.pop();
        self.memo.insert(key, v.clone());
        v
    }

    fn export_uncached(&mut self, m: usize, name: &str, at: &Loc) -> Val<'a> {
        if self.modules[m].json.is_some() || self.modules[m].cjs.is_some() {
            let whole = self.module_value(m, at);
            return if name == "default" {
                whole
            } else {
                self.member(whole, name, at)
            };
        }
        if let Some((_, e)) = self.modules[m].named.iter().find(|(n, _)| n == name) {
            return match e.clone() {
                Export::Local(local) => self.binding(m, &local, at),
                Export::Expr(e) => self.expr(m, e, &Vec::new(), 0),
                Export::From(spec, None) => match self.import(m, spec, at) {
                    Some(t) => Val::Namespace(t),
                    None => unresolved(spec, None, at),
                },
                Export::From(spec, Some(n)) => match self.import(m, spec, at) {
                    Some(t) => self.export(t, &n, at),
                    None => unresolved(spec, Some(&n), at),
                },
            };
        }
        if let Some((_, e)) = self.modules[m].cjs_props.iter().find(|(n, _)| n == name) {
            let e = *e;
            return self.expr(m, e, &Vec::new(), 0);
        }
        if name != "default" {
            for spec in self.modules[m].stars.clone() {
                if let Some(t) = self.import(m, spec, at)
                    && self.has_export(t, name)
                {
                    return self.export(t, name, at);
                }
            }
        }
        if name == "default" && !self.modules[m].cjs_props.is_empty() {
            return self.module_value(m, at);
        }
        self.errors.push(ScanError::at(
            at,
            format!(
                "`{name}` is not exported by {}: left symbolic",
                self.modules[m].file.path()
            ),
        ));
        Val::Data(Node::new(
            Value::Symbolic(format!("<js:{name}>")),
            at.clone(),
        ))
    }

    /// The names a module exports, those of `export *` included (but their `default`).
    fn export_names(&mut self, m: usize, out: &mut Vec<String>, seen: &mut Vec<usize>, at: &Loc) {
        if seen.contains(&m) {
            return;
        }
        seen.push(m);
        let top = seen.len() == 1;
        let module = &self.modules[m];
        let names = module.named.iter().map(|(n, _)| n);
        for n in names.chain(module.cjs_props.iter().map(|(n, _)| n)) {
            if (top || n != "default") && !out.contains(n) {
                out.push(n.clone());
            }
        }
        for spec in self.modules[m].stars.clone() {
            if let Some(t) = self.import(m, spec, at) {
                self.export_names(t, out, seen, at);
            }
        }
    }

    fn has_export(&self, m: usize, name: &str) -> bool {
        let module = &self.modules[m];
        module.named.iter().any(|(n, _)| n == name)
            || module.cjs_props.iter().any(|(n, _)| n == name)
            || module.json.as_ref().is_some_and(|j| j.get(name).is_some())
    }

    /// A top-level binding of a module, evaluated once.
    fn binding(&mut self, m: usize, name: &str, at: &Loc) -> Val<'a> {
        let key = (m, name.to_owned());
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        if self.stack.contains(&key) {
            return Val::Data(Node::new(
                Value::Symbolic(format!("<cycle:{name}>")),
                at.clone(),
            ));
        }
        let Some(b) = self.modules[m].bindings.get(name).cloned() else {
            return global(name, m, at);
        };
        self.stack.push(key.clone());
        let v = match b {
            Binding::Expr(e, path) => {
                let mut v = self.expr(m, e, &Vec::new(), 0);
                for p in &path {
                    v = self.member(v, p, at);
                }
                v
            }
            Binding::Import(spec, name) => match self.import(m, spec, at) {
                Some(t) => match name {
                    None => Val::Namespace(t),
                    Some(n) => self.export(t, &n, at),
                },
                None => unresolved(spec, name.as_deref(), at),
            },
            Binding::Func(f) => Val::Func(m, f),
        };
        self.stack.pop();
        self.memo.insert(key, v.clone());
        v
    }

    /// The module an import names, when it is a file of the tree.
    fn import(&mut self, from: usize, spec: &str, at: &Loc) -> Option<usize> {
        let dir = self.modules[from].dir.clone();
        let mut bases = Vec::new();
        if spec.starts_with('.') {
            bases.extend(crate::cfn::join_dir(&dir, spec));
        } else if let Some(ts) = self.tsconfig(&dir) {
            for (pattern, targets) in &ts.paths {
                let star = match pattern.split_once('*') {
                    Some((pre, post)) => spec
                        .strip_prefix(pre)
                        .and_then(|r| r.strip_suffix(post))
                        .map(str::to_owned),
                    None => (spec == pattern).then(String::new),
                };
                if let Some(star) = star {
                    bases.extend(targets.iter().map(|t| t.replacen('*', &star, 1)));
                }
            }
            if let Some(base) = &ts.base_url {
                bases.extend(crate::cfn::join_dir(base, spec));
            }
        }
        let local = spec.starts_with('.') || !bases.is_empty();
        for base in bases {
            if let Some(file) = self.find_file(&base) {
                return self.add_module(file);
            }
        }
        if local && spec.starts_with('.') {
            self.errors.push(ScanError::at(
                at,
                format!("`{spec}` names no file of the tree: left symbolic"),
            ));
        }
        None
    }

    fn find_file(&self, base: &str) -> Option<Arc<SourceFile>> {
        let read = |p: &str| self.reader.read(p).ok();
        if let Some(ext) = base.rsplit_once('.').map(|(_, e)| e)
            && EXTENSIONS.contains(&ext)
            && let Some(f) = read(base)
        {
            return Some(f);
        }
        for ext in EXTENSIONS {
            if let Some(f) = read(&format!("{base}.{ext}")) {
                return Some(f);
            }
        }
        for ext in EXTENSIONS {
            let p = if base.is_empty() {
                format!("index.{ext}")
            } else {
                format!("{base}/index.{ext}")
            };
            if let Some(f) = read(&p) {
                return Some(f);
            }
        }
        // TypeScript sources import `./x.js` meaning `./x.ts`.
        let stem = [".js", ".mjs", ".cjs"]
            .iter()
            .find_map(|e| base.strip_suffix(e))?;
        ["ts", "mts", "cts", "tsx"]
            .iter()
            .find_map(|ext| read(&format!("{stem}.{ext}")))
    }

    /// The nearest `tsconfig.json` (or `jsconfig.json`) of a folder, up to the scan root.
    fn tsconfig(&mut self, dir: &str) -> Option<Arc<TsConfig>> {
        if let Some(t) = self.tsconfigs.get(dir) {
            return t.clone();
        }
        let mut d = dir.to_owned();
        let found = loop {
            let cands = ["tsconfig.json", "jsconfig.json"].map(|n| {
                if d.is_empty() {
                    n.to_owned()
                } else {
                    format!("{d}/{n}")
                }
            });
            if let Some(f) = cands.iter().find_map(|p| self.reader.read(p).ok()) {
                break Some(Arc::new(self.read_tsconfig(&f)));
            }
            if d.is_empty() {
                break None;
            }
            d = crate::discover::parent_dir(&d).to_owned();
        };
        self.tsconfigs.insert(dir.to_owned(), found.clone());
        found
    }

    /// `compilerOptions.baseUrl` and `paths` of a tsconfig, following `extends` (a file's own
    /// settings win over those it extends).
    fn read_tsconfig(&self, file: &Arc<SourceFile>) -> TsConfig {
        let mut out = TsConfig {
            base_url: None,
            paths: Vec::new(),
        };
        let mut next = Some(Arc::clone(file));
        let mut paths_dir: Option<String> = None;
        for _ in 0..MAX_EXTENDS {
            let Some(f) = next.take() else { break };
            let Ok(doc) = yaml::parse_settings(&f) else {
                break;
            };
            let dir = crate::discover::parent_dir(f.path()).to_owned();
            let opts = doc.get("compilerOptions");
            if out.base_url.is_none()
                && let Some(b) = opts.and_then(|o| o.get("baseUrl")).and_then(Node::as_str)
            {
                out.base_url = crate::cfn::join_dir(&dir, b);
            }
            if paths_dir.is_none()
                && let Some(p) = opts.and_then(|o| o.get("paths"))
            {
                paths_dir = Some(dir.clone());
                for (k, v) in p.entries() {
                    out.paths.push((
                        k.name.clone(),
                        v.items()
                            .into_iter()
                            .filter_map(Node::as_str)
                            .map(str::to_owned)
                            .collect(),
                    ));
                }
            }
            next = doc
                .get("extends")
                .and_then(Node::as_str)
                .filter(|e| e.starts_with('.'))
                .and_then(|e| crate::cfn::join_dir(&dir, e))
                .and_then(|p| {
                    self.reader
                        .read(&p)
                        .or_else(|_| self.reader.read(&format!("{p}.json")))
                        .ok()
                });
        }
        // Targets are relative to `baseUrl`, else to the file that declares `paths`.
        let base = out.base_url.clone().or(paths_dir).unwrap_or_default();
        for (_, targets) in &mut out.paths {
            *targets = targets
                .iter()
                .filter_map(|t| crate::cfn::join_dir(&base, t))
                .collect();
        }
        out
    }

    /// A property of a value.
    fn member(&mut self, v: Val<'a>, name: &str, at: &Loc) -> Val<'a> {
        match v {
            Val::Data(n) => match &n.value {
                Value::Map(_) => n.get(name).cloned().map_or(Val::Undefined, Val::Data),
                Value::Seq(items) => match name.parse::<usize>() {
                    Ok(i) => items.get(i).cloned().map_or(Val::Undefined, Val::Data),
                    Err(_) if name == "length" => Val::Data(Node::new(
                        Value::Int(i64::try_from(items.len()).unwrap_or(i64::MAX)),
                        at.clone(),
                    )),
                    Err(_) => Val::Undefined,
                },
                Value::Symbolic(s) => Val::Data(Node::new(
                    Value::Symbolic(format!("{}.{name}>", s.trim_end_matches('>'))),
                    at.clone(),
                )),
                _ => Val::Undefined,
            },
            Val::Namespace(m) => {
                if self.modules[m].cjs.is_some() || self.modules[m].json.is_some() {
                    let whole = self.module_value(m, at);
                    self.member(whole, name, at)
                } else {
                    self.export(m, name, at)
                }
            }
            Val::Env => Val::Data(Node::new(
                match self.options.env.as_ref().and_then(|e| e.get(name)) {
                    Some(s) => Value::Str(s.clone()),
                    None => Value::Symbolic(format!("<env:{name}>")),
                },
                at.clone(),
            )),
            Val::Undefined => Val::Undefined,
            Val::Func(..) | Val::Dirname(_) => Val::Data(Node::new(
                Value::Symbolic(format!("<js:{name}>")),
                at.clone(),
            )),
        }
    }

    /// A value as data: functions and module objects become symbolic or their exports.
    fn data(&mut self, v: Val<'a>, at: &Loc) -> Option<Node> {
        match v {
            Val::Data(n) => Some(n),
            Val::Undefined => None,
            Val::Namespace(m)
                if self.modules[m].cjs.is_some() || self.modules[m].json.is_some() =>
            {
                let whole = self.module_value(m, at);
                self.data(whole, at)
            }
            Val::Namespace(m) => {
                let mut names = Vec::new();
                self.export_names(m, &mut names, &mut Vec::new(), at);
                let mut entries = Vec::new();
                for n in names {
                    let v = self.export(m, &n, at);
                    if let Some(d) = self.data(v, at) {
                        entries.push((
                            Key {
                                name: n,
                                loc: at.clone(),
                            },
                            d,
                        ));
                    }
                }
                Some(Node::new(Value::Map(entries), at.clone()))
            }
            Val::Func(..) => Some(Node::new(
                Value::Symbolic("<js:function>".into()),
                at.clone(),
            )),
            Val::Dirname(m) => Some(Node::new(
                Value::Symbolic(format!("<__dirname:{}>", self.modules[m].dir)),
                at.clone(),
            )),
            Val::Env => Some(Node::new(
                Value::Symbolic("<js:process.env>".into()),
                at.clone(),
            )),
        }
    }

    fn charge(&self, v: Val<'a>, at: &Loc) -> Val<'a> {
        match &v {
            Val::Data(n) if !self.budget.charge(weight(n), at) => Val::Data(Node::new(
                Value::Symbolic("<over the resolution limit>".into()),
                at.clone(),
            )),
            _ => v,
        }
    }

    fn lookup(&mut self, m: usize, name: &str, scope: &Scope<'a>, at: &Loc) -> Val<'a> {
        if let Some((_, v)) = scope.iter().rev().find(|(n, _)| n == name) {
            return v.clone();
        }
        let v = self.binding(m, name, at);
        self.charge(v, at)
    }

    /// An expression's value. The nesting of evaluations, through bindings, modules and calls,
    /// is bounded, so a chain of a thousand `const`s cannot exhaust the stack.
    fn expr(
        &mut self,
        m: usize,
        e: &'a Expression<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Val<'a> {
        if self.nesting >= MAX_NESTING {
            let at = self.loc(m, e.span());
            self.budget.limit(
                "nesting",
                &at,
                format!("the configuration's values refer through more than {MAX_NESTING} levels (limit); left symbolic"),
            );
            return self.symbolic(m, e.span());
        }
        self.nesting += 1;
        let v = self.expr_inner(m, e, scope, depth);
        self.nesting -= 1;
        v
    }

    #[allow(clippy::too_many_lines)]
    fn expr_inner(
        &mut self,
        m: usize,
        e: &'a Expression<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Val<'a> {
        let e = e.get_inner_expression();
        let span = e.span();
        let at = self.loc(m, span);
        if depth > MAX_DEPTH {
            self.budget.limit(
                "depth",
                &at,
                format!(
                    "the configuration nests deeper than {MAX_DEPTH} levels (limit); left symbolic"
                ),
            );
            return self.symbolic(m, span);
        }
        let d = depth + 1;
        let here = |v: Value| Val::Data(Node::new(v, at.clone()));
        match e {
            Expression::StringLiteral(s) => here(Value::Str(s.value.to_string())),
            Expression::NumericLiteral(n) => here(number(n.value)),
            Expression::BooleanLiteral(b) => here(Value::Bool(b.value)),
            Expression::NullLiteral(_) => here(Value::Null),
            Expression::TemplateLiteral(t) => {
                let mut text = String::new();
                let mut symbolic = false;
                for (i, q) in t.quasis.iter().enumerate() {
                    text.push_str(q.value.cooked.as_ref().unwrap_or(&q.value.raw).as_str());
                    if let Some(x) = t.expressions.get(i) {
                        let v = self.expr(m, x, scope, d);
                        let v = match v {
                            Val::Data(n) => n,
                            _ => match self.symbolic(m, x.span()) {
                                Val::Data(n) => n,
                                _ => unreachable!("symbolic is data"),
                            },
                        };
                        symbolic |= v.is_symbolic();
                        text.push_str(&v.scalar_text().unwrap_or_else(|| v.display()));
                        if !self.budget.fits(text.len(), &at, "a template literal") {
                            return self.symbolic(m, span);
                        }
                    }
                }
                here(if symbolic {
                    Value::Symbolic(text)
                } else {
                    Value::Str(text)
                })
            }
            Expression::ObjectExpression(o) => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            if p.kind != PropertyKind::Init || p.method {
                                continue;
                            }
                            let key_loc = self.loc(m, p.key.span());
                            let Some(name) = self.key(m, &p.key, scope, d) else {
                                self.errors.push(ScanError::at(
                                    &key_loc,
                                    format!(
                                        "the key `[{}]` is not static: its entry was not read",
                                        self.src(m, p.key.span())
                                    ),
                                ));
                                continue;
                            };
                            let v = self.expr(m, &p.value, scope, d);
                            if let Some(v) = self.data(v, &key_loc) {
                                entries.retain(|(k, _)| k.name != name);
                                entries.push((Key { name, loc: key_loc }, v));
                            }
                        }
                        ObjectPropertyKind::SpreadProperty(s) => {
                            let v = self.expr(m, &s.argument, scope, d);
                            let v = self.data(v, &at);
                            match v.as_ref().map(|n| &n.value) {
                                Some(Value::Map(more)) => {
                                    for (k, v) in more {
                                        entries.retain(|(e, _)| e.name != k.name);
                                        entries.push((k.clone(), v.clone()));
                                    }
                                }
                                None | Some(Value::Null) => {}
                                Some(_) => self.errors.push(ScanError::at(
                                    &self.loc(m, s.span),
                                    format!(
                                        "`...{}` is not static: its entries were not read",
                                        self.src(m, s.argument.span())
                                    ),
                                )),
                            }
                        }
                    }
                }
                here(Value::Map(entries))
            }
            Expression::ArrayExpression(a) => {
                let mut items = Vec::new();
                for el in &a.elements {
                    match el {
                        oxc_ast::ast::ArrayExpressionElement::SpreadElement(s) => {
                            let v = self.expr(m, &s.argument, scope, d);
                            match self.data(v, &at).map(|n| n.value) {
                                Some(Value::Seq(more)) => items.extend(more),
                                None | Some(Value::Null) => {}
                                Some(_) => self.errors.push(ScanError::at(
                                    &self.loc(m, s.span),
                                    format!(
                                        "`...{}` is not static: its items were not read",
                                        self.src(m, s.argument.span())
                                    ),
                                )),
                            }
                        }
                        oxc_ast::ast::ArrayExpressionElement::Elision(el) => {
                            items.push(Node::new(Value::Null, self.loc(m, el.span)));
                        }
                        _ => {
                            let x = el.to_expression();
                            let v = self.expr(m, x, scope, d);
                            let l = self.loc(m, x.span());
                            items.push(
                                self.data(v, &l)
                                    .unwrap_or_else(|| Node::new(Value::Null, l)),
                            );
                        }
                    }
                }
                here(Value::Seq(items))
            }
            Expression::Identifier(id) => self.lookup(m, id.name.as_str(), scope, &at),
            Expression::StaticMemberExpression(s) => {
                if is_process_env(&s.object) {
                    return self.member(Val::Env, s.property.name.as_str(), &at);
                }
                let o = self.expr(m, &s.object, scope, d);
                if matches!(o, Val::Data(ref n) if n.is_symbolic()) {
                    return self.symbolic(m, span);
                }
                let name = s.property.name.to_string();
                self.member(o, &name, &at)
            }
            Expression::ComputedMemberExpression(c) => {
                let key = self.expr(m, &c.expression, scope, d);
                let key = match &key {
                    Val::Data(n) if !n.is_symbolic() => n.scalar_text(),
                    _ => None,
                };
                let Some(key) = key else {
                    return self.symbolic(m, span);
                };
                if is_process_env(&c.object) {
                    return self.member(Val::Env, &key, &at);
                }
                let o = self.expr(m, &c.object, scope, d);
                if matches!(o, Val::Data(ref n) if n.is_symbolic()) {
                    return self.symbolic(m, span);
                }
                self.member(o, &key, &at)
            }
            Expression::ConditionalExpression(c) => match self.truthy(m, &c.test, scope, d) {
                Some(true) => self.expr(m, &c.consequent, scope, d),
                Some(false) => self.expr(m, &c.alternate, scope, d),
                None => self.symbolic(m, span),
            },
            Expression::LogicalExpression(l) => {
                let left = self.expr(m, &l.left, scope, d);
                let known = match &left {
                    Val::Data(n) if n.is_symbolic() => None,
                    Val::Data(n) => Some(truthy_node(n)),
                    Val::Undefined => Some(false),
                    _ => Some(true),
                };
                let nullish =
                    matches!(&left, Val::Undefined) || matches!(&left, Val::Data(n) if n.is_null());
                match (l.operator, known) {
                    (LogicalOperator::Or, Some(true)) | (LogicalOperator::And, Some(false)) => left,
                    (LogicalOperator::Coalesce, Some(_)) if !nullish => left,
                    (LogicalOperator::Or | LogicalOperator::Coalesce, _)
                    | (LogicalOperator::And, Some(true)) => {
                        // `process.env.STAGE || 'dev'`: like a variable's fallback, the
                        // static alternative is the value read.
                        let right = self.expr(m, &l.right, scope, d);
                        match (&right, known) {
                            (Val::Data(r), None) if r.is_symbolic() => left,
                            _ => right,
                        }
                    }
                    (LogicalOperator::And, None) => self.symbolic(m, span),
                }
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let l = self.expr(m, &b.left, scope, d);
                let r = self.expr(m, &b.right, scope, d);
                match (l, r) {
                    (Val::Data(l), Val::Data(r)) => match (&l.value, &r.value) {
                        (Value::Int(a), Value::Int(b)) => here(Value::Int(a.saturating_add(*b))),
                        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                            here(number(as_f64(&l) + as_f64(&r)))
                        }
                        (
                            Value::Str(_) | Value::Symbolic(_),
                            Value::Str(_) | Value::Symbolic(_) | Value::Int(_) | Value::Float(_),
                        )
                        | (Value::Int(_) | Value::Float(_), Value::Str(_) | Value::Symbolic(_)) => {
                            let text = format!(
                                "{}{}",
                                l.scalar_text().unwrap_or_default(),
                                r.scalar_text().unwrap_or_default()
                            );
                            if !self.budget.fits(text.len(), &at, "a string sum") {
                                return self.symbolic(m, span);
                            }
                            here(if l.is_symbolic() || r.is_symbolic() {
                                Value::Symbolic(text)
                            } else {
                                Value::Str(text)
                            })
                        }
                        _ => self.symbolic(m, span),
                    },
                    _ => self.symbolic(m, span),
                }
            }
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::UnaryNegation => {
                match self.expr(m, &u.argument, scope, d) {
                    Val::Data(n) => match n.value {
                        Value::Int(i) => here(Value::Int(i.saturating_neg())),
                        Value::Float(f) => here(Value::Float(-f)),
                        _ => self.symbolic(m, span),
                    },
                    _ => self.symbolic(m, span),
                }
            }
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                match self.truthy(m, &u.argument, scope, d) {
                    Some(t) => here(Value::Bool(!t)),
                    None => self.symbolic(m, span),
                }
            }
            Expression::ArrowFunctionExpression(f) => Val::Func(m, Fun::Arrow(f)),
            Expression::FunctionExpression(f) => Val::Func(m, Fun::Decl(f)),
            Expression::CallExpression(c) => self.call_expr(m, c, scope, d),
            Expression::AwaitExpression(a) => self.expr(m, &a.argument, scope, d),
            _ => self.symbolic(m, span),
        }
    }

    fn key(
        &mut self,
        m: usize,
        key: &'a PropertyKey<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Option<String> {
        match key {
            PropertyKey::StaticIdentifier(id) => Some(id.name.to_string()),
            PropertyKey::PrivateIdentifier(_) => None,
            _ => {
                let e = key.to_expression();
                match e {
                    Expression::StringLiteral(s) => Some(s.value.to_string()),
                    Expression::NumericLiteral(n) => Some(n.value.to_string()),
                    _ => match self.expr(m, e, scope, depth) {
                        Val::Data(n) if !n.is_symbolic() => n.scalar_text(),
                        _ => None,
                    },
                }
            }
        }
    }

    fn truthy(
        &mut self,
        m: usize,
        e: &'a Expression<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Option<bool> {
        match self.expr(m, e, scope, depth) {
            Val::Data(n) if n.is_symbolic() => None,
            Val::Data(n) => Some(truthy_node(&n)),
            Val::Undefined => Some(false),
            _ => Some(true),
        }
    }

    fn call_expr(
        &mut self,
        m: usize,
        c: &'a oxc_ast::ast::CallExpression<'a>,
        scope: &Scope<'a>,
        depth: usize,
    ) -> Val<'a> {
        let at = self.loc(m, c.span);
        let callee = c.callee.get_inner_expression();
        // `require('./x')`: the module's value, never run.
        if let Expression::Identifier(id) = callee
            && id.name == "require"
            && !self.modules[m].bindings.contains_key("require")
        {
            let spec = c.arguments.first().and_then(|a| match a {
                Argument::StringLiteral(s) => Some(s.value.as_str()),
                _ => None,
            });
            return match spec.and_then(|s| self.import(m, s, &at)) {
                Some(t) => self.module_value(t, &at),
                None => self.symbolic(m, c.span),
            };
        }
        let mut args = Vec::new();
        for a in &c.arguments {
            match a {
                Argument::SpreadElement(_) => return self.symbolic(m, c.span),
                _ => args.push(self.expr(m, a.to_expression(), scope, depth)),
            }
        }
        // `[...].map(x => ({...}))` over static items.
        if let Expression::StaticMemberExpression(s) = callee
            && s.property.name == "map"
            && let Some(Val::Func(fm, f)) = args.first().cloned()
        {
            let list = self.expr(m, &s.object, scope, depth);
            if let Val::Data(Node {
                value: Value::Seq(items),
                ..
            }) = list
            {
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    let index = Val::Data(Node::new(
                        Value::Int(i64::try_from(i).unwrap_or(i64::MAX)),
                        at.clone(),
                    ));
                    let v = self.call(fm, f, vec![Val::Data(item), index], &at, depth);
                    let l = at.clone();
                    out.push(
                        self.data(v, &l)
                            .unwrap_or_else(|| Node::new(Value::Null, l)),
                    );
                }
                return Val::Data(Node::new(Value::Seq(out), at));
            }
            return self.symbolic(m, c.span);
        }
        // `Object.assign({}, a, b)`.
        if let Expression::StaticMemberExpression(s) = callee
            && s.property.name == "assign"
            && matches!(&s.object, Expression::Identifier(o) if o.name == "Object")
        {
            let mut entries: Vec<(Key, Node)> = Vec::new();
            for a in args {
                match self.data(a, &at).map(|n| n.value) {
                    Some(Value::Map(more)) => {
                        for (k, v) in more {
                            entries.retain(|(e, _)| e.name != k.name);
                            entries.push((k, v));
                        }
                    }
                    None | Some(Value::Null) => {}
                    Some(_) => return self.symbolic(m, c.span),
                }
            }
            return Val::Data(Node::new(Value::Map(entries), at));
        }
        let callee_name = match callee {
            Expression::Identifier(id) => Some(id.name.as_str()),
            _ => None,
        };
        let f = self.expr(m, callee, scope, depth);
        // `handlerPath(__dirname)` of the framework's template: the calling module's folder
        // relative to the service (`context.split(process.cwd())[1]`).
        if let [Val::Dirname(dm)] = args.as_slice() {
            let helper = match &f {
                Val::Func(fm, fun) => self.modules[*fm]
                    .file
                    .slice(Span::new(fun.span().start, fun.span().end))
                    .contains("cwd()"),
                _ => callee_name == Some("handlerPath"),
            };
            if helper {
                let rel = relative_to(&self.root, &self.modules[*dm].dir);
                return Val::Data(Node::new(Value::Str(rel), at));
            }
        }
        match f {
            Val::Func(fm, fun) => self.call(fm, fun, args, &at, depth),
            _ => self.symbolic(m, c.span),
        }
    }

    /// Calls a helper whose body is one expression (or one `return`), with its parameters
    /// bound to the arguments. Anything longer is not evaluated.
    fn call(
        &mut self,
        m: usize,
        f: Fun<'a>,
        args: Vec<Val<'a>>,
        at: &Loc,
        depth: usize,
    ) -> Val<'a> {
        let (params, body): (&'a FormalParameters<'a>, Option<&'a Expression<'a>>) = match f {
            Fun::Arrow(a) => (
                &a.params,
                match &a.body {
                    ArrowFunctionBody::FunctionBody(b) => single_return(b),
                    body => Some(body.to_expression()),
                },
            ),
            Fun::Decl(func) => (&func.params, func.body.as_deref().and_then(single_return)),
        };
        let span = f.span();
        let Some(body) = body else {
            // A call site's text names it (`<js:getEnvs()>`).
            return Val::Data(Node::new(
                Value::Symbolic(format!("<js:{}>", short(at.text()))),
                at.clone(),
            ));
        };
        self.calls += 1;
        if self.stack.len() > MAX_CALL_DEPTH || self.calls > 10_000 {
            self.budget.limit(
                "calls",
                at,
                "the configuration calls its helpers too deeply or too often (limit); left symbolic".into(),
            );
            return Val::Data(Node::new(
                Value::Symbolic(format!("<js:{}>", short(at.text()))),
                at.clone(),
            ));
        }
        let mut scope: Scope<'a> = Vec::new();
        for (i, p) in params.items.iter().enumerate() {
            let v = args.get(i).cloned().unwrap_or(Val::Undefined);
            let v = match (&v, &p.initializer) {
                (Val::Undefined, Some(init)) => self.expr(m, init, &scope, depth + 1),
                _ => v,
            };
            self.bind_pattern(&p.pattern, v, &mut scope, at);
        }
        self.stack.push((m, format!("call:{}", span.start)));
        let v = self.expr(m, body, &scope, depth + 1);
        self.stack.pop();
        v
    }

    fn bind_pattern(
        &mut self,
        p: &'a BindingPattern<'a>,
        v: Val<'a>,
        scope: &mut Scope<'a>,
        at: &Loc,
    ) {
        match p {
            BindingPattern::BindingIdentifier(id) => scope.push((id.name.to_string(), v)),
            BindingPattern::ObjectPattern(o) => {
                for prop in &o.properties {
                    if let PropertyKey::StaticIdentifier(k) = &prop.key {
                        let pv = self.member(v.clone(), k.name.as_str(), at);
                        self.bind_pattern(&prop.value, pv, scope, at);
                    }
                }
            }
            BindingPattern::ArrayPattern(a) => {
                for (i, el) in a.elements.iter().enumerate() {
                    if let Some(el) = el {
                        let pv = self.member(v.clone(), &i.to_string(), at);
                        self.bind_pattern(el, pv, scope, at);
                    }
                }
            }
            BindingPattern::AssignmentPattern(a) => self.bind_pattern(&a.left, v, scope, at),
        }
    }
}

/// Source text on one line, cut short, for symbolic values and messages.
fn short(text: &str) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// The value of an import that is not a file of the tree (a package): symbolic.
fn unresolved<'a>(spec: &str, name: Option<&str>, at: &Loc) -> Val<'a> {
    let text = match name {
        Some("default") | None => format!("<import:{spec}>"),
        Some(n) => format!("<import:{spec}#{n}>"),
    };
    Val::Data(Node::new(Value::Symbolic(text), at.clone()))
}

/// Names no binding declares.
fn global<'a>(name: &str, m: usize, at: &Loc) -> Val<'a> {
    match name {
        "__dirname" => Val::Dirname(m),
        "undefined" => Val::Undefined,
        _ => Val::Data(Node::new(
            Value::Symbolic(format!("<js:{name}>")),
            at.clone(),
        )),
    }
}

fn is_process_env(e: &Expression<'_>) -> bool {
    matches!(e.get_inner_expression(), Expression::StaticMemberExpression(s)
        if s.property.name == "env"
            && matches!(&s.object, Expression::Identifier(p) if p.name == "process"))
}

fn single_return<'a>(body: &'a FunctionBody<'a>) -> Option<&'a Expression<'a>> {
    match body.statements.as_slice() {
        [Statement::ReturnStatement(r)] => r.argument.as_ref(),
        _ => None,
    }
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::Int(f as i64)
    } else {
        Value::Float(f)
    }
}

fn as_f64(n: &Node) -> f64 {
    match n.value {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => f64::NAN,
    }
}

fn truthy_node(n: &Node) -> bool {
    match &n.value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0 && !f.is_nan(),
        Value::Str(s) => !s.is_empty(),
        _ => true,
    }
}

/// `dir` relative to `root` (both relative to the scan root), `..` where it is outside.
fn relative_to(root: &str, dir: &str) -> String {
    let r: Vec<&str> = root.split('/').filter(|s| !s.is_empty()).collect();
    let d: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let common = r.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; r.len() - common];
    parts.extend(&d[common..]);
    parts.join("/")
}

/// The deepest bracket nesting of a text (strings included: an over-estimate).
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Records the top-level bindings and exports of a program.
fn collect<'a>(program: &'a Program<'a>, module: &mut Module<'a>) {
    for stmt in &program.body {
        match stmt {
            Statement::VariableDeclaration(v) => declare(v, module, false),
            Statement::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    module
                        .bindings
                        .insert(id.name.to_string(), Binding::Func(Fun::Decl(f)));
                }
            }
            Statement::ImportDeclaration(i) => {
                if i.import_kind == ImportOrExportKind::Type {
                    continue;
                }
                let spec = i.source.value.as_str();
                for s in i.specifiers.iter().flatten() {
                    let (local, name) = match s {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            if s.import_kind == ImportOrExportKind::Type {
                                continue;
                            }
                            (s.local.name.to_string(), Some(export_name(&s.imported)))
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            (s.local.name.to_string(), Some("default".to_owned()))
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            (s.local.name.to_string(), None)
                        }
                    };
                    module.bindings.insert(local, Binding::Import(spec, name));
                }
            }
            Statement::ExportDeclaration(d) => match &d.declaration {
                oxc_ast::ast::Declaration::VariableDeclaration(v) => declare(v, module, true),
                oxc_ast::ast::Declaration::FunctionDeclaration(f) => {
                    if let Some(id) = &f.id {
                        let name = id.name.to_string();
                        module
                            .bindings
                            .insert(name.clone(), Binding::Func(Fun::Decl(f)));
                        module.named.push((name.clone(), Export::Local(name)));
                    }
                }
                _ => {}
            },
            Statement::ExportNamedDeclaration(d) => {
                if d.export_kind == ImportOrExportKind::Type {
                    continue;
                }
                for s in &d.specifiers {
                    module.named.push((
                        export_name(&s.exported),
                        Export::Local(export_name(&s.local)),
                    ));
                }
            }
            Statement::ExportFromDeclaration(d) => {
                if d.export_kind == ImportOrExportKind::Type {
                    continue;
                }
                let spec = d.source.value.as_str();
                for s in &d.specifiers {
                    module.named.push((
                        export_name(&s.exported),
                        Export::From(spec, Some(export_name(&s.local))),
                    ));
                }
            }
            Statement::ExportAllDeclaration(d) => {
                let spec = d.source.value.as_str();
                match &d.exported {
                    Some(n) => module
                        .named
                        .push((export_name(n), Export::From(spec, None))),
                    None => module.stars.push(spec),
                }
            }
            Statement::ExportDefaultDeclaration(d) => {
                let export = match &d.declaration {
                    oxc_ast::ast::ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                        let name =
                            f.id.as_ref()
                                .map_or_else(|| "*default*".to_owned(), |id| id.name.to_string());
                        module
                            .bindings
                            .insert(name.clone(), Binding::Func(Fun::Decl(f)));
                        Some(Export::Local(name))
                    }
                    oxc_ast::ast::ExportDefaultDeclarationKind::ClassDeclaration(_)
                    | oxc_ast::ast::ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => None,
                    k => Some(Export::Expr(k.to_expression())),
                };
                if let Some(e) = export {
                    module.named.push(("default".to_owned(), e));
                }
            }
            Statement::TSExportAssignment(e) => module.cjs = Some(&e.expression),
            Statement::ExpressionStatement(s) => {
                if let Expression::AssignmentExpression(a) = &s.expression {
                    cjs_assignment(&a.left, &a.right, module);
                }
            }
            _ => {}
        }
    }
}

/// `module.exports = x`, `module.exports.n = x`, `exports.n = x`.
fn cjs_assignment<'a>(
    left: &'a AssignmentTarget<'a>,
    right: &'a Expression<'a>,
    module: &mut Module<'a>,
) {
    let AssignmentTarget::StaticMemberExpression(s) = left else {
        return;
    };
    let is =
        |e: &Expression<'_>, name: &str| matches!(e, Expression::Identifier(i) if i.name == name);
    if is(&s.object, "module") && s.property.name == "exports" {
        module.cjs = Some(right);
        module.cjs_props.clear();
    } else if is(&s.object, "exports")
        || matches!(&s.object, Expression::StaticMemberExpression(o)
            if o.property.name == "exports" && is(&o.object, "module"))
    {
        let name = s.property.name.to_string();
        module.cjs_props.retain(|(n, _)| *n != name);
        module.cjs_props.push((name, right));
    }
}

fn declare<'a>(v: &'a VariableDeclaration<'a>, module: &mut Module<'a>, export: bool) {
    for d in &v.declarations {
        let Some(init) = &d.init else { continue };
        let mut names = Vec::new();
        pattern_paths(&d.id, &mut Vec::new(), &mut names);
        for (name, path) in names {
            if export {
                module
                    .named
                    .push((name.clone(), Export::Local(name.clone())));
            }
            module.bindings.insert(name, Binding::Expr(init, path));
        }
    }
}

/// The names a pattern binds, each with its path into the value.
fn pattern_paths(
    p: &BindingPattern<'_>,
    path: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    match p {
        BindingPattern::BindingIdentifier(id) => out.push((id.name.to_string(), path.clone())),
        BindingPattern::ObjectPattern(o) => {
            for prop in &o.properties {
                let key = match &prop.key {
                    PropertyKey::StaticIdentifier(k) => k.name.to_string(),
                    PropertyKey::StringLiteral(s) => s.value.to_string(),
                    _ => continue,
                };
                path.push(key);
                pattern_paths(&prop.value, path, out);
                path.pop();
            }
        }
        BindingPattern::ArrayPattern(a) => {
            for (i, el) in a.elements.iter().enumerate() {
                if let Some(el) = el {
                    path.push(i.to_string());
                    pattern_paths(el, path, out);
                    path.pop();
                }
            }
        }
        BindingPattern::AssignmentPattern(a) => pattern_paths(&a.left, path, out),
    }
}

fn export_name(n: &ModuleExportName<'_>) -> String {
    match n {
        ModuleExportName::IdentifierName(i) => i.name.to_string(),
        ModuleExportName::IdentifierReference(i) => i.name.to_string(),
        ModuleExportName::StringLiteral(s) => s.value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files by path, for configurations spread over modules.
    struct Files(Vec<(&'static str, &'static str)>);

    impl FileReader for Files {
        fn read(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
            self.0
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(p, t)| SourceFile::new(*p, *t))
                .ok_or_else(|| format!("no {rel}"))
        }
    }

    fn config(files: Vec<(&'static str, &'static str)>) -> (Node, Vec<ScanError>) {
        let files = Files(files);
        let main = files.read(files.0[0].0).unwrap();
        let (doc, errors) = read(&main, &files, &LoadOptions::default());
        (doc.expect("a configuration"), errors)
    }

    #[test]
    fn export_assignment_namespace_imports_and_json() {
        let (doc, errors) = config(vec![
            (
                "serverless.ts",
                "import * as fns from './fns';\nimport settings = require('./x');\nconst cfg = require('./cfg.json');\nexport = { service: cfg.name, functions: { ...fns } };\n",
            ),
            (
                "fns.ts",
                "export const a = { handler: 'a.main' };\nexport * from './more';\nexport type T = string;\n",
            ),
            ("more.ts", "export const b = { handler: `b.${'main'}` };\n"),
            ("cfg.json", "{ \"name\": \"svc\" }"),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(doc.get("service").and_then(Node::as_str), Some("svc"));
        let a = doc.path(&["functions", "a", "handler"]).unwrap();
        assert_eq!(a.as_str(), Some("a.main"));
        assert_eq!(a.loc.path(), "fns.ts");
        // `export *` names are part of the namespace.
        let b = doc.path(&["functions", "b", "handler"]).unwrap();
        assert_eq!(b.as_str(), Some("b.main"));
        assert_eq!(b.loc.path(), "more.ts");
    }

    #[test]
    fn a_module_that_requires_itself_is_read_once() {
        let files = Files(vec![(
            "serverless.js",
            "module.exports = require('./serverless.js');\n",
        )]);
        let main = files.read("serverless.js").unwrap();
        let (doc, errors) = read(&main, &files, &LoadOptions::default());
        assert!(doc.is_none());
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn cycles_and_missing_modules_stay_symbolic() {
        let (doc, errors) = config(vec![(
            "serverless.js",
            "const a = b;\nconst b = a;\nconst m = require('./missing');\nmodule.exports = { service: a, custom: m, provider: { name: 'aws' } };\n",
        )]);
        assert!(doc.get("service").unwrap().is_symbolic());
        assert!(doc.get("custom").unwrap().is_symbolic());
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("`./missing` names no file")),
            "{errors:?}"
        );
    }

    #[test]
    fn relative_folders() {
        assert_eq!(
            relative_to("", "src/functions/hello"),
            "src/functions/hello"
        );
        assert_eq!(relative_to("app", "app/src/a"), "src/a");
        assert_eq!(relative_to("app", "lib"), "../lib");
        assert_eq!(relative_to("app", "app"), "");
    }
}
