//! Facts about IAM actions that rules need.

/// Actions of the standard Lambda statements that AWS documents on `*`: the VPC statement
/// (`AWSLambdaVPCAccessExecutionRole`, `AWSLambdaENIManagementAccess`), whose actions the IAM
/// definition lets name a network interface, but Lambda creates, attaches and deletes the
/// interfaces itself under ids no template can know, with the read-only `ec2:Describe*` that
/// AWS's managed policies grant on `*` beside it (a few attribute reads among them could
/// name an instance); and `logs:CreateLogGroup` of the basic execution statement. Whether any other action accepts a resource comes from the generated
/// table ([`perimeter_graph::privilege::accepts_resource`]).
pub const LAMBDA_STANDARD_ACTIONS: &[&str] = &[
    "logs:CreateLogGroup",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:DetachNetworkInterface",
    "ec2:AttachNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "ec2:Describe*",
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
