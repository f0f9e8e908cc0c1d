//! The data map: the application graph drawn for people (Mermaid, Graphviz DOT) and tools
//! (JSON). Entry points with their authentication, functions with their roles, the services
//! between them, and edges labelled with what flows and whether an attacker controls it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use perimeter_model::{Auth, EventKind, Node};

use crate::{AppGraph, Channel, EdgeKind};

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// An HTTP route or function URL.
    Entry,
    /// A function.
    Function,
    /// A queue, topic, bucket, table, stream, bus or state machine.
    Service,
}

/// A node of the map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MapNode {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: NodeKind,
    /// Label.
    pub label: String,
    /// Details: the role, the authentication, the resource type.
    pub detail: String,
    /// An entry point reachable without authentication.
    pub public: bool,
    /// For a function whose code was analysed: what its role grants against what its code
    /// calls.
    pub permissions: Option<Permissions>,
}

/// The least-privilege view of one function: actions granted by its role (as written,
/// wildcards included), actions its code needs, and the difference both ways.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permissions {
    /// Actions the role allows, as written (inline statements and managed policies' names).
    pub granted: Vec<String>,
    /// Actions the code's SDK calls need.
    pub needed: Vec<String>,
    /// Granted entries that no needed action matches.
    pub unused: Vec<String>,
    /// Needed actions that no statement allows (the function would fail, or the role is
    /// defined elsewhere).
    pub missing: Vec<String>,
    /// What makes the verdict incomplete (code locations of SDK calls whose needs are not
    /// known, or an SDK imported with no call recognised): when any, no grant is called
    /// unused.
    pub unresolved: Vec<String>,
}

/// The permissions view of a function, when its code was analysed.
fn permissions(g: &AppGraph<'_>, f: &perimeter_model::Function) -> Option<Permissions> {
    let summary = g.summary(&f.id).filter(|s| s.handler.is_some())?;
    let role = g.app.role_of(f);
    let mut needed: Vec<String> = crate::privilege::needs(g.app, f, summary)
        .into_iter()
        .map(|n| n.action)
        .collect();
    needed.sort();
    needed.dedup();
    let statements = role.map(|r| r.statements.as_slice()).unwrap_or_default();
    let mut granted: Vec<String> = statements
        .iter()
        .filter(|s| s.allow)
        .flat_map(|s| s.action_strs().map(|(a, _)| a.to_owned()))
        .collect();
    if let Some(r) = role {
        granted.extend(r.managed_policies.iter().filter_map(|m| {
            m.scalar_text()
                .map(|t| format!("policy {}", t.rsplit('/').next().unwrap_or(&t)))
        }));
    }
    granted.sort();
    granted.dedup();
    let unresolved = crate::privilege::incomplete(summary);
    let unused = granted
        .iter()
        .filter(|_| unresolved.is_empty())
        .filter(|g| !g.starts_with("policy "))
        .filter(|g| {
            !needed
                .iter()
                .any(|n| crate::privilege::action_matches(g, n))
        })
        .cloned()
        .collect();
    let missing = needed
        .iter()
        .filter(|n| {
            !statements
                .iter()
                .any(|s| crate::privilege::statement_allows(s, n))
                && role.is_none_or(|r| r.managed_policies.is_empty())
        })
        .cloned()
        .collect();
    Some(Permissions {
        granted,
        needed,
        unused,
        missing,
        unresolved,
    })
}

/// An edge of the map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MapEdge {
    /// From node id.
    pub from: String,
    /// To node id.
    pub to: String,
    /// Label (`sqs.SendMessage`, `trigger`).
    pub label: String,
    /// Whether attacker-controlled data flows along it.
    pub tainted: bool,
    /// The fields of the data written, when known.
    pub fields: Vec<String>,
    /// Those fields that look sensitive, with what they look like (`email: e-mail`).
    pub sensitive: Vec<String>,
}

