//! The loader's entry points: recognising templates by content, loading bad input without
//! panicking, and `merge_resources` as the Serverless loader uses it.

use perimeter_diagnostics::{Loc, SourceFile, Span};
use perimeter_model::yaml::{self, Node};
use perimeter_model::{Application, EventKind, Framework, Function, Role, RoleOrigin, cfn};

fn parse(path: &str, text: &str) -> Node {
    yaml::parse(&SourceFile::new(path, text)).unwrap()
}

#[test]
fn templates_are_recognised_by_content() {
    let json = parse(
        "infra/stack.json",
        r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#,
    );
    assert_eq!(cfn::is_template(&json), Some(Framework::CloudFormation));
    let header = parse(
        "a.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n",
    );
    assert_eq!(cfn::is_template(&header), Some(Framework::CloudFormation));
    let sam = parse(
        "a.yaml",
        "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources: {}\n",
    );
    assert_eq!(cfn::is_template(&sam), Some(Framework::Sam));

    // Look-alikes.
    let compose = parse(
        "docker-compose.yml",
        "version: '3'\nservices:\n  web:\n    image: nginx\n",
    );
    assert_eq!(cfn::is_template(&compose), None);
    let untyped = parse("a.yaml", "Resources:\n  Thing:\n    Type: Custom\n");
    assert_eq!(cfn::is_template(&untyped), None);
    let serverless = parse(
        "serverless.yml",
        "service: x\nprovider: {name: aws}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    );
    assert_eq!(cfn::is_template(&serverless), None);
    assert_eq!(cfn::is_template(&parse("a.json", "[1, 2]")), None);
    assert_eq!(cfn::is_template(&parse("a.yaml", "")), None);
}

#[test]
fn bad_templates_load_with_errors() {
    let app = cfn::load("t.yaml", "", parse("t.yaml", "- a\n- b\n"));
    assert_eq!(app.errors.len(), 1);
    let app = cfn::load("t.yaml", "", parse("t.yaml", "Resources: [1]\n"));
    assert!(app.errors[0].message.contains("Resources"));
    let text = "Resources:\n  NoType:\n    Properties: {}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E: {Properties: {}}\n        Odd:\n          Type: NewKind\n      Policies: [42]\n  Weird:\n    Type: AWS::Lambda::Function\n    Properties: [not, a, map]\n";
    let app = cfn::load("t.yaml", "", parse("t.yaml", text));
    let lines: Vec<_> = app.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(2), Some(8), Some(11)], "{:?}", app.errors);
    let f = app.function("Fn").unwrap();
    assert_eq!(f.events.len(), 1);
    assert_eq!(
        (f.events[0].kind, f.events[0].type_name.as_str()),
        (EventKind::Other, "NewKind")
    );
    assert!(app.function("Weird").is_some());
}

#[test]
fn merge_resources_serves_the_serverless_loader() {
    // What the Serverless loader has built before calling: a function `hello` and the
    // shared provider role.
    let sls = SourceFile::new(
        "svc/serverless.yml",
        "functions:\n  hello:\n    handler: h.main\n",
    );
    let loc = Loc::new(&sls, Span::new(13, 18));
    let mut app = Application::new("svc/serverless.yml", Framework::Serverless, "svc");
    let mut hello = Function::new("hello", loc.clone());
    hello.name = Some(Node::new(
        perimeter_model::Value::Str("svc-dev-hello".into()),
        loc.clone(),
    ));
    hello.role = Some("<provider>".into());
    app.functions.push(hello);
    app.roles.push(Role {
        id: "<provider>".into(),
        loc,
        origin: RoleOrigin::ProviderShared,
        statements: Vec::new(),
        managed_policies: Vec::new(),
        functions: vec!["hello".into()],
    });

    let resources_text = "\
Conditions:
  Always: !Equals [a, a]
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !If [Always, uploads, other]
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt HelloLambdaFunction.Arn
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      Roles: [!Ref IamRoleLambdaExecution]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub arn:aws:s3:::${Uploads}/*
  ByName:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: svc-dev-hello
      Principal: s3.amazonaws.com
  Stream:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:svc-dev-hello
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs
";
    let file = SourceFile::new("svc/serverless.yml", resources_text);
    let block = yaml::parse(&file).unwrap();
    let mut errors = Vec::new();
    let mut ctx = cfn::Context::from_template(&block, Framework::Serverless, "svc", &mut errors);
    ctx.alias_function("HelloLambdaFunction", "hello")
        .alias_role("IamRoleLambdaExecution", "<provider>");
    cfn::merge_resources(&mut app, block.get("Resources").unwrap(), &ctx);

    assert!(
        errors.is_empty() && app.errors.is_empty(),
        "{errors:?} {:?}",
        app.errors
    );
    let hello = app.function("hello").unwrap();
    let kinds: Vec<_> = hello.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::S3, EventKind::Sqs]);
    assert_eq!(hello.events[0].loc.start().line, 10);
    let bucket = app.resource("Uploads").unwrap();
    assert_eq!(bucket.prop("BucketName").unwrap().as_str(), Some("uploads"));
    let provider = app.role("<provider>").unwrap();
    assert_eq!(provider.statements.len(), 1);
    assert_eq!(provider.statements[0].origin, "Extra");
    assert_eq!(
        provider.statements[0].resources[0].referenced_ids(),
        ["Uploads"]
    );
    assert_eq!(app.permissions.len(), 1);
    assert_eq!(app.resources.len(), 4);
}
