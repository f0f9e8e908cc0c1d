//! The catalogue: one module per domain, one file per rule.

use crate::rule::Rule;

pub mod auth;
pub mod deps;
pub mod dow;
pub mod iam;
pub mod injection;
pub mod observability;
pub mod runtime;
pub mod secrets;
pub mod storage;

/// Every rule, in code order.
pub(crate) static ALL: &[&dyn Rule] = &[
    &iam::IamWildcardAction,
    &iam::IamServiceWildcard,
    &iam::IamWildcardResource,
    &iam::IamNotAction,
    &iam::IamBroadManagedPolicy,
    &iam::IamPassRoleWildcard,
    &iam::IamPrivilegeEscalation,
    &iam::IamSharedRole,
    &iam::IamPublicResourcePolicy,
    &iam::UnusedPermission,
    &iam::MissingPermission,
    &auth::UnauthenticatedRoute,
    &auth::PublicFunctionUrl,
    &auth::OpenLambdaPermission,
    &auth::CorsWildcardCredentials,
    &auth::CorsWildcardAuthenticated,
    &auth::PermissionWithoutSource,
    &auth::WritablePrivilegeAttribute,
    &auth::UnverifiedToken,
    &auth::DenialFallsThrough,
    &auth::AuthorizerWildcardPolicy,
    &auth::FailOpenAuthorizer,
    &dow::MissingReservedConcurrency,
    &dow::ApiWithoutThrottling,
    &dow::HttpTimeout,
    &dow::MaxMemory,
    &dow::UnboundedAsyncRetries,
    &dow::SqsWithoutMaxConcurrency,
    &dow::ApiWithoutWaf,
    &dow::RecursiveLoopAllowed,
    &dow::SelfTrigger,
    &dow::MaxTimeout,
    &dow::RecursiveTrigger,
    &secrets::PlaintextSecretEnv,
    &secrets::HardcodedToken,
    &secrets::SecretParameterDefault,
    &secrets::SecretParameterNoEcho,
    &secrets::SecretInCustom,
    &secrets::HardcodedSecret,
    &secrets::CredentialArgument,
    &storage::PublicBucketAcl,
    &storage::PublicBucketPolicy,
    &storage::BucketPublicAccessBlock,
    &storage::BucketWithoutTls,
    &storage::UnencryptedMessaging,
    &storage::WebsiteBucketData,
    &storage::EnvSecretWithoutKms,
    &storage::UnencryptedDatabase,
    &storage::PublicObjectAcl,
    &observability::ApiAccessLogging,
    &observability::LogRetention,
    &observability::TracingDisabled,
    &observability::MissingDeadLetter,
    &observability::DataTraceEnabled,
    &observability::MissingTags,
    &runtime::DeprecatedRuntime,
    &injection::SqlInjection,
    &injection::NosqlInjection,
    &injection::OsCommandInjection,
    &injection::CodeInjection,
    &injection::Ssrf,
    &injection::CredentialRelay,
    &injection::PathTraversal,
    &injection::UnsafeDeserialization,
    &injection::Xxe,
    &injection::Xss,
    &injection::VerboseError,
    &deps::VulnerableDependency,
];
