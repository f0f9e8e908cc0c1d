//! Function code analysis: resolve each handler from the application model to its file and
//! export, parse the modules it imports within the repository (JavaScript, TypeScript,
//! Python), and compute a [`FunctionSummary`]: where event data flows, which sinks it reaches,
//! which AWS SDK calls the code makes and with what data.
//!
//! The scanned repository is hostile input: nothing here runs its code.

pub mod comments;
mod core;
mod fail_open;
pub mod handler;
pub mod js;
pub mod limits;
mod purpose;
pub mod python;
pub mod repo;
mod request;
mod spec;
pub mod summary;
mod text;
mod workspace;

pub use repo::Repo;
pub use summary::*;
