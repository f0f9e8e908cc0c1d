//! The taint engine: an abstract interpreter over oxc's AST. It runs the handler with an
//! abstract event (every field a potential source), follows values through variables,
//! objects, calls into the repository's own functions and modules (evaluated at each call
//! with the actual abstract arguments, memoised, depth- and budget-bounded), and asks the
//! tables in `spec.rs` (through `sinks.rs` and `sdk.rs`) what each library call means.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionBody, AssignmentOperator, AssignmentTarget,
    AssignmentTargetMaybeDefault, AssignmentTargetProperty, BinaryExpression, BindingPattern,
    ChainElement, Class, ClassElement, Declaration, ExportDefaultDeclarationKind, Expression,
    ForStatementInit, ForStatementLeft, FormalParameters, IfStatement, ImportDeclarationSpecifier,
    LogicalExpression, MemberExpression, MethodDefinitionKind, ObjectPropertyKind, Program,
    PropertyKey, Statement, TemplateLiteral, VariableDeclaration, VariableDeclarationKind,
};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};
use perimeter_diagnostics::{Kind, Loc, ScanError, SourceFile};
use rustc_hash::{FxHashMap, FxHashSet};

use super::resolve::{Import, Resolver};
use super::value::{
    ALL_KINDS, FnNode, Func, Obj, Scope, Tag, Taint, Text, Val, add_taints, deep_taints, flat,
    join, join_path, kind_bit, split_whole, truncate,
};
use crate::Repo;
use crate::core::budget::{
    Budget, JS_CALL_STEPS, JS_HANDLER_STEPS, JS_MODULE_STEPS, MAX_CALL_DEPTH,
};
use crate::handler::Convention;

/// Deepest chain of base classes whose constructors are run.
const MAX_CLASS_DEPTH: u32 = 64;

/// How a statement list ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Fell through.
    Normal,
    /// Returned or threw.
    Return,
    /// `break` or `continue`.
    Break,
}

/// How a binding is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bind {
    /// `let`, `const`, parameters: in the current scope.
    Let,
    /// `var`: in the function scope.
    Var,
}

/// One loaded module.
pub(crate) struct Module<'a> {
    /// Relative path.
    pub path: String,
    /// The source.
    pub file: Arc<SourceFile>,
    /// The `module` object (its `exports` field is the exports).
    pub module_obj: Val<'a>,
}

struct Frame<'a> {
    key: (usize, u32),
    module: usize,
    ret: Val<'a>,
    steps: u32,
    budget: u32,
    handler: bool,
    name: String,
    dead: bool,
    /// An entry point: what runs from here (modules it loads aside) runs for a request.
    entry: bool,
}

/// A function handed to a library while the modules loaded: the library's module, the
/// function, and the origin of what the library passes it.
type Deferred<'a> = (Rc<str>, Rc<Func<'a>>, Option<Rc<super::value::Origin>>);

/// The engine's state for one handler analysis.
pub(crate) struct Engine<'a> {
    /// What the code was seen doing.
    pub fx: crate::core::summary::Effects,
    alloc: &'a Allocator,
    repo: &'a Repo,
    /// Module resolution.
    pub resolver: Resolver<'a>,
    /// Modules loaded, in load order.
    pub modules: Vec<Module<'a>>,
    by_path: FxHashMap<String, usize>,
    /// Calls and flows (indices) made in branches that only another trigger's event takes
    /// (see [`Self::other_trigger`]): not effects an HTTP request reaches.
    pub(super) other_trigger: (Vec<usize>, Vec<usize>),
    /// Uses of the packages' functions and objects (see [`crate::PackageUse`]); `None`
    /// once more than [`crate::summary::MAX_PACKAGE_USES`] were met.
    pub package_uses: Option<Vec<crate::PackageUse>>,
    package_use_keys: FxHashSet<(String, String, usize, u32, crate::PackageUseKind)>,
    /// The next invocation is an entry point.
    entering: bool,
    /// The package of each library module imported (normalised module name to package).
    packages: FxHashMap<String, String>,
    /// Functions handed to a library while the modules loaded, by the library's module: the
    /// library may call them for a request, so a request that calls the library runs them.
    deferred: Vec<Deferred<'a>>,
    /// Names of the functions and methods the modules define: a method of that name called on
    /// a value the analysis knows nothing of may be one of them.
    defined: FxHashSet<String>,
    stack: Vec<Frame<'a>>,
    memo: FxHashMap<(usize, u32, String), (Val<'a>, Vec<Val<'a>>)>,
    scopes: Vec<Rc<Scope<'a>>>,
    budget: Budget,
    exhausted: FxHashSet<String>,
    cond_depth: u32,
    name_hint: Option<String>,
    deferred_exports: Vec<(
        usize,
        &'a oxc_ast::ast::ExportNamedDeclaration<'a>,
        Rc<Scope<'a>>,
    )>,
}

impl<'a> Engine<'a> {
    /// A fresh engine.
    pub(crate) fn new(alloc: &'a Allocator, repo: &'a Repo, resolver: Resolver<'a>) -> Self {
        Engine {
            fx: crate::core::summary::Effects::default(),
            alloc,
            repo,
            resolver,
            modules: Vec::new(),
            by_path: FxHashMap::default(),
            other_trigger: (Vec::new(), Vec::new()),
            package_uses: Some(Vec::new()),
            package_use_keys: FxHashSet::default(),
            entering: false,
            packages: FxHashMap::default(),
            deferred: Vec::new(),
            defined: FxHashSet::default(),
            stack: Vec::new(),
            memo: FxHashMap::default(),
            scopes: Vec::new(),
            budget: Budget::new(JS_HANDLER_STEPS),
            exhausted: FxHashSet::default(),
            cond_depth: 0,
            name_hint: None,
            deferred_exports: Vec::new(),
        }
    }

    /// Drops every value so closures and scopes that point at each other are freed.
    pub(crate) fn teardown(&mut self) {
        for s in &self.scopes {
            s.vars.borrow_mut().clear();
        }
        self.scopes.clear();
        self.memo.clear();
        for m in &self.modules {
            if let Some(o) = &m.module_obj.obj {
                o.borrow_mut().fields.clear();
            }
        }
        self.deferred_exports.clear();
        self.deferred.clear();
    }

    /// Whether the code being evaluated runs for a request: inside an entry point and not in
    /// the top level of a module it loads.
    pub(crate) fn in_request(&self) -> bool {
        for f in self.stack.iter().rev() {
            if f.entry {
                return true;
            }
            if f.key.1 == u32::MAX {
                return false;
            }
        }
        false
    }

    // ----- locations, budget -------------------------------------------------------------

    /// The module being evaluated.
    pub(super) fn cur_module(&self) -> usize {
        self.cur()
    }

    fn cur(&self) -> usize {
        self.stack.last().map_or(0, |f| f.module)
    }

    /// A location in the module being evaluated.
    pub(crate) fn loc(&self, span: Span) -> Loc {
        self.loc_in(self.cur(), span)
    }

    /// A location in a module.
    pub(crate) fn loc_in(&self, module: usize, span: Span) -> Loc {
        let file = self.modules.get(module).map(|m| &m.file);
        crate::core::loc_in(file, span.start, span.end)
    }

    fn tick(&mut self) -> bool {
        let within = self.budget.tick();
        let Some(f) = self.stack.last_mut() else {
            return true;
        };
        if f.dead {
            return false;
        }
        f.steps += 1;
        if f.steps > f.budget || !within {
            f.dead = true;
            let (name, module) = (f.name.clone(), f.module);
            let limit = if !within {
                format!("the limit of {JS_HANDLER_STEPS} steps per handler")
            } else {
                format!("the limit of {} steps per call", f.budget)
            };
            if self.exhausted.insert(name.clone()) {
                let path = self
                    .modules
                    .get(module)
                    .map(|m| m.path.clone())
                    .unwrap_or_default();
                self.fx.errors.push(ScanError::new(
                    path,
                    format!(
                        "analysis budget exhausted in {name} ({limit}): results may be incomplete"
                    ),
                ));
            }
            return false;
        }
        true
    }

    /// Records, once per function and limit, that the analysis stopped at a limit there.
    fn cut(&mut self, name: &str, what: &str) {
        let path = self
            .modules
            .get(self.cur())
            .map(|m| m.path.clone())
            .unwrap_or_default();
        crate::limits::record_cut(&mut self.exhausted, &mut self.fx.errors, path, name, what);
    }

    fn frame_name(&self) -> String {
        self.stack
            .last()
            .map_or_else(|| "the handler".to_owned(), |f| f.name.clone())
    }

    fn dead(&self) -> bool {
        self.stack.last().is_some_and(|f| f.dead)
    }

