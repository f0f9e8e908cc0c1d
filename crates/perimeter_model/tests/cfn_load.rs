//! The CloudFormation loader on a plain stack: roles and policies, API Gateway v1 and v2,
//! permissions, URLs, event source mappings, notifications, subscriptions and rules.

use perimeter_diagnostics::{Loc, SourceFile};
use perimeter_model::yaml::{self, Node};
use perimeter_model::{Application, Auth, Event, EventKind, Framework, Function, RoleOrigin, cfn};

fn load(rel: &str) -> Application {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let file = SourceFile::new(rel, std::fs::read_to_string(path).unwrap());
    let doc = yaml::parse(&file).unwrap();
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    cfn::load(rel, dir, doc)
}

fn at(loc: &Loc) -> (u32, u32) {
    let p = loc.start();
    (p.line, p.column)
}

fn func<'a>(app: &'a Application, id: &str) -> &'a Function {
    app.function(id)
        .unwrap_or_else(|| panic!("no function {id}"))
}

fn event(f: &Function, line: u32) -> &Event {
    f.events
        .iter()
        .find(|e| e.loc.start().line == line)
        .unwrap_or_else(|| panic!("no event at line {line} in {:?}", f.events))
}

fn text(n: Option<&Node>) -> String {
    n.map(Node::display).unwrap_or_default()
}

#[test]
fn functions_code_and_roles() {
    let app = load("cfn/stack.yaml");
    assert_eq!(app.framework, Framework::CloudFormation);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let api = func(&app, "ApiFunction");
    assert_eq!(at(&api.loc), (18, 3));
    assert_eq!(api.code_dir.as_deref(), Some("cfn/build/api"));
    assert_eq!(api.handler_str(), Some("index.handler"));
    assert_eq!(text(api.tracing.as_ref()), "Active");
    assert_eq!(text(api.name.as_ref()), "orders-api");
    assert_eq!(api.env("QUEUE_URL").unwrap().value.display(), "!Ref Jobs");
    assert_eq!(api.log_retention.as_ref().unwrap().as_i64(), Some(14));
    assert_eq!(
        api.provisioned_concurrency
            .as_ref()
            .unwrap()
            .get("ProvisionedConcurrentExecutions")
            .unwrap()
            .as_i64(),
        Some(2)
    );
    let inline = func(&app, "InlineFunction");
    assert_eq!(inline.code_dir, None);
    assert!(
        inline
            .properties
            .as_ref()
            .unwrap()
            .path(&["Code", "ZipFile"])
            .unwrap()
            .as_str()
            .unwrap()
            .contains("def handler")
    );
    assert_eq!(
        inline
            .async_config
            .as_ref()
            .unwrap()
            .get("MaximumRetryAttempts")
            .unwrap()
            .as_i64(),
        Some(0)
    );

    // Role attached through !GetAtt R.Arn, with a Policy (Roles: [!Ref R]) and a managed
    // policy (ManagedPolicyArns: [!Ref P]) adding statements.
    assert_eq!(api.role.as_deref(), Some("ApiRole"));
    let role = app.role_of(api).unwrap();
    assert_eq!(role.origin, RoleOrigin::Declared);
    assert_eq!(role.functions, ["ApiFunction"]);
    let origins: Vec<_> = role
        .statements
        .iter()
        .map(|s| (s.origin.as_str(), s.allow, s.loc.start().line))
        .collect();
    assert_eq!(
        origins,
        [("ExtraPolicy", false, 50), ("SharedPolicy", true, 59)]
    );
    let shared = &role.statements[1];
    assert_eq!(shared.not_actions[0].as_str(), Some("iam:*"));
    assert_eq!(at(&shared.not_actions[0].loc), (60, 24));
    assert_eq!(
        shared.not_resources[0].as_str(),
        Some("arn:aws:s3:::secret/*")
    );
    assert_eq!(role.managed_policies[0].display(), "!Ref SharedPolicy");

    // A role given by ARN is external.
    let external = app.role_of(inline).unwrap();
    assert_eq!(external.origin, RoleOrigin::External);
    assert_eq!(external.id, "arn:aws:iam::123456789012:role/external");
    assert_eq!(at(&external.loc), (41, 13));
}

