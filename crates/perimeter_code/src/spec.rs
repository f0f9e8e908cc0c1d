//! The vocabulary the language specifications share: what a sanitizer makes a value safe
//! for. Each language's `spec` module lists its own sinks, sanitizers and SDK tables with it.

use perimeter_diagnostics::Kind;

use crate::core::sinks::Check::{Deep, Expression, LegacyConditions};
use crate::core::sinks::kinds::NOSQL;
use crate::core::sinks::{Check, RequestSink};

/// What a sanitizer makes a value safe for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Clean {
    /// Every sink kind (the result is a number, a boolean, a UUID).
    All,
    /// These kinds only.
    Kinds(&'static [Kind]),
}

/// One sanitizer: a callee (module and name, matched as each language's sinks are) and what
/// its result is clean for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sanitizer {
    /// The module (`""` for globals and builtins).
    pub module: &'static str,
    /// The function name or dotted path.
    pub name: &'static str,
    /// What the result is clean for.
    pub clean: Clean,
}

/// A sanitizer entry.
pub(crate) const fn san(module: &'static str, name: &'static str, clean: Clean) -> Sanitizer {
    Sanitizer {
        module,
        name,
        clean,
    }
}

/// Clean for SQL only (escaping functions).
pub(crate) const SQL_ONLY: Clean = Clean::Kinds(&[Kind::InjectionSql]);
/// Clean for HTML only.
pub(crate) const XSS_ONLY: Clean = Clean::Kinds(&[Kind::Xss]);
/// Clean for shell commands only (quoting).
pub(crate) const SHELL_ONLY: Clean = Clean::Kinds(&[Kind::InjectionOsCommand]);
/// Clean for file paths only (base names).
pub(crate) const PATH_ONLY: Clean = Clean::Kinds(&[Kind::PathTraversal]);

/// The request field naming the resource, per service, in order of preference.
pub(crate) const SDK_RESOURCE_FIELDS: &[(&str, &[&str])] = &[
    ("sqs", &["QueueUrl", "QueueName"]),
    (AZURE_SERVICE, &["Name"]),
    ("sns", &["TopicArn", "TargetArn"]),
    ("s3", &["Bucket"]),
    ("dynamodb", &["TableName"]),
    ("lambda", &["FunctionName"]),
    ("events", &["EventBusName"]),
    ("states", &["stateMachineArn"]),
    ("kinesis", &["StreamName", "StreamARN"]),
    ("firehose", &["DeliveryStreamName"]),
    ("secretsmanager", &["SecretId"]),
    ("ssm", &["Name", "Names", "Path"]),
    ("kms", &["KeyId"]),
    ("ses", &["Source", "FromEmailAddress"]),
    ("athena", &["WorkGroup"]),
    ("logs", &["logGroupName"]),
    ("rds-data", &["resourceArn"]),
];

/// The request fields carrying the data written, per service (first tainted one is reported).
pub(crate) const SDK_PAYLOAD_FIELDS: &[(&str, &[&str])] = &[
    ("sqs", &["MessageBody", "Entries", "MessageAttributes"]),
    (AZURE_SERVICE, &["Body"]),
    ("sns", &["Message", "Subject", "MessageAttributes"]),
    ("s3", &["Key", "Body", "CopySource", "Filename", "Fileobj"]),
    (
        "dynamodb",
        &[
            "Item",
            "Key",
            "ExpressionAttributeValues",
            "RequestItems",
            "TransactItems",
        ],
    ),
    ("lambda", &["Payload", "InvokeArgs"]),
    ("events", &["Entries"]),
    ("states", &["input", "name"]),
    ("kinesis", &["Data", "Records", "PartitionKey"]),
    ("firehose", &["Record", "Records"]),
    ("ses", &["Message", "Content", "Destination"]),
];

/// The attribute each value placeholder of a DynamoDB update expression sets
/// (`SET itemList = :il, #s = :s` gives `(":il", "itemList")`, `(":s", "s")`): the attributes
/// an update writes, for the data read back from them.
pub(crate) fn update_attributes(expr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for assignment in expr.split(',') {
        let Some((lhs, rhs)) = assignment.split_once('=') else {
            continue;
        };
        // `SET a = :x` or the first assignment after an action keyword.
        let attr = lhs.split_whitespace().last().unwrap_or("");
        let attr = attr
            .trim_start_matches('#')
            .split(['.', '['])
            .next()
            .unwrap_or("");
        let placeholder = rhs
            .split(|c: char| !(c.is_alphanumeric() || c == ':' || c == '_'))
            .find(|t| t.starts_with(':'));
        if let (false, Some(p)) = (attr.is_empty(), placeholder) {
            out.push((p.to_owned(), attr.to_owned()));
        }
    }
    out
}