/// What a field of the data looks like, by its name or its constant value: personal or
/// secret data that should not travel unencrypted or land in logs.
pub fn sensitive_kind(name: &str, value: Option<&str>) -> Option<&'static str> {
    let n: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    const NAMES: &[(&str, &[&str])] = &[
        ("e-mail", &["email", "emailaddress", "mail", "useremail"]),
        (
            "card",
            &[
                "card",
                "cardnumber",
                "ccnumber",
                "creditcard",
                "cc",
                "pan",
                "cvv",
                "cvc",
                "cardcvv",
            ],
        ),
        (
            "password",
            &["password", "passwd", "pwd", "passphrase", "pin"],
        ),
        (
            "token",
            &[
                "token",
                "accesstoken",
                "refreshtoken",
                "idtoken",
                "jwt",
                "authorization",
                "bearer",
                "sessiontoken",
            ],
        ),
        (
            "secret",
            &[
                "secret",
                "clientsecret",
                "apikey",
                "privatekey",
                "secretkey",
            ],
        ),
        (
            "phone",
            &["phone", "phonenumber", "mobile", "msisdn", "tel"],
        ),
        (
            "national id",
            &[
                "ssn",
                "socialsecuritynumber",
                "nationalid",
                "taxid",
                "passport",
                "passportnumber",
            ],
        ),
        (
            "bank account",
            &["iban", "accountnumber", "routingnumber", "bic", "swift"],
        ),
        (
            "date of birth",
            &["dob", "birthdate", "dateofbirth", "birthday"],
        ),
    ];
    for (kind, names) in NAMES {
        if names.contains(&n.as_str())
            || (n.len() > 4 && names.iter().any(|w| w.len() >= 5 && n.ends_with(w)))
        {
            return Some(kind);
        }
    }
    let v = value?.trim();
    let digits: Vec<u32> = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_digit(10))
        .collect::<Option<Vec<_>>>()?;
    if (13..=19).contains(&digits.len()) && luhn(&digits) {
        return Some("card");
    }
    None
}

/// ` — sensitive: email (e-mail), card (card)` for an edge that carries such fields.
fn sensitive_note(e: &MapEdge) -> String {
    if e.sensitive.is_empty() {
        String::new()
    } else {
        format!(" — sensitive: {}", e.sensitive.join(", "))
    }
}

