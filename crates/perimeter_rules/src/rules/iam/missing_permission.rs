//! IAM011: an AWS SDK call whose action the function's role does not allow: the call fails
//! at run time.
use perimeter_graph::privilege::{self, action_matches, statement_allows};
use perimeter_model::RoleOrigin;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Compares each AWS SDK call of a function's code with what the function's role allows
    /// (inline statements, SAM policy templates, attached policies and the AWS managed
    /// policies perimeter knows), and reports the calls whose IAM action nothing allows. It
    /// says nothing when the role is defined outside the application, attaches a managed
    /// policy perimeter does not know, or has a statement whose actions cannot be resolved:
    /// then the role could allow anything. Nor when the framework writes the policy from the
    /// code at deployment (Chalice's `autogen_policy`).
    ///
    /// ## Why is this bad?
    /// Not a vulnerability: the call is denied and the function fails at run time, often on
    /// an error path nobody tested. Found before deployment, it is a one-line fix; found in
    /// production, it is an outage or a message that silently goes to a dead-letter queue.
    ///
    /// ## Example
    /// ```yaml
    /// Policies:
    ///   - SQSPollerPolicy: { QueueName: !GetAtt Orders.QueueName }   # code calls SendMessage
    /// ```
    /// Use instead: `perimeter policy` prints the policy each function's code needs.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control (least privilege, applied exactly)
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles (least privilege
    ///   cuts both ways: exactly what the code needs)
    /// - CWE-703: Improper Check or Handling of Exceptional Conditions
    pub struct MissingPermission {
        code: "IAM011",
        name: "missing-permission",
        kind: Kind::Other,
        severity: Severity::Info,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// Actions any caller may perform: no identity policy needed.
const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];

/// Actions the SDK calls only to clean up after a failure (a managed upload aborts its
/// multipart upload): without them the call itself still succeeds.
const ON_FAILURE_ONLY: &[&str] = &["s3:AbortMultipartUpload"];

/// Actions a resource-side policy can grant on its own (a role's trust policy naming the
/// caller, a key policy): the identity policy may rightly lack them.
const RESOURCE_GRANTED: &[&str] = &["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"];

impl MissingPermission {
    /// Whether something outside the role's statements adds permissions to it: SAM
    /// connectors, the Lift plugin's constructs (Serverless), which the model does not expand.
    fn augmented(cx: &AppContext<'_>, f: &perimeter_model::Function) -> bool {
        // `Connectors` sits beside `Properties` on a SAM function.
        let connector = cx
            .app
            .document
            .as_ref()
            .and_then(|d| d.get("Resources"))
            .and_then(|r| r.get(&f.id))
            .is_some_and(|r| r.get("Connectors").is_some())
            || cx.app.resources.iter().any(|r| {
                r.type_name == "AWS::Serverless::Connector"
                    && r.properties.as_ref().is_some_and(|p| {
                        p.get("Source").is_some_and(|s| {
                            s.referenced_ids().contains(&f.id)
                                || s.get("Id").and_then(|i| i.as_str()) == Some(f.id.as_str())
                        })
                    })
            });
        let lift = cx
            .app
            .document
            .as_ref()
            .is_some_and(|d| d.get("constructs").is_some());
        connector || lift
    }

    /// Whether a resource policy of the application concerns the resource (a queue policy, a
    /// bucket policy, a key policy, a permission on a function): it may grant the call.
    fn resource_policy(cx: &AppContext<'_>, target: &str) -> bool {
        cx.app.resources.iter().any(|r| {
            (r.type_name.ends_with("Policy") || r.type_name == "AWS::Lambda::Permission")
                && r.properties
                    .as_ref()
                    .is_some_and(|p| p.referenced_ids().iter().any(|id| id == target))
        }) || cx
            .app
            .resource(target)
            .is_some_and(|r| r.type_name == "AWS::KMS::Key")
    }

    /// What the framework adds to the role by itself for the function's events.
    fn implicit(cx: &AppContext<'_>, f: &perimeter_model::Function, action: &str) -> bool {
        cx.app.framework == perimeter_model::Framework::Serverless
            && action == "execute-api:ManageConnections"
            && cx.app.functions.iter().any(|g| {
                g.events
                    .iter()
                    .any(|e| e.kind == perimeter_model::EventKind::WebSocket)
            })
            && f.role.is_some()
    }
}

impl Rule for MissingPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (f, summary) in cx.analysed() {
            if summary.handler.is_none() || !summary.errors.is_empty() {
                continue;
            }
            let Some(role) = cx.app.role_of(f) else {
                continue;
            };
            // An external role's permissions are unknown; a generated one's follow the code.
            if matches!(role.origin, RoleOrigin::External | RoleOrigin::Generated)
                || Self::augmented(cx, f)
            {
                continue;
            }
            let resolved = role.statements.iter().all(|s| {
                s.actions
                    .iter()
                    .chain(&s.not_actions)
                    .all(|a| a.as_str().is_some())
            });
            let managed: Option<Vec<&str>> = role
                .managed_policies
                .iter()
                .map(|m| {
                    let name = m.scalar_text()?;
                    privilege::managed_policy(&name).map(<[&str]>::to_vec)
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat());
            let (true, Some(managed)) = (resolved, managed) else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            for need in privilege::needs(cx.app, f, summary) {
                if !need.known
                    || !seen.insert(need.action.clone())
                    || NEEDS_NO_PERMISSION.contains(&need.action.as_str())
                    || ON_FAILURE_ONLY.contains(&need.action.as_str())
                    || RESOURCE_GRANTED.contains(&need.action.as_str())
                    || Self::implicit(cx, f, &need.action)
                    || need
                        .resource
                        .as_deref()
                        .is_some_and(|t| Self::resource_policy(cx, t))
                {
                    continue;
                }
                let allowed = role
                    .statements
                    .iter()
                    .any(|s| statement_allows(s, &need.action))
                    || managed.iter().any(|p| action_matches(p, &need.action));
                if allowed {
                    continue;
                }
                let on = need
                    .resource
                    .as_deref()
                    .map(|r| format!(" on `{}`", r.trim_start_matches("name:")))
                    .unwrap_or_default();
                out.report(
                    &need.loc,
                    format!(
                        "`{}` calls `{}`{on} but its role `{}` does not allow it: the call will fail at run time",
                        f.id, need.action, role.id
                    ),
                )
                .function(&f.id)
                .help(format!(
                    "grant `{}` to the function's role (`perimeter policy` prints what its code needs)",
                    need.action
                ));
            }
        }
    }
}
