//! Helpers shared by rules: reading nodes, walking statements and environment variables,
//! recognising secret-looking names and redacting values.

use std::collections::BTreeSet;

use perimeter_diagnostics::Loc;
use perimeter_model::{
    Application, EnvVar, EventKind, Function, Node, Resource, Role, Statement, Value,
};

/// How deep helpers descend into descriptor trees (hostile input is bounded).
pub(crate) const MAX_DEPTH: usize = 32;

/// A node's text for comparisons: strings and symbolic values, trimmed.
pub(crate) fn text(node: &Node) -> Option<String> {
    node.scalar_text().map(|s| s.trim().to_owned())
}

/// A value under a key at any depth (depth-bounded), matching the key ignoring ASCII case.
pub(crate) fn find_key<'a>(node: &'a Node, key: &str) -> Vec<&'a Node> {
    let mut out = Vec::new();
    find_key_at(node, key, 0, &mut out);
    out
}

fn find_key_at<'a>(node: &'a Node, key: &str, depth: usize, out: &mut Vec<&'a Node>) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if k.name.eq_ignore_ascii_case(key) {
                    out.push(v);
                }
                find_key_at(v, key, depth + 1, out);
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|n| find_key_at(n, key, depth + 1, out)),
        _ => {}
    }
}

/// Whether a role is a function's: some function runs with it, or its trust policy lets
/// Lambda assume it. Roles for other services (a Cognito identity pool's users, a build
/// project, a state machine) are outside what perimeter judges.
pub(crate) fn is_function_role(app: &Application, role: &Role) -> bool {
    if !role.functions.is_empty() {
        return true;
    }
    match app
        .resource(&role.id)
        .and_then(|r| r.prop("AssumeRolePolicyDocument"))
    {
        Some(trust) => trust.display().contains("lambda.amazonaws.com"),
        None => true,
    }
}

/// Every function role with each of its statements.
pub(crate) fn statements(app: &Application) -> impl Iterator<Item = (&Role, &Statement)> {
    app.roles
        .iter()
        .filter(|r| is_function_role(app, r))
        .flat_map(|r| r.statements.iter().map(move |s| (r, s)))
}

/// Whether a resource entry of a statement is `*` (every resource).
pub(crate) fn is_star(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.trim() == "*")
}

/// Glob match of IAM action patterns (`*` and `?`), ignoring ASCII case.
pub(crate) fn glob_ci(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A short description of who uses a role, for messages.
pub(crate) fn role_users(role: &Role) -> String {
    match role.functions.len() {
        0 => format!("role `{}`", role.id),
        1 => format!("function `{}`", role.functions[0]),
        n => format!("role `{}` ({n} functions)", role.id),
    }
}

/// The trigger kinds of a function, HTTP-like kinds folded into `http`, function URLs as
/// `url`.
pub(crate) fn trigger_classes(f: &Function) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&'static str> = f
        .events
        .iter()
        .map(|e| {
            if e.kind.is_http() {
                "http"
            } else {
                e.kind.as_str()
            }
        })
        .collect();
    if f.url.is_some() {
        out.insert("http");
    }
    out
}

/// Whether a trigger kind invokes the function asynchronously (Lambda retries on error).
pub(crate) const fn is_async_kind(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::S3
            | EventKind::Sns
            | EventKind::EventBridge
            | EventKind::Schedule
            | EventKind::CloudWatchLog
            | EventKind::Iot
    )
}

/// Whether a trigger kind is a poll-based stream (ordered shards, retried until expiry).
pub(crate) const fn is_stream_kind(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::DynamoDbStream | EventKind::KinesisStream | EventKind::Kafka
    )
}

/// Whether a function has a dead-letter queue or an on-failure destination for
/// asynchronous invocations (SAM `EventInvokeConfig`, Serverless `destinations`).
pub(crate) fn has_failure_destination(f: &Function) -> bool {
    f.dead_letter.is_some()
        || f.async_config
            .as_ref()
            .is_some_and(|c| !find_key(c, "OnFailure").is_empty())
        || f.properties.as_ref().is_some_and(|p| {
            p.get("destinations")
                .is_some_and(|d| d.get("onFailure").is_some())
                || p.get("onError").is_some()
        })
}

