//! Registry modules read by their documented interface. perimeter never fetches a module, but
//! the most used Lambda module of the Terraform registry (`terraform-aws-modules/lambda/aws`)
//! is so common that losing every function written with it would make a Terraform
//! application look empty. A call of it is translated into what the module creates with the
//! call's inputs and the module's documented defaults: the function (its code is the
//! `source_path` of the repository), its role and policies, its URL, the permissions of its
//! `allowed_triggers`, its event source mappings and its log group. Every value keeps the
//! place of the input that set it; a default is placed at the module block.

use std::collections::BTreeMap;

use hcl_edit::Span as _;
use hcl_edit::structure::Block;
use perimeter_diagnostics::Loc;

use super::eval::{Files, Located, Module, from_json, get_att, known_text, loc_of, map, reference};
use super::translate::{Code, Context};
use crate::yaml::{Node, Value};

/// A call of a module perimeter knows, with its inputs evaluated in the caller.
pub(crate) struct Call {
    /// The module block's name (`module "NAME"`).
    pub name: String,
    /// The module block.
    pub block: Located<Block>,
    /// The inputs, evaluated where the module is called.
    pub inputs: BTreeMap<String, Node>,
}

/// Whether a module source is `terraform-aws-modules/lambda/aws` (its root, not one of its
/// submodules such as `//modules/alias`), from the registry or from its Git repository.
pub(crate) fn is_lambda_module(source: &str) -> bool {
    let s = source.trim();
    let s = s.strip_prefix("registry.terraform.io/").unwrap_or(s);
    if s == "terraform-aws-modules/lambda/aws" {
        return true;
    }
    let s = s.strip_prefix("git::").unwrap_or(s);
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("ssh://"))
        .unwrap_or(s);
    let s = s.strip_prefix("git@").unwrap_or(s);
    let Some(rest) = s
        .strip_prefix("github.com/terraform-aws-modules/terraform-aws-lambda")
        .or_else(|| s.strip_prefix("github.com:terraform-aws-modules/terraform-aws-lambda"))
    else {
        return false;
    };
    let rest = rest.strip_prefix(".git").unwrap_or(rest);
    rest.is_empty() || rest.starts_with('?')
}

/// The addresses of what a call creates, under the caller's prefix.
struct Addresses {
    function: String,
    role: String,
    url: String,
}

fn addresses(prefix: &str, name: &str) -> Addresses {
    let p = format!("{prefix}module.{name}.");
    Addresses {
        function: format!("{p}aws_lambda_function.this"),
        role: format!("{p}aws_iam_role.lambda"),
        url: format!("{p}aws_lambda_function_url.this"),
    }
}

impl Call {
    fn input(&self, key: &str) -> Option<&Node> {
        self.inputs.get(key).filter(|n| !n.is_null())
    }

    /// A boolean input: its known value, else the module's default.
    fn flag(&self, key: &str, default: bool) -> bool {
        self.input(key).and_then(Node::as_bool).unwrap_or(default)
    }

    /// `source_path`: a path, or a list's first entry (a string or `{ path = ... }`).
    fn source_path(&self) -> Option<Node> {
        self.input("source_path").and_then(|s| match &s.value {
            Value::Seq(items) => items.first().and_then(|first| match &first.value {
                Value::Map(_) => first.get("path").cloned(),
                _ => Some(first.clone()),
            }),
            _ => Some(s.clone()),
        })
    }

    fn loc(&self) -> Loc {
        loc_of(&self.block.file, self.block.item.span())
    }

    /// Whether the call creates no function (`create = false`, `create_function = false`).
    pub(crate) fn creates_no_function(&self) -> bool {
        !self.flag("create", true) || !self.flag("create_function", true)
    }

    /// A module output the caller reads (`module.NAME.lambda_function_arn`).
    pub(crate) fn output(&self, prefix: &str, output: &str, loc: &Loc) -> Option<Node> {
        let a = addresses(prefix, &self.name);
        Some(match output {
            "lambda_function_arn"
            | "lambda_function_qualified_arn"
            | "lambda_function_invoke_arn"
            | "lambda_function_qualified_invoke_arn" => get_att(&a.function, "Arn", loc),
            "lambda_function_name" => reference(&a.function, loc),
            "lambda_role_arn" => get_att(&a.role, "Arn", loc),
            "lambda_role_name" => reference(&a.role, loc),
            "lambda_function_url" => get_att(&a.url, "FunctionUrl", loc),
            // The package a call builds (`create_function = false` calls build packages for
            // others): its source, which the deploying call reads as its code.
            "local_filename" => return self.source_path(),
            _ => return None,
        })
    }
}

