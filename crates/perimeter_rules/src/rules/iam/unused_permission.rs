//! IAM010: permissions a function's role grants that no code path of the functions using it
//! needs, from their AWS SDK calls and their triggers.
use std::collections::BTreeSet;

use perimeter_graph::privilege::{self, action_matches};
use perimeter_model::{EventKind, Node, Role, RoleOrigin};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Compares what a role grants with what the code of the functions that use it needs:
    /// the IAM actions of every AWS SDK call the code makes (mapped with the table generated
    /// from the AWS service models), plus what their triggers need (reading the queue or
    /// stream). Reports each statement, SAM policy template or managed policy that grants
    /// actions nothing uses. It runs only when every function of the role was analysed and
    /// every SDK call of theirs resolved: an unresolved handler, or a call whose operation is
    /// chosen at run time, could need anything.
    ///
    /// ## Why is this bad?
    /// A function compromised through injection acts with its role. Permissions it never
    /// uses only serve the attacker: a `DynamoDBCrudPolicy` on a function that only writes
    /// lets the attacker `Scan` the whole table.
    ///
    /// ## Example
    /// ```yaml
    /// Policies:
    ///   - DynamoDBCrudPolicy: { TableName: !Ref Orders }   # code calls only PutItem
    /// ```
    /// Use instead: `perimeter policy` prints the least-privilege policy for each function.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S5 Broken Access Control
    /// - SAS Top 10: SAS-4 Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct UnusedPermission {
        code: "IAM010",
        name: "unused-permission",
        kind: Kind::OverPrivilegedIam,
        severity: Severity::Medium,
        category: Category::Iam,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// Actions every function may need whatever its code: logging, tracing, VPC networking.
const ALWAYS: &[&str] = &[
    "logs:*",
    "xray:*",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "cloudwatch:PutMetricData",
];

/// What the Lambda service needs, with the function's role, to deliver a trigger's events.
fn trigger_needs(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::Sqs => &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
        ],
        EventKind::DynamoDbStream => &[
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:DescribeStream",
            "dynamodb:ListStreams",
        ],
        EventKind::KinesisStream => &[
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        ],
        _ => &[],
    }
}

/// What the Lambda service does with the function's role beyond its code: deliver failed
/// asynchronous events to its dead-letter queue or topic, send results to its asynchronous
/// destinations, mount its file system.
fn platform_needs(f: &perimeter_model::Function) -> Vec<&'static str> {
    let mut out = Vec::new();
    let destinations = f
        .async_config
        .as_ref()
        .and_then(|c| c.get("DestinationConfig"))
        .is_some();
    if f.dead_letter.is_some() || destinations {
        out.extend(["sqs:SendMessage", "sns:Publish"]);
    }
    if destinations {
        out.extend(["events:PutEvents", "lambda:InvokeFunction"]);
    }
    let mounts = f.properties.as_ref().is_some_and(|p| {
        p.get("FileSystemConfigs")
            .or_else(|| p.get("fileSystemConfig"))
            .is_some_and(|n| !n.is_null())
    });
    if mounts {
        out.extend([
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess",
        ]);
    }
    out
}

/// Managed policies other rules already flag as broad, or that only grant what Lambda
/// itself needs.
fn skip_managed(name: &str) -> bool {
    name.ends_with("FullAccess")
        || matches!(name, "AdministratorAccess" | "PowerUserAccess")
        || name.starts_with("AWSLambdaBasicExecutionRole")
        || name.starts_with("AWSLambdaVPCAccessExecutionRole")
        || name.starts_with("AWSXRay")
        || name.starts_with("AWSXray")
        || matches!(
            name,
            "AWSLambdaSQSQueueExecutionRole"
                | "AWSLambdaDynamoDBExecutionRole"
                | "AWSLambdaKinesisExecutionRole"
        )
}

/// What an action does, by its verb: reading, writing or deleting data, or something else.
/// An unused action matters when it gives the role a capability its code does not use on
/// that service at all (`Scan` for a function that only writes), not when it is one more
/// verb of a capability the code already has.
fn capability(action: &str) -> &'static str {
    let verb = action.split(':').nth(1).unwrap_or(action);
    const READ: &[&str] = &[
        "Get",
        "Query",
        "Scan",
        "List",
        "Describe",
        "BatchGet",
        "Select",
        "Receive",
        "Read",
        "PartiQLSelect",
        "Head",
        "Lookup",
        "Search",
        "Download",
        "Decrypt",
    ];
    const WRITE: &[&str] = &[
        "Put",
        "Update",
        "BatchWrite",
        "Create",
        "Send",
        "Publish",
        "Upload",
        "Copy",
        "TransactWrite",
        "Start",
        "Invoke",
        "Write",
        "Post",
        "Set",
        "Add",
        "Attach",
        "Tag",
        "Restore",
        "Encrypt",
        "PartiQLInsert",
        "PartiQLUpdate",
        "ConditionCheck",
        "Abort",
        "Change",
    ];
    const DELETE: &[&str] = &["Delete", "Remove", "Purge", "Detach", "PartiQLDelete"];
    if verb == "*" || verb.ends_with('*') && verb.len() == 1 {
        return "all";
    }
    if DELETE.iter().any(|p| verb.starts_with(p)) {
        "delete"
    } else if READ.iter().any(|p| verb.starts_with(p)) {
        "read"
    } else if WRITE.iter().any(|p| verb.starts_with(p)) {
        "write"
    } else {
        "other"
    }
}

