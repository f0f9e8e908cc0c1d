//! The Serverless Framework loader (v3 and v4): `serverless.yml|yaml|json` into the
//! application model, and `serverless.ts|js` read statically into the same tree (see
//! [`script`]). Variables are resolved statically first (see [`variables`]); the
//! `resources:` block goes through the CloudFormation loader.

pub mod script;
mod variables;

use std::collections::BTreeMap;
use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile};

use crate::cfn;
use crate::model::{
    Api, Application, Auth, EnvVar, Event, EventKind, Framework, Function, FunctionUrl, KeyFilter,
    Role, RoleOrigin, Route,
};
use crate::yaml::{Node, Value};

/// Reads files that `${file(...)}` names, relative to the scan root. The caller bounds sizes
/// and never leaves the scanned tree.
pub trait FileReader {
    /// The file at a relative path.
    fn read(&self, rel_path: &str) -> Result<Arc<SourceFile>, String>;
}

/// A reader that refuses every file.
pub struct NoFiles;

impl FileReader for NoFiles {
    fn read(&self, rel_path: &str) -> Result<Arc<SourceFile>, String> {
        Err(format!("`{rel_path}` cannot be read here"))
    }
}

/// What the user passed for variable resolution.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--opt key=value` (`stage`, `region`, ...).
    pub opts: BTreeMap<String, String>,
    /// The environment for `${env:}`, only when the user passes `--env-vars`.
    pub env: Option<BTreeMap<String, String>>,
}

/// The id of the role shared by every function without a role of its own.
pub const PROVIDER_ROLE: &str = "<provider>";

/// Whether a file name is a Serverless Framework descriptor.
pub fn is_serverless_file(name: &str) -> bool {
    crate::discover::is_serverless_descriptor(name)
}

/// The CloudFormation logical id the framework gives a function (`hello-world` ->
/// `HelloDashworldLambdaFunction`).
pub fn function_logical_id(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        match c {
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            c if i == 0 => out.extend(c.to_uppercase()),
            c => out.push(c),
        }
    }
    out.push_str("LambdaFunction");
    out
}

