//! IAM006: `iam:PassRole` on every role.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements granting `iam:PassRole` on `*` (or on every role,
    /// `arn:aws:iam::*:role/*`), judged with their condition: a statement whose
    /// `iam:PassedToService` names only services that run no code with the role (`dax`,
    /// `application-autoscaling`), or that is limited by role tags (`iam:ResourceTag/...`),
    /// is not flagged. A statement shared by several roles is reported once.
    ///
    /// ## Why is this bad?
    /// Passing any role to a new Lambda function, EC2 instance or Glue job lets the function
    /// run code with the most privileged role of the account.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: iam:PassRole
    ///   Resource: "*"
    /// ```
    /// Use instead: the ARN of the one role it must pass, with an `iam:PassedToService`
    /// condition.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-269: Improper Privilege Management
    pub struct IamPassRoleWildcard {
        code: "IAM006",
        name: "iam-pass-role-wildcard",
        kind: Kind::PrivilegeEscalation,
        severity: Severity::High,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

fn every_role(node: &perimeter_model::Node) -> bool {
    node.as_str().is_some_and(|s| {
        let s = s.trim();
        s == "*" || (s.starts_with("arn:aws:iam::") && s.ends_with(":role/*"))
    })
}

impl Rule for IamPassRoleWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen: Vec<&perimeter_diagnostics::Loc> = Vec::new();
        for (role, stmt) in statements(cx.app) {
            if !stmt.allow
                || !stmt.resources.iter().any(every_role)
                || passed_only_to_inert_services(stmt.condition.as_ref())
                || condition_narrows(stmt.condition.as_ref())
            {
                continue;
            }
            for (action, node) in stmt.action_strs() {
                let a = action.trim();
                if (a.eq_ignore_ascii_case("iam:PassRole") || a.eq_ignore_ascii_case("iam:Pass*"))
                    && !seen.iter().any(|l| same_loc(l, &node.loc))
                {
                    seen.push(&node.loc);
                    out.report(&node.loc, format!("`iam:PassRole` on every role for {}", role_users(role)))
                        .role(role)
                        .help("Scope `iam:PassRole` to the role ARN it must pass and add an `iam:PassedToService` condition");
                }
            }
        }
    }
}
