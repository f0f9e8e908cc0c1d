//! The Python taint engine: an abstract interpreter over ruff's syntax tree. Modules are
//! loaded as they are imported and their top level run once; the handler is then called
//! with an untrusted event, and calls into repository functions are followed with the
//! actual argument values (memoised per function and argument shape, within a step budget
//! and a call depth).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use perimeter_diagnostics::{Kind, Loc, ScanError, SourceFile, Span};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

use super::resolve::{import_file, is_stdlib};
use super::spec::{SQL_METHODS, SQL_WORDS, STRING_VALIDATORS, VALIDATORS};
use super::value::{
    ALL_KINDS, Env, FuncRef, Instance, Obj, Origin, Shape, Taint, Text, Val, add_taints,
    deep_taints, element, fingerprint, join, join_path, kind_bit, set_field, split_whole,
};
use crate::Repo;
use crate::core::budget::{Budget, MAX_CALL_DEPTH, PYTHON_HANDLER_STEPS};

/// Prefix of the pseudo-variables that mark a place in the event as checked against an
/// allowlist (`\0` cannot start a Python name).
const CLEAN_PATH: &str = "\0checked:";

/// A parsed module of the repository.
pub(crate) struct Module {
    /// Relative path.
    pub path: String,
    /// The text.
    pub file: Arc<SourceFile>,
    /// Names bound at module level.
    pub globals: Env,
}

/// How a function binds its first parameter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FnKind {
    Plain,
    Static,
    ClassMethod,
}

/// A function definition of the repository.
pub(crate) struct FuncDef {
    module: usize,
    /// Where the definition starts in its module (the syntax tree is shared, not copied:
    /// copying a hostile tree would recurse as deep as it nests).
    start: u32,
    /// Where its name is.
    name_range: TextRange,
    /// Qualified name (`OrderRepo.save`), for notes and errors.
    pub name: String,
    kind: FnKind,
}

/// A class of the repository.
struct ClassDef {
    /// For a PynamoDB model: the table its methods operate on (a boto3 resource object).
    orm: Option<Val>,
    methods: IndexMap<String, usize>,
    attrs: IndexMap<String, Val>,
    bases: Vec<usize>,
    /// Bases from libraries (`pynamodb.models.Model`, `MongoModel`).
    ext_bases: Vec<Rc<Origin>>,
    /// Annotated attribute names in order (dataclass fields).
    fields: Vec<String>,
}

/// One activation: a function call or a module's top level.
struct Frame {
    module: usize,
    /// The function, `None` at module level (variables are then the module's globals).
    func: Option<usize>,
    locals: Env,
    closure: Option<Rc<Env>>,
    ret: Option<Val>,
    handler: bool,
    /// The block being run has returned, raised, or left its loop iteration.
    exited: bool,
}

impl Frame {
    fn new(module: usize, func: Option<usize>) -> Self {
        Frame {
            module,
            func,
            locals: Env::default(),
            closure: None,
            ret: None,
            handler: false,
            exited: false,
        }
    }
}

/// Evaluated call arguments.
#[derive(Default)]
pub(crate) struct Args {
    /// Positional values.
    pub pos: Vec<Val>,
    /// Keyword values (`""` for a `**mapping` that could not be spread).
    pub kw: Vec<(String, Val)>,
}

impl Args {
    /// The argument at a position or keyword.
    pub(crate) fn get(&self, pos: usize, kw: &str) -> Option<&Val> {
        self.pos.get(pos).or_else(|| self.kw(kw))
    }

    /// A keyword argument.
    pub(crate) fn kw(&self, kw: &str) -> Option<&Val> {
        if kw.is_empty() {
            return None;
        }
        self.kw.iter().find(|(k, _)| k == kw).map(|(_, v)| v)
    }

    /// Every label of every argument.
    pub(crate) fn all_taints(&self) -> Vec<Rc<Taint>> {
        let mut t = Vec::new();
        for v in self.pos.iter().chain(self.kw.iter().map(|(_, v)| v)) {
            add_taints(&mut t, deep_taints(v));
        }
        t
    }

    /// The keyword arguments as a dict value (a boto3 request).
    pub(crate) fn kw_dict(&self) -> Val {
        let mut o = Obj::default();
        for (k, v) in &self.kw {
            if k.is_empty() {
                let mut e = o.elems.take().unwrap_or_default();
                add_taints(&mut e.taint, deep_taints(v));
                o.elems = Some(e);
            } else {
                set_field(&mut o, k, v.clone());
            }
        }
        Val::object(o)
    }
}

/// The interpreter's state for one handler.
pub(crate) struct Engine<'r> {
    /// What the code was seen doing.
    pub fx: crate::core::summary::Effects,
    repo: &'r Repo,
    code_dir: String,
    /// Modules loaded, in load order.
    pub modules: Vec<Module>,
    asts: Vec<Rc<ast::ModModule>>,
    by_path: FxHashMap<String, usize>,
    /// Function definitions.
    pub funcs: Vec<FuncDef>,
    func_index: FxHashMap<(usize, u32), usize>,
    classes: Vec<ClassDef>,
    class_index: FxHashMap<(usize, u32), usize>,
    instances: Vec<Rc<RefCell<Instance>>>,
    /// Calls and flows (indices) made in branches that only another trigger's event takes
    /// (see [`Self::other_trigger`]): not effects an HTTP request reaches.
    pub(super) other_trigger: (Vec<usize>, Vec<usize>),
    /// The variable, attribute, key or keyword the expression being evaluated is assigned to.
    name_hint: Option<String>,
    /// Names of the functions and methods the modules define: a method of that name called on
    /// a value the analysis knows nothing of may be one of them.
    defined: FxHashSet<String>,
    stack: Vec<Frame>,
    memo: FxHashMap<(usize, String), Val>,
    budget: Budget,
    /// Where the budget ran out: the file and the function being run.
    pub exhausted: Option<(String, String)>,
    next_id: u32,
    /// Limits already reported, per function.
    cuts: FxHashSet<String>,
}

fn span(r: TextRange) -> Span {
    Span::new(r.start().to_u32(), r.end().to_u32())
}

fn const_str(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
        _ => None,
    }
}

fn is_const_expr(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_)
        | Expr::BytesLiteral(_) => true,
        Expr::Tuple(ast::ExprTuple { elts, .. })
        | Expr::List(ast::ExprList { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. }) => elts.iter().all(is_const_expr),
        _ => false,
    }
}

impl<'r> Engine<'r> {
    /// A fresh engine for handlers under `code_dir`.
    pub(crate) fn new(repo: &'r Repo, code_dir: &str) -> Self {
        Engine {
            fx: crate::core::summary::Effects::default(),
            repo,
            code_dir: code_dir.to_owned(),
            modules: Vec::new(),
            asts: Vec::new(),
            by_path: FxHashMap::default(),
            funcs: Vec::new(),
            func_index: FxHashMap::default(),
            classes: Vec::new(),
            class_index: FxHashMap::default(),
            instances: Vec::new(),
            other_trigger: (Vec::new(), Vec::new()),
            name_hint: None,
            defined: FxHashSet::default(),
            stack: Vec::new(),
            memo: FxHashMap::default(),
            budget: Budget::new(PYTHON_HANDLER_STEPS),
            exhausted: None,
            next_id: 0,
            cuts: FxHashSet::default(),
        }
    }

    /// Drops values that point at each other (instances, closures) so they are freed.
    pub(crate) fn teardown(&mut self) {
        self.memo.clear();
        for i in &self.instances {
            if let Ok(mut i) = i.try_borrow_mut() {
                i.fields.clear();
            }
        }
        self.instances.clear();
        for m in &mut self.modules {
            m.globals.clear();
        }
        for c in &mut self.classes {
            c.attrs.clear();
        }
    }

    // ----- locations, budget ------------------------------------------------------------

    fn cur(&self) -> usize {
        self.stack.last().map_or(0, |f| f.module)
    }

    /// A location in the module being run.
    pub(crate) fn loc(&self, r: TextRange) -> Loc {
        self.loc_in(self.cur(), r)
    }

    /// A location in a module.
    pub(crate) fn loc_in(&self, module: usize, r: TextRange) -> Loc {
        let file = self.modules.get(module).map(|m| &m.file);
        crate::core::loc_in(file, r.start().to_u32(), r.end().to_u32())
    }

    fn tick(&mut self) -> bool {
        if self.exhausted.is_some() {
            return false;
        }
        if !self.budget.tick() {
            let (path, name) = match self.stack.last() {
                Some(f) => (
                    self.modules
                        .get(f.module)
                        .map_or_else(String::new, |m| m.path.clone()),
                    f.func
                        .and_then(|i| self.funcs.get(i))
                        .map_or_else(|| "<module>".to_owned(), |d| d.name.clone()),
                ),
                None => (String::new(), "<module>".to_owned()),
            };
            self.exhausted = Some((path, name));
            return false;
        }
        true
    }

    /// The function being run, for messages.
    fn frame_name(&self) -> String {
        self.stack
            .last()
            .and_then(|f| f.func)
            .and_then(|i| self.funcs.get(i))
            .map_or_else(|| "<module>".to_owned(), |d| format!("`{}`", d.name))
    }

    /// Records, once per function and limit, that the analysis stopped at a limit there.
    fn cut(&mut self, what: &str) {
        let name = self.frame_name();
        let path = self
            .modules
            .get(self.cur())
            .map(|m| m.path.clone())
            .unwrap_or_default();
        crate::limits::record_cut(&mut self.cuts, &mut self.fx.errors, path, &name, what);
    }

    /// One more level of evaluation, unless the chain is at its limit (recorded).
    fn enter(&mut self) -> bool {
        if let Err(limit) = self.budget.enter() {
            self.cut(&limit);
            return false;
        }
        true
    }

    fn fresh_id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    // ----- modules ----------------------------------------------------------------------

    /// Loads, parses and runs the top level of a module once; `None` when it cannot be read
    /// or parsed (the error is recorded).
    pub(crate) fn load(&mut self, path: &str) -> Option<usize> {
        if let Some(&i) = self.by_path.get(path) {
            return Some(i);
        }
        if let Some(limit) = Budget::module_limit(self.modules.len(), path) {
            self.cut(&limit);
            return None;
        }
        let file = match self.repo.read(path) {
            Ok(f) => f,
            Err(e) => {
                self.fx
                    .errors
                    .push(ScanError::new(path, format!("cannot read: {e}")));
                return None;
            }
        };
        if let Err(limit) = self.budget.admit_source(file.text().len(), path) {
            self.cut(&limit);
            return None;
        }
        if let Some(why) = crate::limits::nesting_error(path, file.text()) {
            self.fx.errors.push(ScanError::new(path, why));
            return None;
        }
        let parsed = match ruff_python_parser::parse_module(file.text()) {
            Ok(p) => p.into_syntax(),
            Err(e) => {
                let loc = Loc::new(&file, span(e.location));
                self.fx.errors.push(ScanError::at(
                    &loc,
                    format!("cannot parse Python: {}", e.error),
                ));
                return None;
            }
        };
        let idx = self.modules.len();
        let parsed = Rc::new(parsed);
        self.asts.push(Rc::clone(&parsed));
        self.modules.push(Module {
            path: path.to_owned(),
            file,
            globals: Env::default(),
        });
        self.by_path.insert(path.to_owned(), idx);
        self.stack.push(Frame::new(idx, None));
        for s in &parsed.body {
            self.exec_stmt(s);
            self.set_exited(false);
        }
        self.stack.pop();
        Some(idx)
    }

    /// A repository module an import names, loaded.
    fn import_module(&mut self, module: &str, level: u32) -> Option<usize> {
        let importer = self.modules.get(self.cur())?.path.clone();
        let path = import_file(self.repo, &self.code_dir, &importer, module, level)?;
        // Importing `a.b.c` runs the packages `a` and `a.b` first.
        let mut prefix = String::new();
        for part in module
            .split('.')
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .skip(1)
            .rev()
        {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            if let Some(p) = import_file(self.repo, &self.code_dir, &importer, &prefix, level)
                && p.ends_with("__init__.py")
            {
                self.load(&p);
            }
        }
        self.load(&path)
    }

