//! Abstract values of the Python taint engine: what a variable may hold (taint labels, the
//! event at an access path, a dict or list shape, a function, class or instance of the
//! repository, a library name, a boto3 client, known text) and how values join.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;
use perimeter_diagnostics::Loc;

pub(crate) use crate::core::value::{ALL_KINDS, Origin, Taint, add_taints, join_path, kind_bit};
use crate::summary::ResourceExpr;
pub(crate) use crate::text::Text;

/// Most fields of one dict or list shape.
const MAX_FIELDS: usize = 64;

/// A boto3 client or service resource.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Client {
    /// IAM service prefix.
    pub service: String,
}

/// A boto3 resource object bound to one AWS resource (`Table(name)`).
pub(crate) struct Bound {
    /// IAM service prefix.
    pub service: String,
    /// The class (`Table`, `Bucket`, `Object`, `Queue`, `Topic`).
    pub class: String,
    /// The resource named.
    pub resource: ResourceExpr,
    /// For `Object(bucket, key)`: the key.
    pub key: Option<Val>,
}

/// A function value: the definition, and what it is bound to.
pub(crate) struct FuncRef {
    /// Unique id of this value (memoisation tells bound copies apart by it).
    pub id: u32,
    /// Index of the definition in the engine.
    pub idx: usize,
    /// The instance (or class, for class methods) it is bound to.
    pub bound: Option<Val>,
    /// The enclosing function's variables, for nested functions.
    pub closure: Option<Rc<Env>>,
}

/// An instance of a repository class.
pub(crate) struct Instance {
    /// Unique id of this instance.
    pub id: u32,
    /// Index of the class in the engine.
    pub class: usize,
    /// Its attributes.
    pub fields: IndexMap<String, Val>,
}

/// A dict, list, tuple or set shape.
pub(crate) type Obj = crate::core::value::Obj<Val>;

/// The labels of the text a list of path parts was split from (see `Obj::whole`).
pub(crate) fn split_whole(v: &Val) -> Vec<Rc<Taint>> {
    crate::core::value::split_whole(v.obj())
}

/// A shared, mutable dict or list.
pub(crate) type ObjRef = crate::core::value::ObjRef<Val>;

/// Variables of one scope.
pub(crate) type Env = rustc_hash::FxHashMap<String, Val>;

/// What the value is, besides its taint.
#[derive(Clone, Default)]
pub(crate) enum Shape {
    /// Nothing known.
    #[default]
    Unknown,
    /// The event, or a part of it at this access path: subscripts refine the path.
    Event(String),
    /// A dict or a list.
    Obj(ObjRef),
    /// A name from a library.
    Ext(Rc<Origin>),
    /// A module of the repository.
    Module(usize),
    /// A function of the repository.
    Func(Rc<FuncRef>),
    /// A class of the repository.
    Class(usize),
    /// An instance of a repository class.
    Instance(Rc<RefCell<Instance>>),
    /// A boto3 client or service resource.
    Client(Rc<Client>),
    /// A boto3 resource object.
    Bound(Rc<Bound>),
    /// An lxml `XMLParser`, and whether it resolves entities.
    XmlParser(bool),
    /// `True` or `False`.
    Bool(bool),
}

/// What an expression may evaluate to.
#[derive(Clone, Default)]
pub(crate) struct Val {
    /// Taint labels of the value itself.
    pub taint: Vec<Rc<Taint>>,
    /// What it is.
    pub shape: Shape,
    /// Known text.
    pub text: Option<Text>,
}

impl Val {
    /// A value of this shape, untainted.
    pub(crate) fn of(shape: Shape) -> Self {
        Val {
            shape,
            ..Val::default()
        }
    }