#[test]
fn api_gateway_v1_methods_become_routes() {
    let app = load("cfn/stack.yaml");
    let api = func(&app, "ApiFunction");
    let get = event(api, 82);
    assert_eq!(get.kind, EventKind::Http);
    assert_eq!(get.type_name, "AWS::ApiGateway::Method");
    let r = get.route.as_ref().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.api.as_deref()),
        ("GET", "/orders/{id}", Some("RestApi"))
    );
    assert!(matches!(r.auth, Auth::None));
    assert!(r.api_key_required);
    let post = event(api, 95).route.as_ref().unwrap();
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/orders")
    );
    match &post.auth {
        Auth::Authorizer { kind, name, loc } => {
            assert_eq!(
                (kind.as_str(), name.as_str()),
                ("cognito", "PoolAuthorizer")
            );
            assert_eq!(at(loc), (101, 26));
        }
        other => panic!("{other:?}"),
    }
    let rest = app.apis.iter().find(|a| a.id == "RestApi").unwrap();
    assert_eq!(rest.protocol, "rest");
    assert_eq!(text(rest.tracing.as_ref()), "false");
    assert!(
        rest.method_settings.as_ref().unwrap().items()[0]
            .get("DataTraceEnabled")
            .unwrap()
            .as_bool()
            .unwrap()
    );
    assert_eq!(
        rest.throttling
            .as_ref()
            .unwrap()
            .get("RateLimit")
            .unwrap()
            .as_i64(),
        Some(10)
    );
}

#[test]
fn api_gateway_v2_routes_websocket_and_quick_create() {
    let app = load("cfn/stack.yaml");
    let api = func(&app, "ApiFunction");
    let route = event(api, 148);
    assert_eq!(route.kind, EventKind::HttpApi);
    let r = route.route.as_ref().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.api.as_deref()),
        ("GET", "/items/{id}", Some("HttpApi"))
    );
    assert!(
        matches!(&r.auth, Auth::Authorizer { kind, name, .. } if kind == "jwt" && name == "JwtAuthorizer")
    );
    let http = app.apis.iter().find(|a| a.id == "HttpApi").unwrap();
    assert_eq!(
        http.throttling
            .as_ref()
            .unwrap()
            .get("ThrottlingBurstLimit")
            .unwrap()
            .as_i64(),
        Some(5)
    );

    let inline = func(&app, "InlineFunction");
    let ws = event(inline, 179);
    assert_eq!(ws.kind, EventKind::WebSocket);
    let r = ws.route.as_ref().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("$connect", "$connect")
    );
    assert!(matches!(r.auth, Auth::None));
    assert_eq!(
        app.apis.iter().find(|a| a.id == "WsApi").unwrap().protocol,
        "websocket"
    );
    let quick = event(inline, 191);
    assert_eq!(quick.kind, EventKind::HttpApi);
    assert_eq!(at(&quick.loc), (191, 7));
    assert_eq!(quick.route.as_ref().unwrap().path, "$default");
}

#[test]
fn permissions_and_function_urls() {
    let app = load("cfn/stack.yaml");
    let ids: Vec<_> = app.permissions.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["ApiPermission", "UrlPermission"]);
    let p = &app.permissions[0];
    assert_eq!(at(&p.loc), (193, 3));
    assert_eq!(text(p.principal.as_ref()), "apigateway.amazonaws.com");
    assert_eq!(text(p.function.as_ref()), "!Ref ApiFunction");
    assert_eq!(p.source_arn.as_ref().unwrap().referenced_ids(), ["RestApi"]);
    let u = &app.permissions[1];
    assert_eq!(text(u.principal.as_ref()), "*");
    assert_eq!(text(u.url_auth_type.as_ref()), "NONE");
    assert_eq!(at(&u.url_auth_type.as_ref().unwrap().loc), (213, 28));

    let inline = func(&app, "InlineFunction");
    let url = inline.url.as_ref().unwrap();
    assert_eq!(at(&url.loc), (201, 3));
    assert_eq!(text(url.auth_type.as_ref()), "NONE");
    assert_eq!(at(&url.auth_type.as_ref().unwrap().loc), (205, 17));
    assert!(inline.is_internet_facing());
}