    /// An attribute of a module: a global, or a submodule of a package.
    fn module_attr(&mut self, m: usize, attr: &str) -> Val {
        if let Some(v) = self.modules.get(m).and_then(|md| md.globals.get(attr)) {
            return v.clone();
        }
        let Some(path) = self.modules.get(m).map(|md| md.path.clone()) else {
            return Val::default();
        };
        if path.ends_with("__init__.py")
            && let Some(sub) = import_file(self.repo, &self.code_dir, &path, attr, 1)
            && let Some(i) = self.load(&sub)
        {
            return Val::of(Shape::Module(i));
        }
        Val::default()
    }

    fn note_import(&mut self, module: &str, level: u32) {
        if level > 0 || module.is_empty() {
            return;
        }
        let top = module.split('.').next().unwrap_or(module);
        if is_stdlib(top) {
            return;
        }
        let importer = self
            .modules
            .get(self.cur())
            .map(|m| m.path.clone())
            .unwrap_or_default();
        if import_file(self.repo, &self.code_dir, &importer, top, 0).is_some()
            || import_file(self.repo, &self.code_dir, &importer, module, 0).is_some()
        {
            return;
        }
        self.fx.imports.insert(top.to_owned());
    }

    fn exec_import(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    self.note_import(name, 0);
                    let full = self.import_module(name, 0);
                    if let Some(asname) = &alias.asname {
                        let v = match full {
                            Some(i) => Val::of(Shape::Module(i)),
                            None => Val::ext(Origin::from_dotted(name)),
                        };
                        self.set_var(asname.as_str(), v);
                        continue;
                    }
                    let top = name.split('.').next().unwrap_or(name);
                    let v = if top == name {
                        match full {
                            Some(i) => Val::of(Shape::Module(i)),
                            None => Val::ext(Origin::from_dotted(name)),
                        }
                    } else {
                        match (self.import_module(top, 0), full) {
                            (Some(i), _) => Val::of(Shape::Module(i)),
                            // A namespace package: `a.b` is a file but `a` is a folder.
                            (None, Some(i)) => {
                                let rest = name.get(top.len() + 1..).unwrap_or("");
                                let first = rest.split('.').next().unwrap_or(rest);
                                let mut o = Obj::default();
                                o.fields.insert(first.to_owned(), Val::of(Shape::Module(i)));
                                Val::object(o)
                            }
                            (None, None) => Val::ext(Origin::from_dotted(top)),
                        }
                    };
                    self.set_var(top, v);
                }
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map_or("", |i| i.as_str());
                self.note_import(module, imp.level);
                let target = self.import_module(module, imp.level);
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    if name == "*" {
                        if let Some(t) = target {
                            let mut all: Vec<(String, Val)> = self.modules[t]
                                .globals
                                .iter()
                                .filter(|(k, _)| !k.starts_with('_'))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            all.sort_by(|a, b| a.0.cmp(&b.0));
                            for (k, v) in all {
                                self.set_var(&k, v);
                            }
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().map_or(name, |a| a.as_str());
                    let v = match target {
                        Some(t) => self.module_attr(t, name),
                        None if imp.level > 0 || module.is_empty() => {
                            match self.import_module(name, imp.level) {
                                Some(s) => Val::of(Shape::Module(s)),
                                None => Val::default(),
                            }
                        }
                        None => Val::ext(Origin::from_dotted(&format!("{module}.{name}"))),
                    };
                    self.set_var(bound, v);
                }
            }
            _ => {}
        }
    }

    // ----- variables --------------------------------------------------------------------

    /// A variable's value, as the analysis knows it here.
    pub(super) fn lookup_var(&self, name: &str) -> Option<Val> {
        self.lookup(name)
    }

    fn lookup(&self, name: &str) -> Option<Val> {
        let f = self.stack.last()?;
        if f.func.is_some() {
            if let Some(v) = f.locals.get(name) {
                return Some(v.clone());
            }
            if let Some(v) = f.closure.as_ref().and_then(|c| c.get(name)) {
                return Some(v.clone());
            }
        }
        self.modules.get(f.module)?.globals.get(name).cloned()
    }

    fn var(&self, name: &str) -> Val {
        match self.lookup(name) {
            Some(v) => v,
            None => match name {
                "True" => Val::of(Shape::Bool(true)),
                "False" => Val::of(Shape::Bool(false)),
                _ => Val::ext(Origin::builtin(name)),
            },
        }
    }

    fn set_var(&mut self, name: &str, v: Val) {
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        if f.func.is_some() {
            f.locals.insert(name.to_owned(), v);
        } else if let Some(m) = self.modules.get_mut(f.module) {
            m.globals.insert(name.to_owned(), v);
        }
    }

    // ----- functions and classes --------------------------------------------------------

    fn define_function(&mut self, def: &ast::StmtFunctionDef, class: Option<&str>) -> usize {
        let m = self.cur();
        let key = (m, def.range.start().to_u32());
        if let Some(&i) = self.func_index.get(&key) {
            return i;
        }
        let decorated = |n: &str| {
            def.decorator_list.iter().any(|d| match &d.expression {
                Expr::Name(x) => x.id.as_str() == n,
                _ => false,
            })
        };
        let kind = if class.is_none() {
            FnKind::Plain
        } else if decorated("staticmethod") {
            FnKind::Static
        } else if decorated("classmethod") {
            FnKind::ClassMethod
        } else {
            FnKind::Plain
        };
        let name = match class {
            Some(c) => format!("{c}.{}", def.name.as_str()),
            None => def.name.as_str().to_owned(),
        };
        let idx = self.funcs.len();
        if !self.defined.contains(def.name.as_str()) {
            self.defined.insert(def.name.as_str().to_owned());
        }
        self.funcs.push(FuncDef {
            module: m,
            start: def.range.start().to_u32(),
            name_range: def.name.range(),
            name,
            kind,
        });
        self.func_index.insert(key, idx);
        idx
    }

    fn func_val(&mut self, idx: usize, bound: Option<Val>, closure: Option<Rc<Env>>) -> Val {
        let id = self.fresh_id();
        Val::of(Shape::Func(Rc::new(FuncRef {
            id,
            idx,
            bound,
            closure,
        })))
    }

    /// The module of a function and its syntax tree.
    fn def_of(&self, idx: usize) -> Option<(usize, Rc<ast::ModModule>)> {
        let m = self.funcs.get(idx)?.module;
        Some((m, Rc::clone(self.asts.get(m)?)))
    }

    /// The function a module-level name holds, for the handler.
    pub(crate) fn global_function(&self, module: usize, name: &str) -> Option<usize> {
        match self
            .modules
            .get(module)?
            .globals
            .get(name)
            .map(|v| &v.shape)
        {
            Some(Shape::Func(f)) => Some(f.idx),
            _ => None,
        }
    }

    /// Where a function is defined (its name).
    pub(crate) fn func_loc(&self, idx: usize) -> Option<Loc> {
        let f = self.funcs.get(idx)?;
        Some(self.loc_in(f.module, f.name_range))
    }

    fn define_class(&mut self, c: &ast::StmtClassDef) -> usize {
        let m = self.cur();
        let key = (m, c.range.start().to_u32());
        if let Some(&i) = self.class_index.get(&key) {
            return i;
        }
        let idx = self.classes.len();
        self.class_index.insert(key, idx);
        let name = c.name.as_str().to_owned();
        let mut bases = Vec::new();
        let mut ext_bases = Vec::new();
        let mut pynamo = false;
        if let Some(args) = &c.arguments {
            for b in &args.args {
                match self.eval(b).shape {
                    Shape::Class(bi) => bases.push(bi),
                    Shape::Ext(o) => {
                        pynamo |= &*o.module == "pynamodb" && o.path.ends_with("Model");
                        ext_bases.push(o);
                    }
                    _ => {}
                }
            }
        }
        let orm = pynamo
            .then(|| self.pynamo_table(c))
            .flatten()
            .map(|t| super::sdk::pynamo_model(&t));
        self.classes.push(ClassDef {
            orm,
            methods: IndexMap::new(),
            attrs: IndexMap::new(),
            bases,
            ext_bases,
            fields: Vec::new(),
        });
        for s in &c.body {
            match s {
                Stmt::FunctionDef(def) => {
                    let f = self.define_function(def, Some(&name));
                    self.classes[idx]
                        .methods
                        .insert(def.name.as_str().to_owned(), f);
                }
                Stmt::Assign(a) => {
                    let v = self.eval(&a.value);
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            self.classes[idx]
                                .attrs
                                .insert(n.id.as_str().to_owned(), v.clone());
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = &*a.target {
                        let n = n.id.as_str().to_owned();
                        if let Some(value) = &a.value {
                            let v = self.eval(value);
                            self.classes[idx].attrs.insert(n.clone(), v);
                        }
                        self.classes[idx].fields.push(n);
                    }
                }
                _ => {}
            }
        }
        idx
    }

    /// What a PynamoDB model's read returns: an instance of the model (`get`), or instances
    /// to iterate (`query`, `scan`, `batch_get`), carrying what the read returns.
    fn pynamo_result(&mut self, class: usize, method: &str, read: Val) -> Val {
        let single = method == "get";
        if !single && !matches!(method, "query" | "scan" | "batch_get") {
            return read;
        }
        let id = self.fresh_id();
        let inst = Rc::new(RefCell::new(Instance {
            id,
            class,
            fields: IndexMap::new(),
        }));
        self.instances.push(Rc::clone(&inst));
        let mut item = Val::of(Shape::Instance(inst));
        item.taint = read.taint;
        if single {
            return item;
        }
        let mut list = Val::object(Obj {
            elems: Some(item.clone()),
            array: true,
            ..Obj::default()
        });
        list.taint = item.taint;
        list
    }

    /// `super(Model, self)` or `super()` in a method of a PynamoDB model: the model's table,
    /// so that an overriding `save` that calls the library's `save` is a `PutItem`.
    pub(crate) fn super_orm(&self, args: &Args) -> Option<Val> {
        let class = match args.pos.first().map(|v| &v.shape) {
            Some(Shape::Class(c)) => *c,
            _ => {
                let this = self.stack.last()?.locals.get("self")?;
                match &this.shape {
                    Shape::Instance(i) => i.try_borrow().ok()?.class,
                    _ => return None,
                }
            }
        };
        self.in_hierarchy(class, |d| d.orm.clone())
    }

    /// The `table_name` of a PynamoDB model's `class Meta`.
    fn pynamo_table(&mut self, c: &ast::StmtClassDef) -> Option<Val> {
        let meta = c.body.iter().find_map(|s| match s {
            Stmt::ClassDef(m) if m.name.as_str() == "Meta" => Some(m),
            _ => None,
        })?;
        let value = meta.body.iter().find_map(|s| match s {
            Stmt::Assign(a)
                if a.targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "table_name")) =>
            {
                Some(&a.value)
            }
            _ => None,
        })?;
        Some(self.eval(value))
    }

    /// Whether `call` is `super().method(...)` in a method of a class none of whose
    /// repository bases defines `method`: the base is a builtin or a library class.
    fn super_outside_repo(&self, call: &ast::ExprCall, method: &str) -> bool {
        let Expr::Attribute(a) = &*call.func else {
            return false;
        };
        let Expr::Call(c) = &*a.value else {
            return false;
        };
        if !matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "super") {
            return false;
        }
        let Some(Shape::Instance(i)) = self
            .stack
            .last()
            .and_then(|f| f.locals.get("self"))
            .map(|v| &v.shape)
        else {
            return false;
        };
        let Ok(class) = i.try_borrow().map(|i| i.class) else {
            return false;
        };
        self.classes.get(class).is_some_and(|cd| {
            cd.bases
                .iter()
                .all(|&b| self.find_method(b, method).is_none())
        })
    }

    /// The first class in `class`'s repository hierarchy for which `pick` answers.
    fn in_hierarchy<T>(&self, class: usize, pick: impl Fn(&ClassDef) -> Option<T>) -> Option<T> {
        let mut todo = vec![class];
        let mut seen = 0;
        while let Some(c) = todo.pop() {
            seen += 1;
            if seen > 32 {
                return None;
            }
            let cd = self.classes.get(c)?;
            if let Some(v) = pick(cd) {
                return Some(v);
            }
            todo.extend(cd.bases.iter().rev());
        }
        None
    }

    fn find_method(&self, class: usize, name: &str) -> Option<usize> {
        self.in_hierarchy(class, |c| c.methods.get(name).copied())
    }

    fn class_attr(&self, class: usize, name: &str) -> Option<Val> {
        self.in_hierarchy(class, |c| c.attrs.get(name).cloned())
    }

    /// `Class(...)`: a new instance, initialised by `__init__` (or dataclass fields).
    fn instantiate(&mut self, class: usize, args: Args, call: TextRange) -> Val {
        let id = self.fresh_id();
        let inst = Rc::new(RefCell::new(Instance {
            id,
            class,
            fields: IndexMap::new(),
        }));
        self.instances.push(Rc::clone(&inst));
        let this = Val::of(Shape::Instance(Rc::clone(&inst)));
        if let Some(init) = self.find_method(class, "__init__") {
            self.call_function(init, Some(this.clone()), None, args, call);
        } else {
            let fields = self
                .classes
                .get(class)
                .map(|c| c.fields.clone())
                .unwrap_or_default();
            if let Ok(mut b) = inst.try_borrow_mut() {
                for (i, f) in fields.iter().enumerate() {
                    if let Some(v) = args.get(i, f) {
                        b.fields.insert(f.clone(), v.clone());
                    }
                }
            }
        }
        this
    }

    /// The handler's run: its first parameter is the event.
    pub(crate) fn run_handler(&mut self, idx: usize, root: &str) {
        let Some((module, ast)) = self.def_of(idx) else {
            return;
        };
        let Some(def) = find_def(&ast.body, self.funcs[idx].start) else {
            return;
        };
        let param = def
            .parameters
            .posonlyargs
            .iter()
            .chain(def.parameters.args.iter())
            .next()
            .map(|p| p.parameter.name.range());
        let loc = self.loc_in(module, param.unwrap_or(def.name.range()));
        // `@event_parser(model=..., envelope=...)`: the handler gets the model in the envelope.
        let root = match super::powertools::handler_envelope(def) {
            Some(p) => join_path(root, p),
            None => root.to_owned(),
        };
        let event = Val {
            taint: vec![Taint::new(root.clone(), false, loc)],
            shape: Shape::Event(root),
            text: None,
        };
        // After the event: the context, or (Azure) output bindings by parameter name.
        let mut pos = vec![event, Val::default()];
        let names = def
            .parameters
            .posonlyargs
            .iter()
            .chain(def.parameters.args.iter())
            .map(|p| p.parameter.name.as_str());
        for (i, name) in names.enumerate().skip(1) {
            if let Some(v) = self.output_val(name) {
                if pos.len() <= i {
                    pos.resize(i + 1, Val::default());
                }
                pos[i] = v;
            }
        }
        let args = Args {
            pos,
            kw: Vec::new(),
        };
        self.stack.push(Frame::new(module, None));
        self.invoke(idx, None, None, args, true);
        self.stack.pop();
    }

    /// The value of an Azure output binding parameter (`msg: func.Out[str]`): what its
    /// `set` is given is written to the binding's resource.
    fn output_val(&self, name: &str) -> Option<Val> {
        let o = self.fx.outputs.iter().find(|o| o.name == name)?;
        Some(Val::of(Shape::Bound(Rc::new(super::value::Bound {
            service: crate::spec::AZURE_SERVICE.to_owned(),
            class: o.binding.clone(),
            resource: crate::ResourceExpr::Literal(o.resource.clone()),
            key: None,
        }))))
    }

    /// Where a module-level name is assigned (`app = Chalice(...)`), when it is.
    pub(crate) fn global_loc(&self, module: usize, name: &str) -> Option<Loc> {
        let ast = self.asts.get(module)?;
        ast.body.iter().find_map(|stmt| match stmt {
            Stmt::Assign(a) => a.targets.iter().find_map(|t| match t {
                Expr::Name(n) if n.id.as_str() == name => Some(self.loc_in(module, n.range)),
                _ => None,
            }),
            _ => None,
        })
    }

    /// Whether a module-level name is assigned Django's WSGI or ASGI app
    /// (`application = get_wsgi_application()`), which serves the project's views: the
    /// handler of a Django project deployed with Zappa.
    pub(crate) fn is_django_app(&self, module: usize, name: &str) -> bool {
        let Some(ast) = self.asts.get(module) else {
            return false;
        };
        ast.body.iter().any(|stmt| match stmt {
            Stmt::Assign(a) => {
                a.targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
                    && matches!(&*a.value, Expr::Call(c) if match &*c.func {
                        Expr::Name(n) => n.id.as_str(),
                        Expr::Attribute(x) => x.attr.as_str(),
                        _ => "",
                    }
                    .ends_with("sgi_application"))
            }
            _ => false,
        })
    }

    /// Runs the route functions of a web framework app defined in a module (Flask, Chalice,
    /// FastAPI behind Mangum, Quart): each function decorated with `@app.route(...)`,
    /// `@app.get(...)`, ... is an entry point whose parameters are path parameters of the
    /// route, and inside which the framework's request object is the HTTP request. Returns
    /// the number of routes run. With `only`, runs that one function if it is a route (a
    /// decorated function that is itself the deployed handler, as in Azure's `function_app.py`).
    pub(crate) fn run_routes(&mut self, module: usize, only: Option<&str>) -> usize {
        self.run_routes_in(module, only, false)
    }

    /// Runs the routes of Powertools routers defined in every module loaded but `skip` (the
    /// handler's, whose routes already ran): `app.include_router(router)` serves them with
    /// the same event.
    pub(crate) fn run_router_modules(&mut self, skip: usize) {
        self.run_other_modules(skip, true);
    }

    /// Runs the routes of every module loaded but `skip`, of any framework (the blueprints of
    /// a Flask app built by a factory, `app = create_app()`); returns how many ran.
    pub(crate) fn run_blueprint_modules(&mut self, skip: usize) -> usize {
        self.run_other_modules(skip, false)
    }

    fn run_other_modules(&mut self, skip: usize, powertools_only: bool) -> usize {
        let mut m = 0;
        let mut run = 0;
        while m < self.asts.len() {
            if m != skip {
                run += self.run_routes_in(m, None, powertools_only);
            }
            m += 1;
        }
        run
    }

    fn run_routes_in(&mut self, module: usize, only: Option<&str>, powertools_only: bool) -> usize {
        const ROUTE: &[&str] = &[
            "route",
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "api_route",
            "websocket",
        ];
        let Some(ast) = self.asts.get(module).map(Rc::clone) else {
            return 0;
        };
        let mut run = 0;
        for stmt in &ast.body {
            let Stmt::FunctionDef(def) = stmt else {
                continue;
            };
            let mut powertools = false;
            let routed = def.decorator_list.iter().any(|d| {
                let callee = match &d.expression {
                    Expr::Call(c) => &*c.func,
                    other => other,
                };
                let Expr::Attribute(a) = callee else {
                    return false;
                };
                // A Powertools resolver's route: its arguments are the path parameters.
                powertools |= matches!(&*a.value, Expr::Name(n) if self.modules.get(module)
                    .and_then(|m| m.globals.get(n.id.as_str()))
                    .is_some_and(super::powertools::resolver));
                ROUTE.contains(&a.attr.as_str())
            });
            if !routed
                || only.is_some_and(|o| o != def.name.as_str())
                || (powertools_only && !powertools)
            {
                continue;
            }
            let key = (module, def.range.start().to_u32());
            let Some(&idx) = self.func_index.get(&key) else {
                continue;
            };
            let pos = def
                .parameters
                .posonlyargs
                .iter()
                .chain(def.parameters.args.iter())
                .map(|p| {
                    let name = p.parameter.name.as_str();
                    if let Some(v) = self.output_val(name) {
                        return v;
                    }
                    let path = if powertools {
                        format!("pathParameters.{name}")
                    } else {
                        format!("route.{name}")
                    };
                    Val {
                        taint: vec![Taint::new(
                            path.clone(),
                            false,
                            self.loc_in(module, p.parameter.name.range()),
                        )],
                        shape: Shape::Event(path),
                        text: None,
                    }
                })
                .collect();
            self.stack.push(Frame::new(module, None));
            self.invoke(
                idx,
                None,
                None,
                Args {
                    pos,
                    kw: Vec::new(),
                },
                true,
            );
            self.stack.pop();
            run += 1;
        }
        run
    }

    /// Calls a repository function with argument values; returns what it returns.
    pub(crate) fn call_function(
        &mut self,
        idx: usize,
        bound: Option<Val>,
        closure: Option<Rc<Env>>,
        args: Args,
        call: TextRange,
    ) -> Val {
        let Some(name) = self.funcs.get(idx).map(|f| f.name.clone()) else {
            return Val::default();
        };
        let loc = self.loc(call);
        let note = format!("argument of {name}");
        let args = Args {
            pos: args
                .pos
                .into_iter()
                .map(|v| v.with_step(&loc, &note))
                .collect(),
            kw: args
                .kw
                .into_iter()
                .map(|(k, v)| (k, v.with_step(&loc, &note)))
                .collect(),
        };
        self.invoke(idx, bound, closure, args, false)
    }

    fn memo_key(idx: usize, bound: Option<&Val>, args: &Args) -> (usize, String) {
        let mut k = String::new();
        if let Some(b) = bound {
            fingerprint(b, &mut k, 0);
        }
        for v in &args.pos {
            k.push('|');
            fingerprint(v, &mut k, 0);
        }
        for (n, v) in &args.kw {
            k.push('|');
            k.push_str(n);
            k.push('=');
            fingerprint(v, &mut k, 0);
        }
        (idx, k)
    }

    fn invoke(
        &mut self,
        idx: usize,
        bound: Option<Val>,
        closure: Option<Rc<Env>>,
        args: Args,
        handler: bool,
    ) -> Val {
        let fallback = Val::tainted(args.all_taints());
        if !Budget::call_allowed(self.stack.len()) {
            let callee = self
                .funcs
                .get(idx)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            self.cut(&format!(
                "the limit of {MAX_CALL_DEPTH} nested calls (call to `{callee}` not followed)"
            ));
            return fallback;
        }
        if !self.tick() {
            return fallback;
        }
        let Some((m, ast)) = self.def_of(idx) else {
            return Val::default();
        };
        let kind = self.funcs[idx].kind;
        let Some(def) = find_def(&ast.body, self.funcs[idx].start) else {
            return Val::default();
        };
        self.fx.entered |= handler;
        let key = if closure.is_none() {
            let mut key = Self::memo_key(idx, bound.as_ref(), &args);
            // What a call does for a request is recorded apart from what it does while a
            // module loads: the same call in both is run in both.
            if handler || self.in_request() {
                key.1.push('R');
            }
            if let Some(v) = self.memo.get(&key) {
                return v.clone();
            }
            // A recursive call sees what flows in.
            self.memo.insert(key.clone(), fallback);
            Some(key)
        } else {
            None
        };
        let locals = self.bind_params(m, &def.parameters, kind, bound, args);
        let mut frame = Frame::new(m, Some(idx));
        frame.locals = locals;
        frame.closure = closure;
        frame.handler = handler;
        self.stack.push(frame);
        self.exec_block(&def.body);
        let ret = self.stack.pop().and_then(|f| f.ret).unwrap_or_default();
        if let Some(key) = key {
            self.memo.insert(key, ret.clone());
        }
        ret
    }

    fn bind_params(
        &mut self,
        m: usize,
        params: &ast::Parameters,
        kind: FnKind,
        bound: Option<Val>,
        args: Args,
    ) -> Env {
        let mut locals = Env::default();
        let mut pos = args.pos.into_iter();
        let mut kw = args.kw;
        let mut bound = if kind == FnKind::Static { None } else { bound };
        for p in params.posonlyargs.iter().chain(params.args.iter()) {
            let pname = p.parameter.name.as_str();
            let v = match bound.take() {
                Some(v) => v,
                None => match pos.next() {
                    Some(v) => v,
                    None => match kw.iter().position(|(k, _)| k == pname) {
                        Some(i) => kw.remove(i).1,
                        None => match &p.default {
                            Some(d) => self.eval_default(m, d),
                            None => Val::default(),
                        },
                    },
                },
            };
            let ploc = self.loc_in(m, p.parameter.name.range());
            locals.insert(pname.to_owned(), v.with_step(&ploc, pname));
        }
        if let Some(va) = &params.vararg {
            let mut o = Obj {
                array: true,
                ..Obj::default()
            };
            for (i, v) in pos.enumerate() {
                set_field(&mut o, &i.to_string(), v);
            }
            locals.insert(va.name.as_str().to_owned(), Val::object(o));
        }
        for p in &params.kwonlyargs {
            let pname = p.parameter.name.as_str();
            let v = match kw.iter().position(|(k, _)| k == pname) {
                Some(i) => kw.remove(i).1,
                None => match &p.default {
                    Some(d) => self.eval_default(m, d),
                    None => Val::default(),
                },
            };
            locals.insert(pname.to_owned(), v);
        }
        if let Some(ka) = &params.kwarg {
            let mut o = Obj::default();
            for (k, v) in kw {
                set_field(&mut o, &k, v);
            }
            locals.insert(ka.name.as_str().to_owned(), Val::object(o));
        }
        locals
    }

    /// A parameter default, evaluated in its module's top-level scope (constants and names
    /// only: defaults run once, at definition).
    fn eval_default(&mut self, m: usize, e: &Expr) -> Val {
        if !(is_const_expr(e) || matches!(e, Expr::Name(_) | Expr::Attribute(_))) {
            return Val::default();
        }
        self.stack.push(Frame::new(m, None));
        let v = self.eval(e);
        self.stack.pop();
        v
    }

    // ----- statements -------------------------------------------------------------------

    fn in_function(&self) -> bool {
        self.stack.last().is_some_and(|f| f.func.is_some())
    }

    fn exited(&self) -> bool {
        self.stack.last().is_some_and(|f| f.exited)
    }

    fn set_exited(&mut self, v: bool) {
        if let Some(f) = self.stack.last_mut() {
            f.exited = v;
        }
    }

    fn locals(&self) -> Env {
        self.stack
            .last()
            .map(|f| f.locals.clone())
            .unwrap_or_default()
    }

    fn set_locals(&mut self, env: Env) {
        if let Some(f) = self.stack.last_mut() {
            f.locals = env;
        }
    }

    fn exec_block(&mut self, body: &[Stmt]) {
        for (i, s) in body.iter().enumerate() {
            if self.exited() || self.exhausted.is_some() {
                return;
            }
            if let Stmt::If(check) = s {
                self.denial(check, &body[i + 1..]);
            }
            self.exec_stmt(s);
        }
    }

    /// An access check whose denial falls through: `if ...: response = {"statusCode": 401}`
    /// with no `else`, no `return` or `raise` in the branch, and statements after it that run
    /// for the denied caller too.
    /// A check whose denial leaves before anything has been called is a guard instead.
    fn denial(&mut self, check: &ast::StmtIf, rest: &[Stmt]) {
        if !self.in_function() {
            return;
        }
        let (Some(first), Some(last)) = (check.body.first(), check.body.last()) else {
            return;
        };
        let branch = self.loc(TextRange::new(first.range().start(), last.range().end()));
        let denies = crate::spec::denies_access(branch.text());
        self.note_post_back(&check.test);
        let signature = self.signature_check(&check.test);
        if !denies && !signature {
            return;
        }
        if crate::spec::leaves(branch.text()) {
            if (denies && !self.acted()) || (signature && !self.wrote()) {
                let at = self.loc(check.test.range());
                self.fx.guards.push(at);
            }
            return;
        }
        if !denies || !check.elif_else_clauses.is_empty() {
            return;
        }
        let Some(next) = rest.iter().find(|s| !matches!(s, Stmt::Pass(_))) else {
            return;
        };
        if matches!(next, Stmt::Return(_)) {
            return;
        }
        let check = self.loc(check.test.range());
        if self.fx.denials.iter().any(|d| d.check == check) {
            return;
        }
        let then = self.loc(next.range());
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

    /// Runs a block from the given variables; returns the variables after it and whether it
    /// always leaves.
    fn branch(&mut self, start: Env, body: &[Stmt]) -> (Env, bool) {
        self.set_locals(start);
        self.set_exited(false);
        self.exec_block(body);
        let exited = self.exited();
        self.set_exited(false);
        (self.locals(), exited)
    }

    fn exec_stmt(&mut self, stmt: &Stmt) {
        if !self.tick() || !self.enter() {
            return;
        }
        self.exec_stmt_inner(stmt);
        self.budget.leave();
    }

    fn exec_stmt_inner(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Expr(e) => {
                self.eval(&e.value);
            }
            Stmt::Assign(a) => {
                self.name_hint = a.targets.first().and_then(target_name);
                let v = self.eval(&a.value);
                for t in &a.targets {
                    self.assign(t, v.clone());
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    self.name_hint = target_name(&a.target);
                    let v = self.eval(value);
                    self.assign(&a.target, v);
                }
            }
            Stmt::AugAssign(a) => self.exec_aug_assign(a),
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(value) => self.eval(value),
                    None => Val::default(),
                };
                if self.stack.last().is_some_and(|f| f.handler) {
                    self.check_response(&v, r.range, "handler response");
                }
                if let Some(f) = self.stack.last_mut() {
                    f.ret = Some(match &f.ret {
                        Some(prev) => join(prev, &v),
                        None => v,
                    });
                    f.exited = true;
                }
            }
            Stmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.eval(e);
                }
                self.set_exited(true);
            }
            Stmt::Continue(_) | Stmt::Break(_) => self.set_exited(true),
            Stmt::If(i) => self.exec_if(i),
            Stmt::For(f) => {
                let it = self.eval(&f.iter);
                let loc = self.loc(f.target.range());
                let item = element(&it, &loc);
                let before = self.locals();
                self.assign(&f.target, item);
                self.loop_body(&before, &f.body, &f.orelse);
            }
            Stmt::While(w) => {
                self.eval(&w.test);
                let before = self.locals();
                self.loop_body(&before, &w.body, &w.orelse);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    let v = self.eval(&item.context_expr);
                    if let Some(target) = &item.optional_vars {
                        self.assign(target, v);
                    }
                }
                self.exec_block(&w.body);
            }
            Stmt::Try(t) => {
                let stops = self.handlers_stop(t);
                self.fx.try_stack.push(stops);
                self.exec_try(t);
                self.fx.try_stack.pop();
            }
            Stmt::FunctionDef(def) => {
                let idx = self.define_function(def, None);
                let closure = self.in_function().then(|| Rc::new(self.locals()));
                let v = self.func_val(idx, None, closure);
                self.set_var(def.name.as_str(), v);
            }
            Stmt::ClassDef(c) => {
                let idx = self.define_class(c);
                self.set_var(c.name.as_str(), Val::of(Shape::Class(idx)));
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.exec_import(stmt),
            Stmt::Assert(a) => {
                self.eval(&a.test);
                let mut names = Vec::new();
                self.guarded(&a.test, true, &mut names);
                self.clean_vars(&names);
            }
            Stmt::Match(mt) => self.exec_match(mt),
            Stmt::Delete(_)
            | Stmt::Pass(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::TypeAlias(_)
            | Stmt::IpyEscapeCommand(_) => {}
        }
    }

    fn exec_aug_assign(&mut self, a: &ast::StmtAugAssign) {
        let old = self.eval(&a.target);
        let v = self.eval(&a.value);
        let loc = self.loc(a.range);
        if let (Some(o), true) = (old.obj(), old.is_array()) {
            // `items += [x]`: the list grows.
            if let Ok(mut o) = o.try_borrow_mut() {
                let e = o.elems.take().unwrap_or_default();
                o.elems = Some(join(&e, &element(&v, &loc)));
            }
            return;
        }
        let mut out = Val::tainted(old.taint.clone());
        add_taints(&mut out.taint, deep_taints(&v));
        if matches!(a.op, ast::Operator::Add) {
            out.text = Text::concat(&[old.text.as_ref(), v.text.as_ref()]);
            out.taint = url_parts(&[
                (old.text.as_ref(), &old.taint),
                (v.text.as_ref(), &deep_taints(&v)),
            ]);
        }
        let out = out.with_step(&loc, "string built from it");
        self.assign(&a.target, out);
    }

    fn exec_match(&mut self, mt: &ast::StmtMatch) {
        let subject = self.eval(&mt.subject);
        if !self.in_function() {
            for case in &mt.cases {
                self.exec_block(&case.body);
                self.set_exited(false);
            }
            return;
        }
        let before = self.locals();
        let mut end = before.clone();
        for case in &mt.cases {
            let mut start = before.clone();
            if let ast::Pattern::MatchAs(p) = &case.pattern
                && let Some(n) = &p.name
            {
                start.insert(n.as_str().to_owned(), subject.clone());
            }
            let (env, exits) = self.branch(start, &case.body);
            if !exits {
                end = join_env(&end, &env);
            }
        }
        self.set_locals(end);
        self.set_exited(false);
    }

    fn loop_body(&mut self, before: &Env, body: &[Stmt], orelse: &[Stmt]) {
        if !self.in_function() {
            self.exec_block(body);
            self.set_exited(false);
            self.exec_block(orelse);
            return;
        }
        let start = self.locals();
        let (after, _) = self.branch(start, body);
        self.set_locals(join_env(before, &after));
        self.set_exited(false);
        self.exec_block(orelse);
    }

    fn exec_if(&mut self, i: &ast::StmtIf) {
        self.eval(&i.test);
        if !self.in_function() {
            // Module level: every branch in turn, on the globals.
            self.exec_block(&i.body);
            for c in &i.elif_else_clauses {
                self.set_exited(false);
                if let Some(t) = &c.test {
                    self.eval(t);
                }
                self.exec_block(&c.body);
            }
            self.set_exited(false);
            return;
        }
        // A test known at analysis time (`if False:`, `if DEBUG:` with `DEBUG = False`): the
        // dead branch never runs, so nothing in it is reported.
        match self.const_truth(&i.test) {
            Some(true) => {
                self.exec_block(&i.body);
                return;
            }
            Some(false) => match i.elif_else_clauses.first() {
                None => return,
                Some(c) if c.test.is_none() => {
                    self.exec_block(&c.body);
                    return;
                }
                Some(_) => {}
            },
            None => {}
        }
        let before = self.locals();
        let (pos, neg) = self.guards(&i.test);
        let marks = self
            .other_trigger(&i.test)
            .then_some((self.fx.sdk_calls.len(), self.fx.flows.len()));
        let mut outs: Vec<(Env, bool)> = vec![self.branch(clean_env(&before, &pos), &i.body)];
        if let Some((c, f)) = marks {
            self.other_trigger.0.extend(c..self.fx.sdk_calls.len());
            self.other_trigger.1.extend(f..self.fx.flows.len());
        }
        let mut rest = clean_env(&before, &neg);
        let mut has_else = false;
        for c in &i.elif_else_clauses {
            match &c.test {
                Some(t) => {
                    self.set_locals(rest.clone());
                    self.eval(t);
                    let (p, n) = self.guards(t);
                    outs.push(self.branch(clean_env(&rest, &p), &c.body));
                    rest = clean_env(&rest, &n);
                }
                None => {
                    has_else = true;
                    outs.push(self.branch(rest.clone(), &c.body));
                }
            }
        }
        if !has_else {
            outs.push((rest, false));
        }
        let mut end: Option<Env> = None;
        for (env, exits) in outs {
            if exits {
                continue;
            }
            end = Some(match end {
                Some(e) => join_env(&e, &env),
                None => env,
            });
        }
        let all_exit = end.is_none();
        self.set_locals(end.unwrap_or(before));
        self.set_exited(all_exit);
    }

    /// The truth of a test whose value is known without running the function: a boolean
    /// constant, a name bound to one, or their negation.
    fn const_truth(&self, test: &Expr) -> Option<bool> {
        match test {
            Expr::BooleanLiteral(b) => Some(b.value),
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
                self.const_truth(&u.operand).map(|b| !b)
            }
            Expr::Name(n) => match self.lookup(n.id.as_str()) {
                Some(Val {
                    shape: Shape::Bool(b),
                    taint,
                    ..
                }) if taint.is_empty() => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    fn exec_try(&mut self, t: &ast::StmtTry) {
        if !self.in_function() {
            self.exec_block(&t.body);
            for h in &t.handlers {
                self.set_exited(false);
                let ast::ExceptHandler::ExceptHandler(h) = h;
                self.exec_block(&h.body);
            }
            self.set_exited(false);
            self.exec_block(&t.orelse);
            self.set_exited(false);
            self.exec_block(&t.finalbody);
            return;
        }
        let before = self.locals();
        let (mut body_env, mut body_exits) = self.branch(before.clone(), &t.body);
        if !t.orelse.is_empty() && !body_exits {
            (body_env, body_exits) = self.branch(body_env, &t.orelse);
        }
        // A handler may start anywhere in the body: from what the body may have set.
        let handler_start = join_env(&before, &body_env);
        let mut end = if body_exits { None } else { Some(body_env) };
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let mut start = handler_start.clone();
            if let Some(name) = &h.name {
                let loc = self.loc(name.range());
                start.insert(
                    name.as_str().to_owned(),
                    Val::tainted(vec![Taint::new("error", true, loc)]),
                );
            }
            let (env, exits) = self.branch(start, &h.body);
            if !exits {
                end = Some(match end {
                    Some(e) => join_env(&e, &env),
                    None => env,
                });
            }
        }
        let all_exit = end.is_none();
        self.set_locals(end.unwrap_or(handler_start));
        self.set_exited(false);
        self.exec_block(&t.finalbody);
        let finally_exits = self.exited();
        self.set_exited(all_exit || finally_exits);
    }

    fn assign(&mut self, target: &Expr, v: Val) {
        match target {
            Expr::Name(n) => {
                let loc = self.loc(n.range);
                let v = v.with_step(&loc, n.id.as_str());
                self.set_var(n.id.as_str(), v);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let loc = self.loc(target.range());
                let fields: Option<Vec<Val>> = v.obj().and_then(|o| {
                    let o = o.try_borrow().ok()?;
                    if !o.array || o.elems.is_some() {
                        return None;
                    }
                    Some(o.fields.values().cloned().collect())
                });
                let whole = element(&v, &loc);
                for (i, e) in elts.iter().enumerate() {
                    let item = match (&fields, e) {
                        (_, Expr::Starred(_)) => Val::tainted(deep_taints(&v)),
                        (Some(f), _) => f.get(i).cloned().unwrap_or_default(),
                        (None, _) => whole.clone(),
                    };
                    self.assign(e, item);
                }
            }
            Expr::Attribute(a) => {
                let base = self.eval(&a.value);
                let attr = a.attr.as_str().to_owned();
                match &base.shape {
                    Shape::Instance(i) => {
                        if let Ok(mut i) = i.try_borrow_mut() {
                            i.fields.insert(attr, v);
                        }
                    }
                    Shape::Class(c) => {
                        if let Some(cd) = self.classes.get_mut(*c) {
                            cd.attrs.insert(attr, v);
                        }
                    }
                    Shape::Module(m) => {
                        if let Some(md) = self.modules.get_mut(*m) {
                            md.globals.insert(attr, v);
                        }
                    }
                    _ => {}
                }
            }
            Expr::Subscript(s) => {
                let base = self.eval(&s.value);
                let key = self.eval(&s.slice);
                if let Some(o) = base.obj() {
                    if let Ok(mut o) = o.try_borrow_mut() {
                        match key.konst() {
                            Some(k) => set_field(&mut o, &k, v),
                            None => {
                                let e = o.elems.take().unwrap_or_default();
                                o.elems = Some(join(&e, &v));
                            }
                        }
                    }
                } else if let Expr::Name(n) = &*s.value {
                    // An unknown container now holds event data.
                    let t = deep_taints(&v);
                    if !t.is_empty() {
                        let mut old = self.var(n.id.as_str());
                        add_taints(&mut old.taint, t);
                        self.set_var(n.id.as_str(), old);
                    }
                }
            }
            Expr::Starred(s) => self.assign(&s.value, v),
            _ => {}
        }
    }

    // ----- guards -----------------------------------------------------------------------

    /// Variables a condition proves safe when it holds, and when it does not.
    fn guards(&mut self, test: &Expr) -> (Vec<String>, Vec<String>) {
        let mut pos = Vec::new();
        self.guarded(test, true, &mut pos);
        let mut neg = Vec::new();
        self.guarded(test, false, &mut neg);
        (pos, neg)
    }

    /// Variables a condition proves safe when it is `positive` (true) or not (false):
    /// membership in a constant collection, equality with a constant, known validators. A
    /// validator of the repository's own is not trusted: it may be the bug.
    fn guarded(&mut self, test: &Expr, positive: bool, out: &mut Vec<String>) {
        if !self.enter() {
            return;
        }
        self.guarded_inner(test, positive, out);
        self.budget.leave();
    }

    fn guarded_inner(&mut self, test: &Expr, positive: bool, out: &mut Vec<String>) {
        match test {
            Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => {
                self.guarded(&u.operand, !positive, out);
            }
            Expr::BoolOp(b) if matches!(b.op, ast::BoolOp::And) == positive => {
                for v in &b.values {
                    self.guarded(v, positive, out);
                }
            }
            Expr::Compare(c) if c.ops.len() == 1 => {
                let Some(right) = c.comparators.first() else {
                    return;
                };
                // The checked value: a variable, or a place in the event read again later.
                let target = match &*c.left {
                    Expr::Name(n) => n.id.as_str().to_owned(),
                    Expr::Subscript(_) | Expr::Attribute(_) | Expr::Call(_) => {
                        match self.eval(&c.left).shape {
                            Shape::Event(p) => format!("{CLEAN_PATH}{p}"),
                            _ => return,
                        }
                    }
                    _ => return,
                };
                let holds = match c.ops[0] {
                    ast::CmpOp::In | ast::CmpOp::Eq => positive,
                    ast::CmpOp::NotIn | ast::CmpOp::NotEq => !positive,
                    _ => return,
                };
                if !holds {
                    return;
                }
                let trusted = if matches!(c.ops[0], ast::CmpOp::In | ast::CmpOp::NotIn) {
                    is_const_expr(right) || {
                        let r = self.peek(right);
                        r.obj().is_some() && deep_taints(&r).is_empty()
                    }
                } else {
                    const_str(right).is_some() || self.peek(right).konst().is_some()
                };
                if trusted {
                    out.push(target);
                }
            }
            Expr::Call(call) if positive => {
                if let Expr::Attribute(a) = &*call.func
                    && STRING_VALIDATORS.contains(&a.attr.as_str())
                    && let Expr::Name(n) = &*a.value
                {
                    out.push(n.id.as_str().to_owned());
                    return;
                }
                let callee = self.peek(&call.func);
                if let Shape::Ext(o) = &callee.shape
                    && VALIDATORS.iter().any(|(m, n)| o.matches(m, n))
                    && let Some(Expr::Name(n)) = call.arguments.args.last()
                {
                    out.push(n.id.as_str().to_owned());
                }
            }
            _ => {}
        }
    }

    /// The value of a name or attribute chain, without running anything.
    fn peek(&mut self, e: &Expr) -> Val {
        if !self.enter() {
            return Val::default();
        }
        let v = self.peek_inner(e);
        self.budget.leave();
        v
    }

    fn peek_inner(&mut self, e: &Expr) -> Val {
        match e {
            Expr::Name(n) => self.var(n.id.as_str()),
            Expr::Attribute(a) => {
                let base = self.peek(&a.value);
                match &base.shape {
                    Shape::Ext(o) => Val::ext(o.member(a.attr.as_str())),
                    Shape::Module(m) => self
                        .modules
                        .get(*m)
                        .and_then(|md| md.globals.get(a.attr.as_str()).cloned())
                        .unwrap_or_default(),
                    Shape::Class(c) => self.class_attr(*c, a.attr.as_str()).unwrap_or_default(),
                    _ => Val::default(),
                }
            }
            e if is_const_expr(e) => self.eval(e),
            _ => Val::default(),
        }
    }

    fn clean_vars(&mut self, names: &[String]) {
        if names.is_empty() || !self.in_function() {
            return;
        }
        let env = clean_env(&self.locals(), names);
        self.set_locals(env);
    }

    // ----- expressions ------------------------------------------------------------------

    /// Evaluates an expression.
    pub(crate) fn eval(&mut self, e: &Expr) -> Val {
        // The name is the whole expression's, not its parts'.
        let hint = self.name_hint.take();
        if !self.tick() || !self.enter() {
            return Val::default();
        }
        let v = self.eval_inner(e);
        self.budget.leave();
        // An environment variable's value used for a request (read there, or read when a
        // module loaded): constants, the common case, are passed over first.
        if let Some(t @ (Text::Env(_) | Text::OneOf(_))) = &v.text
            && self.in_request()
        {
            for alt in t.alternatives() {
                if let Text::Env(name) = alt {
                    self.fx.request.env(&name);
                }
            }
        }
        if is_foldable(e) {
            self.record_folded(e.range(), &v, hint);
        }
        v
    }

    /// Whether the code being run runs for a request: inside an entry point (the handler or
    /// a route) and not in the top level of a module it imports.
    pub(crate) fn in_request(&self) -> bool {
        for f in self.stack.iter().rev() {
            if f.handler {
                return true;
            }
            if f.func.is_none() {
                return false;
            }
        }
        false
    }

    /// Records what a call a request makes outside the repository's code reaches: a
    /// package's functions (a constructor or a client factory alone does nothing), or, for a
    /// callee the analysis knows nothing of, anything.
    fn request_call(&mut self, origin: Option<&Origin>, callee: &Val, r: TextRange) {
        if !self.in_request() {
            return;
        }
        match origin {
            Some(o) => {
                let name = o.name();
                let builds = name.starts_with(|c: char| c.is_ascii_uppercase())
                    || matches!(name, "client" | "resource");
                if !builds && self.fx.imports.contains(&*o.module) {
                    let module = o.module.to_string();
                    self.fx.request.import(&module);
                }
            }
            None if blank(callee) => {
                let loc = self.loc(r);
                self.fx.request.opaque(loc);
            }
            None => {}
        }
    }

    /// Records that a request calls an AWS client or resource object.
    fn request_sdk(&mut self) {
        if !self.in_request() {
            return;
        }
        if let Some(p) = ["boto3", "aioboto3", "botocore"]
            .into_iter()
            .find(|p| self.fx.imports.contains(*p))
        {
            self.fx.request.import(p);
        }
    }

    /// Records a string built from constants only (see [`is_foldable`]).
    fn record_folded(&mut self, r: TextRange, v: &Val, name: Option<String>) {
        let Some(value) = v.konst() else { return };
        // Shorter strings hold no credential worth a finding.
        if value.len() < 8 || self.fx.folded.len() >= crate::summary::MAX_FOLDED {
            return;
        }
        if self
            .fx
            .folded_at
            .insert((self.cur(), r.start().to_u32(), r.end().to_u32()))
        {
            self.fx.folded.push(crate::FoldedText {
                loc: self.loc(r),
                value: value.to_string(),
                name,
            });
        }
    }

    fn eval_inner(&mut self, e: &Expr) -> Val {
        match e {
            Expr::StringLiteral(s) => Val::string(s.value.to_str()),
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b.value.bytes().collect();
                Val::string(&String::from_utf8_lossy(&bytes))
            }
            Expr::BooleanLiteral(b) => Val::of(Shape::Bool(b.value)),
            Expr::Name(n) => self.var(n.id.as_str()),
            Expr::Attribute(a) => {
                let base = self.eval(&a.value);
                self.attribute(&base, a.attr.as_str(), a.range)
            }
            Expr::Subscript(s) => {
                let base = self.eval(&s.value);
                let key = self.eval(&s.slice);
                self.subscript(&base, &key, &s.slice, s.range)
            }
            Expr::Call(call) => self.eval_call(call),
            Expr::Dict(d) => self.eval_dict(d),
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => self.eval_list(elts),
            Expr::BinOp(b) => self.eval_binop(b),
            Expr::FString(f) => self.eval_fstring(f),
            Expr::BoolOp(b) => {
                let mut out = Val::default();
                for v in &b.values {
                    let x = self.eval(v);
                    out = join(&out, &x);
                }
                out
            }
            Expr::If(i) => {
                self.eval(&i.test);
                let a = self.eval(&i.body);
                let b = self.eval(&i.orelse);
                join(&a, &b)
            }
            Expr::Compare(c) => {
                self.eval(&c.left);
                for x in &c.comparators {
                    self.eval(x);
                }
                Val::default()
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand);
                if matches!(u.op, ast::UnaryOp::Not) {
                    Val::default()
                } else {
                    Val::tainted(deep_taints(&v))
                }
            }
            Expr::Named(n) => {
                let v = self.eval(&n.value);
                self.assign(&n.target, v.clone());
                v
            }
            Expr::Await(a) => self.eval(&a.value),
            Expr::Starred(s) => self.eval(&s.value),
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    self.eval(v);
                }
                Val::default()
            }
            Expr::YieldFrom(y) => {
                self.eval(&y.value);
                Val::default()
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, &c.elt, None),
            Expr::SetComp(c) => self.comprehension(&c.generators, &c.elt, None),
            Expr::Generator(c) => self.comprehension(&c.generators, &c.elt, None),
            Expr::DictComp(c) => self.comprehension(&c.generators, &c.value, c.key.as_deref()),
            Expr::Slice(s) => {
                for x in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.eval(x);
                }
                Val::default()
            }
            // Lambdas are not followed: a call of one gives what goes in.
            Expr::NumberLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::Lambda(_)
            | Expr::TString(_)
            | Expr::IpyEscapeCommand(_) => Val::default(),
        }
    }

    fn eval_dict(&mut self, d: &ast::ExprDict) -> Val {
        let mut o = Obj::default();
        for item in &d.items {
            if let Some(Expr::StringLiteral(k)) = &item.key {
                self.name_hint = Some(k.value.to_str().to_owned());
            }
            let v = self.eval(&item.value);
            match &item.key {
                Some(k) => {
                    let kv = self.eval(k);
                    match kv.konst() {
                        Some(k) => set_field(&mut o, &k, v),
                        None => {
                            let mut e = o.elems.take().unwrap_or_default();
                            e = join(&e, &v);
                            add_taints(&mut e.taint, kv.taint.iter().cloned());
                            o.elems = Some(e);
                        }
                    }
                }
                // `**other`
                None => {
                    let spread = v.obj().filter(|_| !v.is_array()).and_then(|src| {
                        let src = src.try_borrow().ok()?;
                        Some((
                            src.fields
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect::<Vec<_>>(),
                            src.elems.clone(),
                        ))
                    });
                    match spread {
                        Some((fields, elems)) => {
                            for (k, fv) in fields {
                                set_field(&mut o, &k, fv);
                            }
                            if let Some(e) = elems {
                                let old = o.elems.take().unwrap_or_default();
                                o.elems = Some(join(&old, &e));
                            }
                        }
                        None => {
                            let mut e = o.elems.take().unwrap_or_default();
                            add_taints(&mut e.taint, deep_taints(&v));
                            o.elems = Some(e);
                        }
                    }
                }
            }
        }
        Val::object(o)
    }

    fn eval_list(&mut self, elts: &[Expr]) -> Val {
        let mut o = Obj {
            array: true,
            ..Obj::default()
        };
        for (i, x) in elts.iter().enumerate() {
            if let Expr::Starred(s) = x {
                let v = self.eval(&s.value);
                let loc = self.loc(s.range);
                let el = element(&v, &loc);
                let old = o.elems.take().unwrap_or_default();
                o.elems = Some(join(&old, &el));
            } else {
                let v = self.eval(x);
                set_field(&mut o, &i.to_string(), v);
            }
        }
        Val::object(o)
    }

    fn eval_binop(&mut self, b: &ast::ExprBinOp) -> Val {
        let l = self.eval(&b.left);
        let r = self.eval(&b.right);
        let loc = self.loc(b.range);
        let mut t = Vec::new();
        add_taints(&mut t, deep_taints(&l));
        add_taints(&mut t, deep_taints(&r));
        match b.op {
            ast::Operator::Add => {
                if l.is_array() || r.is_array() {
                    return Val::object(Obj {
                        array: true,
                        elems: Some(join(&element(&l, &loc), &element(&r, &loc))),
                        ..Obj::default()
                    });
                }
                let text = Text::concat(&[l.text.as_ref(), r.text.as_ref()]);
                let t = url_parts(&[
                    (l.text.as_ref(), &deep_taints(&l)),
                    (r.text.as_ref(), &deep_taints(&r)),
                ]);
                Val {
                    taint: t,
                    shape: Shape::Unknown,
                    text,
                }
                .with_step(&loc, "string built from it")
            }
            ast::Operator::Mod => {
                if let Some(s) = l.konst()
                    && t.is_empty()
                    && let Some(out) = percent_format(&s, &r)
                {
                    return Val::string(&out);
                }
                // `"... %s ..." % (a, b)`
                let text = l.text.as_ref().map(|x| {
                    let p = x.pattern().replace("%s", "*").replace("%d", "*");
                    // A conversion left (`%(name)s`, `%5d`) is not constant text.
                    if matches!(x, Text::Const(_))
                        && t.is_empty()
                        && !p.contains('*')
                        && !p.replace("%%", "").contains('%')
                    {
                        Text::konst(&p)
                    } else {
                        Text::Pattern(Rc::from(p.as_str()))
                    }
                });
                let t = url_parts(&[(text.as_ref(), &t)]);
                Val {
                    taint: t,
                    shape: Shape::Unknown,
                    text,
                }
                .with_step(&loc, "string formatted with it")
            }
            _ => Val::tainted(t),
        }
    }

    fn eval_fstring(&mut self, f: &ast::ExprFString) -> Val {
        let mut parts: Vec<Option<Text>> = Vec::new();
        let mut labels: Vec<Vec<Rc<Taint>>> = Vec::new();
        for part in &f.value {
            match part {
                ast::FStringPart::Literal(l) => {
                    parts.push(Some(Text::konst(&l.value)));
                    labels.push(Vec::new());
                }
                ast::FStringPart::FString(fs) => {
                    for el in &fs.elements {
                        match el {
                            ast::InterpolatedStringElement::Literal(l) => {
                                parts.push(Some(Text::konst(&l.value)));
                                labels.push(Vec::new());
                            }
                            ast::InterpolatedStringElement::Interpolation(i) => {
                                let v = self.eval(&i.expression);
                                labels.push(deep_taints(&v));
                                parts.push(v.text);
                            }
                        }
                    }
                }
            }
        }
        let with_labels: Vec<(Option<&Text>, &[Rc<Taint>])> = parts
            .iter()
            .zip(&labels)
            .map(|(p, l)| (p.as_ref(), l.as_slice()))
            .collect();
        let t = url_parts(&with_labels);
        let refs: Vec<Option<&Text>> = parts.iter().map(Option::as_ref).collect();
        let text = if refs.is_empty() {
            Some(Text::konst(""))
        } else {
            Text::concat(&refs)
        };
        let loc = self.loc(f.range);
        Val {
            taint: t,
            shape: Shape::Unknown,
            text,
        }
        .with_step(&loc, "formatted into a string")
    }

    fn comprehension(
        &mut self,
        gens: &[ast::Comprehension],
        elt: &Expr,
        key: Option<&Expr>,
    ) -> Val {
        let saved = self.in_function().then(|| self.locals());
        for g in gens {
            let it = self.eval(&g.iter);
            let loc = self.loc(g.target.range());
            let item = element(&it, &loc);
            self.assign(&g.target, item);
            for cond in &g.ifs {
                self.eval(cond);
                let (pos, _) = self.guards(cond);
                self.clean_vars(&pos);
            }
        }
        let mut v = self.eval(elt);
        let array = key.is_none();
        if let Some(k) = key {
            let kv = self.eval(k);
            add_taints(&mut v.taint, kv.taint);
        }
        if let Some(s) = saved {
            self.set_locals(s);
        }
        Val::object(Obj {
            array,
            elems: Some(v),
            ..Obj::default()
        })
    }

    /// `base.attr`.
    fn attribute(&mut self, base: &Val, attr: &str, r: TextRange) -> Val {
        if let Some(v) = self.powertools_attribute(base, attr, r) {
            return v;
        }
        // Web frameworks run inside Lambda: Flask's (and Quart's) `request` and Chalice's
        // `app.current_request` are the HTTP request.
        if let Shape::Ext(o) = &base.shape {
            let framework_request = (matches!(&*o.module, "flask" | "quart")
                && o.path == "request")
                || attr == "current_request";
            if framework_request {
                let root = if attr == "current_request" {
                    "app.current_request"
                } else {
                    "request"
                };
                let request = Val {
                    taint: vec![Taint::new(root, false, self.loc(r))],
                    shape: Shape::Event(root.to_owned()),
                    text: None,
                };
                if attr == "current_request" {
                    return request;
                }
                return self.event_at(&request, join_path(root, attr), r);
            }
        }
        match &base.shape {
            Shape::Module(m) => self.module_attr(*m, attr),
            Shape::Ext(o) => Val {
                taint: base.taint.clone(),
                shape: Shape::Ext(o.member(attr)),
                text: None,
            },
            Shape::Event(p) => {
                let path = super::chalice::property_path(p, attr)
                    .or_else(|| super::powertools::property_path(p, attr))
                    .unwrap_or_else(|| join_path(p, attr));
                self.event_at(base, path, r)
            }
            Shape::Instance(i) => {
                let (field, class) = match i.try_borrow() {
                    Ok(b) => (b.fields.get(attr).cloned(), b.class),
                    Err(_) => return Val::default(),
                };
                if let Some(v) = field {
                    return v;
                }
                if let Some(f) = self.find_method(class, attr) {
                    let bound = match self.funcs.get(f).map(|d| d.kind) {
                        Some(FnKind::Static) => None,
                        Some(FnKind::ClassMethod) => Some(Val::of(Shape::Class(class))),
                        _ => Some(base.clone()),
                    };
                    return self.func_val(f, bound, None);
                }
                // An app of a subclass of Chalice (`class App(Chalice)`): its request.
                if attr == "current_request"
                    && self
                        .in_hierarchy(class, |c| {
                            c.ext_bases
                                .iter()
                                .any(|o| &*o.module == "chalice")
                                .then_some(())
                        })
                        .is_some()
                {
                    let root = "app.current_request";
                    return Val {
                        taint: vec![Taint::new(root, false, self.loc(r))],
                        shape: Shape::Event(root.to_owned()),
                        text: None,
                    };
                }
                self.class_attr(class, attr).unwrap_or_default()
            }
            Shape::Bound(b) if let Some(v) = super::sdk::collection(b, attr) => v,
            Shape::Class(c) => {
                if let Some(f) = self.find_method(*c, attr) {
                    let class_method =
                        self.funcs.get(f).map(|d| d.kind) == Some(FnKind::ClassMethod);
                    return self.func_val(f, class_method.then(|| base.clone()), None);
                }
                self.class_attr(*c, attr).unwrap_or_default()
            }
            Shape::Obj(_) => base
                .field(attr)
                .unwrap_or_else(|| Val::tainted(deep_taints(base))),
            _ => Val::tainted(base.taint.clone()),
        }
    }

    /// The event at a path, read here.
    pub(crate) fn event_at(&self, base: &Val, path: String, r: TextRange) -> Val {
        let loc = self.loc(r);
        let checked = self
            .stack
            .last()
            .is_some_and(|f| f.locals.contains_key(&format!("{CLEAN_PATH}{path}")));
        let taint = base
            .taint
            .iter()
            .map(|t| {
                let t = t.refine_as(path.clone(), false, loc.clone());
                if checked { t.cleaned(ALL_KINDS) } else { t }
            })
            .collect();
        Val {
            taint,
            shape: Shape::Event(path),
            text: None,
        }
    }

    /// `base[key]`.
    fn subscript(&mut self, base: &Val, key: &Val, key_expr: &Expr, r: TextRange) -> Val {
        let k = key.konst();
        let slice = matches!(key_expr, Expr::Slice(_));
        let index = matches!(key_expr, Expr::NumberLiteral(_))
            || matches!(key_expr, Expr::UnaryOp(u) if matches!(&*u.operand, Expr::NumberLiteral(_)));
        match &base.shape {
            Shape::Ext(o) if &*o.module == "os" && o.path == "environ" => {
                if let Some(k) = &k {
                    self.fx.env_reads.borrow_mut().insert(k.to_string());
                }
                Val {
                    text: k.map(Text::Env),
                    ..Val::default()
                }
            }
            Shape::Event(p) => {
                if slice {
                    return Val::tainted(base.taint.clone());
                }
                let path = match k {
                    Some(k) => join_path(p, &k),
                    None if index || list_path(p) => join_path(p, "[]"),
                    None => {
                        // An unknown key: event data at this path.
                        let mut t = base.taint.clone();
                        add_taints(&mut t, key.taint.iter().cloned());
                        return Val::tainted(t);
                    }
                };
                self.event_at(base, path, r)
            }
            // `client["db"]["users"]`: still the library's object.
            Shape::Ext(o) => {
                let mut t = base.taint.clone();
                add_taints(&mut t, key.taint.iter().cloned());
                Val {
                    taint: t,
                    shape: Shape::Ext(o.member("[]")),
                    text: None,
                }
            }
            Shape::Obj(o) => {
                if slice {
                    return base.clone();
                }
                let Ok(b) = o.try_borrow() else {
                    return Val::default();
                };
                if let Some(v) = k.as_ref().and_then(|k| b.fields.get(&**k)) {
                    return v.clone();
                }
                let mut v = match &b.elems {
                    Some(e) => e.clone(),
                    None if b.array => {
                        let mut v = Val::default();
                        for f in b.fields.values() {
                            v = join(&v, f);
                        }
                        v
                    }
                    None => Val::default(),
                };
                add_taints(&mut v.taint, base.taint.iter().cloned());
                v
            }
            _ => Val::tainted(base.taint.clone()),
        }
    }

    // ----- calls ------------------------------------------------------------------------

    fn eval_args(&mut self, a: &ast::Arguments) -> Args {
        let mut out = Args::default();
        for x in &a.args {
            if let Expr::Starred(s) = x {
                let v = self.eval(&s.value);
                let known: Option<Vec<Val>> = v.obj().and_then(|o| {
                    let o = o.try_borrow().ok()?;
                    (o.array && o.elems.is_none()).then(|| o.fields.values().cloned().collect())
                });
                match known {
                    Some(items) => out.pos.extend(items),
                    None => {
                        let loc = self.loc(s.range);
                        // Path parts spread into a call (`os.path.join(*parts)`) are the
                        // path they were split from.
                        let mut e = element(&v, &loc);
                        add_taints(&mut e.taint, split_whole(&v));
                        out.pos.push(e);
                    }
                }
            } else {
                let v = self.eval(x);
                out.pos.push(v);
            }
        }
        for k in &a.keywords {
            self.name_hint = k.arg.as_ref().map(|n| n.as_str().to_owned());
            let v = self.eval(&k.value);
            match &k.arg {
                Some(name) => out.kw.push((name.as_str().to_owned(), v)),
                None => {
                    let known = (v.obj().is_some_and(|o| o.try_borrow().is_ok()))
                        .then(|| crate::core::value::Value::fields(&v));
                    match known {
                        Some(items) => out.kw.extend(items),
                        None => out.kw.push((String::new(), v)),
                    }
                }
            }
        }
        out
    }

    fn eval_call(&mut self, call: &ast::ExprCall) -> Val {
        let r = call.range();
        if let Expr::Attribute(a) = &*call.func {
            let recv = self.eval(&a.value);
            let args = self.eval_args(&call.arguments);
            self.call_method(&recv, a.attr.as_str(), args, r, call)
        } else {
            let f = self.eval(&call.func);
            let args = self.eval_args(&call.arguments);
            self.call_value(&f, args, r, call)
        }
    }

    /// Calls a value (a function, class, library name).
    fn call_value(&mut self, f: &Val, args: Args, r: TextRange, call: &ast::ExprCall) -> Val {
        match &f.shape {
            Shape::Func(fr) => {
                let fr = Rc::clone(fr);
                self.call_function(fr.idx, fr.bound.clone(), fr.closure.clone(), args, r)
            }
            Shape::Class(c) => self.instantiate(*c, args, r),
            Shape::Ext(o) => {
                let o = Rc::clone(o);
                self.request_call(Some(&o), f, r);
                self.library_or_generic(&o, None, &args, r, call, &f.taint)
            }
            _ => {
                self.request_call(None, f, r);
                let mut t = f.taint.clone();
                add_taints(&mut t, args.all_taints());
                Val::tainted(t)
            }
        }
    }

    fn library_or_generic(
        &mut self,
        origin: &Rc<Origin>,
        recv: Option<&Val>,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
        own: &[Rc<Taint>],
    ) -> Val {
        if &*origin.module == "urllib"
            && origin.path == "parse.urljoin"
            && let [base, path, ..] = args.pos.as_slice()
        {
            return url_join(base, path);
        }
        self.note_credential(origin, r, own, args);
        if &*origin.module == "base64"
            && matches!(origin.path.as_str(), "b64encode" | "standard_b64encode")
            && let [data] = args.pos.as_slice()
            && let Some(s) = data.konst()
            && let Some(encoded) = crate::text::base64_encode(&s)
        {
            return Val::string(&encoded);
        }
        if let Some(v) = self.library_call(origin, recv, args, r, call) {
            return v;
        }
        // Whatever goes into a library call comes out of it.
        let mut t = own.to_vec();
        add_taints(&mut t, args.all_taints());
        Val {
            taint: t,
            shape: Shape::Ext(origin.called()),
            text: None,
        }
    }

    /// `recv.method(args)`.
    fn call_method(
        &mut self,
        recv: &Val,
        method: &str,
        args: Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) -> Val {
        match &recv.shape {
            Shape::Module(_) | Shape::Instance(_) | Shape::Class(_) => {
                let class = match &recv.shape {
                    Shape::Class(c) => Some(*c),
                    Shape::Instance(i) => i.try_borrow().ok().map(|i| i.class),
                    _ => None,
                };
                // A PynamoDB model's own methods (`User.get`, `user.save()`) call its table.
                if let Some(c) = class
                    && self.find_method(c, method).is_none()
                    && let Some(Shape::Bound(b)) =
                        self.in_hierarchy(c, |d| d.orm.as_ref().map(|v| v.shape.clone()))
                {
                    let v = super::sdk::bound_method(self, &b, method, &args, r);
                    return self.pynamo_result(c, method, v);
                }
                let f = self.attribute(recv, method, r);
                // A method inherited from a library class (an ORM model's `get` or `save`):
                // a call into that library.
                let class = match &recv.shape {
                    Shape::Instance(i) => i.try_borrow().ok().map(|i| i.class),
                    Shape::Class(c) => Some(*c),
                    _ => None,
                };
                if f.is_empty()
                    && let Some(base) =
                        class.and_then(|c| self.in_hierarchy(c, |cd| cd.ext_bases.first().cloned()))
                {
                    self.request_call(Some(&base.member(method)), &f, r);
                    let mut t = recv.taint.clone();
                    add_taints(&mut t, args.all_taints());
                    return Val::tainted(t);
                }
                if f.is_empty() && matches!(recv.shape, Shape::Instance(_)) {
                    // A method the class does not define: from a base the analysis does not
                    // see, or set at run time.
                    self.request_call(None, &Val::default(), r);
                    return self.unknown_method(recv, method, &args, r, call);
                }
                self.call_value(&f, args, r, call)
            }
            Shape::Client(c) => {
                let c = Rc::clone(c);
                self.request_sdk();
                super::sdk::client_method(self, &c, method, &args, r)
            }
            Shape::Bound(b) => {
                let b = Rc::clone(b);
                self.request_sdk();
                super::sdk::bound_method(self, &b, method, &args, r)
            }
            Shape::Ext(o) => {
                let origin = o.member(method);
                self.request_call(Some(&origin), recv, r);
                self.library_or_generic(&origin, Some(recv), &args, r, call, &recv.taint)
            }
            Shape::Event(p) => {
                if matches!(method, "get" | "pop" | "setdefault") {
                    let key = args.pos.first().and_then(Val::konst);
                    let mut v = match key {
                        Some(k) => self.event_at(recv, join_path(p, &k), r),
                        None => Val::tainted(recv.taint.clone()),
                    };
                    if let Some(d) = args.pos.get(1) {
                        // The default, when the event lacks the key.
                        add_taints(&mut v.taint, deep_taints(d));
                    }
                    return v;
                }
                if matches!(method, "items" | "values" | "keys") {
                    return Val::tainted(recv.taint.clone());
                }
                let p = p.clone();
                if let Some(v) = self.powertools_accessor(recv, &p, method, &args, r) {
                    return v;
                }
                self.unknown_method(recv, method, &args, r, call)
            }
            Shape::Obj(o) => {
                let o = Rc::clone(o);
                if let Some(f) = recv.field(method).filter(|f| {
                    matches!(f.shape, Shape::Func(_) | Shape::Class(_) | Shape::Module(_))
                }) {
                    return self.call_value(&f, args, r, call);
                }
                self.obj_method(recv, &o, method, &args, r, call)
            }
            _ => {
                // A method of an unknown receiver with a name the modules do not define is a
                // builtin's or a library's; so is `super().m()` when no base of the class the
                // analysis has defines `m` (`super().__init__(message)` of an exception).
                if self.defined.contains(method) && !self.super_outside_repo(call, method) {
                    self.request_call(None, recv, r);
                }
                self.unknown_method(recv, method, &args, r, call)
            }
        }
    }

    /// Methods of dicts and lists.
    fn obj_method(
        &mut self,
        recv: &Val,
        o: &Rc<RefCell<Obj>>,
        method: &str,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) -> Val {
        let loc = self.loc(r);
        let grow = |o: &Rc<RefCell<Obj>>, v: &Val| {
            if let Ok(mut b) = o.try_borrow_mut() {
                let e = b.elems.take().unwrap_or_default();
                b.elems = Some(join(&e, v));
            }
        };
        match method {
            "get" | "pop" | "setdefault" => {
                if let Some(f) = args
                    .pos
                    .first()
                    .and_then(Val::konst)
                    .and_then(|k| recv.field(&k))
                {
                    return f;
                }
                let mut v = o
                    .try_borrow()
                    .ok()
                    .and_then(|b| b.elems.clone())
                    .unwrap_or_default();
                add_taints(&mut v.taint, recv.taint.iter().cloned());
                if let Some(d) = args.pos.get(1) {
                    v = join(&v, d);
                }
                v
            }
            "append" | "add" | "insert" | "appendleft" => {
                grow(o, &args.pos.last().cloned().unwrap_or_default());
                Val::default()
            }
            "extend" => {
                let v = args.pos.first().cloned().unwrap_or_default();
                grow(o, &element(&v, &loc));
                Val::default()
            }
            "update" => {
                let mut src: Vec<(String, Val)> = args.kw.clone();
                let mut extra = Vec::new();
                if let Some(a) = args.pos.first() {
                    match a.obj().and_then(|so| {
                        so.try_borrow().ok().map(|so| {
                            so.fields
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect::<Vec<_>>()
                        })
                    }) {
                        Some(fields) => src.extend(fields),
                        None => extra = deep_taints(a),
                    }
                }
                if let Ok(mut b) = o.try_borrow_mut() {
                    for (k, v) in src {
                        set_field(&mut b, &k, v);
                    }
                    if !extra.is_empty() {
                        let mut e = b.elems.take().unwrap_or_default();
                        add_taints(&mut e.taint, extra);
                        b.elems = Some(e);
                    }
                }
                Val::default()
            }
            "copy" => recv.clone(),
            "items" | "values" | "keys" => {
                let mut vals = Val::default();
                if let Ok(b) = o.try_borrow() {
                    for f in b.fields.values() {
                        vals = join(&vals, f);
                    }
                    if let Some(e) = &b.elems {
                        vals = join(&vals, e);
                    }
                }
                let elems = match method {
                    "values" => vals,
                    "keys" => Val::tainted(recv.taint.clone()),
                    _ => {
                        let mut pair = Obj {
                            array: true,
                            ..Obj::default()
                        };
                        pair.fields
                            .insert("0".into(), Val::tainted(recv.taint.clone()));
                        pair.fields.insert("1".into(), vals);
                        Val::object(pair)
                    }
                };
                Val::object(Obj {
                    array: true,
                    elems: Some(elems),
                    ..Obj::default()
                })
            }
            _ => {
                let flat = Val::tainted(deep_taints(recv));
                self.unknown_method(&flat, method, args, r, call)
            }
        }
    }

    /// A method of a value the engine cannot place: string methods, SQL on an unknown
    /// connection; otherwise whatever goes in comes out.
    fn unknown_method(
        &mut self,
        recv: &Val,
        method: &str,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) -> Val {
        self.unknown_sql(method, args, r, call);
        let loc = self.loc(r);
        let mut t = recv.taint.clone();
        add_taints(&mut t, args.all_taints());
        string_method(method, recv, args, t, &loc)
    }

    /// `x.execute(sql)` on a receiver the engine cannot place: SQL injection when the text
    /// looks like SQL or the receiver is named like a connection or cursor.
    fn unknown_sql(&mut self, method: &str, args: &Args, r: TextRange, call: &ast::ExprCall) {
        if !SQL_METHODS.contains(&method) {
            return;
        }
        let Some(sql) = args.pos.first() else { return };
        if sql.konst().is_some() || sql.is_array() {
            return;
        }
        let taints = deep_taints(sql);
        if taints.is_empty() {
            return;
        }
        let looks_sql = sql.text.as_ref().is_some_and(|t| {
            let p = t.pattern().to_ascii_lowercase();
            SQL_WORDS.iter().any(|w| p.contains(w))
        });
        const DB_NAMES: &[&str] = &["cur", "conn", "db", "session", "engine", "cnx", "sql"];
        let named = |n: &str| {
            let n = n.to_ascii_lowercase();
            DB_NAMES.iter().any(|w| n.contains(w))
        };
        let receiver_named = match &*call.func {
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(n) => named(n.id.as_str()),
                Expr::Attribute(b) => named(b.attr.as_str()),
                Expr::Call(c) => match &*c.func {
                    Expr::Attribute(b) => named(b.attr.as_str()),
                    Expr::Name(n) => named(n.id.as_str()),
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        };
        if looks_sql || receiver_named {
            self.record(Kind::InjectionSql, &taints, r, &format!("cursor.{method}"));
        }
    }
}

