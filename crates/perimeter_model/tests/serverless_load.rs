//! The Serverless Framework loader: every event type, the provider and function settings,
//! roles, and every variable source, with resolved values and their line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

use perimeter_diagnostics::{Position, SourceFile};
use perimeter_model::serverless::{self, FileReader, LoadOptions};
use perimeter_model::{Application, Auth, EventKind, Node, RoleOrigin, Value, yaml};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/serverless");

struct Fixtures;

impl FileReader for Fixtures {
    fn read(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
        assert!(!rel.ends_with(".js"), "a .js file must never be read");
        let name = rel.rsplit('/').next().unwrap();
        let text = std::fs::read_to_string(format!("{DIR}/{name}")).map_err(|e| e.to_string())?;
        Ok(SourceFile::new(rel, text))
    }
}

fn load(name: &str, options: &LoadOptions) -> Application {
    let text = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
    let file = SourceFile::new(format!("app/{name}"), text);
    let doc = yaml::parse(&file).unwrap();
    serverless::load(&file, doc, &Fixtures, options)
}

fn at(n: &Node) -> (u32, u32) {
    let Position { line, column } = n.loc.start();
    (line, column)
}

#[test]
fn provider_and_function_settings() {
    let app = load("events.yml", &LoadOptions::default());
    assert_eq!(app.id, "app/events.yml");
    assert_eq!(app.root, "app");
    assert_eq!(app.name.as_deref(), Some("shop"));
    let rest = app.function("rest").unwrap();
    assert_eq!(rest.handler_str(), Some("src/rest.handler"));
    assert_eq!(rest.code_dir.as_deref(), Some("app"));
    assert_eq!(rest.runtime_str(), Some("nodejs20.x"));
    assert_eq!(rest.timeout.as_ref().unwrap().as_i64(), Some(10));
    // Environment: function over provider, provider variables resolved.
    assert_eq!(rest.env("SHARED").unwrap().value.as_str(), Some("function"));
    let table = &rest.env("TABLE").unwrap().value;
    assert_eq!(table.as_str(), Some("shop-dev-orders"));
    assert_eq!(at(table), (10, 12));
    let workers = app.function("workers").unwrap();
    assert_eq!(workers.runtime_str(), Some("python3.12"));
    assert_eq!(
        workers.reserved_concurrency.as_ref().unwrap().as_i64(),
        Some(5)
    );
    assert_eq!(
        app.function("rest").unwrap().loc.start(),
        Position {
            line: 24,
            column: 3
        }
    );
}

#[test]
fn http_events_and_their_authentication() {
    let app = load("events.yml", &LoadOptions::default());
    let rest = app.function("rest").unwrap();
    let routes: Vec<_> = rest
        .events
        .iter()
        .map(|e| (e.kind, e.route.as_ref().unwrap()))
        .collect();
    assert_eq!(routes[0].1.path, "/orders/{id}");
    assert_eq!(routes[0].1.method, "GET");
    assert!(matches!(&routes[0].1.auth, Auth::Authorizer { kind, .. } if kind == "cognito"));
    assert_eq!(
        (routes[1].1.method.as_str(), routes[1].1.path.as_str()),
        ("POST", "/orders")
    );
    assert!(matches!(routes[1].1.auth, Auth::None));
    assert!(routes[2].1.api_key_required, "private: true is an API key");
    assert!(
        matches!(routes[2].1.auth, Auth::None),
        "an API key is not user authentication"
    );
    assert!(matches!(&routes[3].1.auth, Auth::Authorizer { kind, .. } if kind == "aws_iam"));
    assert_eq!(
        rest.events[1].loc.start(),
        Position {
            line: 35,
            column: 9
        }
    );

    let api = app.function("api").unwrap();
    let kinds: Vec<EventKind> = api.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::HttpApi,
            EventKind::HttpApi,
            EventKind::WebSocket,
            EventKind::Alb
        ]
    );
    assert!(matches!(
        api.events[0].route.as_ref().unwrap().auth,
        Auth::None
    ));
    assert!(
        api.events[1]
            .route
            .as_ref()
            .unwrap()
            .auth
            .is_authenticated()
    );
    assert_eq!(api.events[2].route.as_ref().unwrap().method, "$connect");
    // The implicit APIs, with the usage plan's throttling.
    let rest_api = app.apis.iter().find(|a| a.protocol == "rest").unwrap();
    assert!(rest_api.throttling.is_some());
    assert!(app.apis.iter().any(|a| a.protocol == "http"));
    assert!(app.apis.iter().any(|a| a.protocol == "websocket"));
}