/// Environment variables of an application, each once (provider-level variables are copied
/// onto every function with the same location), with the functions that have them.
pub(crate) fn env_vars(app: &Application) -> Vec<(&EnvVar, Vec<&Function>)> {
    let mut out: Vec<(&EnvVar, Vec<&Function>)> = Vec::new();
    for f in &app.functions {
        for e in &f.environment {
            if let Some(entry) = out
                .iter_mut()
                .find(|(o, _)| same_loc(&o.name_loc, &e.name_loc))
            {
                entry.1.push(f);
            } else {
                out.push((e, vec![f]));
            }
        }
    }
    out
}

/// Whether two locations are the same place.
pub(crate) fn same_loc(a: &Loc, b: &Loc) -> bool {
    a.path() == b.path() && a.start() == b.start() && a.end() == b.end()
}

/// Resources of one of the given types.
pub(crate) fn resources_of<'a>(
    app: &'a Application,
    types: &'a [&'a str],
) -> impl Iterator<Item = &'a Resource> + 'a {
    app.resources
        .iter()
        .filter(move |r| types.contains(&r.type_name.as_str()))
}

/// Words that make a name secret-looking, matched on the `_`/`-`/case-split words.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];
/// Word pairs that make a name secret-looking.
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("AUTH", "KEY"),
    ("CLIENT", "SECRET"),
    ("CONNECTION", "STRING"),
];
/// Last words that make a secret-looking name a reference or a setting, not a secret.
const NOT_SECRET_LAST: &[&str] = &[
    "ARN",
    "NAME",
    "PARAM",
    "PARAMETER",
    "PATH",
    "ID",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "LENGTH",
    "HEADER",
    "FILE",
    "URL",
    "ENDPOINT",
    "TYPE",
    "REGION",
    "ALGORITHM",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "AGE",
    "POLICY",
    "ROTATION",
    "ENABLED",
    "VERSION",
];

/// Splits a name into upper-case words on `_`, `-`, `.` and lower-to-upper case changes.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether a variable, parameter or key name looks like it holds a secret
/// (`DB_PASSWORD`, `stripeApiKey`), and not a reference to one (`DB_PASSWORD_ARN`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_SECRET_LAST.contains(&last.as_str()) {
        return false;
    }
    // `PASS` after what it opens is the short form of a password (`DB_PASS`); alone it is a
    // test verdict, before `THROUGH` or `RATE` a setting (the same reading as
    // `perimeter_secrets::is_secret_name`).
    let short_pass = words.iter().enumerate().any(|(i, w)| {
        w == "PASS"
            && i > 0
            && !words
                .get(i + 1)
                .is_some_and(|n| matches!(n.as_str(), "THROUGH" | "THRU" | "RATE" | "FAIL"))
    });
    short_pass
        || words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| SECRET_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
}

/// Whether a name ends in `auth` (`auth`, `BASIC_AUTH`, `sqsAuth`): the credential a caller
/// presents, or, with a short one-word value (`AUTH=cognito`), a mode setting; see
/// [`is_auth_mode`].
pub(crate) fn is_auth_name(name: &str) -> bool {
    name_words(name).last().is_some_and(|w| w == "AUTH")
}

/// Whether the value of an `*AUTH` name is a mode (`cognito`, `iam`, `none`, `jwt`) rather
/// than a credential.
pub(crate) fn is_auth_mode(value: &str) -> bool {
    value.len() < 8 || value.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Whether a literal is a placeholder or a reference rather than a secret: empty, `TODO`,
/// `${...}`, `<...>`, `{{resolve:...}}`, an ARN or a parameter path.
pub(crate) fn is_placeholder_or_reference(value: &str) -> bool {
    // Weak defaults that get deployed as they are stay findings; illustrations
    // (`YOUR-SECRET-HERE`, `KEYEXAMPLE1234`, `xxxx`) do not.
    const WEAK_DEFAULTS: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "password",
        "passwd",
        "admin",
        "secret",
        "letmein",
    ];
    let lower = value.trim().to_ascii_lowercase();
    if perimeter_secrets::is_placeholder(value) && !WEAK_DEFAULTS.contains(&lower.as_str()) {
        return true;
    }
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.len() < 3
        || matches!(
            lower.as_str(),
            "todo"
                | "tbd"
                | "none"
                | "null"
                | "nil"
                | "placeholder"
                | "undefined"
                | "false"
                | "true"
        )
        || v.chars()
            .all(|c| c == 'x' || c == 'X' || c == '*' || c == '.')
        || v.contains("${")
        || v.starts_with('<')
        || v.starts_with("{{resolve:")
        || lower.starts_with("arn:")
        || (v.starts_with('/') && !v.contains(' '))
        // A path to a key file, not the key (`../keys/deploy`, `~/.ssh/id_rsa.pub`).
        || ((v.starts_with("./") || v.starts_with("../") || v.starts_with("~/"))
            && !v.contains(char::is_whitespace))
}

