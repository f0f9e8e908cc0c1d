//! One analysis budget for both front ends: the bounds every analysis keeps (call chain,
//! modules, source bytes, nesting) and the steps one handler's analysis may take.

/// Deepest chain of calls followed into the repository's functions, the module top levels
/// being run included (real handlers stay under a few dozen).
pub(crate) const MAX_CALL_DEPTH: usize = 500;
/// Most modules one analysis loads.
pub(crate) const MAX_MODULES: usize = 5_000;
/// Most source bytes one analysis loads: with [`MAX_MODULES`], bounds the memory the syntax
/// trees hold.
pub(crate) const MAX_SOURCE_BYTES: usize = 32 << 20;
/// Deepest nesting of statements and expressions evaluated, over the whole call chain: the
/// bound the analysis threads' stacks hold (see [`crate::limits::MAX_NESTING_RAW`]).
pub(crate) const MAX_EVAL_DEPTH: u32 = crate::limits::MAX_NESTING_RAW as u32;

/// Steps one JavaScript handler's analysis may take: one step is one expression or
/// statement evaluated (a function call also has [`JS_CALL_STEPS`] of its own).
pub(crate) const JS_HANDLER_STEPS: u64 = 3_000_000;
/// Steps one call of a JavaScript function may take.
pub(crate) const JS_CALL_STEPS: u32 = 40_000;
/// Steps one JavaScript module's top level may take.
pub(crate) const JS_MODULE_STEPS: u32 = 200_000;
/// Steps one Python handler's analysis may take: one step is one statement run or call
/// followed (coarser than a JavaScript step, hence fewer).
pub(crate) const PYTHON_HANDLER_STEPS: u64 = 400_000;

/// What one analysis has spent of its budget.
pub(crate) struct Budget {
    /// Steps the handler's analysis may take.
    pub limit: u64,
    /// Steps taken.
    pub steps: u64,
    /// Statements and expressions being evaluated, over the whole call chain.
    pub depth: u32,
    /// Source bytes of the modules loaded.
    pub source_bytes: usize,
}

impl Budget {
    /// A fresh budget of `limit` steps.
    pub(crate) fn new(limit: u64) -> Self {
        Budget {
            limit,
            steps: 0,
            depth: 0,
            source_bytes: 0,
        }
    }

    /// Takes one step; `false` once the handler's steps are spent.
    pub(crate) fn tick(&mut self) -> bool {
        self.steps += 1;
        self.steps <= self.limit
    }

    /// Whether the handler's steps are spent.
    pub(crate) fn spent(&self) -> bool {
        self.steps > self.limit
    }

    /// Whether a call from a chain of `frames` is followed.
    pub(crate) fn call_allowed(frames: usize) -> bool {
        frames < MAX_CALL_DEPTH
    }

    /// The limit that stops loading the module at `path` as one more after `loaded`, if any.
    pub(crate) fn module_limit(loaded: usize, path: &str) -> Option<String> {
        (loaded >= MAX_MODULES)
            .then(|| format!("the limit of {MAX_MODULES} modules per handler ({path} not loaded)"))
    }

    /// Admits `len` more bytes of source from `path`, or says the limit that stops them.
    pub(crate) fn admit_source(&mut self, len: usize, path: &str) -> Result<(), String> {
        if self.source_bytes + len > MAX_SOURCE_BYTES {
            return Err(format!(
                "the limit of {} MiB of source per handler ({path} not loaded)",
                MAX_SOURCE_BYTES >> 20
            ));
        }
        self.source_bytes += len;
        Ok(())
    }

    /// Enters one more level of evaluation, or says the limit that stops it.
    pub(crate) fn enter(&mut self) -> Result<(), String> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Err(format!(
                "the limit of {MAX_EVAL_DEPTH} nested statements and expressions"
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a level of evaluation.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
