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
//! The app object is what `app.py` assigns an instance of `Chalice` or of a subclass of it
//! (`class CustomChalice(Chalice)`, in the module or imported), or what it imports from a module
//! of the project that makes one (`from chalicelib.main import app`, or `*`); its functions are
//! declared with decorators or by applying them (`app.route('/x')(views.x)`, the view then found
//! through the imports), in `app.py`, in the module that makes the app and in the registered
//! blueprints. `app.debug = True` is recorded on every function of the app.
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
use crate::pysource::{self, AppFiles, PyCall, PyFunction, PyImport, PyModule};
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
    /// The module where the decorator is written.
    site: &'m PyModule,
    /// The module where the function is defined.
    module: &'m PyModule,
    function: &'m PyFunction,
    decorator: &'m PyCall,
    /// `url_prefix` of the blueprint registration.
    url_prefix: String,
    /// `name_prefix` of the blueprint registration.
    name_prefix: String,
}

/// Sample configurations committed in place of `.chalice/config.json`, which projects often
/// keep out of the repository because it holds their settings.
const SAMPLE_CONFIGS: &[&str] = &[
    "config-sample.json",
    "config.sample.json",
    "config.json.sample",
    "config-example.json",
    "config.example.json",
    "config.json.example",
    "config.json.template",
    "config.json.dist",
    "sample-config.json",
    "example-config.json",
];

/// Whether a path is a sample Chalice configuration (`.chalice/config-sample.json`, ...).
pub fn is_sample_config(path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    (dir == ".chalice" || dir.ends_with("/.chalice")) && SAMPLE_CONFIGS.contains(&name)
}

/// The project folder of a file of its `.chalice/` folder (`""` at the root).
pub fn project_of(path: &str) -> Option<&str> {
    let (dir, _) = path.rsplit_once('/')?;
    if dir == ".chalice" {
        return Some("");
    }
    dir.strip_suffix("/.chalice")
}

