//! IAM001: an Allow statement granting every action.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags IAM statements on a function's role that allow every action (`Action: "*"`).
    ///
    /// ## Why is this bad?
    /// A function that can do anything its account can do turns any code flaw (an
    /// injection, a vulnerable dependency) into a full account compromise.
    ///
    /// ## Example
    /// ```yaml
    /// iam:
    ///   role:
    ///     statements:
    ///       - Effect: Allow
    ///         Action: "*"
    ///         Resource: "*"
    /// ```
    /// Use instead: list only the actions the handler calls (`perimeter policy` prints them).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control (over-privileged functions)
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct IamWildcardAction {
        code: "IAM001",
        name: "iam-wildcard-action",
        kind: Kind::WildcardIam,
        severity: Severity::High,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamWildcardAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (role, stmt) in statements(cx.app) {
            if !stmt.allow {
                continue;
            }
            for (action, node) in stmt.action_strs() {
                if action.trim() != "*" {
                    continue;
                }
                out
                    .report(&node.loc, format!("IAM statement allows every action for {}", role_users(role)))
                    .role(role)
                    .help("Grant only the actions the handler calls; `perimeter policy` derives them from the code");
            }
        }
    }
}
