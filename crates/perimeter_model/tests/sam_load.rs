//! The SAM loader on a template using every event type, globals, policy templates, roles
//! and API auth: resolved values and the line/column they point at.

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml::{self, Node};
use perimeter_model::{Application, Auth, EventKind, Framework, Function, RoleOrigin, cfn};

fn load(rel: &str) -> Application {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let file = SourceFile::new(rel, text);
    let doc = yaml::parse(&file).unwrap();
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    cfn::load(rel, dir, doc)
}

fn at(loc: &perimeter_diagnostics::Loc) -> (u32, u32) {
    let p = loc.start();
    (p.line, p.column)
}

fn func<'a>(app: &'a Application, id: &str) -> &'a Function {
    app.function(id)
        .unwrap_or_else(|| panic!("no function {id}"))
}

fn event(f: &Function, line: u32) -> &perimeter_model::Event {
    f.events
        .iter()
        .find(|e| e.loc.start().line == line)
        .unwrap_or_else(|| panic!("no event at line {line}"))
}

fn text(n: Option<&Node>) -> String {
    n.map(Node::display).unwrap_or_default()
}

#[test]
fn framework_parameters_and_code_dirs() {
    let app = load("sam/app.yaml");
    assert_eq!(app.framework, Framework::Sam);
    assert_eq!(
        cfn::is_template(app.document.as_ref().unwrap()),
        Some(Framework::Sam)
    );
    let names: Vec<_> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(names, ["OrdersFunction", "WorkerFunction"]);
    assert_eq!(app.parameters.len(), 3);
    let pw = app
        .parameters
        .iter()
        .find(|p| p.name == "DbPassword")
        .unwrap();
    assert!(pw.no_echo);
    assert_eq!(pw.type_name.as_deref(), Some("String"));
    assert_eq!(at(&pw.loc), (9, 3));
    assert_eq!(
        func(&app, "OrdersFunction").code_dir.as_deref(),
        Some("sam/src/orders")
    );
    assert_eq!(
        func(&app, "WorkerFunction").code_dir.as_deref(),
        Some("shared/worker")
    );
    assert_eq!(at(&func(&app, "OrdersFunction").loc), (56, 3));
    // Only unknown policy templates and the like would be errors.
    assert!(app.errors.is_empty(), "{:?}", app.errors);
}

#[test]
fn globals_merge_under_the_function() {
    let app = load("sam/app.yaml");
    let orders = func(&app, "OrdersFunction");
    assert_eq!(orders.runtime_str(), Some("python3.12"));
    assert_eq!(at(&orders.runtime.as_ref().unwrap().loc), (29, 14));
    assert_eq!(orders.timeout.as_ref().unwrap().as_i64(), Some(30));
    assert_eq!(text(orders.tracing.as_ref()), "Active");
    // Layers: global first, then the function's.
    let layers: Vec<_> = orders.layers.iter().map(Node::display).collect();
    assert_eq!(layers, ["!Ref CommonLayer", "!Ref ExtraLayer"]);
    // Environment.Variables merge key-wise; the function wins.
    let env: Vec<_> = orders.environment.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(env, ["TABLE", "LOG_LEVEL", "PASSWORD", "STAGE"]);
    let level = orders.env("LOG_LEVEL").unwrap();
    assert_eq!(level.value.as_str(), Some("debug"));
    assert_eq!(at(&level.name_loc), (69, 11));
    // The global STAGE is `!Ref Stage`, resolved to the default where it is written.
    let stage = orders.env("STAGE").unwrap();
    assert_eq!(stage.value.as_str(), Some("prod"));
    assert_eq!(at(&stage.value.loc), (36, 16));
    // NoEcho parameters stay behind their Ref.
    assert_eq!(
        orders.env("PASSWORD").unwrap().value.display(),
        "!Ref DbPassword"
    );
    // The worker runs nodejs but gets the global timeout.
    let worker = func(&app, "WorkerFunction");
    assert_eq!(worker.runtime_str(), Some("nodejs20.x"));
    assert_eq!(worker.timeout.as_ref().unwrap().as_i64(), Some(10));
    assert_eq!(at(&worker.timeout.as_ref().unwrap().loc), (30, 14));
}