    fn new_scope(&mut self, parent: &Rc<Scope<'a>>, function: bool) -> Rc<Scope<'a>> {
        let s = Scope::child(Some(parent), function);
        self.scopes.push(Rc::clone(&s));
        s
    }

    // ----- modules -----------------------------------------------------------------------

    /// Loads, parses and evaluates a module once; its index.
    pub(crate) fn load(&mut self, path: &str) -> Option<usize> {
        if let Some(&i) = self.by_path.get(path) {
            return Some(i);
        }
        if let Some(limit) = Budget::module_limit(self.modules.len(), path) {
            let name = self.frame_name();
            self.cut(&name, &limit);
            return None;
        }
        let file = match self.repo.read(path) {
            Ok(f) => f,
            Err(e) => {
                self.fx
                    .errors
                    .push(ScanError::new(path, format!("cannot analyse: {e}")));
                return None;
            }
        };
        if let Err(limit) = self.budget.admit_source(file.text().len(), path) {
            let name = self.frame_name();
            self.cut(&name, &limit);
            return None;
        }
        if let Some(why) = crate::limits::nesting_error(path, file.text()) {
            self.fx.errors.push(ScanError::new(path, why));
            return None;
        }
        let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::mjs());
        let text = self.alloc.alloc_str(file.text());
        let ret = Parser::new(self.alloc, text, source_type).parse();
        if let Some(d) = ret.diagnostics.first() {
            let line = d.labels.first().map(|l| file.position(l.offset()).line);
            let mut error = ScanError::new(path, format!("parse error: {}", d.message));
            error.line = line;
            self.fx.errors.push(error);
        }
        let program: &'a Program<'a> = self.alloc.alloc(ret.program);
        let idx = self.modules.len();
        let exports = Val::object(Obj::default());
        let mut module_obj = Obj::default();
        module_obj
            .fields
            .insert("exports".to_owned(), exports.clone());
        let module_obj = Val::object(module_obj);
        let scope = Scope::child(None, true);
        self.scopes.push(Rc::clone(&scope));
        scope.declare("module", module_obj.clone());
        scope.declare("exports", exports);
        self.modules.push(Module {
            path: path.to_owned(),
            file,
            module_obj,
        });
        self.by_path.insert(path.to_owned(), idx);
        self.stack.push(Frame {
            key: (idx, u32::MAX),
            module: idx,
            ret: Val::default(),
            steps: 0,
            budget: JS_MODULE_STEPS,
            handler: false,
            name: format!("module {path}"),
            dead: false,
            entry: false,
        });
        self.exec_block(&program.body, &scope);
        let deferred: Vec<_> = {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.deferred_exports)
                .into_iter()
                .partition(|d| d.0 == idx);
            self.deferred_exports = rest;
            mine
        };
        for (_, d, sc) in deferred {
            for s in &d.specifiers {
                let local = s.local.name();
                let v = sc.lookup(local.as_str()).unwrap_or_default();
                self.set_export(s.exported.name().as_str(), v, s.span);
            }
        }
        self.stack.pop();
        Some(idx)
    }

    /// The exports of a loaded module.
    pub(crate) fn exports(&self, idx: usize) -> Val<'a> {
        self.modules
            .get(idx)
            .and_then(|m| m.module_obj.field("exports"))
            .unwrap_or_default()
    }

    fn set_export(&mut self, name: &str, v: Val<'a>, span: Span) {
        let cur = self.cur();
        let exports = self.exports(cur);
        if let Some(o) = &exports.obj {
            let mut o = o.borrow_mut();
            o.fields.insert(name.to_owned(), v);
            o.defs.insert(name.to_owned(), (cur, span));
        }
    }

    fn require(&mut self, spec: &str) -> Val<'a> {
        let from = self
            .modules
            .get(self.cur())
            .map(|m| m.path.clone())
            .unwrap_or_default();
        match self.resolver.resolve_import(&from, spec) {
            Import::Local(p) => match self.load(&p) {
                Some(i) => self.exports(i),
                None => Val::default(),
            },
            Import::Package(module, package) => {
                if let Some(p) = package {
                    self.packages.insert(module.clone(), p.clone());
                    self.fx.imports.insert(p);
                }
                Val::origin(&module, "")
            }
            Import::Missing => Val::default(),
        }
    }

    // ----- statements --------------------------------------------------------------------

    fn exec_block(&mut self, stmts: &'a [Statement<'a>], sc: &Rc<Scope<'a>>) -> Exit {
        self.hoist(stmts, sc);
        for (i, s) in stmts.iter().enumerate() {
            if self.dead() {
                return Exit::Return;
            }
            if let Statement::IfStatement(check) = s {
                self.denial(check, &stmts[i + 1..], sc);
            }
            let e = self.exec(s, sc);
            if e != Exit::Normal {
                return e;
            }
        }
        Exit::Normal
    }

    /// An access check whose denial falls through: `if (...) { callback(null, { statusCode:
    /// 401 }) }` with no `else`, no `return` or `throw` in the branch, and statements after
    /// it that run for the denied caller too.
    /// A check whose denial leaves before anything has been called is a guard instead.
    /// A comparison with the request's signature (see [`Self::signature_check`]) is a guard
    /// when its branch leaves before anything has been written, whatever it answers.
    fn denial(
        &mut self,
        check: &'a IfStatement<'a>,
        rest: &'a [Statement<'a>],
        sc: &Rc<Scope<'a>>,
    ) {
        let module = self.cur();
        let Some(file) = self.modules.get(module).map(|m| Arc::clone(&m.file)) else {
            return;
        };
        let span = check.consequent.span();
        let Some(branch) = file.text().get(span.start as usize..span.end as usize) else {
            return;
        };
        let denies = crate::spec::denies_access(branch);
        self.note_post_back(check, sc);
        let signature = self.signature_check(check, sc);
        if !denies && !signature {
            return;
        }
        if crate::spec::leaves(branch) {
            if (denies && !self.acted()) || (signature && !self.wrote()) {
                let at = self.loc_in(module, check.test.span());
                self.fx.guards.push(at);
            }
            return;
        }
        if !denies || check.alternate.is_some() {
            return;
        }
        let Some(next) = rest
            .iter()
            .find(|s| !matches!(s, Statement::EmptyStatement(_)))
        else {
            return;
        };
        if matches!(next, Statement::ReturnStatement(_)) {
            return;
        }
        let check = self.loc_in(module, check.test.span());
        if self.fx.denials.iter().any(|d| d.check == check) {
            return;
        }
        let then = self.loc_in(module, next.span());
        self.fx.denials.push(crate::Denial { check, then });
    }

    /// Whether the code has called a service or reached a sink so far.
    fn acted(&self) -> bool {
        self.fx
            .sdk_calls
            .iter()
            .any(|c| !c.is_http() || c.tainted.is_some())
            || self.fx.flows.iter().any(|f| f.kind != Kind::VerboseError)
    }

    fn hoist(&mut self, stmts: &'a [Statement<'a>], sc: &Rc<Scope<'a>>) {
        for s in stmts {
            let f = match s {
                Statement::FunctionDeclaration(f) => f,
                Statement::ExportDeclaration(d) => match &d.declaration {
                    Declaration::FunctionDeclaration(f) => f,
                    _ => continue,
                },
                Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => f,
                    _ => continue,
                },
                _ => continue,
            };
            if let Some(id) = &f.id {
                let v = self.func_val(FnNode::Func(f), sc, id.name.as_str());
                sc.declare(id.name.as_str(), v);
            }
        }
    }

    fn exec(&mut self, s: &'a Statement<'a>, sc: &Rc<Scope<'a>>) -> Exit {
        if !self.tick() {
            return Exit::Return;
        }
        if !self.enter() {
            return Exit::Return;
        }
        let e = self.exec_inner(s, sc);
        self.budget.leave();
        e
    }

    /// One more level of evaluation, unless the chain is at its limit (recorded).
    fn enter(&mut self) -> bool {
        if let Err(limit) = self.budget.enter() {
            let name = self.frame_name();
            self.cut(&name, &limit);
            return false;
        }
        true
    }

    fn exec_inner(&mut self, s: &'a Statement<'a>, sc: &Rc<Scope<'a>>) -> Exit {
        match s {
            Statement::BlockStatement(b) => {
                let inner = self.new_scope(sc, false);
                self.exec_block(&b.body, &inner)
            }
            Statement::ExpressionStatement(e) => {
                self.eval(&e.expression, sc);
                Exit::Normal
            }
            Statement::VariableDeclaration(d) => {
                self.var_decl(d, sc);
                Exit::Normal
            }
            Statement::ClassDeclaration(c) => {
                let v = self.class_val(c, sc);
                if let Some(id) = &c.id {
                    sc.declare(id.name.as_str(), v);
                }
                Exit::Normal
            }
            Statement::IfStatement(i) => self.exec_if(i, sc),
            Statement::ReturnStatement(r) => {
                let v = match &r.argument {
                    Some(a) => self.eval(a, sc),
                    None => Val::default(),
                };
                self.ret(v, r.span);
                Exit::Return
            }
            Statement::ThrowStatement(t) => {
                self.eval(&t.argument, sc);
                Exit::Return
            }
            Statement::TryStatement(t) => {
                self.cond_depth += 1;
                let inner = self.new_scope(sc, false);
                let stops = t.handler.as_ref().is_none_or(|h| {
                    let span = h.body.span();
                    self.modules.get(self.cur()).is_some_and(|m| {
                        m.file
                            .text()
                            .get(span.start as usize..span.end as usize)
                            .is_some_and(crate::purpose::catch_leaves)
                    })
                });
                self.fx.try_stack.push(stops);
                let e1 = self.exec_block(&t.block.body, &inner);
                self.fx.try_stack.pop();
                let mut e2 = Exit::Return;
                if let Some(h) = &t.handler {
                    let inner = self.new_scope(sc, false);
                    if let Some(p) = &h.param {
                        let err = self.error_val(p.pattern.span());
                        self.bind(&p.pattern, err, &inner, Bind::Let, None);
                    }
                    e2 = self.exec_block(&h.body.body, &inner);
                }
                self.cond_depth -= 1;
                if let Some(f) = &t.finalizer {
                    let inner = self.new_scope(sc, false);
                    if self.exec_block(&f.body, &inner) == Exit::Return {
                        return Exit::Return;
                    }
                }
                if e1 == Exit::Return && e2 == Exit::Return {
                    Exit::Return
                } else {
                    Exit::Normal
                }
            }
            Statement::ForStatement(f) => {
                let inner = self.new_scope(sc, false);
                match &f.init {
                    Some(ForStatementInit::VariableDeclaration(d)) => self.var_decl(d, &inner),
                    Some(init) => {
                        if let Some(e) = init.as_expression() {
                            self.eval(e, &inner);
                        }
                    }
                    None => {}
                }
                if let Some(t) = &f.test {
                    self.eval(t, &inner);
                }
                self.cond_depth += 1;
                self.exec(&f.body, &inner);
                if let Some(u) = &f.update {
                    self.eval(u, &inner);
                }
                self.cond_depth -= 1;
                Exit::Normal
            }
            Statement::ForOfStatement(f) => {
                let right = self.eval(&f.right, sc);
                let elem = self.element_of(&right, f.right.span());
                self.loop_with(&f.left, elem, &f.body, sc)
            }
            Statement::ForInStatement(f) => {
                let right = self.eval(&f.right, sc);
                let key = Val::tainted(flat(&right.taint));
                self.loop_with(&f.left, key, &f.body, sc)
            }
            Statement::WhileStatement(w) => {
                self.eval(&w.test, sc);
                self.cond_depth += 1;
                self.exec(&w.body, sc);
                self.cond_depth -= 1;
                Exit::Normal
            }
            Statement::DoWhileStatement(w) => {
                self.cond_depth += 1;
                self.exec(&w.body, sc);
                self.cond_depth -= 1;
                self.eval(&w.test, sc);
                Exit::Normal
            }
            Statement::SwitchStatement(sw) => {
                self.eval(&sw.discriminant, sc);
                let name = match sw.discriminant.get_inner_expression() {
                    Expression::Identifier(id) => Some(id.name.as_str()),
                    _ => None,
                };
                self.cond_depth += 1;
                for case in &sw.cases {
                    let literal = case.test.as_ref().is_some_and(|t| {
                        matches!(
                            t.get_inner_expression(),
                            Expression::StringLiteral(_) | Expression::NumericLiteral(_)
                        )
                    });
                    let inner = match name {
                        Some(n) if literal => self.shadow_clean(sc, n),
                        _ => self.new_scope(sc, false),
                    };
                    if let Some(t) = &case.test {
                        self.eval(t, sc);
                    }
                    self.exec_block(&case.consequent, &inner);
                }
                self.cond_depth -= 1;
                Exit::Normal
            }
            Statement::LabeledStatement(l) => match self.exec(&l.body, sc) {
                Exit::Break => Exit::Normal,
                e => e,
            },
            Statement::BreakStatement(_) | Statement::ContinueStatement(_) => Exit::Break,
            Statement::ImportDeclaration(i) => {
                let ns = self.require(i.source.value.as_str());
                let local_module = ns.origin.is_none();
                for spec in i.specifiers.iter().flatten() {
                    let v = match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            let name = s.imported.name();
                            self.import_member(&ns, name.as_str(), local_module, s.span)
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            self.import_member(&ns, "default", local_module, s.span)
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => ns.clone(),
                    };
                    sc.declare(spec.local().name.as_str(), v);
                }
                Exit::Normal
            }
            Statement::ExportDeclaration(d) => {
                self.exec_decl(&d.declaration, sc);
                let names: Vec<(&'a str, Span)> = match &d.declaration {
                    Declaration::VariableDeclaration(v) => v
                        .declarations
                        .iter()
                        .flat_map(|d| d.id.get_binding_identifiers())
                        .map(|b| (b.name.as_str(), b.span))
                        .collect(),
                    Declaration::FunctionDeclaration(f) => {
                        f.id.iter().map(|b| (b.name.as_str(), b.span)).collect()
                    }
                    Declaration::ClassDeclaration(c) => {
                        c.id.iter().map(|b| (b.name.as_str(), b.span)).collect()
                    }
                    _ => Vec::new(),
                };
                for (n, span) in names {
                    let v = sc.lookup(n).unwrap_or_default();
                    self.set_export(n, v, span);
                }
                Exit::Normal
            }
            Statement::ExportNamedDeclaration(d) => {
                let cur = self.cur();
                self.deferred_exports.push((cur, d, Rc::clone(sc)));
                Exit::Normal
            }
            Statement::ExportFromDeclaration(d) => {
                let ns = self.require(d.source.value.as_str());
                let local_module = ns.origin.is_none();
                for s in &d.specifiers {
                    let v = self.import_member(&ns, s.local.name().as_str(), local_module, s.span);
                    self.set_export(s.exported.name().as_str(), v, s.span);
                }
                Exit::Normal
            }
            Statement::ExportAllDeclaration(d) => {
                let ns = self.require(d.source.value.as_str());
                if let Some(name) = &d.exported {
                    self.set_export(name.name().as_str(), ns, d.span);
                } else if let Some(o) = &ns.obj {
                    let fields: Vec<(String, Val<'a>)> = o
                        .borrow()
                        .fields
                        .iter()
                        .filter(|(k, _)| *k != "default")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, v) in fields {
                        self.set_export(&k, v, d.span);
                    }
                }
                Exit::Normal
            }
            Statement::ExportDefaultDeclaration(d) => {
                let v = match &d.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                        let name = f.id.as_ref().map_or("default", |i| i.name.as_str());
                        self.func_val(FnNode::Func(f), sc, name)
                    }
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => self.class_val(c, sc),
                    ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => Val::default(),
                    other => match other.as_expression() {
                        Some(e) => {
                            self.name_hint = Some("default".to_owned());
                            self.eval(e, sc)
                        }
                        None => Val::default(),
                    },
                };
                self.set_export("default", v, d.span);
                Exit::Normal
            }
            Statement::TSExportAssignment(e) => {
                let v = self.eval(&e.expression, sc);
                let cur = self.cur();
                if let Some(o) = self.modules.get(cur).and_then(|m| m.module_obj.obj.clone()) {
                    o.borrow_mut().fields.insert("exports".to_owned(), v);
                }
                Exit::Normal
            }
            _ => Exit::Normal,
        }
    }

    fn import_member(&mut self, ns: &Val<'a>, name: &str, local: bool, span: Span) -> Val<'a> {
        if local {
            if let Some(v) = ns.field(name) {
                return v;
            }
            // CommonJS module imported from ESM: the default export is `module.exports`.
            if name == "default" {
                return ns.clone();
            }
            return Val::default();
        }
        if name == "default" {
            return ns.clone();
        }
        self.member(ns, Some(name), span)
    }

    fn exec_decl(&mut self, d: &'a Declaration<'a>, sc: &Rc<Scope<'a>>) {
        match d {
            Declaration::VariableDeclaration(v) => self.var_decl(v, sc),
            Declaration::ClassDeclaration(c) => {
                let v = self.class_val(c, sc);
                if let Some(id) = &c.id {
                    sc.declare(id.name.as_str(), v);
                }
            }
            _ => {}
        }
    }

    fn loop_with(
        &mut self,
        left: &'a ForStatementLeft<'a>,
        elem: Val<'a>,
        body: &'a Statement<'a>,
        sc: &Rc<Scope<'a>>,
    ) -> Exit {
        let inner = self.new_scope(sc, false);
        match left {
            ForStatementLeft::VariableDeclaration(d) => {
                let mode = if d.kind == VariableDeclarationKind::Var {
                    Bind::Var
                } else {
                    Bind::Let
                };
                if let Some(first) = d.declarations.first() {
                    self.bind(&first.id, elem, &inner, mode, None);
                }
            }
            other => {
                if let Some(t) = other.as_assignment_target() {
                    self.assign_target(t, elem, &inner);
                }
            }
        }
        self.cond_depth += 1;
        self.exec(body, &inner);
        self.cond_depth -= 1;
        Exit::Normal
    }

    fn var_decl(&mut self, d: &'a VariableDeclaration<'a>, sc: &Rc<Scope<'a>>) {
        let mode = if d.kind == VariableDeclarationKind::Var {
            Bind::Var
        } else {
            Bind::Let
        };
        for decl in &d.declarations {
            let v = match &decl.init {
                Some(init) => {
                    if let BindingPattern::BindingIdentifier(id) = &decl.id {
                        self.name_hint = Some(id.name.to_string());
                    }
                    self.eval(init, sc)
                }
                None => Val::default(),
            };
            self.bind(&decl.id, v, sc, mode, None);
        }
    }

    fn exec_if(&mut self, i: &'a IfStatement<'a>, sc: &Rc<Scope<'a>>) -> Exit {
        if let Some(b) = const_bool(&i.test) {
            return if b {
                self.exec(&i.consequent, sc)
            } else {
                i.alternate
                    .as_ref()
                    .map_or(Exit::Normal, |a| self.exec(a, sc))
            };
        }
        self.eval(&i.test, sc);
        let guard = self.guard(&i.test, sc);
        self.cond_depth += 1;
        let cons_scope = match guard {
            Some((n, true)) => self.shadow_clean(sc, n),
            _ => Rc::clone(sc),
        };
        let marks = self
            .other_trigger(&i.test, sc)
            .then_some((self.fx.sdk_calls.len(), self.fx.flows.len()));
        let e1 = self.exec(&i.consequent, &cons_scope);
        if let Some((c, f)) = marks {
            self.other_trigger.0.extend(c..self.fx.sdk_calls.len());
            self.other_trigger.1.extend(f..self.fx.flows.len());
        }
        let e2 = match &i.alternate {
            Some(a) => {
                let alt_scope = match guard {
                    Some((n, false)) => self.shadow_clean(sc, n),
                    _ => Rc::clone(sc),
                };
                self.exec(a, &alt_scope)
            }
            None => Exit::Normal,
        };
        self.cond_depth -= 1;
        if let Some((name, positive)) = guard {
            let after = (e1 != Exit::Normal && !positive)
                || (i.alternate.is_some() && e2 != Exit::Normal && positive);
            if after && name.starts_with(CLEAN_PATH) {
                sc.declare(name, Val::default());
            } else if after && let Some(v) = sc.lookup(name) {
                sc.assign(name, cleaned(&v), false);
            }
        }
        if i.alternate.is_some() && e1 != Exit::Normal && e2 != Exit::Normal {
            Exit::Return
        } else {
            Exit::Normal
        }
    }

    fn shadow_clean(&mut self, sc: &Rc<Scope<'a>>, name: &'a str) -> Rc<Scope<'a>> {
        let inner = self.new_scope(sc, false);
        if name.starts_with(CLEAN_PATH) {
            inner.declare(name, Val::default());
        } else if let Some(v) = sc.lookup(name) {
            inner.declare(name, cleaned(&v));
        }
        inner
    }

    /// What a guard checks: a variable's name, or for a member of the event (`event.report`,
    /// `event.queryStringParameters.sort`) a marker of its access path, so that reading it
    /// again where the guard holds gives the checked value.
    fn guard_target(&mut self, e: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> Option<&'a str> {
        if let Some(n) = ident_name(e) {
            return Some(n);
        }
        let m = e.get_inner_expression().as_member_expression()?;
        let v = self.member_expr(m, sc);
        match v.taint.as_slice() {
            [t] if t.structured => Some(self.alloc.alloc_str(&format!("{CLEAN_PATH}{}", t.path))),
            _ => None,
        }
    }

    /// A member of the event read where a guard checked its path: clean.
    fn checked(v: Val<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        if !v
            .taint
            .iter()
            .any(|t| t.structured && sc.lookup(&format!("{CLEAN_PATH}{}", t.path)).is_some())
        {
            return v;
        }
        let mut out = v;
        out.taint = out
            .taint
            .iter()
            .map(|t| {
                if t.structured && sc.lookup(&format!("{CLEAN_PATH}{}", t.path)).is_some() {
                    t.cleaned(ALL_KINDS)
                } else {
                    Rc::clone(t)
                }
            })
            .collect();
        out
    }

    /// The variable an allowlist-style test checks, and whether the test is true when the
    /// value is allowed.
    fn guard(&mut self, test: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> Option<(&'a str, bool)> {
        match test.get_inner_expression() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                self.guard(&u.argument, sc).map(|(n, p)| (n, !p))
            }
            Expression::CallExpression(c) => {
                let arg = self.guard_target(c.arguments.first()?.as_expression()?, sc)?;
                let callee = c.callee.get_inner_expression();
                if let Some(m) = callee.as_member_expression() {
                    let prop = m.static_property_name()?;
                    if matches!(prop, "includes" | "has") {
                        return Some((arg, true));
                    }
                    if prop == "test"
                        && matches!(
                            m.object().get_inner_expression(),
                            Expression::RegExpLiteral(_)
                        )
                    {
                        return Some((arg, true));
                    }
                }
                let f = match callee {
                    Expression::Identifier(id) => sc
                        .lookup(id.name.as_str())
                        .unwrap_or_else(|| Val::origin("", id.name.as_str())),
                    Expression::StaticMemberExpression(m) => {
                        let o = match m.object.get_inner_expression() {
                            Expression::Identifier(id) => sc
                                .lookup(id.name.as_str())
                                .unwrap_or_else(|| Val::origin("", id.name.as_str())),
                            _ => return None,
                        };
                        let o = o.origin?;
                        Val {
                            origin: Some(o.member(m.property.name.as_str())),
                            ..Val::default()
                        }
                    }
                    _ => return None,
                };
                let origin = f.origin?;
                if origin.module.is_empty() && origin.path == "isNaN" {
                    return Some((arg, false));
                }
                let validator = super::spec::VALIDATORS.iter().any(|(m, n)| {
                    *m == &*origin.module
                        && (*n == "*"
                            || (if m.is_empty() {
                                origin.path == *n
                            } else {
                                origin.name() == *n
                            }))
                });
                validator.then_some((arg, true))
            }
            Expression::BinaryExpression(b) => binary_guard(b, &mut |e| self.guard_target(e, sc)),
            Expression::LogicalExpression(l) => self.logical_guard(l, sc),
            _ => None,
        }
    }

    fn logical_guard(
        &mut self,
        l: &'a LogicalExpression<'a>,
        sc: &Rc<Scope<'a>>,
    ) -> Option<(&'a str, bool)> {
        let a = self.guard(&l.left, sc)?;
        let b = self.guard(&l.right, sc)?;
        if a.0 != b.0 || a.1 != b.1 {
            return None;
        }
        match (l.operator, a.1) {
            (LogicalOperator::And, false) | (LogicalOperator::Or, true) => Some(a),
            _ => None,
        }
    }

    fn ret(&mut self, v: Val<'a>, span: Span) {
        let handler = self.stack.last().is_some_and(|f| f.handler);
        if handler {
            self.check_response(&v, span, "handler response");
        }
        if let Some(f) = self.stack.last_mut() {
            f.ret = join(&f.ret, &v);
        }
    }

    // ----- bindings ----------------------------------------------------------------------

    fn bind(
        &mut self,
        pat: &'a BindingPattern<'a>,
        val: Val<'a>,
        sc: &Rc<Scope<'a>>,
        mode: Bind,
        note: Option<&str>,
    ) {
        match pat {
            BindingPattern::BindingIdentifier(id) => {
                let name = id.name.as_str();
                let v = if val.taint.is_empty() {
                    val
                } else {
                    let loc = self.loc(id.span);
                    val.with_step(&loc, note.unwrap_or(name))
                };
                match mode {
                    Bind::Var => sc.function_scope().declare(name, v),
                    Bind::Let => sc.declare(name, v),
                }
            }
            BindingPattern::ObjectPattern(o) => {
                for p in &o.properties {
                    let key = self.prop_key(&p.key, p.computed, sc);
                    let fv = self.member(&val, key.as_deref(), p.span);
                    self.bind(&p.value, fv, sc, mode, None);
                }
                if let Some(rest) = &o.rest {
                    self.bind(&rest.argument, val.clone(), sc, mode, None);
                }
            }
            BindingPattern::ArrayPattern(a) => {
                for (i, el) in a.elements.iter().enumerate() {
                    if let Some(p) = el {
                        let idx = i.to_string();
                        let ev = self.member(&val, Some(&idx), p.span());
                        self.bind(p, ev, sc, mode, None);
                    }
                }
                if let Some(rest) = &a.rest {
                    self.bind(&rest.argument, val.clone(), sc, mode, None);
                }
            }
            BindingPattern::AssignmentPattern(a) => {
                let v = if val.is_empty() {
                    self.eval(&a.right, sc)
                } else {
                    val
                };
                self.bind(&a.left, v, sc, mode, note);
            }
        }
    }

    fn prop_key(
        &mut self,
        key: &'a PropertyKey<'a>,
        computed: bool,
        sc: &Rc<Scope<'a>>,
    ) -> Option<String> {
        if !computed {
            return key.static_name().map(|s| s.into_owned());
        }
        let e = key.as_expression()?;
        self.eval(e, sc).konst().map(|s| s.to_string())
    }

    fn assign_target(&mut self, t: &'a AssignmentTarget<'a>, val: Val<'a>, sc: &Rc<Scope<'a>>) {
        match t {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                let name = id.name.as_str();
                let v = if val.taint.is_empty() {
                    val
                } else {
                    let loc = self.loc(id.span);
                    val.with_step(&loc, name)
                };
                sc.assign(name, v, self.cond_depth > 0);
            }
            AssignmentTarget::ObjectAssignmentTarget(o) => {
                for p in &o.properties {
                    match p {
                        AssignmentTargetProperty::AssignmentTargetPropertyIdentifier(p) => {
                            let name = p.binding.name.as_str();
                            let mut v = self.member(&val, Some(name), p.span);
                            if v.is_empty()
                                && let Some(init) = &p.init
                            {
                                v = self.eval(init, sc);
                            }
                            sc.assign(name, v, self.cond_depth > 0);
                        }
                        AssignmentTargetProperty::AssignmentTargetPropertyProperty(p) => {
                            let key = self.prop_key(&p.name, p.computed, sc);
                            let v = self.member(&val, key.as_deref(), p.span);
                            self.assign_maybe_default(&p.binding, v, sc);
                        }
                    }
                }
            }
            AssignmentTarget::ArrayAssignmentTarget(a) => {
                for (i, el) in a.elements.iter().enumerate() {
                    if let Some(el) = el {
                        let idx = i.to_string();
                        let v = self.member(&val, Some(&idx), a.span);
                        self.assign_maybe_default(el, v, sc);
                    }
                }
            }
            other => {
                if let Some(m) = other.as_member_expression() {
                    let obj = self.eval(m.object(), sc);
                    let key = self.member_key(m, sc);
                    if matches!(obj.tag, Tag::Bindings)
                        && let Some(o) = key
                            .as_deref()
                            .and_then(|k| self.fx.outputs.iter().find(|o| o.name == k))
                            .cloned()
                    {
                        super::sdk::azure_output(self, m.span(), &o, &val);
                    }
                    self.set_member(&obj, key.as_deref(), val, m.span());
                }
            }
        }
    }

    fn assign_maybe_default(
        &mut self,
        t: &'a AssignmentTargetMaybeDefault<'a>,
        v: Val<'a>,
        sc: &Rc<Scope<'a>>,
    ) {
        match t {
            AssignmentTargetMaybeDefault::AssignmentTargetWithDefault(d) => {
                let v = if v.is_empty() {
                    self.eval(&d.init, sc)
                } else {
                    v
                };
                self.assign_target(&d.binding, v, sc);
            }
            other => {
                if let Some(t) = other.as_assignment_target() {
                    self.assign_target(t, v, sc);
                }
            }
        }
    }

    fn set_member(&mut self, obj: &Val<'a>, key: Option<&str>, val: Val<'a>, span: Span) {
        let Some(o) = &obj.obj else { return };
        let weak = self.cond_depth > 0;
        let cur = self.cur();
        let mut o = o.borrow_mut();
        match key {
            Some(k) => {
                if o.array {
                    o.elems = Some(match &o.elems {
                        Some(e) => join(e, &val),
                        None => val.clone(),
                    });
                }
                let nv = match o.fields.get(k) {
                    Some(old) if weak => join(old, &val),
                    _ => val,
                };
                o.fields.insert(k.to_owned(), nv);
                o.defs.insert(k.to_owned(), (cur, span));
            }
            None => {
                o.elems = Some(match &o.elems {
                    Some(e) => join(e, &val),
                    None => val,
                });
            }
        }
    }

    fn member_key(&mut self, m: &'a MemberExpression<'a>, sc: &Rc<Scope<'a>>) -> Option<String> {
        match m {
            MemberExpression::StaticMemberExpression(s) => Some(s.property.name.to_string()),
            MemberExpression::ComputedMemberExpression(c) => {
                let k = self.eval(&c.expression, sc);
                k.konst().map(|s| s.to_string())
            }
            MemberExpression::PrivateFieldExpression(p) => Some(format!("#{}", p.field.name)),
        }
    }

    // ----- expressions -------------------------------------------------------------------

    /// Evaluates an expression.
    pub(crate) fn eval(&mut self, e: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        if !self.tick() || !self.enter() {
            return Val::default();
        }
        let foldable = is_foldable(e);
        let hint = if foldable {
            self.name_hint.clone()
        } else {
            None
        };
        let v = self.eval_inner(e, sc);
        self.budget.leave();
        // An environment variable's value used for a request (read there, or read when a
        // module loaded): constants, the common case, are passed over first.
        if let Some(t @ (crate::text::Text::Env(_) | crate::text::Text::OneOf(_))) = &v.text
            && self.in_request()
        {
            for alt in t.alternatives() {
                if let crate::text::Text::Env(name) = alt {
                    self.fx.request.env(&name);
                }
            }
        }
        if foldable {
            self.record_folded(e.span(), &v, hint);
        }
        v
    }

    /// Records a string built from constants only (see [`is_foldable`]).
    fn record_folded(&mut self, span: Span, v: &Val<'a>, name: Option<String>) {
        let Some(value) = v.konst() else { return };
        // Shorter strings hold no credential worth a finding.
        if value.len() < 8 || self.fx.folded.len() >= crate::summary::MAX_FOLDED {
            return;
        }
        if self.fx.folded_at.insert((self.cur(), span.start, span.end)) {
            self.fx.folded.push(crate::FoldedText {
                loc: self.loc(span),
                value: value.to_string(),
                name,
            });
        }
    }

    fn eval_inner(&mut self, e: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        let hint = self.name_hint.take();
        match e {
            Expression::BooleanLiteral(b) => Val::string(if b.value { "true" } else { "false" }),
            Expression::NumericLiteral(n) => Val::string(&n.value.to_string()),
            Expression::StringLiteral(s) => Val::string(s.value.as_str()),
            Expression::TemplateLiteral(t) => self.template(t, sc),
            Expression::Identifier(id) => self.ident(id.name.as_str(), sc),
            Expression::ArrayExpression(a) => {
                let mut obj = Obj {
                    array: true,
                    ..Obj::default()
                };
                let mut exact = true;
                let mut own = Vec::new();
                for (i, el) in a.elements.iter().enumerate() {
                    let v = match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            exact = false;
                            let v = self.eval(&s.argument, sc);
                            add_taints(&mut own, v.taint.iter().cloned());
                            self.element_of(&v, s.span)
                        }
                        ArrayExpressionElement::Elision(_) => continue,
                        other => match other.as_expression() {
                            Some(x) => self.eval(x, sc),
                            None => continue,
                        },
                    };
                    obj.elems = Some(match &obj.elems {
                        Some(old) => join(old, &v),
                        None => v.clone(),
                    });
                    if exact {
                        obj.fields.insert(i.to_string(), v);
                    }
                }
                let mut v = Val::object(obj);
                v.taint = own;
                v
            }
            Expression::ObjectExpression(o) => {
                let mut obj = Obj::default();
                let mut own = Vec::new();
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let key = self.prop_key(&p.key, p.computed, sc);
                            self.name_hint.clone_from(&key);
                            let v = self.eval(&p.value, sc);
                            self.name_hint = None;
                            match key {
                                Some(k) => {
                                    // A field of untrusted data copied into an object (a
                                    // payload built for another function): a step of its
                                    // trace. A variable has its own step already.
                                    let v = if v.taint.is_empty() || !p.value.is_member_expression()
                                    {
                                        v
                                    } else {
                                        let loc = self.loc(p.span);
                                        v.with_step(&loc, &format!("field `{k}`"))
                                    };
                                    obj.fields.insert(k, v);
                                }
                                None => {
                                    obj.elems = Some(match &obj.elems {
                                        Some(old) => join(old, &v),
                                        None => v,
                                    });
                                }
                            }
                        }
                        ObjectPropertyKind::SpreadProperty(s) => {
                            let v = self.eval(&s.argument, sc);
                            add_taints(&mut own, v.taint.iter().cloned());
                            if let Some(src) = &v.obj
                                && let Ok(src) = src.try_borrow()
                            {
                                for (k, fv) in &src.fields {
                                    obj.fields.insert(k.clone(), fv.clone());
                                }
                            }
                        }
                    }
                }
                let mut v = Val::object(obj);
                v.taint = own;
                v
            }
            Expression::ArrowFunctionExpression(f) => self.func_val(
                FnNode::Arrow(f),
                sc,
                hint.as_deref().unwrap_or("anonymous function"),
            ),
            Expression::FunctionExpression(f) => {
                let name = f.id.as_ref().map(|i| i.name.to_string()).or(hint);
                self.func_val(
                    FnNode::Func(f),
                    sc,
                    name.as_deref().unwrap_or("anonymous function"),
                )
            }
            Expression::ClassExpression(c) => self.class_val(c, sc),
            Expression::AssignmentExpression(a) => {
                self.name_hint = match &a.left {
                    AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
                    AssignmentTarget::StaticMemberExpression(m) => {
                        Some(m.property.name.to_string())
                    }
                    _ => None,
                };
                let rhs = self.eval(&a.right, sc);
                let v = match a.operator {
                    AssignmentOperator::Assign => rhs,
                    AssignmentOperator::Addition => {
                        let old = self.target_value(&a.left, sc);
                        self.concat(&[old, rhs])
                    }
                    AssignmentOperator::LogicalOr
                    | AssignmentOperator::LogicalAnd
                    | AssignmentOperator::LogicalNullish => {
                        let old = self.target_value(&a.left, sc);
                        join(&old, &rhs)
                    }
                    _ => Val::default(),
                };
                self.assign_target(&a.left, v.clone(), sc);
                v
            }
            Expression::AwaitExpression(a) => self.eval(&a.argument, sc),
            Expression::BinaryExpression(b) => {
                let l = self.eval(&b.left, sc);
                let r = self.eval(&b.right, sc);
                if b.operator == BinaryOperator::Addition {
                    self.concat(&[l, r])
                } else {
                    Val::default()
                }
            }
            Expression::LogicalExpression(l) => {
                let a = self.eval(&l.left, sc);
                let b = self.eval(&l.right, sc);
                join(&a, &b)
            }
            Expression::ConditionalExpression(c) => {
                self.eval(&c.test, sc);
                match const_bool(&c.test) {
                    Some(true) => self.eval(&c.consequent, sc),
                    Some(false) => self.eval(&c.alternate, sc),
                    None => {
                        let guard = self.guard(&c.test, sc);
                        let s1 = match guard {
                            Some((n, true)) => self.shadow_clean(sc, n),
                            _ => Rc::clone(sc),
                        };
                        let a = self.eval(&c.consequent, &s1);
                        let s2 = match guard {
                            Some((n, false)) => self.shadow_clean(sc, n),
                            _ => Rc::clone(sc),
                        };
                        let b = self.eval(&c.alternate, &s2);
                        join(&a, &b)
                    }
                }
            }
            Expression::CallExpression(c) => self.call(c.span, &c.callee, &c.arguments, false, sc),
            Expression::NewExpression(n) => self.call(n.span, &n.callee, &n.arguments, true, sc),
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => {
                    self.call(call.span, &call.callee, &call.arguments, false, sc)
                }
                ChainElement::TSNonNullExpression(t) => self.eval(&t.expression, sc),
                other => match other.as_member_expression() {
                    Some(m) => self.member_expr(m, sc),
                    None => Val::default(),
                },
            },
            Expression::ParenthesizedExpression(p) => {
                self.name_hint = hint;
                self.eval(&p.expression, sc)
            }
            Expression::SequenceExpression(s) => {
                let mut last = Val::default();
                for x in &s.expressions {
                    last = self.eval(x, sc);
                }
                last
            }
            Expression::TaggedTemplateExpression(t) => {
                let tag = self.eval(&t.tag, sc);
                let v = self.template(&t.quasi, sc);
                let tag_name = match t.tag.get_inner_expression() {
                    Expression::Identifier(id) => Some(id.name.as_str()),
                    Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
                    _ => None,
                };
                if tag_name.is_some_and(|n| n.eq_ignore_ascii_case("sql")) || tag.func.is_some() {
                    let mut out = Val::tainted(
                        v.taint
                            .iter()
                            .map(|t| t.cleaned(kind_bit(Kind::InjectionSql)))
                            .collect(),
                    );
                    out.text = v.text;
                    out
                } else {
                    v
                }
            }
            Expression::ThisExpression(_) => sc.lookup("this").unwrap_or_default(),
            Expression::UnaryExpression(u) => {
                self.eval(&u.argument, sc);
                Val::default()
            }
            Expression::UpdateExpression(_) => Val::default(),
            Expression::YieldExpression(y) => {
                if let Some(a) = &y.argument {
                    self.eval(a, sc);
                }
                Val::default()
            }
            Expression::ImportExpression(i) => match string_value(&i.source) {
                Some(spec) => self.require(spec),
                None => Val::default(),
            },
            Expression::TSAsExpression(t) => {
                self.name_hint = hint;
                self.eval(&t.expression, sc)
            }
            Expression::TSSatisfiesExpression(t) => {
                self.name_hint = hint;
                self.eval(&t.expression, sc)
            }
            Expression::TSTypeAssertion(t) => self.eval(&t.expression, sc),
            Expression::TSNonNullExpression(t) => self.eval(&t.expression, sc),
            Expression::TSInstantiationExpression(t) => self.eval(&t.expression, sc),
            other => match other.as_member_expression() {
                Some(m) => self.member_expr(m, sc),
                None => Val::default(),
            },
        }
    }

    fn target_value(&mut self, t: &'a AssignmentTarget<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        match t {
            AssignmentTarget::AssignmentTargetIdentifier(id) => self.ident(id.name.as_str(), sc),
            other => match other.as_member_expression() {
                Some(m) => self.member_expr(m, sc),
                None => Val::default(),
            },
        }
    }

    fn ident(&mut self, name: &str, sc: &Rc<Scope<'a>>) -> Val<'a> {
        if let Some(v) = sc.lookup(name) {
            return v;
        }
        match name {
            "process" => Val {
                tag: Tag::Process,
                ..Val::default()
            },
            "undefined" | "NaN" | "Infinity" => Val::default(),
            "__dirname" | "__filename" => Val {
                text: Some(Text::Pattern(Rc::from("*"))),
                ..Val::default()
            },
            _ => Val::origin("", name),
        }
    }

    fn member_expr(&mut self, m: &'a MemberExpression<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        let obj = self.eval(m.object(), sc);
        let key = self.member_key(m, sc);
        let v = self.member(&obj, key.as_deref(), m.span());
        Self::checked(v, sc)
    }

    /// A member of a value: the object field, refined event path, library origin.
    pub(crate) fn member(&mut self, o: &Val<'a>, prop: Option<&str>, span: Span) -> Val<'a> {
        let mut out = Val::default();
        let index = prop.is_none_or(is_index);
        if let Some(obj) = &o.obj
            && let Ok(obj) = obj.try_borrow()
        {
            match prop.and_then(|p| obj.fields.get(p)) {
                Some(v) => out = v.clone(),
                None if index => {
                    if let Some(e) = &obj.elems {
                        out = e.clone();
                    } else if prop.is_none() {
                        for v in obj.fields.values().take(16) {
                            out = join(&out, v);
                        }
                    }
                }
                None => {}
            }
        }
        if prop != Some("length") && !o.taint.is_empty() {
            let loc = self.loc(span);
            let seg = match prop {
                Some(p) if !index => p,
                _ => "[]",
            };
            let refined: Vec<Rc<Taint>> = o
                .taint
                .iter()
                .map(|t| {
                    if t.structured {
                        t.refine_as(join_path(&t.path, seg), true, loc.clone())
                    } else {
                        Rc::clone(t)
                    }
                })
                .collect();
            add_taints(&mut out.taint, refined);
        }
        if out.origin.is_none()
            && let Some(or) = &o.origin
        {
            out.origin = Some(or.member(prop.unwrap_or("[]")));
        }
        match (&o.tag, prop) {
            (Tag::Process, Some("env")) => out.tag = Tag::ProcessEnv,
            (Tag::ProcessEnv, Some(p)) => {
                self.fx.env_reads.borrow_mut().insert(p.to_owned());
                out.text = Some(Text::Env(Rc::from(p)));
            }
            (Tag::ProcessEnv, None) => out.text = Some(Text::Pattern(Rc::from("*"))),
            (Tag::Context, Some("bindings")) if !self.fx.outputs.is_empty() => {
                out.tag = Tag::Bindings;
            }
            _ => {}
        }
        out
    }

    /// The element of an iterated value (`for..of`, `.map` callbacks, spread).
    pub(crate) fn element_of(&mut self, v: &Val<'a>, span: Span) -> Val<'a> {
        self.member(v, None, span)
    }

    fn template(&mut self, t: &'a TemplateLiteral<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        let mut parts = Vec::with_capacity(t.quasis.len() * 2);
        for (i, q) in t.quasis.iter().enumerate() {
            let s = q
                .value
                .cooked
                .as_ref()
                .map_or(q.value.raw.as_str(), |c| c.as_str());
            parts.push(Val::string(s));
            if let Some(e) = t.expressions.get(i) {
                parts.push(self.eval(e, sc));
            }
        }
        self.concat(&parts)
    }

    /// String concatenation: known text where known, every label flattened; event data placed
    /// after a fixed origin (`scheme://host/`, a configured base and `/`) cannot choose the
    /// host, so it is clean for SSRF (see [`crate::text::origin_fixed`]).
    pub(crate) fn concat(&mut self, parts: &[Val<'a>]) -> Val<'a> {
        let mut text = String::new();
        let mut marked = String::new();
        let mut all_const = true;
        let mut taints = Vec::new();
        for p in parts {
            let ts = flat(&deep_taints(p));
            let tainted = ts.iter().any(|t| t.reaches(Kind::Ssrf));
            marked.push_str(&crate::text::marked(p.text.as_ref(), tainted));
            match &p.text {
                Some(Text::Const(s)) => text.push_str(s),
                Some(Text::Pattern(s)) => {
                    all_const = false;
                    text.push_str(s);
                }
                Some(Text::Env(_) | Text::OneOf(_)) | None => {
                    all_const = false;
                    text.push('*');
                }
            }
            add_taints(&mut taints, ts);
        }
        if crate::text::origin_fixed(&marked) {
            taints = taints
                .iter()
                .map(|t| t.cleaned(kind_bit(Kind::Ssrf)))
                .collect();
        }
        let text = truncate(&text);
        Val {
            taint: taints,
            text: Some(if all_const {
                Text::Const(Rc::from(text))
            } else {
                Text::Pattern(Rc::from(text))
            }),
            ..Val::default()
        }
    }

    /// `new URL(path, base)`: `path` resolved against `base`. An absolute `path` replaces the
    /// host, so the attacker's data in it stays SSRF unless it is pinned as a path
    /// ([`crate::text::origin_fixed`]); `base` keeps its labels.
    fn url_with_base(&mut self, path: &Val<'a>, base: &Val<'a>) -> Val<'a> {
        let ts = flat(&deep_taints(path));
        let tainted = ts.iter().any(|t| t.reaches(Kind::Ssrf));
        let pinned = crate::text::origin_fixed(&crate::text::marked(path.text.as_ref(), tainted));
        let mut taints: Vec<Rc<Taint>> = if pinned {
            ts.iter().map(|t| t.cleaned(kind_bit(Kind::Ssrf))).collect()
        } else {
            ts
        };
        add_taints(&mut taints, flat(&deep_taints(base)));
        Val {
            taint: taints,
            ..Val::default()
        }
    }

    fn func_val(&mut self, node: FnNode<'a>, sc: &Rc<Scope<'a>>, name: &str) -> Val<'a> {
        let module = self.cur();
        let last = name.rsplit('.').next().unwrap_or(name);
        if !self.defined.contains(last) {
            self.defined.insert(last.to_owned());
        }
        Val {
            func: Some(Rc::new(Func {
                node,
                module,
                scope: Rc::clone(sc),
                name: name.to_owned(),
                bound: Vec::new(),
                envelope: None,
            })),
            ..Val::default()
        }
    }

    fn class_val(&mut self, c: &'a Class<'a>, sc: &Rc<Scope<'a>>) -> Val<'a> {
        let name =
            c.id.as_ref()
                .map_or_else(|| "class".to_owned(), |i| i.name.to_string());
        let mut v = self.func_val(FnNode::Class(c), sc, &name);
        let mut statics = Obj::default();
        for el in &c.body.body {
            if let ClassElement::MethodDefinition(m) = el
                && let Some(k) = m.key.static_name()
                && !self.defined.contains(k.as_ref())
            {
                self.defined.insert(k.into_owned());
            }
            match el {
                ClassElement::MethodDefinition(m) if m.r#static => {
                    if let Some(k) = m.key.static_name() {
                        let f = self.func_val(FnNode::Func(&m.value), sc, &format!("{name}.{k}"));
                        statics.fields.insert(k.into_owned(), f);
                    }
                }
                ClassElement::PropertyDefinition(p) if p.r#static => {
                    if let (Some(k), Some(val)) = (p.key.static_name(), &p.value) {
                        let fv = self.eval(val, sc);
                        statics.fields.insert(k.into_owned(), fv);
                    }
                }
                _ => {}
            }
        }
        v.obj = Some(Rc::new(RefCell::new(statics)));
        v
    }

    // ----- calls -------------------------------------------------------------------------

    fn call(
        &mut self,
        span: Span,
        callee: &'a Expression<'a>,
        arguments: &'a [Argument<'a>],
        is_new: bool,
        sc: &Rc<Scope<'a>>,
    ) -> Val<'a> {
        let callee = callee.get_inner_expression();
        if let Expression::Identifier(id) = callee
            && !is_new
            && id.name == "require"
            && sc.lookup("require").is_none()
        {
            let spec = arguments
                .first()
                .and_then(Argument::as_expression)
                .and_then(string_value);
            return match spec {
                Some(s) => self.require(s),
                None => Val::default(),
            };
        }
        let (recv, f, method) = match callee.as_member_expression() {
            Some(m) => {
                let r = self.eval(m.object(), sc);
                let key = self.member_key(m, sc);
                let f = self.member(&r, key.as_deref(), m.span());
                (Some(r), f, key)
            }
            None => (None, self.eval(callee, sc), None),
        };
        let mut args = Vec::with_capacity(arguments.len());
        for a in arguments {
            match a {
                Argument::SpreadElement(s) => {
                    let v = self.eval(&s.argument, sc);
                    let mut e = self.element_of(&v, s.span);
                    // Path parts spread into a call (`path.join(...parts)`) are the path
                    // they were split from.
                    add_taints(&mut e.taint, split_whole(&v));
                    args.push(e);
                }
                other => match other.as_expression() {
                    Some(e) => {
                        let v = self.eval(e, sc);
                        args.push(v);
                    }
                    None => args.push(Val::default()),
                },
            }
        }
        if is_new
            && args.len() >= 2
            && matches!(callee, Expression::Identifier(id) if id.name == "URL" && sc.lookup("URL").is_none())
        {
            return self.url_with_base(&args[0], &args[1]);
        }
        self.apply(span, recv.as_ref(), &f, method.as_deref(), args, is_new)
    }

    fn apply(
        &mut self,
        span: Span,
        recv: Option<&Val<'a>>,
        f: &Val<'a>,
        method: Option<&str>,
        args: Vec<Val<'a>>,
        is_new: bool,
    ) -> Val<'a> {
        if let Some(func) = f.func.clone() {
            if is_new {
                return self.construct(&func, args);
            }
            return self.invoke(&func, recv.cloned(), args, false);
        }
        self.note_package_uses(span, f, &args);
        if self.in_request() {
            self.request_call(span, recv, f, method, &args, is_new);
        } else if let Some(o) = &f.origin {
            // Functions inside the objects handed to a library (resolvers of a schema, the
            // handlers of a router's table) are the library's to call, maybe for a request.
            let mut nested = Vec::new();
            for a in &args {
                nested_funcs(a, 0, &mut nested);
            }
            for func in nested {
                self.deferred.push((Rc::clone(&o.module), func, None));
            }
        }
        match &f.tag {
            Tag::Callback => {
                if let Some(r) = args.get(1) {
                    self.check_response(r, span, "callback response");
                }
                return Val::default();
            }
            Tag::Resolve(cell) => {
                if let Some(a) = args.first() {
                    let joined = join(&cell.borrow(), a);
                    *cell.borrow_mut() = joined;
                }
                return Val::default();
            }
            _ => {}
        }
        if let Some(origin) = &f.origin {
            self.note_credential(span, origin, &args, recv.or(Some(f)));
        }
        if let Some(v) = const_builtin(f, &args) {
            return v;
        }
        if let (Some(r), Some(m)) = (recv, method)
            && let Some(v) = const_method(r, m, &args)
        {
            return v;
        }
        if let (Some(r), Some(m)) = (recv, method)
            && let Some(v) = self.method_call(span, r, m, &args)
        {
            return v;
        }
        if let (Some(r), None) = (recv, method)
            && let Tag::Client(c) = &r.tag
            && !c.commands
        {
            let c = Rc::clone(c);
            super::sdk::dynamic_call(self, span, &c, &args);
            return Val::default();
        }
        if let Some(origin) = f.origin.clone()
            && let Some(v) = self.library_call(span, &origin, recv, &args, is_new)
        {
            return v;
        }
        self.external(recv, f, &args)
    }

    /// Records a call of a package's function or object, and the package itself or its
    /// functions handed to code the analysis does not have (what a call returns, and what a
    /// callback receives, is data: handing it on is not recorded).
    fn note_package_uses(&mut self, span: Span, f: &Val<'a>, args: &[Val<'a>]) {
        let called = f.origin.as_ref().filter(|o| !o.module.is_empty());
        let mut passed: Vec<Rc<super::value::Origin>> = Vec::new();
        for a in args {
            let mut vals = vec![a.clone()];
            if let Some(o) = &a.obj {
                vals.extend(o.borrow().fields.values().cloned());
            }
            for v in vals {
                if v.func.is_some() {
                    continue;
                }
                if let Some(o) = &v.origin
                    && !o.module.is_empty()
                    && !o.path.contains('(')
                    && called.is_none_or(|c| c.module != o.module)
                {
                    passed.push(Rc::clone(o));
                }
            }
        }
        if let Some(o) = called {
            let o = Rc::clone(o);
            self.note_package_use(span, &o, crate::PackageUseKind::Call);
        }
        for o in passed {
            self.note_package_use(span, &o, crate::PackageUseKind::Passed);
        }
    }

    /// Records one use of a package's function or object at `span` of the current module.
    pub(crate) fn note_package_use(
        &mut self,
        span: Span,
        origin: &super::value::Origin,
        how: crate::PackageUseKind,
    ) {
        if self.package_uses.is_none() {
            return;
        }
        let package = self
            .packages
            .get(&*origin.module)
            .cloned()
            .unwrap_or_else(|| origin.module.to_string());
        let key = (package, origin.path.clone(), self.cur(), span.start, how);
        if !self.package_use_keys.insert(key.clone()) {
            return;
        }
        let use_ = crate::PackageUse {
            package: key.0,
            member: key.1,
            loc: self.loc(span),
            how,
        };
        if let Some(uses) = &mut self.package_uses {
            uses.push(use_);
            if uses.len() > crate::summary::MAX_PACKAGE_USES {
                self.package_uses = None;
            }
        }
    }

    /// A call of code we do not have: callbacks run, the result carries every input label.
    /// Records what a call a request makes to something other than the repository's code
    /// reaches: a package's functions (a constructor alone does nothing), the functions the
    /// modules handed that package when they loaded or the request hands it, or, for a callee
    /// the analysis knows nothing of, anything.
    fn request_call(
        &mut self,
        span: Span,
        recv: Option<&Val<'a>>,
        f: &Val<'a>,
        method: Option<&str>,
        args: &[Val<'a>],
        is_new: bool,
    ) {
        if let Some(o) = &f.origin {
            if !is_new && let Some(p) = self.packages.get(&*o.module) {
                self.fx.request.import(p);
            }
            // The library may call the functions inside the objects it is handed.
            let mut nested = Vec::new();
            for a in args {
                nested_funcs(a, 0, &mut nested);
            }
            for func in nested {
                self.run_callback(&func, None);
            }
            if self.deferred.iter().any(|d| d.0 == o.module) {
                let (run, keep) = std::mem::take(&mut self.deferred)
                    .into_iter()
                    .partition::<Vec<_>, _>(|d| d.0 == o.module);
                self.deferred = keep;
                for (_, func, called) in run {
                    self.run_callback(&func, called.as_ref());
                }
            }
            return;
        }
        // A call on a value of no known definition: a function, or a method the modules
        // define (a method of an unknown receiver with a name they do not define is a
        // builtin's or a library's).
        let unknown = match (recv, method) {
            (Some(r), Some(m)) => blank(r) && self.defined.contains(m),
            (Some(r), None) => blank(r),
            (None, _) => true,
        };
        if blank(f) && unknown {
            let module = self.cur();
            let at = self.loc_in(module, span);
            self.fx.request.opaque(at);
        }
    }

    fn external(&mut self, recv: Option<&Val<'a>>, f: &Val<'a>, args: &[Val<'a>]) -> Val<'a> {
        let called = f.origin.as_ref().map(|o| o.called());
        let mut wrapped = None;
        let mut taint = Vec::new();
        if let Some(r) = recv {
            add_taints(&mut taint, flat(&deep_taints(r)));
        }
        for a in args {
            if let Some(func) = &a.func {
                if wrapped.is_none() {
                    wrapped = Some(Rc::clone(func));
                }
                if !self.in_request()
                    && let Some(o) = &f.origin
                {
                    self.deferred
                        .push((Rc::clone(&o.module), Rc::clone(func), called.clone()));
                }
                self.run_callback(func, called.as_ref());
            } else {
                add_taints(&mut taint, flat(&deep_taints(a)));
            }
        }
        // A parser middleware, used on the wrapper before or after the handler is given
        // (`middy(fn).use(parser(...))`, `middy().use(parser(...)).handler(fn)`), hands the
        // handler the part of the event its envelope unwraps.
        let envelope = args.iter().chain(recv).find_map(|a| match a.tag {
            Tag::ParserMiddleware(m) => Some(m),
            _ => None,
        });
        let with_envelope = |func: &Rc<Func<'a>>| match envelope {
            Some(m) => Rc::new(Func {
                envelope: Some(m),
                ..(**func).clone()
            }),
            None => Rc::clone(func),
        };
        // A chained call on a wrapped handler (`middy(fn).use(...)`) is the handler still.
        if wrapped.is_none()
            && let Some(r) = recv
            && let Some(func) = &r.func
        {
            return Val {
                func: Some(with_envelope(func)),
                ..r.clone()
            };
        }
        let mut out = Val::tainted(taint);
        out.origin = called;
        out.func = wrapped.as_ref().map(with_envelope);
        if let (None, Some(m)) = (&out.func, envelope) {
            out.tag = Tag::ParserMiddleware(m);
        }
        out
    }

    /// Runs a callback handed to a library: a parameter named like an error is an error;
    /// others come from the library (a connection from `pool.getConnection`).
    fn run_callback(&mut self, func: &Rc<Func<'a>>, origin: Option<&Rc<super::value::Origin>>) {
        let Some(params) = params_of(func.node) else {
            return;
        };
        let mut args = Vec::new();
        for p in &params.items {
            let name = p
                .pattern
                .get_binding_identifier()
                .map(|b| b.name.as_str())
                .unwrap_or("");
            if is_error_name(name) {
                args.push(self.error_val_in(func.module, p.span));
            } else {
                args.push(Val {
                    origin: origin.cloned(),
                    ..Val::default()
                });
            }
        }
        self.invoke(func, None, args, false);
    }

    fn method_call(
        &mut self,
        span: Span,
        r: &Val<'a>,
        m: &str,
        args: &[Val<'a>],
    ) -> Option<Val<'a>> {
        // An SDK v2 request's `.promise()` resolves to the request's result: the same value.
        if m == "promise" && args.is_empty() && !r.taint.is_empty() {
            return Some(r.clone());
        }
        match &r.tag {
            Tag::ExpressApp if super::spec::ROUTE_METHODS.contains(&m) => {
                for a in args {
                    if let Some(func) = &a.func {
                        self.run_route(func);
                    }
                }
                return Some(r.clone());
            }
            Tag::ExpressRes => {
                if super::spec::RESPONSE_SEND.contains(&m) {
                    self.express_send(m, args, span);
                } else if super::spec::RESPONSE_FILE.contains(&m)
                    && let Some(a) = args.first()
                {
                    let t = deep_taints(a);
                    self.record(Kind::PathTraversal, &t, span, &format!("res.{m}"));
                }
                return Some(r.clone());
            }
            Tag::Context => {
                let resp = match m {
                    "succeed" => args.first(),
                    "done" => args.get(1),
                    _ => None,
                };
                if let Some(resp) = resp {
                    self.check_response(resp, span, "context response");
                }
                return Some(Val::default());
            }
            Tag::Client(c) => {
                let c = Rc::clone(c);
                let out = super::sdk::client_method(self, span, &c, m, args);
                // An SDK v2 call with a node-style callback (`db.get(params, (err, data) =>
                // ...)`): the callback runs too, or what it does would be missed.
                for a in args.iter().skip(1) {
                    if let Some(func) = &a.func {
                        self.run_callback(func, None);
                    }
                }
                return Some(out);
            }
            _ => {}
        }
        if let Some(func) = r.func.clone() {
            match m {
                "bind" => {
                    // `f.bind(this, a, b)`: a function that is `f` with `a, b` first.
                    if args.len() < 2 {
                        return Some(r.clone());
                    }
                    let mut bound = func.bound.clone();
                    bound.extend(args.iter().skip(1).cloned());
                    let f = Rc::new(Func {
                        bound,
                        ..(*func).clone()
                    });
                    return Some(Val {
                        func: Some(f),
                        ..r.clone()
                    });
                }
                "call" => {
                    return Some(self.invoke(
                        &func,
                        args.first().cloned(),
                        args.iter().skip(1).cloned().collect(),
                        false,
                    ));
                }
                "apply" => {
                    let rest = args.get(1).map(|a| {
                        let e = self.element_of(a, span);
                        vec![e.clone(), e.clone(), e]
                    });
                    return Some(self.invoke(
                        &func,
                        args.first().cloned(),
                        rest.unwrap_or_default(),
                        false,
                    ));
                }
                _ => {}
            }
        }
        if let Some(v) = self.path_parts(span, r, m, args) {
            return Some(v);
        }
        let cb = args.first().and_then(|a| a.func.clone());
        match (m, cb) {
            (
                "map" | "flatMap" | "forEach" | "filter" | "find" | "findLast" | "some" | "every"
                | "findIndex",
                Some(cb),
            ) => {
                let elem = self.element_of(r, span);
                let ret = self.invoke(
                    &cb,
                    None,
                    vec![elem.clone(), Val::default(), r.clone()],
                    false,
                );
                Some(match m {
                    "map" | "flatMap" => {
                        let obj = Obj {
                            array: true,
                            elems: Some(ret),
                            ..Obj::default()
                        };
                        Val::object(obj)
                    }
                    "filter" => r.clone(),
                    "find" | "findLast" => elem,
                    _ => Val::default(),
                })
            }
            ("reduce" | "reduceRight", Some(cb)) => {
                let elem = self.element_of(r, span);
                let init = args.get(1).cloned().unwrap_or_default();
                let ret = self.invoke(&cb, None, vec![init.clone(), elem], false);
                Some(join(&init, &ret))
            }
            ("then", _) => {
                let mut out = Val::default();
                if let Some(ok) = args.first().and_then(|a| a.func.clone()) {
                    out = self.invoke(&ok, None, vec![r.clone()], false);
                }
                if let Some(fail) = args.get(1).and_then(|a| a.func.clone()) {
                    let e = self.error_val_in(fail.module, fail.span());
                    let v = self.invoke(&fail, None, vec![e], false);
                    out = join(&out, &v);
                }
                Some(out)
            }
            ("catch", Some(cb)) => {
                let e = self.error_val_in(cb.module, cb.span());
                let v = self.invoke(&cb, None, vec![e], false);
                Some(join(r, &v))
            }
            ("finally", Some(cb)) => {
                self.invoke(&cb, None, Vec::new(), false);
                Some(r.clone())
            }
            _ => None,
        }
    }

    /// String methods that remove every path separator: `split('/')` (each part is free of
    /// `/`, whatever the limit) and the parts read back one at a time (`pop`, `shift`, `at`),
    /// and `replaceAll('/', text)` with text free of `/`. Their results are clean for file
    /// paths.
    fn path_parts(
        &mut self,
        span: Span,
        r: &Val<'a>,
        m: &str,
        args: &[Val<'a>],
    ) -> Option<Val<'a>> {
        let path_clean = |t: Vec<Rc<Taint>>| -> Vec<Rc<Taint>> {
            t.iter()
                .map(|t| t.cleaned(kind_bit(Kind::PathTraversal)))
                .collect()
        };
        let slash = |v: Option<&Val<'a>>| v.and_then(Val::konst).as_deref() == Some("/");
        match m {
            "split" if r.obj.is_none() && slash(args.first()) && !r.taint.is_empty() => {
                let t = flat(&deep_taints(r));
                Some(Val::object(Obj {
                    array: true,
                    elems: Some(Val::tainted(path_clean(t.clone()))),
                    whole: t,
                    ..Obj::default()
                }))
            }
            "replaceAll"
                if r.obj.is_none()
                    && args.len() == 2
                    && slash(args.first())
                    && args[1].konst().is_some_and(|n| !n.contains('/')) =>
            {
                Some(Val::tainted(path_clean(flat(&deep_taints(r)))))
            }
            "pop" | "shift" | "at" if !split_whole(r).is_empty() => Some(self.element_of(r, span)),
            _ => None,
        }
    }

    /// Invokes a function of the analysed code with abstract arguments.
    pub(crate) fn invoke(
        &mut self,
        func: &Rc<Func<'a>>,
        this: Option<Val<'a>>,
        args: Vec<Val<'a>>,
        handler: bool,
    ) -> Val<'a> {
        let entry = std::mem::take(&mut self.entering);
        self.fx.entered |= entry;
        let args: Vec<Val<'a>> = if func.bound.is_empty() {
            args
        } else {
            func.bound.iter().cloned().chain(args).collect()
        };
        let key = func.key();
        let too_deep = !Budget::call_allowed(self.stack.len());
        if too_deep {
            let name = self.frame_name();
            self.cut(
                &name,
                &format!(
                    "the limit of {MAX_CALL_DEPTH} nested calls (call to {} not followed)",
                    func.name
                ),
            );
        }
        if too_deep || self.stack.iter().any(|f| f.key == key) {
            let mut t = Vec::new();
            for a in &args {
                add_taints(&mut t, flat(&deep_taints(a)));
            }
            return Val::tainted(t);
        }
        let mut fp = fingerprint(this.as_ref(), &args, handler);
        // What a call does for a request is recorded apart from what it does while a module
        // loads: the same call in both is run in both.
        if entry || self.in_request() {
            fp.push('R');
        }
        let memo_key = (key.0, key.1, fp);
        if let Some((v, _)) = self.memo.get(&memo_key) {
            return v.clone();
        }
        if self.budget.spent() {
            return Val::default();
        }
        let keep = args
            .iter()
            .cloned()
            .chain(this.iter().cloned())
            .collect::<Vec<_>>();
        let scope = self.new_scope(&func.scope, true);
        self.stack.push(Frame {
            key,
            module: func.module,
            ret: Val::default(),
            steps: 0,
            budget: JS_CALL_STEPS,
            handler,
            name: func.name.clone(),
            dead: false,
            entry,
        });
        match func.node {
            FnNode::Func(f) => {
                scope.declare("this", this.clone().unwrap_or_default());
                self.bind_params(&f.params, &args, &scope, &func.name, this.as_ref(), handler);
                if let Some(body) = &f.body {
                    self.exec_block(&body.statements, &scope);
                }
            }
            FnNode::Arrow(a) => {
                self.bind_params(&a.params, &args, &scope, &func.name, None, handler);
                match &a.body {
                    ArrowFunctionBody::FunctionBody(b) => {
                        self.exec_block(&b.statements, &scope);
                    }
                    other => {
                        if let Some(e) = other.as_expression() {
                            let v = self.eval(e, &scope);
                            self.ret(v, e.span());
                        }
                    }
                }
            }
            FnNode::Class(_) => {}
        }
        let ret = self.stack.pop().map(|f| f.ret).unwrap_or_default();
        self.memo.insert(memo_key, (ret.clone(), keep));
        ret
    }

    fn bind_params(
        &mut self,
        params: &'a FormalParameters<'a>,
        args: &[Val<'a>],
        sc: &Rc<Scope<'a>>,
        fname: &str,
        this: Option<&Val<'a>>,
        handler: bool,
    ) {
        for (i, p) in params.items.iter().enumerate() {
            let mut v = args.get(i).cloned().unwrap_or_default();
            if v.is_empty()
                && let Some(init) = &p.initializer
            {
                v = self.eval(init, sc);
            }
            if (p.accessibility.is_some() || p.readonly)
                && let (Some(this), Some(id)) = (this, p.pattern.get_binding_identifier())
            {
                self.set_member(this, Some(id.name.as_str()), v.clone(), p.span);
            }
            let note = format!("argument {} of {fname}", i + 1);
            let note = if handler { None } else { Some(note.as_str()) };
            self.bind(&p.pattern, v, sc, Bind::Let, note);
        }
        if let Some(rest) = &params.rest {
            let mut obj = Obj {
                array: true,
                ..Obj::default()
            };
            for a in args.iter().skip(params.items.len()) {
                obj.elems = Some(match &obj.elems {
                    Some(e) => join(e, a),
                    None => a.clone(),
                });
            }
            self.bind(&rest.rest.argument, Val::object(obj), sc, Bind::Let, None);
        }
    }

    fn construct(&mut self, func: &Rc<Func<'a>>, args: Vec<Val<'a>>) -> Val<'a> {
        let instance = Val::object(Obj::default());
        match func.node {
            FnNode::Class(c) => self.init_instance(c, func, &instance, args, 0),
            FnNode::Func(_) => {
                let ret = self.invoke(func, Some(instance.clone()), args, false);
                if ret.obj.is_some() {
                    return ret;
                }
            }
            FnNode::Arrow(_) => {}
        }
        instance
    }

    fn init_instance(
        &mut self,
        c: &'a Class<'a>,
        func: &Rc<Func<'a>>,
        instance: &Val<'a>,
        args: Vec<Val<'a>>,
        depth: u32,
    ) {
        if depth >= MAX_CLASS_DEPTH && c.heritage.is_some() {
            self.cut(
                &func.name,
                &format!("the limit of {MAX_CLASS_DEPTH} base classes"),
            );
        }
        if depth < MAX_CLASS_DEPTH
            && let Some(h) = &c.heritage
        {
            self.stack.push(Frame {
                key: (func.module, c.span.start),
                module: func.module,
                ret: Val::default(),
                steps: 0,
                budget: JS_CALL_STEPS,
                handler: false,
                name: func.name.clone(),
                dead: false,
                entry: false,
            });
            let parent = self.eval(&h.expression, &func.scope);
            self.stack.pop();
            if let Some(pf) = parent.func
                && let FnNode::Class(pc) = pf.node
            {
                self.init_instance(pc, &pf, instance, args.clone(), depth + 1);
            }
        }
        let class_scope = self.new_scope(&func.scope, true);
        class_scope.declare("this", instance.clone());
        let mut ctor = None;
        self.stack.push(Frame {
            key: (func.module, c.span.start),
            module: func.module,
            ret: Val::default(),
            steps: 0,
            budget: JS_CALL_STEPS,
            handler: false,
            name: func.name.clone(),
            dead: false,
            entry: false,
        });
        for el in &c.body.body {
            match el {
                ClassElement::MethodDefinition(m) if !m.r#static => {
                    if m.kind == MethodDefinitionKind::Constructor {
                        ctor = Some(&m.value);
                        continue;
                    }
                    if let Some(k) = m.key.name() {
                        let f = self.func_val(
                            FnNode::Func(&m.value),
                            &func.scope,
                            &format!("{}.{k}", func.name),
                        );
                        self.set_member(instance, Some(&k), f, m.span);
                    }
                }
                ClassElement::PropertyDefinition(p) if !p.r#static => {
                    if let (Some(k), Some(val)) = (p.key.name(), &p.value) {
                        let v = self.eval(val, &class_scope);
                        self.set_member(instance, Some(&k), v, p.span);
                    }
                }
                _ => {}
            }
        }
        self.stack.pop();
        if let Some(ctor) = ctor {
            let f = Rc::new(Func {
                node: FnNode::Func(ctor),
                module: func.module,
                scope: Rc::clone(&func.scope),
                name: format!("{}.constructor", func.name),
                bound: Vec::new(),
                envelope: None,
            });
            self.invoke(&f, Some(instance.clone()), args, false);
        }
    }

    // ----- entry points ------------------------------------------------------------------

    /// Runs a handler with an abstract event, called as the platform calls it.
    pub(crate) fn run_handler(&mut self, func: &Rc<Func<'a>>, convention: Convention) {
        let at = usize::from(convention.context_first());
        let span = params_of(func.node)
            .and_then(|p| p.items.get(at).map(|i| i.span))
            .unwrap_or_else(|| func.span());
        let loc = self.loc_in(func.module, span);
        let mut path = convention.event_root().to_owned();
        for m in func.envelope.unwrap_or_default() {
            path = join_path(&path, m);
        }
        let event = Val::tainted(vec![Rc::new(Taint {
            path,
            structured: true,
            error: false,
            loc,
            steps: Vec::new(),
            clean: 0,
        })]);
        let context = Val {
            tag: Tag::Context,
            ..Val::default()
        };
        let callback = Val {
            tag: Tag::Callback,
            ..Val::default()
        };
        self.entering = true;
        if convention.context_first() {
            self.invoke(func, None, vec![context, event], true);
            return;
        }
        self.invoke(func, None, vec![event, context, callback], true);
    }

    /// Runs an Express-style route handler with an abstract request.
    fn run_route(&mut self, func: &Rc<Func<'a>>) {
        let span = params_of(func.node)
            .and_then(|p| p.items.first().map(|i| i.span))
            .unwrap_or_else(|| func.span());
        let loc = self.loc_in(func.module, span);
        let req = Val::tainted(vec![Rc::new(Taint {
            path: "req".to_owned(),
            structured: true,
            error: false,
            loc,
            steps: Vec::new(),
            clean: 0,
        })]);
        let res = Val {
            tag: Tag::ExpressRes,
            ..Val::default()
        };
        let next = self.error_val_in(func.module, span);
        self.entering = true;
        self.invoke(func, None, vec![req, res, next], false);
    }

    fn error_val(&self, span: Span) -> Val<'a> {
        self.error_val_in(self.cur(), span)
    }

    /// An error object (the source of verbose-error flows).
    pub(crate) fn error_val_in(&self, module: usize, span: Span) -> Val<'a> {
        Val::tainted(vec![Rc::new(Taint {
            path: "error".to_owned(),
            structured: false,
            error: true,
            loc: self.loc_in(module, span),
            steps: Vec::new(),
            clean: 0,
        })])
    }

    /// A new `Promise((resolve, reject) => ...)`: runs the executor and returns what it
    /// resolves.
    pub(crate) fn new_promise(&mut self, args: &[Val<'a>]) -> Val<'a> {
        let Some(exec) = args.first().and_then(|a| a.func.clone()) else {
            return Val::default();
        };
        let cell = Rc::new(RefCell::new(Val::default()));
        let resolve = Val {
            tag: Tag::Resolve(Rc::clone(&cell)),
            ..Val::default()
        };
        self.invoke(&exec, None, vec![resolve, Val::default()], false);

        cell.borrow().clone()
    }
}

/// The parameters of a function node.
pub(crate) fn params_of<'a>(node: FnNode<'a>) -> Option<&'a FormalParameters<'a>> {
    match node {
        FnNode::Func(f) => Some(&f.params),
        FnNode::Arrow(a) => Some(&a.params),
        FnNode::Class(_) => None,
    }
}

