//! IAM policy documents read into [`Statement`]s, and SAM `Policies` lists (managed policy
//! names, inline documents and policy templates).

use perimeter_diagnostics::{Loc, ScanError};

use crate::model::Statement;
use crate::sam_policies;
use crate::yaml::{Node, Value};

/// The statements of a policy document: a map with `Statement` (one statement or a list),
/// a list of statements, or a single statement map. `origin` names where they come from
/// (`inline`, a policy's logical id, a template name).
pub fn statements(document: &Node, origin: &str) -> Vec<Statement> {
    let list: Vec<&Node> = if let Some(s) = document.get("Statement") {
        s.items()
    } else if matches!(document.value, Value::Seq(_)) {
        document.items()
    } else if document.get("Effect").is_some() || document.get("Action").is_some() {
        vec![document]
    } else {
        Vec::new()
    };
    list.into_iter()
        .filter(|s| matches!(s.value, Value::Map(_)))
        .map(|s| statement(s, origin))
        .collect()
}

/// One statement map.
pub fn statement(node: &Node, origin: &str) -> Statement {
    let list = |key: &str| -> Vec<Node> {
        node.get(key)
            .map(|n| n.items().into_iter().cloned().collect())
            .unwrap_or_default()
    };
    Statement {
        // An effect that is not literally `Deny` (including an unresolved one) counts as
        // `Allow`: over-reporting a grant is safer than missing one.
        allow: !node
            .get("Effect")
            .and_then(Node::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("deny")),
        actions: list("Action"),
        not_actions: list("NotAction"),
        resources: list("Resource"),
        not_resources: list("NotResource"),
        principal: node.get("Principal").cloned(),
        condition: node.get("Condition").cloned(),
        loc: node.loc.clone(),
        origin: origin.to_owned(),
    }
}

/// What a SAM `Policies` property grants.
#[derive(Debug, Default)]
pub struct SamPolicies {
    /// Inline and template statements.
    pub statements: Vec<Statement>,
    /// Managed policies (names, ARNs, references to `AWS::IAM::ManagedPolicy`).
    pub managed: Vec<Node>,
    /// Templates perimeter does not know, and malformed entries.
    pub errors: Vec<ScanError>,
}

/// Reads a SAM `Policies` value: a managed policy name or ARN, an inline document, a policy
/// template call, or a list of those.
pub fn sam_policies(policies: &Node) -> SamPolicies {
    let mut out = SamPolicies::default();
    for item in policies.items() {
        match &item.value {
            Value::Str(_) | Value::Symbolic(_) => out.managed.push(item.clone()),
            Value::Map(entries) => {
                if item.intrinsic().is_some() {
                    // `!Ref ManagedPolicy`, `!Sub arn:...`, `!If [...]`: a managed policy.
                    out.managed.push(item.clone());
                } else if item.get("Statement").is_some() {
                    out.statements.extend(statements(item, "inline"));
                } else {
                    for (key, params) in entries {
                        template(&key.name, params, &key.loc, &mut out);
                    }
                }
            }
            _ => out
                .errors
                .push(ScanError::at(&item.loc, "unreadable entry in Policies")),
        }
    }
    out
}

fn template(name: &str, params: &Node, loc: &Loc, out: &mut SamPolicies) {
    match sam_policies::expand(name, params, loc) {
        Some(s) => out.statements.extend(s),
        None => out.errors.push(ScanError::at(
            loc,
            format!(
                "unknown SAM policy template `{name}`: the permissions it grants are not modelled"
            ),
        )),
    }
}
