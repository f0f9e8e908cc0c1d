//! What the loaders of Python-declared applications (Chalice's `app.py`, Azure Functions'
//! `function_app.py`) read from a module: its decorated functions, module-level
//! assignments, calls and imports, with every argument as a [`Node`] that keeps its span.
//!
//! [`read`] parses a module with ruff's parser (as `perimeter_code` does for the taint
//! analysis) and keeps only these declarations; loaders get modules through
//! [`AppFiles::python`], so the caller decides which files of the tree may be read.
//!
//! Arguments become nodes: string, number, boolean and `None` literals are their values;
//! lists, tuples and sets are sequences; dicts are mappings; a name or attribute chain
//! (`authorizer=auth`, `func.AuthLevel.ANONYMOUS`) is [`Value::Symbolic`] with its dotted
//! text; a call (`CORSConfig(allow_origin='*')`) is a mapping of its keyword arguments with
//! [`CALLEE`] first, naming what is called. Anything else is symbolic with its source text.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile};

use crate::yaml::{Key, Node, Value};

mod read;

pub use read::read;

/// The key under which a call node names its callee.
pub const CALLEE: &str = "<call>";

/// A call as written: a decorator, a module-level call or an assigned call.
#[derive(Clone, Debug)]
pub struct PyCall {
    /// The dotted callee (`app.route`, `Chalice`, `func.FunctionApp`).
    pub callee: String,
    /// Where the callee is written (the decorator's `app.route` after the `@`).
    pub loc: Loc,
    /// Positional arguments.
    pub args: Vec<Node>,
    /// Keyword arguments, in source order.
    pub kwargs: Vec<(Key, Node)>,
    /// Whether it is called (`@app.route(...)`) or only named (`@app.authorizer`).
    pub called: bool,
}

impl PyCall {
    /// A keyword argument's value.
    pub fn kwarg(&self, name: &str) -> Option<&Node> {
        self.kwargs
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| v)
    }

    /// A keyword argument, else the positional argument at `index`.
    pub fn arg(&self, name: &str, index: usize) -> Option<&Node> {
        self.kwarg(name).or_else(|| self.args.get(index))
    }

    /// The call as a node: a mapping of its keyword arguments with [`CALLEE`] first.
    pub fn to_node(&self) -> Node {
        let mut entries = vec![(
            Key {
                name: CALLEE.to_owned(),
                loc: self.loc.clone(),
            },
            Node::new(Value::Str(self.callee.clone()), self.loc.clone()),
        )];
        entries.extend(self.kwargs.iter().cloned());
        Node::new(Value::Map(entries), self.loc.clone())
    }

    /// The last part of the callee (`route` for `app.route`).
    pub fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }

    /// The callee without its last part (`app` for `app.route`; empty for a bare name).
    pub fn receiver(&self) -> &str {
        self.callee.rsplit_once('.').map_or("", |(r, _)| r)
    }
}

/// A module-level function and its decorators.
#[derive(Clone, Debug)]
pub struct PyFunction {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub loc: Loc,
    /// Its decorators, top first.
    pub decorators: Vec<PyCall>,
    /// Its parameter names.
    pub params: Vec<String>,
}

/// An import of a module-level name: `from chalicelib.api import bp as api` is
/// `{ name: "api", module: "chalicelib.api", level: 0, member: Some("bp") }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyImport {
    /// The name bound in the importing module.
    pub name: String,
    /// The module imported from (dotted; empty for `from . import x`).
    pub module: String,
    /// Leading dots of a relative import.
    pub level: u32,
    /// The member imported (`from m import member`), `None` for `import m`.
    pub member: Option<String>,
}

/// A module-level class and the dotted names of its bases.
#[derive(Clone, Debug)]
pub struct PyClass {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub loc: Loc,
    /// Its bases as written (`Chalice`, `chalice.Chalice`).
    pub bases: Vec<String>,
}

/// A decorator applied by a call rather than with `@`: `app.route('/x')(view)`.
#[derive(Clone, Debug)]
pub struct PyApplied {
    /// The decorator call (`app.route('/x')`).
    pub decorator: PyCall,
    /// What it is applied to, as written (`view`, `routes.view`).
    pub target: Node,
}

/// What the loaders need from one Python module.
#[derive(Clone, Debug)]
pub struct PyModule {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Module-level functions (async ones too), in source order.
    pub functions: Vec<PyFunction>,
    /// Module-level assignments of a call: `app = Chalice(app_name='x')`.
    pub assigns: Vec<(String, PyCall)>,
    /// Module-level calls made as statements: `app.register_blueprint(bp)`.
    pub calls: Vec<PyCall>,
    /// Module-level imports.
    pub imports: Vec<PyImport>,
    /// Module-level classes.
    pub classes: Vec<PyClass>,
    /// Module-level assignments of anything but a call, to a name or an attribute chain
    /// (`DEBUG = True`, `app.debug = True`), by dotted target, in source order.
    pub values: Vec<(String, Node)>,
    /// Decorators applied as calls: `app.route('/x', methods=['GET'])(view)`.
    pub applied: Vec<PyApplied>,
}

