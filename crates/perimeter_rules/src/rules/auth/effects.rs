//! What a route's function does, as far as its code and its role show: how much leaving the
//! route unauthenticated exposes.

use perimeter_code::FunctionSummary;
use perimeter_diagnostics::{Kind, Severity};
use perimeter_model::{Application, Framework, Function, Role, RoleOrigin};

use super::machine;
use crate::AppContext;

/// What an unauthenticated caller reaches through a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Data stores, secrets, other services or a dangerous sink: what was seen first.
    Effects(String),
    /// The code was analysed whole and touches nothing beyond its own response.
    Stateless,
    /// Not known (code not analysed whole, nothing else said).
    Unknown,
    /// A request calls code the analysis cannot follow (at `path:line`: a method of a value
    /// from a dependency container, a callback of the context): what it reaches is not known,
    /// and the modules make no SDK call nor read a secret that could name it.
    Opaque(String),
    /// The code denies the caller (401 or 403, then leaves) before any effect: the route is
    /// authenticated in code, at this place (`path:line`).
    Guarded(String),
    /// The code was not analysed (`code` says why): judged from what the deployment grants
    /// the function.
    Deployed {
        /// Why the code was not analysed (`runtime `go1.x``, `handler `x` not found`).
        code: String,
        /// What the deployment grants.
        grant: Grant,
    },
}

/// What the deployment grants a function whose code was not analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Access to data or another service, as seen (`its role allows `dynamodb:PutItem``).
    Data(String),
    /// Nothing beyond logging, tracing and its own network interfaces (how that is known).
    Nothing(String),
    /// Not known: the role or the platform's identity is defined elsewhere (why).
    Unknown(String),
}

impl Reach {
    /// The severity of an unauthenticated route to such a function.
    pub(crate) fn severity(&self) -> Severity {
        match self {
            // Code not analysed whole may reach anything its role allows, or a store outside
            // AWS: it stays high unless the deployment shows it can reach no data.
            Reach::Effects(_)
            | Reach::Unknown
            | Reach::Opaque(_)
            | Reach::Deployed {
                grant: Grant::Data(_) | Grant::Unknown(_),
                ..
            } => Severity::High,
            // Code not seen that can reach no data: a public compute endpoint (cost, abuse of
            // the function's own logic), not a breach of data.
            Reach::Deployed {
                grant: Grant::Nothing(_),
                ..
            } => Severity::Medium,
            Reach::Stateless | Reach::Guarded(_) => Severity::Low,
        }
    }

    /// The clause a finding's message ends with (after `; `), when there is one.
    pub(crate) fn clause(&self) -> Option<String> {
        match self {
            Reach::Effects(e) => Some(format!("its function {e}")),
            Reach::Stateless => {
                Some("its function reaches no data store, secret or other service".to_owned())
            }
            Reach::Unknown => None,
            Reach::Opaque(at) => Some(format!(
                "its code makes a call at `{at}` that the analysis does not follow"
            )),
            Reach::Guarded(at) => Some(format!(
                "its code denies the caller at {at} before any effect"
            )),
            Reach::Deployed { code, grant } => Some(match grant {
                Grant::Data(d) => format!("its code was not analysed ({code}) and {d}"),
                Grant::Nothing(n) => format!("its code was not analysed ({code}) and {n}"),
                Grant::Unknown(u) => format!("its code was not analysed ({code}) and {u}"),
            }),
        }
    }
}

/// Packages whose import means the code talks to a data store, a paid or messaging service,
/// or the AWS SDK in a form the analysis may not follow (a prefix ending in `/` or `.` covers
/// a scope or a package's submodules). A headless browser is not one: it reaches what it is
/// told to load, and a caller's URL reaching its navigation is a flow of its own (SSRF),
/// while a browser that only reports its version or renders a fixed page touches no data.
const EFFECTFUL_PACKAGES: &[&str] = &[
    "aws-sdk",
    "@aws-sdk/",
    "boto3",
    "botocore",
    "aioboto3",
    "pynamodb",
    "dynamoose",
    "dynamodb-toolbox",
    "mongoose",
    "mongodb",
    "pymongo",
    "motor",
    "mongoengine",
    "pg",
    "pg-promise",
    "postgres",
    "mysql",
    "mysql2",
    "mssql",
    "tedious",
    "oracledb",
    "psycopg2",
    "psycopg",
    "pymysql",
    "sqlalchemy",
    "sequelize",
    "typeorm",
    "knex",
    "@prisma/client",
    "prisma",
    "redis",
    "ioredis",
    "faunadb",
    "fauna",
    "firebase-admin",
    "firebase_admin",
    "@google-cloud/",
    "google.cloud",
    "@azure/",
    "azure.",
    "azure",
    "twilio",
    "stripe",
    "nodemailer",
    "@sendgrid/",
    "sendgrid",
    "smtplib",
    "openai",
    "@elastic/",
    "elasticsearch",
    "@opensearch-project/",
    "opensearchpy",
    "cassandra-driver",
    "neo4j-driver",
    "kafkajs",
    "amqplib",
    "pika",
    "@slack/",
    "slack_sdk",
    "sqlite3",
    "better-sqlite3",
];

