//! AWS Chalice: `.chalice/config.json` and the decorators of `app.py`.
//!
//! As Chalice deploys it, every `@app.route` of the app is served by one function,
//! `APIHandler` (handler `app.app`: the code analysis runs each route function as an entry
//! point with `app.current_request` as the request), and each event decorator
//! (`@app.on_s3_event`, `@app.on_sqs_message`, `@app.on_sns_message`, `@app.schedule`,
//! `@app.lambda_function`) is a function of its own named after the Python function. Settings
//! come from the config's top level, then the stage (`dev` when it exists, else the first),
//! then the stage's `lambda_functions` entry. The role is one for the app: the IAM policy file
//! when one is given, an external role with `manage_iam_role: false`, else the policy Chalice
//! generates from the code (unknown here, so no statements).

use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile, Span};

use crate::model::{
    Api, Application, Auth, EnvVar, Event, EventKind, Framework, Function, KeyFilter, Role,
    RoleOrigin, Route,
};
use crate::yaml::{self, Node, Value};

/// Whether a path is a Chalice configuration file.
pub fn is_config(path: &str) -> bool {
    path.ends_with(".chalice/config.json")
}

/// A decorator of `app.py`: its method, arguments as written and place, and the function.
pub(crate) struct Decorator {
    pub(crate) method: String,
    pub(crate) args: String,
    pub(crate) start: usize,
    pub(crate) function: String,
}

fn loc(file: &Arc<SourceFile>, start: usize, end: usize) -> Loc {
    let len = file.text().len();
    Loc::new(
        file,
        Span {
            start: u32::try_from(start.min(len)).unwrap_or(0),
            end: u32::try_from(end.min(len)).unwrap_or(0),
        },
    )
}

