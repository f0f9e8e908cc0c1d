//! Azure Functions: a function app is the folder of a `host.json`; its functions are the
//! sub-folders with a `function.json` (the v1 model, any language) and the decorated functions
//! of `function_app.py` (the Python v2 model).
//!
//! HTTP triggers are routes whose `authLevel` says who may call: `anonymous` is nobody in
//! particular (an unauthenticated endpoint); `function` and `admin` need a key. Queue, blob,
//! Service Bus and Event Hub triggers are events on the resource they name; output bindings
//! are the resources the function writes (edges of the data map). The app's settings in a
//! committed `local.settings.json` are every function's environment. One function app runs
//! with one identity: its functions share one role.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile, Span};

use crate::model::{
    Application, Auth, EnvVar, Event, EventKind, Framework, Function, Output, Resource, Role,
    RoleOrigin, Route,
};
use crate::pysource::{self, PyModule};
use crate::yaml::{self, Node, Value};

/// Whether a path is a function app's `host.json`.
pub fn is_host(path: &str) -> bool {
    path.rsplit('/').next() == Some("host.json")
}

pub use crate::pysource::AppFiles;

fn kind_of(binding: &str) -> Option<EventKind> {
    Some(match binding {
        "queueTrigger" | "queue" => EventKind::Sqs,
        "serviceBusTrigger" | "serviceBus" => EventKind::Sqs,
        "blobTrigger" | "blob" => EventKind::S3,
        "eventHubTrigger" | "eventHub" => EventKind::KinesisStream,
        "eventGridTrigger" => EventKind::EventBridge,
        "cosmosDBTrigger" => EventKind::DynamoDbStream,
        "timerTrigger" => EventKind::Schedule,
        _ => return None,
    })
}

fn resource_type(binding: &str) -> &'static str {
    match binding {
        "queueTrigger" | "queue" => "Azure::Storage::Queue",
        "serviceBusTrigger" | "serviceBus" => "Azure::ServiceBus::Queue",
        "blobTrigger" | "blob" => "Azure::Storage::Blob",
        "eventHubTrigger" | "eventHub" => "Azure::EventHub",
        "cosmosDBTrigger" | "cosmosDB" => "Azure::CosmosDB::Container",
        _ => "Azure::Resource",
    }
}

fn auth_of(level: Option<&str>, loc: &Loc) -> Auth {
    match level.map(str::to_ascii_lowercase).as_deref() {
        Some("anonymous") => Auth::None,
        Some(other) => Auth::Authorizer {
            kind: "function-key".to_owned(),
            name: other.to_owned(),
            loc: loc.clone(),
        },
        // The default level is `function`.
        None => Auth::Authorizer {
            kind: "function-key".to_owned(),
            name: "function".to_owned(),
            loc: loc.clone(),
        },
    }
}

fn http_event(methods: Vec<String>, path: String, auth: Auth, loc: &Loc) -> Vec<Event> {
    let methods = if methods.is_empty() {
        vec!["ANY".to_owned()]
    } else {
        methods
    };
    methods
        .into_iter()
        .map(|m| Event {
            kind: EventKind::Http,
            type_name: "httpTrigger".to_owned(),
            loc: loc.clone(),
            route: Some(Route {
                method: m.to_ascii_uppercase(),
                path: path.clone(),
                api: None,
                auth: auth.clone(),
                api_key_required: false,
                cors: None,
            }),
            source: None,
            filters: Vec::new(),
            properties: None,
        })
        .collect()
}

/// Adds the resource a binding names (once) and returns its id.
fn resource(app: &mut Application, binding: &str, name: &str, loc: &Loc) -> String {
    let id = format!("{}:{name}", resource_type(binding));
    if app.resource(&id).is_none() {
        app.resources.push(Resource {
            id: id.clone(),
            type_name: resource_type(binding).to_owned(),
            loc: loc.clone(),
            properties: None,
            off_by_default: None,
        });
    }
    id
}

fn reference(id: &str, loc: &Loc) -> Node {
    Node::new(
        Value::Map(vec![(
            crate::yaml::Key {
                name: "Ref".to_owned(),
                loc: loc.clone(),
            },
            Node::new(Value::Str(id.to_owned()), loc.clone()),
        )]),
        loc.clone(),
    )
}

/// Loads the function app whose `host.json` is given.
pub fn load(host: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let dir = host
        .path()
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
        .to_owned();
    load_in(dir, host, files)
}

