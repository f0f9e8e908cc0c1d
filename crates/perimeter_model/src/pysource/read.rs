//! Reads, with ruff's parser, what a Python module declares at its top level (decorated functions,
//! assignments of calls and of values, calls, decorators applied as calls, classes, imports) into
//! the model's [`PyModule`], for the loaders of applications whose functions are declared in code:
//! Chalice's `app.py` and blueprints, Azure Functions' `function_app.py`. Nothing is evaluated:
//! arguments are kept as written, with their spans.

use std::sync::Arc;

use super::{CALLEE, PyApplied, PyCall, PyClass, PyFunction, PyImport, PyModule};
use crate::yaml::{Key, Node, Value};
use perimeter_diagnostics::{Loc, ScanError, SourceFile, Span};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// How deep an argument is converted; deeper values are kept as their source text.
const MAX_DEPTH: u32 = 16;

/// Parses a module and reads its top-level declarations.
pub fn read(file: &Arc<SourceFile>) -> Result<PyModule, ScanError> {
    let parsed = ruff_python_parser::parse_module(file.text()).map_err(|e| {
        ScanError::at(
            &Loc::new(file, span(e.location)),
            format!("cannot parse Python: {}", e.error),
        )
    })?;
    let module = parsed.into_syntax();
    let mut out = PyModule {
        file: Arc::clone(file),
        functions: Vec::new(),
        assigns: Vec::new(),
        calls: Vec::new(),
        imports: Vec::new(),
        classes: Vec::new(),
        values: Vec::new(),
        applied: Vec::new(),
    };
    let r = Reader { file };
    for stmt in &module.body {
        r.stmt(stmt, &mut out);
    }
    Ok(out)
}

fn span(r: TextRange) -> Span {
    Span::new(r.start().to_u32(), r.end().to_u32())
}

struct Reader<'a> {
    file: &'a Arc<SourceFile>,
}

