//! Reading CORS settings in their many spellings (Serverless, SAM, HTTP API, function URLs).
use perimeter_model::{Node, Value};

/// What a CORS block allows.
#[derive(Debug, Default)]
pub(crate) struct Cors<'a> {
    /// The node that allows every origin.
    pub(crate) wildcard: Option<&'a Node>,
    /// Whether credentials are allowed.
    pub(crate) credentials: bool,
}

const ORIGIN_KEYS: &[&str] = &[
    "origin",
    "origins",
    "allowOrigin",
    "allowOrigins",
    "allowedOrigins",
    // Chalice's `CORSConfig(allow_origin=...)`.
    "allow_origin",
];
const CREDENTIAL_KEYS: &[&str] = &["allowCredentials", "credentials", "allow_credentials"];

fn is_wild(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.trim().trim_matches(['\'', '"']).trim() == "*")
}

/// Reads a CORS value: `true` (Serverless: every origin), a quoted origin string (SAM
/// `Cors: "'*'"`), or a mapping.
pub(crate) fn read(node: &Node) -> Cors<'_> {
    match &node.value {
        Value::Bool(true) => Cors {
            wildcard: Some(node),
            credentials: false,
        },
        Value::Str(_) => Cors {
            wildcard: is_wild(node).then_some(node),
            credentials: false,
        },
        Value::Map(entries) => {
            let mut c = Cors::default();
            for (k, v) in entries {
                if ORIGIN_KEYS.iter().any(|o| o.eq_ignore_ascii_case(&k.name)) {
                    if let Some(w) = v.items().into_iter().find(|n| is_wild(n)) {
                        c.wildcard = Some(w);
                    }
                } else if CREDENTIAL_KEYS
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&k.name))
                {
                    c.credentials = v.as_bool() == Some(true);
                }
            }
            c
        }
        _ => Cors::default(),
    }
}
