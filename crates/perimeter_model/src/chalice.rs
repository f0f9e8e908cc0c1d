//! AWS Chalice: `.chalice/config.json` and the decorators of `app.py` and of the blueprints
//! it registers.
//!
//! Chalice deploys every `@app.route` of an app as one Lambda function (`api_handler`), and
//! each event decorator (`@app.on_s3_event`, `@app.on_sqs_message`, `@app.on_sns_message`,
//! `@app.schedule`, `@app.on_cw_event`, `@app.lambda_function`, `@app.authorizer`, the
//! WebSocket handlers) as a function of its own. The model shows what the user wrote: **one
//! function per decorated Python function**, named after it (`get_todo`, handler
//! `app.get_todo`), so a finding names the view the user recognises and the code analysis
//! runs that view alone with `app.current_request` as the request. Route functions take the
//! settings Chalice gives `api_handler`; the others the settings of their own name.
//!
//! Settings are looked up as Chalice does: the stage's `lambda_functions.<name>`, the stage,
//! the top-level `lambda_functions.<name>`, the top level; environment variables merge
//! (top level, stage, stage function). The stage is `dev` when the config has one (Chalice's
//! default), else the first. The role: `manage_iam_role: false` is the external role
//! `iam_role_arn`; `autogen_policy: false` gives each deployed function a role with the policy
//! of `iam_policy_file` (default `policy-<stage>.json`, relative to `.chalice/`); otherwise
//! one role for the app whose policy Chalice generates from the code at deploy time (unknown
//! here, so no statements).

use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile, Span};

use crate::model::{
    Api, Application, Auth, EnvVar, Event, EventKind, Framework, Function, KeyFilter, Role,
    RoleOrigin, Route,
};
use crate::pysource::{self, AppFiles, PyCall, PyFunction, PyModule};
use crate::yaml::{self, Node, Value};

/// Whether a path is a Chalice configuration file.
pub fn is_config(path: &str) -> bool {
    path == ".chalice/config.json" || path.ends_with("/.chalice/config.json")
}

/// The name Chalice gives the function serving every route.
const API_HANDLER: &str = "api_handler";

/// The configuration of one stage.
struct Config<'a> {
    doc: &'a Node,
    stage: Option<(String, &'a Node)>,
}

impl Config<'_> {
    /// A setting for a deployed function, looked up as Chalice does.
    fn setting(&self, key: &str, function: &str) -> Option<Node> {
        let stage = self.stage.as_ref().map(|(_, s)| *s);
        stage
            .and_then(|s| s.path(&["lambda_functions", function, key]))
            .or_else(|| stage.and_then(|s| s.get(key)))
            .or_else(|| self.doc.path(&["lambda_functions", function, key]))
            .or_else(|| self.doc.get(key))
            .filter(|n| !n.is_null())
            .cloned()
    }

    /// The environment of a deployed function: top level, stage, stage function, merged.
    fn environment(&self, function: &str) -> Vec<EnvVar> {
        let mut vars: Vec<EnvVar> = Vec::new();
        let mut layers: Vec<&Node> = self.doc.get("environment_variables").into_iter().collect();
        if let Some((_, s)) = &self.stage {
            layers.extend(s.get("environment_variables"));
            layers.extend(s.path(&["lambda_functions", function, "environment_variables"]));
        }
        for layer in layers {
            for (k, v) in layer.entries() {
                vars.retain(|e| e.name != k.name);
                vars.push(EnvVar {
                    name: k.name.clone(),
                    name_loc: k.loc.clone(),
                    value: v.clone(),
                });
            }
        }
        vars
    }

    fn stage_name(&self) -> &str {
        self.stage.as_ref().map_or("dev", |(n, _)| n.as_str())
    }
}

/// A decorated function of the app or of a blueprint, with the module it is in.
struct Declared<'m> {
    module: &'m PyModule,
    function: &'m PyFunction,
    decorator: &'m PyCall,
    /// `url_prefix` of the blueprint registration.
    url_prefix: String,
    /// `name_prefix` of the blueprint registration.
    name_prefix: String,
}