#[test]
fn every_other_event_type() {
    let app = load("events.yml", &LoadOptions::default());
    let w = app.function("workers").unwrap();
    let kinds: Vec<EventKind> = w.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Sqs,
            EventKind::Sns,
            EventKind::Sns,
            EventKind::S3,
            EventKind::DynamoDbStream,
            EventKind::KinesisStream,
            EventKind::Schedule,
            EventKind::EventBridge,
            EventKind::CloudWatchLog,
            EventKind::Cognito,
            EventKind::Iot,
            EventKind::Alexa,
            EventKind::Kafka,
            EventKind::Other,
        ]
    );
    assert_eq!(
        w.events[0].source.as_ref().unwrap().referenced_ids(),
        ["Queue"]
    );
    assert_eq!(
        w.events[1].source.as_ref().unwrap().as_str(),
        Some("alerts")
    );
    assert_eq!(
        w.events[2].source.as_ref().unwrap().referenced_ids(),
        ["Topic"]
    );
    let s3 = &w.events[3];
    assert_eq!(s3.source.as_ref().unwrap().as_str(), Some("uploads"));
    let filters: Vec<(String, String)> = s3
        .filters
        .iter()
        .map(|f| (f.name.clone(), f.value.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        filters,
        [
            ("prefix".into(), "incoming/".into()),
            ("suffix".into(), ".jpg".into())
        ]
    );
    assert_eq!(at(&s3.filters[0].value), (76, 23));
    assert_eq!(
        w.events[4].source.as_ref().unwrap().referenced_ids(),
        ["Table"]
    );
    assert_eq!(w.events[13].type_name, "somethingNew");
    // The resources block is loaded too.
    assert!(app.resource("Queue").is_some());
}

#[test]
fn roles_and_function_urls() {
    let app = load("events.yml", &LoadOptions::default());
    let shared = app.role("<provider>").unwrap();
    assert_eq!(shared.origin, RoleOrigin::ProviderShared);
    assert_eq!(shared.functions, ["rest", "api", "workers", "public"]);
    assert_eq!(shared.statements.len(), 1);
    assert_eq!(
        shared.statements[0].action_strs().next().unwrap().0,
        "dynamodb:PutItem"
    );
    let private = app.function("private").unwrap();
    let role = app.role_of(private).unwrap();
    assert_eq!(role.origin, RoleOrigin::PerFunction);
    assert_eq!(role.functions, ["private"]);
    let public = app.function("public").unwrap();
    assert_eq!(
        public
            .url
            .as_ref()
            .unwrap()
            .auth_type
            .as_ref()
            .unwrap()
            .as_str(),
        Some("NONE")
    );
    assert_eq!(
        private
            .url
            .as_ref()
            .unwrap()
            .auth_type
            .as_ref()
            .unwrap()
            .as_str(),
        Some("AWS_IAM")
    );
}

#[test]
fn variable_sources() {
    let app = load("variables.yml", &LoadOptions::default());
    let custom = app.document.as_ref().unwrap().get("custom").unwrap();
    let get = |k: &str| custom.get(k).unwrap();
    // Nested self references through the stage.
    assert!(matches!(get("size").value, Value::Int(128)));
    assert_eq!(at(get("size")), (13, 9));
    assert_eq!(get("first").as_str(), Some("a"));
    // Files: YAML by key, JSON whole, JavaScript never read.
    assert_eq!(get("fromFile").as_str(), Some("db.internal"));
    assert_eq!(get("fromFile").loc.path(), "app/config.yml");
    assert_eq!(get("wholeFile").get("port").unwrap().as_i64(), Some(5432));
    assert!(matches!(&get("fromJs").value, Value::Symbolic(s) if s == "<file:./config.js>"));
    // Sources that cannot be known offline stay symbolic.
    for (k, shown) in [
        ("env", "<env:HOME>"),
        ("ssm", "<ssm:/db/password>"),
        ("cf", "<cf:other-stack.Output>"),
        ("s3", "<s3:bucket/key>"),
        ("aws", "<aws:accountId>"),
        ("unknown", "<vault:secret/x>"),
        ("fallbackSymbolic", "<env:NOPE>"),
    ] {
        assert!(
            matches!(&get(k).value, Value::Symbolic(s) if s == shown),
            "{k}: {:?}",
            get(k).value
        );
    }
    assert_eq!(get("fallback").as_str(), Some("literal"));
    assert!(matches!(get("fallbackNumber").value, Value::Int(42)));
    assert!(matches!(get("bool").value, Value::Bool(true)));
    assert_eq!(get("domain").as_str(), Some("example.com"));
    assert_eq!(get("embedded").as_str(), Some("https://example.com/api"));
    // A cycle is reported, never followed forever.
    assert!(get("loopA").is_symbolic());
    assert!(
        app.errors
            .iter()
            .any(|e| e.message.contains("refers to itself")),
        "{:?}",
        app.errors
    );
    // CloudFormation substitutions are not Serverless variables.
    assert_eq!(
        get("sub").get("Fn::Sub").unwrap().as_str(),
        Some("${AWS::Region}-${Bucket}")
    );
    // Provider settings use them.
    assert_eq!(
        app.document
            .as_ref()
            .unwrap()
            .path(&["provider", "memorySize"])
            .unwrap()
            .as_i64(),
        Some(128)
    );
}

