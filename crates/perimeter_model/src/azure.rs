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

use crate::chalice::{decorators, kwarg, unquote};
use crate::model::{
    Application, Auth, EnvVar, Event, EventKind, Framework, Function, Resource, Role, RoleOrigin,
    Route,
};
use crate::yaml::{self, Node, Value};

/// Whether a path is a function app's `host.json`.
pub fn is_host(path: &str) -> bool {
    path.rsplit('/').next() == Some("host.json")
}

/// What the loader reads from the tree.
pub trait AppFiles {
    /// A file relative to the scan root.
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>>;
    /// The files under a folder, relative to the scan root.
    fn files_under(&self, dir: &str) -> Vec<String>;
}

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
        match yaml::parse(&settings) {
            Ok(doc) => {
                for (k, v) in doc.get("Values").map(Node::entries).unwrap_or_default() {
                    env.push(EnvVar {
                        name: k.name.clone(),
                        name_loc: k.loc.clone(),
                        value: v.clone(),
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
        let doc = match yaml::parse(&file) {
            Ok(d) => d,
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
        let script = doc
            .get("scriptFile")
            .and_then(Node::as_str)
            .map(|s| s.trim_start_matches("./").to_owned());
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
        f.code_dir = Some(fdir.clone());
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
                resource(&mut app, ty, &t, &bloc);
            }
        }
        app.functions.push(f);
    }
    // v2: the decorators of function_app.py.
    if let Some(py) = files.file(&join("function_app.py")) {
        let text = py.text();
        let app_var = text
            .lines()
            .find_map(|l| {
                let (name, rhs) = l.split_once('=')?;
                rhs.contains("FunctionApp(").then(|| name.trim().to_owned())
            })
            .unwrap_or_else(|| "app".to_owned());
        let default_level = text
            .lines()
            .find(|l| l.contains("FunctionApp("))
            .and_then(|l| l.split("AuthLevel.").nth(1))
            .map(|r| {
                r.chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect::<String>()
            });
        let mut by_fn: Vec<(String, Function)> = Vec::new();
        for d in decorators(text, &app_var) {
            let at = Loc::new(
                &py,
                Span {
                    start: u32::try_from(d.start).unwrap_or(0),
                    end: u32::try_from(d.start + 1).unwrap_or(0),
                },
            );
            let idx = match by_fn.iter().position(|(n, _)| *n == d.function) {
                Some(i) => i,
                None => {
                    let mut f = Function::new(d.function.clone(), at.clone());
                    f.handler = Some(Node::new(
                        Value::Str(format!("function_app.{}", d.function)),
                        at.clone(),
                    ));
                    f.runtime = Some(Node::new(
                        Value::Str("python3".to_owned()),
                        host_loc.clone(),
                    ));
                    f.code_dir = Some(dir.clone());
                    f.environment = env.clone();
                    by_fn.push((d.function.clone(), f));
                    by_fn.len() - 1
                }
            };
            let f = &mut by_fn[idx].1;
            match d.method.as_str() {
                "function_name" => {
                    if let Some(n) = kwarg(&d.args, "name").and_then(unquote) {
                        f.id = n;
                    }
                }
                "route" | "http_trigger" => {
                    let level = kwarg(&d.args, "auth_level")
                        .and_then(|v| v.split("AuthLevel.").nth(1).map(str::to_owned))
                        .or_else(|| default_level.clone());
                    let path = kwarg(&d.args, "route")
                        .and_then(unquote)
                        .map_or_else(|| format!("/api/{}", d.function), |r| format!("/api/{r}"));
                    let methods = kwarg(&d.args, "methods")
                        .map(crate::chalice::strings)
                        .unwrap_or_default();
                    let auth = auth_of(level.as_deref(), &at);
                    f.events.extend(http_event(methods, path, auth, &at));
                }
                m if m.ends_with("_trigger") || m.ends_with("_output") || m.ends_with("_input") => {
                    let ty = match m
                        .trim_end_matches("_trigger")
                        .trim_end_matches("_output")
                        .trim_end_matches("_input")
                    {
                        "queue" => "queue",
                        "service_bus_queue" | "service_bus_topic" => "serviceBus",
                        "blob" => "blob",
                        "event_hub_message" | "event_hub" => "eventHub",
                        "cosmos_db" => "cosmosDB",
                        "schedule" | "timer" => "timer",
                        _ => "other",
                    };
                    let target = [
                        "queue_name",
                        "path",
                        "topic_name",
                        "event_hub_name",
                        "container_name",
                    ]
                    .iter()
                    .find_map(|k| kwarg(&d.args, k).and_then(unquote))
                    .map(|s| s.split('/').next().unwrap_or(&s).to_owned());
                    if m.ends_with("_trigger") {
                        let kind = if ty == "timer" {
                            Some(EventKind::Schedule)
                        } else {
                            kind_of(&format!("{ty}Trigger"))
                        };
                        if let Some(kind) = kind {
                            let source = target.map(|t| {
                                reference(
                                    &resource(&mut app, &format!("{ty}Trigger"), &t, &at),
                                    &at,
                                )
                            });
                            f.events.push(Event {
                                kind,
                                type_name: m.to_owned(),
                                loc: at.clone(),
                                route: None,
                                source,
                                filters: Vec::new(),
                                properties: None,
                            });
                        }
                    } else if let Some(t) = target {
                        resource(&mut app, ty, &t, &at);
                    }
                }
                _ => {}
            }
        }
        app.functions.extend(by_fn.into_iter().map(|(_, f)| f));
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
