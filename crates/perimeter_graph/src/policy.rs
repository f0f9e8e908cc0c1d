//! `perimeter policy`: the least-privilege policy of each function, from what its code calls,
//! as IAM JSON, as `serverless.yml` per-function statements, or as SAM `Policies`. Each
//! statement names the code locations that need it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use perimeter_model::{Application, Function};

use crate::AppGraph;
use crate::privilege::{Need, needs};

/// A resource in a generated policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyResource {
    /// Every resource: the code's resource expression is not known statically.
    Any,
    /// A literal ARN pattern.
    Arn(String),
    /// `!GetAtt Id.Arn`.
    GetAttArn(String),
    /// `!Ref Id` (resources whose Ref is their ARN).
    Ref(String),
    /// `!Sub "${Id.Arn}/*"` (objects of a bucket).
    ObjectsOf(String),
    /// `!Sub "${Id.Arn}/index/NAME"` (an index of a table).
    IndexOf(String, String),
}

/// One statement of a generated policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyStatement {
    /// Actions, sorted.
    pub actions: Vec<String>,
    /// Resources, sorted.
    pub resources: Vec<PolicyResource>,
    /// Code locations (`path:line`) that need it.
    pub sources: Vec<String>,
}

/// The least-privilege policy of one function.
#[derive(Clone, Debug)]
pub struct FunctionPolicy {
    /// The function id.
    pub function: String,
    /// Statements.
    pub statements: Vec<PolicyStatement>,
    /// Whether the code was analysed (a function whose handler could not be resolved gets no
    /// policy, rather than an empty one that would break it).
    pub analysed: bool,
    /// What makes the policy incomplete: code locations (`path:line`) of SDK calls whose
    /// needs are not known (an operation chosen at run time, or unknown to the service
    /// model), or an SDK imported with no call recognised. Empty when complete.
    pub unresolved: Vec<String>,
}

const OBJECT_ACTION_PREFIXES: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:RestoreObject",
];

fn resource_for(app: &Application, need: &Need) -> PolicyResource {
    let Some(target) = &need.resource else {
        return PolicyResource::Any;
    };
    let service = need.action.split(':').next().unwrap_or("");
    let object_level = OBJECT_ACTION_PREFIXES
        .iter()
        .any(|p| need.action.starts_with(p));
    if let Some(name) = target.strip_prefix("name:") {
        if let (Some(index), "dynamodb") = (&need.index, service) {
            return PolicyResource::Arn(format!("arn:aws:dynamodb:*:*:table/{name}/index/{index}"));
        }
        return PolicyResource::Arn(match service {
            "iam" => format!("arn:aws:iam::*:role/{name}"),
            "s3" if object_level => format!("arn:aws:s3:::{name}/*"),
            "s3" => format!("arn:aws:s3:::{name}"),
            "dynamodb" => format!("arn:aws:dynamodb:*:*:table/{name}"),
            "lambda" => format!("arn:aws:lambda:*:*:function:{name}"),
            "states" => format!("arn:aws:states:*:*:stateMachine:{name}"),
            "kinesis" => format!("arn:aws:kinesis:*:*:stream/{name}"),
            "secretsmanager" => format!("arn:aws:secretsmanager:*:*:secret:{name}*"),
            "ssm" => format!("arn:aws:ssm:*:*:parameter/{}", name.trim_start_matches('/')),
            s => format!("arn:aws:{s}:*:*:{name}"),
        });
    }
    let type_name = app
        .resource(target)
        .map_or("AWS::Lambda::Function", |r| r.type_name.as_str());
    match type_name {
        "AWS::S3::Bucket" if object_level => PolicyResource::ObjectsOf(target.clone()),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable"
            if need.index.is_some() =>
        {
            PolicyResource::IndexOf(target.clone(), need.index.clone().unwrap_or_default())
        }
        "AWS::SNS::Topic"
        | "AWS::StepFunctions::StateMachine"
        | "AWS::Serverless::StateMachine" => PolicyResource::Ref(target.clone()),
        _ => PolicyResource::GetAttArn(target.clone()),
    }
}

/// The least-privilege policies of every function of an application graph.
pub fn policies(g: &AppGraph<'_>) -> Vec<FunctionPolicy> {
    g.app.functions.iter().map(|f| policy_of(g, f)).collect()
}

