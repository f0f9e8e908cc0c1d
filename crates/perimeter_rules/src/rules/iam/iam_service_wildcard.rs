//! IAM002: an Allow statement granting every action of a service (`s3:*`).
use crate::data::iam_actions::SENSITIVE_SERVICES;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags IAM statements on a function's role that allow every action of a service
    /// (`s3:*`, `dynamodb:*`). A wildcard on a service that controls identities or keys
    /// (`iam:*`, `sts:*`, `kms:*`, `secretsmanager:*`, `lambda:*`, ...) is rated high.
    ///
    /// ## Why is this bad?
    /// `dynamodb:*` also grants `DeleteTable`; `s3:*` grants `PutBucketPolicy`, which can make
    /// a bucket public. A compromised function gets all of it.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: "s3:*"
    ///   Resource: arn:aws:s3:::uploads/*
    /// ```
    /// Use instead: `Action: [s3:GetObject, s3:PutObject]`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct IamServiceWildcard {
        code: "IAM002",
        name: "iam-service-wildcard",
        kind: Kind::WildcardIam,
        severity: Severity::Medium,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamServiceWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (role, stmt) in statements(cx.app) {
            if !stmt.allow {
                continue;
            }
            for (action, node) in stmt.action_strs() {
                let Some(service) = action.trim().strip_suffix(":*") else {
                    continue;
                };
                let service = service.to_ascii_lowercase();
                let severity = service_severity(&service);
                out.report(
                    &node.loc,
                    format!(
                        "IAM statement allows every `{service}` action for {}",
                        role_users(role)
                    ),
                )
                .severity(severity)
                .role(role)
                .help(format!(
                    "List the `{service}:` actions the handler calls instead of `{service}:*`"
                ));
            }
        }
    }
}

/// The severity of every action of one service: high for services whose actions grant
/// identities, keys or secrets, medium for the others.
pub(crate) fn service_severity(service: &str) -> Severity {
    if SENSITIVE_SERVICES.contains(&service) {
        Severity::High
    } else {
        Severity::Medium
    }
}