/// Whether an imported package is one of [`EFFECTFUL_PACKAGES`].
fn effectful_package(name: &str) -> bool {
    EFFECTFUL_PACKAGES.iter().any(|p| {
        if p.ends_with('/') || p.ends_with('.') {
            name.starts_with(p)
        } else {
            name == *p || name.starts_with(&format!("{p}/")) || name.starts_with(&format!("{p}."))
        }
    })
}

/// Whether an environment variable's name says it holds a credential or a connection to a
/// data store (`API_KEY`, `GITHUB_TOKEN`, `DB_PASSWORD`, `MONGODB_URI`, `DATABASE_URL`).
pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let word = |w: &str| words.contains(&w);
    word("KEY")
        || word("APIKEY")
        || word("SECRET")
        || word("TOKEN")
        || word("PASSWORD")
        || word("PASSWD")
        || word("PWD")
        || word("CREDENTIALS")
        || word("CREDENTIAL")
        || word("DSN")
        || upper.ends_with("KEY")
        || upper.ends_with("TOKEN")
        || upper.contains("SECRET")
        || upper.contains("PASSWORD")
        || upper.contains("APIKEY")
        || upper.contains("API_KEY")
        || upper.contains("CONNECTIONSTRING")
        || upper.contains("CONNECTION_STRING")
        || upper.contains("MONGO")
        || upper.contains("DATABASE")
        || upper.contains("DB_URL")
        || upper.contains("DB_URI")
}

/// AWS actions and services that write only telemetry or manage the function's own network
/// interfaces: not data.
fn telemetry(service: &str, action: &str) -> bool {
    matches!(service, "logs" | "xray")
        || (service == "cloudwatch" && action.eq_ignore_ascii_case("PutMetricData"))
        || (service == "ec2"
            && matches!(
                action,
                "CreateNetworkInterface"
                    | "DescribeNetworkInterfaces"
                    | "DeleteNetworkInterface"
                    | "AssignPrivateIpAddresses"
                    | "UnassignPrivateIpAddresses"
            ))
}

/// Managed policies that grant only logging, tracing and VPC access: by name (SAM), or by
/// an ARN of an AWS managed policy (a customer policy of the same name could grant anything).
fn basic_managed_policy(name: &str) -> bool {
    let name = if name.starts_with("arn:") {
        if !name.contains(":iam::aws:policy/") {
            return false;
        }
        name.rsplit('/').next().unwrap_or(name)
    } else {
        name
    };
    [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess",
        "CloudWatchLambdaInsightsExecutionRolePolicy",
    ]
    .contains(&name)
}

/// What a function reaches: from its code summary when its handler was analysed whole, else
/// from what its deployment grants (role, file systems, databases in its network, secrets
/// it is given). A guard counts only for a route that reaches one handler: behind a
/// catch-all route (`{proxy+}`, `ANY /`) a framework serves many routes, and one route's
/// check does not protect the others.
pub(crate) fn reach(
    cx: &AppContext<'_>,
    f: &Function,
    summary: Option<&FunctionSummary>,
    catch_all: bool,
) -> Reach {
    let why = match summary {
        Some(s) if s.handler.is_some() && s.errors.is_empty() => {
            // Files are no SDK call: code that mounts a shared file system reaches it
            // whatever the analysis saw.
            return match (from_code(f, s, catch_all), file_system(f)) {
                (Reach::Stateless, Some(fs)) => Reach::Effects(fs.replacen("it ", "", 1)),
                (r, _) => r,
            };
        }
        Some(s) => {
            // What the part that was analysed already shows is kept: it is more precise
            // than the role.
            if s.handler.is_some() {
                let mut whole = s.clone();
                whole.errors.clear();
                if let Reach::Effects(e) = from_code(f, &whole, false) {
                    return Reach::Effects(e);
                }
            }
            not_analysed(f, Some(s))
        }
        None => not_analysed(f, None),
    };
    Reach::Deployed {
        grant: granted(cx, f),
        code: why,
    }
}

