//! Terraform AWS resources as the CloudFormation resources they correspond to.
//!
//! Split resources that configure another one (a bucket's public access block, encryption,
//! policy, notifications; a role's policy attachments; a rule's targets; a method's
//! integration) are folded into the resource they configure, as CloudFormation writes them.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::Block;

use super::eval::{self, Eval, Files, Located, Module, known_text, loc_of, map, node};
use perimeter_diagnostics::Loc;

use crate::yaml::{Node, Value};

type Props = Vec<(&'static str, Node)>;

fn nested(b: &Located<Block>, ident: &str) -> Vec<Located<Block>> {
    b.item
        .body
        .get_blocks(ident)
        .map(|x| Located {
            file: Arc::clone(&b.file),
            item: x.clone(),
        })
        .collect()
}

/// Attributes copied under their CloudFormation names.
fn copy(ev: &mut Eval<'_>, b: &Located<Block>, pairs: &[(&str, &'static str)], out: &mut Props) {
    for (tf, cfn) in pairs {
        if let Some(v) = ev.attr(b, tf) {
            out.push((cfn, v));
        }
    }
}

/// The first logical id of this type that a value references.
fn referenced(v: &Node, prefix: &str, ty: &str) -> Option<String> {
    v.referenced_ids().into_iter().find(|id| {
        id.strip_prefix(prefix)
            .is_some_and(|r| r.starts_with(&format!("{ty}.")))
    })
}

fn seq(items: Vec<Node>, loc: &Loc) -> Node {
    node(Value::Seq(items), loc)
}

fn text(s: &str, loc: &Loc) -> Node {
    node(Value::Str(s.to_owned()), loc)
}

/// What split resources add to the resource they configure.
#[derive(Default)]
struct Folded {
    /// Properties added to a resource, by address.
    props: BTreeMap<String, Props>,
    /// Managed policy ARNs attached to a role.
    managed: BTreeMap<String, Vec<Node>>,
    /// Roles a customer managed policy is attached to.
    policy_roles: BTreeMap<String, Vec<Node>>,
    /// Notification configurations of a bucket, by kind.
    notifications: BTreeMap<String, Vec<(&'static str, Node)>>,
    /// Targets of an EventBridge rule.
    targets: BTreeMap<String, Vec<Node>>,
    /// Integrations of API Gateway v1 methods: (api, resource, method) -> integration.
    integrations: Vec<(Option<String>, String, String, Node)>,
}

fn gather(ev: &mut Eval<'_>, m: &Module, f: &mut Folded) {
    let prefix = m.prefix.clone();
    for (key, b) in &m.resources {
        let ty = key.split('.').next().unwrap_or("");
        let loc = loc_of(&b.file, b.item.span());
        match ty {
            "aws_s3_bucket_public_access_block"
            | "aws_s3_bucket_server_side_encryption_configuration"
            | "aws_s3_bucket_acl"
            | "aws_s3_bucket_versioning"
            | "aws_s3_bucket_logging"
            | "aws_s3_bucket_notification"
            | "aws_s3_bucket_website_configuration"
            | "aws_s3_bucket_ownership_controls" => {
                let Some(target) = ev
                    .attr(b, "bucket")
                    .and_then(|v| referenced(&v, &prefix, "aws_s3_bucket"))
                else {
                    continue;
                };
                let added = bucket_part(ev, ty, b, &loc);
                if ty == "aws_s3_bucket_notification" {
                    f.notifications.entry(target).or_default().extend(added);
                } else {
                    f.props.entry(target).or_default().extend(added);
                }
            }
            // `recursive_loop = "Allow"`: the function's `RecursiveLoop`.
            "aws_lambda_function_recursion_config" => {
                let Some(target) = ev
                    .attr(b, "function_name")
                    .and_then(|v| referenced(&v, &prefix, "aws_lambda_function"))
                else {
                    continue;
                };
                if let Some(v) = ev.attr(b, "recursive_loop") {
                    f.props
                        .entry(target)
                        .or_default()
                        .push(("RecursiveLoop", v));
                }
            }
            "aws_iam_role_policy_attachment" => {
                let (Some(role), Some(arn)) = (ev.attr(b, "role"), ev.attr(b, "policy_arn")) else {
                    continue;
                };
                attach(&prefix, &role, arn, f);
            }
            "aws_iam_policy_attachment" => {
                let Some(arn) = ev.attr(b, "policy_arn") else {
                    continue;
                };
                for role in ev
                    .attr(b, "roles")
                    .map(|r| r.items().into_iter().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    attach(&prefix, &role, arn.clone(), f);
                }
            }
            "aws_cloudwatch_event_target" => {
                let Some(rule) = ev
                    .attr(b, "rule")
                    .and_then(|v| referenced(&v, &prefix, "aws_cloudwatch_event_rule"))
                else {
                    continue;
                };
                let mut t: Props = Vec::new();
                copy(
                    ev,
                    b,
                    &[("arn", "Arn"), ("target_id", "Id"), ("input", "Input")],
                    &mut t,
                );
                f.targets.entry(rule).or_default().push(map(t, &loc));
            }
            "aws_api_gateway_integration" => {
                let api = ev
                    .attr(b, "rest_api_id")
                    .and_then(|v| referenced(&v, &prefix, "aws_api_gateway_rest_api"));
                let resource = ev
                    .attr(b, "resource_id")
                    .map(|v| v.display())
                    .unwrap_or_default();
                // `http_method = aws_api_gateway_method.list.http_method`: that method's,
                // whatever the other arguments say.
                let linked = ["http_method", "resource_id"].iter().find_map(|k| {
                    eval::attr_expr(&b.item.body, k)
                        .and_then(method_reference)
                        .filter(|n| {
                            m.resources
                                .contains_key(&format!("aws_api_gateway_method.{n}"))
                        })
                        .map(|n| format!("{prefix}aws_api_gateway_method.{n}"))
                });
                let method = match linked {
                    Some(a) => format!("@{a}"),
                    None => ev
                        .attr(b, "http_method")
                        .map(|v| verb(&v))
                        .unwrap_or_default(),
                };
                let mut t: Props = Vec::new();
                copy(
                    ev,
                    b,
                    &[
                        ("type", "Type"),
                        ("uri", "Uri"),
                        ("integration_http_method", "IntegrationHttpMethod"),
                        ("request_parameters", "RequestParameters"),
                        ("request_templates", "RequestTemplates"),
                    ],
                    &mut t,
                );
                f.integrations.push((api, resource, method, map(t, &loc)));
            }
            _ => {}
        }
    }
}

/// An HTTP verb as written, upper case; what is not known by its expression.
fn verb(v: &Node) -> String {
    known_text(v).map_or_else(|| v.display(), |t| t.to_ascii_uppercase())
}

/// The name of the method an expression reads an argument of
/// (`aws_api_gateway_method.get.http_method`, `"${aws_api_gateway_method.get.resource_id}"`).
fn method_reference(e: &hcl_edit::expr::Expression) -> Option<String> {
    use hcl_edit::expr::{Expression, TraversalOperator};
    use hcl_edit::template::Element;
    let e = match e {
        Expression::StringTemplate(t) => {
            let mut it = t.iter();
            match (it.next(), it.next()) {
                (Some(Element::Interpolation(i)), None) => &i.expr,
                _ => return None,
            }
        }
        other => other,
    };
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    if root.as_str() != "aws_api_gateway_method" {
        return None;
    }
    match t.operators.first().map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.as_str().to_owned()),
        _ => None,
    }
}

