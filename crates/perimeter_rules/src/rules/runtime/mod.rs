//! Runtime rules.

mod deprecated_runtime;

pub use deprecated_runtime::DeprecatedRuntime;
