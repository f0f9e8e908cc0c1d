//! The value lattice both front ends share: taint labels (where untrusted data came from, how
//! it got here, what it was made safe for), access paths into the event, library origins, and
//! the interface ([`Value`]) through which the shared effects read a front end's values.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;
use perimeter_diagnostics::{Kind, Loc};

use crate::summary::Step;
use crate::text::Text;

/// Most taint labels one value carries; more are dropped (the first ones are kept).
pub(crate) const MAX_TAINTS: usize = 6;
/// Most steps one label records.
const MAX_STEPS: usize = 16;
/// Most segments of a source access path.
const MAX_PATH_SEGMENTS: usize = 8;

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
    /// `s3-object`, `stored`, `req.body`...
    pub path: String,
    /// Whether the value is still the event structure itself, so a member access refines the
    /// path (`event` -> `event.body`); parsed or computed values keep their path. (The
    /// Python front end keeps the event's structure in its shape instead: always `false`.)
    pub structured: bool,
    /// An error object (a verbose-error source), not attacker data.
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
            structured: false,
            error,
            loc,
            steps: Vec::new(),
            clean: 0,
        })
    }

    /// A fresh label on a value that is still a structure members refine.
    pub(crate) fn structured(path: impl Into<String>, loc: Loc) -> Rc<Taint> {
        Rc::new(Taint {
            path: path.into(),
            structured: true,
            error: false,
            loc,
            steps: Vec::new(),
            clean: 0,
        })
    }

    /// The same history at another path, structure and place (a member of the event).
    pub(crate) fn refine_as(&self, path: String, structured: bool, loc: Loc) -> Rc<Taint> {
        // Data read back from a table keeps the read's place: the graph finds the read there.
        let loc = if crate::summary::is_stored(&self.path) {
            self.loc.clone()
        } else {
            loc
        };
        Rc::new(Taint {
            path,
            structured,
            error: self.error,
            loc,
            steps: self.steps.clone(),
            clean: self.clean,
        })
    }

    /// The same label, no longer refinable by member access.
    pub(crate) fn flat(self: &Rc<Self>) -> Rc<Taint> {
        if self.structured {
            Rc::new(Taint {
                structured: false,
                ..self.copy()
            })
        } else {
            Rc::clone(self)
        }
    }

    /// The same label, also clean for `mask`.
    pub(crate) fn cleaned(self: &Rc<Self>, mask: u32) -> Rc<Taint> {
        if self.clean & mask == mask {
            return Rc::clone(self);
        }
        Rc::new(Taint {
            clean: self.clean | mask,
            ..self.copy()
        })
    }

    /// The same label with one more step.
    pub(crate) fn step(self: &Rc<Self>, loc: &Loc, note: &str) -> Rc<Taint> {
        if self.steps.len() >= MAX_STEPS || self.steps.last().is_some_and(|s| s.loc == *loc) {
            return Rc::clone(self);
        }
        let mut t = self.copy();
        t.steps.push(Step {
            loc: loc.clone(),
            note: note.to_owned(),
        });
        Rc::new(t)
    }

    fn copy(&self) -> Taint {
        Taint {
            path: self.path.clone(),
            structured: self.structured,
            error: self.error,
            loc: self.loc.clone(),
            steps: self.steps.clone(),
            clean: self.clean,
        }
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

/// Adds labels to a list, without duplicates and within the limit.
pub(crate) fn add_taints(into: &mut Vec<Rc<Taint>>, from: impl IntoIterator<Item = Rc<Taint>>) {
    for t in from {
        if into.len() >= MAX_TAINTS {
            return;
        }
        let dup = into.iter().any(|u| {
            Rc::ptr_eq(u, &t)
                || (u.path == t.path
                    && u.error == t.error
                    && u.loc == t.loc
                    && u.clean == t.clean
                    && u.structured == t.structured)
        });
        if !dup {
            into.push(t);
        }
    }
}

/// Labels flattened (no longer refinable): the result of computing with a value.
pub(crate) fn flat(taints: &[Rc<Taint>]) -> Vec<Rc<Taint>> {
    taints.iter().map(Taint::flat).collect()
}

/// The first label of attacker data (not an error) among these.
pub(crate) fn data(taints: impl IntoIterator<Item = Rc<Taint>>) -> Option<Rc<Taint>> {
    taints.into_iter().find(|t| !t.error)
}

/// Where an external value comes from: a package or module and the member path taken from
/// it, with `()` for calls (`pymysql` + `connect().cursor().execute`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The package or top-level module (normalised), or `""` for globals and builtins.
    pub module: Rc<str>,
    /// Dotted member path from the module (`createConnection().query`), `""` for the module.
    pub path: String,
}

impl Origin {
    /// An origin from a module and a path.
    pub(crate) fn new(module: &str, path: &str) -> Rc<Origin> {
        Rc::new(Origin {
            module: Rc::from(module),
            path: path.to_owned(),
        })
    }

    /// An origin from a dotted import name (`os.path` -> `os` + `path`).
    pub(crate) fn from_dotted(dotted: &str) -> Rc<Origin> {
        let (module, path) = dotted.split_once('.').unwrap_or((dotted, ""));
        Origin::new(module, path)
    }

    /// A builtin or global.
    pub(crate) fn builtin(name: &str) -> Rc<Origin> {
        Origin::new("", name)
    }

    /// The last member name (`query` for `createConnection().query`, `""` for the module or a
    /// call result).
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

    /// Whether a Python table row (`module`, `name`) names this origin: `name` is the dotted
    /// path, or `*.m` for the method `m` of anything derived from the module. (JavaScript
    /// rows name the last member instead: see `js::sinks::matches`.)
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
}