/// Loads a parsed `serverless.yml`.
pub fn load(
    file: &Arc<SourceFile>,
    doc: Node,
    reader: &dyn FileReader,
    options: &LoadOptions,
) -> Application {
    let rel = file.path().to_owned();
    let root = crate::discover::parent_dir(&rel).to_owned();
    let mut app = Application::new(rel, Framework::Serverless, root.clone());
    if !matches!(doc.value, Value::Map(_)) {
        app.errors.push(ScanError::at(
            &doc.loc,
            "a serverless descriptor must be a mapping",
        ));
        return app;
    }
    let mut resolver = variables::Resolver::new(&doc, &root, reader, options);
    let doc = resolver.resolve(&doc);
    app.errors.append(&mut resolver.errors);
    app.errors.extend(resolver.take_limit_errors());
    app.name = doc.get("service").and_then(|s| {
        s.as_str()
            .map(str::to_owned)
            .or_else(|| s.get("name").and_then(Node::scalar_text))
    });

    let empty = Node::new(Value::Map(Vec::new()), doc.loc.clone());
    let provider = doc.get("provider").unwrap_or(&empty);
    let stage = options
        .opts
        .get("stage")
        .cloned()
        .or_else(|| provider.get("stage").and_then(Node::scalar_text))
        .unwrap_or_else(|| "dev".into());
    let service = app.name.clone().unwrap_or_default();

    // The provider role: shared by every function without its own.
    let provider_role = provider_role(provider, &doc.loc);
    let mut roles: Vec<Role> = Vec::new();
    let shared_id = provider_role.id.clone();
    if provider_role.origin != RoleOrigin::External
        || !roles.iter().any(|r| r.id == provider_role.id)
    {
        roles.push(provider_role);
    }

    // `functions:` is a mapping, or (old style) a list of one-entry mappings.
    let entries: Vec<&(crate::yaml::Key, Node)> = match doc.get("functions").map(|f| &f.value) {
        Some(Value::Map(entries)) => entries.iter().collect(),
        Some(Value::Seq(items)) => items.iter().flat_map(Node::entries).collect(),
        _ => Vec::new(),
    };
    // serverless-lift constructs that deploy a function: each is one more entry, with the
    // trigger the construct gives it.
    let lifted = lift_functions(&doc, &entries);
    let entries = entries
        .into_iter()
        .map(|e| (e, None))
        .chain(lifted.iter().map(|(e, ev)| (e, Some(ev))));
    for ((key, fnode), trigger) in entries {
        let mut f = function(
            &app.root,
            &key.name,
            &key.loc,
            fnode,
            provider,
            &service,
            &stage,
            &shared_id,
            &mut roles,
            &mut app.errors,
        );
        f.events.extend(trigger.cloned());
        // The service's `package.artifact` packages every function without its own.
        if let (Some(a), crate::CodeSource::Folder(_)) = (
            doc.path(&["package", "artifact"]).filter(|a| !a.is_null()),
            &f.code,
        ) {
            f.code = crate::code::local(&app.root, a)
                .unwrap_or_else(|| crate::CodeSource::Remote(a.clone()));
            f.code_dir = f.code.folder().map(str::to_owned);
        }
        app.functions.push(f);
    }
    match doc.get("functions").map(|f| &f.value) {
        None | Some(Value::Null | Value::Map(_) | Value::Seq(_)) => {}
        Some(_) => app.errors.push(ScanError::at(
            &doc.get("functions").unwrap_or(&doc).loc,
            "`functions` must be a mapping",
        )),
    }
    // serverless-wsgi: the handler is the plugin's own `wsgi_handler.handler`, generated at
    // package time; the application is the WSGI app `custom.wsgi.app` names (`app.app`).
    if let Some(wsgi) = doc
        .path(&["custom", "wsgi", "app"])
        .filter(|n| n.as_str().is_some())
    {
        for f in &mut app.functions {
            if f.handler_str()
                .is_some_and(|h| h.starts_with("wsgi_handler.") || h.starts_with("wsgi."))
            {
                f.handler = Some(wsgi.clone());
            }
        }
    }
    for r in &mut roles {
        r.functions = app
            .functions
            .iter()
            .filter(|f| f.role.as_deref() == Some(r.id.as_str()))
            .map(|f| f.id.clone())
            .collect();
    }
    app.roles = roles;
    apis(&mut app, provider, &doc.loc);

    if let Some(resources) = doc.get("resources") {
        let blocks: Vec<&Node> = match &resources.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![resources],
        };
        for block in blocks {
            let mut ctx =
                cfn::Context::from_template(block, Framework::Serverless, &root, &mut app.errors);
            for f in &app.functions {
                ctx.alias_function(&function_logical_id(&f.id), &f.id);
            }
            ctx.alias_role("IamRoleLambdaExecution", &shared_id);
            // The framework merges the whole block into the stack template: its `Parameters`
            // are the stack's (values come from `provider.stackParameters` or their default).
            app.parameters.extend(ctx.parameters().iter().cloned());
            if let Some(res) = block.get("Resources") {
                cfn::merge_resources(&mut app, res, &ctx);
            }
        }
    }
    app.document = Some(doc);
    app
}