/// What the functions reach that other functions' deployment hands work to (the tasks of a
/// state machine), with what is already being judged (against cycles).
struct Within<'a> {
    app: &'a Application,
    /// The code summaries of `app`'s functions (empty for another application of the scan).
    summaries: &'a [FunctionSummary],
    /// Functions and state machines already judged on this path.
    seen: Vec<String>,
}

/// Why a function's code was not analysed, in a few words.
fn not_analysed(f: &Function, s: Option<&FunctionSummary>) -> String {
    use perimeter_model::CodeSource;
    let handler = f
        .handler_str()
        .map(|h| format!(" `{h}`"))
        .unwrap_or_default();
    if let Some(s) = s {
        return if s.handler.is_none() {
            format!("handler{handler} not found")
        } else {
            "its files could not all be read or parsed".to_owned()
        };
    }
    if let Some(r) = f.runtime_str().filter(|r| !analysed_runtime(r)) {
        return format!("runtime `{r}`");
    }
    match &f.code {
        CodeSource::Image(_) => "a container image".to_owned(),
        CodeSource::Remote(_) => "a package the repository does not hold".to_owned(),
        CodeSource::Archive { zip, .. } => format!("package `{zip}`"),
        CodeSource::Generated(_) => "code the deployment tool generates".to_owned(),
        _ => format!("handler{handler} not read"),
    }
}

/// Whether perimeter analyses the code of a runtime (JavaScript, TypeScript, Python).
fn analysed_runtime(runtime: &str) -> bool {
    let r = runtime.to_ascii_lowercase();
    r.starts_with("node") || r.starts_with("python")
}

/// What the analysed code of `f` reaches.
pub(crate) fn from_code(f: &Function, s: &FunctionSummary, catch_all: bool) -> Reach {
    if s.handler.is_none() || !s.errors.is_empty() {
        return Reach::Unknown;
    }
    if let Some(g) = s.guards.first().filter(|_| !catch_all) {
        return Reach::Guarded(format!("{}:{}", g.path(), g.start().line));
    }
    // Data that reaches a sink counts when someone outside chooses it for this function's
    // triggers: a field API Gateway sets (the stage, the API's own host name) does not.
    if let Some(flow) = s.flows.iter().find(|fl| {
        !matches!(fl.kind, Kind::VerboseError | Kind::Xss)
            && crate::rules::injection::flow::exposure(f, &fl.source.path).is_some()
    }) {
        return Reach::Effects(format!("passes event data to `{}`", flow.sink_name));
    }
    // What a request reaches, when the analysis tells it apart from what the modules do when
    // they load: a client built, a secret read or a package imported at load is no effect of
    // the route's own.
    let Some(request) = &s.request else {
        return whole(s).map_or(Reach::Stateless, Reach::Effects);
    };
    let calls = request.sdk_calls.iter().filter_map(|&i| s.sdk_calls.get(i));
    // A secret is used by sending it somewhere: a request that reads one and calls nothing
    // outside its own code (a health check reporting whether it is set) reaches nothing with it.
    let outbound =
        !request.sdk_calls.is_empty() || !request.imports.is_empty() || request.opaque.is_some();
    let secrets: &[String] = if outbound { &request.env_reads } else { &[] };
    if let Some(e) = effects(calls, secrets, &request.imports) {
        return Reach::Effects(e);
    }
    // A call the analysis cannot follow (dynamic dispatch) may reach what the modules do: an
    // SDK call they make or a secret they read is still charged, and said so. A package they
    // only import is no such thing (a client registered in a dependency container but never
    // resolved): what the call reaches is then not known, and no service is named.
    let Some(at) = &request.opaque else {
        return Reach::Stateless;
    };
    let at = format!("{}:{}", at.path(), at.start().line);
    if let Some(e) = effects(s.sdk_calls.iter(), &s.env_reads, &[]) {
        return Reach::Effects(format!(
            "{e} (set up when its modules load, maybe reached through the call at `{at}`)"
        ));
    }
    if s.imports.iter().any(|p| effectful_package(p)) {
        return Reach::Opaque(at);
    }
    Reach::Stateless
}

/// What the code reaches, taken whole: every SDK call, environment read and import. A secret
/// read counts when the code calls anything outside its own (an SDK, a package).
fn whole(s: &FunctionSummary) -> Option<String> {
    let outbound = !s.sdk_calls.is_empty() || !s.imports.is_empty();
    let secrets: &[String] = if outbound { &s.env_reads } else { &[] };
    effects(s.sdk_calls.iter(), secrets, &s.imports)
}