/// The Chalice projects of a tree that have no `.chalice/config.json`, from the files of
/// the walk: each folder with a `.chalice/` folder (one of `dirs`, or holding a file) and an
/// `app.py` beside it, with the sample configuration to read when one is committed.
pub fn projects_without_config<'a>(
    files: &[&'a str],
    dirs: &[&'a str],
) -> Vec<(String, Option<&'a str>)> {
    let mut projects: std::collections::BTreeMap<String, Option<&'a str>> =
        std::collections::BTreeMap::new();
    let with_config: std::collections::BTreeSet<&str> = files
        .iter()
        .filter(|f| is_config(f))
        .filter_map(|f| project_of(f))
        .collect();
    let chalice_dirs = dirs
        .iter()
        .filter_map(|d| {
            if *d == ".chalice" {
                Some("")
            } else {
                d.strip_suffix("/.chalice")
            }
        })
        .chain(files.iter().filter_map(|f| project_of(f)));
    for project in chalice_dirs {
        if with_config.contains(project) {
            continue;
        }
        projects.entry(project.to_owned()).or_insert(None);
    }
    for f in files.iter().filter(|f| is_sample_config(f)) {
        if let Some(p) = project_of(f).and_then(|p| projects.get_mut(p))
            && p.is_none()
        {
            *p = Some(*f);
        }
    }
    projects
        .into_iter()
        .filter(|(p, _)| {
            crate::cfn::join_dir(p, "app.py").is_some_and(|a| files.contains(&a.as_str()))
        })
        .collect()
}

/// Loads a Chalice project from its `.chalice/config.json`; the project's `app.py` and the
/// modules of its blueprints are read through `files`.
pub fn load(config: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let project = project_of(config.path()).unwrap_or("").to_owned();
    load_project(config.path(), &project, Some(config), files)
}

/// Loads a Chalice project that commits only a sample of its configuration (the sample is
/// read as the configuration, with a warning), or none at all (`config` is `None`: the app
/// is found from `app.py` creating `Chalice(app_name=...)`, and Chalice's defaults apply).
/// `None` when there is no config and `app.py` creates no Chalice app.
pub fn load_without_config(
    project: &str,
    sample: Option<&Arc<SourceFile>>,
    files: &dyn AppFiles,
) -> Option<Application> {
    let folder = crate::cfn::join_dir(project, ".chalice").unwrap_or_else(|| ".chalice".into());
    if let Some(sample) = sample {
        let mut app = load_project(sample.path(), project, Some(sample), files);
        app.warnings.push(format!(
            "{}: read as the configuration of the Chalice app in `{folder}/`, which commits no `config.json` (settings may differ from the deployed ones)",
            sample.path()
        ));
        return Some(app);
    }
    let app_py = crate::cfn::join_dir(project, "app.py")?;
    // Only an app.py that creates a Chalice app is one: anything else beside a stray
    // `.chalice/` folder is not.
    let creates_app =
        matches!(files.python(&app_py), Some(Ok(m)) if !m.instances_of("Chalice").is_empty());
    if !creates_app {
        return None;
    }
    let mut app = load_project(&folder, project, None, files);
    app.warnings.push(format!(
        "{folder}: the Chalice app of `{app_py}` commits no `config.json`; read with Chalice's defaults (settings may differ from the deployed ones)"
    ));
    Some(app)
}

fn load_project(
    id: &str,
    project: &str,
    config: Option<&Arc<SourceFile>>,
    files: &dyn AppFiles,
) -> Application {
    let project = project.to_owned();
    let mut app = Application::new(id, Framework::Chalice, project.clone());
    let parsed = match config {
        Some(config) => match yaml::parse_settings_noted(config) {
            Ok((d, notes)) => {
                app.warnings
                    .extend(yaml::tolerated_warning(config.path(), &notes));
                Some(d)
            }
            Err(e) => {
                app.errors
                    .push(ScanError::new(config.path(), format!("cannot parse: {e}")));
                return app;
            }
        },
        None => None,
    };
    let join = |p: &str| crate::cfn::join_dir(&project, p).unwrap_or_else(|| p.to_owned());
    let app_py = join("app.py");
    let main = match files.python(&app_py) {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            app.errors.push(e);
            app.document = parsed;
            return app;
        }
        None => {
            app.errors.push(ScanError::new(
                config.map_or(id, |c| c.path()),
                format!("no `{app_py}` beside the Chalice configuration"),
            ));
            app.document = parsed;
            return app;
        }
    };
    // Without a configuration, every setting takes Chalice's default: an empty document at
    // the top of `app.py`, and the app's name from `Chalice(app_name=...)`.
    let config: Arc<SourceFile> = config.map_or_else(|| Arc::clone(&main.file), Arc::clone);
    let config = &config;
    let doc = parsed.unwrap_or_else(|| {
        Node::new(
            Value::Map(Vec::new()),
            Loc::new(config, Span { start: 0, end: 0 }),
        )
    });
    app.name = doc
        .get("app_name")
        .and_then(Node::as_str)
        .map(str::to_owned)
        .or_else(|| {
            main.instances_of("Chalice").first().and_then(|v| {
                main.assigned(v)
                    .and_then(|c| c.kwarg("app_name").or_else(|| c.args.first()))
                    .and_then(pysource::literal)
                    .map(str::to_owned)
            })
        });
    let stage = doc.get("stages").and_then(|s| {
        s.get("dev")
            .map(|d| ("dev".to_owned(), d))
            .or_else(|| s.entries().first().map(|(k, v)| (k.name.clone(), v)))
    });
    let cfg = Config { doc: &doc, stage };
    let mut mods = Modules {
        files,
        project: project.clone(),
        mods: vec![main],
        errors: Vec::new(),
    };
    let sites = mods.sites();
    if sites.is_empty() {
        app.errors.push(ScanError::new(
            &app_py,
            "no Chalice app: nothing assigns `Chalice(...)` or an instance of a subclass of it, or imports one",
        ));
    }
    // Each decoration, by indices into `mods` while modules are still being read.
    let mut found: Vec<Found> = Vec::new();
    let mut bp_sites: Vec<(usize, String, String, String)> = Vec::new();
    for (m, names) in &sites {
        mods.collect(*m, names, "", "", &mut found);
        // The blueprints the app registers, each read from its module.
        let calls: Vec<PyCall> = mods.mods[*m].calls.clone();
        for call in &calls {
            if call.method() != "register_blueprint" || !names.iter().any(|n| n == call.receiver())
            {
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
            match pysource::resolve_object(&mods.mods[*m], target, &project, files, "Blueprint") {
                Ok(Some((module, var))) => {
                    let idx = mods.add(module);
                    bp_sites.push((idx, var, prefix("url_prefix"), prefix("name_prefix")));
                }
                Ok(None) => {}
                Err(e) => app.errors.push(e),
            }
        }
    }
    for (m, var, url_prefix, name_prefix) in &bp_sites {
        mods.collect(
            *m,
            std::slice::from_ref(var),
            url_prefix,
            name_prefix,
            &mut found,
        );
    }
    app.errors.append(&mut mods.errors);
    let mods = mods.mods;
    let declared: Vec<Declared<'_>> = found
        .iter()
        .map(|f| {
            let function = &mods[f.module].functions[f.function];
            Declared {
                site: &mods[f.site],
                module: &mods[f.module],
                function,
                decorator: match f.decorator {
                    Dec::At(i) => &function.decorators[i],
                    Dec::Applied(i) => &mods[f.site].applied[i].decorator,
                },
                url_prefix: f.url_prefix.clone(),
                name_prefix: f.name_prefix.clone(),
            }
        })
        .collect();
    // `app.debug = True`: Chalice answers an unhandled error with its traceback.
    let debug = sites.iter().find_map(|(m, names)| {
        names.iter().find_map(|n| {
            mods[*m]
                .value(&format!("{n}.debug"))
                .filter(|v| v.as_bool() == Some(true))
                .cloned()
        })
    });
    let site_modules: Vec<&PyModule> = sites.iter().map(|(m, _)| &mods[*m]).collect();

    // Chalice deploys with the Python version of the machine that runs `chalice deploy`.
    let config_loc = Loc::new(config, Span { start: 0, end: 0 });
    let runtime = Node::new(Value::Str("python3".to_owned()), config_loc.clone());
    let authorizers = authorizers(&site_modules, &declared);
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
            f.debug = debug.clone();
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
fn authorizers(sites: &[&PyModule], declared: &[Declared<'_>]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = sites
        .iter()
        .flat_map(|m| m.assigns.iter())
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
                        .and_then(|n| d.site.assigned(n))
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

/// Which decorator of a [`Found`] declaration.
#[derive(Clone, Copy)]
enum Dec {
    /// The function's decorator at this index.
    At(usize),
    /// The site module's applied decorator at this index.
    Applied(usize),
}

/// A decorated function, by indices into [`Modules::mods`].
struct Found {
    site: usize,
    module: usize,
    function: usize,
    decorator: Dec,
    url_prefix: String,
    name_prefix: String,
}

/// How many imports are followed to find the app object, its class or a view.
const MAX_IMPORTS: usize = 4;

/// The Python modules of the project read so far; `mods[0]` is `app.py`.
struct Modules<'f> {
    files: &'f dyn AppFiles,
    project: String,
    mods: Vec<PyModule>,
    errors: Vec<ScanError>,
}

impl Modules<'_> {
    /// Adds a module read elsewhere, once; its index.
    fn add(&mut self, module: PyModule) -> usize {
        if let Some(i) = self
            .mods
            .iter()
            .position(|m| m.file.path() == module.file.path())
        {
            return i;
        }
        self.mods.push(module);
        self.mods.len() - 1
    }

    /// The module `name` (dotted) imported from module `from` with `level` leading dots:
    /// absolute imports from the project folder (where Chalice runs the app from), relative
    /// ones from the importing module's package.
    fn import(&mut self, from: usize, name: &str, level: u32) -> Option<usize> {
        let mut base = if level == 0 {
            self.project.clone()
        } else {
            let path = self.mods[from].file.path();
            path.rsplit_once('/').map_or("", |(d, _)| d).to_owned()
        };
        for _ in 1..level {
            base = crate::cfn::join_dir(&base, "..")?;
        }
        let rel = name.replace('.', "/");
        for candidate in [format!("{rel}.py"), format!("{rel}/__init__.py")] {
            let candidate = candidate.trim_start_matches('/');
            let Some(path) = crate::cfn::join_dir(&base, candidate) else {
                continue;
            };
            if let Some(i) = self.mods.iter().position(|m| m.file.path() == path) {
                return Some(i);
            }
            match self.files.python(&path) {
                Some(Ok(m)) => return Some(self.add(m)),
                Some(Err(e)) => {
                    self.errors.push(e);
                    return None;
                }
                None => {}
            }
        }
        None
    }

    /// The module an import names as a whole (`from chalicelib import routes` when
    /// `chalicelib/routes.py` exists, `import chalicelib.routes`), if any.
    fn imported_module(&mut self, from: usize, import: &PyImport) -> Option<usize> {
        match &import.member {
            Some(member) => {
                let name = [import.module.as_str(), member.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(".");
                self.import(from, &name, import.level)
            }
            None => self.import(from, &import.module, import.level),
        }
    }

    /// Whether the class `name` of module `m` is `Chalice` or a subclass of it, defined in
    /// the module or imported from another module of the project.
    fn is_chalice_class(&mut self, m: usize, name: &str, depth: usize) -> bool {
        if name == "Chalice" || name == "chalice.Chalice" {
            return true;
        }
        if depth > MAX_IMPORTS {
            return false;
        }
        if let Some(bases) = self.mods[m]
            .classes
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.bases.clone())
        {
            return bases.iter().any(|b| self.is_chalice_class(m, b, depth + 1));
        }
        let (head, rest) = name.split_once('.').unwrap_or((name, ""));
        let Some(import) = self.mods[m]
            .imports
            .iter()
            .find(|i| i.name == head)
            .cloned()
        else {
            return false;
        };
        match (&import.member, rest.is_empty()) {
            // `from chalice import Chalice as C` is Chalice itself.
            (Some(member), true) if import.module == "chalice" => member == "Chalice",
            (Some(member), true) => self
                .import(m, &import.module, import.level)
                .is_some_and(|i| self.is_chalice_class(i, member, depth + 1)),
            (_, false) => self
                .imported_module(m, &import)
                .is_some_and(|i| self.is_chalice_class(i, rest, depth + 1)),
            (None, true) => false,
        }
    }

    /// The names module `m` assigns an instance of Chalice (or of a subclass) to.
    fn instances(&mut self, m: usize) -> Vec<String> {
        let assigns: Vec<(String, String)> = self.mods[m]
            .assigns
            .iter()
            .map(|(n, c)| (n.clone(), c.callee.clone()))
            .collect();
        assigns
            .into_iter()
            .filter(|(_, callee)| self.is_chalice_class(m, callee, 0))
            .map(|(n, _)| n)
            .collect()
    }

    /// The modules where the app object is used, each with the names it has there: `app.py`
    /// when it makes the app or imports it (`from chalicelib.main import app`, or `*`), and
    /// the module that makes it.
    fn sites(&mut self) -> Vec<(usize, Vec<String>)> {
        let names = self.instances(0);
        if !names.is_empty() {
            return vec![(0, names)];
        }
        // The app imported by name (`from chalicelib.main import app as a`) or with
        // everything of its module (`*`), maybe through modules that import it in turn.
        let mut local: Option<Vec<String>> = None;
        let mut want: Option<String> = None;
        let mut at = 0;
        for _ in 0..=MAX_IMPORTS {
            let imports = self.mods[at].imports.clone();
            // An import that brings the app is taken before one that may pass it on.
            let mut hops: Vec<_> = imports
                .iter()
                .filter_map(|i| {
                    let member = i.member.as_deref()?;
                    let chased = match &want {
                        Some(w) => member == "*" || i.name == *w,
                        None => true,
                    };
                    if !chased {
                        return None;
                    }
                    let m = self.import(at, &i.module, i.level)?;
                    let made = self.instances(m);
                    let passes = |x: &PyImport| {
                        x.member.as_deref() == Some("*")
                            || (member != "*" && x.name == member)
                            || (member == "*" && want.as_ref().is_some_and(|w| x.name == *w))
                    };
                    let brings = if member == "*" {
                        want.as_ref().map_or(!made.is_empty(), |w| made.contains(w))
                    } else {
                        made.iter().any(|n| n == member)
                    };
                    (brings || self.mods[m].imports.iter().any(passes)).then(|| {
                        let next = if member == "*" {
                            want.clone()
                        } else {
                            Some(member.to_owned())
                        };
                        (
                            brings,
                            (m, (member != "*").then(|| i.name.clone()), next, made),
                        )
                    })
                })
                .collect();
            let hop = hops
                .iter()
                .position(|(brings, _)| *brings)
                .or((!hops.is_empty()).then_some(0))
                .map(|i| hops.swap_remove(i).1);
            let Some((m, bound, next, made)) = hop else {
                break;
            };
            if at == 0 {
                local = Some(bound.into_iter().collect());
            }
            at = m;
            want = next;
            let made: Vec<String> = made
                .into_iter()
                .filter(|n| want.as_ref().is_none_or(|w| w == n))
                .collect();
            if !made.is_empty() {
                // `from m import *` binds the app under its own names.
                let local = match local {
                    Some(l) if !l.is_empty() => l,
                    _ => made.clone(),
                };
                return vec![(0, local), (m, made)];
            }
        }
        if let Some(local) = local.filter(|l| !l.is_empty()) {
            return vec![(0, local)];
        }
        // An app made in a way not read here: `app`, unless app.py assigns it something else.
        if self.mods[0].assigns.iter().any(|(n, _)| n == "app") {
            Vec::new()
        } else {
            vec![(0, vec!["app".to_owned()])]
        }
    }

    /// The function a view reference names (`view`, `routes.view`) from module `m`: defined
    /// there or imported from a module of the project.
    fn function(&mut self, m: usize, target: &str, depth: usize) -> Option<(usize, usize)> {
        if depth > MAX_IMPORTS {
            return None;
        }
        let (head, rest) = target.split_once('.').unwrap_or((target, ""));
        if rest.is_empty()
            && let Some(i) = self.mods[m].functions.iter().position(|f| f.name == head)
        {
            return Some((m, i));
        }
        let import = self.mods[m]
            .imports
            .iter()
            .find(|i| i.name == head)
            .cloned()?;
        match (&import.member, rest.is_empty()) {
            (Some(member), true) => {
                let from = self.import(m, &import.module, import.level)?;
                self.function(from, member, depth + 1)
            }
            (_, false) => {
                let from = self.imported_module(m, &import)?;
                self.function(from, rest, depth + 1)
            }
            (None, true) => None,
        }
    }

    /// The functions module `m` declares on an object it names `names`: with `@` or applied.
    fn collect(
        &mut self,
        m: usize,
        names: &[String],
        url_prefix: &str,
        name_prefix: &str,
        out: &mut Vec<Found>,
    ) {
        let on = |c: &PyCall| names.iter().any(|n| n == c.receiver());
        let mut found = |module: usize, function: usize, decorator: Dec| {
            out.push(Found {
                site: m,
                module,
                function,
                decorator,
                url_prefix: url_prefix.to_owned(),
                name_prefix: name_prefix.to_owned(),
            });
        };
        for (fi, f) in self.mods[m].functions.iter().enumerate() {
            for (di, d) in f.decorators.iter().enumerate() {
                if on(d) {
                    found(m, fi, Dec::At(di));
                }
            }
        }
        let applied: Vec<(usize, String)> = self.mods[m]
            .applied
            .iter()
            .enumerate()
            .filter(|(_, a)| on(&a.decorator))
            .filter_map(|(i, a)| Some((i, pysource::name(&a.target)?.to_owned())))
            .collect();
        for (i, target) in applied {
            if let Some((module, function)) = self.function(m, &target, 0) {
                found(module, function, Dec::Applied(i));
            }
        }
    }
}