/// Loads a Chalice project from its `.chalice/config.json`; the project's `app.py` and the
/// modules of its blueprints are read through `files`.
pub fn load(config: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let project = config
        .path()
        .strip_suffix(".chalice/config.json")
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    let mut app = Application::new(config.path(), Framework::Chalice, project.clone());
    let doc = match yaml::parse_settings(config) {
        Ok(d) => d,
        Err(e) => {
            app.errors
                .push(ScanError::new(config.path(), format!("cannot parse: {e}")));
            return app;
        }
    };
    app.name = doc
        .get("app_name")
        .and_then(Node::as_str)
        .map(str::to_owned);
    let stage = doc.get("stages").and_then(|s| {
        s.get("dev")
            .map(|d| ("dev".to_owned(), d))
            .or_else(|| s.entries().first().map(|(k, v)| (k.name.clone(), v)))
    });
    let cfg = Config { doc: &doc, stage };
    let join = |p: &str| crate::cfn::join_dir(&project, p).unwrap_or_else(|| p.to_owned());
    let app_py = join("app.py");
    let main = match files.python(&app_py) {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            app.errors.push(e);
            app.document = Some(doc);
            return app;
        }
        None => {
            app.errors.push(ScanError::new(
                config.path(),
                format!("no `{app_py}` beside the Chalice configuration"),
            ));
            app.document = Some(doc);
            return app;
        }
    };
    let app_vars = main.instances_of("Chalice");
    let app_vars: Vec<&str> = if app_vars.is_empty() {
        vec!["app"]
    } else {
        app_vars
    };
    // The blueprints the app registers, each read from its module.
    let mut blueprints: Vec<(PyModule, String, String, String)> = Vec::new();
    for call in &main.calls {
        if call.method() != "register_blueprint" || !app_vars.contains(&call.receiver()) {
            continue;
        }
        let Some(target) = call.args.first().and_then(pysource::name) else {
            continue;
        };
        let prefix = |k: &str| {
            call.kwarg(k)
                .and_then(pysource::literal)
                .unwrap_or("")
                .to_owned()
        };
        match pysource::resolve_object(&main, target, &project, files, "Blueprint") {
            Ok(Some((module, var))) => {
                blueprints.push((module, var, prefix("url_prefix"), prefix("name_prefix")));
            }
            Ok(None) => {}
            Err(e) => app.errors.push(e),
        }
    }
    let mut declared: Vec<Declared<'_>> = Vec::new();
    for f in &main.functions {
        for d in &f.decorators {
            if app_vars.contains(&d.receiver()) {
                declared.push(Declared {
                    module: &main,
                    function: f,
                    decorator: d,
                    url_prefix: String::new(),
                    name_prefix: String::new(),
                });
            }
        }
    }
    for (module, var, url_prefix, name_prefix) in &blueprints {
        for f in &module.functions {
            for d in &f.decorators {
                if d.receiver() == var {
                    declared.push(Declared {
                        module,
                        function: f,
                        decorator: d,
                        url_prefix: url_prefix.clone(),
                        name_prefix: name_prefix.clone(),
                    });
                }
            }
        }
    }

    // Chalice deploys with the Python version of the machine that runs `chalice deploy`.
    let config_loc = Loc::new(config, Span { start: 0, end: 0 });
    let runtime = Node::new(Value::Str("python3".to_owned()), config_loc.clone());
    let authorizers = authorizers(&main, &declared);
    let mut roles: Vec<Role> = Vec::new();
    let mut has_routes = false;
    for d in &declared {
        let dec = d.decorator;
        let Some(kind) = Kind::of(dec.method()) else {
            continue;
        };
        // The deployed function whose settings apply.
        let deployed = match kind {
            Kind::Route => API_HANDLER.to_owned(),
            _ => {
                let name = (dec.method() == "lambda_function")
                    .then(|| dec.kwarg("name").and_then(pysource::literal))
                    .flatten()
                    .unwrap_or(&d.function.name);
                format!("{}{name}", d.name_prefix)
            }
        };
        let id = match kind {
            Kind::Route => format!("{}{}", d.name_prefix, d.function.name),
            _ => deployed.clone(),
        };
        let idx = if let Some(i) = app.functions.iter().position(|f| f.id == id) {
            i
        } else {
            let mut f = Function::new(id.clone(), dec.loc.clone());
            f.handler = Some(Node::new(
                Value::Str(format!(
                    "{}.{}",
                    d.module.module_path(&project),
                    d.function.name
                )),
                d.function.loc.clone(),
            ));
            f.runtime = Some(runtime.clone());
            f.code_dir = Some(project.clone());
            f.code = crate::CodeSource::Folder(project.clone());
            f.timeout = cfg.setting("lambda_timeout", &deployed);
            f.memory = cfg.setting("lambda_memory_size", &deployed);
            f.reserved_concurrency = cfg.setting("reserved_concurrency", &deployed);
            f.tracing = cfg.setting("xray", &deployed);
            f.tags = cfg.setting("tags", &deployed);
            f.environment = cfg.environment(&deployed);
            f.name = Some(Node::new(Value::Str(deployed.clone()), dec.loc.clone()));
            f.role = Some(role_for(
                &cfg,
                &deployed,
                &project,
                files,
                &mut roles,
                &mut app.errors,
            ));
            app.functions.push(f);
            app.functions.len() - 1
        };
        let event = event(kind, d, &authorizers);
        has_routes |= kind == Kind::Route;
        app.functions[idx].events.extend(event);
    }
    if has_routes {
        let stage_name = cfg.setting("api_gateway_stage", API_HANDLER);
        app.apis.push(Api {
            id: API_HANDLER.to_owned(),
            protocol: "rest".to_owned(),
            loc: config_loc,
            default_auth: None,
            api_key_required: false,
            throttling: None,
            access_logging: None,
            method_settings: None,
            tracing: cfg.setting("xray", API_HANDLER),
            cors: None,
            resource_policy: None,
            properties: stage_name.map(|s| {
                let loc = s.loc.clone();
                let key = yaml::Key {
                    name: "api_gateway_stage".to_owned(),
                    loc: loc.clone(),
                };
                Node::new(Value::Map(vec![(key, s)]), loc)
            }),
        });
    }
    for role in &mut roles {
        role.functions = app
            .functions
            .iter()
            .filter(|f| f.role.as_deref() == Some(role.id.as_str()))
            .map(|f| f.id.clone())
            .collect();
    }
    app.roles = roles;
    app.document = Some(doc);
    app
}

