//! SAM resources: functions (with globals, generated roles and every event type), APIs,
//! state machines.

use perimeter_diagnostics::Loc;

use crate::code::{self, CodeSource};
use crate::model::{
    Api, Auth, EnvVar, Event, EventKind, Function, FunctionUrl, KeyFilter, Role, RoleOrigin, Route,
};
use crate::yaml::{Key, Node, Value};

use super::{ApiAuthInfo, Entry, Loader, iam, join_dir};

/// Id of the REST API SAM creates for `Api` events without `RestApiId`.
pub const IMPLICIT_REST_API: &str = "<implicit>";
/// Id of the HTTP API SAM creates for `HttpApi` events without `ApiId`.
pub const IMPLICIT_HTTP_API: &str = "<implicit-http>";

/// Deeper than any parsed document; a guard for trees built elsewhere.
const MAX_MERGE_DEPTH: usize = 300;

/// Merges a SAM `Globals` section under a resource's properties: the resource wins on
/// scalars, mappings merge key by key (so `Environment.Variables` combine), lists are the
/// global items followed by the resource's. Intrinsics are values, never merged into.
pub fn merge_globals(global: &Node, local: &Node) -> Node {
    merge_at(global, local, 0)
}

fn merge_at(global: &Node, local: &Node, depth: usize) -> Node {
    if depth > MAX_MERGE_DEPTH {
        return local.clone();
    }
    match (&global.value, &local.value) {
        (_, Value::Null) => global.clone(),
        (Value::Map(g), Value::Map(l))
            if global.intrinsic().is_none() && local.intrinsic().is_none() =>
        {
            let mut out: Vec<(Key, Node)> = l
                .iter()
                .map(|(k, v)| match g.iter().find(|(gk, _)| gk.name == k.name) {
                    Some((_, gv)) => (k.clone(), merge_at(gv, v, depth + 1)),
                    None => (k.clone(), v.clone()),
                })
                .collect();
            for (k, v) in g {
                if !l.iter().any(|(lk, _)| lk.name == k.name) {
                    out.push((k.clone(), v.clone()));
                }
            }
            Node::new(Value::Map(out), local.loc.clone())
        }
        (Value::Seq(g), Value::Seq(l)) => Node::new(
            Value::Seq(g.iter().chain(l).cloned().collect()),
            local.loc.clone(),
        ),
        _ => local.clone(),
    }
}

/// Environment variables of an `Environment` value (`{Variables: {...}}`).
pub(crate) fn env_vars(environment: Option<&Node>) -> Vec<EnvVar> {
    environment
        .and_then(|e| e.get("Variables"))
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| EnvVar {
            name: k.name.clone(),
            name_loc: k.loc.clone(),
            value: v.clone(),
        })
        .collect()
}

/// The auth an authorizer name stands for, from the API's `Authorizers` map.
fn named_auth(name: &str, authorizers: Option<&Node>, loc: &Loc) -> Auth {
    if name.eq_ignore_ascii_case("NONE") {
        return Auth::None;
    }
    let kind = if name == "AWS_IAM" {
        "aws_iam"
    } else {
        match authorizers.and_then(|a| a.get(name)) {
            Some(d) if d.get("UserPoolArn").is_some() => "cognito",
            Some(d) if d.get("JwtConfiguration").is_some() => "jwt",
            Some(d) if d.get("FunctionArn").is_some() => "lambda",
            _ => "custom",
        }
    };
    Auth::Authorizer {
        kind: kind.to_owned(),
        name: name.to_owned(),
        loc: loc.clone(),
    }
}

/// An authorizer value as written: a name, or an unresolved value.
fn auth_value(node: &Node, authorizers: Option<&Node>) -> Auth {
    match node.as_str() {
        Some(name) => named_auth(name, authorizers, &node.loc),
        None => Auth::Unknown(node.loc.clone()),
    }
}

/// Auth settings of a SAM API's properties (`Auth`, `DefinitionBody`, ...).
fn auth_info(props: &Node, loc: &Loc) -> ApiAuthInfo {
    let auth = props.get("Auth");
    let authorizers = auth.and_then(|a| a.get("Authorizers")).cloned();
    let default = auth
        .and_then(|a| a.get("DefaultAuthorizer"))
        .map(|d| auth_value(d, authorizers.as_ref()));
    ApiAuthInfo {
        default,
        authorizers,
        api_key_required: auth
            .and_then(|a| a.get("ApiKeyRequired"))
            .and_then(Node::as_bool)
            .unwrap_or(false),
        openapi: props.get("DefinitionBody").is_some() || props.get("DefinitionUri").is_some(),
        definition: props
            .get("DefinitionBody")
            .filter(|d| matches!(d.value, Value::Map(_)))
            .cloned(),
        loc: loc.clone(),
    }
}

