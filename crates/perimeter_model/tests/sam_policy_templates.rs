//! SAM policy templates: each family expands to its public actions, scoped to the resource
//! its parameters name; unknown templates are reported, not guessed.

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml::{self, Node};
use perimeter_model::{Application, cfn, sam_policies};

fn load(policies: &str) -> Application {
    let text = format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Runtime: python3.12\n      Policies:\n{policies}"
    );
    let file = SourceFile::new("template.yaml", text);
    cfn::load("template.yaml", "", yaml::parse(&file).unwrap())
}

fn actions(app: &Application, origin: &str) -> Vec<String> {
    app.role("FnRole")
        .unwrap()
        .statements
        .iter()
        .filter(|s| s.origin == origin)
        .flat_map(|s| {
            s.action_strs()
                .map(|(a, _)| a.to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn resources(app: &Application, origin: &str) -> Vec<String> {
    app.role("FnRole")
        .unwrap()
        .statements
        .iter()
        .filter(|s| s.origin == origin)
        .flat_map(|s| s.resources.iter().map(Node::display).collect::<Vec<_>>())
        .collect()
}

#[test]
fn every_family_expands() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "DynamoDBCrudPolicy",
            "TableName: !Ref T",
            &[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
            ],
            "table/${T}",
        ),
        (
            "DynamoDBReadPolicy",
            "TableName: !Ref T",
            &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            "table/${T}",
        ),
        (
            "DynamoDBWritePolicy",
            "TableName: !Ref T",
            &["dynamodb:PutItem", "dynamodb:BatchWriteItem"],
            "table/${T}",
        ),
        (
            "DynamoDBStreamReadPolicy",
            "{TableName: !Ref T, StreamName: s}",
            &["dynamodb:GetRecords", "dynamodb:ListStreams"],
            "table/${T}/stream/s",
        ),
        (
            "S3CrudPolicy",
            "BucketName: !Ref B",
            &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "s3:::${B}/*",
        ),
        (
            "S3ReadPolicy",
            "BucketName: !Ref B",
            &["s3:GetObject", "s3:ListBucket"],
            "s3:::${B}",
        ),
        (
            "S3WritePolicy",
            "BucketName: !Ref B",
            &["s3:PutObject"],
            "s3:::${B}/*",
        ),
        (
            "S3FullAccessPolicy",
            "BucketName: !Ref B",
            &["s3:DeleteObjectTagging", "s3:ListBucket"],
            "s3:::${B}",
        ),
        (
            "SQSSendMessagePolicy",
            "QueueName: !GetAtt Q.QueueName",
            &["sqs:SendMessage*"],
            ":${Q.QueueName}",
        ),
        (
            "SQSPollerPolicy",
            "QueueName: !GetAtt Q.QueueName",
            &["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            ":${Q.QueueName}",
        ),
        (
            "SNSPublishMessagePolicy",
            "TopicName: !GetAtt T.TopicName",
            &["sns:Publish"],
            ":${T.TopicName}",
        ),
        (
            "SNSCrudPolicy",
            "TopicName: topic",
            &["sns:Subscribe", "sns:Publish"],
            ":topic*",
        ),
        (
            "LambdaInvokePolicy",
            "FunctionName: !Ref Other",
            &["lambda:InvokeFunction"],
            "function:${Other}*",
        ),
        (
            "StepFunctionsExecutionPolicy",
            "StateMachineName: !GetAtt M.Name",
            &["states:StartExecution"],
            "stateMachine:${M.Name}",
        ),
        (
            "AWSSecretsManagerGetSecretValuePolicy",
            "SecretArn: !Ref S",
            &["secretsmanager:GetSecretValue"],
            "${S}",
        ),
        (
            "SSMParameterReadPolicy",
            "ParameterName: app/db",
            &["ssm:GetParameter", "ssm:DescribeParameters"],
            "parameter/app/db",
        ),
        (
            "KMSDecryptPolicy",
            "KeyId: !Ref K",
            &["kms:Decrypt"],
            "key/${K}",
        ),
        (
            "KMSEncryptPolicy",
            "KeyId: !Ref K",
            &["kms:Encrypt"],
            "key/${K}",
        ),
        (
            "EventBridgePutEventsPolicy",
            "EventBusName: default",
            &["events:PutEvents"],
            "event-bus/default",
        ),
        (
            "KinesisStreamReadPolicy",
            "StreamName: !Ref S",
            &["kinesis:GetRecords", "kinesis:ListStreams"],
            "stream/${S}",
        ),
        (
            "KinesisCrudPolicy",
            "StreamName: !Ref S",
            &["kinesis:PutRecord", "kinesis:DeleteStream"],
            "stream/${S}",
        ),
        (
            "CloudWatchPutMetricPolicy",
            "{}",
            &["cloudwatch:PutMetricData"],
            "*",
        ),
        (
            "SESCrudPolicy",
            "IdentityName: example.com",
            &["ses:SendEmail"],
            "identity/example.com",
        ),
        (
            "SESSendBouncePolicy",
            "IdentityName: example.com",
            &["ses:SendBounce"],
            "identity/example.com",
        ),
        (
            "VPCAccessPolicy",
            "{}",
            &["ec2:CreateNetworkInterface"],
            "*",
        ),
        ("AMIDescribePolicy", "{}", &["ec2:DescribeImages"], "*"),
    ];
    for (name, params, expected, resource) in cases {
        assert!(sam_policies::is_known(name), "{name}");
        let app = load(&format!("        - {name}:\n            {params}\n"));
        assert!(app.errors.is_empty(), "{name}: {:?}", app.errors);
        let got = actions(&app, name);
        for a in *expected {
            assert!(got.iter().any(|g| g == a), "{name}: {a} not in {got:?}");
        }
        let res = resources(&app, name);
        assert!(
            res.iter().any(|r| r.contains(resource)),
            "{name}: {resource} not in {res:?}"
        );
        // The statements point at the template's name.
        let role = app.role("FnRole").unwrap();
        let p = role.statements[0].loc.start();
        assert_eq!((p.line, p.column), (9, 11), "{name}");
    }
}

#[test]
fn read_and_write_templates_differ() {
    let app = load("        - DynamoDBReadPolicy:\n            TableName: t\n");
    let got = actions(&app, "DynamoDBReadPolicy");
    assert!(
        !got.iter()
            .any(|a| a == "dynamodb:PutItem" || a == "dynamodb:DeleteItem"),
        "{got:?}"
    );
    // A string parameter is substituted as text.
    assert!(resources(&app, "DynamoDBReadPolicy")[0].ends_with(":table/t"));
}

#[test]
fn unknown_templates_are_reported() {
    let app =
        load("        - MadeUpPolicy:\n            Thing: x\n        - AmazonDynamoDBFullAccess\n");
    assert_eq!(app.errors.len(), 1);
    assert!(app.errors[0].message.contains("MadeUpPolicy"));
    assert_eq!(app.errors[0].line, Some(9));
    let role = app.role("FnRole").unwrap();
    assert!(role.statements.is_empty());
    assert_eq!(
        role.managed_policies[0].as_str(),
        Some("AmazonDynamoDBFullAccess")
    );
}

#[test]
fn template_names_are_listed() {
    assert!(sam_policies::names().count() >= 26);
    assert!(!sam_policies::is_known("AmazonS3FullAccess"));
}
