//! What a request reaches, as against what loading the modules does: the record both engines
//! keep while the entry points run.
//!
//! A module's top level runs once, when the function starts: building a client, reading a
//! connection string or importing a package there is not something a caller triggers. What
//! the handler does with them, through every call it makes, is.

use std::collections::BTreeSet;

use perimeter_diagnostics::Loc;
use rustc_hash::FxHashSet;

use crate::{RequestReach, SdkCall};

/// What the code run by a request has done so far.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    /// SDK calls made: where (file, offset) and which operation.
    calls: FxHashSet<(String, u32, String)>,
    /// Environment variables read, or whose values were used.
    env: BTreeSet<String>,
    /// Packages whose functions or objects were called.
    imports: BTreeSet<String>,
    /// The first call to something unknown.
    opaque: Option<Loc>,
}

impl RequestLog {
    /// Records an SDK call made by a request.
    pub(crate) fn call(&mut self, loc: &Loc, operation: &str) {
        self.calls
            .insert((loc.path().to_owned(), loc.span.start, operation.to_owned()));
    }

    /// Records that a request reads (or uses the value of) an environment variable.
    pub(crate) fn env(&mut self, name: &str) {
        if !self.env.contains(name) {
            self.env.insert(name.to_owned());
        }
    }

    /// Records that a request calls into a package.
    pub(crate) fn import(&mut self, package: &str) {
        if !self.imports.contains(package) {
            self.imports.insert(package.to_owned());
        }
    }

    /// Records a call to something the analysis knows nothing of (the first one is kept).
    pub(crate) fn opaque(&mut self, at: Loc) {
        if self.opaque.is_none() {
            self.opaque = Some(at);
        }
    }

    /// The record, against the summary's final list of SDK calls.
    pub(crate) fn finish(self, calls: &[SdkCall]) -> RequestReach {
        let sdk_calls = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                self.calls.contains(&(
                    c.loc.path().to_owned(),
                    c.loc.span.start,
                    c.operation.clone(),
                ))
            })
            .map(|(i, _)| i)
            .collect();
        RequestReach {
            sdk_calls,
            env_reads: self.env.into_iter().collect(),
            imports: self.imports.into_iter().collect(),
            opaque: self.opaque,
        }
    }
}