/// The first effect among SDK calls, secret reads and effectful imports.
fn effects<'s>(
    mut calls: impl Iterator<Item = &'s perimeter_code::SdkCall>,
    env_reads: &[String],
    imports: &[String],
) -> Option<String> {
    if let Some(call) = calls.find(|c| !c.is_http() && !telemetry(&c.service, &c.operation)) {
        return Some(format!("calls `{}:{}`", call.service, call.operation));
    }
    if let Some(name) = env_reads.iter().find(|n| secret_name(n)) {
        return Some(format!("reads the secret `{name}`"));
    }
    imports
        .iter()
        .find(|p| effectful_package(p))
        .map(|p| format!("uses `{p}`"))
}

/// What the deployment grants a function whose code was not analysed: a file system, a
/// database of the template in its network or named in its environment, what its role
/// allows, a secret or a connection string it is given. When its own role grants nothing, a
/// descriptor of the same scan that deploys the same handler from the same folder (a
/// generated duplicate, such as a Lambda Annotations `serverless.template` beside the
/// `template.yaml` really deployed) is judged too: which one is deployed is not known.
fn granted(cx: &AppContext<'_>, f: &Function) -> Grant {
    let own = grant_of(
        &mut Within {
            app: cx.app,
            summaries: cx.summaries,
            seen: vec![f.id.clone()],
        },
        f,
    );
    if !matches!(own, Grant::Nothing(_)) {
        return own;
    }
    let (Some(handler), Some(dir)) = (f.handler_str(), f.code_dir.as_deref()) else {
        return own;
    };
    for peer in cx.apps.iter().filter(|a| a.id != cx.app.id) {
        for pf in peer
            .functions
            .iter()
            .filter(|pf| pf.handler_str() == Some(handler) && pf.code_dir.as_deref() == Some(dir))
        {
            let mut within = Within {
                app: peer,
                summaries: &[],
                seen: vec![pf.id.clone()],
            };
            match grant_of(&mut within, pf) {
                Grant::Data(d) => {
                    return Grant::Data(format!(
                        "`{}` deploys the same handler, where {d}",
                        peer.id
                    ));
                }
                Grant::Unknown(u) => {
                    return Grant::Unknown(format!(
                        "`{}` deploys the same handler, where {u}",
                        peer.id
                    ));
                }
                Grant::Nothing(_) => {}
            }
        }
    }
    own
}

/// [`granted`] within one application.
fn grant_of(w: &mut Within<'_>, f: &Function) -> Grant {
    let app = w.app;
    if app.framework == Framework::Azure {
        return Grant::Unknown(
            "the function app's identity and settings are not modelled".to_owned(),
        );
    }
    if let Some(fs) = file_system(f) {
        return Grant::Data(fs);
    }
    if let Some(db) = database(app, f) {
        return Grant::Data(db);
    }
    let role = role_grant(w, f);
    if !matches!(role, Grant::Nothing(_)) {
        return role;
    }
    if let Some(e) = f.environment.iter().find(|e| secret_name(&e.name)) {
        return Grant::Data(format!("it is given the secret `{}`", e.name));
    }
    if let Some(e) = f
        .environment
        .iter()
        .find(|e| e.value.as_str().is_some_and(connection_string))
    {
        return Grant::Data(format!("it is given a connection string in `{}`", e.name));
    }
    role
}

/// URL schemes of data stores and brokers: a value that starts with one is a connection
/// string.
const STORE_SCHEMES: &[&str] = &[
    "mongodb://",
    "mongodb+srv://",
    "postgres://",
    "postgresql://",
    "mysql://",
    "mariadb://",
    "redis://",
    "rediss://",
    "amqp://",
    "amqps://",
    "jdbc:",
    "sqlserver://",
];

/// Whether a value is a connection string to a data store.
fn connection_string(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    STORE_SCHEMES.iter().any(|s| v.starts_with(s))
}

/// A file system the function mounts (SAM/CloudFormation `FileSystemConfigs`, Serverless
/// `fileSystemConfig`): files shared with other functions are data.
fn file_system(f: &Function) -> Option<String> {
    let props = f.properties.as_ref()?;
    let fs = props
        .get("FileSystemConfigs")
        .or_else(|| props.get("fileSystemConfig"))
        .filter(|n| !n.is_null())?;
    Some(match fs.referenced_ids().first() {
        Some(id) => format!("it mounts the EFS file system `{id}`"),
        None => "it mounts an EFS file system".to_owned(),
    })
}

