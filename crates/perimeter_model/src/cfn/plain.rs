//! Plain CloudFormation resources: Lambda functions, IAM roles and policies, API Gateway
//! (REST and v2), and the resources that trigger or expose functions (permissions, URLs,
//! event source mappings, bucket notifications, subscriptions, rules, ...).

use perimeter_diagnostics::Loc;

use crate::code::{self, CodeSource};
use crate::model::{
    Api, Auth, Event, EventKind, Function, FunctionUrl, LambdaPermission, Role, RoleOrigin, Route,
    ServiceRoute,
};
use crate::yaml::{Key, Node, Value};

use super::sam::{env_vars, key_filters};
use super::{Entry, Loader, iam};

/// Longest `ParentId` chain followed when building an API Gateway path.
const MAX_PATH_SEGMENTS: usize = 64;

/// `{Ref: id}` placed at `loc`: how a resource that is itself the trigger is named as an
/// event source.
fn ref_node(id: &str, loc: &Loc) -> Node {
    Node::new(
        Value::Map(vec![(
            Key {
                name: "Ref".to_owned(),
                loc: loc.clone(),
            },
            Node::new(Value::Str(id.to_owned()), loc.clone()),
        )]),
        loc.clone(),
    )
}

fn items_of(node: Option<&Node>) -> Vec<Node> {
    node.map(|n| n.items().into_iter().cloned().collect())
        .unwrap_or_default()
}

/// `AWS::IAM::Role`: inline `Policies` and `ManagedPolicyArns`. Its trust policy stays in
/// the resource's properties.
pub(crate) fn role(l: &mut Loader<'_>, e: &Entry) {
    let mut statements = Vec::new();
    for policy in e.props.get("Policies").map(Node::items).unwrap_or_default() {
        if let Some(doc) = policy.get("PolicyDocument") {
            statements.extend(iam::statements(doc, "inline"));
        }
    }
    l.app.roles.push(Role {
        id: e.id.clone(),
        loc: e.key_loc.clone(),
        origin: RoleOrigin::Declared,
        statements,
        managed_policies: items_of(e.props.get("ManagedPolicyArns")),
        functions: Vec::new(),
    });
}

fn bare_api(e: &Entry, protocol: &str) -> Api {
    Api {
        id: e.id.clone(),
        protocol: protocol.to_owned(),
        loc: e.key_loc.clone(),
        default_auth: None,
        api_key_required: false,
        throttling: None,
        access_logging: None,
        method_settings: None,
        tracing: None,
        cors: None,
        resource_policy: None,
        properties: (!e.props.is_null()).then(|| e.props.clone()),
    }
}

/// `AWS::ApiGateway::RestApi`; stages add their settings later.
pub(crate) fn rest_api(l: &mut Loader<'_>, e: &Entry) {
    let mut api = bare_api(e, "rest");
    api.resource_policy = e.props.get("Policy").cloned();
    l.app.apis.push(api);
}

