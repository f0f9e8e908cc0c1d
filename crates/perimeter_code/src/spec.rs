//! The vocabulary the language specifications share: what a sanitizer makes a value safe
//! for. Each language's `spec` module lists its own sinks, sanitizers and SDK tables with it.

use perimeter_diagnostics::Kind;

/// What a sanitizer makes a value safe for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Clean {
    /// Every sink kind (the result is a number, a boolean, a UUID).
    All,
    /// These kinds only.
    Kinds(&'static [Kind]),
}

/// One sanitizer: a callee (module and name, matched as each language's sinks are) and what
/// its result is clean for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sanitizer {
    /// The module (`""` for globals and builtins).
    pub module: &'static str,
    /// The function name or dotted path.
    pub name: &'static str,
    /// What the result is clean for.
    pub clean: Clean,
}

/// A sanitizer entry.
pub(crate) const fn san(module: &'static str, name: &'static str, clean: Clean) -> Sanitizer {
    Sanitizer {
        module,
        name,
        clean,
    }
}

/// Clean for SQL only (escaping functions).
pub(crate) const SQL_ONLY: Clean = Clean::Kinds(&[Kind::InjectionSql]);
/// Clean for HTML only.
pub(crate) const XSS_ONLY: Clean = Clean::Kinds(&[Kind::Xss]);
/// Clean for shell commands only (quoting).
pub(crate) const SHELL_ONLY: Clean = Clean::Kinds(&[Kind::InjectionOsCommand]);
/// Clean for file paths only (base names).
pub(crate) const PATH_ONLY: Clean = Clean::Kinds(&[Kind::PathTraversal]);