/// The functions that serverless-lift constructs deploy, as `functions:` entries with the
/// event that triggers each: a `queue` construct's `worker` (named `<construct>Worker`),
/// invoked by the construct's SQS queue, and a `webhook` construct's `authorizer`
/// (`<construct>Authorizer`), which API Gateway invokes with each request to the webhook's
/// route before the body goes to EventBridge (an `insecure` webhook has none). Other
/// constructs (`static-website`, `storage`, ...) deploy no function. A construct whose
/// function name is already a key of `functions:` adds nothing.
fn lift_functions(
    doc: &Node,
    declared: &[&(crate::yaml::Key, Node)],
) -> Vec<((crate::yaml::Key, Node), Event)> {
    let mut out: Vec<((crate::yaml::Key, Node), Event)> = Vec::new();
    for (key, construct) in doc.get("constructs").map(Node::entries).unwrap_or_default() {
        let ty = construct
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let (suffix, field, kind, source) = match ty {
            "queue" => ("Worker", "worker", EventKind::Sqs, "queueArn"),
            "webhook" => ("Authorizer", "authorizer", EventKind::Other, "busName"),
            _ => continue,
        };
        let Some(fnode) = construct
            .get(field)
            .filter(|n| matches!(n.value, Value::Map(_)))
        else {
            continue;
        };
        let id = format!("{}{suffix}", key.name);
        if declared.iter().any(|(k, _)| k.name == id) || out.iter().any(|((k, _), _)| k.name == id)
        {
            continue;
        }
        let source = Node::new(
            Value::Str(format!("${{construct:{}.{source}}}", key.name)),
            key.loc.clone(),
        );
        // A queue's settings under the names of the framework's `sqs` event, which is what
        // Lift configures from them.
        let properties = if kind == EventKind::Sqs {
            let mut entries = vec![(
                crate::yaml::Key {
                    name: "arn".into(),
                    loc: key.loc.clone(),
                },
                source.clone(),
            )];
            for (lift, sls) in [
                ("batchSize", "batchSize"),
                ("maxBatchingWindow", "maximumBatchingWindow"),
                ("maxConcurrency", "maximumConcurrency"),
            ] {
                if let Some((k, v)) = construct.entries().iter().find(|(k, _)| k.name == lift) {
                    let name = sls.to_owned();
                    entries.push((
                        crate::yaml::Key {
                            name,
                            loc: k.loc.clone(),
                        },
                        v.clone(),
                    ));
                }
            }
            Node::new(Value::Map(entries), construct.loc.clone())
        } else {
            construct.clone()
        };
        let event = Event {
            kind,
            type_name: ty.to_owned(),
            loc: key.loc.clone(),
            route: None,
            source: Some(source),
            filters: Vec::new(),
            properties: Some(properties),
        };
        let entry = crate::yaml::Key {
            name: id,
            loc: key.loc.clone(),
        };
        out.push(((entry, fnode.clone()), event));
    }
    out
}