/// `AWS::ApiGatewayV2::Api` (HTTP or WebSocket).
pub(crate) fn v2_api(l: &mut Loader<'_>, e: &Entry) {
    let websocket = e
        .props
        .get("ProtocolType")
        .and_then(Node::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET"));
    let mut api = bare_api(e, if websocket { "websocket" } else { "http" });
    api.cors = e.props.get("CorsConfiguration").cloned();
    l.app.apis.push(api);
}

/// `AWS::Lambda::Function`.
pub(crate) fn function(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    let mut f = Function::new(e.id.clone(), e.key_loc.clone());
    f.name = p.get("FunctionName").cloned();
    f.handler = p.get("Handler").cloned();
    f.runtime = p.get("Runtime").cloned();
    f.timeout = p.get("Timeout").cloned();
    f.memory = p.get("MemorySize").cloned();
    f.reserved_concurrency = p.get("ReservedConcurrentExecutions").cloned();
    f.tracing = p.path(&["TracingConfig", "Mode"]).cloned();
    f.environment = env_vars(p.get("Environment"));
    f.layers = items_of(p.get("Layers"));
    f.dead_letter = p.get("DeadLetterConfig").cloned();
    f.kms_key = p.get("KmsKeyArn").cloned();
    f.recursive_loop = p.get("RecursiveLoop").cloned();
    f.tags = p.get("Tags").cloned();
    f.log_retention = p.path(&["LoggingConfig", "RetentionInDays"]).cloned();
    f.code = code_source(l, e);
    f.code_dir = f.code.folder().map(str::to_owned);
    f.properties = (!p.is_null()).then(|| p.clone());
    if let Some(role) = p.get("Role") {
        f.role = Some(l.attach_role(&e.id, role));
    }
    l.app.functions.push(f);
}

/// Where the code lives: the CDK asset folder (`Metadata: aws:asset:path`), `Code` written
/// as a local path (before `aws cloudformation package`), inline `ZipFile` code, an image or
/// an S3 object.
fn code_source(l: &Loader<'_>, e: &Entry) -> CodeSource {
    let meta = e.node.get("Metadata");
    let asset = meta.and_then(|m| m.get("aws:asset:path"));
    let property = meta
        .and_then(|m| m.get("aws:asset:property"))
        .and_then(Node::as_str);
    if let Some(local) = asset
        .filter(|_| property.is_none_or(|p| p == "Code"))
        .and_then(|a| code::local(&l.ctx.root_dir, a))
    {
        return local;
    }
    // CDK v1 names the asset only in its parameters (`AssetParameters<hash>S3Bucket…`): its
    // folder in the cloud assembly is `asset.<hash>`, which the engine looks for (and, when
    // the assembly is not committed, the source folder the asset is built from).
    if property == Some("Code")
        && asset.is_none()
        && let Some(hash) = e
            .props
            .path(&["Code", "S3Bucket"])
            .and_then(|b| b.intrinsic())
            .filter(|(name, _)| *name == "Ref")
            .and_then(|(_, r)| r.as_str())
            .and_then(v1_asset_hash)
        && let Some(dir) = crate::cfn::join_dir(&l.ctx.root_dir, &format!("asset.{hash}"))
    {
        return CodeSource::Folder(dir);
    }
    let Some(c) = e.props.get("Code") else {
        return if e.props.get("PackageType").and_then(Node::as_str) == Some("Image") {
            CodeSource::Image(
                e.props
                    .get("PackageType")
                    .cloned()
                    .unwrap_or_else(|| e.props.clone()),
            )
        } else {
            CodeSource::Unknown
        };
    };
    if c.as_str().is_some() {
        return code::local(&l.ctx.root_dir, c).unwrap_or_else(|| CodeSource::Remote(c.clone()));
    }
    if let Some(z) = c.get("ZipFile") {
        let raw = e
            .raw_props
            .as_ref()
            .and_then(|p| p.path(&["Code", "ZipFile"]));
        return raw
            .and_then(|raw| code::inline_code(raw, &l.app.id))
            .or_else(|| code::inline_code(z, &l.app.id))
            .map_or_else(|| CodeSource::Generated(z.clone()), CodeSource::Inline);
    }
    if let Some(i) = c.get("ImageUri") {
        return CodeSource::Image(i.clone());
    }
    CodeSource::Remote(c.get("S3Key").unwrap_or(c).clone())
}

/// The asset hash in the name of a CDK v1 asset parameter
/// (`AssetParameters<64 hex digits>S3Bucket<8 hex digits>`).
fn v1_asset_hash(param: &str) -> Option<&str> {
    let hash = param.strip_prefix("AssetParameters")?.get(..64)?;
    hash.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hash)
}

