//! Least privilege: the IAM actions each function's code needs, from its AWS SDK calls and
//! the generated operation-to-action table, and the resources it touches; compared with what
//! its role grants.

use perimeter_code::{FunctionSummary, ResourceExpr};
use perimeter_diagnostics::Loc;
use perimeter_model::{Application, Function, Node, Statement};

use crate::generated::sdk_actions::{EXCEPTIONS, OPERATIONS, UNSIGNED};
use crate::{Target, expr_targets};

/// The IAM actions one SDK operation needs, and whether the operation is known to the
/// service model (an unknown one is mapped to `prefix:Operation` all the same).
pub fn actions_for(prefix: &str, operation: &str) -> (Vec<String>, bool) {
    // Served without a signature: no IAM action is evaluated.
    if UNSIGNED
        .iter()
        .any(|(p, ops)| *p == prefix && ops.binary_search(&operation).is_ok())
    {
        return (Vec::new(), true);
    }
    for (p, svc, ops) in OPERATIONS {
        if *p != prefix || ops.binary_search(&operation).is_err() {
            continue;
        }
        if let Some((_, _, actions)) = EXCEPTIONS
            .iter()
            .find(|(s, o, _)| s == svc && *o == operation)
        {
            return (actions.iter().map(|a| (*a).to_owned()).collect(), true);
        }
        return (vec![format!("{prefix}:{operation}")], true);
    }
    (vec![format!("{prefix}:{operation}")], false)
}

/// One permission the code needs.
#[derive(Clone, Debug)]
pub struct Need {
    /// The IAM action.
    pub action: String,
    /// The resource: a target of the model, a literal, or unknown (`None`).
    pub resource: Option<Target>,
    /// The SDK call that needs it.
    pub loc: Loc,
    /// Whether the operation is in the service model.
    pub known: bool,
    /// For DynamoDB: the index the call reads (its ARN is the table's `/index/NAME`).
    pub index: Option<String>,
}

/// Actions that are permissions only, not API operations: authorised when another call
/// hands something over (`iam:PassRole`), so absent from the service model.
const PERMISSION_ONLY: &[&str] = &["iam:PassRole"];

/// The SDK calls of a function whose needs are not known: an operation chosen at run time,
/// or one the model of its service does not know (a helper method the analysis took for an
/// operation). For a service the generated table does not cover, `prefix:Operation` is taken
/// as the action. A least-privilege verdict on such a function is incomplete.
pub fn unresolved(summary: &FunctionSummary) -> Vec<&perimeter_code::SdkCall> {
    summary
        .sdk_calls
        .iter()
        .filter(|c| c.is_aws())
        .filter(|c| {
            c.is_dynamic()
                || (OPERATIONS.iter().any(|(p, _, _)| *p == c.service)
                    && !actions_for(&c.service, &c.operation).1
                    && !PERMISSION_ONLY
                        .contains(&format!("{}:{}", c.service, c.operation).as_str()))
        })
        .collect()
}

/// The AWS SDK or DynamoDB mapper a function's code imports when none of its calls was
/// recognised (a client wrapped in a form the analysis does not follow, a model built by a
/// dependency-injection container): what the code needs is then not known.
pub fn unrecognised_sdk(summary: &FunctionSummary) -> Option<&str> {
    if summary
        .sdk_calls
        .iter()
        .any(perimeter_code::SdkCall::is_aws)
    {
        return None;
    }
    summary
        .imports
        .iter()
        .find(|i| {
            matches!(
                i.as_str(),
                "aws-sdk" | "boto3" | "aioboto3" | "dynamoose" | "pynamodb"
            ) || i.starts_with("@aws-sdk/")
        })
        .map(String::as_str)
}

/// Where a function's least-privilege verdict is incomplete: the places (`path:line`) of
/// its unresolved calls, or the SDK it imports without a recognised call (sorted).
pub fn incomplete(summary: &FunctionSummary) -> Vec<String> {
    let mut out: Vec<String> = unresolved(summary)
        .into_iter()
        .map(|c| format!("{}:{}", c.loc.path(), c.loc.start().line))
        .collect();
    if let Some(sdk) = unrecognised_sdk(summary) {
        out.push(format!("{sdk} imported, no call of it recognised"));
    }
    out.sort();
    out.dedup();
    out
}