#[test]
fn intrinsics_resolve_through_mappings_and_conditions() {
    let app = load("sam/app.yaml");
    let orders = func(&app, "OrdersFunction");
    let memory = orders.memory.as_ref().unwrap();
    assert_eq!(memory.as_i64(), Some(1024));
    assert_eq!(at(&memory.loc), (62, 19));
    let reserved = orders.reserved_concurrency.as_ref().unwrap();
    assert_eq!(reserved.as_i64(), Some(50));
}

#[test]
fn generated_role_holds_expanded_policy_templates() {
    let app = load("sam/app.yaml");
    let orders = func(&app, "OrdersFunction");
    assert_eq!(orders.role.as_deref(), Some("OrdersFunctionRole"));
    let role = app.role_of(orders).unwrap();
    assert_eq!(role.origin, RoleOrigin::PerFunction);
    assert_eq!(role.functions, ["OrdersFunction"]);
    assert_eq!(at(&role.loc), (71, 7));
    let managed: Vec<_> = role.managed_policies.iter().map(Node::display).collect();
    assert_eq!(managed, ["AWSLambdaBasicExecutionRole"]);

    let crud = role
        .statements
        .iter()
        .find(|s| s.origin == "DynamoDBCrudPolicy")
        .unwrap();
    assert_eq!(at(&crud.loc), (72, 11));
    let actions: Vec<_> = crud.action_strs().map(|(a, _)| a).collect();
    assert!(
        actions.contains(&"dynamodb:PutItem") && actions.contains(&"dynamodb:DeleteItem"),
        "{actions:?}"
    );
    assert_eq!(crud.resources.len(), 2);
    assert_eq!(crud.resources[0].referenced_ids(), ["OrdersTable"]);
    assert_eq!(
        crud.resources[1].display(),
        "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}/index/*"
    );

    let s3 = role
        .statements
        .iter()
        .find(|s| s.origin == "S3ReadPolicy")
        .unwrap();
    assert_eq!(
        s3.resources[0].display(),
        "!Sub arn:${AWS::Partition}:s3:::uploads-bucket"
    );
    assert!(!s3.action_strs().any(|(a, _)| a == "s3:PutObject"));

    let sqs = role
        .statements
        .iter()
        .find(|s| s.origin == "SQSSendMessagePolicy")
        .unwrap();
    assert_eq!(sqs.resources[0].referenced_ids(), ["OrdersQueue"]);
    assert_eq!(
        sqs.action_strs().map(|(a, _)| a).collect::<Vec<_>>(),
        ["sqs:SendMessage*"]
    );

    let inline = role
        .statements
        .iter()
        .find(|s| s.origin == "inline")
        .unwrap();
    assert_eq!(at(&inline.loc), (80, 15));
    assert_eq!(
        inline.action_strs().map(|(a, _)| a).collect::<Vec<_>>(),
        ["ssm:GetParameter"]
    );
    // `${Stage}` is substituted with the parameter's default; pseudo parameters stay.
    assert_eq!(
        inline.resources[0].display(),
        "!Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/prod/*"
    );
}

