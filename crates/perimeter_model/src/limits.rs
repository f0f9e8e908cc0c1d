//! The bounds that keep hostile descriptors from exhausting memory or time.

use std::cell::{Cell, RefCell};

use perimeter_diagnostics::{Loc, ScanError};

use crate::yaml::{Node, Value};

/// Largest descriptor or configuration file read, in bytes.
pub const MAX_DESCRIPTOR_BYTES: u64 = 10 * 1024 * 1024;
/// Deepest nesting of YAML/JSON collections.
pub const MAX_DEPTH: usize = 256;
/// Most nodes a document may expand to through aliases (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = 1_000_000;
/// Deepest chain of variable references (`${self:a}` -> `${self:b}` -> ...).
pub const MAX_VARIABLE_DEPTH: usize = 32;
/// Largest text a variable, an interpolation or an intrinsic resolves to, in bytes: past it,
/// the value stays unresolved (symbolic) and an error entry says so.
pub const MAX_VALUE_BYTES: usize = 1 << 20;
/// Most bytes of resolved values one descriptor may produce (variables, intrinsics,
/// Terraform expressions): past it, what is left stays unresolved, with an error entry.
pub const MAX_RESOLVE_WORK: usize = 64 << 20;

/// What one node of a value costs beyond its text (its place and its slot in a collection).
const NODE_BYTES: usize = 64;

/// The approximate size of a value in bytes (its text plus [`NODE_BYTES`] per node): what a
/// copy of it costs, charged to [`MAX_RESOLVE_WORK`].
pub fn weight(node: &Node) -> usize {
    match &node.value {
        Value::Str(s) | Value::Symbolic(s) => s.len() + NODE_BYTES,
        Value::Seq(items) => items.iter().map(weight).sum::<usize>() + NODE_BYTES,
        Value::Map(entries) => {
            entries
                .iter()
                .map(|(k, v)| k.name.len() + weight(v))
                .sum::<usize>()
                + NODE_BYTES
        }
        _ => NODE_BYTES,
    }
}

/// The resolution budget of one descriptor: the bytes of values produced so far (bounded by
/// [`MAX_RESOLVE_WORK`]) and the limits met, each reported once as an error entry.
#[derive(Debug, Default)]
pub struct Budget {
    work: Cell<usize>,
    errors: RefCell<Vec<ScanError>>,
    reported: RefCell<Vec<&'static str>>,
}

impl Budget {
    /// Records a limit met, once per kind of limit.
    pub fn limit(&self, kind: &'static str, loc: &Loc, message: String) {
        if self.reported.borrow().contains(&kind) {
            return;
        }
        self.reported.borrow_mut().push(kind);
        self.errors.borrow_mut().push(ScanError::at(loc, message));
    }

    /// Charges `bytes` of produced value: `false` once the budget is spent (the caller
    /// leaves its value unresolved).
    pub fn charge(&self, bytes: usize, loc: &Loc) -> bool {
        let total = self.work.get().saturating_add(bytes);
        if total > MAX_RESOLVE_WORK {
            self.limit(
                "work",
                loc,
                format!(
                    "resolving the values of this descriptor produces more than {MAX_RESOLVE_WORK} bytes (limit); the rest are left unresolved"
                ),
            );
            return false;
        }
        self.work.set(total);
        true
    }

    /// Whether a text of `len` bytes is within [`MAX_VALUE_BYTES`] (else an error entry
    /// naming `what`).
    pub fn fits(&self, len: usize, loc: &Loc, what: &str) -> bool {
        if len > MAX_VALUE_BYTES {
            self.limit(
                "size",
                loc,
                format!(
                    "{what} resolves to more than {MAX_VALUE_BYTES} bytes (limit); left unresolved"
                ),
            );
            return false;
        }
        true
    }

    /// Takes the error entries recorded so far.
    pub fn take_errors(&self) -> Vec<ScanError> {
        self.errors.take()
    }
}