fn has_throttling(node: &Node) -> bool {
    let check = |n: &Node| {
        n.entries()
            .iter()
            .any(|(k, _)| k.name.starts_with("Throttling"))
    };
    check(node) || node.items().into_iter().any(check)
}

/// An [`Api`] from SAM API properties.
fn api_model(id: &str, loc: &Loc, props: &Node, http: bool, info: &ApiAuthInfo) -> Api {
    let auth = props.get("Auth");
    let settings = if http {
        props.get("DefaultRouteSettings")
    } else {
        props.get("MethodSettings")
    };
    let throttling = settings
        .filter(|s| has_throttling(s))
        .or_else(|| auth.and_then(|a| a.path(&["UsagePlan", "Throttle"])))
        .cloned();
    Api {
        id: id.to_owned(),
        protocol: if http { "http" } else { "rest" }.to_owned(),
        loc: loc.clone(),
        default_auth: info.default.clone(),
        api_key_required: info.api_key_required,
        throttling,
        access_logging: props
            .get(if http {
                "AccessLogSettings"
            } else {
                "AccessLogSetting"
            })
            .cloned(),
        method_settings: settings.cloned(),
        tracing: if http {
            None
        } else {
            props.get("TracingEnabled").cloned()
        },
        cors: props
            .get(if http { "CorsConfiguration" } else { "Cors" })
            .cloned(),
        resource_policy: auth.and_then(|a| a.get("ResourcePolicy")).cloned(),
        properties: (!props.is_null()).then(|| props.clone()),
    }
}

/// `AWS::Serverless::Api` / `AWS::Serverless::HttpApi` (globals already merged).
pub(crate) fn api(l: &mut Loader<'_>, e: &Entry, http: bool) {
    let info = auth_info(&e.props, &e.key_loc);
    l.app
        .apis
        .push(api_model(&e.id, &e.key_loc, &e.props, http, &info));
    l.api_auth.insert(e.id.clone(), info);
}