fn text(s: &str, loc: &Loc) -> Node {
    Node::new(Value::Str(s.to_owned()), loc.clone())
}

fn int(i: i64, loc: &Loc) -> Node {
    Node::new(Value::Int(i), loc.clone())
}

fn seq(items: Vec<Node>, loc: &Loc) -> Node {
    Node::new(Value::Seq(items), loc.clone())
}

fn resource(ty: &str, props: Vec<(&str, Node)>, loc: &Loc) -> Node {
    map(
        vec![("Type", text(ty, loc)), ("Properties", map(props, loc))],
        loc,
    )
}

/// The resources one call of the Lambda module creates, appended to `out`; the function's
/// code is recorded in `ctx`.
pub(crate) fn lambda_resources(
    call: &Call,
    m: &Module,
    files: &dyn Files,
    out: &mut Vec<(String, Node)>,
    ctx: &mut Context,
) {
    if call.creates_no_function() {
        return;
    }
    let loc = call.loc();
    let a = addresses(&m.prefix, &call.name);
    let mut p: Vec<(&str, Node)> = Vec::new();
    let copy = |p: &mut Vec<(&str, Node)>, pairs: &[(&str, &'static str)]| {
        for (tf, cfn) in pairs {
            if let Some(v) = call.input(tf) {
                p.push((cfn, v.clone()));
            }
        }
    };
    copy(
        &mut p,
        &[
            ("function_name", "FunctionName"),
            ("handler", "Handler"),
            ("runtime", "Runtime"),
            ("layers", "Layers"),
            ("kms_key_arn", "KmsKeyArn"),
            ("tags", "Tags"),
            ("package_type", "PackageType"),
        ],
    );
    // The module's defaults are written out: a rule judging "no timeout" must see the
    // module's 3 seconds, not an absent value.
    p.push((
        "Timeout",
        call.input("timeout")
            .cloned()
            .unwrap_or_else(|| int(3, &loc)),
    ));
    p.push((
        "MemorySize",
        call.input("memory_size")
            .cloned()
            .unwrap_or_else(|| int(128, &loc)),
    ));
    if let Some(r) = call
        .input("reserved_concurrent_executions")
        .filter(|r| known_text(r).as_deref() != Some("-1"))
    {
        p.push(("ReservedConcurrentExecutions", r.clone()));
    }
    if let Some(vars) = call.input("environment_variables") {
        p.push((
            "Environment",
            map(vec![("Variables", vars.clone())], &vars.loc),
        ));
    }
    if let Some(mode) = call.input("tracing_mode") {
        p.push((
            "TracingConfig",
            map(vec![("Mode", mode.clone())], &mode.loc),
        ));
    }
    if let Some(dlq) = call.input("dead_letter_target_arn") {
        p.push((
            "DeadLetterConfig",
            map(vec![("TargetArn", dlq.clone())], &dlq.loc),
        ));
    }
    if let Some(subnets) = call.input("vpc_subnet_ids") {
        let mut vp = vec![("SubnetIds", subnets.clone())];
        if let Some(sg) = call.input("vpc_security_group_ids") {
            vp.push(("SecurityGroupIds", sg.clone()));
        }
        p.push(("VpcConfig", map(vp, &subnets.loc)));
    }
    let create_role = call.flag("create_role", true);
    if create_role {
        p.push(("Role", get_att(&a.role, "Arn", &loc)));
    } else if let Some(role) = call.input("lambda_role") {
        p.push(("Role", role.clone()));
    }
    record_code(call, m, files, &a.function, &loc, &mut p, ctx);
    out.push((
        a.function.clone(),
        resource("AWS::Lambda::Function", p, &loc),
    ));
    if create_role {
        out.push((a.role.clone(), role(call, &loc)));
    }
    let function_ref = || reference(&a.function, &loc);
    if call.flag("create_lambda_function_url", false) {
        let mut up = vec![
            ("TargetFunctionArn", function_ref()),
            (
                "AuthType",
                call.input("authorization_type")
                    .cloned()
                    .unwrap_or_else(|| text("NONE", &loc)),
            ),
        ];
        if let Some(cors) = call.input("cors") {
            let mut cp = Vec::new();
            for (tf, cfn) in [
                ("allow_origins", "AllowOrigins"),
                ("allow_credentials", "AllowCredentials"),
                ("allow_methods", "AllowMethods"),
                ("allow_headers", "AllowHeaders"),
            ] {
                if let Some(v) = cors.get(tf) {
                    cp.push((cfn, v.clone()));
                }
            }
            up.push(("Cors", map(cp, &cors.loc)));
        }
        out.push((a.url.clone(), resource("AWS::Lambda::Url", up, &loc)));
    }
    let prefix = format!("{}module.{}.", m.prefix, call.name);
    if let Some(triggers) = call.input("allowed_triggers") {
        for (k, t) in triggers.entries() {
            let principal = t.get("principal").cloned().or_else(|| {
                t.get("service")
                    .and_then(Node::as_str)
                    .map(|s| text(&format!("{s}.amazonaws.com"), &t.loc))
            });
            let Some(principal) = principal else { continue };
            let mut pp = vec![
                ("Action", text("lambda:InvokeFunction", &t.loc)),
                ("FunctionName", function_ref()),
                ("Principal", principal),
            ];
            if let Some(arn) = t.get("source_arn") {
                pp.push(("SourceArn", arn.clone()));
            }
            if let Some(account) = t.get("source_account") {
                pp.push(("SourceAccount", account.clone()));
            }
            out.push((
                format!("{prefix}aws_lambda_permission.triggers[\"{}\"]", k.name),
                resource("AWS::Lambda::Permission", pp, &t.loc),
            ));
        }
    }
    if let Some(mappings) = call.input("event_source_mapping") {
        for (k, e) in mappings.entries() {
            let Some(arn) = e.get("event_source_arn") else {
                continue;
            };
            let mut ep = vec![
                ("EventSourceArn", arn.clone()),
                ("FunctionName", function_ref()),
            ];
            for (tf, cfn) in [
                ("batch_size", "BatchSize"),
                ("starting_position", "StartingPosition"),
                ("enabled", "Enabled"),
                ("maximum_retry_attempts", "MaximumRetryAttempts"),
            ] {
                if let Some(v) = e.get(tf) {
                    ep.push((cfn, v.clone()));
                }
            }
            if let Some(dest) = e.get("destination_arn_on_failure") {
                ep.push((
                    "DestinationConfig",
                    map(
                        vec![(
                            "OnFailure",
                            map(vec![("Destination", dest.clone())], &e.loc),
                        )],
                        &e.loc,
                    ),
                ));
            }
            out.push((
                format!(
                    "{prefix}aws_lambda_event_source_mapping.this[\"{}\"]",
                    k.name
                ),
                resource("AWS::Lambda::EventSourceMapping", ep, &e.loc),
            ));
        }
    }
    if !call.flag("use_existing_cloudwatch_log_group", false) {
        let name = call
            .input("function_name")
            .and_then(known_text)
            .map_or_else(
                || text("/aws/lambda/<function>", &loc),
                |n| text(&format!("/aws/lambda/{n}"), &loc),
            );
        let mut lp = vec![("LogGroupName", name)];
        if let Some(days) = call.input("cloudwatch_logs_retention_in_days") {
            lp.push(("RetentionInDays", days.clone()));
        }
        if let Some(key) = call.input("cloudwatch_logs_kms_key_id") {
            lp.push(("KmsKeyId", key.clone()));
        }
        out.push((
            format!("{prefix}aws_cloudwatch_log_group.lambda"),
            resource("AWS::Logs::LogGroup", lp, &loc),
        ));
    }
}

/// Where the function's code is: `source_path` (a folder, or a file packaged at the root of
/// the archive; a list's first entry, string or `{ path = ... }`), a committed
/// `local_existing_package`, an `s3_existing_package` or an `image_uri`.
fn record_code(
    call: &Call,
    m: &Module,
    files: &dyn Files,
    address: &str,
    loc: &Loc,
    p: &mut Vec<(&str, Node)>,
    ctx: &mut Context,
) {
    let source_path = call.source_path();
    let create_package = call.flag("create_package", true);
    let package = call
        .input("local_existing_package")
        .filter(|_| !create_package);
    // What the module packages: `source_path`, or an existing package that is a folder or
    // file of the repository (another call's `local_filename`).
    let built_from = if create_package {
        source_path.as_ref()
    } else {
        package
    };
    if let Some(path) = built_from.and_then(known_text)
        && let Some(rel) = m.resolve(&path)
        && !crate::code::is_zip(&rel)
    {
        if files.has_dir(&rel) {
            ctx.code.insert(address.to_owned(), Code::Dir(Some(rel)));
            return;
        }
        if files.text(&rel).is_some() {
            ctx.code.insert(address.to_owned(), Code::File(rel));
            return;
        }
    }
    let image = call.input("image_uri");
    let from = package
        .cloned()
        .or_else(|| {
            call.input("s3_existing_package")
                .and_then(|s| s.get("key"))
                .cloned()
        })
        .or_else(|| image.cloned())
        .or(source_path)
        .unwrap_or_else(|| text("unknown", loc));
    p.push(("Code", map(vec![("S3Key", from.clone())], loc)));
    let source = match (package.and_then(|f| crate::code::local(&m.root, f)), image) {
        (Some(local @ crate::CodeSource::Archive { .. }), _) => local,
        (_, Some(image)) => crate::CodeSource::Image(image.clone()),
        _ => crate::CodeSource::Remote(from),
    };
    ctx.sources.insert(address.to_owned(), source);
    ctx.code.insert(address.to_owned(), Code::Dir(None));
}

/// The role the module creates: Lambda may assume it; it writes its logs, and it carries
/// the policies the inputs attach.
fn role(call: &Call, loc: &Loc) -> Node {
    let assume = from_json(
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole"
            }]
        }),
        loc,
    );
    let mut policies = Vec::new();
    let document = |statements: Vec<Node>, at: &Loc| {
        map(
            vec![
                ("Version", text("2012-10-17", at)),
                ("Statement", seq(statements, at)),
            ],
            at,
        )
    };
    let policy = |name: &str, doc: Node| {
        let at = doc.loc.clone();
        map(
            vec![("PolicyName", text(name, &at)), ("PolicyDocument", doc)],
            &at,
        )
    };
    if call.flag("attach_cloudwatch_logs_policy", true) {
        let group = call
            .input("function_name")
            .and_then(known_text)
            .unwrap_or_else(|| "*".to_owned());
        let st = from_json(
            &serde_json::json!({
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": format!("arn:aws:logs:*:*:log-group:/aws/lambda/{group}:*")
            }),
            loc,
        );
        policies.push(policy("logs", document(vec![st], loc)));
    }
    if call.flag("attach_dead_letter_policy", false)
        && let Some(target) = call.input("dead_letter_target_arn")
    {
        let st = map(
            vec![
                ("Effect", text("Allow", &target.loc)),
                (
                    "Action",
                    seq(
                        vec![
                            text("sns:Publish", &target.loc),
                            text("sqs:SendMessage", &target.loc),
                        ],
                        &target.loc,
                    ),
                ),
                ("Resource", target.clone()),
            ],
            &target.loc,
        );
        policies.push(policy("dead-letter", document(vec![st], &target.loc)));
    }
    if call.flag("attach_policy_statements", false)
        && let Some(statements) = call.input("policy_statements")
    {
        let list: Vec<Node> = match &statements.value {
            Value::Map(entries) => entries.iter().map(|(_, s)| statement(s)).collect(),
            Value::Seq(items) => items.iter().map(statement).collect(),
            _ => Vec::new(),
        };
        if !list.is_empty() {
            policies.push(policy("statements", document(list, &statements.loc)));
        }
    }
    let mut documents: Vec<Node> = Vec::new();
    if call.flag("attach_policy_json", false)
        && let Some(doc) = call.input("policy_json")
    {
        documents.push(doc.clone());
    }
    if call.flag("attach_policy_jsons", false)
        && let Some(docs) = call.input("policy_jsons")
    {
        documents.extend(docs.items().into_iter().cloned());
    }
    for doc in documents {
        let doc = match doc.as_str().map(serde_json::from_str::<serde_json::Value>) {
            Some(Ok(json)) => from_json(&json, &doc.loc),
            _ => doc,
        };
        policies.push(policy("json", doc));
    }
    let mut managed = Vec::new();
    if call.flag("attach_policies", false)
        && let Some(list) = call.input("policies")
    {
        managed.extend(list.items().into_iter().cloned());
    }
    if call.flag("attach_policy", false)
        && let Some(one) = call.input("policy")
    {
        managed.push(one.clone());
    }
    if call.flag("attach_network_policy", false) {
        managed.push(text(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
            loc,
        ));
    }
    if call.flag("attach_tracing_policy", false) {
        managed.push(text(
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            loc,
        ));
    }
    let mut props = vec![("AssumeRolePolicyDocument", assume)];
    if let Some(name) = call.input("role_name") {
        props.push(("RoleName", name.clone()));
    }
    if !policies.is_empty() {
        props.push(("Policies", seq(policies, loc)));
    }
    if !managed.is_empty() {
        props.push(("ManagedPolicyArns", seq(managed, loc)));
    }
    resource("AWS::IAM::Role", props, loc)
}

