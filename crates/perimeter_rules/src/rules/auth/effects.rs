//! What a route's function does, as far as its code and its role show: how much leaving the
//! route unauthenticated exposes.

use perimeter_code::FunctionSummary;
use perimeter_diagnostics::{Kind, Severity};
use perimeter_model::{Application, Function, RoleOrigin};

/// What an unauthenticated caller reaches through a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Data stores, secrets, other services or a dangerous sink: what was seen first.
    Effects(String),
    /// The code was analysed whole and touches nothing beyond its own response.
    Stateless,
    /// The code was not analysed (another language) and its role grants no data access;
    /// still high, the code may reach stores outside AWS.
    BasicRole,
    /// Not known (code not found or not analysed whole, role defined elsewhere).
    Unknown,
    /// The code denies the caller (401 or 403, then leaves) before any effect: the route is
    /// authenticated in code, at this place (`path:line`).
    Guarded(String),
}

impl Reach {
    /// The severity of an unauthenticated route to such a function.
    pub(crate) fn severity(&self) -> Severity {
        match self {
            // Code not analysed may still reach a store outside AWS, or the role of a
            // duplicate descriptor may not be the one deployed: it stays high.
            Reach::Effects(_) | Reach::Unknown | Reach::BasicRole => Severity::High,
            Reach::Stateless | Reach::Guarded(_) => Severity::Low,
        }
    }
}

/// Packages whose import means the code talks to a data store, a paid or messaging service,
/// a browser that fetches what it is told, or the AWS SDK in a form the analysis may not
/// follow (a prefix ending in `/` or `.` covers a scope or a package's submodules).
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
    "puppeteer",
    "puppeteer-core",
    "chrome-aws-lambda",
    "chrome-remote-interface",
    "@serverless-chrome/",
    "@sparticuz/chromium",
    "playwright",
    "playwright-core",
    "selenium",
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

/// Managed policies that grant only logging, tracing and VPC access.
fn basic_managed_policy(name: &str) -> bool {
    [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess",
        "CloudWatchLambdaInsightsExecutionRolePolicy",
    ]
    .iter()
    .any(|p| name.ends_with(p))
}

/// What a function reaches: from its code summary when there is one, else from its role.
/// A guard counts only for a route that reaches one handler: behind a catch-all route
/// (`{proxy+}`, `ANY /`) a framework serves many routes, and one route's check does not
/// protect the others.
pub(crate) fn reach(
    app: &Application,
    f: &Function,
    summary: Option<&FunctionSummary>,
    catch_all: bool,
) -> Reach {
    match summary {
        Some(s) => from_code(s, catch_all),
        None => from_role(app, f),
    }
}

/// What the analysed code reaches.
pub(crate) fn from_code(s: &FunctionSummary, catch_all: bool) -> Reach {
    if s.handler.is_none() || !s.errors.is_empty() {
        return Reach::Unknown;
    }
    if let Some(g) = s.guards.first().filter(|_| !catch_all) {
        return Reach::Guarded(format!("{}:{}", g.path(), g.start().line));
    }
    if let Some(flow) = s
        .flows
        .iter()
        .find(|fl| !matches!(fl.kind, Kind::VerboseError | Kind::Xss))
    {
        return Reach::Effects(format!("passes event data to `{}`", flow.sink_name));
    }
    // What a request reaches, when the analysis tells it apart from what the modules do when
    // they load: a client built, a secret read or a package imported at load is no effect of
    // the route's own.
    let Some(request) = &s.request else {
        return whole(s).map_or(Reach::Stateless, Reach::Effects);
    };
    let calls = request.sdk_calls.iter().filter_map(|&i| s.sdk_calls.get(i));
    if let Some(e) = effects(calls, &request.env_reads, &request.imports) {
        return Reach::Effects(e);
    }
    // A call the analysis cannot follow (dynamic dispatch) may reach anything the modules set
    // up: still charged, and said so.
    match (&request.opaque, whole(s)) {
        (Some(at), Some(e)) => Reach::Effects(format!(
            "{e} (set up when its modules load, maybe reached through the call at `{}:{}`)",
            at.path(),
            at.start().line
        )),
        _ => Reach::Stateless,
    }
}

/// What the code reaches, taken whole: every SDK call, environment read and import.
fn whole(s: &FunctionSummary) -> Option<String> {
    effects(s.sdk_calls.iter(), &s.env_reads, &s.imports)
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

/// What a function whose code was not analysed may reach, from its role and environment.
fn from_role(app: &Application, f: &Function) -> Reach {
    if let Some(e) = f.environment.iter().find(|e| secret_name(&e.name)) {
        return Reach::Effects(format!("is given the secret `{}`", e.name));
    }
    let Some(role) = app.role_of(f) else {
        // No role in the model: only the framework's default (logging) role, where the
        // framework makes one.
        return match app.framework {
            perimeter_model::Framework::Serverless | perimeter_model::Framework::Sam
                if f.role.is_none() =>
            {
                Reach::BasicRole
            }
            _ => Reach::Unknown,
        };
    };
    if role.origin == RoleOrigin::External {
        return Reach::Unknown;
    }
    if let Some(m) = role
        .managed_policies
        .iter()
        .find(|m| m.as_str().is_none_or(|n| !basic_managed_policy(n)))
    {
        return Reach::Effects(format!(
            "runs with the managed policy `{}`",
            m.as_str().unwrap_or("?")
        ));
    }
    for st in role.statements.iter().filter(|s| s.allow) {
        if !st.not_actions.is_empty() || st.action_strs().count() < st.actions.len() {
            return Reach::Effects("has a role with unresolved actions".to_owned());
        }
        for (a, _) in st.action_strs() {
            let (service, action) = a.split_once(':').unwrap_or((a, "*"));
            if !telemetry(&service.to_ascii_lowercase(), action) {
                return Reach::Effects(format!("may call `{a}`"));
            }
        }
    }
    Reach::BasicRole
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