#[test]
fn triggers_declared_as_resources() {
    let app = load("cfn/stack.yaml");
    let inline = func(&app, "InlineFunction");
    let sqs = event(inline, 218);
    assert_eq!(
        (sqs.kind, sqs.type_name.as_str()),
        (EventKind::Sqs, "AWS::Lambda::EventSourceMapping")
    );
    assert_eq!(text(sqs.source.as_ref()), "!GetAtt Jobs.Arn");
    assert_eq!(event(inline, 231).kind, EventKind::DynamoDbStream);
    // By deployed name and by the ARN's service.
    let kinesis = event(func(&app, "ApiFunction"), 237);
    assert_eq!(kinesis.kind, EventKind::KinesisStream);

    let s3 = event(inline, 248);
    assert_eq!(s3.kind, EventKind::S3);
    assert_eq!(at(&s3.loc), (248, 13));
    assert_eq!(text(s3.source.as_ref()), "!Ref Uploads");
    assert_eq!(s3.filters.len(), 1);
    assert_eq!(
        (s3.filters[0].name.as_str(), s3.filters[0].value.as_str()),
        ("suffix", Some(".json"))
    );

    let topic = event(inline, 260);
    assert_eq!(
        (topic.kind, text(topic.source.as_ref())),
        (EventKind::Sns, "!Ref Topic".to_owned())
    );
    let api = func(&app, "ApiFunction");
    let sub = event(api, 266);
    assert_eq!(
        (sub.kind, text(sub.source.as_ref())),
        (EventKind::Sns, "!Ref OtherTopic".to_owned())
    );
    assert_eq!(at(&sub.source.as_ref().unwrap().loc), (270, 17));

    assert_eq!(event(api, 273).kind, EventKind::Schedule);
    let bus = event(inline, 281);
    assert_eq!(
        (bus.kind, text(bus.source.as_ref())),
        (EventKind::EventBridge, "!Ref Bus".to_owned())
    );
    assert_eq!(at(&bus.source.as_ref().unwrap().loc), (284, 21));
}

#[test]
fn every_other_resource_is_recorded() {
    let app = load("cfn/stack.yaml");
    for id in [
        "Jobs",
        "Table",
        "Uploads",
        "Topic",
        "Bus",
        "Key",
        "Machine",
        "ApiLogs",
        "RestApi",
        "HttpRoute",
        "ApiRole",
    ] {
        assert!(app.resource(id).is_some(), "{id}");
    }
    assert!(app.resource("ApiFunction").is_none());
    assert_eq!(at(&app.resource("Key").unwrap().loc), (302, 3));
}

#[test]
fn cdk_json_template() {
    let app = load("cfn/cdk.out/Stack.template.json");
    assert_eq!(app.framework, Framework::CloudFormation);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let f = func(&app, "HandlerFn3E2A8A3B");
    assert_eq!(f.code_dir.as_deref(), Some("cfn/cdk.out/asset.4e2f5a"));
    assert_eq!(f.handler_str(), Some("index.handler"));
    assert_eq!(at(&f.loc), (16, 3));
    assert_eq!(at(&f.runtime.as_ref().unwrap().loc), (27, 16));
    assert_eq!(f.role.as_deref(), Some("HandlerFnServiceRoleA1B2C3D4"));
    let role = app.role_of(f).unwrap();
    assert_eq!(role.statements.len(), 1);
    assert_eq!(
        role.statements[0].origin,
        "HandlerFnServiceRoleDefaultPolicyE5F6"
    );
    assert_eq!(role.statements[0].actions.len(), 2);
    assert_eq!(
        role.statements[0].resources[0].display(),
        "!GetAtt Queue4A7E3555.Arn"
    );
    let env = f.env("QUEUE_URL").unwrap();
    assert_eq!(at(&env.name_loc), (30, 7));
    assert_eq!(f.events.len(), 2);
    assert_eq!(f.events[0].kind, EventKind::Sqs);
    // `bucket.addEventNotification(...)`: the CDK's notifications custom resource.
    let s3 = &f.events[1];
    assert_eq!(s3.kind, EventKind::S3);
    assert_eq!(
        s3.source.as_ref().unwrap().referenced_ids(),
        ["Uploads1E2B3C4D"]
    );
    assert_eq!(s3.filters.len(), 1);
    assert_eq!(s3.filters[0].name, "prefix");
    assert_eq!(s3.filters[0].value.as_str(), Some("incoming/"));
    assert_eq!(at(&s3.loc), (78, 7));
}

#[test]
fn for_each_of_the_language_extensions_makes_one_resource_per_item() {
    let app = load("cfn/for_each.yaml");
    // A list parameter's default and a literal list; `${x}` is the item, `&{x}` its
    // alphanumerics.
    let resize = func(&app, "resizeFunction");
    assert_eq!(text(resize.handler.as_ref()), "resize.handler");
    assert_eq!(at(&resize.loc).0, 11);
    assert!(app.function("watermarkFunction").is_some());
    assert_eq!(app.functions.len(), 2);
    for id in ["Queuebluegreen", "Queuecanary"] {
        assert!(app.resource(id).is_some(), "{id}: {:?}", app.resources);
    }
    assert_eq!(
        text(
            app.resource("Queuecanary")
                .unwrap()
                .properties
                .as_ref()
                .unwrap()
                .get("QueueName")
        ),
        "jobs-canary"
    );
    // A collection not known statically is said, once; nothing is a resource without `Type`.
    let errors: Vec<&str> = app.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`Fn::ForEach::Unknown` is not known statically"),
        "{errors:?}"
    );
}