/// One entry of `policy_statements` (`{ effect, actions, not_actions, resources,
/// not_resources, condition = [{ test, variable, values }] }`) as an IAM statement.
fn statement(s: &Node) -> Node {
    let at = &s.loc;
    let mut out = vec![(
        "Effect",
        s.get("effect")
            .cloned()
            .unwrap_or_else(|| text("Allow", at)),
    )];
    for (tf, iam) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
        ("principals", "Principal"),
    ] {
        if let Some(v) = s.get(tf) {
            out.push((iam, v.clone()));
        }
    }
    if let Some(conditions) = s.get("condition") {
        let mut by_test: BTreeMap<String, Vec<(String, Node)>> = BTreeMap::new();
        let items: Vec<&Node> = match &conditions.value {
            Value::Map(entries) => entries.iter().map(|(_, c)| c).collect(),
            _ => conditions.items(),
        };
        for c in items {
            let (Some(test), Some(variable), Some(values)) = (
                c.get("test").and_then(Node::as_str),
                c.get("variable").and_then(Node::as_str),
                c.get("values"),
            ) else {
                continue;
            };
            by_test
                .entry(test.to_owned())
                .or_default()
                .push((variable.to_owned(), values.clone()));
        }
        if !by_test.is_empty() {
            let cond = Node::new(
                Value::Map(
                    by_test
                        .into_iter()
                        .map(|(test, vars)| {
                            let inner = Node::new(
                                Value::Map(
                                    vars.into_iter()
                                        .map(|(v, n)| {
                                            (
                                                crate::yaml::Key {
                                                    name: v,
                                                    loc: n.loc.clone(),
                                                },
                                                n,
                                            )
                                        })
                                        .collect(),
                                ),
                                conditions.loc.clone(),
                            );
                            (
                                crate::yaml::Key {
                                    name: test,
                                    loc: conditions.loc.clone(),
                                },
                                inner,
                            )
                        })
                        .collect(),
                ),
                conditions.loc.clone(),
            );
            out.push(("Condition", cond));
        }
    }
    map(out, at)
}

#[cfg(test)]
mod tests {
    use super::is_lambda_module;

    #[test]
    fn the_lambda_module_is_known_by_its_registry_and_git_sources() {
        for s in [
            "terraform-aws-modules/lambda/aws",
            "registry.terraform.io/terraform-aws-modules/lambda/aws",
            "git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.2.1",
            "github.com/terraform-aws-modules/terraform-aws-lambda",
            "git@github.com:terraform-aws-modules/terraform-aws-lambda.git",
        ] {
            assert!(is_lambda_module(s), "{s}");
        }
        for s in [
            "terraform-aws-modules/lambda/aws//modules/alias",
            "terraform-aws-modules/s3-bucket/aws",
            "github.com/terraform-aws-modules/terraform-aws-lambda-extra",
            "git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git//modules/deploy",
            "./lambda",
        ] {
            assert!(!is_lambda_module(s), "{s}");
        }
    }
}