#[test]
fn options_and_environment_are_used_only_when_given() {
    let mut opts = BTreeMap::new();
    opts.insert("stage".to_owned(), "prod".to_owned());
    let mut env = BTreeMap::new();
    env.insert("HOME".to_owned(), "/home/ci".to_owned());
    let app = load(
        "variables.yml",
        &LoadOptions {
            opts,
            env: Some(env),
        },
    );
    let custom = app.document.as_ref().unwrap().get("custom").unwrap();
    assert!(matches!(
        custom.get("size").unwrap().value,
        Value::Int(1024)
    ));
    assert_eq!(
        custom.get("domain").unwrap().as_str(),
        Some("prod.example.com")
    );
    assert_eq!(custom.get("env").unwrap().as_str(), Some("/home/ci"));
    let app = load("events.yml", &LoadOptions::default());
    assert_eq!(
        app.function("rest")
            .unwrap()
            .env("TABLE")
            .unwrap()
            .value
            .as_str(),
        Some("shop-dev-orders")
    );
}

#[test]
fn bad_shapes_are_errors_not_panics() {
    let file = SourceFile::new(
        "serverless.yml",
        "service: x\nfunctions:\n  a: {}\n  b: 3\n",
    );
    let doc = yaml::parse(&file).unwrap();
    let app = serverless::load(&file, doc, &serverless::NoFiles, &LoadOptions::default());
    assert!(
        app.errors
            .iter()
            .any(|e| e.message.contains("function `a` has no handler")),
        "{:?}",
        app.errors
    );
    let file = SourceFile::new("serverless.yml", "- just\n- a list\n");
    let doc = yaml::parse(&file).unwrap();
    let app = serverless::load(&file, doc, &serverless::NoFiles, &LoadOptions::default());
    assert!(!app.errors.is_empty());
}

#[test]
fn wsgi_apps_and_missing_files() {
    let text = "service: w\ncustom:\n  wsgi:\n    app: app.app\n  secrets: ${file(./secrets.json)}\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    TOKEN: ${self:custom.secrets.token}\nfunctions:\n  api:\n    handler: wsgi_handler.handler\n    events:\n      - httpApi: '*'\n";
    let file = SourceFile::new("serverless.yml", text);
    let doc = yaml::parse(&file).unwrap();
    let app = serverless::load(&file, doc, &Fixtures, &LoadOptions::default());
    // serverless-wsgi's generated handler stands for the WSGI app it serves.
    assert_eq!(app.function("api").unwrap().handler_str(), Some("app.app"));
    // A file kept out of the tree leaves the value symbolic, and is not an error.
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    assert!(
        app.function("api")
            .unwrap()
            .env("TOKEN")
            .unwrap()
            .value
            .is_symbolic()
    );
}

/// A resource without `Type` in `resources:` extends one the framework generates (here the
/// REST API of the `http` events): valid, so not an error entry.
#[test]
fn override_of_a_generated_resource_is_not_an_error() {
    let app = load("override.yml", &LoadOptions::default());
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    assert!(app.resources.iter().any(|r| r.id == "Queue"));
    assert_eq!(app.functions.len(), 1);
}

/// serverless-lift: a `queue` construct's worker and a `webhook` construct's authorizer are
/// functions, named as Lift names them, with the trigger the construct gives them; the other
/// constructs, a queue without a worker and an insecure webhook deploy none.
#[test]
fn lift_constructs_deploy_their_worker_and_authorizer_functions() {
    let app = load("lift.yml", &LoadOptions::default());
    let mut ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "clashWorker",
            "emailsWorker",
            "publisher",
            "stripeAuthorizer"
        ]
    );
    let worker = app.function("emailsWorker").unwrap();
    assert_eq!(worker.handler_str(), Some("src/send.handler"));
    assert_eq!(worker.runtime_str(), Some("nodejs20.x"));
    assert_eq!(worker.timeout.as_ref().unwrap().as_i64(), Some(20));
    assert_eq!(worker.loc.start().line, 8, "at the construct's key");
    assert_eq!(
        worker
            .name
            .as_ref()
            .and_then(Node::as_str)
            .map(str::to_owned),
        Some("mailer-dev-emailsWorker".to_owned())
    );
    assert_eq!(worker.events.len(), 1);
    let sqs = &worker.events[0];
    assert_eq!(sqs.kind, EventKind::Sqs);
    assert_eq!(sqs.loc.start().line, 8);
    assert_eq!(
        sqs.source.as_ref().and_then(Node::as_str),
        Some("${construct:emails.queueArn}")
    );
    // The queue's settings under the `sqs` event's names.
    let props = sqs.properties.as_ref().unwrap();
    assert_eq!(props.get("batchSize").and_then(Node::as_i64), Some(5));
    assert_eq!(
        props.get("maximumConcurrency").and_then(Node::as_i64),
        Some(4)
    );
    let authorizer = app.function("stripeAuthorizer").unwrap();
    assert_eq!(authorizer.handler_str(), Some("src/verify.handler"));
    assert_eq!(authorizer.loc.start().line, 15);
    assert_eq!(authorizer.events[0].kind, EventKind::Other);
    assert_eq!(authorizer.events[0].type_name, "webhook");
    // A construct whose function name `functions:` already declares adds nothing.
    assert_eq!(
        app.function("clashWorker").unwrap().handler_str(),
        Some("src/declared.handler")
    );
    assert!(app.function("clashWorker").unwrap().events.is_empty());
    assert!(app.errors.is_empty(), "{:?}", app.errors);
}
