//! Abstract values of the JavaScript taint engine: what a variable may hold (taint labels,
//! object shape, function, known text, the library it comes from) and how values join.

use std::cell::RefCell;
use std::rc::Rc;

use oxc_ast::ast::{ArrowFunctionExpression, Class, Function};
use perimeter_diagnostics::Loc;
use rustc_hash::FxHashMap;

pub(crate) use crate::core::value::{
    ALL_KINDS, Origin, Taint, add_taints, flat, join_path, kind_bit,
};
pub(crate) use crate::text::{Text, truncate};

/// An AWS SDK client.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Client {
    /// IAM service prefix.
    pub service: String,
    /// A DynamoDB document client (method names map to item operations).
    pub document: bool,
    /// A v3 bare client that takes commands through `send`.
    pub commands: bool,
    /// An ORM model bound to one table (`dynamoose.model('Users', schema)`): its methods are
    /// item operations on that table.
    pub model: Option<crate::ResourceExpr>,
}

/// An AWS SDK v3 command object.
pub(crate) struct Command<'a> {
    /// IAM service prefix.
    pub service: String,
    /// API operation.
    pub operation: String,
    /// The request.
    pub params: Val<'a>,
}

/// What kind of special value this is.
#[derive(Clone, Default)]
pub(crate) enum Tag<'a> {
    /// Nothing special.
    #[default]
    None,
    /// `process`.
    Process,
    /// `process.env`.
    ProcessEnv,
    /// An Express-style app or router.
    ExpressApp,
    /// An Express-style response.
    ExpressRes,
    /// The Lambda `callback`, or `context.succeed`.
    Callback,
    /// The Lambda context (or an Azure function's).
    Context,
    /// A Powertools parser middleware, `parser({ schema, envelope })`: the members of the event
    /// where the data the handler gets sits.
    ParserMiddleware(&'static [&'static str]),
    /// `context.bindings` of an Azure function: a value assigned to one of its output
    /// binding names is written to the binding's resource.
    Bindings,
    /// An AWS SDK client.
    Client(Rc<Client>),
    /// An AWS SDK v3 command.
    Command(Rc<Command<'a>>),
    /// The `resolve` function of a `new Promise` executor: what it is called with.
    Resolve(Rc<RefCell<Val<'a>>>),
}

/// A function or class of the analysed code.
#[derive(Clone, Copy)]
pub(crate) enum FnNode<'a> {
    /// A function declaration, expression or method.
    Func(&'a Function<'a>),
    /// An arrow function.
    Arrow(&'a ArrowFunctionExpression<'a>),
    /// A class.
    Class(&'a Class<'a>),
}

/// A closure: code plus the scope it was defined in.
#[derive(Clone)]
pub(crate) struct Func<'a> {
    /// The code.
    pub node: FnNode<'a>,
    /// The module it is in.
    pub module: usize,
    /// The defining scope.
    pub scope: Rc<Scope<'a>>,
    /// A name for notes and errors.
    pub name: String,
    /// Arguments bound with `f.bind(this, ...)`, passed before the call's own.
    pub bound: Vec<Val<'a>>,
    /// For a handler behind a parser middleware (`middy(f).use(parser({ envelope }))`): the
    /// members of the event where the data it is handed sits (empty: the whole event).
    pub envelope: Option<&'static [&'static str]>,
}

impl Func<'_> {
    /// Start of the code, with the module: the function's identity.
    pub(crate) fn key(&self) -> (usize, u32) {
        let start = match self.node {
            FnNode::Func(f) => f.span.start,
            FnNode::Arrow(f) => f.span.start,
            FnNode::Class(c) => c.span.start,
        };
        (self.module, start)
    }

    /// The span of the code.
    pub(crate) fn span(&self) -> oxc_span::Span {
        match self.node {
            FnNode::Func(f) => f.span,
            FnNode::Arrow(f) => f.span,
            FnNode::Class(c) => c.span,
        }
    }
}

/// Where the fields of an export object were defined (for the handler's definition).
pub(crate) type Defs = FxHashMap<String, (usize, oxc_span::Span)>;

