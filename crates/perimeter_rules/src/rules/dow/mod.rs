//! Denial-of-wallet rules: concurrency, throttling, timeouts, retries, recursion.

mod api_without_throttling;
mod api_without_waf;
mod http_timeout;
mod max_memory;
mod max_timeout;
mod missing_reserved_concurrency;
mod recursive_loop_allowed;
mod recursive_trigger;
mod self_trigger;
mod sqs_without_max_concurrency;
mod unbounded_async_retries;

pub use api_without_throttling::ApiWithoutThrottling;
pub use api_without_waf::ApiWithoutWaf;
pub use http_timeout::HttpTimeout;
pub use max_memory::MaxMemory;
pub use max_timeout::MaxTimeout;
pub use missing_reserved_concurrency::MissingReservedConcurrency;
pub use recursive_loop_allowed::RecursiveLoopAllowed;
pub use recursive_trigger::RecursiveTrigger;
pub use self_trigger::SelfTrigger;
pub use sqs_without_max_concurrency::SqsWithoutMaxConcurrency;
pub use unbounded_async_retries::UnboundedAsyncRetries;
