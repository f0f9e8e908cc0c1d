//! The semantic core the JavaScript and Python front ends share: the value lattice, the
//! effects of SDK and library calls, sink recording, the function summary's assembly and the
//! analysis budget. A front end evaluates its syntax into these through [`value::Value`]
//! and [`summary::Effects`].

pub(crate) mod budget;
pub(crate) mod effects;
pub(crate) mod sinks;
pub(crate) mod summary;
pub(crate) mod value;

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile, Span};

/// The place `start..end` in a loaded module's file (nowhere when the module is not loaded).
pub(crate) fn loc_in(file: Option<&Arc<SourceFile>>, start: u32, end: u32) -> Loc {
    match file {
        Some(f) => Loc::new(f, Span::new(start, end)),
        None => Loc::new(&SourceFile::new("", ""), Span::default()),
    }
}