/// An object or array shape.
pub(crate) type Obj<'a> = crate::core::value::Obj<Val<'a>, Defs>;

/// The labels of the text an array of path parts was split from (see `Obj::whole`).
pub(crate) fn split_whole(v: &Val<'_>) -> Vec<Rc<Taint>> {
    crate::core::value::split_whole(v.obj.as_ref())
}

/// A shared, mutable object.
pub(crate) type ObjRef<'a> = crate::core::value::ObjRef<Val<'a>, Defs>;

/// What an expression may evaluate to.
#[derive(Clone, Default)]
pub(crate) struct Val<'a> {
    /// Taint labels of the value itself.
    pub taint: Vec<Rc<Taint>>,
    /// Object shape.
    pub obj: Option<ObjRef<'a>>,
    /// Function or class.
    pub func: Option<Rc<Func<'a>>>,
    /// Known text.
    pub text: Option<Text>,
    /// External library origin.
    pub origin: Option<Rc<Origin>>,
    /// Special meaning.
    pub tag: Tag<'a>,
}

impl<'a> Val<'a> {
    /// A constant string.
    pub(crate) fn string(s: &str) -> Self {
        Val {
            text: Some(Text::konst(s)),
            ..Val::default()
        }
    }

    /// A value from a library.
    pub(crate) fn origin(module: &str, path: &str) -> Self {
        Val {
            origin: Some(Origin::new(module, path)),
            ..Val::default()
        }
    }

    /// A new empty object.
    pub(crate) fn object(obj: Obj<'a>) -> Self {
        Val {
            obj: Some(Rc::new(RefCell::new(obj))),
            ..Val::default()
        }
    }

    /// A value carrying only these labels.
    pub(crate) fn tainted(taint: Vec<Rc<Taint>>) -> Self {
        Val {
            taint,
            ..Val::default()
        }
    }

    /// Whether the value carries nothing worth tracking.
    pub(crate) fn is_empty(&self) -> bool {
        self.taint.is_empty()
            && self.obj.is_none()
            && self.func.is_none()
            && self.text.is_none()
            && self.origin.is_none()
            && matches!(self.tag, Tag::None)
    }

    /// A field of the object shape, if known.
    pub(crate) fn field(&self, name: &str) -> Option<Val<'a>> {
        self.obj
            .as_ref()
            .and_then(|o| o.borrow().fields.get(name).cloned())
    }

    /// The constant text, if fully known.
    pub(crate) fn konst(&self) -> Option<Rc<str>> {
        match &self.text {
            Some(Text::Const(s)) => Some(Rc::clone(s)),
            _ => None,
        }
    }

    /// Adds one step to every label (a variable, a parameter).
    pub(crate) fn with_step(mut self, loc: &Loc, note: &str) -> Self {
        for t in &mut self.taint {
            *t = t.step(loc, note);
        }
        self
    }
}

/// The union of two values (both branches of a condition).
pub(crate) fn join<'a>(a: &Val<'a>, b: &Val<'a>) -> Val<'a> {
    join_depth(a, b, 0)
}

fn join_depth<'a>(a: &Val<'a>, b: &Val<'a>, depth: u32) -> Val<'a> {
    if a.is_empty() {
        return b.clone();
    }
    if b.is_empty() {
        return a.clone();
    }
    let mut out = a.clone();
    add_taints(&mut out.taint, b.taint.iter().cloned());
    out.obj = match (&a.obj, &b.obj) {
        (Some(x), Some(y)) if !Rc::ptr_eq(x, y) && depth < 3 => {
            let (x, y) = (x.borrow(), y.borrow());
            let merged = Obj::merge(&x, &y, |p, q| join_depth(p, q, depth + 1));
            Some(Rc::new(RefCell::new(merged)))
        }
        (x, y) => x.clone().or_else(|| y.clone()),
    };
    if out.func.is_none() {
        out.func.clone_from(&b.func);
    }
    out.text = Text::join(a.text.as_ref(), b.text.as_ref());
    if out.origin.is_none() {
        out.origin.clone_from(&b.origin);
    }
    if matches!(out.tag, Tag::None) {
        out.tag = b.tag.clone();
    }
    out
}

