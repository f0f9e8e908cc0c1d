//! The perimeter command-line tool's library side: configuration, the scan pipeline,
//! suppressions, baselines and the inventory. `main.rs` parses arguments and prints.

pub mod baseline;
pub mod cache;
pub mod cachekey;
mod cdk_source;
pub mod config;
pub mod diff;
pub mod engine;
pub mod inventory;
pub mod lsp;
pub mod memory;
pub mod packaged;
pub mod pipeline;
pub mod progress;
pub mod results;
pub mod suppress;