/// A value made clean for every sink kind (an allowlist check passed).
/// Prefix of the pseudo-variables that mark a place in the event as checked by a guard
/// (`\0` cannot start a JavaScript name).
const CLEAN_PATH: &str = "\0clean:";

fn cleaned<'a>(v: &Val<'a>) -> Val<'a> {
    let mut out = v.clone();
    out.taint = v.taint.iter().map(|t| t.cleaned(ALL_KINDS)).collect();
    out
}

fn is_index(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
}

fn is_error_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "err" | "error" | "e" | "ex" | "exc" | "exception" | "reason"
    )
}

/// The constant truth of a test, for dead branches (`if (false)`).
fn const_bool(e: &Expression<'_>) -> Option<bool> {
    match e.get_inner_expression() {
        Expression::BooleanLiteral(b) => Some(b.value),
        Expression::NumericLiteral(n) => Some(n.value != 0.0),
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            const_bool(&u.argument).map(|b| !b)
        }
        _ => None,
    }
}

fn string_value<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().map(|q| q.value.raw.as_str())
        }
        _ => None,
    }
}

/// Whether an expression may build a string from parts, so its value, when constant, is
/// worth recording as folded: a concatenation, a template literal with substitutions, or a
/// call of the string builders and encoders [`const_builtin`] and [`const_method`] know.
fn is_foldable(e: &Expression<'_>) -> bool {
    match e {
        Expression::BinaryExpression(b) => b.operator == BinaryOperator::Addition,
        Expression::TemplateLiteral(t) => !t.expressions.is_empty(),
        Expression::CallExpression(c) => match c.callee.get_inner_expression() {
            Expression::Identifier(id) => id.name == "btoa",
            callee => callee
                .as_member_expression()
                .and_then(MemberExpression::static_property_name)
                .is_some_and(|m| matches!(m, "toString" | "join" | "concat")),
        },
        _ => false,
    }
}