/// Whether nothing is known of a value: no definition, library, text or taint.
fn blank(v: &Val) -> bool {
    matches!(v.shape, Shape::Unknown) && v.taint.is_empty() && v.text.is_none()
}

/// The result of a string method (or any method of an unknown value) with these labels.
fn string_method(method: &str, recv: &Val, args: &Args, taint: Vec<Rc<Taint>>, loc: &Loc) -> Val {
    if taint.is_empty()
        && let Some(s) = recv.konst()
    {
        let folded = match method {
            "format" => brace_format(&s, args),
            "join" => args.pos.first().and_then(|a| {
                let parts = const_items(a)?;
                let parts: Vec<&str> = parts.iter().map(|p| &**p).collect();
                Some(parts.join(&s))
            }),
            _ => None,
        };
        if let Some(out) = folded {
            return Val::string(&out);
        }
    }
    match method {
        "format" | "format_map" => {
            let text = recv.text.as_ref().map(|t| {
                let mut out = String::new();
                let mut depth = 0u32;
                for c in t.pattern().chars() {
                    match c {
                        '{' => {
                            if depth == 0 {
                                out.push('*');
                            }
                            depth += 1;
                        }
                        '}' if depth > 0 => depth -= 1,
                        _ if depth == 0 => out.push(c),
                        _ => {}
                    }
                }
                if matches!(t, Text::Const(_)) && !out.contains('*') {
                    Text::konst(&out)
                } else {
                    Text::Pattern(Rc::from(out.as_str()))
                }
            });
            let taint = url_parts(&[(text.as_ref(), &taint)]);
            Val {
                taint,
                shape: Shape::Unknown,
                text,
            }
            .with_step(loc, "string formatted with it")
        }
        "join" => {
            let mut t = taint;
            if let Some(a) = args.pos.first() {
                add_taints(&mut t, deep_taints(&element(a, loc)));
                // Path parts joined with a separator that may hold `/` are the path again.
                if recv.konst().is_none_or(|sep| sep.contains('/')) {
                    add_taints(&mut t, split_whole(a));
                }
            }
            Val::tainted(t).with_step(loc, "joined into a string")
        }
        // Split on `/` without a limit: no part holds a path separator.
        "split" | "rsplit" if splits_on_slash(args) => Val::object(Obj {
            array: true,
            elems: Some(Val::tainted(
                taint
                    .iter()
                    .map(|t| t.cleaned(kind_bit(Kind::PathTraversal)))
                    .collect(),
            )),
            whole: taint,
            ..Obj::default()
        }),
        // Every `/` replaced by text without one: the result names no other folder.
        "replace" if replaces_slashes(args) => Val {
            taint: taint
                .iter()
                .map(|t| t.cleaned(kind_bit(Kind::PathTraversal)))
                .collect(),
            shape: Shape::Unknown,
            text: None,
        },
        "split" | "rsplit" | "splitlines" | "partition" | "rpartition" => Val::object(Obj {
            array: true,
            elems: Some(Val::tainted(taint)),
            ..Obj::default()
        }),
        "isdigit" | "isdecimal" | "isnumeric" | "isalnum" | "isalpha" | "isidentifier"
        | "startswith" | "endswith" | "count" | "find" | "index" | "rfind" => Val::default(),
        "lower" | "upper" | "strip" | "lstrip" | "rstrip" | "title" | "capitalize" | "casefold"
        | "encode" | "decode" | "zfill" | "replace" => {
            let text = match (&recv.text, method) {
                (Some(Text::Const(s)), "lower" | "casefold") => {
                    Some(Text::konst(&s.to_lowercase()))
                }
                (Some(Text::Const(s)), "upper") => Some(Text::konst(&s.to_uppercase())),
                (Some(Text::Const(s)), "strip") => Some(Text::konst(s.trim())),
                (Some(Text::Const(_)), "replace") if !taint.is_empty() => None,
                (other, _) => other.clone(),
            };
            Val {
                taint,
                shape: Shape::Unknown,
                text,
            }
        }
        _ => Val::tainted(taint),
    }
}