impl PyModule {
    /// The names assigned a call to `callee` (the last part of the callee is compared, so
    /// `chalice.Chalice(...)` and `Chalice(...)` both count).
    pub fn instances_of(&self, callee: &str) -> Vec<&str> {
        self.assigns
            .iter()
            .filter(|(_, c)| c.method() == callee)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The value last assigned to a name or attribute chain (`DEBUG`, `app.debug`) by an
    /// assignment that is not a call.
    pub fn value(&self, target: &str) -> Option<&Node> {
        self.values
            .iter()
            .rev()
            .find(|(t, _)| t == target)
            .map(|(_, v)| v)
    }

    /// A module-level function by name.
    pub fn function(&self, name: &str) -> Option<&PyFunction> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The assignment of a name, when it is assigned a call.
    pub fn assigned(&self, name: &str) -> Option<&PyCall> {
        self.assigns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The dotted module path of this file relative to `code_dir` (`chalicelib/api.py` under
    /// `""` is `chalicelib.api`; a package's `__init__.py` is the package).
    pub fn module_path(&self, code_dir: &str) -> String {
        let path = self.file.path();
        let rel = if code_dir.is_empty() {
            path
        } else {
            path.strip_prefix(code_dir)
                .map_or(path, |p| p.trim_start_matches('/'))
        };
        let rel = rel.strip_suffix(".py").unwrap_or(rel);
        let rel = rel.strip_suffix("/__init__").unwrap_or(rel);
        rel.replace('/', ".")
    }
}

/// What a loader reads from the scanned tree.
pub trait AppFiles {
    /// A file relative to the scan root.
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>>;
    /// The files under a folder, relative to the scan root.
    fn files_under(&self, dir: &str) -> Vec<String>;
    /// A Python module of the tree read for its declarations: `None` when the file is not
    /// in the tree, an error (for the report) when it cannot be read or parsed.
    fn python(&self, rel: &str) -> Option<Result<PyModule, perimeter_diagnostics::ScanError>> {
        self.file(rel).map(|f| read(&f))
    }
}

/// The module and variable of an object a module refers to as `target` (`bp`, `api.bp`):
/// assigned a `ctor(...)` call in the module itself, or imported from a module of the tree
/// (`from chalicelib.api import bp`, `from chalicelib import api` then `api.bp`). Imports are
/// resolved from `dir`, the folder the application's code runs from.
pub fn resolve_object(
    main: &PyModule,
    target: &str,
    dir: &str,
    files: &dyn AppFiles,
    ctor: &str,
) -> Result<Option<(PyModule, String)>, perimeter_diagnostics::ScanError> {
    let (head, rest) = target.split_once('.').unwrap_or((target, ""));
    // A blueprint defined in app.py itself.
    if rest.is_empty() && main.assigned(head).is_some_and(|c| c.method() == ctor) {
        return Ok(Some((main.clone(), head.to_owned())));
    }
    let Some(import) = main.imports.iter().find(|i| i.name == head) else {
        return Ok(None);
    };
    let here = crate::cfn::join_dir(dir, "").unwrap_or_default();
    // `from m import bp` (a variable of m) or `from pkg import m` then `m.bp`.
    let mut candidates: Vec<(String, String)> = Vec::new();
    match (&import.member, rest.is_empty()) {
        (Some(member), true) => candidates.push((import.module.clone(), member.clone())),
        (Some(member), false) => candidates.push((
            [import.module.as_str(), member.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("."),
            rest.to_owned(),
        )),
        (None, false) => {
            let (module, var) = target.rsplit_once('.').unwrap_or(("", target));
            candidates.push((module.to_owned(), var.to_owned()));
        }
        (None, true) => {}
    }
    for (module, var) in candidates {
        // Relative imports are taken from `dir` too: the loaders read modules beside it.
        let base = module.replace('.', "/");
        for path in [format!("{base}.py"), format!("{base}/__init__.py")] {
            let Some(rel) = crate::cfn::join_dir(&here, &path) else {
                continue;
            };
            match files.python(&rel) {
                Some(Ok(m)) => return Ok(Some((m, var))),
                Some(Err(e)) => return Err(e),
                None => {}
            }
        }
    }
    Ok(None)
}

/// The string a node holds when it is a string literal.
pub fn literal(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// The dotted name a node holds when it is a name or attribute chain (`func.AuthLevel.ANONYMOUS`).
pub fn name(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Symbolic(s) if !s.contains(['(', ' ', '[']) => Some(s),
        _ => None,
    }
}

/// The callee a node names when it is a call (`CORSConfig` for `CORSConfig(...)`).
pub fn callee(node: &Node) -> Option<&str> {
    node.get(CALLEE).and_then(Node::as_str)
}