/// Encodings of `Buffer.from(s, encoding)` that keep the text's characters.
const TEXT_ENCODINGS: &[&str] = &["utf8", "utf-8", "ascii", "latin1", "binary"];

/// A global builtin called on constants: `Buffer.from('text')` (its bytes, kept as the text)
/// and `btoa('text')` (base64).
fn const_builtin<'a>(f: &Val<'a>, args: &[Val<'a>]) -> Option<Val<'a>> {
    let origin = f.origin.as_ref()?;
    if !origin.module.is_empty() {
        return None;
    }
    let text = args.first()?.konst()?;
    match origin.path.as_str() {
        "Buffer.from" => {
            let encoding = match args.get(1) {
                None => Some(Rc::from("utf8")),
                Some(e) => e.konst(),
            }?;
            TEXT_ENCODINGS
                .contains(&encoding.to_ascii_lowercase().as_str())
                .then(|| Val::string(&text))
        }
        "btoa" if args.len() == 1 => Some(Val::string(&crate::text::base64_encode(&text)?)),
        _ => None,
    }
}

/// A string method on a constant with constant arguments: `buf.toString('base64')`,
/// `s.concat(t)`, `[a, b].join(':')`.
fn const_method<'a>(r: &Val<'a>, m: &str, args: &[Val<'a>]) -> Option<Val<'a>> {
    if m == "join" {
        return const_join(r, args);
    }
    let s = r.konst()?;
    match m {
        "toString" => match args.first() {
            None => Some(Val::string(&s)),
            Some(a) => match &*a.konst()? {
                "base64" => Some(Val::string(&crate::text::base64_encode(&s)?)),
                e if TEXT_ENCODINGS.contains(&e) => Some(Val::string(&s)),
                _ => None,
            },
        },
        "concat" => {
            let mut out = s.to_string();
            for a in args {
                out.push_str(&a.konst()?);
            }
            Some(Val::string(&out))
        }
        _ => None,
    }
}

/// `[a, b].join(sep)` of an array literal whose elements are all constants.
fn const_join<'a>(r: &Val<'a>, args: &[Val<'a>]) -> Option<Val<'a>> {
    let sep = match args.first() {
        None => Rc::from(","),
        Some(a) => a.konst()?,
    };
    let obj = r.obj.as_ref()?.try_borrow().ok()?;
    if !obj.array || obj.fields.is_empty() || obj.fields.len() > 64 {
        return None;
    }
    let mut parts = Vec::with_capacity(obj.fields.len());
    for (i, (k, v)) in obj.fields.iter().enumerate() {
        if *k != i.to_string() || !v.taint.is_empty() {
            return None;
        }
        parts.push(v.konst()?);
    }
    // Elements the fields do not list (after a spread) make the array inexact.
    if let Some(e) = &obj.elems {
        let known = e.text.as_ref()?.alternatives();
        if known.is_empty()
            || known
                .iter()
                .any(|t| !matches!(t, Text::Const(c) if parts.contains(c)))
        {
            return None;
        }
    }
    let joined: Vec<&str> = parts.iter().map(|p| &**p).collect();
    Some(Val::string(&joined.join(&sep)))
}

fn ident_name<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    match e.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        _ => None,
    }
}

fn is_literal(e: &Expression<'_>) -> bool {
    matches!(
        e.get_inner_expression(),
        Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
    ) || matches!(e.get_inner_expression(), Expression::TemplateLiteral(t) if t.expressions.is_empty())
}

fn is_minus_one(e: &Expression<'_>) -> bool {
    matches!(e.get_inner_expression(), Expression::UnaryExpression(u)
        if u.operator == UnaryOperator::UnaryNegation
            && matches!(&u.argument, Expression::NumericLiteral(n) if (n.value - 1.0).abs() < f64::EPSILON))
}

/// Comparison guards: `x === 'a'`, `typeof x === 'number'`, `list.indexOf(x) === -1`.
fn binary_guard<'a>(
    b: &'a BinaryExpression<'a>,
    target: &mut dyn FnMut(&'a Expression<'a>) -> Option<&'a str>,
) -> Option<(&'a str, bool)> {
    let eq = match b.operator {
        BinaryOperator::StrictEquality | BinaryOperator::Equality => true,
        BinaryOperator::StrictInequality | BinaryOperator::Inequality => false,
        BinaryOperator::LessThan => {
            // `list.indexOf(x) < 0`
            return index_of_arg(&b.left).map(|n| (n, false));
        }
        BinaryOperator::GreaterEqualThan | BinaryOperator::GreaterThan => {
            return index_of_arg(&b.left).map(|n| (n, true));
        }
        _ => return None,
    };
    let (l, r) = (
        b.left.get_inner_expression(),
        b.right.get_inner_expression(),
    );
    if let Some(n) = index_of_arg(l)
        && is_minus_one(r)
    {
        return Some((n, !eq));
    }
    for (x, y) in [(l, r), (r, l)] {
        if let Expression::UnaryExpression(u) = x
            && u.operator == UnaryOperator::Typeof
            && is_literal(y)
        {
            let n = ident_name(&u.argument)?;
            let number = matches!(y, Expression::StringLiteral(s) if matches!(s.value.as_str(), "number" | "boolean"));
            return number.then_some((n, eq));
        }
        if is_literal(y)
            && let Some(n) = target(x)
        {
            return Some((n, eq));
        }
    }
    None
}