    /// A constant string.
    pub(crate) fn string(s: &str) -> Self {
        Val {
            text: Some(Text::konst(s)),
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

    /// A library name.
    pub(crate) fn ext(origin: Rc<Origin>) -> Self {
        Val::of(Shape::Ext(origin))
    }

    /// A new dict or list.
    pub(crate) fn object(obj: Obj) -> Self {
        Val::of(Shape::Obj(Rc::new(RefCell::new(obj))))
    }

    /// Whether the value carries nothing worth tracking.
    pub(crate) fn is_empty(&self) -> bool {
        self.taint.is_empty() && matches!(self.shape, Shape::Unknown) && self.text.is_none()
    }

    /// The constant text, if fully known.
    pub(crate) fn konst(&self) -> Option<Rc<str>> {
        match &self.text {
            Some(Text::Const(s)) => Some(Rc::clone(s)),
            _ => None,
        }
    }

    /// A field of the dict shape, if known.
    pub(crate) fn field(&self, name: &str) -> Option<Val> {
        match &self.shape {
            Shape::Obj(o) => o.try_borrow().ok()?.fields.get(name).cloned(),
            _ => None,
        }
    }

    /// The dict or list shape.
    pub(crate) fn obj(&self) -> Option<&ObjRef> {
        match &self.shape {
            Shape::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// Whether this is a list, tuple or set.
    pub(crate) fn is_array(&self) -> bool {
        self.obj()
            .is_some_and(|o| o.try_borrow().is_ok_and(|o| o.array))
    }

    /// Adds one step to every label (a variable, a parameter).
    pub(crate) fn with_step(mut self, loc: &Loc, note: &str) -> Self {
        for t in &mut self.taint {
            *t = t.step(loc, note);
        }
        self
    }
}

/// Inserts a field, within the limit (further fields join the unknown elements).
pub(crate) fn set_field(obj: &mut Obj, key: &str, v: Val) {
    if obj.fields.len() < MAX_FIELDS || obj.fields.contains_key(key) {
        obj.fields.insert(key.to_owned(), v);
    } else {
        obj.elems = Some(match &obj.elems {
            Some(e) => join(e, &v),
            None => v,
        });
    }
}

/// The union of two values (both branches of a condition).
pub(crate) fn join(a: &Val, b: &Val) -> Val {
    join_depth(a, b, 0)
}

fn join_depth(a: &Val, b: &Val, depth: u32) -> Val {
    // A truth value joined with anything but itself is no longer known: `debug = False`,
    // then `debug = x == "True"` in a branch, may be true after it.
    let unknown_truth = |v: &Val| Val {
        shape: Shape::Unknown,
        ..v.clone()
    };
    if a.is_empty() {
        if matches!(b.shape, Shape::Bool(_)) {
            return unknown_truth(b);
        }
        return b.clone();
    }
    if b.is_empty() {
        if matches!(a.shape, Shape::Bool(_)) {
            return unknown_truth(a);
        }
        return a.clone();
    }
    let mut out = a.clone();
    add_taints(&mut out.taint, b.taint.iter().cloned());
    out.shape = match (&a.shape, &b.shape) {
        (Shape::Obj(x), Shape::Obj(y)) if !Rc::ptr_eq(x, y) && depth < 3 => {
            match (x.try_borrow(), y.try_borrow()) {
                (Ok(x), Ok(y)) => {
                    let merged = Obj::merge(&x, &y, |p, q| join_depth(p, q, depth + 1));
                    Shape::Obj(Rc::new(RefCell::new(merged)))
                }
                _ => a.shape.clone(),
            }
        }
        (Shape::Bool(x), Shape::Bool(y)) if x == y => Shape::Bool(*x),
        (Shape::Bool(_), _) | (_, Shape::Bool(_)) => Shape::Unknown,
        (Shape::Unknown, s) => s.clone(),
        (s, _) => s.clone(),
    };
    out.text = Text::join(a.text.as_ref(), b.text.as_ref());
    out
}

/// Every label of the value and of anything inside it.
pub(crate) fn deep_taints(v: &Val) -> Vec<Rc<Taint>> {
    let mut out = Vec::new();
    deep_into(v, &mut out, 0);
    out
}

fn deep_into(v: &Val, out: &mut Vec<Rc<Taint>>, depth: u32) {
    add_taints(out, v.taint.iter().cloned());
    if depth >= 4 {
        return;
    }
    match &v.shape {
        Shape::Obj(o) => {
            let Ok(o) = o.try_borrow() else { return };
            o.deep_into(out, |f, out| deep_into(f, out, depth + 1));
        }
        Shape::Instance(i) => {
            let Ok(i) = i.try_borrow() else { return };
            for f in i.fields.values() {
                deep_into(f, out, depth + 1);
            }
        }
        Shape::Bound(b) => {
            if let Some(k) = &b.key {
                deep_into(k, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The value of an element of a list, set or tuple (or any value iterated).
pub(crate) fn element(v: &Val, loc: &Loc) -> Val {
    match &v.shape {
        Shape::Event(p) => {
            let path = join_path(p, "[]");
            let taint = v
                .taint
                .iter()
                .map(|t| t.refine_as(path.clone(), false, loc.clone()))
                .collect();
            Val {
                taint,
                shape: Shape::Event(path),
                text: None,
            }
        }
        Shape::Obj(o) => {
            let mut out = Val::tainted(v.taint.clone());
            if let Ok(o) = o.try_borrow() {
                if o.array {
                    for f in o.fields.values() {
                        out = join(&out, f);
                    }
                    if let Some(e) = &o.elems {
                        out = join(&out, e);
                    }
                } else {
                    // Iterating a dict gives its keys: event data when the dict is.
                    for f in o.fields.values() {
                        add_taints(&mut out.taint, deep_taints(f));
                    }
                }
            }
            out
        }
        _ => Val::tainted(v.taint.clone()),
    }
}

/// A fingerprint of what matters about a value for a call's result, for memoisation.
pub(crate) fn fingerprint(v: &Val, out: &mut String, depth: u32) {
    use std::fmt::Write as _;
    for t in &v.taint {
        let _ = write!(
            out,
            "t{}@{}:{}:{}:{};",
            t.path,
            t.loc.path(),
            t.loc.span.start,
            t.clean,
            u8::from(t.error)
        );
    }
    if let Some(text) = &v.text {
        let _ = write!(out, "x{text:?};");
    }
    match &v.shape {
        Shape::Unknown => {}
        Shape::Event(p) => {
            let _ = write!(out, "e{p};");
        }
        Shape::Obj(o) => {
            out.push('{');
            if depth < 3
                && let Ok(o) = o.try_borrow()
            {
                for (k, f) in &o.fields {
                    out.push_str(k);
                    out.push('=');
                    fingerprint(f, out, depth + 1);
                }
                if let Some(e) = &o.elems {
                    out.push_str("*=");
                    fingerprint(e, out, depth + 1);
                }
            }
            out.push('}');
        }
        Shape::Ext(o) => {
            let _ = write!(out, "o{}.{};", o.module, o.path);
        }
        Shape::Module(m) => {
            let _ = write!(out, "m{m};");
        }
        Shape::Func(f) => {
            let _ = write!(out, "f{}:{};", f.idx, f.id);
        }
        Shape::Class(c) => {
            let _ = write!(out, "c{c};");
        }
        Shape::Instance(i) => {
            if let Ok(i) = i.try_borrow() {
                let _ = write!(out, "i{};", i.id);
            }
        }
        Shape::Client(c) => {
            let _ = write!(out, "k{};", c.service);
        }
        Shape::Bound(b) => {
            let _ = write!(out, "b{}:{}:{:?};", b.service, b.class, b.resource);
        }
        Shape::XmlParser(x) => {
            let _ = write!(out, "p{x};");
        }
        Shape::Bool(x) => {
            let _ = write!(out, "B{x};");
        }
    }
}

impl crate::core::value::Value for Val {
    fn taints(&self) -> &[Rc<Taint>] {
        &self.taint
    }

    fn deep(&self) -> Vec<Rc<Taint>> {
        deep_taints(self)
    }

    fn text(&self) -> Option<&Text> {
        self.text.as_ref()
    }

    type Defs = ();

    fn shape(&self) -> Option<&ObjRef> {
        self.obj()
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
        for (k, v) in fields {
            set_field(&mut o, &k, v);
        }
        Val::object(o)
    }

    fn stored(path: &str, loc: Loc) -> Self {
        Val {
            taint: vec![Taint::new(path, false, loc)],
            shape: Shape::Event(path.to_owned()),
            text: None,
        }
    }

    fn response() -> Self {
        Val::ext(Origin::from_dotted("boto3.response"))
    }
}