/// `split('/')` (or `sep='/'`) with no `maxsplit`: a limit leaves the rest, `/` and all, in
/// the last part.
fn splits_on_slash(args: &Args) -> bool {
    args.get(0, "sep").and_then(Val::konst).as_deref() == Some("/")
        && args.get(1, "maxsplit").is_none()
}

/// `replace('/', new)` with a known `new` free of `/` and no count: every `/` is gone.
fn replaces_slashes(args: &Args) -> bool {
    args.pos.len() == 2
        && args.kw.is_empty()
        && args.pos[0].konst().as_deref() == Some("/")
        && args.pos[1].konst().is_some_and(|n| !n.contains('/'))
}

/// Paths whose value is a list (`Records`), so an unknown index reads an element.
fn list_path(path: &str) -> bool {
    path == "Records" || path.ends_with(".Records") || path.ends_with("[]")
}

/// The variables after either of two branches (an event place stays checked only when
/// both branches checked it).
fn join_env(a: &Env, b: &Env) -> Env {
    let mut out = a.clone();
    out.retain(|k, _| !k.starts_with(CLEAN_PATH) || b.contains_key(k));
    for (k, v) in b {
        if k.starts_with(CLEAN_PATH) && !a.contains_key(k) {
            continue;
        }
        let nv = match a.get(k) {
            Some(old) => join(old, v),
            None => v.clone(),
        };
        out.insert(k.clone(), nv);
    }
    out
}

