//! Spans, source files, severities, finding kinds and findings: the vocabulary every other
//! perimeter crate speaks.

mod finding;
pub mod nofollow;
mod source;
mod vex;

pub use finding::{Finding, Kind, ScanError, Severity, TraceStep, fingerprint, number_repeats};
pub use source::{Loc, Position, SourceFile, Span, with_files};
pub use vex::{Justification, NotAffected};