/// Whether a constant text looks like an e-mail address or a JWT.
fn sensitive_text(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if let Some((user, domain)) = v.split_once('@')
        && !user.is_empty()
        && !user.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.contains(char::is_whitespace)
    {
        return Some("e-mail");
    }
    if v.starts_with("eyJ") && v.matches('.').count() == 2 {
        return Some("token");
    }
    None
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The map of one application.
#[derive(Clone, Debug, Default)]
pub struct DataMap {
    /// The application id.
    pub app: String,
    /// Nodes, sorted by id.
    pub nodes: Vec<MapNode>,
    /// Edges, sorted.
    pub edges: Vec<MapEdge>,
}

fn service_node(id: &str, g: &AppGraph<'_>) -> MapNode {
    let detail = g
        .app
        .resource(id)
        .map_or_else(|| "external".to_owned(), |r| r.type_name.clone());
    MapNode {
        id: format!("res:{id}"),
        kind: NodeKind::Service,
        label: id.trim_start_matches("name:").to_owned(),
        detail,
        public: false,
        permissions: None,
    }
}

/// Builds the map of an application graph.
pub fn build(g: &AppGraph<'_>) -> DataMap {
    let mut nodes: BTreeMap<String, MapNode> = BTreeMap::new();
    let mut edges = Vec::new();
    for f in &g.app.functions {
        let role = f.role.clone().unwrap_or_else(|| "unknown role".to_owned());
        nodes.insert(
            format!("fn:{}", f.id),
            MapNode {
                id: format!("fn:{}", f.id),
                kind: NodeKind::Function,
                label: f.id.clone(),
                detail: format!("role {role}"),
                public: false,
                permissions: permissions(g, f),
            },
        );
        for e in &f.events {
            if let Some(route) = &e.route {
                let id = format!("route:{} {}", route.method, route.path);
                let (public, auth) = match &route.auth {
                    Auth::None => (
                        true,
                        if route.api_key_required {
                            "API key only".to_owned()
                        } else {
                            "no authentication".to_owned()
                        },
                    ),
                    Auth::Authorizer { kind, .. } => (false, format!("{kind} authorizer")),
                    Auth::Unknown(_) => (false, "authentication unknown".to_owned()),
                };
                nodes.insert(
                    id.clone(),
                    MapNode {
                        id: id.clone(),
                        kind: NodeKind::Entry,
                        label: format!("{} {}", route.method, route.path),
                        detail: auth,
                        public,
                        permissions: None,
                    },
                );
                edges.push(MapEdge {
                    from: id,
                    to: format!("fn:{}", f.id),
                    label: e.kind.as_str().to_owned(),
                    tainted: public,
                    fields: Vec::new(),
                    sensitive: Vec::new(),
                });
            } else if matches!(e.kind, EventKind::Schedule) {
                let id = format!("schedule:{}", f.id);
                nodes.insert(
                    id.clone(),
                    MapNode {
                        id: id.clone(),
                        kind: NodeKind::Entry,
                        label: "schedule".into(),
                        detail: e.properties.as_ref().map(Node::display).unwrap_or_default(),
                        public: false,
                        permissions: None,
                    },
                );
                edges.push(MapEdge {
                    from: id,
                    to: format!("fn:{}", f.id),
                    label: "schedule".into(),
                    tainted: false,
                    fields: Vec::new(),
                    sensitive: Vec::new(),
                });
            }
        }
        if let Some(url) = &f.url {
            let public = url
                .auth_type
                .as_ref()
                .and_then(Node::as_str)
                .is_none_or(|a| a.eq_ignore_ascii_case("NONE"));
            let id = format!("url:{}", f.id);
            nodes.insert(
                id.clone(),
                MapNode {
                    id: id.clone(),
                    kind: NodeKind::Entry,
                    label: "function URL".into(),
                    detail: if public {
                        "no authentication".into()
                    } else {
                        "AWS_IAM".into()
                    },
                    public,
                    permissions: None,
                },
            );
            edges.push(MapEdge {
                from: id,
                to: format!("fn:{}", f.id),
                label: "url".into(),
                tainted: public,
                fields: Vec::new(),
                sensitive: Vec::new(),
            });
        }
    }
    for e in &g.edges {
        let (from, to) = match e.kind {
            EdgeKind::Trigger => {
                let n = service_node(&e.from, g);
                let from = n.id.clone();
                nodes.entry(from.clone()).or_insert(n);
                (from, format!("fn:{}", e.to))
            }
            EdgeKind::Write if e.channel == Channel::Invoke => {
                (format!("fn:{}", e.from), format!("fn:{}", e.to))
            }
            EdgeKind::Write => {
                let n = service_node(&e.to, g);
                let to = n.id.clone();
                nodes.entry(to.clone()).or_insert(n);
                (format!("fn:{}", e.from), to)
            }
            EdgeKind::Forward => {
                let a = service_node(&e.from, g);
                let b = service_node(&e.to, g);
                let ids = (a.id.clone(), b.id.clone());
                nodes.entry(a.id.clone()).or_insert(a);
                nodes.entry(b.id.clone()).or_insert(b);
                ids
            }
        };
        let mut fields = Vec::new();
        let mut sensitive = Vec::new();
        let (label, tainted) = match (e.kind, e.call) {
            (EdgeKind::Write, Some(i)) => {
                let call = g.summary(&e.from).and_then(|s| s.sdk_calls.get(i));
                for f in call.map(|c| c.fields.as_slice()).unwrap_or_default() {
                    fields.push(f.name.clone());
                    let kind = sensitive_kind(&f.name, f.value.as_deref())
                        .or_else(|| f.value.as_deref().and_then(sensitive_text));
                    if let Some(k) = kind {
                        sensitive.push(format!("{}: {k}", f.name));
                    }
                }
                let label = call.map_or_else(
                    || e.channel.as_str().to_owned(),
                    |c| format!("{}.{}", c.service, c.operation),
                );
                let tainted = call.is_some_and(|c| {
                    c.tainted.as_ref().is_some_and(|p| {
                        g.app
                            .function(&e.from)
                            .is_some_and(|f| g.origin_trace(f, &p.source, 0).is_some())
                    })
                });
                (label, tainted)
            }
            (EdgeKind::Trigger, _) => {
                let tainted = g
                    .inflows
                    .get(&e.to)
                    .is_some_and(|v| v.iter().any(|i| i.resource == e.from));
                (format!("{} trigger", e.channel.as_str()), tainted)
            }
            _ => (e.channel.as_str().to_owned(), false),
        };
        fields.sort();
        sensitive.sort();
        edges.push(MapEdge {
            from,
            to,
            label,
            tainted,
            fields,
            sensitive,
        });
    }
    edges.sort();
    edges.dedup();
    DataMap {
        app: g.app.id.clone(),
        nodes: nodes.into_values().collect(),
        edges,
    }
}

fn mermaid_id(id: &str) -> String {
    let mut out = String::from("n");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
    out
}

fn mermaid_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "#quot;".to_owned(),
            '<' => "#lt;".to_owned(),
            '>' => "#gt;".to_owned(),
            c if c.is_control() => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Mermaid `flowchart LR` of several maps, one subgraph per application.
pub fn mermaid(maps: &[DataMap]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, m) in maps.iter().enumerate() {
        let _ = writeln!(out, "  subgraph app{i}[\"{}\"]", mermaid_text(&m.app));
        for n in &m.nodes {
            let id = mermaid_id(&format!("{i}:{}", n.id));
            let label = mermaid_text(&format!("{}<br/>{}", n.label, n.detail))
                .replace("#lt;br/#gt;", "<br/>");
            let shape = match n.kind {
                NodeKind::Entry => format!("{id}([\"{label}\"])"),
                NodeKind::Function => format!("{id}[\"{label}\"]"),
                NodeKind::Service => format!("{id}[(\"{label}\")]"),
            };
            let _ = writeln!(out, "    {shape}");
            if n.public {
                let _ = writeln!(out, "    style {id} stroke:#d00,stroke-width:3px");
            }
        }
        let _ = writeln!(out, "  end");
        for e in &m.edges {
            let arrow = if e.tainted { "==>" } else { "-->" };
            let _ = writeln!(
                out,
                "  {} {arrow}|\"{}{}{}\"| {}",
                mermaid_id(&format!("{i}:{}", e.from)),
                mermaid_text(&e.label),
                if e.tainted { " (tainted)" } else { "" },
                mermaid_text(&sensitive_note(e)),
                mermaid_id(&format!("{i}:{}", e.to))
            );
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            c if c.is_control() => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Graphviz DOT of several maps, one cluster per application.
pub fn dot(maps: &[DataMap]) -> String {
    let mut out =
        String::from("digraph perimeter {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (i, m) in maps.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{i} {{\n    label=\"{}\";",
            dot_text(&m.app)
        );
        for n in &m.nodes {
            let shape = match n.kind {
                NodeKind::Entry => "oval",
                NodeKind::Function => "box",
                NodeKind::Service => "cylinder",
            };
            let color = if n.public {
                ", color=red, penwidth=2"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    \"{i}:{}\" [label=\"{}\\n{}\", shape={shape}{color}];",
                dot_text(&n.id),
                dot_text(&n.label),
                dot_text(&n.detail)
            );
        }
        for e in &m.edges {
            let style = if e.tainted {
                ", color=red, penwidth=2"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    \"{i}:{}\" -> \"{i}:{}\" [label=\"{}\"{style}];",
                dot_text(&e.from),
                dot_text(&e.to),
                dot_text(&format!("{}{}", e.label, sensitive_note(e)))
            );
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// JSON of several maps.
pub fn json(maps: &[DataMap]) -> String {
    let mut s = serde_json::to_string_pretty(&json_value(maps)).unwrap_or_default();
    s.push('\n');
    s
}

/// The value [`json`] prints, for a report that embeds the map (the HTML report).
pub fn json_value(maps: &[DataMap]) -> serde_json::Value {
    let apps: Vec<serde_json::Value> = maps
        .iter()
        .map(|m| {
            serde_json::json!({
                "app": m.app,
                "nodes": m.nodes.iter().map(|n| {
                    let mut v = serde_json::json!({
                        "id": n.id, "kind": format!("{:?}", n.kind).to_lowercase(),
                        "label": n.label, "detail": n.detail, "public": n.public,
                    });
                    if let Some(p) = &n.permissions {
                        v["permissions"] = serde_json::json!({
                            "granted": p.granted, "needed": p.needed,
                            "unused": p.unused, "missing": p.missing,
                            "complete": p.unresolved.is_empty(), "unresolved": p.unresolved,
                        });
                    }
                    v
                }).collect::<Vec<_>>(),
                "edges": m.edges.iter().map(|e| serde_json::json!({
                    "from": e.from, "to": e.to, "label": e.label, "tainted": e.tainted,
                    "fields": e.fields, "sensitive": e.sensitive,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({"schema_version": 1, "apps": apps})
}

#[cfg(test)]
mod sensitive_tests {
    use super::{sensitive_kind, sensitive_text};

    #[test]
    fn names_and_values_that_look_sensitive() {
        assert_eq!(sensitive_kind("email", None), Some("e-mail"));
        assert_eq!(sensitive_kind("customer_email", None), Some("e-mail"));
        assert_eq!(sensitive_kind("Card-Number", None), Some("card"));
        assert_eq!(sensitive_kind("password", None), Some("password"));
        assert_eq!(sensitive_kind("refresh_token", None), Some("token"));
        assert_eq!(sensitive_kind("ssn", None), Some("national id"));
        // Look-alikes: short names inside other words do not count.
        assert_eq!(sensitive_kind("description", None), None);
        assert_eq!(sensitive_kind("topic", None), None);
        assert_eq!(sensitive_kind("capacity", None), None);
        // Values: a number that passes the card checksum, not one that does not.
        assert_eq!(
            sensitive_kind("note", Some("4111 1111 1111 1111")),
            Some("card")
        );
        assert_eq!(sensitive_kind("note", Some("4111 1111 1111 1112")), None);
        assert_eq!(sensitive_text("ops@example.com"), Some("e-mail"));
        assert_eq!(
            sensitive_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
            Some("token")
        );
        assert_eq!(sensitive_text("not an address @ all"), None);
    }
}
