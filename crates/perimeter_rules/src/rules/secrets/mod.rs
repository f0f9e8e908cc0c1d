//! Secret rules: credentials written in descriptors.

mod credential_argument;
mod hardcoded_secret;
mod hardcoded_token;
mod plaintext_secret_env;
mod secret_in_custom;
mod secret_parameter_default;
mod secret_parameter_no_echo;

pub use credential_argument::CredentialArgument;
pub use hardcoded_secret::{HardcodedSecret, is_candidate, scan_file, window_findings};
pub use hardcoded_token::HardcodedToken;
pub use plaintext_secret_env::PlaintextSecretEnv;
pub use secret_in_custom::SecretInCustom;
pub use secret_parameter_default::SecretParameterDefault;
pub use secret_parameter_no_echo::SecretParameterNoEcho;