fn attach(prefix: &str, role: &Node, arn: Node, f: &mut Folded) {
    let Some(role_id) = referenced(role, prefix, "aws_iam_role") else {
        return;
    };
    match referenced(&arn, prefix, "aws_iam_policy") {
        Some(policy) => f
            .policy_roles
            .entry(policy)
            .or_default()
            .push(eval::reference(&role_id, &role.loc)),
        None => f.managed.entry(role_id).or_default().push(arn),
    }
}

/// `public-read` -> `PublicRead` (CloudFormation's canned ACL names).
fn canned_acl(v: Node) -> Node {
    match known_text(&v) {
        Some(s) => node(
            Value::Str(
                s.split('-')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect(),
            ),
            &v.loc,
        ),
        None => v,
    }
}

fn bucket_part(ev: &mut Eval<'_>, ty: &str, b: &Located<Block>, loc: &Loc) -> Props {
    let mut out: Props = Vec::new();
    match ty {
        "aws_s3_bucket_public_access_block" => {
            let mut p: Props = Vec::new();
            copy(
                ev,
                b,
                &[
                    ("block_public_acls", "BlockPublicAcls"),
                    ("block_public_policy", "BlockPublicPolicy"),
                    ("ignore_public_acls", "IgnorePublicAcls"),
                    ("restrict_public_buckets", "RestrictPublicBuckets"),
                ],
                &mut p,
            );
            out.push(("PublicAccessBlockConfiguration", map(p, loc)));
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            out.push(("BucketEncryption", encryption(ev, b, loc)));
        }
        "aws_s3_bucket_acl" => {
            if let Some(acl) = ev.attr(b, "acl") {
                out.push(("AccessControl", canned_acl(acl)));
            }
        }
        "aws_s3_bucket_website_configuration" => {
            out.push(("WebsiteConfiguration", website(ev, b, loc)));
        }
        "aws_s3_bucket_versioning" => {
            if let Some(c) = nested(b, "versioning_configuration").first() {
                let mut p: Props = Vec::new();
                copy(ev, c, &[("status", "Status")], &mut p);
                out.push(("VersioningConfiguration", map(p, loc)));
            }
        }
        "aws_s3_bucket_logging" => {
            let mut p: Props = Vec::new();
            copy(
                ev,
                b,
                &[
                    ("target_bucket", "DestinationBucketName"),
                    ("target_prefix", "LogFilePrefix"),
                ],
                &mut p,
            );
            out.push(("LoggingConfiguration", map(p, loc)));
        }
        "aws_s3_bucket_notification" => {
            for (block, kind, target) in [
                (
                    "lambda_function",
                    "LambdaConfigurations",
                    "lambda_function_arn",
                ),
                ("queue", "QueueConfigurations", "queue_arn"),
                ("topic", "TopicConfigurations", "topic_arn"),
            ] {
                for n in nested(b, block) {
                    let nloc = loc_of(&n.file, n.item.span());
                    let cfn_target = match kind {
                        "LambdaConfigurations" => "Function",
                        "QueueConfigurations" => "Queue",
                        _ => "Topic",
                    };
                    let target = ev.attr(&n, target);
                    let events = ev
                        .attr(&n, "events")
                        .map(|e| e.items().into_iter().cloned().collect::<Vec<_>>())
                        .unwrap_or_default();
                    let mut rules = Vec::new();
                    for (tf, name) in [("filter_prefix", "prefix"), ("filter_suffix", "suffix")] {
                        if let Some(v) = ev.attr(&n, tf) {
                            rules
                                .push(map(vec![("Name", text(name, &v.loc)), ("Value", v)], &nloc));
                        }
                    }
                    // One configuration per event, as CloudFormation writes them.
                    for e in events {
                        let mut c: Props = vec![("Event", e)];
                        if let Some(t) = &target {
                            c.push((cfn_target, t.clone()));
                        }
                        if !rules.is_empty() {
                            c.push((
                                "Filter",
                                map(
                                    vec![(
                                        "S3Key",
                                        map(vec![("Rules", seq(rules.clone(), &nloc))], &nloc),
                                    )],
                                    &nloc,
                                ),
                            ));
                        }
                        out.push((kind, map(c, &nloc)));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// A bucket's website (`index_document`, `error_document`, `redirect_all_requests_to`), as
/// CloudFormation's `WebsiteConfiguration`.
fn website(ev: &mut Eval<'_>, b: &Located<Block>, loc: &Loc) -> Node {
    let mut p: Props = Vec::new();
    copy(
        ev,
        b,
        &[
            ("index_document", "IndexDocument"),
            ("error_document", "ErrorDocument"),
        ],
        &mut p,
    );
    for (block, attr, key) in [
        ("index_document", "suffix", "IndexDocument"),
        ("error_document", "key", "ErrorDocument"),
        (
            "redirect_all_requests_to",
            "host_name",
            "RedirectAllRequestsTo",
        ),
    ] {
        if let Some(x) = nested(b, block).first()
            && let Some(v) = ev.attr(x, attr)
        {
            p.push((key, v));
        }
    }
    map(p, loc)
}

fn encryption(ev: &mut Eval<'_>, b: &Located<Block>, loc: &Loc) -> Node {
    let mut rules = Vec::new();
    for r in nested(b, "rule") {
        for d in nested(&r, "apply_server_side_encryption_by_default") {
            let mut p: Props = Vec::new();
            copy(
                ev,
                &d,
                &[
                    ("sse_algorithm", "SSEAlgorithm"),
                    ("kms_master_key_id", "KMSMasterKeyID"),
                ],
                &mut p,
            );
            let dloc = loc_of(&d.file, d.item.span());
            rules.push(map(
                vec![("ServerSideEncryptionByDefault", map(p, &dloc))],
                &dloc,
            ));
        }
    }
    map(
        vec![("ServerSideEncryptionConfiguration", seq(rules, loc))],
        loc,
    )
}

/// What translating a configuration needs across modules, and what it finds.
#[derive(Default)]
pub(crate) struct Context {
    /// Every archive of the configuration.
    pub archives: Vec<Archive>,
    /// The code of each function, by address.
    pub code: BTreeMap<String, Code>,
    /// Where the code of a function comes from when it is not a folder or file of the tree
    /// (inline, a committed archive, an image, a remote package), by address.
    pub sources: BTreeMap<String, crate::CodeSource>,
}

/// The CloudFormation form of every resource of a module and of its local modules; the
/// code of each function (`None` when its package is not built from the tree).
pub(crate) fn module_resources(
    m: &Module,
    files: &dyn Files,
    out: &mut Vec<(String, Node)>,
    ctx: &mut Context,
) {
    let mut ev = Eval::new(m, files);
    let mut folded = Folded::default();
    gather(&mut ev, m, &mut folded);
    for (key, b) in &m.resources {
        let address = format!("{}{key}", m.prefix);
        let ty = key.split('.').next().unwrap_or("");
        let loc = loc_of(&b.file, b.item.span());
        let Some((cfn_type, mut props)) =
            resource(&mut ev, m, ty, &address, b, &loc, &mut folded, ctx)
        else {
            continue;
        };
        props.extend(folded.props.remove(&address).unwrap_or_default());
        if let Some(n) = folded.notifications.remove(&address) {
            let mut by_kind: BTreeMap<&str, Vec<Node>> = BTreeMap::new();
            for (k, v) in n {
                by_kind.entry(k).or_default().push(v);
            }
            let entries: Props = by_kind
                .into_iter()
                .map(|(k, v)| {
                    let name: &'static str = match k {
                        "LambdaConfigurations" => "LambdaConfigurations",
                        "QueueConfigurations" => "QueueConfigurations",
                        _ => "TopicConfigurations",
                    };
                    (name, seq(v, &loc))
                })
                .collect();
            props.push(("NotificationConfiguration", map(entries, &loc)));
        }
        let mut entry: Vec<(&str, Node)> = vec![("Type", text(&cfn_type, &loc))];
        entry.push(("Properties", map(props, &loc)));
        out.push((address, map(entry, &loc)));
    }
    for call in &m.known {
        super::known::lambda_resources(call, m, files, out, ctx);
    }
    for child in m.children.values() {
        module_resources(child, files, out, ctx);
    }
}

#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn resource(
    ev: &mut Eval<'_>,
    m: &Module,
    ty: &str,
    address: &str,
    b: &Located<Block>,
    loc: &Loc,
    folded: &mut Folded,
    ctx: &mut Context,
) -> Option<(String, Props)> {
    let mut p: Props = Vec::new();
    let cfn = match ty {
        "aws_lambda_function" => {
            copy(
                ev,
                b,
                &[
                    ("function_name", "FunctionName"),
                    ("handler", "Handler"),
                    ("runtime", "Runtime"),
                    ("timeout", "Timeout"),
                    ("memory_size", "MemorySize"),
                    (
                        "reserved_concurrent_executions",
                        "ReservedConcurrentExecutions",
                    ),
                    ("role", "Role"),
                    ("layers", "Layers"),
                    ("kms_key_arn", "KmsKeyArn"),
                    ("tags", "Tags"),
                    ("package_type", "PackageType"),
                ],
                &mut p,
            );
            if let Some(e) = nested(b, "environment").first()
                && let Some(vars) = ev.attr(e, "variables")
            {
                p.push((
                    "Environment",
                    map(vec![("Variables", vars)], &loc_of(&e.file, e.item.span())),
                ));
            }
            for (block, key, attr, inner) in [
                ("tracing_config", "TracingConfig", "mode", "Mode"),
                (
                    "dead_letter_config",
                    "DeadLetterConfig",
                    "target_arn",
                    "TargetArn",
                ),
                ("logging_config", "LoggingConfig", "log_group", "LogGroup"),
            ] {
                if let Some(x) = nested(b, block).first()
                    && let Some(v) = ev.attr(x, attr)
                {
                    p.push((key, map(vec![(inner, v)], &loc_of(&x.file, x.item.span()))));
                }
            }
            if let Some(v) = nested(b, "vpc_config").first() {
                let mut vp: Props = Vec::new();
                copy(
                    ev,
                    v,
                    &[
                        ("subnet_ids", "SubnetIds"),
                        ("security_group_ids", "SecurityGroupIds"),
                    ],
                    &mut vp,
                );
                p.push(("VpcConfig", map(vp, &loc_of(&v.file, v.item.span()))));
            }
            let code = code(ev, m, b, &ctx.archives);
            if matches!(code, Code::Inline) {
                // Code written in the configuration, as CloudFormation's `ZipFile`.
                p.push(("Code", map(vec![("ZipFile", text("inline", loc))], loc)));
                ctx.code.insert(address.to_owned(), Code::Dir(None));
                ctx.sources.insert(
                    address.to_owned(),
                    crate::CodeSource::Generated(text("inline", loc)),
                );
            } else if let Code::File(_) = code {
                ctx.code.insert(address.to_owned(), code);
            } else if let Code::Dir(dir) = code {
                if dir.is_none() {
                    // A package built elsewhere (a pipeline's zip, an S3 key, an image): say
                    // where it comes from, as CloudFormation's `Code` would. A `.zip` of the
                    // repository (relative to the root module, as Terraform reads it) is read
                    // as an archive.
                    let filename = ev.attr(b, "filename");
                    let image = ev.attr(b, "image_uri");
                    let from = filename
                        .clone()
                        .or_else(|| ev.attr(b, "s3_key"))
                        .or_else(|| image.clone())
                        .unwrap_or_else(|| text("unknown", loc));
                    p.push(("Code", map(vec![("S3Key", from.clone())], loc)));
                    let source = match (
                        filename
                            .as_ref()
                            .and_then(|f| crate::code::local(&m.root, f)),
                        image,
                    ) {
                        (Some(local @ crate::CodeSource::Archive { .. }), _) => local,
                        (_, Some(image)) => crate::CodeSource::Image(image),
                        _ => crate::CodeSource::Remote(from),
                    };
                    ctx.sources.insert(address.to_owned(), source);
                }
                ctx.code.insert(address.to_owned(), Code::Dir(dir));
            }
            "AWS::Lambda::Function"
        }
        "aws_lambda_function_event_invoke_config" => {
            copy(
                ev,
                b,
                &[
                    ("function_name", "FunctionName"),
                    ("maximum_retry_attempts", "MaximumRetryAttempts"),
                    ("maximum_event_age_in_seconds", "MaximumEventAgeInSeconds"),
                ],
                &mut p,
            );
            if let Some(d) = nested(b, "destination_config").first() {
                let mut dp: Props = Vec::new();
                for (block, key) in [("on_failure", "OnFailure"), ("on_success", "OnSuccess")] {
                    if let Some(x) = nested(d, block).first()
                        && let Some(v) = ev.attr(x, "destination")
                    {
                        let xl = loc_of(&x.file, x.item.span());
                        dp.push((key, map(vec![("Destination", v)], &xl)));
                    }
                }
                p.push((
                    "DestinationConfig",
                    map(dp, &loc_of(&d.file, d.item.span())),
                ));
            }
            "AWS::Lambda::EventInvokeConfig"
        }
        "aws_cognito_user_pool" => {
            copy(ev, b, &[("name", "UserPoolName")], &mut p);
            let mut schema = Vec::new();
            for s in nested(b, "schema") {
                let mut sp: Props = Vec::new();
                copy(
                    ev,
                    &s,
                    &[
                        ("name", "Name"),
                        ("attribute_data_type", "AttributeDataType"),
                        ("mutable", "Mutable"),
                    ],
                    &mut sp,
                );
                schema.push(map(sp, &loc_of(&s.file, s.item.span())));
            }
            if !schema.is_empty() {
                p.push(("Schema", seq(schema, loc)));
            }
            "AWS::Cognito::UserPool"
        }
        "aws_cognito_user_pool_client" => {
            copy(
                ev,
                b,
                &[
                    ("user_pool_id", "UserPoolId"),
                    ("write_attributes", "WriteAttributes"),
                    ("read_attributes", "ReadAttributes"),
                    ("name", "ClientName"),
                ],
                &mut p,
            );
            "AWS::Cognito::UserPoolClient"
        }
        "aws_lambda_permission" => {
            copy(
                ev,
                b,
                &[
                    ("action", "Action"),
                    ("function_name", "FunctionName"),
                    ("principal", "Principal"),
                    ("source_arn", "SourceArn"),
                    ("source_account", "SourceAccount"),
                    ("function_url_auth_type", "FunctionUrlAuthType"),
                ],
                &mut p,
            );
            "AWS::Lambda::Permission"
        }
        "aws_lambda_function_url" => {
            copy(
                ev,
                b,
                &[
                    ("function_name", "TargetFunctionArn"),
                    ("authorization_type", "AuthType"),
                ],
                &mut p,
            );
            if let Some(c) = nested(b, "cors").first() {
                let mut cp: Props = Vec::new();
                copy(
                    ev,
                    c,
                    &[
                        ("allow_origins", "AllowOrigins"),
                        ("allow_credentials", "AllowCredentials"),
                        ("allow_methods", "AllowMethods"),
                        ("allow_headers", "AllowHeaders"),
                    ],
                    &mut cp,
                );
                p.push(("Cors", map(cp, &loc_of(&c.file, c.item.span()))));
            }
            "AWS::Lambda::Url"
        }
        "aws_lambda_event_source_mapping" => {
            copy(
                ev,
                b,
                &[
                    ("event_source_arn", "EventSourceArn"),
                    ("function_name", "FunctionName"),
                    ("batch_size", "BatchSize"),
                    ("starting_position", "StartingPosition"),
                    ("enabled", "Enabled"),
                    ("maximum_retry_attempts", "MaximumRetryAttempts"),
                ],
                &mut p,
            );
            if let Some(d) = nested(b, "destination_config").first()
                && let Some(of) = nested(d, "on_failure").first()
                && let Some(dest) = ev.attr(of, "destination_arn")
            {
                let dl = loc_of(&d.file, d.item.span());
                p.push((
                    "DestinationConfig",
                    map(
                        vec![("OnFailure", map(vec![("Destination", dest)], &dl))],
                        &dl,
                    ),
                ));
            }
            if let Some(sc) = nested(b, "scaling_config").first() {
                let mut sp: Props = Vec::new();
                copy(
                    ev,
                    sc,
                    &[("maximum_concurrency", "MaximumConcurrency")],
                    &mut sp,
                );
                p.push(("ScalingConfig", map(sp, &loc_of(&sc.file, sc.item.span()))));
            }
            if let Some(fc) = nested(b, "filter_criteria").first() {
                let filters: Vec<Node> = nested(fc, "filter")
                    .iter()
                    .filter_map(|x| {
                        ev.attr(x, "pattern")
                            .map(|pt| map(vec![("Pattern", pt)], &loc_of(&x.file, x.item.span())))
                    })
                    .collect();
                let fl = loc_of(&fc.file, fc.item.span());
                p.push((
                    "FilterCriteria",
                    map(vec![("Filters", seq(filters, &fl))], &fl),
                ));
            }
            "AWS::Lambda::EventSourceMapping"
        }
        "aws_iam_role" => {
            copy(
                ev,
                b,
                &[
                    ("assume_role_policy", "AssumeRolePolicyDocument"),
                    ("name", "RoleName"),
                ],
                &mut p,
            );
            let mut policies = Vec::new();
            for ip in nested(b, "inline_policy") {
                let il = loc_of(&ip.file, ip.item.span());
                let mut pp: Props = Vec::new();
                copy(
                    ev,
                    &ip,
                    &[("name", "PolicyName"), ("policy", "PolicyDocument")],
                    &mut pp,
                );
                policies.push(map(pp, &il));
            }
            if !policies.is_empty() {
                p.push(("Policies", seq(policies, loc)));
            }
            let mut managed: Vec<Node> = ev
                .attr(b, "managed_policy_arns")
                .map(|v| v.items().into_iter().cloned().collect())
                .unwrap_or_default();
            managed.extend(folded.managed.remove(address).unwrap_or_default());
            if !managed.is_empty() {
                p.push(("ManagedPolicyArns", seq(managed, loc)));
            }
            "AWS::IAM::Role"
        }
        "aws_iam_role_policy" => {
            copy(
                ev,
                b,
                &[("name", "PolicyName"), ("policy", "PolicyDocument")],
                &mut p,
            );
            if let Some(r) = ev.attr(b, "role") {
                p.push(("Roles", seq(vec![r], loc)));
            }
            "AWS::IAM::Policy"
        }
        "aws_iam_policy" => {
            copy(
                ev,
                b,
                &[("name", "ManagedPolicyName"), ("policy", "PolicyDocument")],
                &mut p,
            );
            if let Some(roles) = folded.policy_roles.remove(address) {
                p.push(("Roles", seq(roles, loc)));
            }
            "AWS::IAM::ManagedPolicy"
        }
        "aws_sqs_queue" => {
            copy(
                ev,
                b,
                &[
                    ("name", "QueueName"),
                    ("kms_master_key_id", "KmsMasterKeyId"),
                    ("sqs_managed_sse_enabled", "SqsManagedSseEnabled"),
                    ("redrive_policy", "RedrivePolicy"),
                    ("visibility_timeout_seconds", "VisibilityTimeout"),
                    ("fifo_queue", "FifoQueue"),
                ],
                &mut p,
            );
            "AWS::SQS::Queue"
        }
        "aws_sqs_queue_policy" => {
            copy(ev, b, &[("policy", "PolicyDocument")], &mut p);
            if let Some(q) = ev.attr(b, "queue_url") {
                p.push(("Queues", seq(vec![q], loc)));
            }
            "AWS::SQS::QueuePolicy"
        }
        "aws_sns_topic" => {
            copy(
                ev,
                b,
                &[
                    ("name", "TopicName"),
                    ("kms_master_key_id", "KmsMasterKeyId"),
                ],
                &mut p,
            );
            "AWS::SNS::Topic"
        }
        "aws_sns_topic_subscription" => {
            copy(
                ev,
                b,
                &[
                    ("topic_arn", "TopicArn"),
                    ("protocol", "Protocol"),
                    ("endpoint", "Endpoint"),
                    ("filter_policy", "FilterPolicy"),
                    ("raw_message_delivery", "RawMessageDelivery"),
                ],
                &mut p,
            );
            "AWS::SNS::Subscription"
        }
        "aws_sns_topic_policy" => {
            copy(ev, b, &[("policy", "PolicyDocument")], &mut p);
            if let Some(t) = ev.attr(b, "arn") {
                p.push(("Topics", seq(vec![t], loc)));
            }
            "AWS::SNS::TopicPolicy"
        }
        "aws_dynamodb_table" => {
            copy(ev, b, &[("name", "TableName")], &mut p);
            let enabled = ev
                .attr(b, "stream_enabled")
                .is_some_and(|v| matches!(v.value, Value::Bool(true)));
            if enabled {
                let view = ev
                    .attr(b, "stream_view_type")
                    .unwrap_or_else(|| text("NEW_AND_OLD_IMAGES", loc));
                p.push((
                    "StreamSpecification",
                    map(vec![("StreamViewType", view)], loc),
                ));
            }
            if let Some(s) = nested(b, "server_side_encryption").first() {
                let mut sp: Props = Vec::new();
                copy(
                    ev,
                    s,
                    &[("enabled", "SSEEnabled"), ("kms_key_arn", "KMSMasterKeyId")],
                    &mut sp,
                );
                p.push(("SSESpecification", map(sp, &loc_of(&s.file, s.item.span()))));
            }
            if let Some(s) = nested(b, "point_in_time_recovery").first() {
                let mut sp: Props = Vec::new();
                copy(ev, s, &[("enabled", "PointInTimeRecoveryEnabled")], &mut sp);
                p.push((
                    "PointInTimeRecoverySpecification",
                    map(sp, &loc_of(&s.file, s.item.span())),
                ));
            }
            "AWS::DynamoDB::Table"
        }
        "aws_kinesis_stream" => {
            copy(
                ev,
                b,
                &[("name", "Name"), ("shard_count", "ShardCount")],
                &mut p,
            );
            if let Some(t) = ev.attr(b, "encryption_type") {
                let mut sp: Props = vec![("EncryptionType", t)];
                copy(ev, b, &[("kms_key_id", "KeyId")], &mut sp);
                p.push(("StreamEncryption", map(sp, loc)));
            }
            "AWS::Kinesis::Stream"
        }
        "aws_s3_bucket" => {
            copy(ev, b, &[("bucket", "BucketName")], &mut p);
            // The provider's older inline `website { index_document = ... }` block.
            if let Some(w) = nested(b, "website").first() {
                p.push((
                    "WebsiteConfiguration",
                    website(ev, w, &loc_of(&w.file, w.item.span())),
                ));
            }
            if let Some(acl) = ev.attr(b, "acl") {
                p.push(("AccessControl", canned_acl(acl)));
            }
            if let Some(sse) = nested(b, "server_side_encryption_configuration").first() {
                p.push(("BucketEncryption", encryption(ev, sse, loc)));
            }
            "AWS::S3::Bucket"
        }
        "aws_s3_bucket_policy" => {
            copy(
                ev,
                b,
                &[("bucket", "Bucket"), ("policy", "PolicyDocument")],
                &mut p,
            );
            "AWS::S3::BucketPolicy"
        }
        "aws_cloudwatch_log_group" => {
            copy(
                ev,
                b,
                &[
                    ("name", "LogGroupName"),
                    ("retention_in_days", "RetentionInDays"),
                    ("kms_key_id", "KmsKeyId"),
                ],
                &mut p,
            );
            "AWS::Logs::LogGroup"
        }
        "aws_cloudwatch_event_rule" => {
            copy(
                ev,
                b,
                &[
                    ("event_pattern", "EventPattern"),
                    ("schedule_expression", "ScheduleExpression"),
                    ("event_bus_name", "EventBusName"),
                    ("name", "Name"),
                ],
                &mut p,
            );
            if let Some(t) = folded.targets.remove(address) {
                p.push(("Targets", seq(t, loc)));
            }
            "AWS::Events::Rule"
        }
        "aws_cloudwatch_event_bus" => {
            copy(ev, b, &[("name", "Name")], &mut p);
            "AWS::Events::EventBus"
        }
        "aws_sfn_state_machine" => {
            copy(
                ev,
                b,
                &[("name", "StateMachineName"), ("role_arn", "RoleArn")],
                &mut p,
            );
            if let Some(d) = ev.attr(b, "definition") {
                let key = if matches!(d.value, Value::Map(_)) || d.intrinsic().is_some() {
                    "Definition"
                } else {
                    "DefinitionString"
                };
                p.push((key, d));
            }
            "AWS::StepFunctions::StateMachine"
        }
        "aws_kms_key" => {
            copy(
                ev,
                b,
                &[
                    ("enable_key_rotation", "EnableKeyRotation"),
                    ("policy", "KeyPolicy"),
                ],
                &mut p,
            );
            "AWS::KMS::Key"
        }
        "aws_secretsmanager_secret" => {
            copy(
                ev,
                b,
                &[("name", "Name"), ("kms_key_id", "KmsKeyId")],
                &mut p,
            );
            "AWS::SecretsManager::Secret"
        }
        "aws_api_gateway_rest_api" => {
            copy(ev, b, &[("name", "Name"), ("policy", "Policy")], &mut p);
            "AWS::ApiGateway::RestApi"
        }
        "aws_api_gateway_resource" => {
            copy(
                ev,
                b,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("parent_id", "ParentId"),
                    ("path_part", "PathPart"),
                ],
                &mut p,
            );
            "AWS::ApiGateway::Resource"
        }
        "aws_api_gateway_method" => {
            copy(
                ev,
                b,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("resource_id", "ResourceId"),
                    ("http_method", "HttpMethod"),
                    ("authorization", "AuthorizationType"),
                    ("authorizer_id", "AuthorizerId"),
                    ("api_key_required", "ApiKeyRequired"),
                ],
                &mut p,
            );
            let api = ev
                .attr(b, "rest_api_id")
                .and_then(|v| referenced(&v, &m.prefix, "aws_api_gateway_rest_api"));
            let resource = ev
                .attr(b, "resource_id")
                .map(|v| v.display())
                .unwrap_or_default();
            let method = ev
                .attr(b, "http_method")
                .map(|v| verb(&v))
                .unwrap_or_default();
            let by_ref = format!("@{address}");
            // An integration that names this method is its own; one that does not is matched
            // by API, resource and verb.
            let position = folded
                .integrations
                .iter()
                .position(|(.., mm, _)| *mm == by_ref)
                .or_else(|| {
                    folded.integrations.iter().position(|(a, r, mm, _)| {
                        *a == api && *r == resource && *mm == method && !method.is_empty()
                    })
                });
            if let Some(i) = position {
                let (.., integration) = folded.integrations.remove(i);
                p.push(("Integration", integration));
            }
            "AWS::ApiGateway::Method"
        }
        "aws_api_gateway_authorizer" => {
            copy(
                ev,
                b,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("type", "Type"),
                    ("authorizer_uri", "AuthorizerUri"),
                    ("name", "Name"),
                ],
                &mut p,
            );
            "AWS::ApiGateway::Authorizer"
        }
        "aws_api_gateway_stage" => {
            copy(
                ev,
                b,
                &[
                    ("rest_api_id", "RestApiId"),
                    ("stage_name", "StageName"),
                    ("xray_tracing_enabled", "TracingEnabled"),
                ],
                &mut p,
            );
            if let Some(a) = nested(b, "access_log_settings").first() {
                let mut ap: Props = Vec::new();
                copy(
                    ev,
                    a,
                    &[("destination_arn", "DestinationArn"), ("format", "Format")],
                    &mut ap,
                );
                p.push(("AccessLogSetting", map(ap, &loc_of(&a.file, a.item.span()))));
            }
            "AWS::ApiGateway::Stage"
        }
        "aws_api_gateway_usage_plan" => {
            let mut stages = Vec::new();
            for s in nested(b, "api_stages") {
                let mut sp: Props = Vec::new();
                copy(ev, &s, &[("api_id", "ApiId"), ("stage", "Stage")], &mut sp);
                stages.push(map(sp, &loc_of(&s.file, s.item.span())));
            }
            p.push(("ApiStages", seq(stages, loc)));
            if let Some(t) = nested(b, "throttle_settings").first() {
                let mut tp: Props = Vec::new();
                copy(
                    ev,
                    t,
                    &[("burst_limit", "BurstLimit"), ("rate_limit", "RateLimit")],
                    &mut tp,
                );
                p.push(("Throttle", map(tp, &loc_of(&t.file, t.item.span()))));
            }
            "AWS::ApiGateway::UsagePlan"
        }
        "aws_apigatewayv2_api" => {
            copy(
                ev,
                b,
                &[
                    ("name", "Name"),
                    ("protocol_type", "ProtocolType"),
                    ("target", "Target"),
                    ("route_key", "RouteKey"),
                ],
                &mut p,
            );
            if let Some(c) = nested(b, "cors_configuration").first() {
                let mut cp: Props = Vec::new();
                copy(
                    ev,
                    c,
                    &[
                        ("allow_origins", "AllowOrigins"),
                        ("allow_credentials", "AllowCredentials"),
                        ("allow_methods", "AllowMethods"),
                        ("allow_headers", "AllowHeaders"),
                    ],
                    &mut cp,
                );
                p.push((
                    "CorsConfiguration",
                    map(cp, &loc_of(&c.file, c.item.span())),
                ));
            }
            "AWS::ApiGatewayV2::Api"
        }
        "aws_apigatewayv2_route" => {
            copy(
                ev,
                b,
                &[
                    ("api_id", "ApiId"),
                    ("route_key", "RouteKey"),
                    ("authorization_type", "AuthorizationType"),
                    ("authorizer_id", "AuthorizerId"),
                    ("target", "Target"),
                    ("api_key_required", "ApiKeyRequired"),
                ],
                &mut p,
            );
            "AWS::ApiGatewayV2::Route"
        }
        "aws_apigatewayv2_integration" => {
            copy(
                ev,
                b,
                &[
                    ("api_id", "ApiId"),
                    ("integration_type", "IntegrationType"),
                    ("integration_uri", "IntegrationUri"),
                ],
                &mut p,
            );
            "AWS::ApiGatewayV2::Integration"
        }
        "aws_apigatewayv2_authorizer" => {
            copy(
                ev,
                b,
                &[
                    ("api_id", "ApiId"),
                    ("authorizer_type", "AuthorizerType"),
                    ("authorizer_uri", "AuthorizerUri"),
                    ("name", "Name"),
                ],
                &mut p,
            );
            "AWS::ApiGatewayV2::Authorizer"
        }
        "aws_apigatewayv2_stage" => {
            copy(ev, b, &[("api_id", "ApiId"), ("name", "StageName")], &mut p);
            if let Some(d) = nested(b, "default_route_settings").first() {
                let mut dp: Props = Vec::new();
                copy(
                    ev,
                    d,
                    &[
                        ("throttling_burst_limit", "ThrottlingBurstLimit"),
                        ("throttling_rate_limit", "ThrottlingRateLimit"),
                    ],
                    &mut dp,
                );
                p.push((
                    "DefaultRouteSettings",
                    map(dp, &loc_of(&d.file, d.item.span())),
                ));
            }
            if let Some(a) = nested(b, "access_log_settings").first() {
                let mut ap: Props = Vec::new();
                copy(
                    ev,
                    a,
                    &[("destination_arn", "DestinationArn"), ("format", "Format")],
                    &mut ap,
                );
                p.push((
                    "AccessLogSettings",
                    map(ap, &loc_of(&a.file, a.item.span())),
                ));
            }
            "AWS::ApiGatewayV2::Stage"
        }
        "aws_api_gateway_method_settings" => {
            // Settings of a stage's methods: a stage entry with its `MethodSettings`.
            copy(
                ev,
                b,
                &[("rest_api_id", "RestApiId"), ("stage_name", "StageName")],
                &mut p,
            );
            if let Some(st) = nested(b, "settings").first() {
                let sl = loc_of(&st.file, st.item.span());
                let mut sp: Props = vec![("HttpMethod", text("*", &sl))];
                if let Some(path) = ev.attr(b, "method_path") {
                    sp.push(("ResourcePath", path));
                }
                copy(
                    ev,
                    st,
                    &[
                        ("throttling_rate_limit", "ThrottlingRateLimit"),
                        ("throttling_burst_limit", "ThrottlingBurstLimit"),
                        ("logging_level", "LoggingLevel"),
                        ("data_trace_enabled", "DataTraceEnabled"),
                        ("metrics_enabled", "MetricsEnabled"),
                    ],
                    &mut sp,
                );
                p.push(("MethodSettings", seq(vec![map(sp, &sl)], &sl)));
            }
            "AWS::ApiGateway::Stage"
        }
        "aws_db_instance" => {
            copy(
                ev,
                b,
                &[
                    ("engine", "Engine"),
                    ("storage_encrypted", "StorageEncrypted"),
                    ("cluster_identifier", "DBClusterIdentifier"),
                    ("publicly_accessible", "PubliclyAccessible"),
                    ("kms_key_id", "KmsKeyId"),
                ],
                &mut p,
            );
            "AWS::RDS::DBInstance"
        }
        "aws_rds_cluster" => {
            copy(
                ev,
                b,
                &[
                    ("engine", "Engine"),
                    ("storage_encrypted", "StorageEncrypted"),
                    ("kms_key_id", "KmsKeyId"),
                ],
                &mut p,
            );
            "AWS::RDS::DBCluster"
        }
        "azurerm_function_app" | "azurerm_linux_function_app" | "azurerm_windows_function_app" => {
            azure_function_app(ev, m, b, &mut p);
            // Not an AWS resource: kept under its Terraform type, for the rules that link an
            // Azure function app's folder to the app that hosts it.
            return Some((ty.to_owned(), p));
        }
        "aws_wafv2_web_acl_association" => {
            copy(
                ev,
                b,
                &[
                    ("resource_arn", "ResourceArn"),
                    ("web_acl_arn", "WebACLArn"),
                ],
                &mut p,
            );
            "AWS::WAFv2::WebACLAssociation"
        }
        _ => return None,
    };
    Some((cfn.to_owned(), p))
}

/// An Azure function app (`azurerm_function_app`, `azurerm_linux_function_app`,
/// `azurerm_windows_function_app`): its name, its App Service Authentication (`auth_settings`
/// as `AuthSettings` with `Enabled` and `UnauthenticatedClientAction`, `auth_settings_v2` as
/// `AuthSettingsV2` with `AuthEnabled`, `RequireAuthentication` and `UnauthenticatedAction`)
/// and the package it runs (`Package`, relative to the scan root): its `zip_deploy_file`, or
/// the `source` of the storage blob its `WEBSITE_RUN_FROM_PACKAGE` setting names.
fn azure_function_app(ev: &mut Eval<'_>, m: &Module, b: &Located<Block>, p: &mut Props) {
    copy(ev, b, &[("name", "Name")], p);
    if let Some(a) = nested(b, "auth_settings").first() {
        let mut sp: Props = Vec::new();
        copy(
            ev,
            a,
            &[
                ("enabled", "Enabled"),
                (
                    "unauthenticated_client_action",
                    "UnauthenticatedClientAction",
                ),
            ],
            &mut sp,
        );
        p.push(("AuthSettings", map(sp, &loc_of(&a.file, a.item.span()))));
    }
    if let Some(a) = nested(b, "auth_settings_v2").first() {
        let mut sp: Props = Vec::new();
        copy(
            ev,
            a,
            &[
                ("auth_enabled", "AuthEnabled"),
                ("require_authentication", "RequireAuthentication"),
                ("unauthenticated_action", "UnauthenticatedAction"),
            ],
            &mut sp,
        );
        p.push(("AuthSettingsV2", map(sp, &loc_of(&a.file, a.item.span()))));
    }
    let loc = loc_of(&b.file, b.item.span());
    let zip = ev.attr(b, "zip_deploy_file").or_else(|| {
        let settings = ev.attr(b, "app_settings")?;
        let run = settings.get("WEBSITE_RUN_FROM_PACKAGE")?;
        let blob = referenced(run, &m.prefix, "azurerm_storage_blob")?;
        let key = blob.strip_prefix(&m.prefix)?;
        let blob = m.resources.get(key)?;
        ev.attr(blob, "source")
    });
    if let Some(path) = zip
        .as_ref()
        .and_then(known_text)
        .and_then(|z| m.resolve(&z))
    {
        p.push(("Package", text(&path, &loc)));
    }
}

/// An `archive_file` data source of any module of the configuration, its paths resolved
/// against the root module's folder.
pub(crate) struct Archive {
    /// `output_path` (see [`package_key`]).
    out: String,
    /// `source_dir`, or the folder of `source_file`.
    dir: Option<String>,
    /// `source { content filename }` blocks and `source_content`: the file name in the
    /// package and the content's value (a file's whole text when it is `file()` or
    /// `templatefile()`).
    sources: Vec<(Option<String>, Node)>,
}

/// The archives of a module and of its local modules: a package built in one module is
/// often deployed by a function of another (`filename = var.package`).
pub(crate) fn archives(m: &Module, files: &dyn Files, out: &mut Vec<Archive>) {
    let mut ev = Eval::new(m, files);
    for (key, d) in &m.data {
        if !key.starts_with("archive_file.") {
            continue;
        }
        let Some(output) = ev
            .attr(d, "output_path")
            .and_then(|o| known_text(&o))
            .map(|o| package_key(m, &o))
        else {
            continue;
        };
        let dir = ev
            .attr(d, "source_dir")
            .and_then(|s| known_text(&s))
            .and_then(|s| m.resolve(&s))
            .or_else(|| {
                let file = ev.attr(d, "source_file").and_then(|s| known_text(&s))?;
                m.resolve(file.rsplit_once('/').map_or(".", |(p, _)| p))
            });
        let mut sources = Vec::new();
        for src in nested(d, "source") {
            if let Some(content) = ev.attr(&src, "content") {
                let name = ev.attr(&src, "filename").and_then(|f| known_text(&f));
                sources.push((name, content));
            }
        }
        if let Some(content) = ev.attr(d, "source_content") {
            let name = ev
                .attr(d, "source_content_filename")
                .and_then(|f| known_text(&f));
            sources.push((name, content));
        }
        out.push(Archive {
            out: output,
            dir,
            sources,
        });
    }
    for child in m.children.values() {
        archives(child, files, out);
    }
}

/// A package path as one key for every module: resolved against the root module's folder,
/// or, outside the scanned tree (`../build/x.zip` from the scan root), as written.
fn package_key(m: &Module, path: &str) -> String {
    m.resolve(path)
        .unwrap_or_else(|| format!("{}\u{0}{}", m.root, path.trim_start_matches("./")))
}

/// Where a function's code is.
pub(crate) enum Code {
    /// A folder of the repository (`None` when the package is not built from the tree).
    Dir(Option<String>),
    /// Written in the configuration itself: there is no file to analyse.
    Inline,
    /// A file of the repository packaged under the handler module's name (an archive's
    /// `source { content = templatefile("index.py.tpl", ...) filename = "index.py" }`).
    File(String),
}

/// The code of a function: the `archive_file` whose output is its `filename` (its
/// `source_dir`, the folder of its `source_file`, or the file its `source` content is read
/// from), else a folder beside the package.
fn code(ev: &mut Eval<'_>, m: &Module, b: &Located<Block>, archives: &[Archive]) -> Code {
    let Some(filename) = ev.attr(b, "filename").and_then(|f| known_text(&f)) else {
        return Code::Dir(None);
    };
    let handler = ev.attr(b, "handler").and_then(|h| known_text(&h));
    let package = package_key(m, &filename);
    if let Some(a) = archives.iter().find(|a| a.out == package) {
        if !a.sources.is_empty() {
            return packaged_file(a, handler.as_deref()).map_or(Code::Inline, Code::File);
        }
        return Code::Dir(a.dir.clone());
    }
    Code::Dir(beside(ev, m, &filename, handler.as_deref()))
}

/// The repository file an archive's `source` holds as the handler's module: content that is
/// a whole file of the repository (`file()`, `templatefile()`), not text written in the
/// configuration.
fn packaged_file(a: &Archive, handler: Option<&str>) -> Option<String> {
    let module = handler?.rsplit_once('.')?.0;
    let dotted = module.replace('.', "/");
    let (_, content) = a.sources.iter().find(|(name, _)| {
        name.as_deref().is_some_and(|n| {
            let stem = n.trim_start_matches("./");
            let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
            stem == module || stem == dotted
        })
    })?;
    let path = content.loc.file.path();
    (!super::is_terraform(path) && content.loc.span.start == 0).then(|| path.to_owned())
}

/// A package next to the folder it was zipped from (`lambda.zip` beside `lambda/`), or
/// committed beside the code it packages (only when the handler's module is there: a zip in
/// a folder of other files is a package whose code is not in the repository).
fn beside(ev: &Eval<'_>, m: &Module, filename: &str, handler: Option<&str>) -> Option<String> {
    let stem = filename.strip_suffix(".zip")?;
    let beside = m.resolve(stem)?;
    if ev.files.has_dir(&beside) {
        return Some(beside);
    }
    let parent = filename.rsplit_once('/').map_or(".", |(p, _)| p);
    let dir = m.resolve(parent)?;
    handler_module_in(ev.files, &dir, handler?).then_some(dir)
}

/// Source extensions a handler's module may have, whatever the runtime.
const MODULE_EXTENSIONS: &[&str] = &["py", "js", "mjs", "cjs", "ts", "rb"];

/// Whether the module a handler names (`app.handler`, `src/index.handler`,
/// `pkg.mod.handler`) is a file of a folder.
fn handler_module_in(files: &dyn Files, dir: &str, handler: &str) -> bool {
    let Some((module, _)) = handler.rsplit_once('.') else {
        return false;
    };
    let dotted = module.replace('.', "/");
    [module, dotted.as_str()].iter().any(|m| {
        MODULE_EXTENSIONS.iter().any(|ext| {
            let rel = if dir == "." || dir.is_empty() {
                format!("{m}.{ext}")
            } else {
                format!("{dir}/{m}.{ext}")
            };
            files.text(&rel).is_some()
        })
    })
}