/// The `@<app>.<method>(...)` decorators of a module and the functions they decorate.
pub(crate) fn decorators(text: &str, app: &str) -> Vec<Decorator> {
    let mut out = Vec::new();
    let prefix = format!("@{app}.");
    let mut search = 0;
    while let Some(rel) = text[search..].find(&prefix) {
        let start = search + rel;
        search = start + prefix.len();
        // Only decorators at the start of a line.
        if start > 0 && !text[..start].ends_with(['\n', ' ', '\t']) {
            continue;
        }
        let rest = &text[search..];
        let method: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[method.len()..];
        let mut args = String::new();
        let mut consumed = 0;
        if after.starts_with('(') {
            let mut depth = 0i32;
            let mut quote: Option<char> = None;
            for (i, c) in after.char_indices() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '\'' | '"') => quote = Some(c),
                    (None, '(' | '[' | '{') => depth += 1,
                    (None, ')' | ']' | '}') => {
                        depth -= 1;
                        if depth == 0 {
                            args = after[1..i].to_owned();
                            consumed = i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        // The decorated function: the next `def name(` after the decorator (other
        // decorators may come between).
        let tail = &rest[method.len() + consumed..];
        let function = tail.find("def ").map(|d| {
            tail[d + 4..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        });
        if let Some(function) = function.filter(|f| !f.is_empty()) {
            out.push(Decorator {
                method,
                args,
                start,
                function,
            });
        }
    }
    out
}

/// A keyword argument's value as written (`methods=['POST']` -> `['POST']`).
pub(crate) fn kwarg<'a>(args: &'a str, name: &str) -> Option<&'a str> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = args.char_indices().collect();
    let mut start = 0;
    let mut parts = Vec::new();
    for &(i, c) in &bytes {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&args[start..]);
    parts.into_iter().find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

/// The first positional argument, when it is a string literal.
pub(crate) fn first_string(args: &str) -> Option<String> {
    let a = args.trim_start();
    let q = a.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = a[1..].find(q)?;
    Some(a[1..=end].to_owned())
}

pub(crate) fn strings(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = list;
    while let Some(i) = rest.find(['\'', '"']) {
        let q = rest[i..].chars().next().unwrap_or('\'');
        let Some(end) = rest[i + 1..].find(q) else {
            break;
        };
        out.push(rest[i + 1..i + 1 + end].to_owned());
        rest = &rest[i + 2 + end..];
    }
    out
}

pub(crate) fn unquote(v: &str) -> Option<String> {
    strings(v).into_iter().next()
}

/// Loads a Chalice project from its `.chalice/config.json`; `app_py` is the project's
/// `app.py` and `policy` reads the IAM policy file the config names.
pub fn load(
    config: &Arc<SourceFile>,
    app_py: Option<&Arc<SourceFile>>,
    policy: &dyn Fn(&str) -> Option<Arc<SourceFile>>,
) -> Application {
    let project = config
        .path()
        .strip_suffix(".chalice/config.json")
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    let mut app = Application::new(config.path(), Framework::Chalice, project.clone());
    let doc = match yaml::parse(config) {
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
    let setting = |key: &str, function: Option<&str>| -> Option<Node> {
        let per_function = function.and_then(|f| {
            stage
                .as_ref()
                .and_then(|(_, s)| s.path(&["lambda_functions", f, key]))
        });
        per_function
            .or_else(|| stage.as_ref().and_then(|(_, s)| s.get(key)))
            .or_else(|| doc.get(key))
            .cloned()
    };
    let env_of = |function: Option<&str>| -> Vec<EnvVar> {
        let mut vars: Vec<EnvVar> = Vec::new();
        let mut layers: Vec<&Node> = doc.get("environment_variables").into_iter().collect();
        if let Some((_, s)) = &stage {
            layers.extend(s.get("environment_variables"));
            if let Some(f) = function {
                layers.extend(s.path(&["lambda_functions", f, "environment_variables"]));
            }
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
    };
    // The role: external, a policy file, or what Chalice generates.
    let manage =
        setting("manage_iam_role", None).is_none_or(|n| !matches!(n.value, Value::Bool(false)));
    let role_id = "<chalice>".to_owned();
    let mut role = Role {
        id: role_id.clone(),
        loc: config_loc(config),
        origin: if manage {
            RoleOrigin::ProviderShared
        } else {
            RoleOrigin::External
        },
        statements: Vec::new(),
        managed_policies: Vec::new(),
        functions: Vec::new(),
    };
    if let Some(file) = setting("iam_policy_file", None).and_then(|n| n.as_str().map(str::to_owned))
    {
        let rel =
            crate::cfn::join_dir(format!("{project}/.chalice").trim_start_matches('/'), &file)
                .unwrap_or(file);
        match policy(&rel).map(|f| yaml::parse(&f)) {
            Some(Ok(doc)) => role.statements = crate::cfn::iam_statements(&doc, "policy file"),
            Some(Err(e)) => app
                .errors
                .push(ScanError::new(&rel, format!("cannot parse: {e}"))),
            None => app.errors.push(ScanError::new(
                &rel,
                "the IAM policy file the Chalice config names is not in the repository",
            )),
        }
    }
    let Some(py) = app_py else {
        app.errors.push(ScanError::new(
            config.path(),
            format!("no app.py beside the Chalice project in `{project}`"),
        ));
        app.document = Some(doc);
        return app;
    };
    let text = py.text();
    let app_var = text
        .lines()
        .find_map(|l| {
            let (name, rhs) = l.split_once('=')?;
            rhs.trim_start()
                .starts_with("Chalice(")
                .then(|| name.trim().to_owned())
        })
        .unwrap_or_else(|| "app".to_owned());
    let decs = decorators(text, &app_var);
    // Chalice deploys with the Python version of the machine that runs `chalice deploy`.
    let runtime = Node::new(Value::Str("python3".to_owned()), config_loc(config));
    let mut api_fn: Option<Function> = None;
    for d in &decs {
        let at = loc(py, d.start, d.start + d.method.len() + app_var.len() + 2);
        let new_function = |id: &str, handler: String| {
            let mut f = Function::new(id.to_owned(), at.clone());
            f.handler = Some(Node::new(Value::Str(handler), at.clone()));
            f.runtime = Some(runtime.clone());
            f.code_dir = Some(project.clone());
            let key = (id != "APIHandler").then_some(id);
            f.timeout = setting("lambda_timeout", key);
            f.memory = setting("lambda_memory_size", key);
            f.reserved_concurrency = setting("reserved_concurrency", key);
            f.tracing = setting("xray", key);
            f.environment = env_of(key);
            f.role = Some(role_id.clone());
            f
        };
        match d.method.as_str() {
            "route" => {
                let f = api_fn
                    .get_or_insert_with(|| new_function("APIHandler", format!("app.{app_var}")));
                let path = first_string(&d.args).unwrap_or_else(|| "/".to_owned());
                let methods =
                    kwarg(&d.args, "methods").map_or_else(|| vec!["GET".to_owned()], strings);
                let auth = match kwarg(&d.args, "authorizer") {
                    Some(v) if v != "None" => Auth::Authorizer {
                        kind: "chalice".to_owned(),
                        name: v.to_owned(),
                        loc: at.clone(),
                    },
                    _ => Auth::None,
                };
                let api_key_required = kwarg(&d.args, "api_key_required") == Some("True");
                for m in methods {
                    f.events.push(Event {
                        kind: EventKind::Http,
                        type_name: "route".to_owned(),
                        loc: at.clone(),
                        route: Some(Route {
                            method: m.to_ascii_uppercase(),
                            path: path.clone(),
                            api: None,
                            auth: auth.clone(),
                            api_key_required,
                            cors: kwarg(&d.args, "cors")
                                .filter(|c| *c != "False")
                                .map(|c| Node::new(Value::Str(c.to_owned()), at.clone())),
                        }),
                        source: None,
                        filters: Vec::new(),
                        properties: None,
                    });
                }
            }
            "on_s3_event" | "on_sqs_message" | "on_sns_message" | "schedule"
            | "lambda_function" | "on_cw_event" | "on_ws_message" | "on_ws_connect"
            | "on_ws_disconnect" => {
                let mut f = new_function(&d.function, format!("app.{}", d.function));
                let (kind, key) = match d.method.as_str() {
                    "on_s3_event" => (Some(EventKind::S3), "bucket"),
                    "on_sqs_message" => (Some(EventKind::Sqs), "queue"),
                    "on_sns_message" => (Some(EventKind::Sns), "topic"),
                    "schedule" | "on_cw_event" => (Some(EventKind::Schedule), ""),
                    "on_ws_message" | "on_ws_connect" | "on_ws_disconnect" => {
                        (Some(EventKind::WebSocket), "")
                    }
                    _ => (None, ""),
                };
                if let Some(kind) = kind {
                    let source = kwarg(&d.args, key)
                        .and_then(unquote)
                        .or_else(|| first_string(&d.args).filter(|_| !key.is_empty()))
                        .map(|s| Node::new(Value::Str(s), at.clone()));
                    let filters = ["prefix", "suffix"]
                        .iter()
                        .filter_map(|n| {
                            kwarg(&d.args, n).and_then(unquote).map(|v| KeyFilter {
                                name: (*n).to_owned(),
                                value: Node::new(Value::Str(v), at.clone()),
                            })
                        })
                        .collect();
                    f.events.push(Event {
                        kind,
                        type_name: d.method.clone(),
                        loc: at.clone(),
                        route: (kind == EventKind::WebSocket).then(|| Route {
                            method: "$default".to_owned(),
                            path: d.method.clone(),
                            api: None,
                            auth: Auth::None,
                            api_key_required: false,
                            cors: None,
                        }),
                        source,
                        filters,
                        properties: None,
                    });
                }
                app.functions.push(f);
            }
            _ => {}
        }
    }
    if let Some(f) = api_fn {
        app.apis.push(Api {
            id: "APIHandler".to_owned(),
            protocol: "rest".to_owned(),
            loc: f.loc.clone(),
            default_auth: None,
            api_key_required: false,
            throttling: None,
            access_logging: None,
            method_settings: None,
            tracing: None,
            cors: None,
            resource_policy: None,
            properties: None,
        });
        app.functions.insert(0, f);
    }
    role.functions = app.functions.iter().map(|f| f.id.clone()).collect();
    app.roles.push(role);
    app.document = Some(doc);
    app
}

fn config_loc(config: &Arc<SourceFile>) -> Loc {
    loc(config, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorators_and_arguments() {
        let text = "app = Chalice(app_name='x')\n\n@app.route('/users/{name}', methods=['GET', 'POST'],\n           authorizer=auth)\ndef user(name):\n    pass\n\n@app.on_s3_event(bucket='uploads', prefix='in/')\ndef on_upload(event):\n    pass\n";
        let d = decorators(text, "app");
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].method.as_str(), d[0].function.as_str()),
            ("route", "user")
        );
        assert_eq!(first_string(&d[0].args).as_deref(), Some("/users/{name}"));
        assert_eq!(
            kwarg(&d[0].args, "methods").map(strings),
            Some(vec!["GET".to_owned(), "POST".to_owned()])
        );
        assert_eq!(kwarg(&d[0].args, "authorizer"), Some("auth"));
        assert_eq!(
            kwarg(&d[1].args, "bucket").and_then(unquote).as_deref(),
            Some("uploads")
        );
    }
}