/// What a Chalice decorator declares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Route,
    Trigger(EventKind),
    WebSocket(&'static str),
    /// `@app.lambda_function`: invoked directly.
    Pure,
    /// `@app.authorizer`: called by API Gateway with the caller's token.
    Authorizer,
}

impl Kind {
    fn of(method: &str) -> Option<Self> {
        Some(match method {
            "route" => Kind::Route,
            "on_s3_event" => Kind::Trigger(EventKind::S3),
            "on_sqs_message" => Kind::Trigger(EventKind::Sqs),
            "on_sns_message" => Kind::Trigger(EventKind::Sns),
            "on_kinesis_record" => Kind::Trigger(EventKind::KinesisStream),
            "on_dynamodb_record" => Kind::Trigger(EventKind::DynamoDbStream),
            "schedule" => Kind::Trigger(EventKind::Schedule),
            "on_cw_event" => Kind::Trigger(EventKind::EventBridge),
            "on_ws_connect" => Kind::WebSocket("$connect"),
            "on_ws_message" => Kind::WebSocket("$default"),
            "on_ws_disconnect" => Kind::WebSocket("$disconnect"),
            "lambda_function" => Kind::Pure,
            "authorizer" => Kind::Authorizer,
            _ => return None,
        })
    }
}

/// The authorizers of the app by variable or function name, with their kind.
fn authorizers(main: &PyModule, declared: &[Declared<'_>]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = main
        .assigns
        .iter()
        .filter_map(|(name, call)| {
            let kind = match call.method() {
                "IAMAuthorizer" => "aws_iam",
                "CognitoUserPoolAuthorizer" => "cognito",
                "CustomAuthorizer" => "lambda",
                _ => return None,
            };
            Some((name.clone(), kind))
        })
        .collect();
    out.extend(
        declared
            .iter()
            .filter(|d| d.decorator.method() == "authorizer")
            .map(|d| (d.function.name.clone(), "lambda")),
    );
    out
}

/// `CORSConfig()` allows every origin unless `allow_origin` says otherwise: the default is
/// made explicit, at the call.
fn cors_defaults(mut node: Node) -> Node {
    if pysource::callee(&node).is_some_and(|c| c.ends_with("CORSConfig"))
        && node.get("allow_origin").is_none()
        && let Value::Map(entries) = &mut node.value
    {
        entries.push((
            yaml::Key {
                name: "allow_origin".to_owned(),
                loc: node.loc.clone(),
            },
            Node::new(Value::Str("*".to_owned()), node.loc.clone()),
        ));
    }
    node
}

/// The events a decorator declares.
fn event(kind: Kind, d: &Declared<'_>, authorizers: &[(String, &'static str)]) -> Vec<Event> {
    let dec = d.decorator;
    let base = |kind: EventKind, route: Option<Route>, source: Option<Node>| Event {
        kind,
        type_name: dec.method().to_owned(),
        loc: dec.loc.clone(),
        route,
        source,
        filters: Vec::new(),
        properties: None,
    };
    match kind {
        Kind::Route => {
            let path = dec
                .arg("path", 0)
                .and_then(pysource::literal)
                .unwrap_or("/");
            let path = format!("{}{path}", d.url_prefix.trim_end_matches('/'));
            let methods: Vec<String> = dec.kwarg("methods").map_or_else(
                || vec!["GET".to_owned()],
                |m| {
                    m.items()
                        .iter()
                        .filter_map(|x| x.as_str())
                        .map(str::to_ascii_uppercase)
                        .collect()
                },
            );
            let auth = match dec.kwarg("authorizer") {
                None => Auth::None,
                Some(n) if n.is_null() => Auth::None,
                Some(n) => {
                    let name = pysource::name(n).map_or_else(|| n.display(), str::to_owned);
                    match authorizers.iter().find(|(a, _)| *a == name) {
                        Some((_, kind)) => Auth::Authorizer {
                            kind: (*kind).to_owned(),
                            name,
                            loc: n.loc.clone(),
                        },
                        // An authorizer made elsewhere, or an expression: it is set.
                        None => Auth::Authorizer {
                            kind: "chalice".to_owned(),
                            name,
                            loc: n.loc.clone(),
                        },
                    }
                }
            };
            let api_key_required =
                dec.kwarg("api_key_required").and_then(Node::as_bool) == Some(true);
            // `cors=config` names a `CORSConfig(...)` assigned in the module: its arguments.
            let cors = dec
                .kwarg("cors")
                .filter(|c| c.as_bool() != Some(false) && !c.is_null())
                .map(|c| {
                    let c = pysource::name(c)
                        .and_then(|n| d.module.assigned(n))
                        .map_or_else(|| c.clone(), PyCall::to_node);
                    cors_defaults(c)
                });
            methods
                .into_iter()
                .map(|method| {
                    base(
                        EventKind::Http,
                        Some(Route {
                            method,
                            path: path.clone(),
                            api: Some(API_HANDLER.to_owned()),
                            auth: auth.clone(),
                            api_key_required,
                            cors: cors.clone(),
                        }),
                        None,
                    )
                })
                .collect()
        }
        Kind::Trigger(k) => {
            let key = match k {
                EventKind::S3 => "bucket",
                EventKind::Sqs => "queue",
                EventKind::Sns => "topic",
                EventKind::KinesisStream => "stream",
                EventKind::DynamoDbStream => "stream_arn",
                EventKind::Schedule => "expression",
                _ => "event_pattern",
            };
            let source = match k {
                EventKind::Schedule | EventKind::EventBridge => None,
                // `queue_arn=` and `topic=` given as an ARN name the same resource.
                EventKind::Sqs => dec.arg("queue", 0).or_else(|| dec.kwarg("queue_arn")),
                _ => dec.arg(key, 0),
            }
            .cloned();
            let mut e = base(k, None, source);
            e.filters = ["prefix", "suffix"]
                .iter()
                .filter(|_| k == EventKind::S3)
                .filter_map(|n| {
                    dec.kwarg(n).map(|v| KeyFilter {
                        name: (*n).to_owned(),
                        value: v.clone(),
                    })
                })
                .collect();
            e.properties = (k == EventKind::Schedule || k == EventKind::EventBridge)
                .then(|| dec.arg(key, 0).cloned())
                .flatten();
            vec![e]
        }
        Kind::WebSocket(route) => vec![base(
            EventKind::WebSocket,
            Some(Route {
                method: route.to_owned(),
                path: route.to_owned(),
                api: None,
                auth: Auth::None,
                api_key_required: false,
                cors: None,
            }),
            None,
        )],
        Kind::Pure | Kind::Authorizer => {
            let mut e = base(EventKind::Other, None, None);
            e.type_name = if kind == Kind::Pure {
                "lambda_function".to_owned()
            } else {
                "authorizer".to_owned()
            };
            vec![e]
        }
    }
}