/// SDK request parameters that are sinks: event data there (as the row's check judges it) is
/// what the row's kind says. The whole DynamoDB request taken from the event is NoSQL
/// injection too (see `core::effects::record`).
pub(crate) const REQUEST_SINKS: &[RequestSink] = &[
    req("dynamodb", "FilterExpression", NOSQL, Expression),
    req("dynamodb", "KeyConditionExpression", NOSQL, Expression),
    req("dynamodb", "ConditionExpression", NOSQL, Expression),
    req("dynamodb", "UpdateExpression", NOSQL, Expression),
    req("dynamodb", "ProjectionExpression", NOSQL, Expression),
    req("dynamodb", "Statement", NOSQL, Expression),
    req("dynamodb", "ScanFilter", NOSQL, LegacyConditions),
    req("dynamodb", "QueryFilter", NOSQL, LegacyConditions),
    req("dynamodb", "KeyConditions", NOSQL, LegacyConditions),
    req("dynamodb", "Expected", NOSQL, LegacyConditions),
    req("dynamodb", "ConditionalOperator", NOSQL, Expression),
    req("dynamodb", "TableName", NOSQL, Deep),
];

/// A [`REQUEST_SINKS`] row.
const fn req(service: &'static str, field: &'static str, kind: Kind, check: Check) -> RequestSink {
    RequestSink {
        service,
        field,
        kind,
        check,
    }
}

/// Records an SDK call once per place, operation and resource; a later sighting with data
/// an attacker controls marks the recorded one.
pub(crate) fn record_call(calls: &mut Vec<crate::SdkCall>, call: crate::SdkCall) {
    match calls
        .iter_mut()
        .find(|c| c.loc == call.loc && c.operation == call.operation && c.resource == call.resource)
    {
        Some(existing) => {
            if existing.tainted.is_none() {
                existing.tainted = call.tainted;
            }
        }
        None => calls.push(call),
    }
}

/// How a request field's value is known, from its text and the access path of the event data
/// it carries, if any.
pub(crate) fn resource_expr(
    text: Option<&crate::text::Text>,
    event_path: Option<&str>,
    field: &str,
) -> crate::ResourceExpr {
    use crate::ResourceExpr;
    use crate::text::Text;
    match text {
        Some(Text::Const(s)) => ResourceExpr::Literal(s.to_string()),
        Some(Text::Env(e)) => ResourceExpr::Env(e.to_string()),
        Some(Text::Pattern(p)) if &**p != "*" => ResourceExpr::Pattern(p.to_string()),
        _ => match event_path {
            Some("") => ResourceExpr::Unknown("event".to_owned()),
            Some(p) => ResourceExpr::Unknown(format!("event.{p}")),
            None => ResourceExpr::Unknown(field.to_owned()),
        },
    }
}

/// The possible targets of a resource chosen among known names in branches (none when the
/// resource is not such a choice).
pub(crate) fn resource_choices(text: Option<&crate::text::Text>) -> Vec<crate::ResourceExpr> {
    match text {
        Some(t @ crate::text::Text::OneOf(_)) => t
            .alternatives()
            .iter()
            .filter(|t| !t.pattern().is_empty())
            .map(|t| resource_expr(Some(t), None, ""))
            .collect(),
        _ => Vec::new(),
    }
}

/// Records an SDK call, once per possible target when its resource is one of several known
/// names.
pub(crate) fn record_calls(
    calls: &mut Vec<crate::SdkCall>,
    call: crate::SdkCall,
    choices: Vec<crate::ResourceExpr>,
) {
    if choices.is_empty() {
        record_call(calls, call);
        return;
    }
    for resource in choices {
        record_call(
            calls,
            crate::SdkCall {
                resource,
                ..call.clone()
            },
        );
    }
}

/// The service name under which outbound HTTP requests are recorded with the SDK calls: the
/// application graph links a request to an endpoint of the application's own API.
pub(crate) const HTTP_SERVICE: &str = "http";

/// The service of writes through Azure output bindings (the operation is the binding type).
pub(crate) const AZURE_SERVICE: &str = "azure";

/// Request fields (options or keyword arguments) that carry the data an HTTP request sends.
pub(crate) const HTTP_PAYLOAD_FIELDS: &[&str] = &[
    "body", "data", "json", "form", "params", "qs", "fields", "content", "query",
];

/// The HTTP method a client call names (`post` -> `POST`), when it does.
pub(crate) fn http_method(name: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    Some(match last.to_ascii_lowercase().as_str() {
        "get" => "GET",
        "post" => "POST",
        "put" => "PUT",
        "patch" => "PATCH",
        "delete" => "DELETE",
        "head" => "HEAD",
        "options" => "OPTIONS",
        _ => return None,
    })
}