/// Every label of the value and of anything inside it.
pub(crate) fn deep_taints(v: &Val<'_>) -> Vec<Rc<Taint>> {
    let mut out = Vec::new();
    deep_into(v, &mut out, 0);
    out
}

fn deep_into(v: &Val<'_>, out: &mut Vec<Rc<Taint>>, depth: u32) {
    add_taints(out, v.taint.iter().cloned());
    if depth >= 4 {
        return;
    }
    if let Some(o) = &v.obj {
        let Ok(o) = o.try_borrow() else { return };
        o.deep_into(out, |f, out| deep_into(f, out, depth + 1));
    }
    if let Tag::Command(c) = &v.tag {
        deep_into(&c.params, out, depth + 1);
    }
}

/// A lexical scope.
pub(crate) struct Scope<'a> {
    /// Variables.
    pub vars: RefCell<FxHashMap<&'a str, Val<'a>>>,
    /// The enclosing scope.
    pub parent: Option<Rc<Scope<'a>>>,
    /// A function (or module) scope, where `var` declarations go.
    pub function: bool,
}

impl<'a> Scope<'a> {
    /// A new scope inside `parent`.
    pub(crate) fn child(parent: Option<&Rc<Scope<'a>>>, function: bool) -> Rc<Scope<'a>> {
        Rc::new(Scope {
            vars: RefCell::default(),
            parent: parent.cloned(),
            function,
        })
    }

    /// The value of a variable, if declared.
    pub(crate) fn lookup(self: &Rc<Self>, name: &str) -> Option<Val<'a>> {
        let mut cur = Some(self);
        let mut hops = 0;
        while let Some(s) = cur {
            if let Some(v) = s.vars.borrow().get(name) {
                return Some(v.clone());
            }
            hops += 1;
            if hops > 512 {
                return None;
            }
            cur = s.parent.as_ref();
        }
        None
    }

    /// The nearest function scope.
    pub(crate) fn function_scope(self: &Rc<Self>) -> Rc<Scope<'a>> {
        let mut cur = Rc::clone(self);
        while !cur.function {
            let Some(p) = cur.parent.clone() else { break };
            cur = p;
        }
        cur
    }

    /// Sets an existing variable (weakly: joined with the old value when `weak`); declares
    /// it in the outermost scope when it does not exist.
    pub(crate) fn assign(self: &Rc<Self>, name: &'a str, val: Val<'a>, weak: bool) {
        let mut cur = Rc::clone(self);
        loop {
            {
                let mut vars = cur.vars.borrow_mut();
                if let Some(old) = vars.get_mut(name) {
                    *old = if weak { join(old, &val) } else { val };
                    return;
                }
            }
            match cur.parent.clone() {
                Some(p) => cur = p,
                None => {
                    cur.vars.borrow_mut().insert(name, val);
                    return;
                }
            }
        }
    }

    /// Declares a variable here.
    pub(crate) fn declare(&self, name: &'a str, val: Val<'a>) {
        self.vars.borrow_mut().insert(name, val);
    }
}

impl<'a> crate::core::value::Value for Val<'a> {
    fn taints(&self) -> &[Rc<Taint>] {
        &self.taint
    }

    fn deep(&self) -> Vec<Rc<Taint>> {
        deep_taints(self)
    }

    fn text(&self) -> Option<&Text> {
        self.text.as_ref()
    }

    type Defs = Defs;

    fn shape(&self) -> Option<&ObjRef<'a>> {
        self.obj.as_ref()
    }

    fn tainted(taint: Vec<Rc<Taint>>) -> Self {
        Val::tainted(taint)
    }

    fn with_taints(mut self, taint: Vec<Rc<Taint>>) -> Self {
        self.taint = taint;
        self
    }

    fn object(fields: Vec<(String, Self)>) -> Self {
        let mut o = Obj::default();
        o.fields.extend(fields);
        Val::object(o)
    }

    fn stored(path: &str, loc: Loc) -> Self {
        Val::tainted(vec![Taint::structured(path, loc)])
    }

    fn response() -> Self {
        Val::default()
    }
}