/// The variables with these names made clean for every sink.
fn clean_env(env: &Env, names: &[String]) -> Env {
    let mut out = env.clone();
    for n in names {
        if n.starts_with(CLEAN_PATH) {
            out.insert(n.clone(), Val::of(Shape::Bool(true)));
            continue;
        }
        if let Some(v) = out.get_mut(n) {
            v.taint = v.taint.iter().map(|t| t.cleaned(ALL_KINDS)).collect();
            if let Shape::Event(_) = v.shape {
                v.shape = Shape::Unknown;
            }
        }
    }
    out
}

/// The function definition starting at `start`, found by walking down the statements that
/// contain it (a loop, not recursion).
fn find_def(body: &[Stmt], start: u32) -> Option<&ast::StmtFunctionDef> {
    let mut stmts = body;
    loop {
        let s = stmts
            .iter()
            .find(|s| s.range().start().to_u32() <= start && start < s.range().end().to_u32())?;
        if let Stmt::FunctionDef(d) = s
            && d.range.start().to_u32() == start
        {
            return Some(d);
        }
        stmts = child_blocks(s).into_iter().find(|b| {
            b.iter()
                .any(|x| x.range().start().to_u32() <= start && start < x.range().end().to_u32())
        })?;
    }
}

/// The statement blocks directly inside a statement.
fn child_blocks(s: &Stmt) -> Vec<&[Stmt]> {
    match s {
        Stmt::FunctionDef(d) => vec![&d.body],
        Stmt::ClassDef(c) => vec![&c.body],
        Stmt::If(i) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::With(w) => vec![&w.body],
        Stmt::Try(t) => {
            let mut v: Vec<&[Stmt]> = vec![&t.body];
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                v.push(&h.body);
            }
            v.push(&t.orelse);
            v.push(&t.finalbody);
            v
        }
        Stmt::Match(m) => m.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    }
}

