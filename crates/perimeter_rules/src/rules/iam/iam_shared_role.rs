//! IAM008: one role shared by functions facing different triggers.
use std::collections::BTreeSet;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a role (typically the Serverless Framework provider role) used by several
    /// functions that face different kinds of triggers, for instance an HTTP endpoint and a
    /// queue consumer.
    ///
    /// ## Why is this bad?
    /// Every function gets the union of the permissions all of them need. The internet-facing
    /// function can then delete the table only the nightly job should touch.
    ///
    /// ## Example
    /// ```yaml
    /// provider:
    ///   iam: { role: { statements: [...] } }   # shared by every function
    /// functions:
    ///   api: { events: [{ httpApi: GET /orders }] }
    ///   worker: { events: [{ sqs: arn:aws:sqs:... }] }
    /// ```
    /// Use instead: a role per function (`serverless-iam-roles-per-function`, or SAM's
    /// generated roles with `Policies`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct IamSharedRole {
        code: "IAM008",
        name: "iam-shared-role",
        kind: Kind::SharedRole,
        severity: Severity::Medium,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for IamSharedRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for role in &cx.app.roles {
            // A function app's identity holds whatever is assigned to it outside the app's
            // files: it is shared whatever the files show.
            let identity = cx.app.framework == perimeter_model::Framework::Azure;
            if role.functions.len() < 2
                || (!identity && role.statements.is_empty() && role.managed_policies.is_empty())
            {
                continue;
            }
            let mut classes: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
            let mut triggers: BTreeSet<&str> = BTreeSet::new();
            for id in &role.functions {
                let Some(f) = cx.app.function(id) else {
                    continue;
                };
                let c = trigger_classes(f);
                triggers.extend(c.iter().copied());
                classes.insert(c);
            }
            if classes.len() < 2 {
                continue;
            }
            // Azure's triggers by their own names (the model files them under Lambda's).
            let named = |t: &str| -> String {
                if !identity {
                    return t.to_owned();
                }
                match t {
                    "sqs" => "queue",
                    "s3" => "blob",
                    "kinesis-stream" => "event hub",
                    "dynamo-db-stream" => "cosmos db",
                    "event-bridge" => "event grid",
                    "schedule" => "timer",
                    other => other,
                }
                .to_owned()
            };
            let list = if triggers.is_empty() {
                "no".to_owned()
            } else {
                let names: BTreeSet<String> = triggers.iter().map(|t| named(t)).collect();
                names.into_iter().collect::<Vec<_>>().join(", ")
            };
            let name = match (cx.app.framework, role.origin) {
                (perimeter_model::Framework::Azure, _) => "the function app's identity".to_owned(),
                (
                    perimeter_model::Framework::Serverless,
                    perimeter_model::RoleOrigin::ProviderShared,
                ) => "the provider's role".to_owned(),
                (_, perimeter_model::RoleOrigin::Generated) => {
                    format!("role `{}`, generated from the code,", role.id)
                }
                _ => format!("role `{}`", role.id),
            };
            out.report(
                &role.loc,
                format!("{name} is shared by {} functions facing {list} triggers", role.functions.len()),
            )
            .resource(&role.id)
            .help("Give each function its own role with only what it needs; the functions facing the internet should not hold the workers' permissions");
        }
    }
}
