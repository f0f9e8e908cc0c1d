//! IAM rules: what the functions' roles and the resource policies allow.

mod iam_broad_managed_policy;
mod iam_not_action;
mod iam_pass_role_wildcard;
mod iam_privilege_escalation;
mod iam_public_resource_policy;
mod iam_service_wildcard;
mod iam_shared_role;
mod iam_wildcard_action;
mod iam_wildcard_resource;
mod missing_permission;
mod unused_permission;

pub use iam_broad_managed_policy::IamBroadManagedPolicy;
pub use iam_not_action::IamNotAction;
pub use iam_pass_role_wildcard::IamPassRoleWildcard;
pub use iam_privilege_escalation::IamPrivilegeEscalation;
pub use iam_public_resource_policy::IamPublicResourcePolicy;
pub use iam_service_wildcard::IamServiceWildcard;
pub use iam_shared_role::IamSharedRole;
pub use iam_wildcard_action::IamWildcardAction;
pub use iam_wildcard_resource::IamWildcardResource;
pub use missing_permission::MissingPermission;
pub use unused_permission::UnusedPermission;
