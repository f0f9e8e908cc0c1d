//! The semantic core the JavaScript and Python front ends share: the value lattice, the
//! effects of SDK and library calls, sink recording, the function summary's assembly and the
//! analysis budget. A front end evaluates its syntax into these through [`value::Value`]
//! and [`summary::Effects`].

pub(crate) mod budget;
pub(crate) mod effects;
pub(crate) mod sinks;
pub(crate) mod summary;
pub(crate) mod value;
