//! Abstract values of the Python taint engine: what a variable may hold (taint labels, the
//! event at an access path, a dict or list shape, a function, class or instance of the
//! repository, a library name, a boto3 client, known text) and how values join.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;
use perimeter_diagnostics::{Kind, Loc};

use crate::summary::{ResourceExpr, Step};
pub(crate) use crate::text::Text;

/// Most taint labels one value carries; more are dropped (the first ones are kept).
const MAX_TAINTS: usize = 6;
/// Most steps one label records.
const MAX_STEPS: usize = 16;
/// Most segments of a source access path.
const MAX_PATH_SEGMENTS: usize = 8;
/// Most characters of known text kept for a string.
/// Most fields of one dict or list shape.
const MAX_FIELDS: usize = 64;

/// The bit of a kind in a sanitized-for mask.
pub(crate) const fn kind_bit(kind: Kind) -> u32 {
    1u32 << (kind as u32 % 32)
}

/// Every kind: the mask of a value made safe for everything.
pub(crate) const ALL_KINDS: u32 = u32::MAX;

/// One reason a value is untrusted: where it came from and how it got here.
#[derive(Debug)]
pub(crate) struct Taint {
    /// Normalised access path into the event (`""` is the whole event), or `error`,
    /// `s3-object`.
    pub path: String,
    /// An error (a verbose-error source), not attacker data.
    pub error: bool,
    /// Where it is read.
    pub loc: Loc,
    /// Steps so far.
    pub steps: Vec<Step>,
    /// Kinds this value was sanitized for.
    pub clean: u32,
}

impl Taint {
    /// A fresh label.
    pub(crate) fn new(path: impl Into<String>, error: bool, loc: Loc) -> Rc<Taint> {
        Rc::new(Taint {
            path: path.into(),
            error,
            loc,
            steps: Vec::new(),
            clean: 0,
        })
    }

    /// The same history at another path and place (a member of the event).
    pub(crate) fn refine(&self, path: String, loc: Loc) -> Rc<Taint> {
        // Data read back from a table keeps the read's place: the graph finds the read there.
        let loc = if crate::summary::is_stored(&self.path) {
            self.loc.clone()
        } else {
            loc
        };
        Rc::new(Taint {
            path,
            error: self.error,
            loc,
            steps: self.steps.clone(),
            clean: self.clean,
        })
    }

    /// The same label, also clean for `mask`.
    pub(crate) fn cleaned(self: &Rc<Self>, mask: u32) -> Rc<Taint> {
        if self.clean & mask == mask {
            return Rc::clone(self);
        }
        Rc::new(Taint {
            path: self.path.clone(),
            error: self.error,
            loc: self.loc.clone(),
            steps: self.steps.clone(),
            clean: self.clean | mask,
        })
    }

    /// The same label with one more step.
    pub(crate) fn step(self: &Rc<Self>, loc: &Loc, note: &str) -> Rc<Taint> {
        if self.steps.len() >= MAX_STEPS || self.steps.last().is_some_and(|s| s.loc == *loc) {
            return Rc::clone(self);
        }
        let mut steps = self.steps.clone();
        steps.push(Step {
            loc: loc.clone(),
            note: note.to_owned(),
        });
        Rc::new(Taint {
            path: self.path.clone(),
            error: self.error,
            loc: self.loc.clone(),
            steps,
            clean: self.clean,
        })
    }

    /// Whether the label counts for a sink of this kind.
    pub(crate) fn reaches(&self, kind: Kind) -> bool {
        if kind == Kind::VerboseError {
            self.error
        } else {
            !self.error && self.clean & kind_bit(kind) == 0
        }
    }

    /// The source path as reported (`*` for the whole event).
    pub(crate) fn source_path(&self) -> String {
        if self.path.is_empty() {
            "*".to_owned()
        } else {
            self.path.clone()
        }
    }
}

/// The access path of a member of `path` (`[]` for any element of a list).
pub(crate) fn join_path(path: &str, prop: &str) -> String {
    if path.matches(['.', '[']).count() >= MAX_PATH_SEGMENTS {
        return path.to_owned();
    }
    if prop == "[]" {
        format!("{path}[]")
    } else if path.is_empty() {
        prop.to_owned()
    } else {
        format!("{path}.{prop}")
    }
}

/// A name from a library: the top-level module and the dotted path taken from it, with `()`
/// for calls (`pymysql` + `connect().cursor().execute`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    /// Top-level module (`os`, `boto3`), `""` for builtins.
    pub module: Rc<str>,
    /// Dotted path from the module, `""` for the module itself.
    pub path: String,
}