/// The implicit API of `Api`/`HttpApi` events, created on first use from the globals.
fn implicit_api(l: &mut Loader<'_>, http: bool, loc: &Loc) -> &'static str {
    let id = if http {
        IMPLICIT_HTTP_API
    } else {
        IMPLICIT_REST_API
    };
    if !l.api_auth.contains_key(id) {
        let props = l
            .ctx
            .global(if http { "HttpApi" } else { "Api" })
            .cloned()
            .unwrap_or_else(|| Node::new(Value::Null, loc.clone()));
        let info = auth_info(&props, loc);
        if !l.app.apis.iter().any(|a| a.id == id) {
            l.app.apis.push(api_model(id, loc, &props, http, &info));
        }
        l.api_auth.insert(id.to_owned(), info);
    }
    id
}

/// `AWS::Serverless::Function`.
pub(crate) fn function(l: &mut Loader<'_>, e: &Entry) {
    let p = &e.props;
    let mut f = Function::new(e.id.clone(), e.key_loc.clone());
    f.name = p.get("FunctionName").cloned();
    f.handler = p.get("Handler").cloned();
    f.runtime = p.get("Runtime").cloned();
    f.timeout = p.get("Timeout").cloned();
    f.memory = p.get("MemorySize").cloned();
    f.reserved_concurrency = p.get("ReservedConcurrentExecutions").cloned();
    f.provisioned_concurrency = p.get("ProvisionedConcurrencyConfig").cloned();
    f.tracing = p.get("Tracing").cloned();
    f.environment = env_vars(p.get("Environment"));
    f.layers = p
        .get("Layers")
        .map(|n| n.items().into_iter().cloned().collect())
        .unwrap_or_default();
    f.dead_letter = p.get("DeadLetterQueue").cloned();
    f.async_config = p.get("EventInvokeConfig").cloned();
    f.kms_key = p.get("KmsKeyArn").cloned();
    f.recursive_loop = p.get("RecursiveLoop").cloned();
    f.tags = p.get("Tags").cloned();
    f.log_retention = p.path(&["LoggingConfig", "RetentionInDays"]).cloned();
    f.code = code_source(l, e);
    f.code_dir = f.code.folder().map(str::to_owned);
    if let (Some(cfg), Some(key)) = (p.get("FunctionUrlConfig"), p.key("FunctionUrlConfig")) {
        f.url = Some(FunctionUrl {
            auth_type: cfg.get("AuthType").cloned(),
            loc: key.loc.clone(),
            cors: cfg.get("Cors").cloned(),
        });
    }
    f.properties = (!p.is_null()).then(|| p.clone());
    for (key, ev) in p.get("Events").map(Node::entries).unwrap_or_default() {
        if let Some(event) = event(l, key, ev) {
            f.events.push(event);
        }
    }
    f.role = Some(match p.get("Role") {
        Some(role) => l.attach_role(&e.id, role),
        None => generated_role(l, &e.id, p, &e.key_loc, Some(&e.id)),
    });
    l.app.functions.push(f);
}

/// Where SAM's function code lives: `CodeUri` as a local path (a folder or a `.zip`), else
/// inline (`InlineCode`), an image, an S3 object, or the template's folder.
fn code_source(l: &Loader<'_>, e: &Entry) -> CodeSource {
    let p = &e.props;
    if let Some(uri) = p.get("CodeUri") {
        return code::local(&l.ctx.root_dir, uri)
            .unwrap_or_else(|| CodeSource::Remote(uri.clone()));
    }
    if let Some(inline) = p.get("InlineCode") {
        let raw = e.raw_props.as_ref().and_then(|p| p.get("InlineCode"));
        return raw
            .and_then(|raw| code::inline_code(raw, &l.app.id))
            .or_else(|| code::inline_code(inline, &l.app.id))
            .map_or_else(|| CodeSource::Generated(inline.clone()), CodeSource::Inline);
    }
    if let Some(image) = p
        .get("ImageUri")
        .or_else(|| p.get("PackageType").filter(|t| t.as_str() == Some("Image")))
    {
        return CodeSource::Image(image.clone());
    }
    CodeSource::from_dir(join_dir(&l.ctx.root_dir, ""))
}

/// The role SAM generates for a resource without `Role`: `<Id>Role`, holding its
/// `Policies`.
fn generated_role(
    l: &mut Loader<'_>,
    id: &str,
    props: &Node,
    loc: &Loc,
    function: Option<&str>,
) -> String {
    let read = props
        .get("Policies")
        .map(iam::sam_policies)
        .unwrap_or_default();
    l.app.errors.extend(read.errors);
    let role_id = format!("{id}Role");
    let role_loc = props
        .key("Policies")
        .map_or_else(|| loc.clone(), |k| k.loc.clone());
    l.app.roles.push(Role {
        id: role_id.clone(),
        loc: role_loc,
        origin: RoleOrigin::PerFunction,
        statements: read.statements,
        managed_policies: read.managed,
        functions: function.map(str::to_owned).into_iter().collect(),
    });
    role_id
}

/// `AWS::Serverless::StateMachine`: the resource is recorded (with its definition) at load;
/// here its generated role gets its `Policies`.
pub(crate) fn state_machine(l: &mut Loader<'_>, e: &Entry) {
    if e.props.get("Role").is_none() {
        generated_role(l, &e.id, &e.props, &e.key_loc, None);
    }
}

/// The event kind and the property naming its source, by SAM event type.
fn kind_of(type_name: &str) -> (EventKind, Option<&'static str>) {
    match type_name {
        "Api" => (EventKind::Http, None),
        "HttpApi" => (EventKind::HttpApi, None),
        "SQS" => (EventKind::Sqs, Some("Queue")),
        "SNS" => (EventKind::Sns, Some("Topic")),
        "S3" => (EventKind::S3, Some("Bucket")),
        "DynamoDB" => (EventKind::DynamoDbStream, Some("Stream")),
        "Kinesis" => (EventKind::KinesisStream, Some("Stream")),
        "Schedule" | "ScheduleV2" => (EventKind::Schedule, None),
        "EventBridgeRule" | "CloudWatchEvent" => (EventKind::EventBridge, Some("EventBusName")),
        "CloudWatchLogs" => (EventKind::CloudWatchLog, Some("LogGroupName")),
        "Cognito" => (EventKind::Cognito, Some("UserPool")),
        "IoTRule" => (EventKind::Iot, None),
        "AlexaSkill" => (EventKind::Alexa, None),
        "MQ" => (EventKind::Kafka, Some("Broker")),
        "MSK" => (EventKind::Kafka, Some("Stream")),
        "SelfManagedKafka" => (EventKind::Kafka, Some("KafkaBootstrapServers")),
        "DocumentDB" => (EventKind::Other, Some("Cluster")),
        _ => (EventKind::Other, None),
    }
}

/// One entry of a SAM function's `Events`.
fn event(l: &mut Loader<'_>, key: &Key, ev: &Node) -> Option<Event> {
    let Some(type_name) = ev.get("Type").and_then(Node::as_str) else {
        l.error(&key.loc, format!("event `{}` has no `Type`", key.name));
        return None;
    };
    let props = ev
        .get("Properties")
        .cloned()
        .unwrap_or_else(|| Node::new(Value::Null, key.loc.clone()));
    let (kind, source_key) = kind_of(type_name);
    let route = match kind {
        EventKind::Http | EventKind::HttpApi => {
            Some(route(l, &props, kind == EventKind::HttpApi, &key.loc))
        }
        _ => None,
    };
    // A route whose API is an inline OpenAPI document is declared there: point at it.
    let loc = route
        .as_ref()
        .and_then(|(_, op)| op.as_ref())
        .map_or_else(|| key.loc.clone(), |op| op.loc.clone());
    let route = route.map(|(r, _)| r);
    let filters = if kind == EventKind::S3 {
        key_filters(props.get("Filter"))
    } else {
        Vec::new()
    };
    Some(Event {
        kind,
        type_name: type_name.to_owned(),
        loc,
        route,
        source: source_key.and_then(|k| props.get(k)).cloned(),
        filters,
        properties: (!props.is_null()).then_some(props),
    })
}

/// `Filter: {S3Key: {Rules: [{Name: prefix, Value: uploads/}]}}`.
pub(crate) fn key_filters(filter: Option<&Node>) -> Vec<KeyFilter> {
    // CloudFormation's `S3Key.Rules`, or the S3 API's `Key.FilterRules` (CDK's custom resource).
    filter
        .and_then(|f| {
            f.path(&["S3Key", "Rules"])
                .or_else(|| f.path(&["Key", "FilterRules"]))
        })
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| {
            let name = r.get("Name")?.scalar_text()?.to_ascii_lowercase();
            Some(KeyFilter {
                name,
                value: r.get("Value")?.clone(),
            })
        })
        .collect()
}