#[test]
fn declared_role_through_getatt_replaces_policies() {
    let app = load("sam/app.yaml");
    let worker = func(&app, "WorkerFunction");
    assert_eq!(worker.role.as_deref(), Some("WorkerRole"));
    let role = app.role_of(worker).unwrap();
    assert_eq!(role.origin, RoleOrigin::Declared);
    assert_eq!(role.functions, ["WorkerFunction"]);
    assert_eq!(at(&role.loc), (225, 3));
    assert_eq!(role.statements.len(), 1);
    assert_eq!(role.statements[0].action_strs().next().unwrap().0, "s3:*");
    assert_eq!(at(&role.statements[0].loc), (239, 17));
    assert_eq!(
        role.managed_policies[0].as_str(),
        Some("arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    );
    // Policies are ignored when a role is given: no generated role.
    assert!(app.role("WorkerFunctionRole").is_none());
    // The trust policy is kept with the resource.
    assert!(
        app.resource("WorkerRole")
            .unwrap()
            .prop("AssumeRolePolicyDocument")
            .is_some()
    );
}

#[test]
fn api_auth_default_and_overrides() {
    let app = load("sam/app.yaml");
    let orders = func(&app, "OrdersFunction");
    // Implicit REST API: the Globals.Api default authorizer (Cognito).
    let get = event(orders, 84).route.as_ref().unwrap();
    assert_eq!(
        (get.method.as_str(), get.path.as_str(), get.api.as_deref()),
        ("GET", "/orders", None)
    );
    match &get.auth {
        Auth::Authorizer { kind, name, loc } => {
            assert_eq!((kind.as_str(), name.as_str()), ("cognito", "CognitoAuth"));
            assert_eq!(at(loc), (41, 26));
        }
        other => panic!("{other:?}"),
    }
    // `Authorizer: NONE` overrides the default.
    let health = event(orders, 89).route.as_ref().unwrap();
    assert!(matches!(health.auth, Auth::None));
    assert!(!health.api_key_required);
    // An explicit API with AWS_IAM by default.
    let private = event(orders, 96).route.as_ref().unwrap();
    assert_eq!(private.api.as_deref(), Some("AdminApi"));
    assert!(matches!(&private.auth, Auth::Authorizer { kind, .. } if kind == "aws_iam"));
    let keyed = event(orders, 102).route.as_ref().unwrap();
    assert!(matches!(keyed.auth, Auth::None));
    assert!(keyed.api_key_required);
    // HTTP API: default JWT authorizer, `$default` route when no path is given.
    let http = event(orders, 111);
    assert_eq!(http.kind, EventKind::HttpApi);
    let r = http.route.as_ref().unwrap();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("ANY", "$default"));
    assert!(matches!(&r.auth, Auth::Authorizer { kind, .. } if kind == "jwt"));
    assert!(matches!(
        event(orders, 113).route.as_ref().unwrap().auth,
        Auth::None
    ));
    assert!(orders.is_internet_facing());

    let implicit = app
        .apis
        .iter()
        .find(|a| a.id == cfn::IMPLICIT_REST_API)
        .unwrap();
    assert_eq!(implicit.protocol, "rest");
    assert_eq!(text(implicit.tracing.as_ref()), "true");
    assert!(
        app.apis
            .iter()
            .any(|a| a.id == cfn::IMPLICIT_HTTP_API && a.protocol == "http")
    );
    let admin = app.apis.iter().find(|a| a.id == "AdminApi").unwrap();
    assert_eq!(at(&admin.loc), (243, 3));
    assert!(
        matches!(&admin.default_auth, Some(Auth::Authorizer { kind, .. }) if kind == "aws_iam")
    );
    assert!(admin.resource_policy.is_some());
    assert!(admin.throttling.is_some());
    assert!(
        admin
            .access_logging
            .as_ref()
            .unwrap()
            .get("DestinationArn")
            .is_some()
    );
    assert_eq!(text(admin.cors.as_ref()), "'*'");
}

#[test]
fn every_sam_event_type() {
    let app = load("sam/app.yaml");
    let worker = func(&app, "WorkerFunction");
    let kinds: Vec<_> = worker
        .events
        .iter()
        .map(|e| (e.type_name.as_str(), e.kind, e.loc.start().line))
        .collect();
    assert_eq!(
        kinds,
        [
            ("SQS", EventKind::Sqs, 143),
            ("SNS", EventKind::Sns, 148),
            ("S3", EventKind::S3, 152),
            ("DynamoDB", EventKind::DynamoDbStream, 164),
            ("Kinesis", EventKind::KinesisStream, 169),
            ("Schedule", EventKind::Schedule, 174),
            ("ScheduleV2", EventKind::Schedule, 178),
            ("EventBridgeRule", EventKind::EventBridge, 182),
            ("CloudWatchEvent", EventKind::EventBridge, 188),
            ("CloudWatchLogs", EventKind::CloudWatchLog, 193),
            ("Cognito", EventKind::Cognito, 198),
            ("IoTRule", EventKind::Iot, 203),
            ("AlexaSkill", EventKind::Alexa, 207),
            ("MQ", EventKind::Kafka, 209),
            ("MSK", EventKind::Kafka, 214),
            ("SelfManagedKafka", EventKind::Kafka, 219),
        ]
    );
    assert!(worker.events.iter().all(|e| e.loc.start().column == 9));
    assert_eq!(
        text(event(worker, 143).source.as_ref()),
        "!GetAtt OrdersQueue.Arn"
    );
    assert_eq!(text(event(worker, 148).source.as_ref()), "!Ref OrdersTopic");
    assert_eq!(
        text(event(worker, 164).source.as_ref()),
        "!GetAtt OrdersTable.StreamArn"
    );
    assert_eq!(
        at(&event(worker, 164).source.as_ref().unwrap().loc),
        (167, 21)
    );
    assert_eq!(text(event(worker, 182).source.as_ref()), "!Ref OrdersBus");
    assert!(event(worker, 188).source.is_none());
    assert_eq!(text(event(worker, 193).source.as_ref()), "!Ref AppLogs");
    assert_eq!(text(event(worker, 209).source.as_ref()), "!GetAtt Mq.Arn");
    let upload = event(worker, 152);
    let filters: Vec<_> = upload
        .filters
        .iter()
        .map(|f| (f.name.as_str(), text(Some(&f.value))))
        .collect();
    assert_eq!(
        filters,
        [
            ("prefix", "uploads/".to_owned()),
            ("suffix", ".csv".to_owned())
        ]
    );
    assert_eq!(at(&upload.filters[0].value.loc), (161, 28));
    assert_eq!(
        event(worker, 143)
            .properties
            .as_ref()
            .unwrap()
            .get("BatchSize")
            .unwrap()
            .as_i64(),
        Some(10)
    );
}

#[test]
fn function_settings_url_dlq_and_resources() {
    let app = load("sam/app.yaml");
    let worker = func(&app, "WorkerFunction");
    let url = worker.url.as_ref().unwrap();
    assert_eq!(text(url.auth_type.as_ref()), "NONE");
    assert_eq!(at(&url.loc), (130, 7));
    assert!(url.cors.is_some());
    assert!(worker.is_internet_facing());
    assert_eq!(
        text(worker.dead_letter.as_ref().and_then(|d| d.get("TargetArn"))),
        "!GetAtt DeadLetters.Arn"
    );
    assert_eq!(
        worker
            .async_config
            .as_ref()
            .unwrap()
            .get("MaximumRetryAttempts")
            .unwrap()
            .as_i64(),
        Some(0)
    );
    assert_eq!(text(worker.recursive_loop.as_ref()), "Allow");
    assert_eq!(
        text(worker.tags.as_ref().and_then(|t| t.get("team"))),
        "orders"
    );
    // Resources: everything that is not a function, SAM ones included.
    for (id, ty) in [
        ("OrdersTable", "AWS::Serverless::SimpleTable"),
        ("CommonLayer", "AWS::Serverless::LayerVersion"),
        ("Flow", "AWS::Serverless::StateMachine"),
        ("Nested", "AWS::Serverless::Application"),
        ("AdminApi", "AWS::Serverless::Api"),
        ("WorkerRole", "AWS::IAM::Role"),
    ] {
        assert_eq!(
            app.resource(id).map(|r| r.type_name.as_str()),
            Some(ty),
            "{id}"
        );
    }
    assert!(app.resource("OrdersFunction").is_none());
    // The state machine keeps its definition; its policies go to its own role.
    let flow = app.resource("Flow").unwrap();
    assert_eq!(
        flow.prop("Definition").unwrap().referenced_ids(),
        ["WorkerFunction"]
    );
    let sm_role = app.role("FlowRole").unwrap();
    assert!(sm_role.functions.is_empty());
    assert_eq!(
        sm_role.statements[0].action_strs().next().unwrap().0,
        "lambda:InvokeFunction"
    );
    assert_eq!(
        sm_role.statements[0].resources[0].referenced_ids(),
        ["WorkerFunction"]
    );
}

/// The aws-serverless-shopping-cart construct: multi-line flow collections whose closing
/// bracket sits at the key's column. SAM (PyYAML) reads it, so every function loads, with
/// its handler and the line it is declared on.
#[test]
fn flow_collections_closed_at_the_key_column_load_every_function() {
    let app = load("sam/flow_bracket_at_key_column.yaml");
    assert_eq!(app.framework, Framework::Sam);
    let names: Vec<_> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(names, ["ListItems", "AddItem"]);
    let list = func(&app, "ListItems");
    assert_eq!(text(list.handler.as_ref()), "list.handler");
    assert_eq!(at(&list.loc).0, 16);
    assert_eq!(list.handler.as_ref().unwrap().loc.start().line, 20);
    let add = func(&app, "AddItem");
    assert_eq!(text(add.handler.as_ref()), "add.handler");
    assert_eq!(at(&add.loc).0, 36);
    assert_eq!(add.handler.as_ref().unwrap().loc.start().line, 40);
    let post = event(add, 45);
    assert_eq!(post.kind, EventKind::Http);
    assert_eq!(post.type_name, "Api");
}
