//! SAM policy templates (`DynamoDBCrudPolicy: {TableName: !Ref T}`) expanded to the IAM
//! statements they grant, from data tables of the public action lists.
//!
//! Resources are produced as `Fn::Sub` templates in which a parameter given as `!Ref X` or
//! `!GetAtt X.Y` is written `${X}` / `${X.Y}`, so [`crate::yaml::Node::referenced_ids`] still
//! names the resource the policy points at; a plain string parameter is substituted as text.

use perimeter_diagnostics::Loc;

use crate::model::Statement;
use crate::yaml::{Key, Node, Value};

/// One statement of a template: its actions and resource patterns. A pattern uses
/// `${Param}` for the template's parameters and `${AWS::...}` pseudo parameters.
struct Grant {
    actions: &'static [&'static str],
    resources: &'static [&'static str],
}

/// A policy template: its name and statements.
struct Template {
    name: &'static str,
    grants: &'static [Grant],
}

const TABLE: &str =
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}";
const TABLE_INDEX: &str =
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*";
const BUCKET: &str = "arn:${AWS::Partition}:s3:::${BucketName}";
const BUCKET_OBJECTS: &str = "arn:${AWS::Partition}:s3:::${BucketName}/*";
const QUEUE: &str = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}";
const TOPIC: &str = "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}";
const STREAM: &str =
    "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${StreamName}";
const KEY: &str = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}";
const IDENTITY: &str =
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${IdentityName}";
const ANY: &str = "*";

const DYNAMO_READ: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
];

