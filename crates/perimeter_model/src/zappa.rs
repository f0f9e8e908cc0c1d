//! Zappa: `zappa_settings.json` (or `.yaml`/`.yml`), one deployment per stage.
//!
//! Each stage is a function serving its WSGI/ASGI app (`app_function`, `app.app`: the code analysis
//! runs the app's routes as entry points), or its Django project (`django_settings`: the project's
//! WSGI `application`, with `DEBUG` read from the settings module), behind an API Gateway proxy
//! route whose authentication is the stage's `authorizer` or `iam_authorization`
//! (`api_key_required` alone authenticates nobody). Each `events` entry calls its own Python
//! function (`function`) from the stage's deployment, triggered by the ARN of its `event_source` or
//! by its `expression` (schedule); `keep_warm` (a schedule pinging the stage's own function,
//! answered by Zappa's handler before any code of the app runs) adds no function and no trigger.
//! Settings: `extends` (another stage), `timeout_seconds`, `memory_size`, `xray_tracing`,
//! `environment_variables` and `aws_environment_variables`, `role_arn` (a role defined elsewhere)
//! or `role_name` with `extra_permissions` (statements added to the role Zappa manages).

use std::sync::Arc;

use perimeter_diagnostics::{ScanError, SourceFile};

use crate::model::{
    Application, Auth, EnvVar, Event, EventKind, Framework, Function, Role, RoleOrigin, Route,
};
use crate::pysource::AppFiles;
use crate::yaml::{self, Key, Node, Value};

/// Whether a path is a Zappa settings file.
pub fn is_settings(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "zappa_settings.json" | "zappa_settings.yaml" | "zappa_settings.yml"
    )
}

/// A stage's settings with `extends` applied (the base first, the stage over it).
fn settings<'a>(doc: &'a Node, stage: &str, depth: usize) -> Vec<(&'a Key, &'a Node)> {
    let Some(s) = doc.get(stage) else {
        return Vec::new();
    };
    let mut out: Vec<(&Key, &Node)> = Vec::new();
    if depth < 8
        && let Some(base) = s.get("extends").and_then(Node::as_str)
    {
        out = settings(doc, base, depth + 1);
    }
    for (k, v) in s.entries() {
        out.retain(|(x, _)| x.name != k.name);
        out.push((k, v));
    }
    out
}

fn kind_of_arn(arn: &str) -> Option<EventKind> {
    let service = arn.split(':').nth(2)?;
    Some(match service {
        "s3" => EventKind::S3,
        "sqs" => EventKind::Sqs,
        "sns" => EventKind::Sns,
        "dynamodb" => EventKind::DynamoDbStream,
        "kinesis" => EventKind::KinesisStream,
        "events" => EventKind::EventBridge,
        _ => EventKind::Other,
    })
}

/// The module path of a dotted Python module under `dir`, when the tree has it.
fn module_file(dir: &str, dotted: &str, files: &dyn AppFiles) -> Option<String> {
    let rel = dotted.replace('.', "/");
    [format!("{rel}.py"), format!("{rel}/__init__.py")]
        .iter()
        .filter_map(|p| crate::cfn::join_dir(dir, p))
        .find(|p| files.file(p).is_some())
}

/// The handler serving a Django project: the `application` of the project's `wsgi.py` (in
/// the settings module's package or a parent package), as Django's `startproject` makes it;
/// else Django's WSGI app made for the settings module, named after it.
fn django_app(
    settings: &Node,
    dir: &str,
    files: &dyn AppFiles,
    errors: &mut Vec<ScanError>,
) -> Node {
    let Some(dotted) = settings.as_str() else {
        return settings.clone();
    };
    let mut package = dotted;
    while let Some((parent, _)) = package.rsplit_once('.') {
        package = parent;
        let wsgi = format!("{package}.wsgi");
        if module_file(dir, &wsgi, files).is_some() {
            return Node::new(
                Value::Str(format!("{wsgi}.application")),
                settings.loc.clone(),
            );
        }
    }
    if module_file(dir, dotted, files).is_none() {
        errors.push(ScanError::at(
            &settings.loc,
            format!("the Django settings module `{dotted}` is not in the repository"),
        ));
    }
    Node::new(
        Value::Str(format!("{dotted}.application")),
        settings.loc.clone(),
    )
}