/// Whether any label reaches an SSRF sink.
fn ssrf_tainted(taints: &[Rc<Taint>]) -> bool {
    taints.iter().any(|t| t.reaches(Kind::Ssrf))
}

/// The labels of a string built from parts (known text and labels, in order): clean for SSRF
/// when the attacker's data lands after a fixed origin ([`crate::text::origin_fixed`]).
fn url_parts(parts: &[(Option<&Text>, &[Rc<Taint>])]) -> Vec<Rc<Taint>> {
    let mut marked = String::new();
    let mut out = Vec::new();
    for (text, ts) in parts {
        marked.push_str(&crate::text::marked(*text, ssrf_tainted(ts)));
        add_taints(&mut out, ts.iter().cloned());
    }
    if crate::text::origin_fixed(&marked) {
        out.iter()
            .map(|t| t.cleaned(kind_bit(Kind::Ssrf)))
            .collect()
    } else {
        out
    }
}

/// `urljoin(base, path)`: an absolute `path` (or `//host/...`) replaces the host of `base`,
/// so the attacker's data in `path` stays SSRF unless it is pinned as a path
/// ([`crate::text::origin_fixed`]); `base` keeps its labels.
fn url_join(base: &Val, path: &Val) -> Val {
    let ts = deep_taints(path);
    let pinned =
        crate::text::origin_fixed(&crate::text::marked(path.text.as_ref(), ssrf_tainted(&ts)));
    let mut t: Vec<Rc<Taint>> = if pinned {
        ts.iter().map(|t| t.cleaned(kind_bit(Kind::Ssrf))).collect()
    } else {
        ts
    };
    add_taints(&mut t, deep_taints(base));
    Val::tainted(t)
}