impl Origin {
    /// An origin from a dotted import name (`os.path` -> `os` + `path`).
    pub(crate) fn from_dotted(dotted: &str) -> Rc<Origin> {
        let (module, path) = dotted.split_once('.').unwrap_or((dotted, ""));
        Rc::new(Origin {
            module: Rc::from(module),
            path: path.to_owned(),
        })
    }

    /// A builtin.
    pub(crate) fn builtin(name: &str) -> Rc<Origin> {
        Rc::new(Origin {
            module: Rc::from(""),
            path: name.to_owned(),
        })
    }

    /// The last member name (`execute` for `connect().cursor().execute`, `""` for a call).
    pub(crate) fn name(&self) -> &str {
        let p = self.path.as_str();
        if p.ends_with(')') {
            return "";
        }
        p.rfind('.').map_or(p, |i| &p[i + 1..])
    }

    /// `module.path`, for sink names.
    pub(crate) fn dotted(&self) -> String {
        match (self.module.is_empty(), self.path.is_empty()) {
            (true, _) => self.path.clone(),
            (false, true) => self.module.to_string(),
            (false, false) => format!("{}.{}", self.module, self.path),
        }
    }

    /// The origin of a member.
    pub(crate) fn member(&self, prop: &str) -> Rc<Origin> {
        let path = if self.path.is_empty() {
            prop.to_owned()
        } else if self.path.len() > 120 {
            format!("{}.{prop}", self.name())
        } else {
            format!("{}.{prop}", self.path)
        };
        Rc::new(Origin {
            module: Rc::clone(&self.module),
            path,
        })
    }

    /// The origin of the value a call returns.
    pub(crate) fn called(&self) -> Rc<Origin> {
        let path = if self.path.len() > 120 {
            "()".to_owned()
        } else {
            format!("{}()", self.path)
        };
        Rc::new(Origin {
            module: Rc::clone(&self.module),
            path,
        })
    }

    /// Whether a table row (`module`, `name`) names this origin: `name` is the dotted path,
    /// or `*.m` for the method `m` of anything derived from the module.
    pub(crate) fn matches(&self, module: &str, name: &str) -> bool {
        if &*self.module != module {
            return false;
        }
        if name == "*" {
            return true;
        }
        match name.strip_prefix("*.") {
            Some(method) => self.name() == method,
            None => self.path == name,
        }
    }
}

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
#[derive(Default)]
pub(crate) struct Obj {
    /// Fields at known string keys (list elements at known indexes are `0`, `1`...).
    pub fields: IndexMap<String, Val>,
    /// Elements or values at unknown keys, joined.
    pub elems: Option<Val>,
    /// A list, tuple or set.
    pub array: bool,
    /// The labels of the text a `split('/')` made this list from: each part is free of `/`
    /// (clean for file paths), but the parts joined back or spread into a path are that
    /// text again.
    pub whole: Vec<Rc<Taint>>,
}

/// The labels of the text a list of path parts was split from (see [`Obj::whole`]).
pub(crate) fn split_whole(v: &Val) -> Vec<Rc<Taint>> {
    v.obj()
        .and_then(|o| o.try_borrow().ok().map(|o| o.whole.clone()))
        .unwrap_or_default()
}

/// A shared, mutable dict or list.
pub(crate) type ObjRef = Rc<RefCell<Obj>>;

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

/// Adds labels to a list, without duplicates and within the limit.
pub(crate) fn add_taints(into: &mut Vec<Rc<Taint>>, from: impl IntoIterator<Item = Rc<Taint>>) {
    for t in from {
        if into.len() >= MAX_TAINTS {
            return;
        }
        let dup = into.iter().any(|u| {
            Rc::ptr_eq(u, &t)
                || (u.path == t.path && u.error == t.error && u.loc == t.loc && u.clean == t.clean)
        });
        if !dup {
            into.push(t);
        }
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
                    let mut merged = Obj {
                        array: x.array || y.array,
                        ..Obj::default()
                    };
                    for (k, v) in x.fields.iter().chain(y.fields.iter()) {
                        let nv = match merged.fields.get(k) {
                            Some(old) => join_depth(old, v, depth + 1),
                            None => v.clone(),
                        };
                        merged.fields.insert(k.clone(), nv);
                    }
                    merged.whole = x.whole.clone();
                    add_taints(&mut merged.whole, y.whole.iter().cloned());
                    merged.elems = match (&x.elems, &y.elems) {
                        (Some(p), Some(q)) => Some(join_depth(p, q, depth + 1)),
                        (p, q) => p.clone().or_else(|| q.clone()),
                    };
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
            for f in o.fields.values() {
                deep_into(f, out, depth + 1);
            }
            if let Some(e) = &o.elems {
                deep_into(e, out, depth + 1);
            }
            add_taints(out, o.whole.iter().cloned());
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
                .map(|t| t.refine(path.clone(), loc.clone()))
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