/// The role a deployed function runs with (added to `roles` once), by Chalice's rules.
fn role_for(
    cfg: &Config<'_>,
    deployed: &str,
    project: &str,
    files: &dyn AppFiles,
    roles: &mut Vec<Role>,
    errors: &mut Vec<ScanError>,
) -> String {
    let is_false = |n: &Option<Node>| n.as_ref().and_then(Node::as_bool) == Some(false);
    let manage = cfg.setting("manage_iam_role", deployed);
    let (id, loc, origin, policy) = if is_false(&manage) {
        let arn = cfg.setting("iam_role_arn", deployed);
        let id = arn
            .as_ref()
            .and_then(Node::as_str)
            .unwrap_or("<iam_role_arn>")
            .to_owned();
        let loc = arn
            .or(manage)
            .map(|n| n.loc)
            .unwrap_or_else(|| cfg.doc.loc.clone());
        (id, loc, RoleOrigin::External, None)
    } else if is_false(&cfg.setting("autogen_policy", deployed)) {
        let file = cfg.setting("iam_policy_file", deployed);
        let name = file.as_ref().and_then(Node::as_str).map_or_else(
            || format!("policy-{}.json", cfg.stage_name()),
            str::to_owned,
        );
        let loc = file.map_or_else(
            || {
                cfg.setting("autogen_policy", deployed)
                    .map_or_else(|| cfg.doc.loc.clone(), |n| n.loc)
            },
            |n| n.loc,
        );
        (
            format!("{deployed}_role"),
            loc,
            RoleOrigin::PerFunction,
            Some(name),
        )
    } else {
        let loc = manage.map_or_else(|| cfg.doc.loc.clone(), |n| n.loc);
        ("default-role".to_owned(), loc, RoleOrigin::Generated, None)
    };
    if roles.iter().any(|r| r.id == id) {
        return id;
    }
    let mut role = Role {
        id: id.clone(),
        loc,
        origin,
        statements: Vec::new(),
        managed_policies: Vec::new(),
        functions: Vec::new(),
    };
    if let Some(name) = policy {
        let dir = crate::cfn::join_dir(project, ".chalice").unwrap_or_default();
        match crate::cfn::join_dir(&dir, &name) {
            None => errors.push(ScanError::at(
                &role.loc,
                format!("the IAM policy file `{name}` is outside the project"),
            )),
            Some(rel) => match files.file(&rel).map(|f| yaml::parse(&f)) {
                Some(Ok(doc)) => role.statements = crate::cfn::iam_statements(&doc, &name),
                Some(Err(e)) => errors.push(ScanError::new(&rel, format!("cannot parse: {e}"))),
                None => errors.push(ScanError::at(
                    &role.loc,
                    format!(
                        "`autogen_policy` is false, so `chalice deploy` reads the IAM policy of `{deployed}` from `{rel}`, which is not in the repository"
                    ),
                )),
            },
        }
    }
    roles.push(role);
    id
}
