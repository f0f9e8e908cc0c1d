//! JavaScript and TypeScript: handler resolution, parsing with oxc, taint summaries.

use crate::handler::HandlerSpec;
use crate::{FunctionSummary, Repo};

/// Resolves a Node.js handler and summarises the code it reaches.
pub fn analyse_handler(_repo: &Repo, spec: &HandlerSpec<'_>) -> FunctionSummary {
    FunctionSummary { function: spec.function.to_owned(), ..FunctionSummary::default() }
}