/// What a function's code needs, call by call, sorted by action.
pub fn needs(app: &Application, f: &Function, summary: &FunctionSummary) -> Vec<Need> {
    let mut out = Vec::new();
    for call in summary
        .sdk_calls
        .iter()
        .filter(|c| c.is_aws() && !c.is_dynamic())
    {
        let (actions, known) = actions_for(&call.service, &call.operation);
        let targets = match &call.resource {
            ResourceExpr::Unknown(_) | ResourceExpr::Pattern(_) => Vec::new(),
            expr => expr_targets(app, f, expr),
        };
        for action in actions {
            if targets.is_empty() {
                out.push(Need {
                    action: action.clone(),
                    resource: None,
                    loc: call.loc.clone(),
                    known,
                    index: call.index.clone(),
                });
            }
            for t in &targets {
                out.push(Need {
                    action: action.clone(),
                    resource: Some(t.clone()),
                    loc: call.loc.clone(),
                    known,
                    index: call.index.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.action, &a.resource, &a.index).cmp(&(&b.action, &b.resource, &b.index)));
    out
}

/// Whether an IAM action pattern (`s3:*`, `dynamodb:Get*`, `*`) matches an action, as IAM
/// compares them: case-insensitively, `*` any run and `?` one character.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(
        pattern.to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard match with one backtrack point: linear in practice, never recursive.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// The actions an Allow statement grants that match `action`.
pub fn statement_allows(stmt: &Statement, action: &str) -> bool {
    if !stmt.allow {
        return false;
    }
    if !stmt.not_actions.is_empty() {
        return !stmt
            .not_actions
            .iter()
            .filter_map(Node::as_str)
            .any(|p| action_matches(p, action));
    }
    stmt.actions
        .iter()
        .filter_map(Node::as_str)
        .any(|p| action_matches(p, action))
}

/// Whether the actions an IAM action pattern grants accept a resource (resource-level
/// permissions), from the generated IAM definition table: `Some(true)` when the action does
/// (`dynamodb:GetItem`), or any action a wildcard matches does (`sns:*`, `s3:List*`);
/// `Some(false)` when every matched action accepts only `*` (`xray:PutTraceSegments`,
/// `sts:GetCallerIdentity`); `None` when no known action matches (an unknown service or a
/// typo).
pub fn accepts_resource(pattern: &str) -> Option<bool> {
    let (prefix, name) = pattern.trim().split_once(':')?;
    if prefix.contains(['*', '?']) {
        return None;
    }
    let (_, scoped, unscoped) = crate::generated::iam_resources::ACTIONS
        .iter()
        .find(|(p, _, _)| p.eq_ignore_ascii_case(prefix))?;
    let count = |list: &str| {
        list.split(' ')
            .filter(|a| !a.is_empty() && action_matches(name, a))
            .count()
    };
    // A wildcard grants every action it matches: one that accepts a resource makes the grant
    // one that could have named its resources (`sns:*` publishes to every topic).
    match (count(scoped), count(unscoped)) {
        (0, 0) => None,
        (yes, _) => Some(yes > 0),
    }
}

/// What broad AWS managed policies grant, as action patterns (facts from the published
/// policy documents, reduced to what matters for comparison with code needs).
pub const MANAGED_POLICIES: &[(&str, &[&str])] = &[
    ("AdministratorAccess", &["*"]),
    ("PowerUserAccess", &["*"]),
    ("ReadOnlyAccess", &["*:Get*", "*:List*", "*:Describe*"]),
    (
        "AWSLambdaBasicExecutionRole",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    (
        "AWSLambdaExecute",
        &["logs:*", "s3:GetObject", "s3:PutObject"],
    ),
    ("AWSLambdaRole", &["lambda:InvokeFunction"]),
    (
        "AWSLambda_FullAccess",
        &[
            "lambda:*",
            "s3:*",
            "dynamodb:*",
            "logs:*",
            "iam:PassRole",
            "cloudformation:*",
            "events:*",
            "sns:*",
            "sqs:*",
            "kinesis:*",
            "states:*",
            "xray:*",
            "tag:*",
            "ec2:Describe*",
        ],
    ),
    (
        "AWSLambdaFullAccess",
        &[
            "lambda:*",
            "s3:*",
            "dynamodb:*",
            "logs:*",
            "iam:PassRole",
            "cloudformation:*",
            "events:*",
            "sns:*",
            "sqs:*",
            "kinesis:*",
            "xray:*",
        ],
    ),
    (
        "AWSLambdaVPCAccessExecutionRole",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        ],
    ),
    (
        "AWSLambdaSQSQueueExecutionRole",
        &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    (
        "AWSLambdaDynamoDBExecutionRole",
        &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    (
        "AWSLambdaKinesisExecutionRole",
        &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
    ),
    (
        "AWSXRayDaemonWriteAccess",
        &[
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:GetSamplingStatisticSummaries",
        ],
    ),
    (
        "AWSXrayWriteOnlyAccess",
        &[
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:GetSamplingStatisticSummaries",
        ],
    ),
    ("AmazonS3FullAccess", &["s3:*", "s3-object-lambda:*"]),
    (
        "AmazonS3ReadOnlyAccess",
        &[
            "s3:Get*",
            "s3:List*",
            "s3:Describe*",
            "s3-object-lambda:Get*",
            "s3-object-lambda:List*",
        ],
    ),
    (
        "AmazonDynamoDBFullAccess",
        &[
            "dynamodb:*",
            "dax:*",
            "application-autoscaling:*",
            "cloudwatch:*",
            "iam:PassRole",
            "kms:DescribeKey",
            "kms:ListAliases",
            "sns:*",
            "lambda:*",
            "ec2:Describe*",
        ],
    ),
    (
        "AmazonDynamoDBReadOnlyAccess",
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:Describe*",
            "dynamodb:List*",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:PartiQLSelect",
            "cloudwatch:Get*",
            "cloudwatch:List*",
        ],
    ),
    ("AmazonSQSFullAccess", &["sqs:*"]),
    ("AmazonSNSFullAccess", &["sns:*"]),
    ("AmazonSESFullAccess", &["ses:*"]),
    ("AmazonKinesisFullAccess", &["kinesis:*"]),
    (
        "AmazonCognitoPowerUser",
        &[
            "cognito-identity:*",
            "cognito-idp:*",
            "cognito-sync:*",
            "iam:ListRoles",
            "iam:ListOpenIdConnectProviders",
            "sns:ListPlatformApplications",
        ],
    ),
    ("CloudWatchLogsFullAccess", &["logs:*"]),
    (
        "CloudWatchFullAccess",
        &[
            "cloudwatch:*",
            "logs:*",
            "events:*",
            "autoscaling:Describe*",
            "sns:*",
            "iam:GetPolicy",
        ],
    ),
    (
        "SecretsManagerReadWrite",
        &[
            "secretsmanager:*",
            "kms:DescribeKey",
            "kms:ListAliases",
            "kms:ListKeys",
            "lambda:*",
            "rds:Describe*",
            "redshift:Describe*",
            "tag:GetResources",
            "ec2:Describe*",
        ],
    ),
    (
        "AmazonSSMFullAccess",
        &[
            "ssm:*",
            "ec2messages:*",
            "ssmmessages:*",
            "cloudwatch:*",
            "iam:PassRole",
            "ds:*",
            "ec2:Describe*",
        ],
    ),
    (
        "AmazonSSMReadOnlyAccess",
        &["ssm:Describe*", "ssm:Get*", "ssm:List*"],
    ),
    (
        "IAMFullAccess",
        &["iam:*", "organizations:Describe*", "organizations:List*"],
    ),
    ("AWSStepFunctionsFullAccess", &["states:*", "iam:PassRole"]),
    (
        "AmazonEventBridgeFullAccess",
        &[
            "events:*",
            "schemas:*",
            "scheduler:*",
            "pipes:*",
            "iam:PassRole",
        ],
    ),
    ("AmazonAPIGatewayInvokeFullAccess", &["execute-api:*"]),
];

/// The managed policy a name or ARN designates (`arn:aws:iam::aws:policy/service-role/X`).
pub fn managed_policy(name_or_arn: &str) -> Option<&'static [&'static str]> {
    let name = name_or_arn.rsplit('/').next().unwrap_or(name_or_arn);
    MANAGED_POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
}

/// Whether a statement's `Condition` restricts the caller (source account, ARN, VPC,
/// organisation or endpoint), so a `*` principal is not the whole world.
pub fn condition_restricts(condition: Option<&Node>) -> bool {
    const KEYS: &[&str] = &[
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceOwner",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgID",
        // KMS key policies: only callers of this account, through a named service.
        "kms:CallerAccount",
    ];
    // `{ Operator: { key: values } }`: the keys sit under the operators. Either level may be
    // an `Fn::If` of the template: it restricts when both of its branches do.
    fn restricts(n: &Node, level: usize, depth: usize) -> bool {
        if depth > 8 {
            return false;
        }
        if let Some(("Fn::If", args)) = n.intrinsic() {
            let items = args.items();
            return items.len() == 3 && items[1..].iter().all(|b| restricts(b, level, depth + 1));
        }
        n.entries().iter().any(|(k, v)| {
            if level == 0 {
                restricts(v, 1, depth + 1)
            } else {
                KEYS.iter().any(|key| k.name.eq_ignore_ascii_case(key))
            }
        })
    }
    condition.is_some_and(|c| restricts(c, 0, 0))
}

/// Whether a resource policy statement lets anyone (`*`, `{"AWS": "*"}`) do `action`, with
/// no condition narrowing who.
pub fn open_to_anyone(stmt: &Statement, action: &str) -> bool {
    let anyone = stmt.principal.as_ref().is_some_and(|p| {
        let values: Vec<&Node> = match &p.value {
            perimeter_model::yaml::Value::Map(entries) => {
                entries.iter().flat_map(|(_, v)| v.items()).collect()
            }
            _ => p.items(),
        };
        values.iter().any(|v| v.as_str() == Some("*"))
    });
    anyone && statement_allows(stmt, action) && !condition_restricts(stmt.condition.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        let file = perimeter_diagnostics::SourceFile::new("t.yaml", text);
        perimeter_model::yaml::parse(&file).unwrap()
    }

    #[test]
    fn a_condition_restricts_the_caller_in_every_branch_of_the_template() {
        let restricted = yaml(
            "ArnLike:\n  Fn::If:\n    - Gov\n    - aws:PrincipalArn: arn:aws-us-gov:iam::1:role/a\n    - aws:PrincipalArn: arn:aws:iam::1:role/a\n",
        );
        assert!(condition_restricts(Some(&restricted)));
        let one_branch = yaml(
            "Fn::If:\n  - Gov\n  - StringEquals: { aws:SourceAccount: '1' }\n  - Ref: AWS::NoValue\n",
        );
        assert!(!condition_restricts(Some(&one_branch)));
        let plain = yaml("StringEquals: { aws:SourceAccount: '1' }\n");
        assert!(condition_restricts(Some(&plain)));
        let other = yaml("Bool: { aws:SecureTransport: 'true' }\n");
        assert!(!condition_restricts(Some(&other)));
    }

    #[test]
    fn operations_served_without_a_signature_need_no_action() {
        assert_eq!(
            actions_for("cognito-idp", "InitiateAuth"),
            (Vec::new(), true)
        );
        assert_eq!(
            actions_for("sts", "AssumeRoleWithWebIdentity").0,
            Vec::<String>::new()
        );
        assert_eq!(
            actions_for("cognito-idp", "AdminGetUser").0,
            ["cognito-idp:AdminGetUser"]
        );
    }

    #[test]
    fn maps_operations_to_actions() {
        assert_eq!(
            actions_for("sqs", "SendMessage"),
            (vec!["sqs:SendMessage".to_owned()], true)
        );
        assert_eq!(
            actions_for("sqs", "SendMessageBatch").0,
            ["sqs:SendMessage"]
        );
        assert_eq!(actions_for("lambda", "Invoke").0, ["lambda:InvokeFunction"]);
        assert_eq!(actions_for("s3", "ListObjectsV2").0, ["s3:ListBucket"]);
        assert_eq!(
            actions_for("states", "StartExecution"),
            (vec!["states:StartExecution".to_owned()], true)
        );
        assert!(!actions_for("sqs", "NoSuchOperation").1);
    }

    #[test]
    fn resource_level_permissions_from_the_generated_table() {
        assert_eq!(accepts_resource("dynamodb:GetItem"), Some(true));
        assert_eq!(accepts_resource("s3:*"), Some(true));
        assert_eq!(accepts_resource("xray:PutTraceSegments"), Some(false));
        assert_eq!(
            accepts_resource("ec2:DescribeNetworkInterfaces"),
            Some(false)
        );
        assert_eq!(accepts_resource("EC2:describenetwork*"), Some(false));
        assert_eq!(accepts_resource("sns:*"), Some(true));
        assert_eq!(accepts_resource("s3:List*"), Some(true));
        assert_eq!(accepts_resource("sts:GetCallerIdentity"), Some(false));
        assert_eq!(accepts_resource("nosuchservice:Get"), None);
        assert_eq!(accepts_resource("dynamodb:NoSuchAction"), None);
        assert_eq!(accepts_resource("*"), None);
    }

    #[test]
    fn iam_wildcards() {
        assert!(action_matches("s3:*", "s3:PutObject"));
        assert!(action_matches("S3:put*", "s3:PutObject"));
        assert!(action_matches("*", "dynamodb:PutItem"));
        assert!(action_matches("dynamodb:?etItem", "dynamodb:GetItem"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
    }
}