fn provider_role(provider: &Node, at: &Loc) -> Role {
    let iam = provider.get("iam");
    let role_node = iam.and_then(|i| i.get("role"));
    // Where the role is written: the `role:` key, else `iam:`, else the legacy statements key.
    let key_of = |parent: Option<&Node>, name: &str| {
        parent.and_then(|p| {
            p.entries()
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(k, _)| k.loc.clone())
        })
    };
    let loc = key_of(iam, "role")
        .or_else(|| key_of(Some(provider), "iam"))
        .or_else(|| key_of(Some(provider), "iamRoleStatements"))
        .unwrap_or_else(|| provider.loc.clone());
    // `iam.role: arn:...` / `iam.role: !GetAtt MyRole.Arn` / legacy `role:`: defined elsewhere.
    let external = role_node
        .filter(|n| !matches!(n.value, Value::Map(_)) || n.intrinsic().is_some())
        .or_else(|| provider.get("role"));
    if let Some(ext) = external {
        let ids = ext.referenced_ids();
        return Role {
            id: ids
                .first()
                .cloned()
                .unwrap_or_else(|| format!("<external:{}>", ext.display())),
            loc: ext.loc.clone(),
            origin: if ids.is_empty() {
                RoleOrigin::External
            } else {
                RoleOrigin::Declared
            },
            statements: Vec::new(),
            managed_policies: Vec::new(),
            functions: Vec::new(),
        };
    }
    let mut statements = Vec::new();
    for n in [
        role_node.and_then(|r| r.get("statements")),
        provider.get("iamRoleStatements"),
    ]
    .into_iter()
    .flatten()
    {
        statements.extend(cfn::statements(n, "inline"));
    }
    let mut managed = Vec::new();
    for n in [
        role_node.and_then(|r| r.get("managedPolicies")),
        provider.get("iamManagedPolicies"),
    ]
    .into_iter()
    .flatten()
    {
        managed.extend(n.items().into_iter().cloned());
    }
    let _ = at;
    Role {
        id: PROVIDER_ROLE.to_owned(),
        loc,
        origin: RoleOrigin::ProviderShared,
        statements,
        managed_policies: managed,
        functions: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn function(
    root: &str,
    id: &str,
    key_loc: &Loc,
    node: &Node,
    provider: &Node,
    service: &str,
    stage: &str,
    shared_role: &str,
    roles: &mut Vec<Role>,
    errors: &mut Vec<ScanError>,
) -> Function {
    let mut f = Function::new(id, key_loc.clone());
    let get = |k: &str| node.get(k).filter(|n| !n.is_null()).cloned();
    let from_provider =
        |k: &str| get(k).or_else(|| provider.get(k).filter(|n| !n.is_null()).cloned());
    f.handler = get("handler");
    if f.handler.is_none() && node.get("image").is_none() {
        errors.push(ScanError::at(
            key_loc,
            format!("function `{id}` has no handler"),
        ));
    }
    f.name = get("name").or_else(|| {
        Some(Node::new(
            Value::Str(format!("{service}-{stage}-{id}")),
            key_loc.clone(),
        ))
    });
    f.runtime = from_provider("runtime");
    // `package.artifact` is a package built before deployment; `image` a container image; otherwise the code is the service's folder.
    let artifact = node.path(&["package", "artifact"]).filter(|a| !a.is_null());
    f.code = match (artifact, node.get("image").filter(|n| !n.is_null())) {
        (Some(a), _) => {
            crate::code::local(root, a).unwrap_or_else(|| crate::CodeSource::Remote(a.clone()))
        }
        (None, Some(image)) => crate::CodeSource::Image(image.clone()),
        (None, None) => crate::CodeSource::Folder(root.to_owned()),
    };
    f.code_dir = f.code.folder().map(str::to_owned);
    f.timeout = from_provider("timeout");
    f.memory = from_provider("memorySize");
    f.reserved_concurrency = get("reservedConcurrency");
    f.provisioned_concurrency = get("provisionedConcurrency");
    f.tracing = get("tracing").or_else(|| provider.path(&["tracing", "lambda"]).cloned());
    f.kms_key = from_provider("kmsKeyArn");
    f.log_retention = from_provider("logRetentionInDays");
    f.tags = get("tags").or_else(|| provider.get("tags").cloned());
    f.layers = get("layers")
        .map(|l| l.items().into_iter().cloned().collect())
        .unwrap_or_default();
    f.dead_letter = get("onError").or_else(|| node.path(&["destinations", "onFailure"]).cloned());
    f.async_config = get("destinations").or_else(|| get("maximumRetryAttempts"));
    // `recursiveLoop: allow|terminate` (v4.37+), `RecursiveLoop` of the function.
    f.recursive_loop = get("recursiveLoop");
    f.properties = Some(node.clone());
    // Environment: the function's over the provider's.
    let mut env: Vec<EnvVar> = Vec::new();
    for source in [provider.get("environment"), node.get("environment")]
        .into_iter()
        .flatten()
    {
        for (k, v) in source.entries() {
            env.retain(|e| e.name != k.name);
            env.push(EnvVar {
                name: k.name.clone(),
                name_loc: k.loc.clone(),
                value: v.clone(),
            });
        }
    }
    f.environment = env;
    // Role: its own, per-function statements (plugin or v4), or the shared provider role.
    let own_statements: Vec<&Node> = [
        node.get("iamRoleStatements"),
        node.path(&["iam", "role", "statements"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(role) = node.get("role").filter(|n| !n.is_null()) {
        let ids = role.referenced_ids();
        let rid = ids
            .first()
            .cloned()
            .unwrap_or_else(|| role.scalar_text().unwrap_or_default());
        if !roles.iter().any(|r| r.id == rid) {
            roles.push(Role {
                id: rid.clone(),
                loc: role.loc.clone(),
                origin: if ids.is_empty() {
                    RoleOrigin::External
                } else {
                    RoleOrigin::Declared
                },
                statements: Vec::new(),
                managed_policies: Vec::new(),
                functions: Vec::new(),
            });
        }
        f.role = Some(rid);
    } else if !own_statements.is_empty() {
        let rid = format!("{id}Role");
        let statements = own_statements
            .iter()
            .flat_map(|n| cfn::statements(n, "inline"))
            .collect();
        let managed = node
            .path(&["iam", "role", "managedPolicies"])
            .map(|m| m.items().into_iter().cloned().collect())
            .unwrap_or_default();
        roles.push(Role {
            id: rid.clone(),
            loc: own_statements[0].loc.clone(),
            origin: RoleOrigin::PerFunction,
            statements,
            managed_policies: managed,
            functions: Vec::new(),
        });
        f.role = Some(rid);
    } else {
        f.role = Some(shared_role.to_owned());
    }
    // Function URL.
    if let Some(url) = node
        .get("url")
        .filter(|u| u.as_bool() != Some(false) && !u.is_null())
    {
        let iam = url
            .get("authorizer")
            .and_then(Node::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
        // The authorizer where one is written, else the `url:` key (`url: true` or settings
        // without one leave the URL open).
        let auth_loc = url
            .get("authorizer")
            .map(|a| a.loc.clone())
            .or_else(|| {
                node.entries()
                    .iter()
                    .find(|(k, _)| k.name == "url")
                    .map(|(k, _)| k.loc.clone())
            })
            .unwrap_or_else(|| url.loc.clone());
        f.url = Some(FunctionUrl {
            auth_type: Some(Node::new(
                Value::Str(if iam { "AWS_IAM" } else { "NONE" }.into()),
                auth_loc,
            )),
            loc: url.loc.clone(),
            cors: url.get("cors").cloned(),
        });
    }
    for ev in node.get("events").map(Node::items).unwrap_or_default() {
        for (k, v) in ev.entries() {
            f.events.push(event(&k.name, k, v));
        }
    }
    f
}

fn kind_of(type_name: &str) -> EventKind {
    match type_name {
        "http" => EventKind::Http,
        "httpApi" => EventKind::HttpApi,
        "websocket" => EventKind::WebSocket,
        "alb" => EventKind::Alb,
        "sqs" => EventKind::Sqs,
        "sns" => EventKind::Sns,
        "s3" => EventKind::S3,
        "schedule" => EventKind::Schedule,
        "eventBridge" | "cloudwatchEvent" => EventKind::EventBridge,
        "cloudwatchLog" => EventKind::CloudWatchLog,
        "cognitoUserPool" => EventKind::Cognito,
        "iot" | "iotFleetProvisioning" => EventKind::Iot,
        "alexaSkill" | "alexaSmartHome" => EventKind::Alexa,
        "kafka" | "msk" | "activemq" | "rabbitmq" => EventKind::Kafka,
        _ => EventKind::Other,
    }
}

fn authorizer(node: Option<&Node>, fallback: &Loc) -> Auth {
    let Some(a) = node.filter(|n| !n.is_null()) else {
        return Auth::None;
    };
    if a.is_symbolic() {
        return Auth::Unknown(a.loc.clone());
    }
    if let Some(s) = a.as_str() {
        let kind = if s.eq_ignore_ascii_case("aws_iam") {
            "aws_iam"
        } else if s.contains("cognito-idp") {
            "cognito"
        } else {
            "lambda"
        };
        return Auth::Authorizer {
            kind: kind.into(),
            name: s.to_owned(),
            loc: a.loc.clone(),
        };
    }
    let ty = a
        .get("type")
        .and_then(Node::scalar_text)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let arn = a.get("arn").map(Node::display).unwrap_or_default();
    let name = a
        .get("name")
        .or_else(|| a.get("id"))
        .or_else(|| a.get("authorizerId"))
        .map(Node::display)
        .unwrap_or_else(|| arn.clone());
    let kind = if ty.contains("cognito") || arn.contains("cognito-idp") {
        "cognito"
    } else if ty == "aws_iam" || ty == "iam" {
        "aws_iam"
    } else if ty == "jwt" {
        "jwt"
    } else if ty.is_empty()
        && a.get("arn").is_none()
        && a.get("name").is_none()
        && a.get("id").is_none()
    {
        return Auth::Unknown(fallback.clone());
    } else {
        "lambda"
    };
    Auth::Authorizer {
        kind: kind.into(),
        name,
        loc: a.loc.clone(),
    }
}

fn route_from_string(s: &str) -> (String, String) {
    let s = s.trim();
    if s == "*" {
        return ("ANY".into(), "*".into());
    }
    match s.split_once(char::is_whitespace) {
        Some((m, p)) => (m.trim().to_ascii_uppercase(), p.trim().to_owned()),
        None => ("ANY".into(), s.to_owned()),
    }
}

fn event(type_name: &str, key: &crate::yaml::Key, v: &Node) -> Event {
    let kind = kind_of(type_name);
    let mut e = Event {
        kind,
        type_name: type_name.to_owned(),
        loc: key.loc.clone(),
        route: None,
        source: None,
        filters: Vec::new(),
        properties: Some(v.clone()),
    };
    match kind {
        EventKind::Http | EventKind::HttpApi => {
            let (method, path) = if let Some(s) = v.as_str() {
                route_from_string(s)
            } else {
                (
                    v.get("method")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| "ANY".into())
                        .to_ascii_uppercase(),
                    v.get("path")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| "/".into()),
                )
            };
            let path = if path.starts_with('/') || path == "*" {
                path
            } else {
                format!("/{path}")
            };
            e.route = Some(Route {
                method,
                path,
                api: None,
                auth: authorizer(v.get("authorizer"), &v.loc),
                api_key_required: v.get("private").and_then(Node::as_bool).unwrap_or(false),
                cors: v.get("cors").cloned(),
            });
        }
        EventKind::WebSocket => {
            let route = v
                .as_str()
                .map(str::to_owned)
                .or_else(|| v.get("route").and_then(Node::scalar_text))
                .unwrap_or_default();
            e.route = Some(Route {
                method: route.clone(),
                path: route,
                api: None,
                auth: authorizer(v.get("authorizer"), &v.loc),
                api_key_required: false,
                cors: None,
            });
        }
        EventKind::Alb => {
            let path = v
                .path(&["conditions", "path"])
                .map(Node::display)
                .unwrap_or_else(|| "/".into());
            let auth = v
                .get("authorizer")
                .map_or(Auth::None, |a| Auth::Authorizer {
                    kind: "alb".into(),
                    name: a.display(),
                    loc: a.loc.clone(),
                });
            e.route = Some(Route {
                method: "ANY".into(),
                path,
                api: None,
                auth,
                api_key_required: false,
                cors: None,
            });
        }
        EventKind::Sqs => e.source = Some(v.get("arn").unwrap_or(v).clone()),
        EventKind::Sns => {
            e.source = Some(
                v.get("arn")
                    .or_else(|| v.get("topicName"))
                    .unwrap_or(v)
                    .clone(),
            );
        }
        EventKind::S3 => {
            e.source = Some(v.get("bucket").unwrap_or(v).clone());
            for rule in v.get("rules").map(Node::items).unwrap_or_default() {
                for (k, val) in rule.entries() {
                    e.filters.push(KeyFilter {
                        name: k.name.to_ascii_lowercase(),
                        value: val.clone(),
                    });
                }
            }
        }
        EventKind::Other if type_name == "stream" => {
            let arn = v.get("arn").unwrap_or(v);
            let ty = v
                .get("type")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let text = arn.display();
            e.kind = if ty == "kinesis" || text.contains("kinesis") {
                EventKind::KinesisStream
            } else {
                EventKind::DynamoDbStream
            };
            e.source = Some(arn.clone());
        }
        EventKind::EventBridge => {
            e.source = v.get("eventBus").cloned();
        }
        EventKind::Schedule => {}
        _ => {}
    }
    e
}

/// The implicit APIs the framework creates for http, httpApi and websocket events.
fn apis(app: &mut Application, provider: &Node, at: &Loc) {
    let has = |k: EventKind| {
        app.functions
            .iter()
            .any(|f| f.events.iter().any(|e| e.kind == k))
    };
    // An implicit API is declared by its settings, or else by its first route.
    let first = |k: EventKind| {
        app.functions
            .iter()
            .flat_map(|f| &f.events)
            .find(|e| e.kind == k)
            .map(|e| e.loc.clone())
    };
    let gateway = provider.get("apiGateway");
    // Where the settings are written: the provider key (`httpApi:`), not the first line of
    // its value.
    let key_loc = |name: &str| {
        provider
            .entries()
            .iter()
            .find(|(k, v)| k.name == name && !v.is_null())
            .map(|(k, _)| k.loc.clone())
    };
    let loc = |name: &str, k: EventKind| {
        key_loc(name)
            .or_else(|| first(k))
            .unwrap_or_else(|| at.clone())
    };
    // `logs.restApi` turns access logging on unless it says `accessLogging: false`.
    let rest_logs = provider.path(&["logs", "restApi"]);
    let rest_access = rest_logs.map(|l| {
        l.get("accessLogging")
            .filter(|a| a.as_bool() == Some(false))
            .unwrap_or(l)
            .clone()
    });
    if has(EventKind::Http) {
        let throttling = gateway
            .and_then(|g| {
                g.path(&["usagePlan", "throttle"])
                    .or_else(|| g.path(&["usagePlan", "quota"]))
            })
            .or_else(|| {
                gateway
                    .and_then(|g| g.get("usagePlan"))
                    .filter(|u| matches!(u.value, Value::Seq(_)))
            })
            .cloned();
        app.apis.push(Api {
            id: cfn::IMPLICIT_REST_API.to_owned(),
            protocol: "rest".into(),
            loc: loc("apiGateway", EventKind::Http),
            default_auth: None,
            api_key_required: false,
            throttling,
            access_logging: rest_access,
            method_settings: rest_logs.cloned(),
            tracing: provider.path(&["tracing", "apiGateway"]).cloned(),
            cors: None,
            resource_policy: gateway.and_then(|g| g.get("resourcePolicy")).cloned(),
            properties: gateway.cloned(),
        });
    }
    if has(EventKind::HttpApi) {
        let http = provider.get("httpApi");
        app.apis.push(Api {
            id: cfn::IMPLICIT_HTTP_API.to_owned(),
            protocol: "http".into(),
            loc: loc("httpApi", EventKind::HttpApi),
            default_auth: None,
            api_key_required: false,
            throttling: None,
            access_logging: provider.path(&["logs", "httpApi"]).cloned(),
            method_settings: None,
            tracing: None,
            cors: http.and_then(|h| h.get("cors")).cloned(),
            resource_policy: None,
            properties: http.cloned(),
        });
    }
    if has(EventKind::WebSocket) {
        app.apis.push(Api {
            id: "<implicit-websocket>".into(),
            protocol: "websocket".into(),
            loc: loc("websocketsApiName", EventKind::WebSocket),
            default_auth: None,
            api_key_required: false,
            throttling: None,
            access_logging: provider.path(&["logs", "websocket"]).cloned(),
            method_settings: None,
            tracing: None,
            cors: None,
            resource_policy: None,
            properties: None,
        });
    }
}