/// The templates perimeter knows, by name.
const TEMPLATES: &[Template] = &[
    Template {
        name: "DynamoDBCrudPolicy",
        grants: &[Grant {
            actions: &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            resources: &[TABLE, TABLE_INDEX],
        }],
    },
    Template {
        name: "DynamoDBReadPolicy",
        grants: &[Grant {
            actions: DYNAMO_READ,
            resources: &[TABLE, TABLE_INDEX],
        }],
    },
    Template {
        name: "DynamoDBWritePolicy",
        grants: &[Grant {
            actions: &[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
            ],
            resources: &[TABLE, TABLE_INDEX],
        }],
    },
    Template {
        name: "DynamoDBStreamReadPolicy",
        grants: &[
            Grant {
                actions: &[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                resources: &[
                    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/stream/${StreamName}",
                ],
            },
            Grant {
                actions: &["dynamodb:ListStreams"],
                resources: &[
                    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/stream/*",
                ],
            },
        ],
    },
    Template {
        name: "DynamoDBReconfigurePolicy",
        grants: &[Grant {
            actions: &["dynamodb:UpdateTable"],
            resources: &[TABLE],
        }],
    },
    Template {
        name: "S3ReadPolicy",
        grants: &[Grant {
            actions: &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
            resources: &[BUCKET, BUCKET_OBJECTS],
        }],
    },
    Template {
        name: "S3CrudPolicy",
        grants: &[Grant {
            actions: &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            resources: &[BUCKET, BUCKET_OBJECTS],
        }],
    },
    Template {
        name: "S3WritePolicy",
        grants: &[Grant {
            actions: &[
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutLifecycleConfiguration",
            ],
            resources: &[BUCKET, BUCKET_OBJECTS],
        }],
    },
    Template {
        name: "S3FullAccessPolicy",
        grants: &[
            Grant {
                actions: &[
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:DeleteObject",
                    "s3:DeleteObjectTagging",
                    "s3:DeleteObjectVersionTagging",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                ],
                resources: &[BUCKET_OBJECTS],
            },
            Grant {
                actions: &[
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:GetLifecycleConfiguration",
                    "s3:PutLifecycleConfiguration",
                ],
                resources: &[BUCKET],
            },
        ],
    },
    Template {
        name: "SQSSendMessagePolicy",
        grants: &[Grant {
            actions: &["sqs:SendMessage*"],
            resources: &[QUEUE],
        }],
    },
    Template {
        name: "SQSPollerPolicy",
        grants: &[Grant {
            actions: &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            resources: &[QUEUE],
        }],
    },
    Template {
        name: "SNSPublishMessagePolicy",
        grants: &[Grant {
            actions: &["sns:Publish"],
            resources: &[TOPIC],
        }],
    },
    Template {
        name: "SNSCrudPolicy",
        grants: &[Grant {
            actions: &[
                "sns:ListSubscriptionsByTopic",
                "sns:CreateTopic",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Publish",
            ],
            resources: &[
                "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}*",
            ],
        }],
    },
    Template {
        name: "LambdaInvokePolicy",
        grants: &[Grant {
            actions: &["lambda:InvokeFunction"],
            resources: &[
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*",
            ],
        }],
    },
    Template {
        name: "StepFunctionsExecutionPolicy",
        grants: &[Grant {
            actions: &["states:StartExecution"],
            resources: &[
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${StateMachineName}",
            ],
        }],
    },
    Template {
        name: "AWSSecretsManagerGetSecretValuePolicy",
        grants: &[Grant {
            actions: &["secretsmanager:GetSecretValue"],
            resources: &["${SecretArn}"],
        }],
    },
    Template {
        name: "SSMParameterReadPolicy",
        grants: &[
            Grant {
                actions: &["ssm:DescribeParameters"],
                resources: &[ANY],
            },
            Grant {
                actions: &[
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParametersByPath",
                ],
                resources: &[
                    "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}",
                ],
            },
        ],
    },
    Template {
        name: "SSMParameterWithSlashPrefixReadPolicy",
        grants: &[
            Grant {
                actions: &["ssm:DescribeParameters"],
                resources: &[ANY],
            },
            Grant {
                actions: &[
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParametersByPath",
                ],
                resources: &[
                    "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ParameterName}",
                ],
            },
        ],
    },
    Template {
        name: "KMSDecryptPolicy",
        grants: &[Grant {
            actions: &["kms:Decrypt"],
            resources: &[KEY],
        }],
    },
    Template {
        name: "KMSEncryptPolicy",
        grants: &[Grant {
            actions: &["kms:Encrypt"],
            resources: &[KEY],
        }],
    },
    Template {
        name: "EventBridgePutEventsPolicy",
        grants: &[Grant {
            actions: &["events:PutEvents"],
            resources: &[
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}",
            ],
        }],
    },
    Template {
        name: "KinesisStreamReadPolicy",
        grants: &[
            Grant {
                actions: &["kinesis:ListStreams", "kinesis:DescribeLimits"],
                resources: &[
                    "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/*",
                ],
            },
            Grant {
                actions: &[
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                ],
                resources: &[STREAM],
            },
        ],
    },
    Template {
        name: "KinesisCrudPolicy",
        grants: &[Grant {
            actions: &[
                "kinesis:AddTagsToStream",
                "kinesis:CreateStream",
                "kinesis:DecreaseStreamRetentionPeriod",
                "kinesis:DeleteStream",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetShardIterator",
                "kinesis:IncreaseStreamRetentionPeriod",
                "kinesis:ListTagsForStream",
                "kinesis:MergeShards",
                "kinesis:PutRecord",
                "kinesis:PutRecords",
                "kinesis:SplitShard",
                "kinesis:RemoveTagsFromStream",
            ],
            resources: &[STREAM],
        }],
    },
    Template {
        name: "CloudWatchPutMetricPolicy",
        grants: &[Grant {
            actions: &["cloudwatch:PutMetricData"],
            resources: &[ANY],
        }],
    },
    Template {
        name: "CloudWatchDescribeAlarmHistoryPolicy",
        grants: &[Grant {
            actions: &["cloudwatch:DescribeAlarmHistory"],
            resources: &[ANY],
        }],
    },
    Template {
        name: "CloudWatchDashboardPolicy",
        grants: &[Grant {
            actions: &[
                "cloudwatch:GetDashboard",
                "cloudwatch:ListDashboards",
                "cloudwatch:PutDashboard",
                "cloudwatch:ListMetrics",
            ],
            resources: &[ANY],
        }],
    },
    Template {
        name: "SESCrudPolicy",
        grants: &[Grant {
            actions: &[
                "ses:GetIdentityVerificationAttributes",
                "ses:SendEmail",
                "ses:SendRawEmail",
                "ses:VerifyEmailIdentity",
            ],
            resources: &[IDENTITY],
        }],
    },
    Template {
        name: "SESSendBouncePolicy",
        grants: &[Grant {
            actions: &["ses:SendBounce"],
            resources: &[IDENTITY],
        }],
    },
    Template {
        name: "SESEmailTemplateCrudPolicy",
        grants: &[Grant {
            actions: &[
                "ses:CreateTemplate",
                "ses:GetTemplate",
                "ses:ListTemplates",
                "ses:UpdateTemplate",
                "ses:DeleteTemplate",
                "ses:TestRenderTemplate",
            ],
            resources: &[ANY],
        }],
    },
    Template {
        name: "VPCAccessPolicy",
        grants: &[Grant {
            actions: &[
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DetachNetworkInterface",
            ],
            resources: &[ANY],
        }],
    },
    Template {
        name: "AMIDescribePolicy",
        grants: &[Grant {
            actions: &["ec2:DescribeImages"],
            resources: &[ANY],
        }],
    },
    Template {
        name: "EC2DescribePolicy",
        grants: &[Grant {
            actions: &["ec2:DescribeRegions", "ec2:DescribeInstances"],
            resources: &[ANY],
        }],
    },
    Template {
        name: "CloudFormationDescribeStacksPolicy",
        grants: &[Grant {
            actions: &["cloudformation:DescribeStacks"],
            resources: &[
                "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*",
            ],
        }],
    },
    Template {
        name: "FilterLogEventsPolicy",
        grants: &[Grant {
            actions: &["logs:FilterLogEvents"],
            resources: &[
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroupName}:log-stream:*",
            ],
        }],
    },
    Template {
        name: "ElasticsearchHttpPostPolicy",
        grants: &[Grant {
            actions: &["es:ESHttpPost", "es:ESHttpPut"],
            resources: &[
                "arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/${DomainName}/*",
            ],
        }],
    },
    Template {
        name: "RekognitionDetectOnlyPolicy",
        grants: &[Grant {
            actions: &[
                "rekognition:DetectFaces",
                "rekognition:DetectLabels",
                "rekognition:DetectModerationLabels",
                "rekognition:DetectText",
            ],
            resources: &[ANY],
        }],
    },
    Template {
        name: "ComprehendBasicAccessPolicy",
        grants: &[Grant {
            actions: &[
                "comprehend:BatchDetectKeyPhrases",
                "comprehend:DetectDominantLanguage",
                "comprehend:DetectEntities",
                "comprehend:BatchDetectEntities",
                "comprehend:DetectKeyPhrases",
                "comprehend:DetectSentiment",
                "comprehend:BatchDetectDominantLanguage",
                "comprehend:BatchDetectSentiment",
            ],
            resources: &[ANY],
        }],
    },
    Template {
        name: "TextractPolicy",
        grants: &[Grant {
            actions: &["textract:*"],
            resources: &[ANY],
        }],
    },
    Template {
        name: "CodePipelineLambdaExecutionPolicy",
        grants: &[Grant {
            actions: &[
                "codepipeline:PutJobSuccessResult",
                "codepipeline:PutJobFailureResult",
            ],
            resources: &[ANY],
        }],
    },
];

/// Whether `name` is a policy template perimeter can expand.
pub fn is_known(name: &str) -> bool {
    TEMPLATES.iter().any(|t| t.name == name)
}

/// The names of every template perimeter can expand, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.name)
}

/// Expands the template `name` called with `params` (the map under the template's key; `{}`
/// or null for templates without parameters). `key_loc` is where the template is named: the
/// statements and their actions point there. `None` for an unknown template.
pub fn expand(name: &str, params: &Node, key_loc: &Loc) -> Option<Vec<Statement>> {
    let template = TEMPLATES.iter().find(|t| t.name == name)?;
    let statements = template
        .grants
        .iter()
        .map(|g| Statement {
            allow: true,
            actions: g
                .actions
                .iter()
                .map(|a| Node::new(Value::Str((*a).to_owned()), key_loc.clone()))
                .collect(),
            not_actions: Vec::new(),
            resources: g
                .resources
                .iter()
                .map(|r| resource(r, params, key_loc))
                .collect(),
            not_resources: Vec::new(),
            principal: None,
            condition: None,
            loc: key_loc.clone(),
            origin: name.to_owned(),
        })
        .collect();
    Some(statements)
}

/// Fills a resource pattern with the template's parameters.
fn resource(pattern: &str, params: &Node, loc: &Loc) -> Node {
    if pattern == ANY {
        return Node::new(Value::Str(ANY.to_owned()), loc.clone());
    }
    let mut out = String::new();
    // Parameters that are neither strings nor a Ref/GetAtt go to the Fn::Sub variable map.
    let mut vars: Vec<(Key, Node)> = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let var = &after[..j];
        rest = &after[j + 1..];
        if var.starts_with("AWS::") {
            out.push_str("${");
            out.push_str(var);
            out.push('}');
            continue;
        }
        match params.get(var) {
            Some(v) => match (v.as_str(), v.intrinsic()) {
                (Some(s), _) => out.push_str(s),
                (None, Some(("Ref", arg))) if arg.as_str().is_some() => {
                    out.push_str("${");
                    out.push_str(arg.as_str().unwrap_or_default());
                    out.push('}');
                }
                (None, Some(("Fn::GetAtt", arg))) => {
                    let parts: Vec<String> =
                        arg.items().iter().filter_map(|n| n.scalar_text()).collect();
                    out.push_str("${");
                    out.push_str(&parts.join("."));
                    out.push('}');
                }
                _ => match v.scalar_text() {
                    Some(text) if !v.is_symbolic() => out.push_str(&text),
                    _ => {
                        out.push_str("${");
                        out.push_str(var);
                        out.push('}');
                        if !vars.iter().any(|(k, _)| k.name == var) {
                            vars.push((
                                Key {
                                    name: var.to_owned(),
                                    loc: v.loc.clone(),
                                },
                                v.clone(),
                            ));
                        }
                    }
                },
            },
            // A missing parameter stays a placeholder: the grant's scope is unknown.
            None => {
                out.push_str("${");
                out.push_str(var);
                out.push('}');
            }
        }
    }
    out.push_str(rest);
    if !out.contains("${") {
        return Node::new(Value::Str(out), loc.clone());
    }
    let template = Node::new(Value::Str(out), loc.clone());
    let arg = if vars.is_empty() {
        template
    } else {
        Node::new(
            Value::Seq(vec![template, Node::new(Value::Map(vars), loc.clone())]),
            loc.clone(),
        )
    };
    Node::new(
        Value::Map(vec![(
            Key {
                name: "Fn::Sub".to_owned(),
                loc: loc.clone(),
            },
            arg,
        )]),
        loc.clone(),
    )
}