fn policy_of(g: &AppGraph<'_>, f: &Function) -> FunctionPolicy {
    let Some(summary) = g.summary(&f.id).filter(|s| s.handler.is_some()) else {
        return FunctionPolicy {
            function: f.id.clone(),
            statements: Vec::new(),
            analysed: false,
            unresolved: Vec::new(),
        };
    };
    let unresolved = crate::privilege::incomplete(summary);
    // Group by resource set: actions on the same resources form one statement.
    let mut by_action: BTreeMap<String, (Vec<PolicyResource>, Vec<String>)> = BTreeMap::new();
    for need in needs(g.app, f, summary) {
        let entry = by_action.entry(need.action.clone()).or_default();
        entry.0.push(resource_for(g.app, &need));
        let p = need.loc.start();
        entry.1.push(format!("{}:{}", need.loc.path(), p.line));
    }
    let mut by_resources: BTreeMap<Vec<PolicyResource>, (Vec<String>, Vec<String>)> =
        BTreeMap::new();
    for (action, (mut resources, sources)) in by_action {
        resources.sort();
        resources.dedup();
        if resources.contains(&PolicyResource::Any) {
            resources = vec![PolicyResource::Any];
        }
        let e = by_resources.entry(resources).or_default();
        e.0.push(action);
        e.1.extend(sources);
    }
    let statements = by_resources
        .into_iter()
        .map(|(resources, (actions, mut sources))| {
            sources.sort();
            sources.dedup();
            PolicyStatement {
                actions,
                resources,
                sources,
            }
        })
        .collect();
    FunctionPolicy {
        function: f.id.clone(),
        statements,
        analysed: true,
        unresolved,
    }
}

fn json_resource(r: &PolicyResource) -> serde_json::Value {
    match r {
        PolicyResource::Any => "*".into(),
        PolicyResource::Arn(a) => a.clone().into(),
        PolicyResource::GetAttArn(id) => serde_json::json!({"Fn::GetAtt": [id, "Arn"]}),
        PolicyResource::Ref(id) => serde_json::json!({"Ref": id}),
        PolicyResource::ObjectsOf(id) => serde_json::json!({"Fn::Sub": format!("${{{id}.Arn}}/*")}),
        PolicyResource::IndexOf(id, index) => {
            serde_json::json!({"Fn::Sub": format!("${{{id}.Arn}}/index/{index}")})
        }
    }
}

fn yaml_resource(r: &PolicyResource) -> String {
    match r {
        PolicyResource::Any => "'*'".to_owned(),
        PolicyResource::Arn(a) => format!("'{a}'"),
        PolicyResource::GetAttArn(id) => format!("!GetAtt {id}.Arn"),
        PolicyResource::Ref(id) => format!("!Ref {id}"),
        PolicyResource::ObjectsOf(id) => format!("!Sub '${{{id}.Arn}}/*'"),
        PolicyResource::IndexOf(id, index) => format!("!Sub '${{{id}.Arn}}/index/{index}'"),
    }
}