/// Resource types of databases reached over the network with credentials, not through IAM:
/// the role does not show access to them.
const DATABASES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBProxy",
    "AWS::RDS::DBProxyEndpoint",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::MemoryDB::Cluster",
    "AWS::Redshift::Cluster",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
];

/// A database of the template the function reaches: one its environment names (an
/// endpoint, an address), or any when the function runs in a VPC (its security groups
/// are not followed: a function placed in the database's network is taken to reach it).
fn database(app: &Application, f: &Function) -> Option<String> {
    let dbs: Vec<&str> = app
        .resources
        .iter()
        .filter(|r| DATABASES.contains(&r.type_name.as_str()))
        .map(|r| r.id.as_str())
        .collect();
    if dbs.is_empty() {
        return None;
    }
    for e in &f.environment {
        if let Some(id) = e
            .value
            .referenced_ids()
            .into_iter()
            .find(|id| dbs.contains(&id.as_str()))
        {
            return Some(format!("it is given the database `{id}` in `{}`", e.name));
        }
    }
    let props = f.properties.as_ref()?;
    props
        .get("VpcConfig")
        .or_else(|| props.get("vpc"))
        .filter(|n| !n.is_null())?;
    Some(format!(
        "it runs in a VPC beside the database `{}` of the template",
        dbs[0]
    ))
}

/// Verbs of actions that change or start something: named first in a message, as they say
/// most about what a caller can do.
const WRITE_VERBS: &[&str] = &[
    "Put", "Delete", "Update", "Write", "Send", "Publish", "Start", "Invoke", "Create",
];

/// What a function's role grants.
fn role_grant(w: &mut Within<'_>, f: &Function) -> Grant {
    let app = w.app;
    let Some(role) = app.role_of(f) else {
        // No role in the model: only the framework's default (logging) role, where the
        // framework makes one.
        return match app.framework {
            Framework::Serverless | Framework::Sam if f.role.is_none() => Grant::Nothing(
                "it runs with the framework's default role, which grants only logging".to_owned(),
            ),
            _ => Grant::Unknown("its role is not known".to_owned()),
        };
    };
    match role.origin {
        RoleOrigin::External => {
            return Grant::Unknown("its role is defined outside the template".to_owned());
        }
        RoleOrigin::Generated => {
            return Grant::Unknown("its policy is generated from the code".to_owned());
        }
        _ => {}
    }
    if let Some(m) = role
        .managed_policies
        .iter()
        .map(policy_arn)
        .find(|m| m.as_deref().is_none_or(|n| !basic_managed_policy(n)))
    {
        return match m {
            Some(n) => Grant::Data(format!("its role has the managed policy `{n}`")),
            None => Grant::Unknown("its role has a managed policy that is not resolved".to_owned()),
        };
    }
    let grant = role_actions(w, f, role);
    // A role several functions share (a Serverless service's role) says what the service
    // needs, not what this function does: when every resource it grants data access to is
    // named, and this function is given none of those names, nothing ties the function to
    // them (its code, which would, was not analysed).
    if let Grant::Data(d) = &grant
        && role.functions.len() > 1
        && let Some(resources) = data_resources(role)
        && !f
            .environment
            .iter()
            .any(|e| resource_setting(e) || resources.iter().any(|r| names(&e.value, r)))
    {
        let allows = d.strip_prefix("its role allows ").unwrap_or(d);
        return Grant::Nothing(format!(
            "the role it shares with {} other function{} allows {allows} on named resources, none of which it is given",
            role.functions.len() - 1,
            if role.functions.len() == 2 { "" } else { "s" },
        ));
    }
    grant
}

/// The resources of a role's statements that allow more than telemetry, when each is named
/// (`None` when one is `*`, a `NotResource`, or not written as a string or a reference).
fn data_resources(role: &Role) -> Option<Vec<&perimeter_model::Node>> {
    let mut out = Vec::new();
    for st in role.statements.iter().filter(|s| s.allow) {
        let data = st.action_strs().any(|(a, _)| {
            let (service, action) = a.split_once(':').unwrap_or((a, "*"));
            !telemetry(&service.to_ascii_lowercase(), action)
        });
        if !data {
            continue;
        }
        if !st.not_resources.is_empty() || st.resources.is_empty() {
            return None;
        }
        for r in &st.resources {
            let text = r.display();
            if text.trim() == "*" || text.trim() == "'*'" || text.contains("\"*\"") {
                return None;
            }
            out.push(r);
        }
    }
    Some(out)
}