/// The route of an `Api`/`HttpApi` event, with the auth its API and its own `Auth` give.
/// The route of an event, and the OpenAPI operation that declares it when its API is an
/// inline OpenAPI document.
fn route(l: &mut Loader<'_>, props: &Node, http: bool, loc: &Loc) -> (Route, Option<Node>) {
    let api_node = props.get(if http { "ApiId" } else { "RestApiId" });
    let (api_key, api) = match api_node {
        None => (implicit_api(l, http, loc).to_owned(), None),
        Some(n) => {
            let id = n
                .referenced_ids()
                .into_iter()
                .next()
                .or_else(|| n.scalar_text())
                .unwrap_or_else(|| n.display());
            (id.clone(), Some(id))
        }
    };
    let info = l.api_auth.get(&api_key);
    let event_auth = props.get("Auth");
    let mut openapi_op: Option<Node> = None;
    let auth = match (event_auth.and_then(|a| a.get("Authorizer")), info) {
        (Some(a), info) => auth_value(a, info.and_then(|i| i.authorizers.as_ref())),
        (None, Some(info)) => match &info.default {
            Some(d) => d.clone(),
            None if info.openapi => match operation(info.definition.as_ref(), props) {
                Some((op, auth)) => {
                    openapi_op = Some(op);
                    auth
                }
                None => Auth::Unknown(info.loc.clone()),
            },
            None => Auth::None,
        },
        // An API this template does not define as SAM (a plain RestApi, an import):
        // its methods decide.
        (None, None) => Auth::Unknown(api_node.map_or_else(|| loc.clone(), |n| n.loc.clone())),
    };
    let api_key_required = event_auth
        .and_then(|a| a.get("ApiKeyRequired"))
        .and_then(Node::as_bool)
        .unwrap_or_else(|| info.is_some_and(|i| i.api_key_required));
    let (method, path) = if http && props.get("Path").is_none() && props.get("Method").is_none() {
        ("ANY".to_owned(), "$default".to_owned())
    } else {
        (
            props
                .get("Method")
                .and_then(Node::scalar_text)
                .map_or_else(|| "ANY".to_owned(), |m| m.to_ascii_uppercase()),
            props
                .get("Path")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "/".to_owned()),
        )
    };
    (
        Route {
            method,
            path,
            api,
            auth,
            api_key_required,
            cors: None,
        },
        openapi_op,
    )
}

/// The operation of an inline OpenAPI document that a route's path and method designate,
/// with the authentication its `security` (or the document's) requires.
fn operation(definition: Option<&Node>, props: &Node) -> Option<(Node, Auth)> {
    let def = definition?;
    let path = props.get("Path").and_then(Node::scalar_text)?;
    let method = props
        .get("Method")
        .and_then(Node::scalar_text)?
        .to_ascii_lowercase();
    let item = def.get("paths")?.get(&path)?;
    let method = if method == "any" {
        "x-amazon-apigateway-any-method".to_owned()
    } else {
        method
    };
    let op = item
        .get(&method)
        .or_else(|| item.get("x-amazon-apigateway-any-method"))?;
    let security = op.get("security").or_else(|| def.get("security"));
    let auth = match security {
        Some(s) if s.items().iter().any(|req| !req.entries().is_empty()) => {
            let name = s
                .items()
                .iter()
                .flat_map(|r| r.entries())
                .map(|(k, _)| k.name.clone())
                .next()
                .unwrap_or_default();
            Auth::Authorizer {
                kind: "openapi".to_owned(),
                name,
                loc: s.loc.clone(),
            }
        }
        _ => Auth::None,
    };
    Some((op.clone(), auth))
}