/// A redacted rendering of a secret for messages: its first four characters (fewer for short
/// values) and an ellipsis.
pub(crate) fn redact(value: &str) -> String {
    let n = value.chars().count();
    let keep = if n >= 12 { 4 } else { n / 3 };
    let head: String = value.chars().take(keep).collect();
    format!("{head}…")
}

/// Shannon entropy of a string in bits per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    let mut n = 0u32;
    for c in s.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .values()
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a node, or a reference inside it, names a logical id or a literal name.
pub(crate) fn refers_to(node: &Node, ids: &[String], names: &[String]) -> bool {
    let refs = node.referenced_ids();
    if refs.iter().any(|r| ids.contains(r)) {
        return true;
    }
    let shown = node.display();
    names
        .iter()
        .any(|n| n.len() >= 3 && contains_name(&shown, n))
}

/// Whether `hay` contains `name` delimited by non-name characters (so `photos` does not
/// match `photos-archive`).
fn contains_name(hay: &str, name: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    hay.match_indices(name).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + name.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// The logical ids and literal names a trigger source node stands for.
pub(crate) fn source_identity(node: &Node) -> (Vec<String>, Vec<String>) {
    let ids = node.referenced_ids();
    let mut names = Vec::new();
    if let Some(s) = node.as_str() {
        let s = s.trim();
        // An ARN names the resource by its last segment.
        let last = s.rsplit([':', '/']).next().unwrap_or(s);
        if !last.is_empty() {
            names.push(last.to_owned());
        }
    }
    (ids, names)
}

/// The principal value of a policy statement as a list of strings (`*`, ARNs, service
/// names); `{AWS: "*"}` and `"*"` both give `*`.
pub(crate) fn principal_values(principal: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    match &principal.value {
        Value::Map(entries) => {
            for (_, v) in entries {
                for item in v.items() {
                    if let Some(t) = text(item) {
                        out.push((t, item));
                    } else {
                        out.push((item.display(), item));
                    }
                }
            }
        }
        _ => {
            for item in principal.items() {
                if let Some(t) = text(item) {
                    out.push((t, item));
                }
            }
        }
    }
    out
}

pub(crate) use perimeter_graph::privilege::condition_restricts;

/// Services that run code, or start what runs code, with a role passed to them: passing any
/// role to one of these lets the caller act with that role.
const CODE_RUNNING_SERVICES: &[&str] = &[
    "lambda",
    "ec2",
    "ecs",
    "ecs-tasks",
    "eks",
    "batch",
    "glue",
    "sagemaker",
    "states",
    "codebuild",
    "codepipeline",
    "cloudformation",
    "elasticmapreduce",
    "datapipeline",
    "apprunner",
    "lightsail",
    "ssm",
    "scheduler",
    "events",
    "pipes",
    "emr-containers",
    "emr-serverless",
    "airflow",
    "databrew",
    "mwaa",
];

/// The string values under one condition key (any operator), lowercased; `None` when the key
/// is absent or one of its values is not a literal.
pub(crate) fn condition_values(condition: Option<&Node>, key: &str) -> Option<Vec<String>> {
    let c = condition?;
    let found = find_key(c, key);
    if found.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for node in found {
        for item in node.items() {
            out.push(item.as_str()?.trim().to_ascii_lowercase());
        }
    }
    Some(out)
}

/// Whether an `iam:PassRole` statement's condition limits the services the role can be passed
/// to (`iam:PassedToService`), and none of them runs code with it (`dax`,
/// `application-autoscaling`): such a grant cannot be used to escalate.
pub(crate) fn passed_only_to_inert_services(condition: Option<&Node>) -> bool {
    condition_values(condition, "iam:PassedToService").is_some_and(|services| {
        !services.is_empty()
            && services.iter().all(|s| {
                let name = s.split('.').next().unwrap_or(s);
                !name.contains('*') && !CODE_RUNNING_SERVICES.contains(&name)
            })
    })
}

/// Whether an `iam:PassRole` statement's condition lets the role be passed to Lambda: no
/// `iam:PassedToService` condition, or one naming `lambda.amazonaws.com` (or a wildcard).
pub(crate) fn passable_to(condition: Option<&Node>, service: &str) -> bool {
    condition_values(condition, "iam:PassedToService").is_none_or(|services| {
        services.iter().any(|s| {
            let name = s.split('.').next().unwrap_or(s);
            name == service || glob_ci(s, &format!("{service}.amazonaws.com"))
        })
    })
}

/// Whether a statement's condition narrows which resources or callers it applies to: tags
/// on the resource (`aws:ResourceTag/...`, `iam:ResourceTag/...`), the policies that may be
/// attached (`iam:PolicyARN`), a required permissions boundary (`iam:PermissionsBoundary`),
/// the calling principal or service (`aws:PrincipalArn`, `aws:SourceArn`, `aws:SourceAccount`,
/// `aws:CalledVia`, `kms:ViaService`, `kms:CallerAccount`).
pub(crate) fn condition_narrows(condition: Option<&Node>) -> bool {
    const KEYS: &[&str] = &[
        "iam:PolicyARN",
        "iam:PermissionsBoundary",
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "kms:ViaService",
        "kms:CallerAccount",
    ];
    let Some(c) = condition else { return false };
    if KEYS.iter().any(|k| !find_key(c, k).is_empty()) {
        return true;
    }
    condition_keys(c).iter().any(|k| {
        let k = k.to_ascii_lowercase();
        k.starts_with("aws:resourcetag/") || k.starts_with("iam:resourcetag/")
    })
}

/// Every key of the maps under a condition's operators.
fn condition_keys(condition: &Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Value::Map(ops) = &condition.value {
        for (_, body) in ops {
            if let Value::Map(keys) = &body.value {
                out.extend(keys.iter().map(|(k, _)| k.name.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for yes in [
            "DB_PASSWORD",
            "stripeApiKey",
            "API_KEY",
            "JWT_SECRET",
            "GITHUB_TOKEN",
            "PRIVATE_KEY",
            "clientSecret",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "DB_PASSWORD_ARN",
            "SECRET_NAME",
            "TOKEN_TTL",
            "TABLE_NAME",
            "API_URL",
            "PASSWORD_PARAM",
            "KEYBOARD",
            "SecretRotationDays",
            "TOKEN_VALIDITY_HOURS",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn auth_names() {
        assert!(is_auth_name("auth") && is_auth_name("BASIC_AUTH") && is_auth_name("sqsAuth"));
        assert!(!is_auth_name("AUTH_URL") && !is_auth_name("author"));
        assert!(is_auth_mode("cognito") && is_auth_mode("IAM") && is_auth_mode("disabled"));
        assert!(
            !is_auth_mode("sqs_flag_shop_charging_request_auth") && !is_auth_mode("u:8e254ed4")
        );
    }

    #[test]
    fn globs() {
        assert!(glob_ci("ec2:Describe*", "ec2:DescribeInstances"));
        assert!(glob_ci("s3:*", "S3:GetObject"));
        assert!(!glob_ci("s3:Get*", "s3:PutObject"));
        assert!(glob_ci("*", "anything"));
    }

    #[test]
    fn redaction_keeps_four_chars() {
        assert_eq!(redact("hunter2-is-my-password"), "hunt…");
        assert_eq!(redact("abc"), "a…");
    }

    #[test]
    fn names_are_delimited() {
        assert!(contains_name("arn:aws:s3:::photos/*", "photos"));
        assert!(!contains_name("arn:aws:s3:::photos-archive/*", "photos"));
    }
}