/// Request parameters of AWS SDK calls that carry a credential (`cognito-idp`
/// `AdminCreateUser` `TemporaryPassword`, `rds` `MasterUserPassword`, `secretsmanager`
/// `SecretString`, ...): a literal there is a hard-coded credential.
pub(crate) const CREDENTIAL_PARAMS: &[&str] = &[
    "Password",
    "TemporaryPassword",
    "NewPassword",
    "PreviousPassword",
    "ProposedPassword",
    "MasterUserPassword",
    "SecretString",
    "SecretAccessKey",
    "ClientSecret",
    "AuthToken",
];

/// Whether a literal given as a credential is a real value rather than an empty string, a
/// reference or a template.
pub(crate) fn literal_credential(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !v.starts_with('<') && !v.starts_with("{{") && !v.contains("${")
}

/// A hard-coded credential given to an SDK call, recorded as a flow of kind
/// `HardcodedSecret` whose source and sink are the call.
pub(crate) fn credential_flow(
    loc: &perimeter_diagnostics::Loc,
    service: &str,
    op: &str,
    field: &str,
) -> crate::Flow {
    crate::Flow {
        kind: perimeter_diagnostics::Kind::HardcodedSecret,
        source: crate::Source {
            path: "literal".to_owned(),
            loc: loc.clone(),
        },
        steps: Vec::new(),
        sink: loc.clone(),
        sink_name: format!("{service}.{op} {field}"),
    }
}

/// Whether a Lambda `Invoke` passes the invoked function's error on: a synchronous call (no
/// `InvocationType`, or `RequestResponse`) in a file that never reads `FunctionError`, the
/// only way to tell an error `Payload` (`errorMessage`, `errorType`, `stackTrace`) from a
/// result.
pub(crate) fn unchecked_sync_invoke(invocation_type: Option<&str>, file_text: &str) -> bool {
    invocation_type.is_none_or(|t| t == "RequestResponse") && !file_text.contains("FunctionError")
}

/// What a branch that denies access sends, whitespace removed: a 401 or 403 response to the
/// Lambda callback or returned as an object (JavaScript or Python), through an Express-style
/// response, or built as a framework response (Chalice, FastAPI, Flask).
const DENIALS: &[&str] = &[
    "statusCode:401",
    "statusCode:403",
    "\"statusCode\":401",
    "\"statusCode\":403",
    "'statusCode':401",
    "'statusCode':403",
    ".status(401)",
    ".status(403)",
    ".sendStatus(401)",
    ".sendStatus(403)",
    "status_code=401",
    "status_code=403",
    "status=401",
    "status=403",
];

/// Whether a branch's text sends a 401 or 403 response.
pub(crate) fn denies_access(branch: &str) -> bool {
    // Every `if` the analysis runs comes here: look for the status before copying anything.
    if !branch.contains("401") && !branch.contains("403") {
        return false;
    }
    let compact: String = branch.chars().filter(|c| !c.is_whitespace()).collect();
    DENIALS.iter().any(|d| compact.contains(d))
}

/// Whether a branch's text leaves the function: a `return`, `throw` or `raise` statement
/// anywhere in it, Flask's `abort(...)` (which raises), or an exit of the process.
pub(crate) fn leaves(branch: &str) -> bool {
    let word = |w: &str| {
        branch.match_indices(w).any(|(i, _)| {
            let before = branch[..i].chars().next_back();
            let after = branch[i + w.len()..].chars().next();
            let ident =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
            !ident(before) && !ident(after) && before != Some('.')
        })
    };
    word("return")
        || word("throw")
        || word("raise")
        || word("abort")
        || branch.contains("process.exit")
        || branch.contains("sys.exit")
}

/// The fields of an EventBridge `PutEvents` entry that the rules' event patterns match
/// (`Source` is the pattern's `source`, `DetailType` its `detail-type`): recorded as the
/// call's payload fields, with their value when it is a constant.
const EVENT_ENTRY_FIELDS: &[&str] = &["Source", "DetailType"];

/// The payload fields of a `PutEvents` entry ([`EVENT_ENTRY_FIELDS`]), each with its constant
/// value as `value` gives it.
pub(crate) fn event_entry_fields(
    value: impl Fn(&str) -> Option<String>,
) -> Vec<crate::PayloadField> {
    EVENT_ENTRY_FIELDS
        .iter()
        .map(|k| crate::PayloadField {
            name: (*k).to_owned(),
            value: value(k),
        })
        .collect()
}