fn index_of_arg<'a>(e: &'a Expression<'a>) -> Option<&'a str> {
    let Expression::CallExpression(c) = e.get_inner_expression() else {
        return None;
    };
    let m = c.callee.get_inner_expression().as_member_expression()?;
    if m.static_property_name()? != "indexOf" {
        return None;
    }
    ident_name(c.arguments.first()?.as_expression()?)
}

/// Identity of an invocation's inputs, for memoisation.
/// Most functions collected from the objects handed to one library call.
const MAX_NESTED_FUNCS: usize = 64;

/// The functions inside the objects of a value (not the value itself: a function handed to a
/// library directly is run as a callback already), a few levels deep.
fn nested_funcs<'a>(v: &Val<'a>, depth: u32, out: &mut Vec<Rc<Func<'a>>>) {
    if depth > 0
        && let Some(f) = &v.func
        && !matches!(f.node, FnNode::Class(_))
        && out.len() < MAX_NESTED_FUNCS
        && !out.iter().any(|g| Rc::ptr_eq(g, f))
    {
        out.push(Rc::clone(f));
    }
    if depth >= 4 {
        return;
    }
    let Some(o) = &v.obj else { return };
    let Ok(o) = o.try_borrow() else { return };
    for field in o.fields.values().chain(o.elems.iter()) {
        nested_funcs(field, depth + 1, out);
    }
}

