//! The serverless application model and the loaders that build it from deployment
//! descriptors: Serverless Framework, AWS SAM and CloudFormation (CDK output included).
//!
//! Every value keeps the file and byte span it came from, so a rule can point at the exact
//! line and column in the user's file. Nothing here reaches the network or runs code from
//! the scanned repository: what cannot be known statically stays a symbolic value.

pub mod azure;
pub mod cfn;
pub mod chalice;
pub mod code;
pub mod convention;
pub mod discover;
pub mod limits;
pub mod model;
pub mod package_build;
pub mod pysource;
pub mod sam_policies;
pub mod serverless;
pub mod terraform;
pub mod unseen;
pub mod yaml;
pub mod zappa;

pub use code::{CodeSource, InlineCode};
pub use model::*;
pub use yaml::{Node, Value};
