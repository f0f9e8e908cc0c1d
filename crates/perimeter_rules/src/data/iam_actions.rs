//! Facts about IAM actions that rules need.

/// Actions that do not support resource-level permissions (or are conventionally granted on
/// `*` by AWS's own managed policies), so `Resource: "*"` is the only way to grant them.
/// Patterns use IAM's `*` wildcard.
pub const NO_RESOURCE_LEVEL: &[&str] = &[
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "logs:CreateLogGroup",
    "logs:DescribeLogGroups",
    "cloudwatch:PutMetricData",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "cloudwatch:Describe*",
    "ec2:Describe*",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "sts:GetCallerIdentity",
    "s3:ListAllMyBuckets",
    "kms:ListKeys",
    "kms:ListAliases",
    "ssm:DescribeParameters",
    "secretsmanager:ListSecrets",
    "secretsmanager:GetRandomPassword",
    "dynamodb:ListTables",
    "sqs:ListQueues",
    "sns:ListTopics",
    "lambda:ListFunctions",
    "states:ListStateMachines",
    "events:ListRules",
    "kinesis:ListStreams",
    "iam:ListRoles",
    "tag:GetResources",
    "rekognition:Detect*",
    "comprehend:Detect*",
    "translate:TranslateText",
    "textract:AnalyzeDocument",
    "textract:DetectDocumentText",
    "polly:SynthesizeSpeech",
    "ses:SendEmail",
    "ses:SendRawEmail",
];

/// Services whose wildcard (`iam:*`) grants control over identities or keys: a service
/// wildcard on one of these is rated high.
pub const SENSITIVE_SERVICES: &[&str] = &[
    "iam",
    "sts",
    "kms",
    "secretsmanager",
    "organizations",
    "lambda",
    "cloudformation",
    "ssm",
];

/// Actions that let a principal raise its own privileges, with why.
pub const ESCALATION: &[(&str, &str)] = &[
    (
        "iam:CreatePolicyVersion",
        "can rewrite a policy it is attached to",
    ),
    (
        "iam:SetDefaultPolicyVersion",
        "can switch a policy to a more permissive version",
    ),
    (
        "iam:AttachRolePolicy",
        "can attach any managed policy to a role",
    ),
    (
        "iam:AttachUserPolicy",
        "can attach any managed policy to a user",
    ),
    (
        "iam:AttachGroupPolicy",
        "can attach any managed policy to a group",
    ),
    ("iam:PutRolePolicy", "can write an inline policy on a role"),
    ("iam:PutUserPolicy", "can write an inline policy on a user"),
    (
        "iam:PutGroupPolicy",
        "can write an inline policy on a group",
    ),
    (
        "iam:CreateAccessKey",
        "can mint access keys for another user",
    ),
    (
        "iam:CreateLoginProfile",
        "can set a console password for another user",
    ),
    (
        "iam:UpdateLoginProfile",
        "can change another user's console password",
    ),
    (
        "iam:UpdateAssumeRolePolicy",
        "can let itself assume any role",
    ),
    ("iam:AddUserToGroup", "can join a more privileged group"),
];

/// Write actions, by the service of a trigger, that can fire the trigger again.
pub const TRIGGER_WRITES: &[(&str, &[&str])] = &[
    ("s3", &["s3:PutObject", "s3:RestoreObject"]),
    ("sqs", &["sqs:SendMessage", "sqs:SendMessageBatch"]),
    ("sns", &["sns:Publish"]),
    (
        "dynamodb",
        &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
        ],
    ),
    ("kinesis", &["kinesis:PutRecord", "kinesis:PutRecords"]),
];
