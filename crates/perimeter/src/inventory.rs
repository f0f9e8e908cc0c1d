//! `perimeter inventory`: the application model as JSON (apps, functions with their resolved
//! settings, events, resources, roles and permissions), each with its file and line.

use perimeter_model::{Application, Auth, Event, Function, Node, Role, Statement};
use serde_json::{Map, Value, json};

use perimeter_diagnostics::Loc;

fn at(loc: &Loc) -> Value {
    let p = loc.start();
    json!({"path": loc.path(), "line": p.line, "column": p.column})
}

fn node(n: Option<&Node>) -> Value {
    n.map_or(Value::Null, |n| {
        let mut m = Map::new();
        m.insert("value".into(), n.to_json());
        if n.is_symbolic() {
            m.insert("symbolic".into(), Value::Bool(true));
        }
        let p = n.loc.start();
        m.insert("path".into(), n.loc.path().into());
        m.insert("line".into(), p.line.into());
        m.insert("column".into(), p.column.into());
        Value::Object(m)
    })
}

fn auth(a: &Auth) -> Value {
    match a {
        Auth::None => json!({"type": "none"}),
        Auth::Authorizer { kind, name, loc } => {
            json!({"type": kind, "name": name, "at": at(loc)})
        }
        Auth::Unknown(loc) => json!({"type": "unknown", "at": at(loc)}),
    }
}

fn event(e: &Event) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), e.kind.as_str().into());
    m.insert("type".into(), e.type_name.clone().into());
    m.insert("at".into(), at(&e.loc));
    if let Some(r) = &e.route {
        m.insert(
            "route".into(),
            json!({
                "method": r.method, "path": r.path, "api": r.api,
                "auth": auth(&r.auth), "api_key_required": r.api_key_required,
            }),
        );
    }
    if let Some(s) = &e.source {
        m.insert("source".into(), s.display().into());
    }
    if !e.filters.is_empty() {
        m.insert(
            "filters".into(),
            e.filters
                .iter()
                .map(|f| json!({f.name.clone(): f.value.display()}))
                .collect(),
        );
    }
    Value::Object(m)
}

fn function(f: &Function) -> Value {
    let env: Map<String, Value> = f
        .environment
        .iter()
        .map(|e| {
            // Values are shown as references or symbolic values only: a literal may be a
            // secret, and the inventory is not the place to print it.
            let shown = match &e.value.value {
                perimeter_model::Value::Str(_) => Value::String("<literal>".into()),
                _ => Value::String(e.value.display()),
            };
            (e.name.clone(), shown)
        })
        .collect();
    json!({
        "id": f.id,
        "at": at(&f.loc),
        "handler": node(f.handler.as_ref()),
        "runtime": node(f.runtime.as_ref()),
        "code_dir": f.code_dir,
        "timeout": node(f.timeout.as_ref()),
        "memory": node(f.memory.as_ref()),
        "reserved_concurrency": node(f.reserved_concurrency.as_ref()),
        "tracing": node(f.tracing.as_ref()),
        "role": f.role,
        "environment": env,
        "events": f.events.iter().map(event).collect::<Vec<_>>(),
        "url": f.url.as_ref().map(|u| json!({"auth_type": node(u.auth_type.as_ref()), "at": at(&u.loc)})),
        "outputs": f.outputs.iter().map(|o| json!({
            "name": o.name,
            "binding": o.binding,
            "resource": o.resource,
            "at": at(&o.loc),
        })).collect::<Vec<_>>(),
    })
}

fn statement(s: &Statement) -> Value {
    let list = |v: &[Node]| v.iter().map(Node::display).collect::<Vec<_>>();
    json!({
        "effect": if s.allow { "Allow" } else { "Deny" },
        "actions": list(&s.actions),
        "not_actions": list(&s.not_actions),
        "resources": list(&s.resources),
        "not_resources": list(&s.not_resources),
        "origin": s.origin,
        "at": at(&s.loc),
    })
}

fn role(r: &Role) -> Value {
    json!({
        "id": r.id,
        "origin": r.origin,
        "at": at(&r.loc),
        "functions": r.functions,
        "managed_policies": r.managed_policies.iter().map(Node::display).collect::<Vec<_>>(),
        "statements": r.statements.iter().map(statement).collect::<Vec<_>>(),
    })
}

/// The inventory of some applications.
pub fn inventory(apps: &[Application]) -> Value {
    let apps: Vec<Value> = apps
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "framework": a.framework,
                "root": a.root,
                "name": a.name,
                "functions": a.functions.iter().map(function).collect::<Vec<_>>(),
                "resources": a.resources.iter().map(|r| json!({"id": r.id, "type": r.type_name, "at": at(&r.loc)})).collect::<Vec<_>>(),
                "roles": a.roles.iter().map(role).collect::<Vec<_>>(),
                "apis": a.apis.iter().map(|api| json!({
                    "id": api.id, "protocol": api.protocol, "at": at(&api.loc),
                    "default_auth": api.default_auth.as_ref().map(auth),
                    "api_key_required": api.api_key_required,
                    "throttling": api.throttling.as_ref().map(Node::to_json),
                })).collect::<Vec<_>>(),
                "permissions": a.permissions.iter().map(|p| json!({
                    "id": p.id, "at": at(&p.loc),
                    "principal": p.principal.as_ref().map(Node::display),
                    "function": p.function.as_ref().map(Node::display),
                    "source_arn": p.source_arn.as_ref().map(Node::display),
                })).collect::<Vec<_>>(),
                "parameters": a.parameters.iter().map(|p| json!({
                    "name": p.name, "at": at(&p.loc), "no_echo": p.no_echo, "type": p.type_name,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "schema_version": 1, "apps": apps })
}