/// Words of a variable name that say it holds where a resource is (`ORDERS_TABLE`,
/// `QUEUE_URL`, `UPLOAD_BUCKET`).
const RESOURCE_WORDS: &[&str] = &[
    "TABLE",
    "BUCKET",
    "QUEUE",
    "TOPIC",
    "STREAM",
    "ARN",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "DB",
    "DATABASE",
    "INDEX",
    "DOMAIN",
    "CLUSTER",
    "FUNCTION",
    "MACHINE",
    "BUS",
    "SECRET",
    "PARAMETER",
    "KEY",
];

/// Whether an environment variable points at some resource, whichever: by its name, a
/// reference to a template resource, another stack's output or a construct, or an ARN or
/// AWS endpoint in its value. Such a function may reach what its role grants through it
/// (permissions a plugin adds are not all in the model).
fn resource_setting(e: &perimeter_model::EnvVar) -> bool {
    let upper = e.name.to_ascii_uppercase();
    if upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| RESOURCE_WORDS.contains(&w))
    {
        return true;
    }
    if !e.value.referenced_ids().is_empty() {
        return true;
    }
    let v = e.value.display();
    [
        "arn:",
        "amazonaws.com",
        "construct:",
        "cf:",
        "ImportValue",
        "ssm:",
    ]
    .iter()
    .any(|m| v.contains(m))
}

/// Whether an environment value names a resource of a statement: both refer to the same
/// template resource, or the value's text is part of the resource's (a bucket name, or a
/// deployment option, in its ARN), or the resource's last name part is part of the value's (a
/// queue's name in its URL).
fn names(value: &perimeter_model::Node, resource: &perimeter_model::Node) -> bool {
    let ids = resource.referenced_ids();
    if value.referenced_ids().iter().any(|id| ids.contains(id)) {
        return true;
    }
    let distinctive = |t: &str| {
        t.len() >= 4
            && !t.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !matches!(t.to_ascii_lowercase().as_str(), "true" | "false" | "null")
    };
    let v = value.display();
    let r = resource.display();
    let v = v.trim();
    if distinctive(v) && r.contains(v) {
        return true;
    }
    let last = r
        .rsplit([':', '/'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('*');
    distinctive(last) && v.contains(last)
}

/// A managed policy's name or ARN as far as it is written: a string, or the text of a
/// `Fn::Join`/`Fn::Sub` whose unresolved parts are only pseudo parameters (CDK writes
/// `arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`).
fn policy_arn(node: &perimeter_model::Node) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.to_owned());
    }
    let (name, arg) = node.intrinsic()?;
    match name {
        "Fn::Join" => {
            let items = arg.items();
            let sep = items.first()?.as_str()?;
            let parts = items.get(1)?.items();
            let mut out = Vec::new();
            for p in parts {
                match (p.as_str(), p.intrinsic()) {
                    (Some(s), _) => out.push(s.to_owned()),
                    (None, Some(("Ref", r)))
                        if r.as_str().is_some_and(|r| r.starts_with("AWS::")) =>
                    {
                        out.push(format!("${{{}}}", r.as_str().unwrap_or_default()));
                    }
                    _ => return None,
                }
            }
            Some(out.join(sep))
        }
        "Fn::Sub" => arg
            .as_str()
            .filter(|t| {
                // Only pseudo parameters: a template parameter could name any policy.
                t.split("${").skip(1).all(|p| p.starts_with("AWS::"))
            })
            .map(str::to_owned),
        _ => None,
    }
}