/// Resources that point at functions, APIs and roles declared elsewhere in the block.
pub(crate) fn link(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    match e.type_name.as_str() {
        "AWS::Lambda::Permission" => l.app.permissions.push(LambdaPermission {
            id: e.id.clone(),
            loc: e.key_loc.clone(),
            function: p.get("FunctionName").cloned(),
            principal: p.get("Principal").cloned(),
            source_arn: p.get("SourceArn").cloned(),
            source_account: p.get("SourceAccount").cloned(),
            action: p.get("Action").cloned(),
            url_auth_type: p.get("FunctionUrlAuthType").cloned(),
        }),
        "AWS::Lambda::Url" => {
            if let Some(i) = p.get("TargetFunctionArn").and_then(|t| l.function_index(t)) {
                l.app.functions[i].url = Some(FunctionUrl {
                    auth_type: p.get("AuthType").cloned(),
                    loc: e.key_loc.clone(),
                    cors: p.get("Cors").cloned(),
                });
            }
        }
        "AWS::Lambda::EventSourceMapping" => event_source_mapping(l, e),
        "AWS::Lambda::Alias" | "AWS::Lambda::Version" => {
            if let (Some(pc), Some(i)) = (
                p.get("ProvisionedConcurrencyConfig"),
                p.get("FunctionName").and_then(|n| l.function_index(n)),
            ) {
                l.app.functions[i]
                    .provisioned_concurrency
                    .get_or_insert_with(|| pc.clone());
            }
        }
        "AWS::Lambda::EventInvokeConfig" => {
            if let Some(i) = p.get("FunctionName").and_then(|n| l.function_index(n)) {
                l.app.functions[i].async_config = Some(p.clone());
            }
        }
        "AWS::Logs::LogGroup" => log_group(l, e),
        "AWS::Logs::SubscriptionFilter" => {
            let source = p.get("LogGroupName").cloned();
            trigger(
                l,
                p.get("DestinationArn"),
                e,
                EventKind::CloudWatchLog,
                source,
                e.key_loc.clone(),
                p.clone(),
            );
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => policy(l, e),
        "AWS::ApiGateway::Method" => method(l, e),
        "AWS::ApiGateway::Stage" => stage(l, p.get("RestApiId"), p),
        "AWS::ApiGateway::Deployment" => {
            if let Some(d) = p.get("StageDescription") {
                stage(l, p.get("RestApiId"), d);
            }
        }
        "AWS::ApiGateway::UsagePlan" => {
            for s in p.get("ApiStages").map(Node::items).unwrap_or_default() {
                if let (Some(i), Some(t)) = (
                    s.get("ApiId").and_then(|a| l.api_index(a)),
                    p.get("Throttle"),
                ) {
                    l.app.apis[i].throttling = Some(t.clone());
                }
            }
        }
        "AWS::ApiGatewayV2::Route" => v2_route(l, e),
        "AWS::ApiGatewayV2::Api" => v2_quick_create(l, e),
        "AWS::ApiGatewayV2::Stage" => {
            if let Some(i) = p.get("ApiId").and_then(|a| l.api_index(a)) {
                let api = &mut l.app.apis[i];
                api.access_logging = p
                    .get("AccessLogSettings")
                    .cloned()
                    .or(api.access_logging.take());
                if let Some(d) = p.get("DefaultRouteSettings") {
                    api.method_settings = Some(d.clone());
                    if has_throttling(d) {
                        api.throttling = Some(d.clone());
                    }
                }
            }
        }
        "AWS::S3::Bucket" => {
            for cfg in p
                .path(&["NotificationConfiguration", "LambdaConfigurations"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let source = Some(ref_node(&e.id, &cfg.loc));
                let filters = key_filters(cfg.get("Filter"));
                if let Some(i) = cfg.get("Function").and_then(|f| l.function_index(f)) {
                    l.app.functions[i].events.push(Event {
                        kind: EventKind::S3,
                        type_name: e.type_name.clone(),
                        loc: cfg.loc.clone(),
                        route: None,
                        source,
                        filters,
                        properties: Some(cfg.clone()),
                    });
                }
            }
        }
        // What the CDK synthesises for `bucket.addEventNotification(...)`: a custom resource
        // that configures the bucket's notifications when the stack deploys.
        "Custom::S3BucketNotifications" => {
            for cfg in p
                .path(&["NotificationConfiguration", "LambdaFunctionConfigurations"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let filters = key_filters(cfg.get("Filter"));
                if let Some(i) = cfg
                    .get("LambdaFunctionArn")
                    .and_then(|f| l.function_index(f))
                {
                    l.app.functions[i].events.push(Event {
                        kind: EventKind::S3,
                        type_name: e.type_name.clone(),
                        loc: cfg.loc.clone(),
                        route: None,
                        source: p.get("BucketName").cloned(),
                        filters,
                        properties: Some(cfg.clone()),
                    });
                }
            }
        }
        "AWS::SNS::Subscription" if is_lambda_protocol(p) => {
            let source = p.get("TopicArn").cloned();
            trigger(
                l,
                p.get("Endpoint"),
                e,
                EventKind::Sns,
                source,
                e.key_loc.clone(),
                p.clone(),
            );
        }
        "AWS::SNS::Topic" => {
            for sub in p.get("Subscription").map(Node::items).unwrap_or_default() {
                if is_lambda_protocol(sub) {
                    let source = Some(ref_node(&e.id, &sub.loc));
                    trigger(
                        l,
                        sub.get("Endpoint"),
                        e,
                        EventKind::Sns,
                        source,
                        sub.loc.clone(),
                        sub.clone(),
                    );
                }
            }
        }
        "AWS::Events::Rule" => {
            let kind = if p.get("ScheduleExpression").is_some() {
                EventKind::Schedule
            } else {
                EventKind::EventBridge
            };
            for t in p.get("Targets").map(Node::items).unwrap_or_default() {
                let source = p.get("EventBusName").cloned();
                trigger(
                    l,
                    t.get("Arn"),
                    e,
                    kind,
                    source,
                    e.key_loc.clone(),
                    p.clone(),
                );
            }
        }
        "AWS::Scheduler::Schedule" => {
            trigger(
                l,
                p.path(&["Target", "Arn"]),
                e,
                EventKind::Schedule,
                None,
                e.key_loc.clone(),
                p.clone(),
            );
        }
        "AWS::Cognito::UserPool" => {
            let mut seen = Vec::new();
            for (k, v) in p.get("LambdaConfig").map(Node::entries).unwrap_or_default() {
                let target = v.get("LambdaArn").unwrap_or(v);
                if let Some(i) = l.function_index(target).filter(|i| !seen.contains(i)) {
                    seen.push(i);
                    trigger(
                        l,
                        Some(target),
                        e,
                        EventKind::Cognito,
                        Some(ref_node(&e.id, &k.loc)),
                        k.loc.clone(),
                        v.clone(),
                    );
                }
            }
        }
        "AWS::IoT::TopicRule" => {
            for a in p
                .path(&["TopicRulePayload", "Actions"])
                .map(Node::items)
                .unwrap_or_default()
            {
                if let Some(arn) = a.path(&["Lambda", "FunctionArn"]) {
                    trigger(
                        l,
                        Some(arn),
                        e,
                        EventKind::Iot,
                        None,
                        a.loc.clone(),
                        p.clone(),
                    );
                }
            }
        }
        _ => {}
    }
}

fn is_lambda_protocol(node: &Node) -> bool {
    node.get("Protocol")
        .and_then(Node::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("lambda"))
}

fn has_throttling(node: &Node) -> bool {
    let check = |n: &Node| {
        n.entries()
            .iter()
            .any(|(k, _)| k.name.starts_with("Throttling"))
    };
    check(node) || node.items().into_iter().any(check)
}

/// Adds an event to the function `target` designates, when it designates one.
fn trigger(
    l: &mut Loader<'_>,
    target: Option<&Node>,
    e: &Entry,
    kind: EventKind,
    source: Option<Node>,
    loc: Loc,
    properties: Node,
) {
    let Some(i) = target.and_then(|t| l.function_index(t)) else {
        return;
    };
    l.app.functions[i].events.push(Event {
        kind,
        type_name: e.type_name.clone(),
        loc,
        route: None,
        source,
        filters: Vec::new(),
        properties: Some(properties),
    });
}

/// `AWS::Lambda::EventSourceMapping`: the kind comes from the type of the resource the
/// source ARN references, or from the ARN's service.
fn event_source_mapping(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    let source = p.get("EventSourceArn");
    let by_type = source.and_then(|s| {
        s.referenced_ids()
            .into_iter()
            .find_map(|id| match l.type_of(&id)? {
                "AWS::SQS::Queue" => Some(EventKind::Sqs),
                "AWS::DynamoDB::Table"
                | "AWS::DynamoDB::GlobalTable"
                | "AWS::Serverless::SimpleTable" => Some(EventKind::DynamoDbStream),
                "AWS::Kinesis::Stream" | "AWS::Kinesis::StreamConsumer" => {
                    Some(EventKind::KinesisStream)
                }
                "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" | "AWS::AmazonMQ::Broker" => {
                    Some(EventKind::Kafka)
                }
                _ => None,
            })
    });
    let by_text = || {
        let text = source
            .map(|s| s.scalar_text().unwrap_or_else(|| s.display()))
            .unwrap_or_default();
        if text.contains(":sqs:") {
            EventKind::Sqs
        } else if text.contains(":dynamodb:") {
            EventKind::DynamoDbStream
        } else if text.contains(":kinesis:") {
            EventKind::KinesisStream
        } else if text.contains(":kafka:")
            || text.contains(":mq:")
            || p.get("SelfManagedEventSource").is_some()
        {
            EventKind::Kafka
        } else {
            EventKind::Other
        }
    };
    let kind = by_type.unwrap_or_else(by_text);
    trigger(
        l,
        p.get("FunctionName"),
        e,
        kind,
        source.cloned(),
        e.key_loc.clone(),
        p.clone(),
    );
}

/// `AWS::Logs::LogGroup` named after a function (`/aws/lambda/${Fn}`), or that a function
/// sends its logs to (`LoggingConfig: { LogGroup: !Ref Logs }`, as the CDK writes
/// `logGroup`): its retention.
fn log_group(l: &mut Loader<'_>, e: &Entry) {
    if let Some(r) = e.props.get("RetentionInDays") {
        for f in &mut l.app.functions {
            let sends_here = f
                .properties
                .as_ref()
                .and_then(|p| p.path(&["LoggingConfig", "LogGroup"]))
                .is_some_and(|g| g.referenced_ids().contains(&e.id));
            if sends_here {
                f.log_retention = Some(r.clone());
            }
        }
    }
    let Some(name) = e.props.get("LogGroupName") else {
        return;
    };
    let index = if name.intrinsic().is_some() {
        l.function_index(name)
    } else {
        // A name with an unresolved part (`/aws/lambda/<var.prefix>-orders`) still names the
        // function whose name has the same unresolved part.
        name.scalar_text()
            .and_then(|s| s.strip_prefix("/aws/lambda/").map(str::to_owned))
            .and_then(|n| l.function_index(&Node::new(Value::Str(n), name.loc.clone())))
    };
    if let (Some(i), Some(r)) = (index, e.props.get("RetentionInDays")) {
        l.app.functions[i].log_retention = Some(r.clone());
    }
}

/// `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy`: statements added to the roles in
/// `Roles`, and (managed policies) to roles listing it in their managed policies.
fn policy(l: &mut Loader<'_>, e: &Entry) {
    let Some(doc) = e.props.get("PolicyDocument") else {
        return;
    };
    let statements = iam::statements(doc, &e.id);
    let mut targets: Vec<usize> = e
        .props
        .get("Roles")
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| l.role_index(r))
        .collect();
    if e.type_name == "AWS::IAM::ManagedPolicy" {
        for (i, role) in l.app.roles.iter().enumerate() {
            if role
                .managed_policies
                .iter()
                .any(|m| m.referenced_ids().contains(&e.id))
            {
                targets.push(i);
            }
        }
    }
    targets.sort_unstable();
    targets.dedup();
    for i in targets {
        l.app.roles[i].statements.extend(statements.iter().cloned());
    }
}

/// Stage settings (`AWS::ApiGateway::Stage` or a deployment's `StageDescription`).
fn stage(l: &mut Loader<'_>, api: Option<&Node>, settings: &Node) {
    let Some(i) = api.and_then(|a| l.api_index(a)) else {
        return;
    };
    let api = &mut l.app.apis[i];
    if let Some(m) = settings.get("MethodSettings") {
        api.method_settings = Some(m.clone());
        if has_throttling(m) {
            api.throttling = Some(m.clone());
        }
    }
    if let Some(a) = settings.get("AccessLogSetting") {
        api.access_logging = Some(a.clone());
    }
    if let Some(t) = settings.get("TracingEnabled") {
        api.tracing = Some(t.clone());
    }
}

/// How a method or route is authenticated, from its `AuthorizationType`.
fn authorization(props: &Node) -> Auth {
    let Some(t) = props.get("AuthorizationType") else {
        return Auth::None;
    };
    let Some(text) = t.as_str() else {
        return Auth::Unknown(t.loc.clone());
    };
    let kind = match text.to_ascii_uppercase().as_str() {
        "NONE" => return Auth::None,
        "AWS_IAM" => "aws_iam",
        "COGNITO_USER_POOLS" => "cognito",
        "JWT" => "jwt",
        "CUSTOM" => "lambda",
        _ => "custom",
    };
    let name = props
        .get("AuthorizerId")
        .map(|a| {
            a.referenced_ids()
                .into_iter()
                .next()
                .or_else(|| a.scalar_text())
                .unwrap_or_else(|| a.display())
        })
        .unwrap_or_else(|| text.to_owned());
    Auth::Authorizer {
        kind: kind.to_owned(),
        name,
        loc: t.loc.clone(),
    }
}

/// The path of an `AWS::ApiGateway::Resource` chain (`/orders/{id}`).
fn v1_path(l: &Loader<'_>, resource: Option<&Node>) -> String {
    let mut segments = Vec::new();
    let mut current = resource.cloned();
    for _ in 0..MAX_PATH_SEGMENTS {
        let Some(node) = current.take() else { break };
        let Some(r) = l.entry_ref(&node, &["AWS::ApiGateway::Resource"]) else {
            break;
        };
        segments.push(
            r.props
                .get("PathPart")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "?".to_owned()),
        );
        current = r.props.get("ParentId").cloned();
    }
    segments.reverse();
    format!("/{}", segments.join("/"))
}

/// `AWS::ApiGateway::Method`: a route on the function its integration invokes, or a
/// service route when the integration calls an AWS service itself.
fn method(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    let function = p
        .path(&["Integration", "Uri"])
        .and_then(|u| l.function_index(u));
    let service = match function {
        Some(_) => None,
        None => match direct_service(p) {
            Some(s) => Some(s),
            None => return,
        },
    };
    let route = Route {
        method: p
            .get("HttpMethod")
            .and_then(Node::scalar_text)
            .map_or_else(|| "ANY".to_owned(), |m| m.to_ascii_uppercase()),
        path: v1_path(l, p.get("ResourceId")),
        api: p.get("RestApiId").and_then(|a| {
            a.referenced_ids()
                .into_iter()
                .next()
                .or_else(|| a.scalar_text())
        }),
        auth: authorization(p),
        api_key_required: p
            .get("ApiKeyRequired")
            .and_then(Node::as_bool)
            .unwrap_or(false),
        cors: None,
    };
    let Some(i) = function else {
        let (service, action) = service.unwrap_or_default();
        l.app.service_routes.push(ServiceRoute {
            route,
            loc: e.key_loc.clone(),
            service,
            action,
        });
        return;
    };
    l.app.functions[i].events.push(Event {
        kind: EventKind::Http,
        type_name: e.type_name.clone(),
        loc: e.key_loc.clone(),
        route: Some(route),
        source: None,
        filters: Vec::new(),
        properties: Some(p.clone()),
    });
}

/// The AWS service and action an `AWS` (not `AWS_PROXY`) integration calls itself:
/// `arn:aws:apigateway:<region>:<service>:action/<Action>`, or `:<service>:path/...` with the
/// action in the `Action` request parameter or template (`Action=SendMessage`), or, for S3,
/// from the integration's HTTP method. A Lambda integration is not one (its function is not
/// known when this is reached).
fn direct_service(p: &Node) -> Option<(String, Option<String>)> {
    let integration = p.get("Integration")?;
    let kind = integration.get("Type").and_then(Node::as_str)?;
    if !kind.eq_ignore_ascii_case("AWS") {
        return None;
    }
    let uri = uri_text(integration.get("Uri")?)?;
    let (head, rest, by_action) = if let Some((h, r)) = uri.split_once(":action/") {
        (h, r, true)
    } else {
        let (h, r) = uri.split_once(":path/")?;
        (h, r, false)
    };
    if !head.contains(":apigateway:") {
        return None;
    }
    let service = head.rsplit(':').next()?.to_ascii_lowercase();
    if service.is_empty() || service == "lambda" {
        return None;
    }
    let word = |t: &str| -> Option<String> {
        let w: String = t
            .trim_matches(|c| c == '\'' || c == '"')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        (!w.is_empty()).then_some(w)
    };
    let action = if by_action {
        word(rest)
    } else {
        integration
            .path(&[
                "RequestParameters",
                "integration.request.querystring.Action",
            ])
            .and_then(Node::as_str)
            .and_then(word)
            .or_else(|| {
                let templates = integration.get("RequestTemplates")?;
                templates.entries().iter().find_map(|(_, t)| {
                    let text = uri_text(t)?;
                    let at = text.find("Action=")?;
                    word(&text[at + "Action=".len()..])
                })
            })
            .or_else(|| {
                (service == "s3").then(|| {
                    let verb = integration
                        .get("IntegrationHttpMethod")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    match verb.as_str() {
                        "PUT" | "POST" => Some("PutObject".to_owned()),
                        "DELETE" => Some("DeleteObject".to_owned()),
                        "GET" => Some("GetObject".to_owned()),
                        _ => None,
                    }
                })?
            })
    };
    Some((service, action))
}

/// The text of a string or of a `Fn::Join`/`Fn::Sub` (references as `?`).
fn uri_text(n: &Node) -> Option<String> {
    if let Some(s) = n.as_str() {
        return Some(s.to_owned());
    }
    let (name, arg) = n.intrinsic()?;
    match name {
        "Fn::Join" => {
            let items = arg.items();
            let sep = items.first()?.as_str()?;
            let parts: Vec<String> = items
                .get(1)?
                .items()
                .iter()
                .map(|p| p.as_str().map_or_else(|| "?".to_owned(), str::to_owned))
                .collect();
            Some(parts.join(sep))
        }
        "Fn::Sub" => arg
            .as_str()
            .or_else(|| arg.items().first().and_then(|t| t.as_str()))
            .map(str::to_owned),
        _ => None,
    }
}

/// `AWS::ApiGatewayV2::Route`: a route on the function its target integration invokes.
fn v2_route(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    let Some(integration) = p
        .get("Target")
        .and_then(|t| l.entry_ref(t, &["AWS::ApiGatewayV2::Integration"]))
    else {
        return;
    };
    let Some(uri) = integration.props.get("IntegrationUri").cloned() else {
        return;
    };
    let Some(i) = l.function_index(&uri) else {
        return;
    };
    let api_index = p.get("ApiId").and_then(|a| l.api_index(a));
    let websocket = api_index.is_some_and(|a| l.app.apis[a].protocol == "websocket");
    let key = p
        .get("RouteKey")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "$default".to_owned());
    let (method, path) = if websocket {
        (key.clone(), key)
    } else {
        match key.split_once(' ') {
            Some((m, path)) => (m.to_ascii_uppercase(), path.trim().to_owned()),
            None => ("ANY".to_owned(), key),
        }
    };
    let route = Route {
        method,
        path,
        api: api_index.map(|a| l.app.apis[a].id.clone()),
        auth: authorization(p),
        api_key_required: p
            .get("ApiKeyRequired")
            .and_then(Node::as_bool)
            .unwrap_or(false),
        cors: None,
    };
    l.app.functions[i].events.push(Event {
        kind: if websocket {
            EventKind::WebSocket
        } else {
            EventKind::HttpApi
        },
        type_name: e.type_name.clone(),
        loc: e.key_loc.clone(),
        route: Some(route),
        source: None,
        filters: Vec::new(),
        properties: Some(p.clone()),
    });
}

/// An HTTP API created with `Target` (quick create): one `$default` route, no auth.
fn v2_quick_create(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    if p.get("ProtocolType")
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("WEBSOCKET"))
    {
        return;
    }
    let Some(i) = p.get("Target").and_then(|t| l.function_index(t)) else {
        return;
    };
    let route = Route {
        method: "ANY".to_owned(),
        path: "$default".to_owned(),
        api: Some(e.id.clone()),
        auth: Auth::None,
        api_key_required: false,
        cors: p.get("CorsConfiguration").cloned(),
    };
    l.app.functions[i].events.push(Event {
        kind: EventKind::HttpApi,
        type_name: e.type_name.clone(),
        loc: p
            .key("Target")
            .map_or_else(|| e.key_loc.clone(), |k| k.loc.clone()),
        route: Some(route),
        source: None,
        filters: Vec::new(),
        properties: Some(p.clone()),
    });
}
