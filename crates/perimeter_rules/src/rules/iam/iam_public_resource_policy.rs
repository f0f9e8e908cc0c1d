//! IAM009: resource policies that admit everyone or another account.
use perimeter_model::cfn;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Allow statements of resource policies (queues, topics, KMS keys, secrets, layers,
    /// API resource policies) whose principal is `*` without a condition restricting the
    /// caller, or a literal AWS account id (cross-account access). Bucket policies are left to
    /// STO002.
    ///
    /// ## Why is this bad?
    /// `Principal: "*"` on a queue lets any AWS account send messages to the functions that
    /// consume it; a cross-account grant extends trust to an account the template does not
    /// control.
    ///
    /// ## Example
    /// ```yaml
    /// QueuePolicy:
    ///   Type: AWS::SQS::QueuePolicy
    ///   Properties:
    ///     PolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: "*"
    ///           Action: sqs:SendMessage
    /// ```
    /// Use instead: a service principal with an `aws:SourceArn` condition.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-2 Broken Authentication, SAS-4 Over-Privileged Function Permissions
    /// - CWE-284: Improper Access Control
    pub struct IamPublicResourcePolicy {
        code: "IAM009",
        name: "iam-public-resource-policy",
        kind: Kind::OverPrivilegedIam,
        severity: Severity::High,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

const POLICY_DOCS: &[(&str, &str)] = &[
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::Events::EventBusPolicy", "Statement"),
    ("AWS::ApiGateway::RestApi", "Policy"),
];

impl Rule for IamPublicResourcePolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut docs: Vec<(&str, &perimeter_model::Node)> = Vec::new();
        for r in &cx.app.resources {
            if let Some((_, key)) = POLICY_DOCS.iter().find(|(t, _)| *t == r.type_name)
                && let Some(doc) = r.prop(key)
            {
                docs.push((&r.id, doc));
            }
        }
        for api in &cx.app.apis {
            if let Some(p) = &api.resource_policy {
                docs.push((&api.id, p));
            }
        }
        for (id, doc) in docs {
            for stmt in cfn::statements(doc, id) {
                let Some(principal) = stmt.principal.as_ref().filter(|_| stmt.allow) else {
                    continue;
                };
                for (value, node) in principal_values(principal) {
                    let account = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
                        || value.starts_with("arn:aws:iam::")
                            && value[13..].split(':').next().is_some_and(|a| {
                                a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
                            });
                    if value == "*" && !condition_restricts(stmt.condition.as_ref()) {
                        out.report(&node.loc, format!("resource policy of `{id}` allows any principal"))
                            .resource(id)
                            .help("Name the principals (a service with an `aws:SourceArn` condition, or account roles)");
                    } else if account {
                        out.report(&node.loc, format!("resource policy of `{id}` grants access to account `{value}`"))
                            .severity(Severity::Medium)
                            .resource(id)
                            .help("Make sure the other account is yours; prefer `aws:PrincipalOrgID` conditions");
                    }
                }
            }
        }
    }
}
