//! The memory the scan holds, counted by the global allocator, and its limit: when the scan
//! holds more than the limit, the functions not yet analysed are not analysed (each one an
//! error entry that says so) instead of the process being killed by the system.

use std::alloc::System;

#[global_allocator]
static ALLOCATOR: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

/// The default limit, in MiB (`--max-memory`).
pub const DEFAULT_MAX_MIB: usize = 4096;

/// Bytes allocated now.
pub fn allocated() -> usize {
    ALLOCATOR.allocated()
}

/// Why no more analysis should start, when the scan holds more than `max_mib` MiB.
pub fn over_limit(max_mib: usize) -> Option<String> {
    let used = allocated();
    (used > max_mib.saturating_mul(1 << 20)).then(|| {
        format!(
            "the scan holds {} MiB, over the memory limit of {max_mib} MiB (--max-memory)",
            used >> 20
        )
    })
}