/// What a role's statements allow beyond telemetry. A grant that serves the platform, not
/// the code (sending to the function's own dead-letter queue), is no reach of the code's;
/// starting a state machine of the template reaches what its tasks reach.
fn role_actions(w: &mut Within<'_>, f: &Function, role: &Role) -> Grant {
    // (action, its statement, what it reaches beyond itself)
    let mut data: Vec<(&str, &perimeter_model::Statement, Option<String>)> = Vec::new();
    // What is granted that reaches no data, said when nothing else is granted.
    let mut quiet = None;
    for st in role.statements.iter().filter(|s| s.allow) {
        if !st.not_actions.is_empty() || st.action_strs().count() < st.actions.len() {
            return Grant::Unknown("its role allows actions that are not resolved".to_owned());
        }
        for (a, _) in st.action_strs() {
            let (service, action) = a.split_once(':').unwrap_or((a, "*"));
            let service = service.to_ascii_lowercase();
            if telemetry(&service, action) || dead_letter_grant(f, &service, action, st) {
                continue;
            }
            if service == "states"
                && (action.eq_ignore_ascii_case("StartExecution")
                    || action.eq_ignore_ascii_case("StartSyncExecution"))
                && let Some(machines) = machines_of(w.app, st)
            {
                let mut reached = None;
                for m in &machines {
                    match machine_reach(w, m) {
                        Grant::Nothing(_) => {}
                        Grant::Data(d) | Grant::Unknown(d) => {
                            reached = Some(format!("state machine `{m}`, {d}"));
                            break;
                        }
                    }
                }
                match reached {
                    Some(r) => data.push((a, st, Some(r))),
                    None => {
                        quiet = quiet.or_else(|| {
                            Some(format!(
                                "its role grants no data access (`{a}` starts `{}`, whose tasks reach no data)",
                                machines.join("`, `")
                            ))
                        });
                    }
                }
                continue;
            }
            data.push((a, st, None));
        }
    }
    let verb = |a: &&(&str, &perimeter_model::Statement, Option<String>)| {
        let action = a.0.split_once(':').map_or(a.0, |(_, x)| x);
        action == "*" || WRITE_VERBS.iter().any(|v| action.starts_with(v))
    };
    match data.iter().find(verb).or(data.first()) {
        // Every action of every service reads as more than it is when the statement names
        // its resource (`*` on one bucket): the resource is said.
        Some(&(a, st, None)) if a == "*" && st.resources.len() == 1 => {
            let r = st.resources[0].display();
            if r.trim() == "*" {
                Grant::Data("its role allows `*`".to_owned())
            } else {
                Grant::Data(format!("its role allows `*` on `{}`", r.trim()))
            }
        }
        Some((a, _, None)) => Grant::Data(format!("its role allows `{a}`")),
        Some((a, _, Some(r))) => Grant::Data(format!("its role allows `{a}` ({r})")),
        None => {
            Grant::Nothing(quiet.unwrap_or_else(|| "its role grants no data access".to_owned()))
        }
    }
}

/// Whether a statement only lets the platform deliver failed asynchronous events to the
/// function's own dead-letter queue or topic: Lambda sends them, the code does not.
fn dead_letter_grant(
    f: &Function,
    service: &str,
    action: &str,
    st: &perimeter_model::Statement,
) -> bool {
    let Some(dlq) = &f.dead_letter else {
        return false;
    };
    let sends = (service == "sqs" && action.eq_ignore_ascii_case("SendMessage"))
        || (service == "sns" && action.eq_ignore_ascii_case("Publish"));
    if !sends || st.resources.is_empty() {
        return false;
    }
    let targets = dlq.referenced_ids();
    !targets.is_empty()
        && st.resources.iter().all(|r| {
            let ids = r.referenced_ids();
            !ids.is_empty() && ids.iter().all(|id| targets.contains(id))
        })
}