/// Operations that hand a role to the service, with the request fields (dotted paths) that
/// hold the role: AWS authorises the caller for `iam:PassRole` on it as well.
const PASSES_ROLE: &[(&str, &str, &[&str])] = &[
    ("states", "CreateStateMachine", &["roleArn"]),
    ("states", "UpdateStateMachine", &["roleArn"]),
    ("lambda", "CreateFunction", &["Role"]),
    ("lambda", "UpdateFunctionConfiguration", &["Role"]),
    (
        "ecs",
        "RunTask",
        &["overrides.taskRoleArn", "overrides.executionRoleArn"],
    ),
    (
        "ecs",
        "StartTask",
        &["overrides.taskRoleArn", "overrides.executionRoleArn"],
    ),
    (
        "ecs",
        "RegisterTaskDefinition",
        &["taskRoleArn", "executionRoleArn"],
    ),
    ("glue", "CreateJob", &["Role"]),
    ("glue", "UpdateJob", &["JobUpdate.Role"]),
    ("glue", "CreateCrawler", &["Role"]),
    ("cloudformation", "CreateStack", &["RoleARN"]),
    ("cloudformation", "UpdateStack", &["RoleARN"]),
    ("scheduler", "CreateSchedule", &["Target.RoleArn"]),
    ("sagemaker", "CreateTrainingJob", &["RoleArn"]),
    ("sagemaker", "CreateProcessingJob", &["RoleArn"]),
    ("sagemaker", "CreateModel", &["ExecutionRoleArn"]),
    ("codebuild", "CreateProject", &["serviceRole"]),
];

/// The request fields (dotted paths) of an operation that pass a role to the service.
pub(crate) fn passed_roles(service: &str, op: &str) -> &'static [&'static str] {
    PASSES_ROLE
        .iter()
        .find(|(s, o, _)| *s == service && *o == op)
        .map_or(&[], |(_, _, f)| *f)
}

/// The operations the SDK's managed uploads (`s3.upload`, `upload_file`, `Upload`) call
/// beyond `PutObject`: a large body goes in parts (authorised as `s3:PutObject`), and a
/// failed upload is aborted.
pub(crate) const MANAGED_UPLOAD_EXTRA: &[&str] = &["AbortMultipartUpload"];

/// Records a permission an SDK call needs beyond its own action as a call of its own at the
/// same place: the role it passes, the parts of a managed upload.
pub(crate) fn record_dependent(
    calls: &mut Vec<crate::SdkCall>,
    loc: &perimeter_diagnostics::Loc,
    service: &str,
    op: &str,
    resource: crate::ResourceExpr,
    key: Option<crate::ResourceExpr>,
) {
    record_call(
        calls,
        crate::SdkCall {
            service: service.to_owned(),
            operation: op.to_owned(),
            resource,
            loc: loc.clone(),
            tainted: None,
            key,
            index: None,
            fields: Vec::new(),
        },
    );
}

/// Records the operations a managed upload calls beyond the `PutObject` recorded at `loc`
/// (the same bucket and key), at the same place.
pub(crate) fn managed_upload(calls: &mut Vec<crate::SdkCall>, loc: &perimeter_diagnostics::Loc) {
    let Some(put) = calls
        .iter()
        .rev()
        .find(|c| c.loc == *loc && c.operation == "PutObject")
        .cloned()
    else {
        return;
    };
    for op in MANAGED_UPLOAD_EXTRA {
        let (resource, key) = (put.resource.clone(), put.key.clone());
        record_dependent(calls, loc, "s3", op, resource, key);
    }
}

/// DynamoDB transaction item kinds, whose `TableName` names the table.
pub(crate) const TRANSACT_KINDS: &[&str] = &["Put", "Update", "Delete", "ConditionCheck", "Get"];

#[cfg(test)]
mod denial_tests {
    use super::{denies_access, leaves};

    #[test]
    fn denials_and_exits() {
        assert!(denies_access(
            "{ callback(null, { statusCode: 401, body: 'no' }); }"
        ));
        assert!(denies_access("{ res.status(403).send('forbidden'); }"));
        assert!(denies_access("    resp = {'statusCode': 401}\n"));
        assert!(denies_access("    Response(body='no', status_code=403)\n"));
        assert!(!denies_access("{ callback(null, { statusCode: 200 }); }"));
        assert!(leaves("{ res.status(401).end(); return; }"));
        assert!(leaves("{ throw new Error('denied'); }"));
        assert!(leaves("    abort(401)\n"));
        assert!(leaves("    raise Unauthorized()\n"));
        assert!(!leaves(
            "{ callback(null, { statusCode: 401, returnUrl: '/' }); }"
        ));
        assert!(!leaves("{ logger.return(x); }"));
    }
}
