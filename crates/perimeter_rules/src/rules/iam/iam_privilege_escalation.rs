//! IAM007: actions that let a function raise its own privileges.
use crate::data::iam_actions::ESCALATION;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements granting actions known to allow privilege escalation:
    /// rewriting or attaching policies (`iam:CreatePolicyVersion`, `iam:AttachRolePolicy`,
    /// `iam:PutRolePolicy`, ...), minting credentials (`iam:CreateAccessKey`), replacing code
    /// that runs with another role (`lambda:UpdateFunctionCode` on every function,
    /// `lambda:CreateFunction` together with an `iam:PassRole` that may pass a role to Lambda),
    /// and `sts:AssumeRole` on every role. Statements are judged with their condition: one
    /// limited to the policies that may be attached (`iam:PolicyARN`), to a permissions
    /// boundary, to tagged resources or to a calling principal or service is not flagged.
    /// Only function roles are judged (a deployment role trusted by CloudFormation or
    /// CodeBuild must manage roles by design), and a statement shared by several roles is
    /// reported once.
    ///
    /// ## Why is this bad?
    /// Whoever controls the function (through an injection or a poisoned dependency) can
    /// give itself administrator rights.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [iam:AttachRolePolicy]
    ///   Resource: "*"
    /// ```
    /// Use instead: move identity management out of application functions.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-269: Improper Privilege Management
    pub struct IamPrivilegeEscalation {
        code: "IAM007",
        name: "iam-privilege-escalation",
        kind: Kind::PrivilegeEscalation,
        severity: Severity::High,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamPrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen: Vec<&perimeter_diagnostics::Loc> = Vec::new();
        for role in cx.app.roles.iter().filter(|r| is_function_role(cx.app, r)) {
            // `iam:PassRole` that can hand a role to a new Lambda function.
            let can_pass = role
                .statements
                .iter()
                .filter(|s| s.allow && passable_to(s.condition.as_ref(), "lambda"))
                .flat_map(|s| s.action_strs())
                .any(|(a, _)| glob_ci(a.trim(), "iam:PassRole"));
            for stmt in role
                .statements
                .iter()
                .filter(|s| s.allow && !condition_narrows(s.condition.as_ref()))
            {
                let on_all = stmt.resources.iter().any(is_star);
                for (action, node) in stmt.action_strs() {
                    let a = action.trim();
                    let why = if let Some((_, why)) =
                        ESCALATION.iter().find(|(e, _)| e.eq_ignore_ascii_case(a))
                    {
                        (*why).to_owned()
                    } else if a.eq_ignore_ascii_case("lambda:UpdateFunctionCode") && on_all {
                        "can replace the code of any function, and run with its role".to_owned()
                    } else if a.eq_ignore_ascii_case("lambda:CreateFunction") && can_pass {
                        "can create a function with any role it may pass".to_owned()
                    } else if a.eq_ignore_ascii_case("sts:AssumeRole") && on_all {
                        "can assume any role that trusts the account".to_owned()
                    } else {
                        continue;
                    };
                    if seen.iter().any(|l| same_loc(l, &node.loc)) {
                        continue;
                    }
                    seen.push(&node.loc);
                    out.report(
                        &node.loc,
                        format!(
                            "`{a}` lets {} escalate privileges: it {why}",
                            role_users(role)
                        ),
                    )
                    .role(role)
                    .help("Remove the action, or scope it to named resources with conditions");
                }
            }
        }
    }
}