/// An object, dict, array, list or tuple shape, over a front end's values `V` (with `D`, what
/// else the front end keeps of it).
#[derive(Default)]
pub(crate) struct Obj<V, D = ()> {
    /// Fields at known keys (elements at known indexes are `0`, `1`...).
    pub fields: IndexMap<String, V>,
    /// Elements or fields at unknown keys, joined.
    pub elems: Option<V>,
    /// An array, list, tuple or set.
    pub array: bool,
    /// The labels of the text a `split('/')` made this list from: each part is free of `/`
    /// (clean for file paths), but the parts joined back or spread into a path are that
    /// text again.
    pub whole: Vec<Rc<Taint>>,
    /// What the front end keeps besides (JavaScript: where exported fields were defined).
    pub defs: D,
}

/// A shared, mutable shape.
pub(crate) type ObjRef<V, D = ()> = Rc<RefCell<Obj<V, D>>>;

impl<V: Clone, D: Default> Obj<V, D> {
    /// The union of two shapes (both branches of a condition), joining the values of a
    /// field both have with `join`.
    pub(crate) fn merge(x: &Self, y: &Self, join: impl Fn(&V, &V) -> V) -> Self {
        let mut merged = Obj {
            array: x.array || y.array,
            fields: IndexMap::new(),
            elems: None,
            whole: x.whole.clone(),
            defs: D::default(),
        };
        for (k, v) in x.fields.iter().chain(y.fields.iter()) {
            let nv = match merged.fields.get(k) {
                Some(old) => join(old, v),
                None => v.clone(),
            };
            merged.fields.insert(k.clone(), nv);
        }
        add_taints(&mut merged.whole, y.whole.iter().cloned());
        merged.elems = match (&x.elems, &y.elems) {
            (Some(p), Some(q)) => Some(join(p, q)),
            (p, q) => p.clone().or_else(|| q.clone()),
        };
        merged
    }

    /// Adds the labels of everything inside the shape, through `deep` for each value.
    pub(crate) fn deep_into(
        &self,
        out: &mut Vec<Rc<Taint>>,
        mut deep: impl FnMut(&V, &mut Vec<Rc<Taint>>),
    ) {
        for f in self.fields.values() {
            deep(f, out);
        }
        if let Some(e) = &self.elems {
            deep(e, out);
        }
        add_taints(out, self.whole.iter().cloned());
    }
}

/// The labels of the text an array of path parts was split from (see [`Obj::whole`]).
pub(crate) fn split_whole<V, D>(o: Option<&ObjRef<V, D>>) -> Vec<Rc<Taint>> {
    o.and_then(|o| o.try_borrow().ok().map(|o| o.whole.clone()))
        .unwrap_or_default()
}

/// What the shared effects need of a front end's abstract value: its labels, its known text,
/// its fields when it is a dict or object; and how to make the few values an effect returns.
pub(crate) trait Value: Clone + Default + Sized {
    /// Labels of the value itself.
    fn taints(&self) -> &[Rc<Taint>];
    /// Labels of the value and of anything inside it.
    fn deep(&self) -> Vec<Rc<Taint>>;
    /// Known text.
    fn text(&self) -> Option<&Text>;
    /// What the front end keeps of a shape besides its fields.
    type Defs: Default;
    /// The object, dict or list shape.
    fn shape(&self) -> Option<&ObjRef<Self, Self::Defs>>;
    /// A value carrying only these labels.
    fn tainted(taint: Vec<Rc<Taint>>) -> Self;
    /// A new dict or object with these fields.
    fn object(fields: Vec<(String, Self)>) -> Self;
    /// Data read back from a store at this path: refinable by member access, so that an
    /// attribute read back names the attribute.
    fn stored(path: &str, loc: Loc) -> Self;
    /// What an SDK call returns when nothing more is known of it.
    fn response() -> Self;

    /// The same value carrying these labels itself.
    fn with_taints(self, taint: Vec<Rc<Taint>>) -> Self;

    /// A field of the dict or object shape, if known.
    fn field(&self, name: &str) -> Option<Self> {
        self.shape()?.try_borrow().ok()?.fields.get(name).cloned()
    }

    /// Whether there is a dict, object, list or tuple shape.
    fn has_shape(&self) -> bool {
        self.shape().is_some()
    }

    /// Whether this is a list, array, tuple or set.
    fn is_array(&self) -> bool {
        self.shape()
            .is_some_and(|o| o.try_borrow().is_ok_and(|o| o.array))
    }

    /// The fields at known keys of the dict, object or list shape, in order.
    fn fields(&self) -> Vec<(String, Self)> {
        self.shape()
            .and_then(|o| {
                let o = o.try_borrow().ok()?;
                Some(
                    o.fields
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            })
            .unwrap_or_default()
    }

    /// The elements or values at unknown keys, joined.
    fn elems(&self) -> Option<Self> {
        self.shape()?.try_borrow().ok()?.elems.clone()
    }

    /// The constant text, if fully known.
    fn konst(&self) -> Option<Rc<str>> {
        match self.text() {
            Some(Text::Const(s)) => Some(Rc::clone(s)),
            _ => None,
        }
    }

    /// The first element of a list (at index `0`, else any element).
    fn first_elem(&self) -> Option<Self> {
        self.field("0").or_else(|| self.elems())
    }

    /// A member at a dotted path (`Role.Arn`).
    fn at_path(&self, path: &str) -> Option<Self> {
        path.split('.').try_fold(self.clone(), |v, f| v.field(f))
    }
}
