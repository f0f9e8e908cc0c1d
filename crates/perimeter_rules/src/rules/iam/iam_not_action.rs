//! IAM004: Allow with `NotAction` or `NotResource`.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements that use `NotAction` or `NotResource`.
    ///
    /// ## Why is this bad?
    /// `Allow` + `NotAction: iam:*` allows every other action of every service, including
    /// ones AWS adds later. The grant is much wider than it reads.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   NotAction: iam:*
    ///   Resource: "*"
    /// ```
    /// Use instead: an explicit `Action` list; keep `NotAction` for `Deny` statements.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct IamNotAction {
        code: "IAM004",
        name: "iam-allow-not-action",
        kind: Kind::OverPrivilegedIam,
        severity: Severity::Medium,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamNotAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (role, stmt) in statements(cx.app) {
            if !stmt.allow {
                continue;
            }
            let (what, node) = match (stmt.not_actions.first(), stmt.not_resources.first()) {
                (Some(n), _) => ("NotAction", n),
                (None, Some(n)) => ("NotResource", n),
                (None, None) => continue,
            };
            out.report(
                &node.loc,
                format!(
                    "Allow statement with `{what}` grants everything not listed to {}",
                    role_users(role)
                ),
            )
            .role(role)
            .help(format!(
                "Replace `{what}` with an explicit `{}` list",
                &what[3..]
            ));
        }
    }
}