/// Whether an expression may build a string from parts, so its value, when constant, is
/// worth recording as folded: `+`, `%`, an f-string, or a call of `format`, `join`, `decode`
/// or `b64encode`.
fn is_foldable(e: &Expr) -> bool {
    match e {
        Expr::BinOp(b) => matches!(b.op, ast::Operator::Add | ast::Operator::Mod),
        Expr::FString(_) => true,
        Expr::Call(c) => match &*c.func {
            Expr::Attribute(a) => matches!(
                a.attr.as_str(),
                "format" | "join" | "decode" | "b64encode" | "standard_b64encode"
            ),
            Expr::Name(n) => matches!(n.id.as_str(), "b64encode" | "standard_b64encode"),
            _ => false,
        },
        _ => false,
    }
}

/// The name an assignment target gives its value: `token`, `self.auth` is `auth`.
fn target_name(t: &Expr) -> Option<String> {
    match t {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(a.attr.to_string()),
        Expr::Subscript(s) => match &*s.slice {
            Expr::StringLiteral(k) => Some(k.value.to_str().to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// The constant items of a list or tuple whose every item is a known constant.
fn const_items(v: &Val) -> Option<Vec<Rc<str>>> {
    let o = v.obj()?;
    let o = o.try_borrow().ok()?;
    if !o.array || o.elems.is_some() || o.fields.len() > 64 {
        return None;
    }
    o.fields
        .iter()
        .enumerate()
        .map(|(i, (k, x))| {
            (*k == i.to_string() && x.taint.is_empty())
                .then(|| x.konst())
                .flatten()
        })
        .collect()
}

/// `fmt % args` with constant arguments, for the `%s`, `%d`, `%i` and `%%` conversions only
/// (anything else, a mapping key or a width, gives `None`).
fn percent_format(fmt: &str, args: &Val) -> Option<String> {
    let items = if args.is_array() {
        const_items(args)?
    } else {
        vec![args.konst()?]
    };
    let mut items = items.into_iter();
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'i' => out.push_str(&items.next()?),
            _ => return None,
        }
    }
    items.next().is_none().then_some(out)
}

/// `fmt.format(...)` with constant arguments, for plain fields (`{}`, `{0}`, `{name}`) and
/// escaped braces only (a format spec or conversion gives `None`).
fn brace_format(fmt: &str, args: &Args) -> Option<String> {
    let mut out = String::with_capacity(fmt.len());
    let mut next = 0usize;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        '{' | ':' | '!' | '[' | '.' => return None,
                        x => field.push(x),
                    }
                }
                let v = if field.is_empty() {
                    next += 1;
                    args.pos.get(next - 1)?
                } else if let Ok(i) = field.parse::<usize>() {
                    args.pos.get(i)?
                } else {
                    args.kw(&field)?
                };
                if !v.taint.is_empty() {
                    return None;
                }
                out.push_str(&v.konst()?);
            }
            '}' => return None,
            x => out.push(x),
        }
    }
    Some(out)
}
