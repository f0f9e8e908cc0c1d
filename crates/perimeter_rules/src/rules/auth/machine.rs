//! What starting a state machine reaches: the union of what its tasks reach (the functions
//! its Lambda tasks invoke, the services its direct integrations call), read from its
//! definition.

use perimeter_model::{Application, Node, Resource, Value};

/// State machine resource types.
const MACHINE_TYPES: &[&str] = &[
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
];

/// Whether a resource is a state machine.
pub(crate) fn is_machine(r: &Resource) -> bool {
    MACHINE_TYPES.contains(&r.type_name.as_str())
}

/// One task of a state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// A function of the application it invokes (its id).
    Function(String),
    /// Another state machine of the application it starts (its id).
    Machine(String),
    /// A service action it calls directly (`dynamodb:putItem`).
    Service(String),
    /// A task whose target is not known (an activity, a function outside the template).
    Unknown(String),
}

/// The tasks of a state machine, from its definition; `None` when the definition is not
/// written in the descriptor (`DefinitionUri`, an S3 location) or cannot be read.
pub(crate) fn tasks(app: &Application, machine: &Resource) -> Option<Vec<Task>> {
    let props = machine.properties.as_ref()?;
    let def = props
        .get("Definition")
        .or_else(|| props.get("DefinitionString"))?;
    let json = match def.as_str() {
        Some(_) => serde_json::from_str(&flat_text(def)?).ok()?,
        None if def.intrinsic().is_some() => serde_json::from_str(&flat_text(def)?).ok()?,
        None => def.to_json(),
    };
    // SAM `DefinitionSubstitutions`: `${OrderFn}` stands for what the substitution names.
    let subs: Vec<(String, Vec<String>)> = props
        .get("DefinitionSubstitutions")
        .map(|s| match &s.value {
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.name.clone(), v.referenced_ids()))
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    collect(app, &json, &subs, &mut out);
    out.dedup();
    Some(out)
}

/// The text of a definition written as a string, a `Fn::Join` of strings and references, or
/// a `Fn::Sub` template: references become `${Id}`.
fn flat_text(node: &Node) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.to_owned());
    }
    match node.intrinsic()? {
        ("Fn::Join", arg) => {
            let items = arg.items();
            let sep = items.first()?.as_str()?;
            let parts = items.get(1)?.items();
            let mut out = Vec::new();
            for p in parts {
                out.push(flat_text(p)?);
            }
            Some(out.join(sep))
        }
        ("Fn::Sub", arg) => match &arg.value {
            Value::Seq(items) => items.first()?.as_str().map(str::to_owned),
            _ => arg.as_str().map(str::to_owned),
        },
        ("Ref", arg) => Some(format!("${{{}}}", arg.as_str()?)),
        ("Fn::GetAtt", arg) => {
            let id = match &arg.value {
                Value::Seq(items) => items.first()?.as_str()?.to_owned(),
                _ => arg.as_str()?.split('.').next()?.to_owned(),
            };
            Some(format!("${{{id}.Arn}}"))
        }
        _ => None,
    }
}