/// The state machines of the application a statement's resources all designate (by
/// reference or by name), or `None` when one resource is anything else (`*`, another
/// account's machine).
fn machines_of(app: &Application, st: &perimeter_model::Statement) -> Option<Vec<String>> {
    if st.resources.is_empty() || !st.not_resources.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for r in &st.resources {
        let ids = r.referenced_ids();
        let ids: Vec<String> = if ids.is_empty() {
            let text = r.as_str()?;
            let name = text.rsplit(':').next()?;
            app.resources
                .iter()
                .filter(|m| {
                    machine::is_machine(m)
                        && m.prop("StateMachineName")
                            .and_then(perimeter_model::Node::as_str)
                            == Some(name)
                })
                .map(|m| m.id.clone())
                .collect()
        } else {
            ids
        };
        if ids.is_empty()
            || !ids
                .iter()
                .all(|id| app.resource(id).is_some_and(machine::is_machine))
        {
            return None;
        }
        out.extend(ids);
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// What starting a state machine reaches: the first of its tasks that reaches data, else
/// not known when a task or the definition is not known, else nothing.
fn machine_reach(w: &mut Within<'_>, id: &str) -> Grant {
    if w.seen.iter().any(|s| s == id) {
        return Grant::Nothing("already judged".to_owned());
    }
    w.seen.push(id.to_owned());
    let app = w.app;
    let Some(tasks) = app.resource(id).and_then(|r| machine::tasks(app, r)) else {
        return Grant::Unknown("whose definition is not read".to_owned());
    };
    let mut unknown = None;
    for t in tasks {
        match t {
            machine::Task::Service(a) => {
                let (service, action) = a.split_once(':').unwrap_or((&a, ""));
                if !telemetry(&service.to_ascii_lowercase(), action) {
                    return Grant::Data(format!("whose task calls `{a}`"));
                }
            }
            machine::Task::Function(fid) => match function_reach(w, &fid) {
                Grant::Data(d) => return Grant::Data(format!("whose task `{fid}` {d}")),
                Grant::Unknown(u) => unknown = unknown.or(Some(format!("whose task `{fid}` {u}"))),
                Grant::Nothing(_) => {}
            },
            machine::Task::Machine(m) => match machine_reach(w, &m) {
                Grant::Data(d) => return Grant::Data(format!("which starts `{m}`, {d}")),
                Grant::Unknown(u) => unknown = unknown.or(Some(format!("which starts `{m}`, {u}"))),
                Grant::Nothing(_) => {}
            },
            machine::Task::Unknown(r) => {
                unknown = unknown.or(Some(format!("whose task `{r}` is not known")));
            }
        }
    }
    unknown.map_or_else(
        || Grant::Nothing("whose tasks reach no data".to_owned()),
        Grant::Unknown,
    )
}

/// What a function a state machine invokes reaches: from its code when analysed whole, else
/// from its deployment.
fn function_reach(w: &mut Within<'_>, id: &str) -> Grant {
    if w.seen.iter().any(|s| s == id) {
        return Grant::Nothing("already judged".to_owned());
    }
    w.seen.push(id.to_owned());
    let app = w.app;
    let Some(f) = app.function(id) else {
        return Grant::Unknown("is not known".to_owned());
    };
    if let Some(s) = w.summaries.iter().find(|s| s.function == id)
        && s.handler.is_some()
        && s.errors.is_empty()
    {
        return match from_code(f, s, false) {
            Reach::Effects(e) => Grant::Data(e),
            Reach::Stateless | Reach::Guarded(_) => Grant::Nothing("reaches no data".to_owned()),
            _ => Grant::Unknown("is not analysed whole".to_owned()),
        };
    }
    match grant_of(w, f) {
        Grant::Data(d) => Grant::Data(format!("is not analysed and {d}")),
        Grant::Unknown(u) => Grant::Unknown(format!("is not analysed and {u}")),
        n @ Grant::Nothing(_) => n,
    }
}

/// Plugins that run an application on the developer's machine.
const LOCAL_PLUGINS: &[&str] = &[
    "serverless-offline",
    "serverless-dynamodb-local",
    "serverless-dynamodb",
    "serverless-localstack",
];

/// When a Serverless descriptor only serves local development: it runs a local plugin and
/// names no deployment stage (its stage is `local`, `offline` or `localhost`, or the file
/// itself is a local variant such as `serverless.offline.yml`). Returns the plugin and why.
pub(crate) fn local_only(app: &Application) -> Option<String> {
    if app.framework != perimeter_model::Framework::Serverless {
        return None;
    }
    let doc = app.document.as_ref()?;
    let plugins = doc.get("plugins")?;
    let list = match plugins.get("modules") {
        Some(m) => m.items(),
        None => plugins.items(),
    };
    let plugin = list
        .iter()
        .filter_map(|p| p.as_str())
        .find(|p| LOCAL_PLUGINS.contains(p))?
        .to_owned();
    let file = app
        .id
        .rsplit('/')
        .next()
        .unwrap_or(&app.id)
        .to_ascii_lowercase();
    if file.contains("offline") || file.contains(".local.") || file.contains("-local.") {
        return Some(format!("`{plugin}`, file `{file}`"));
    }
    let stage = doc.path(&["provider", "stage"]).and_then(|s| s.as_str())?;
    matches!(
        stage.to_ascii_lowercase().as_str(),
        "local" | "offline" | "localhost"
    )
    .then(|| format!("`{plugin}`, stage `{stage}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(secret_name("GITHUB_TOKEN"));
        assert!(secret_name("google_api_key"));
        assert!(secret_name("MONGODB_URI"));
        assert!(secret_name("AzureOpenAIKey"));
        assert!(!secret_name("TABLE_NAME"));
        assert!(!secret_name("POWERTOOLS_SERVICE_NAME"));
        assert!(!secret_name("KEYBOARD_LAYOUT"));
    }

    #[test]
    fn effectful_packages() {
        assert!(effectful_package("@aws-sdk/client-dynamodb"));
        assert!(effectful_package("boto3"));
        assert!(effectful_package("azure.cosmos"));
        assert!(effectful_package("pg"));
        assert!(!effectful_package("pgp"));
        assert!(!effectful_package("express"));
        assert!(!effectful_package("flask"));
    }
}