impl Reader<'_> {
    fn loc(&self, r: TextRange) -> Loc {
        Loc::new(self.file, span(r))
    }

    fn stmt(&self, stmt: &Stmt, out: &mut PyModule) {
        match stmt {
            Stmt::FunctionDef(def) => {
                let decorators = def
                    .decorator_list
                    .iter()
                    .filter_map(|d| self.call(&d.expression))
                    .collect();
                let params = def
                    .parameters
                    .iter()
                    .map(|p| p.name().as_str().to_owned())
                    .collect();
                out.functions.push(PyFunction {
                    name: def.name.as_str().to_owned(),
                    loc: self.loc(def.name.range()),
                    decorators,
                    params,
                });
            }
            Stmt::Assign(a) => {
                if let (Some(call), [Expr::Name(n)]) = (self.call(&a.value), &a.targets[..])
                    && call.called
                {
                    out.assigns.push((n.id.as_str().to_owned(), call));
                } else if !matches!(&*a.value, Expr::Call(_)) {
                    for t in &a.targets {
                        if let Some(target) = dotted(t) {
                            out.values.push((target, self.node(&a.value, 0)));
                        }
                    }
                }
            }
            Stmt::ClassDef(c) => out.classes.push(PyClass {
                name: c.name.as_str().to_owned(),
                loc: self.loc(c.name.range()),
                bases: c.bases().iter().filter_map(dotted).collect(),
            }),
            Stmt::AnnAssign(a) => {
                if let (Some(call), Expr::Name(n)) =
                    (a.value.as_deref().and_then(|v| self.call(v)), &*a.target)
                    && call.called
                {
                    out.assigns.push((n.id.as_str().to_owned(), call));
                }
            }
            Stmt::Expr(e) => {
                if let Some(call) = self.call(&e.value).filter(|c| c.called) {
                    out.calls.push(call);
                } else if let Expr::Call(outer) = &*e.value
                    && let Some(decorator) = self.call(&outer.func).filter(|c| c.called)
                    && let [target] = &outer.arguments.args[..]
                    && outer.arguments.keywords.is_empty()
                {
                    // `app.route('/x')(view)`: a decorator applied by hand; a view wrapped
                    // by another decorator (`compress(view)`) is the view.
                    let mut target = target;
                    while let Expr::Call(c) = target
                        && let [inner] = &c.arguments.args[..]
                    {
                        target = inner;
                    }
                    out.applied.push(PyApplied {
                        decorator,
                        target: self.node(target, 0),
                    });
                }
            }
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let module = alias.name.as_str().to_owned();
                    let name = alias.asname.as_ref().map_or_else(
                        || module.split('.').next().unwrap_or(&module).to_owned(),
                        |a| a.as_str().to_owned(),
                    );
                    out.imports.push(PyImport {
                        name,
                        module,
                        level: 0,
                        member: None,
                    });
                }
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map_or("", |i| i.as_str());
                for alias in &imp.names {
                    let member = alias.name.as_str();
                    out.imports.push(PyImport {
                        name: alias
                            .asname
                            .as_ref()
                            .map_or(member, |a| a.as_str())
                            .to_owned(),
                        module: module.to_owned(),
                        level: imp.level,
                        member: Some(member.to_owned()),
                    });
                }
            }
            // Declarations guarded by a condition or a `try` are still declarations.
            Stmt::If(s) => {
                for st in s
                    .body
                    .iter()
                    .chain(s.elif_else_clauses.iter().flat_map(|c| c.body.iter()))
                {
                    self.stmt(st, out);
                }
            }
            Stmt::Try(s) => {
                for st in s.body.iter().chain(s.orelse.iter()) {
                    self.stmt(st, out);
                }
            }
            _ => {}
        }
    }

    /// A call (`app.route('/x')`) or a bare dotted name (`app.authorizer`).
    fn call(&self, e: &Expr) -> Option<PyCall> {
        match e {
            Expr::Call(c) => {
                let callee = dotted(&c.func)?;
                Some(PyCall {
                    callee,
                    loc: self.loc(c.func.range()),
                    args: c.arguments.args.iter().map(|a| self.node(a, 0)).collect(),
                    kwargs: self.keywords(&c.arguments.keywords, 0),
                    called: true,
                })
            }
            Expr::Name(_) | Expr::Attribute(_) => Some(PyCall {
                callee: dotted(e)?,
                loc: self.loc(e.range()),
                args: Vec::new(),
                kwargs: Vec::new(),
                called: false,
            }),
            _ => None,
        }
    }

    fn keywords(&self, keywords: &[ast::Keyword], depth: u32) -> Vec<(Key, Node)> {
        keywords
            .iter()
            .filter_map(|k| {
                let arg = k.arg.as_ref()?;
                Some((
                    Key {
                        name: arg.as_str().to_owned(),
                        loc: self.loc(arg.range()),
                    },
                    self.node(&k.value, depth + 1),
                ))
            })
            .collect()
    }

    fn node(&self, e: &Expr, depth: u32) -> Node {
        let loc = self.loc(e.range());
        let text = || Value::Symbolic(self.file.text()[e.range()].to_owned());
        if depth > MAX_DEPTH {
            return Node::new(text(), loc);
        }
        let seq =
            |elts: &[Expr]| Value::Seq(elts.iter().map(|x| self.node(x, depth + 1)).collect());
        let value = match e {
            Expr::StringLiteral(s) => Value::Str(s.value.to_str().to_owned()),
            Expr::BooleanLiteral(b) => Value::Bool(b.value),
            Expr::NoneLiteral(_) => Value::Null,
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map_or_else(text, Value::Int),
                ast::Number::Float(f) => Value::Float(*f),
                ast::Number::Complex { .. } => text(),
            },
            Expr::List(l) => seq(&l.elts),
            Expr::Tuple(t) => seq(&t.elts),
            Expr::Set(s) => seq(&s.elts),
            Expr::Dict(d) => Value::Map(
                d.items
                    .iter()
                    .filter_map(|item| {
                        let k = item.key.as_ref()?;
                        let name = match k {
                            Expr::StringLiteral(s) => s.value.to_str().to_owned(),
                            other => self.file.text()[other.range()].to_owned(),
                        };
                        Some((
                            Key {
                                name,
                                loc: self.loc(k.range()),
                            },
                            self.node(&item.value, depth + 1),
                        ))
                    })
                    .collect(),
            ),
            Expr::Name(_) | Expr::Attribute(_) => dotted(e).map_or_else(text, Value::Symbolic),
            Expr::Call(c) => match dotted(&c.func) {
                Some(callee) => {
                    let mut entries = vec![(
                        Key {
                            name: CALLEE.to_owned(),
                            loc: self.loc(c.func.range()),
                        },
                        Node::new(Value::Str(callee), self.loc(c.func.range())),
                    )];
                    entries.extend(self.keywords(&c.arguments.keywords, depth));
                    Value::Map(entries)
                }
                None => text(),
            },
            _ => text(),
        };
        Node::new(value, loc)
    }
}

/// `a.b.c` for a name or a chain of attributes on a name.
fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.as_str().to_owned()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}
