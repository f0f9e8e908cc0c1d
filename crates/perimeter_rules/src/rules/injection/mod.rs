//! Code rules: event data reaching dangerous sinks, and verbose errors, from the function
//! summaries computed by `perimeter_code`.

mod code_injection;
mod credential_relay;
pub(crate) mod flow;
mod nosql_injection;
mod os_command_injection;
mod path_traversal;
mod sql_injection;
mod ssrf;
mod unsafe_deserialization;
mod verbose_error;
mod xss;
mod xxe;

pub use code_injection::CodeInjection;
pub use credential_relay::CredentialRelay;
pub use nosql_injection::NosqlInjection;
pub use os_command_injection::OsCommandInjection;
pub use path_traversal::PathTraversal;
pub use sql_injection::SqlInjection;
pub use ssrf::Ssrf;
pub use unsafe_deserialization::UnsafeDeserialization;
pub use verbose_error::VerboseError;
pub use xss::Xss;
pub use xxe::Xxe;