/// Collects the tasks of every state, nested ones (`Parallel` branches, `Map` iterators)
/// included.
fn collect(
    app: &Application,
    v: &serde_json::Value,
    subs: &[(String, Vec<String>)],
    out: &mut Vec<Task>,
) {
    match v {
        serde_json::Value::Object(map) => {
            if map.get("Type").and_then(|t| t.as_str()) == Some("Task")
                && let Some(r) = map.get("Resource").and_then(ref_text)
            {
                out.push(task(app, &r, map.get("Parameters"), subs));
            }
            for (k, child) in map {
                if k != "Parameters" {
                    collect(app, child, subs, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for i in items {
                collect(app, i, subs, out);
            }
        }
        _ => {}
    }
}

/// One task from its `Resource` (and `Parameters` for an integration).
fn task(
    app: &Application,
    resource: &str,
    params: Option<&serde_json::Value>,
    subs: &[(String, Vec<String>)],
) -> Task {
    // `arn:aws:states:::dynamodb:putItem`, `arn:${AWS::Partition}:states:::lambda:invoke`,
    // `arn:aws:states:::aws-sdk:s3:putObject`, with an optional `.sync`/`.waitForTaskToken`.
    if let Some((_, integration)) = resource.split_once(":states:::") {
        let integration = integration.split('.').next().unwrap_or(integration);
        let integration = integration.strip_prefix("aws-sdk:").unwrap_or(integration);
        let (service, action) = integration.split_once(':').unwrap_or((integration, ""));
        let target = |key: &str| {
            params
                .and_then(|p| p.get(key).or_else(|| p.get(format!("{key}.$"))))
                .and_then(ref_text)
        };
        return match (service, action) {
            ("lambda", "invoke") => target("FunctionName")
                .and_then(|n| function_of(app, &n, subs))
                .map_or_else(|| Task::Unknown(resource.to_owned()), Task::Function),
            ("states", a) if a.starts_with("startExecution") => target("StateMachineArn")
                .and_then(|n| machine_of(app, &n, subs))
                .map_or_else(|| Task::Unknown(resource.to_owned()), Task::Machine),
            _ => Task::Service(format!("{service}:{action}")),
        };
    }
    // A Lambda function's ARN or name.
    function_of(app, resource, subs)
        .map_or_else(|| Task::Unknown(resource.to_owned()), Task::Function)
}

/// A definition's value as text: a string, or a reference written in a definition given as
/// an object (`!GetAtt Fn.Arn` as `${Fn.Arn}`, `!Ref Fn` as `${Fn}`, a `!Sub` template).
fn ref_text(v: &serde_json::Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_owned());
    }
    let map = v.as_object().filter(|m| m.len() == 1)?;
    let (k, arg) = map.iter().next()?;
    match k.as_str() {
        "Ref" => Some(format!("${{{}}}", arg.as_str()?)),
        "Fn::GetAtt" => {
            let id = match arg {
                serde_json::Value::Array(a) => a.first()?.as_str()?,
                other => other.as_str()?.split('.').next()?,
            };
            Some(format!("${{{id}.Arn}}"))
        }
        "Fn::Sub" => match arg {
            serde_json::Value::Array(a) => a.first()?.as_str().map(str::to_owned),
            other => other.as_str().map(str::to_owned),
        },
        _ => None,
    }
}

/// The ids a text designates: `${Id}`/`${Id.Arn}` references (through SAM substitutions),
/// else its last ARN segment as a logical id or a deployed name.
fn designated(text: &str, subs: &[(String, Vec<String>)]) -> Vec<String> {
    let mut ids = Vec::new();
    for part in text.split("${").skip(1) {
        let Some(name) = part.split('}').next() else {
            continue;
        };
        let name = name.split('.').next().unwrap_or(name);
        match subs.iter().find(|(k, _)| k == name) {
            Some((_, refs)) => ids.extend(refs.iter().cloned()),
            None => ids.push(name.to_owned()),
        }
    }
    if ids.is_empty()
        && let Some(last) = text.trim_end_matches('/').rsplit([':', '/']).next()
        && !last.is_empty()
    {
        ids.push(last.to_owned());
    }
    ids
}

/// The function of the application a task names.
fn function_of(app: &Application, text: &str, subs: &[(String, Vec<String>)]) -> Option<String> {
    designated(text, subs).into_iter().find_map(|id| {
        app.functions
            .iter()
            .find(|f| {
                f.id == id
                    || perimeter_model::serverless::function_logical_id(&f.id) == id
                    || f.name.as_ref().and_then(Node::as_str) == Some(id.as_str())
            })
            .map(|f| f.id.clone())
    })
}

/// The state machine of the application a task names.
fn machine_of(app: &Application, text: &str, subs: &[(String, Vec<String>)]) -> Option<String> {
    designated(text, subs).into_iter().find_map(|id| {
        app.resources
            .iter()
            .find(|r| {
                is_machine(r)
                    && (r.id == id
                        || r.prop("StateMachineName").and_then(Node::as_str) == Some(&id))
            })
            .map(|r| r.id.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrations_name_their_service_action() {
        let app = Application::new("t.yaml", perimeter_model::Framework::CloudFormation, ".");
        assert_eq!(
            task(&app, "arn:aws:states:::dynamodb:putItem", None, &[]),
            Task::Service("dynamodb:putItem".to_owned())
        );
        assert_eq!(
            task(
                &app,
                "arn:aws:states:::aws-sdk:s3:putObject.waitForTaskToken",
                None,
                &[]
            ),
            Task::Service("s3:putObject".to_owned())
        );
        assert!(matches!(
            task(&app, "arn:aws:states:eu-west-1:1:activity:pack", None, &[]),
            Task::Unknown(_)
        ));
    }
}
