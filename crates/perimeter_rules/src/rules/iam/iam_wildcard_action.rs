//! IAM001: an Allow statement granting every action.
use perimeter_model::Statement;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags IAM statements on a function's role that allow every action (`Action: "*"`).
    /// When every `Resource` is an ARN of one service (`arn:aws:s3:::data*`), the statement
    /// is in effect that service's wildcard on those resources and is judged as IAM002
    /// judges `service:*` (high for identity and key services, medium otherwise).
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
                // Every action, but only on the resources of one service: in effect that
                // service's wildcard on them (an action applies only to the resources it
                // names), judged as IAM002 judges `service:*`.
                if let Some(service) = one_service(stmt) {
                    let severity = super::iam_service_wildcard::service_severity(&service);
                    out.report(
                        &node.loc,
                        format!(
                            "IAM statement allows every action on `{service}` resources (in effect `{service}:*`) for {}",
                            role_users(role)
                        ),
                    )
                    .severity(severity)
                    .role(role)
                    .help("Grant only the actions the handler calls; `perimeter policy` derives them from the code");
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

/// The one service whose ARNs are every `Resource` of a statement (ARN texts only; a
/// `*`, a reference or a `NotResource` gives `None`).
fn one_service(stmt: &Statement) -> Option<String> {
    if !stmt.not_resources.is_empty() || stmt.resources.is_empty() {
        return None;
    }
    let mut service: Option<String> = None;
    for r in &stmt.resources {
        // A symbolic part (`arn:aws:s3:::<opt:bucket>*`) leaves the service known.
        let text = text(r)?;
        let mut parts = text.splitn(4, ':');
        let (Some("arn"), Some(_partition), Some(svc)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if svc.is_empty() || svc.contains(['*', '?', '$', '{']) {
            return None;
        }
        let svc = svc.to_ascii_lowercase();
        match &service {
            Some(s) if *s != svc => return None,
            _ => service = Some(svc),
        }
    }
    service
}
