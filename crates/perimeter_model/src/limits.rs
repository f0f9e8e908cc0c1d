//! The bounds that keep hostile descriptors from exhausting memory or time.

/// Largest descriptor or configuration file read, in bytes.
pub const MAX_DESCRIPTOR_BYTES: u64 = 10 * 1024 * 1024;
/// Deepest nesting of YAML/JSON collections.
pub const MAX_DEPTH: usize = 256;
/// Most nodes a document may expand to through aliases (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = 1_000_000;
/// Deepest chain of variable references (`${self:a}` -> `${self:b}` -> ...).
pub const MAX_VARIABLE_DEPTH: usize = 32;