/// IAM policy documents as JSON, one per function, with the code locations per statement
/// under `Sid`-keyed `perimeter:sources` (IAM JSON has no comments).
pub fn iam_json(apps: &[(String, Vec<FunctionPolicy>)]) -> String {
    let list: Vec<serde_json::Value> = apps
        .iter()
        .flat_map(|(app, policies)| {
            policies.iter().map(move |p| {
                let statements: Vec<serde_json::Value> = p
                    .statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        serde_json::json!({
                            "Sid": format!("{}{}", sid(&p.function), i + 1),
                            "Effect": "Allow",
                            "Action": s.actions,
                            "Resource": s.resources.iter().map(json_resource).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                let sources: serde_json::Map<String, serde_json::Value> = p
                    .statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            format!("{}{}", sid(&p.function), i + 1),
                            s.sources.clone().into(),
                        )
                    })
                    .collect();
                serde_json::json!({
                    "app": app,
                    "function": p.function,
                    "analysed": p.analysed,
                    "complete": p.analysed && p.unresolved.is_empty(),
                    "unresolved": p.unresolved,
                    "policy": {"Version": "2012-10-17", "Statement": statements},
                    "sources": sources,
                })
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
    s.push('\n');
    s
}

fn sid(function: &str) -> String {
    function
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// `serverless.yml` per-function statements (`iam.role.statements`), with comments.
pub fn serverless_yaml(apps: &[(String, Vec<FunctionPolicy>)]) -> String {
    let mut out = String::new();
    for (app, policies) in apps {
        let _ = writeln!(
            out,
            "# {app}: least-privilege statements generated by perimeter\nfunctions:"
        );
        for p in policies {
            let _ = writeln!(out, "  {}:", yaml_key(&p.function));
            if !p.analysed {
                let _ = writeln!(out, "    # handler code not analysed: no policy generated");
                continue;
            }
            if !p.unresolved.is_empty() {
                let _ = writeln!(
                    out,
                    "    # incomplete, not resolved: {}",
                    p.unresolved.join(", ")
                );
            }
            let _ = writeln!(out, "    iam:\n      role:\n        statements:");
            if p.statements.is_empty() {
                out.truncate(out.len() - "        statements:\n".len());
                let _ = writeln!(out, "        statements: []  # the code calls no AWS API");
                continue;
            }
            for s in &p.statements {
                let _ = writeln!(out, "          # needed by {}", s.sources.join(", "));
                let _ = writeln!(out, "          - Effect: Allow\n            Action:");
                for a in &s.actions {
                    let _ = writeln!(out, "              - {a}");
                }
                let _ = writeln!(out, "            Resource:");
                for r in &s.resources {
                    let _ = writeln!(out, "              - {}", yaml_resource(r));
                }
            }
        }
    }
    out
}

/// SAM `Policies` per function: a policy template where one fits exactly, else inline
/// statements.
pub fn sam_yaml(apps: &[(String, Vec<FunctionPolicy>)]) -> String {
    let mut out = String::new();
    for (app, policies) in apps {
        let _ = writeln!(
            out,
            "# {app}: least-privilege policies generated by perimeter\nResources:"
        );
        for p in policies {
            let _ = writeln!(out, "  {}:\n    Properties:", yaml_key(&p.function));
            if !p.analysed {
                let _ = writeln!(
                    out,
                    "      # handler code not analysed: no policy generated"
                );
                continue;
            }
            if !p.unresolved.is_empty() {
                let _ = writeln!(
                    out,
                    "      # incomplete, not resolved: {}",
                    p.unresolved.join(", ")
                );
            }
            if p.statements.is_empty() {
                let _ = writeln!(out, "      Policies: []  # the code calls no AWS API");
                continue;
            }
            let _ = writeln!(out, "      Policies:");
            for s in &p.statements {
                let _ = writeln!(out, "        # needed by {}", s.sources.join(", "));
                if let Some(t) = sam_template(s) {
                    let _ = writeln!(out, "        - {t}");
                    continue;
                }
                let _ = writeln!(
                    out,
                    "        - Statement:\n            - Effect: Allow\n              Action:"
                );
                for a in &s.actions {
                    let _ = writeln!(out, "                - {a}");
                }
                let _ = writeln!(out, "              Resource:");
                for r in &s.resources {
                    let _ = writeln!(out, "                - {}", yaml_resource(r));
                }
            }
        }
    }
    out
}

/// The SAM policy templates whose grant is exactly one action on one resource kind.
fn sam_template(s: &PolicyStatement) -> Option<String> {
    let [resource] = s.resources.as_slice() else {
        return None;
    };
    let id = match resource {
        PolicyResource::GetAttArn(id) | PolicyResource::Ref(id) => id,
        _ => return None,
    };
    let actions: Vec<&str> = s.actions.iter().map(String::as_str).collect();
    match actions.as_slice() {
        ["sqs:SendMessage"] => Some(format!(
            "SQSSendMessagePolicy: {{ QueueName: !GetAtt {id}.QueueName }}"
        )),
        ["sns:Publish"] => Some(format!(
            "SNSPublishMessagePolicy: {{ TopicName: !GetAtt {id}.TopicName }}"
        )),
        ["lambda:InvokeFunction"] => {
            Some(format!("LambdaInvokePolicy: {{ FunctionName: !Ref {id} }}"))
        }
        ["states:StartExecution"] => Some(format!(
            "StepFunctionsExecutionPolicy: {{ StateMachineName: !GetAtt {id}.Name }}"
        )),
        _ => None,
    }
}

fn yaml_key(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}