/// `DEBUG = True` in the Django settings module a stage runs with (or in a module it takes
/// everything from, `from .base import *`); the last assignment wins, as when Python runs it.
fn django_debug(
    settings: &Node,
    dir: &str,
    files: &dyn AppFiles,
    errors: &mut Vec<ScanError>,
) -> Option<Node> {
    let path = module_file(dir, settings.as_str()?, files)?;
    let mut seen: Vec<String> = Vec::new();
    settings_value(&path, "DEBUG", files, errors, &mut seen).filter(|v| v.as_bool() == Some(true))
}

/// The value a settings module gives `name`: its own last literal assignment, else the one
/// of the last module it star-imports that gives one.
fn settings_value(
    path: &str,
    name: &str,
    files: &dyn AppFiles,
    errors: &mut Vec<ScanError>,
    seen: &mut Vec<String>,
) -> Option<Node> {
    if seen.len() > 8 || seen.iter().any(|s| s == path) {
        return None;
    }
    seen.push(path.to_owned());
    let module = match files.python(path)? {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    // A name assigned a call (`DEBUG = env.bool(...)`) is not a literal: no value.
    if module.assigned(name).is_some() {
        return None;
    }
    if let Some(v) = module.value(name) {
        return Some(v.clone());
    }
    let package = path.rsplit_once('/').map_or("", |(d, _)| d);
    for import in module.imports.iter().rev() {
        if import.member.as_deref() != Some("*") || import.level == 0 {
            continue;
        }
        let mut base = package.to_owned();
        for _ in 1..import.level {
            base = crate::cfn::join_dir(&base, "..")?;
        }
        let Some(target) = module_file(&base, &import.module, files) else {
            continue;
        };
        if let Some(v) = settings_value(&target, name, files, errors, seen) {
            return Some(v);
        }
    }
    None
}

/// Loads a Zappa settings file: one function per stage, one per event; the stage's Django
/// settings module (`django_settings`) is read through `files`.
pub fn load(file: &Arc<SourceFile>, files: &dyn AppFiles) -> Application {
    let dir = file
        .path()
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
        .to_owned();
    let mut app = Application::new(file.path(), Framework::Zappa, dir.clone());
    let doc = match yaml::parse_settings_noted(file) {
        Ok((d, notes)) => {
            app.warnings
                .extend(yaml::tolerated_warning(file.path(), &notes));
            d
        }
        Err(e) => {
            app.errors
                .push(ScanError::new(file.path(), format!("cannot parse: {e}")));
            return app;
        }
    };
    // A stage other stages extend is their shared base, not a deployment of its own.
    let bases: Vec<String> = doc
        .entries()
        .iter()
        .filter_map(|(_, s)| s.get("extends").and_then(Node::as_str).map(str::to_owned))
        .collect();
    for (stage_key, _) in doc.entries() {
        let stage = stage_key.name.as_str();
        if bases.iter().any(|b| b == stage) {
            continue;
        }
        let s = settings(&doc, stage, 0);
        let get = |k: &str| {
            s.iter()
                .find(|(x, _)| x.name == k)
                .map(|(_, v)| (*v).clone())
        };
        // A Django project (`django_settings`) is served by its WSGI app, with the settings
        // module the stage names.
        let django = get("django_settings");
        let Some(app_function) = get("app_function").or_else(|| {
            django
                .as_ref()
                .map(|d| django_app(d, &dir, files, &mut app.errors))
        }) else {
            continue;
        };
        let debug = django
            .as_ref()
            .and_then(|d| django_debug(d, &dir, files, &mut app.errors));
        let role_id = format!("{stage}:role");
        let external = get("role_arn").is_some()
            || get("manage_roles").is_some_and(|m| matches!(m.value, Value::Bool(false)));
        let statements = get("extra_permissions")
            .map(|p| {
                let doc = Node::new(
                    Value::Map(vec![(
                        Key {
                            name: "Statement".to_owned(),
                            loc: p.loc.clone(),
                        },
                        p.clone(),
                    )]),
                    p.loc,
                );
                crate::cfn::iam_statements(&doc, "extra_permissions")
            })
            .unwrap_or_default();
        let mut environment: Vec<EnvVar> = Vec::new();
        for key in ["environment_variables", "aws_environment_variables"] {
            for (k, v) in get(key).as_ref().map(Node::entries).unwrap_or_default() {
                environment.retain(|e| e.name != k.name);
                environment.push(EnvVar {
                    name: k.name.clone(),
                    name_loc: k.loc.clone(),
                    value: v.clone(),
                });
            }
        }
        let base = |id: String, handler: Node| {
            let mut f = Function::new(id, stage_key.loc.clone());
            f.handler = Some(handler);
            // Zappa deploys Python only, with the version of the machine that deploys when
            // the settings name none.
            f.runtime = get("runtime").or_else(|| {
                Some(Node::new(
                    Value::Str("python3".to_owned()),
                    stage_key.loc.clone(),
                ))
            });
            f.code_dir = Some(dir.clone());
            f.code = crate::CodeSource::Folder(dir.clone());
            f.timeout = get("timeout_seconds");
            f.memory = get("memory_size");
            f.tracing = get("xray_tracing");
            f.environment = environment.clone();
            f.role = Some(role_id.clone());
            f
        };
        // The web app behind the API Gateway proxy.
        let mut web = base(stage.to_owned(), app_function.clone());
        web.debug = debug;
        let auth = match (get("authorizer"), get("iam_authorization")) {
            (Some(a), _) => Auth::Authorizer {
                kind: "zappa".to_owned(),
                name: a
                    .get("function")
                    .and_then(Node::as_str)
                    .unwrap_or("authorizer")
                    .to_owned(),
                loc: a.loc.clone(),
            },
            (None, Some(i)) if matches!(i.value, Value::Bool(true)) => Auth::Authorizer {
                kind: "aws_iam".to_owned(),
                name: "iam_authorization".to_owned(),
                loc: i.loc.clone(),
            },
            _ => Auth::None,
        };
        let apigw =
            get("apigateway_enabled").is_none_or(|a| !matches!(a.value, Value::Bool(false)));
        if apigw {
            web.events.push(Event {
                kind: EventKind::Http,
                type_name: "apigateway".to_owned(),
                loc: app_function.loc.clone(),
                route: Some(Route {
                    method: "ANY".to_owned(),
                    path: "/{proxy+}".to_owned(),
                    api: None,
                    auth,
                    api_key_required: get("api_key_required")
                        .is_some_and(|a| matches!(a.value, Value::Bool(true))),
                    cors: get("cors").filter(|c| !matches!(c.value, Value::Bool(false))),
                }),
                source: None,
                filters: Vec::new(),
                properties: None,
            });
        }
        let mut functions = vec![web];
        for ev in get("events").as_ref().map(Node::items).unwrap_or_default() {
            let Some(handler) = ev.get("function").cloned() else {
                continue;
            };
            let name = handler.as_str().unwrap_or("event").to_owned();
            let mut f = base(format!("{stage}:{name}"), handler);
            f.loc = ev.loc.clone();
            let (kind, source) = match (ev.get("event_source"), ev.get("expression")) {
                (Some(src), _) => {
                    let arn = src.get("arn").cloned();
                    let kind = arn
                        .as_ref()
                        .and_then(Node::as_str)
                        .and_then(kind_of_arn)
                        .unwrap_or(EventKind::Other);
                    (kind, arn)
                }
                (None, Some(_)) => (EventKind::Schedule, None),
                _ => (EventKind::Other, None),
            };
            f.events.push(Event {
                kind,
                type_name: "event".to_owned(),
                loc: ev.loc.clone(),
                route: None,
                source,
                filters: Vec::new(),
                properties: Some(ev.clone()),
            });
            functions.push(f);
        }
        app.roles.push(Role {
            id: role_id,
            loc: get("role_arn")
                .or_else(|| get("role_name"))
                .map_or_else(|| stage_key.loc.clone(), |n| n.loc),
            origin: if external {
                RoleOrigin::External
            } else {
                RoleOrigin::ProviderShared
            },
            statements,
            managed_policies: Vec::new(),
            functions: functions.iter().map(|f| f.id.clone()).collect(),
        });
        app.functions.extend(functions);
    }
    app.document = Some(doc);
    app
}
