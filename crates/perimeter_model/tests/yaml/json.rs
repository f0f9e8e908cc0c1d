//! JSON views of parsed YAML for the conformance tests: nodes as the PyYAML script writes
//! values, and equality with numbers compared by value.

use perimeter_model::yaml::Node;
use serde_json::Value as Json;

/// A node as JSON, non-finite floats as text (`.nan`, `.inf`, `-.inf`) as the PyYAML script
/// writes them.
pub(crate) fn plain(node: &Node) -> Json {
    node.to_json()
}

/// Equality with numbers compared by value (`1.0` is `1`) and maps in any order.
pub(crate) fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
