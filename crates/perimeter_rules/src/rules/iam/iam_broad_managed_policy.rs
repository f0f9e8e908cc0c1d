//! IAM005: over-broad AWS managed policies attached to a function's role.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags AWS managed policies that grant administrator or full-service access
    /// (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, any `*FullAccess`) attached
    /// to a function's role.
    ///
    /// ## Why is this bad?
    /// A function needs a handful of actions on a few resources. `AmazonS3FullAccess` gives it
    /// every bucket of the account; `AdministratorAccess` gives it the account.
    ///
    /// ## Example
    /// ```yaml
    /// Policies:
    ///   - AmazonDynamoDBFullAccess
    /// ```
    /// Use instead: a SAM policy template scoped to one table (`DynamoDBCrudPolicy`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct IamBroadManagedPolicy {
        code: "IAM005",
        name: "iam-broad-managed-policy",
        kind: Kind::OverPrivilegedIam,
        severity: Severity::High,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamBroadManagedPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for role in cx.app.roles.iter().filter(|r| is_function_role(cx.app, r)) {
            for policy in &role.managed_policies {
                let shown = policy.display();
                let name = shown
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or(&shown)
                    .trim()
                    .to_owned();
                let severity = match name.as_str() {
                    "AdministratorAccess" | "PowerUserAccess" | "IAMFullAccess" => Severity::High,
                    n if n.ends_with("FullAccess") => Severity::Medium,
                    _ => continue,
                };
                out.report(&policy.loc, format!("managed policy `{name}` attached to {}", role_users(role)))
                    .severity(severity)
                    .role(role)
                    .help("Replace it with statements (or SAM policy templates) scoped to the resources the function uses");
            }
        }
    }
}
