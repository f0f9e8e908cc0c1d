//! Data tables the rules consult: IAM action facts, runtime end-of-support dates, token
//! formats.

pub mod iam_actions;
pub mod runtimes;
pub mod tokens;