/// Whether an unused action adds a capability the code does not use on its service.
fn adds_capability(needed: &BTreeSet<String>, action: &str) -> bool {
    let service = action.split(':').next().unwrap_or("");
    let class = capability(action);
    if class == "all" || action.contains('*') {
        return true;
    }
    !needed
        .iter()
        .any(|n| n.split(':').next() == Some(service) && capability(n) == class)
}

fn used(needed: &BTreeSet<String>, pattern: &str) -> bool {
    ALWAYS
        .iter()
        .any(|a| action_matches(a, pattern) || action_matches(pattern, a) && !pattern.contains('*'))
        || needed.iter().any(|n| action_matches(pattern, n))
}

fn list(v: &[String]) -> String {
    const MAX: usize = 6;
    let mut s = v.iter().take(MAX).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > MAX {
        s.push_str(&format!(" and {} more", v.len() - MAX));
    }
    s
}

impl UnusedPermission {
    /// The actions the functions of a role need, or `None` when one of them was not analysed.
    fn needs(cx: &AppContext<'_>, role: &Role) -> Option<BTreeSet<String>> {
        let mut needed = BTreeSet::new();
        for id in &role.functions {
            let f = cx.app.function(id)?;
            let s = cx
                .summary(id)
                .filter(|s| s.handler.is_some() && s.errors.is_empty())?;
            // Code that imports an AWS SDK but whose calls were not recognised (a client
            // wrapped in a form the analysis does not follow), or a call whose operation is
            // chosen at run time or unknown to the service model, could need anything: no
            // grant can be called unused.
            if !privilege::incomplete(s).is_empty() {
                return None;
            }
            for n in privilege::needs(cx.app, f, s) {
                needed.insert(n.action);
            }
            for e in &f.events {
                needed.extend(trigger_needs(e.kind).iter().map(|a| (*a).to_owned()));
            }
            needed.extend(platform_needs(f).into_iter().map(str::to_owned));
        }
        Some(needed)
    }
}

impl Rule for UnusedPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for role in &cx.app.roles {
            if role.origin == RoleOrigin::External || role.functions.is_empty() {
                continue;
            }
            let Some(needed) = Self::needs(cx, role) else {
                continue;
            };
            let uses = if needed.is_empty() {
                "calls no AWS API".to_owned()
            } else {
                format!(
                    "needs {}",
                    list(&needed.iter().cloned().collect::<Vec<_>>())
                )
            };
            let who = if role.functions.len() == 1 {
                format!("`{}`", role.functions[0])
            } else {
                format!(
                    "the {} functions of role `{}`",
                    role.functions.len(),
                    role.id
                )
            };
            for stmt in role
                .statements
                .iter()
                .filter(|s| s.allow && s.not_actions.is_empty())
            {
                let unused: Vec<String> = stmt
                    .actions
                    .iter()
                    .filter_map(Node::as_str)
                    .filter(|a| *a != "*" && !used(&needed, a) && adds_capability(&needed, a))
                    .map(str::to_owned)
                    .collect();
                if unused.is_empty() {
                    continue;
                }
                let what = if stmt.origin == "inline" {
                    "statement".to_owned()
                } else {
                    format!("`{}`", stmt.origin)
                };
                out.report(&stmt.loc, format!("{what} grants {} that no code of {who} uses (the code {uses})", list(&unused)))
                    .role(role)
                    .distinguish(&unused.join(","))
                    .help("Remove the unused actions; `perimeter policy` prints the least-privilege policy");
            }
            for policy in &role.managed_policies {
                let shown = policy.display();
                let name = shown
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or(&shown)
                    .trim()
                    .to_owned();
                if skip_managed(&name) {
                    continue;
                }
                let Some(patterns) = privilege::managed_policy(&name) else {
                    continue;
                };
                let unused: Vec<String> = patterns
                    .iter()
                    .filter(|p| !used(&needed, p))
                    .map(|p| (*p).to_owned())
                    .collect();
                let broad = patterns
                    .iter()
                    .any(|p| p.contains('*') && !ALWAYS.contains(p));
                if unused.is_empty() && !broad {
                    continue;
                }
                let grants = if unused.is_empty() {
                    format!(
                        "grants {} on every resource",
                        list(&patterns.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>())
                    )
                } else {
                    format!("grants {} that no code of {who} uses", list(&unused))
                };
                out.report(&policy.loc, format!("managed policy `{name}` {grants} (the code {uses})"))
                    .role(role)
                    .help("Replace the managed policy with statements scoped to what the code calls; `perimeter policy` prints them");
            }
        }
    }
}