/// Whether nothing is known of a value: no definition, library, object, text or taint.
fn blank(v: &Val<'_>) -> bool {
    v.func.is_none()
        && v.origin.is_none()
        && v.obj.is_none()
        && v.text.is_none()
        && v.taint.is_empty()
        && matches!(v.tag, Tag::None)
}

fn fingerprint<'a>(this: Option<&Val<'a>>, args: &[Val<'a>], handler: bool) -> String {
    let mut s = String::new();
    if handler {
        s.push('H');
    }
    for v in this.into_iter().chain(args) {
        for t in &v.taint {
            let _ = write!(s, "t{:p}", Rc::as_ptr(t));
        }
        if let Some(o) = &v.obj {
            let _ = write!(s, "o{:p}", Rc::as_ptr(o));
        }
        if let Some(f) = &v.func {
            let _ = write!(s, "f{:p}", Rc::as_ptr(f));
        }
        match &v.text {
            Some(Text::Env(e)) => {
                let _ = write!(s, "e{e}");
            }
            Some(t) => {
                let _ = write!(s, "x{}", t.pattern());
            }
            None => {}
        }
        if let Some(o) = &v.origin {
            let _ = write!(s, "g{}", o.path);
        }
        match &v.tag {
            Tag::None => {}
            Tag::Client(c) => {
                let _ = write!(s, "c{:p}", Rc::as_ptr(c));
            }
            Tag::Command(c) => {
                let _ = write!(s, "m{:p}", Rc::as_ptr(c));
            }
            Tag::Resolve(c) => {
                let _ = write!(s, "r{:p}", Rc::as_ptr(c));
            }
            _ => s.push('T'),
        }
        s.push('|');
    }
    s
}