/// The folders of `function.json` files that no `host.json` makes a function app (the
/// folder above each function's), from the files of the walk, each with its first
/// `function.json`: a function app committed without its `host.json` (it is often
/// generated, or ignored with local settings).
pub fn apps_without_host<'a>(files: &[&'a str]) -> Vec<(String, &'a str)> {
    let hosts: std::collections::BTreeSet<&str> = files
        .iter()
        .filter(|f| is_host(f))
        .map(|f| f.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    let mut out: std::collections::BTreeMap<String, &'a str> = std::collections::BTreeMap::new();
    for f in files {
        let Some(fdir) = f.strip_suffix("/function.json") else {
            continue;
        };
        let app_dir = fdir.rsplit_once('/').map_or("", |(d, _)| d);
        if !hosts.contains(app_dir) {
            out.entry(app_dir.to_owned()).or_insert(f);
        }
    }
    out.into_iter().collect()
}

/// Loads the function folders under `dir` that have no `host.json`, as a function app
/// identified by its first `function.json` (`first`).
pub fn load_without_host(dir: &str, first: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let mut app = load_in(dir.to_owned(), first, files);
    let shown = if dir.is_empty() { "." } else { dir };
    app.warnings.push(format!(
        "{}: Azure Functions read without a `host.json` in `{shown}` (the function app's settings are unknown)",
        first.path()
    ));
    app
}

fn load_in(dir: String, host: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let mut app = Application::new(host.path(), Framework::Azure, dir.clone());
    let join = |p: &str| {
        if dir.is_empty() {
            p.to_owned()
        } else {
            format!("{dir}/{p}")
        }
    };
    // Settings committed with the app.
    let mut env: Vec<EnvVar> = Vec::new();
    if let Some(settings) = files.file(&join("local.settings.json")) {
        match yaml::parse_settings_noted(&settings) {
            Ok((doc, notes)) => {
                app.warnings
                    .extend(yaml::tolerated_warning(settings.path(), &notes));
                for (k, v) in doc.get("Values").map(Node::entries).unwrap_or_default() {
                    // A Key Vault reference is resolved by the platform: the secret is not
                    // in the file.
                    let value = match v
                        .as_str()
                        .and_then(|s| s.strip_prefix("@Microsoft.KeyVault("))
                    {
                        Some(r) => Node::new(
                            Value::Symbolic(format!("<keyvault:{}>", r.trim_end_matches(')'))),
                            v.loc.clone(),
                        ),
                        None => v.clone(),
                    };
                    env.push(EnvVar {
                        name: k.name.clone(),
                        name_loc: k.loc.clone(),
                        value,
                    });
                }
            }
            Err(e) => app.errors.push(ScanError::new(
                settings.path(),
                format!("cannot parse: {e}"),
            )),
        }
    }
    let host_loc = Loc::new(host, Span { start: 0, end: 0 });
    // v1: a folder per function with its function.json.
    let mut function_jsons: Vec<String> = files
        .files_under(&dir)
        .into_iter()
        .filter(|f| {
            f.ends_with("/function.json")
                && f.matches('/').count()
                    == dir.matches('/').count() + usize::from(!dir.is_empty()) + 1
        })
        .collect();
    function_jsons.sort();
    for fj in function_jsons {
        let Some(file) = files.file(&fj) else {
            continue;
        };
        let doc = match yaml::parse_settings_noted(&file) {
            Ok((d, notes)) => {
                app.warnings.extend(yaml::tolerated_warning(&fj, &notes));
                d
            }
            Err(e) => {
                app.errors
                    .push(ScanError::new(&fj, format!("cannot parse: {e}")));
                continue;
            }
        };
        let fdir = fj.trim_end_matches("/function.json").to_owned();
        let name = fdir.rsplit('/').next().unwrap_or(&fdir).to_owned();
        let at = doc.loc.clone();
        let mut f = Function::new(name.clone(), Loc::new(&file, Span { start: 0, end: 0 }));
        // `scriptFile` is relative to the function's folder (`../shared/app.py` is common):
        // the handler's folder is the script's, and the handler its file name.
        let mut code_dir = fdir.clone();
        let script =
            doc.get("scriptFile").and_then(Node::as_str).map(|s| {
                match crate::cfn::join_dir(&fdir, s) {
                    Some(path) => {
                        let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
                        code_dir = dir.to_owned();
                        name.to_owned()
                    }
                    None => s.trim_start_matches("./").to_owned(),
                }
            });
        let entry = doc.get("entryPoint").and_then(Node::as_str);
        let (handler, runtime) = match script.as_deref() {
            Some(s) if s.ends_with(".py") => (
                format!("{}.{}", s.trim_end_matches(".py"), entry.unwrap_or("main")),
                "python3",
            ),
            Some(s) => (
                format!(
                    "{}.{}",
                    s.trim_end_matches(".js").trim_end_matches(".mjs"),
                    entry.unwrap_or("default")
                ),
                "nodejs",
            ),
            None if files.file(&format!("{fdir}/__init__.py")).is_some() => {
                ("__init__.main".to_owned(), "python3")
            }
            None => ("index.default".to_owned(), "nodejs"),
        };
        f.handler = Some(Node::new(Value::Str(handler), at.clone()));
        f.runtime = Some(Node::new(Value::Str(runtime.to_owned()), host_loc.clone()));
        f.code = crate::CodeSource::Folder(code_dir.clone());
        f.code_dir = Some(code_dir);
        f.environment = env.clone();
        for b in doc.get("bindings").map(Node::items).unwrap_or_default() {
            let ty = b.get("type").and_then(Node::as_str).unwrap_or("");
            let direction = b.get("direction").and_then(Node::as_str).unwrap_or("in");
            let bloc = b.loc.clone();
            if ty == "httpTrigger" {
                let methods = b
                    .get("methods")
                    .map(|m| {
                        m.items()
                            .iter()
                            .filter_map(|x| x.as_str())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let route = b
                    .get("route")
                    .and_then(Node::as_str)
                    .map_or_else(|| format!("/api/{name}"), |r| format!("/api/{r}"));
                let auth = auth_of(b.get("authLevel").and_then(Node::as_str), &bloc);
                f.events.extend(http_event(methods, route, auth, &bloc));
                continue;
            }
            let target = [
                "queueName",
                "path",
                "topicName",
                "eventHubName",
                "containerName",
            ]
            .iter()
            .find_map(|k| b.get(k).and_then(Node::as_str))
            .map(|s| s.split('/').next().unwrap_or(s).to_owned());
            if direction == "in" {
                if let Some(kind) = kind_of(ty) {
                    let source =
                        target.map(|t| reference(&resource(&mut app, ty, &t, &bloc), &bloc));
                    f.events.push(Event {
                        kind,
                        type_name: ty.to_owned(),
                        loc: bloc.clone(),
                        route: None,
                        source,
                        filters: Vec::new(),
                        properties: Some(b.clone()),
                    });
                }
            } else if let Some(t) = target {
                let id = resource(&mut app, ty, &t, &bloc);
                if let Some(name) = b.get("name").and_then(Node::as_str) {
                    f.outputs.push(Output {
                        name: name.to_owned(),
                        binding: ty.to_owned(),
                        resource: id,
                        loc: bloc.clone(),
                    });
                }
            }
        }
        app.functions.push(f);
    }
    // v2: the decorators of function_app.py and of the blueprints it registers.
    if let Some(main) = files.python(&join("function_app.py")) {
        match main {
            Ok(main) => load_v2(&mut app, &main, &dir, &env, &host_loc, files),
            Err(e) => app.errors.push(e),
        }
    }
    // One identity for the app.
    if !app.functions.is_empty() {
        let id = "<function app identity>".to_owned();
        for f in &mut app.functions {
            f.role = Some(id.clone());
        }
        app.roles.push(Role {
            id,
            loc: host_loc,
            origin: RoleOrigin::ProviderShared,
            statements: Vec::new(),
            managed_policies: Vec::new(),
            functions: app.functions.iter().map(|f| f.id.clone()).collect(),
        });
    }
    app
}

/// The binding type a v2 decorator method declares (`queue_trigger` -> `queue`), and whether
/// it is a trigger, an input or an output.
fn v2_binding(method: &str) -> Option<(&'static str, &'static str)> {
    let (base, direction) = if let Some(b) = method.strip_suffix("_trigger") {
        (b, "trigger")
    } else if let Some(b) = method.strip_suffix("_output") {
        (b, "out")
    } else if let Some(b) = method.strip_suffix("_input") {
        (b, "in")
    } else if method == "schedule" {
        ("timer", "trigger")
    } else {
        return None;
    };
    let ty = match base {
        "queue" => "queue",
        "service_bus_queue" | "service_bus_topic" => "serviceBus",
        "blob" => "blob",
        "event_hub_message" | "event_hub" => "eventHub",
        "cosmos_db" | "cosmos_db_v3" => "cosmosDB",
        "event_grid" => "eventGrid",
        "timer" | "schedule" => "timer",
        _ => return None,
    };
    Some((ty, direction))
}

/// The functions declared with decorators in `function_app.py` (the Python v2 model).
fn load_v2(
    app: &mut Application,
    main: &PyModule,
    dir: &str,
    env: &[EnvVar],
    host_loc: &Loc,
    files: &dyn AppFiles,
) {
    let app_vars = main.instances_of("FunctionApp");
    let app_vars: Vec<&str> = if app_vars.is_empty() {
        vec!["app"]
    } else {
        app_vars
    };
    // `FunctionApp(http_auth_level=...)` sets the default level of the app's routes.
    let default_level = app_vars
        .iter()
        .filter_map(|v| main.assigned(v))
        .find_map(|c| c.kwarg("http_auth_level").cloned());
    // Blueprints registered with `app.register_functions(bp)`.
    let mut modules: Vec<(PyModule, String)> = Vec::new();
    for v in &app_vars {
        modules.push((main.clone(), (*v).to_owned()));
    }
    for call in &main.calls {
        if !matches!(call.method(), "register_functions" | "register_blueprint")
            || !app_vars.contains(&call.receiver())
        {
            continue;
        }
        let Some(target) = call.args.first().and_then(pysource::name) else {
            continue;
        };
        match pysource::resolve_object(main, target, dir, files, "Blueprint") {
            Ok(Some(found)) => modules.push(found),
            Ok(None) => {}
            Err(e) => app.errors.push(e),
        }
    }
    for (module, var) in &modules {
        for def in &module.functions {
            let decs: Vec<_> = def
                .decorators
                .iter()
                .filter(|d| d.receiver() == var)
                .collect();
            if decs.is_empty() {
                continue;
            }
            let at = decs[0].loc.clone();
            let id = decs
                .iter()
                .find(|d| d.method() == "function_name")
                .and_then(|d| d.arg("name", 0))
                .and_then(Node::as_str)
                .unwrap_or(&def.name)
                .to_owned();
            let mut f = Function::new(id, at.clone());
            f.handler = Some(Node::new(
                Value::Str(format!("{}.{}", module.module_path(dir), def.name)),
                def.loc.clone(),
            ));
            f.runtime = Some(Node::new(
                Value::Str("python3".to_owned()),
                host_loc.clone(),
            ));
            f.code_dir = Some(dir.to_owned());
            f.code = crate::CodeSource::Folder(dir.to_owned());
            f.environment = env.to_vec();
            for d in decs {
                let method = d.method();
                if matches!(method, "route" | "http_trigger") {
                    let level = d.kwarg("auth_level").or(default_level.as_ref());
                    let level_name = level.map(|l| {
                        pysource::name(l).or_else(|| l.as_str()).map_or_else(
                            || l.display(),
                            |n| n.rsplit('.').next().unwrap_or(n).to_owned(),
                        )
                    });
                    let path = d
                        .arg("route", 0)
                        .and_then(Node::as_str)
                        .map_or_else(|| format!("/api/{}", def.name), |r| format!("/api/{r}"));
                    let methods = d
                        .kwarg("methods")
                        .map(|m| {
                            m.items()
                                .iter()
                                .filter_map(|x| {
                                    x.as_str().map(str::to_owned).or_else(|| {
                                        pysource::name(x)
                                            .map(|n| n.rsplit('.').next().unwrap_or(n).to_owned())
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let auth_loc = level.map_or_else(|| d.loc.clone(), |l| l.loc.clone());
                    f.events.extend(http_event(
                        methods,
                        path,
                        auth_of(level_name.as_deref(), &auth_loc),
                        &d.loc,
                    ));
                    continue;
                }
                let Some((ty, direction)) = v2_binding(method) else {
                    continue;
                };
                let target = [
                    "queue_name",
                    "path",
                    "topic_name",
                    "event_hub_name",
                    "container_name",
                ]
                .iter()
                .find_map(|k| d.kwarg(k))
                .and_then(|n| {
                    n.as_str()
                        .map(|s| (s.split('/').next().unwrap_or(s).to_owned(), n))
                });
                if direction == "trigger" {
                    let kind = if ty == "timer" {
                        Some(EventKind::Schedule)
                    } else {
                        kind_of(&format!("{ty}Trigger"))
                    };
                    if let Some(kind) = kind {
                        let source = target.map(|(t, n)| {
                            reference(&resource(app, &format!("{ty}Trigger"), &t, &n.loc), &n.loc)
                        });
                        f.events.push(Event {
                            kind,
                            type_name: method.to_owned(),
                            loc: d.loc.clone(),
                            route: None,
                            source,
                            filters: Vec::new(),
                            properties: None,
                        });
                    }
                } else if let Some((t, n)) = target {
                    let id = resource(app, ty, &t, &n.loc);
                    if direction == "out"
                        && let Some(name) = d.kwarg("arg_name").and_then(|a| a.as_str())
                    {
                        f.outputs.push(Output {
                            name: name.to_owned(),
                            binding: ty.to_owned(),
                            resource: id,
                            loc: d.loc.clone(),
                        });
                    }
                }
            }
            app.functions.push(f);
        }
    }
}
