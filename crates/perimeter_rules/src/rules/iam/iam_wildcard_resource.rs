//! IAM003: `Resource: "*"` on actions that can be scoped to resources.
use crate::data::iam_actions::NO_RESOURCE_LEVEL;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements whose `Resource` is `*` when at least one of their actions
    /// supports resource-level permissions. Actions that cannot be scoped
    /// (`xray:PutTraceSegments`, `ec2:Describe*`, `cloudwatch:PutMetricData`,
    /// `logs:CreateLogGroup`, ...) are not flagged. Statements allowing every action are left
    /// to IAM001.
    ///
    /// ## Why is this bad?
    /// `dynamodb:GetItem` on `*` reads every table of the account, not only the one the
    /// function needs.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: dynamodb:GetItem
    ///   Resource: "*"
    /// ```
    /// Use instead: `Resource: !GetAtt OrdersTable.Arn`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct IamWildcardResource {
        code: "IAM003",
        name: "iam-wildcard-resource",
        kind: Kind::OverPrivilegedIam,
        severity: Severity::Medium,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

fn scoped(action: &str) -> bool {
    !NO_RESOURCE_LEVEL.iter().any(|p| glob_ci(p, action))
}

impl Rule for IamWildcardResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (role, stmt) in statements(cx.app) {
            if !stmt.allow || stmt.action_strs().any(|(a, _)| a.trim() == "*") {
                continue;
            }
            let Some(star) = stmt.resources.iter().find(|n| is_star(n)) else {
                continue;
            };
            let scopable: Vec<&str> = stmt
                .action_strs()
                .map(|(a, _)| a.trim())
                .filter(|a| scoped(a))
                .collect();
            let Some(first) = scopable.first() else {
                continue;
            };
            let more = if scopable.len() > 1 {
                format!(" and {} more", scopable.len() - 1)
            } else {
                String::new()
            };
            out.report(
                &star.loc,
                format!(
                    "`{first}`{more} allowed on every resource for {}",
                    role_users(role)
                ),
            )
            .role(role)
            .help("Name the resources (ARNs, `!GetAtt X.Arn`) the function works on");
        }
    }
}
