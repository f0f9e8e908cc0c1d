//! Observability rules: logging, tracing, dead letters, tags.

mod api_access_logging;
mod data_trace_enabled;
mod log_retention;
mod missing_dead_letter;
mod missing_tags;
mod tracing_disabled;

pub use api_access_logging::ApiAccessLogging;
pub use data_trace_enabled::DataTraceEnabled;
pub use log_retention::LogRetention;
pub use missing_dead_letter::MissingDeadLetter;
pub use missing_tags::MissingTags;
pub use tracing_disabled::TracingDisabled;
