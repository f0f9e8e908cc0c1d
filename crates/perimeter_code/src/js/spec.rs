//! What the JavaScript taint engine looks for, as plain data: sinks, sanitizers, pass-through
//! wrappers and AWS SDK tables. The engine in `taint.rs` matches calls against these tables
//! and never names a library itself, so adding a sink is adding a row.

pub(crate) use crate::spec::{
    Clean, DYNAMODB_EXPRESSIONS, S3_READS, SDK_PAYLOAD_FIELDS, SDK_RESOURCE_FIELDS, Sanitizer,
};
use crate::spec::{SHELL_ONLY, SQL_ONLY, XSS_ONLY, san};
use perimeter_diagnostics::Kind;

/// How a sink argument is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The value or anything inside it is tainted.
    Deep,
    /// A SQL text: a string, or an object whose `sql`/`text` field is the text.
    Sql,
    /// A MongoDB query: the object itself comes from the event, or its `$where` is tainted.
    MongoQuery,
    /// A URL: a string, or a request object whose `url`/`uri`/`host`/`hostname`/`baseURL` is
    /// tainted.
    Url,
    /// A command for `spawn`/`execFile`: fires on a tainted command, on tainted arguments of
    /// `sh -c`, or on anything tainted when the options ask for `shell: true`.
    Spawn,
    /// Code given as a string (not a function), as `setTimeout` accepts both.
    StringCode,
    /// XML parsed with entity expansion on (`{ noent: true }` in the next argument).
    XmlNoent,
    /// YAML loaded with a loader that may build arbitrary objects.
    YamlLoad,
}

/// One sink: calling `name` on something from `module` with a tainted argument.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sink {
    /// The npm module (normalised: `fs/promises` is `fs`), or `""` for a global whose whole
    /// dotted path is `name`.
    pub module: &'static str,
    /// The method or function name (the last member of the callee); `""` when the module
    /// itself is called (`axios(url)`).
    pub name: &'static str,
    /// Which argument is checked.
    pub arg: usize,
    /// What the sink does.
    pub kind: Kind,
    /// How the argument is judged.
    pub check: Check,
    /// Only as a constructor (`new Function`, `new vm.Script`); `None` for either.
    pub new_only: Option<bool>,
}

/// `arg` value meaning every argument (`new Function('a', 'b', body)`).
pub(crate) const ANY_ARG: usize = usize::MAX;

const fn sink(
    module: &'static str,
    name: &'static str,
    arg: usize,
    kind: Kind,
    check: Check,
) -> Sink {
    Sink {
        module,
        name,
        arg,
        kind,
        check,
        new_only: None,
    }
}

const SQL: Kind = Kind::InjectionSql;
const NOSQL: Kind = Kind::InjectionNosql;
const OS: Kind = Kind::InjectionOsCommand;
const CODE: Kind = Kind::InjectionCode;
const SSRF: Kind = Kind::Ssrf;
const PATH: Kind = Kind::PathTraversal;
const DESER: Kind = Kind::Deserialization;

/// Every sink the engine knows.
pub(crate) const SINKS: &[Sink] = &[
    // SQL
    sink("mysql", "query", 0, SQL, Check::Sql),
    sink("mysql2", "query", 0, SQL, Check::Sql),
    sink("mysql2", "execute", 0, SQL, Check::Sql),
    sink("pg", "query", 0, SQL, Check::Sql),
    sink("pg-pool", "query", 0, SQL, Check::Sql),
    sink("postgres", "unsafe", 0, SQL, Check::Sql),
    sink("mssql", "query", 0, SQL, Check::Sql),
    sink("mssql", "batch", 0, SQL, Check::Sql),
    Sink {
        module: "tedious",
        name: "Request",
        arg: 0,
        kind: SQL,
        check: Check::Sql,
        new_only: Some(true),
    },
    sink("sequelize", "query", 0, SQL, Check::Sql),
    sink("knex", "raw", 0, SQL, Check::Sql),
    sink("knex", "whereRaw", 0, SQL, Check::Sql),
    sink("better-sqlite3", "prepare", 0, SQL, Check::Sql),
    sink("better-sqlite3", "exec", 0, SQL, Check::Sql),
    sink("sqlite3", "run", 0, SQL, Check::Sql),
    sink("sqlite3", "all", 0, SQL, Check::Sql),
    sink("sqlite3", "get", 0, SQL, Check::Sql),
    sink("sqlite3", "exec", 0, SQL, Check::Sql),
    sink("typeorm", "query", 0, SQL, Check::Sql),
    sink("@prisma/client", "$queryRawUnsafe", 0, SQL, Check::Sql),
    sink("@prisma/client", "$executeRawUnsafe", 0, SQL, Check::Sql),
    // NoSQL (MongoDB and Mongoose)
    sink("mongodb", "find", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "findOne", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "findOneAndUpdate", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "findOneAndDelete", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "updateOne", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "updateMany", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "deleteOne", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "deleteMany", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "countDocuments", 0, NOSQL, Check::MongoQuery),
    sink("mongodb", "aggregate", 0, NOSQL, Check::MongoQuery),
    sink("mongoose", "find", 0, NOSQL, Check::MongoQuery),
    sink("mongoose", "findOne", 0, NOSQL, Check::MongoQuery),
    sink("mongoose", "updateOne", 0, NOSQL, Check::MongoQuery),
    sink("mongoose", "deleteMany", 0, NOSQL, Check::MongoQuery),
    sink("mongoose", "where", 0, NOSQL, Check::MongoQuery),
    // OS command
    sink("child_process", "exec", 0, OS, Check::Deep),
    sink("child_process", "execSync", 0, OS, Check::Deep),
    sink("child_process", "spawn", 0, OS, Check::Spawn),
    sink("child_process", "spawnSync", 0, OS, Check::Spawn),
    sink("child_process", "execFile", 0, OS, Check::Spawn),
    sink("child_process", "execFileSync", 0, OS, Check::Spawn),
    sink("shelljs", "exec", 0, OS, Check::Deep),
    sink("execa", "command", 0, OS, Check::Deep),
    sink("execa", "commandSync", 0, OS, Check::Deep),
    sink("execa", "execaCommand", 0, OS, Check::Deep),
    sink("execa", "execa", 0, OS, Check::Spawn),
    // Code
    sink("", "eval", 0, CODE, Check::Deep),
    sink("", "Function", ANY_ARG, CODE, Check::Deep),
    sink("", "setTimeout", 0, CODE, Check::StringCode),
    sink("", "setInterval", 0, CODE, Check::StringCode),
    sink("", "setImmediate", 0, CODE, Check::StringCode),
    sink("vm", "runInContext", 0, CODE, Check::Deep),
    sink("vm", "runInNewContext", 0, CODE, Check::Deep),
    sink("vm", "runInThisContext", 0, CODE, Check::Deep),
    sink("vm", "compileFunction", 0, CODE, Check::Deep),
    Sink {
        module: "vm",
        name: "Script",
        arg: 0,
        kind: CODE,
        check: Check::Deep,
        new_only: Some(true),
    },
    sink("vm2", "run", 0, CODE, Check::Deep),
    // Deserialization
    sink("node-serialize", "unserialize", 0, DESER, Check::Deep),
    sink("serialize-to-js", "deserialize", 0, DESER, Check::Deep),
    sink("funcster", "deepDeserialize", 0, DESER, Check::Deep),
    sink("js-yaml", "load", 0, DESER, Check::YamlLoad),
    sink("js-yaml", "loadAll", 0, DESER, Check::YamlLoad),
    sink("js-yaml", "unsafeLoad", 0, DESER, Check::Deep),
    sink("js-yaml", "unsafeLoadAll", 0, DESER, Check::Deep),
    // XXE
    sink("libxmljs", "parseXml", 0, Kind::Xxe, Check::XmlNoent),
    sink("libxmljs", "parseXmlString", 0, Kind::Xxe, Check::XmlNoent),
    sink("libxmljs2", "parseXml", 0, Kind::Xxe, Check::XmlNoent),
    sink("libxmljs2", "parseXmlString", 0, Kind::Xxe, Check::XmlNoent),
    // SSRF
    sink("http", "get", 0, SSRF, Check::Url),
    sink("http", "request", 0, SSRF, Check::Url),
    sink("https", "get", 0, SSRF, Check::Url),
    sink("https", "request", 0, SSRF, Check::Url),
    sink("", "fetch", 0, SSRF, Check::Url),
    sink("node-fetch", "", 0, SSRF, Check::Url),
    sink("node-fetch", "default", 0, SSRF, Check::Url),
    sink("undici", "fetch", 0, SSRF, Check::Url),
    sink("undici", "request", 0, SSRF, Check::Url),
    sink("cross-fetch", "", 0, SSRF, Check::Url),
    sink("axios", "", 0, SSRF, Check::Url),
    sink("axios", "get", 0, SSRF, Check::Url),
    sink("axios", "post", 0, SSRF, Check::Url),
    sink("axios", "put", 0, SSRF, Check::Url),
    sink("axios", "patch", 0, SSRF, Check::Url),
    sink("axios", "delete", 0, SSRF, Check::Url),
    sink("axios", "head", 0, SSRF, Check::Url),
    sink("axios", "request", 0, SSRF, Check::Url),
    sink("got", "", 0, SSRF, Check::Url),
    sink("got", "get", 0, SSRF, Check::Url),
    sink("got", "post", 0, SSRF, Check::Url),
    sink("got", "put", 0, SSRF, Check::Url),
    sink("got", "stream", 0, SSRF, Check::Url),
    sink("request", "", 0, SSRF, Check::Url),
    sink("request", "get", 0, SSRF, Check::Url),
    sink("request", "post", 0, SSRF, Check::Url),
    sink("request-promise", "", 0, SSRF, Check::Url),
    sink("request-promise-native", "", 0, SSRF, Check::Url),
    sink("needle", "", 1, SSRF, Check::Url),
    sink("needle", "get", 0, SSRF, Check::Url),
    sink("needle", "post", 0, SSRF, Check::Url),
    sink("needle", "request", 1, SSRF, Check::Url),
    sink("superagent", "", 1, SSRF, Check::Url),
    sink("superagent", "get", 0, SSRF, Check::Url),
    sink("superagent", "post", 0, SSRF, Check::Url),
    sink("ky", "", 0, SSRF, Check::Url),
    sink("ky", "get", 0, SSRF, Check::Url),
    sink("ky", "post", 0, SSRF, Check::Url),
    // A headless browser told where to go (`page.goto(url)`, the DevTools protocol's
    // `Page.navigate({ url })`): it loads the page with the function's network.
    sink("puppeteer", "goto", 0, SSRF, Check::Url),
    sink("puppeteer-core", "goto", 0, SSRF, Check::Url),
    sink("chrome-aws-lambda", "goto", 0, SSRF, Check::Url),
    sink("playwright", "goto", 0, SSRF, Check::Url),
    sink("playwright-core", "goto", 0, SSRF, Check::Url),
    sink("playwright-chromium", "goto", 0, SSRF, Check::Url),
    sink("chrome-remote-interface", "navigate", 0, SSRF, Check::Url),
    // Path traversal
    sink("fs", "readFile", 0, PATH, Check::Deep),
    sink("fs", "readFileSync", 0, PATH, Check::Deep),
    sink("fs", "createReadStream", 0, PATH, Check::Deep),
    sink("fs", "createWriteStream", 0, PATH, Check::Deep),
    sink("fs", "writeFile", 0, PATH, Check::Deep),
    sink("fs", "writeFileSync", 0, PATH, Check::Deep),
    sink("fs", "appendFile", 0, PATH, Check::Deep),
    sink("fs", "appendFileSync", 0, PATH, Check::Deep),
    sink("fs", "unlink", 0, PATH, Check::Deep),
    sink("fs", "unlinkSync", 0, PATH, Check::Deep),
    sink("fs", "rm", 0, PATH, Check::Deep),
    sink("fs", "rmSync", 0, PATH, Check::Deep),
    sink("fs", "readdir", 0, PATH, Check::Deep),
    sink("fs", "readdirSync", 0, PATH, Check::Deep),
    sink("fs", "open", 0, PATH, Check::Deep),
    sink("fs", "openSync", 0, PATH, Check::Deep),
    sink("fs", "rename", 0, PATH, Check::Deep),
    sink("fs", "renameSync", 0, PATH, Check::Deep),
    sink("fs", "copyFile", 0, PATH, Check::Deep),
    sink("fs", "copyFileSync", 0, PATH, Check::Deep),
    sink("fs", "stat", 0, PATH, Check::Deep),
    sink("fs", "access", 0, PATH, Check::Deep),
    sink("fs-extra", "readFile", 0, PATH, Check::Deep),
    sink("fs-extra", "readJson", 0, PATH, Check::Deep),
    sink("fs-extra", "writeFile", 0, PATH, Check::Deep),
    sink("fs-extra", "remove", 0, PATH, Check::Deep),
    sink("fs-extra", "outputFile", 0, PATH, Check::Deep),
];

/// Every sanitizer the engine knows.
pub(crate) const SANITIZERS: &[Sanitizer] = &[
    san("", "Number", Clean::All),
    san("", "parseInt", Clean::All),
    san("", "parseFloat", Clean::All),
    san("", "Number.parseInt", Clean::All),
    san("", "Number.parseFloat", Clean::All),
    san("", "Number.isInteger", Clean::All),
    san("", "Boolean", Clean::All),
    san("", "isNaN", Clean::All),
    san("", "Date.parse", Clean::All),
    san("", "Math.*", Clean::All),
    san(
        "",
        "encodeURIComponent",
        Clean::Kinds(&[Kind::Ssrf, Kind::PathTraversal, Kind::Xss]),
    ),
    san("mysql", "escape", SQL_ONLY),
    san("mysql", "escapeId", SQL_ONLY),
    san("mysql", "format", SQL_ONLY),
    san("mysql2", "escape", SQL_ONLY),
    san("mysql2", "escapeId", SQL_ONLY),
    san("mysql2", "format", SQL_ONLY),
    san("sqlstring", "escape", SQL_ONLY),
    san("sqlstring", "escapeId", SQL_ONLY),
    san("sqlstring", "format", SQL_ONLY),
    san("pg", "escapeLiteral", SQL_ONLY),
    san("pg", "escapeIdentifier", SQL_ONLY),
    san("pg-format", "literal", SQL_ONLY),
    san("pg-format", "ident", SQL_ONLY),
    san("path", "basename", Clean::Kinds(&[Kind::PathTraversal])),
    san("shell-quote", "quote", SHELL_ONLY),
    san("shell-escape", "", SHELL_ONLY),
    san("shellescape", "", SHELL_ONLY),
    san("any-shell-escape", "", SHELL_ONLY),
    san("escape-html", "", XSS_ONLY),
    san("he", "encode", XSS_ONLY),
    san("he", "escape", XSS_ONLY),
    san("xss", "", XSS_ONLY),
    san("dompurify", "sanitize", XSS_ONLY),
    san("isomorphic-dompurify", "sanitize", XSS_ONLY),
    san("sanitize-html", "", XSS_ONLY),
    san("validator", "escape", XSS_ONLY),
    san("validator", "toInt", Clean::All),
    san("validator", "toFloat", Clean::All),
    san("validator", "toBoolean", Clean::All),
    san("lodash", "escape", XSS_ONLY),
    san("lodash", "toNumber", Clean::All),
    san("lodash", "toInteger", Clean::All),
];

/// Calls whose result is their first argument (wrappers, promisifiers, tracers).
pub(crate) const PASS_THROUGH: &[(&str, &str)] = &[
    ("util", "promisify"),
    ("bluebird", "promisify"),
    ("bluebird", "promisifyAll"),
    ("aws-xray-sdk", "captureAWS"),
    ("aws-xray-sdk", "captureAWSClient"),
    ("aws-xray-sdk", "captureAWSv3Client"),
    ("aws-xray-sdk-core", "captureAWS"),
    ("aws-xray-sdk-core", "captureAWSClient"),
    ("aws-xray-sdk-core", "captureAWSv3Client"),
    ("", "Object.freeze"),
    ("", "Promise.resolve"),
    ("", "Object.assign"),
];

/// Functions whose argument is checked by an `if` that leaves when the check fails (an
/// allowlist guard): `if (!validator.isUUID(id)) return`.
pub(crate) const VALIDATORS: &[(&str, &str)] = &[
    ("validator", "*"),
    ("", "Number.isInteger"),
    ("", "Number.isSafeInteger"),
    ("", "Number.isFinite"),
    ("", "isFinite"),
    ("uuid", "validate"),
];

/// Packages that wrap an Express-style app into a Lambda handler.
pub(crate) const EXPRESS_MODULES: &[&str] = &["express", "koa-router", "@koa/router", "fastify"];

/// Express-style app and router methods that register route handlers.
pub(crate) const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "use", "options", "head", "route",
];

/// Express response methods that send a body.
pub(crate) const RESPONSE_SEND: &[&str] = &["send", "json", "jsonp", "end", "write", "render"];

/// Express response methods that serve a file from a path.
pub(crate) const RESPONSE_FILE: &[&str] = &["sendFile", "download", "sendfile"];

/// Node.js built-in modules (not npm packages, so not listed as imports).
pub(crate) const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
    "test",
];

/// Module specifiers that are the same module for matching (`fs/promises` is `fs`).
pub(crate) const MODULE_ALIASES: &[(&str, &str)] = &[
    ("fs/promises", "fs"),
    ("mysql2/promise", "mysql2"),
    ("child-process-promise", "child_process"),
    ("serverless-mysql", "mysql"),
    ("promise-mysql", "mysql"),
    ("pg-promise", "pg"),
    ("node-fetch-native", "node-fetch"),
    ("libxmljs2", "libxmljs"),
];

/// AWS SDK v2 client class names (`new AWS.SQS()`, `aws-sdk/clients/sqs`) and the service's
/// IAM prefix. The v3 package suffix (`@aws-sdk/client-sqs`) uses the second table.
pub(crate) const SDK_V2_CLASSES: &[(&str, &str)] = &[
    ("SQS", "sqs"),
    ("SNS", "sns"),
    ("S3", "s3"),
    ("DynamoDB", "dynamodb"),
    ("DocumentClient", "dynamodb"),
    ("Lambda", "lambda"),
    ("EventBridge", "events"),
    ("CloudWatchEvents", "events"),
    ("StepFunctions", "states"),
    ("Kinesis", "kinesis"),
    ("Firehose", "firehose"),
    ("SecretsManager", "secretsmanager"),
    ("SSM", "ssm"),
    ("SES", "ses"),
    ("SESV2", "ses"),
    ("KMS", "kms"),
    ("STS", "sts"),
    ("CognitoIdentityServiceProvider", "cognito-idp"),
    ("Athena", "athena"),
    ("CloudWatch", "cloudwatch"),
    ("CloudWatchLogs", "logs"),
    ("IAM", "iam"),
    ("ECS", "ecs"),
    ("EC2", "ec2"),
    ("RDSDataService", "rds-data"),
    ("Rekognition", "rekognition"),
    ("Textract", "textract"),
    ("Comprehend", "comprehend"),
    ("Glue", "glue"),
    ("ApiGatewayManagementApi", "execute-api"),
];

/// AWS SDK v3 package suffixes (`@aws-sdk/client-<suffix>`) and the IAM prefix.
pub(crate) const SDK_V3_PACKAGES: &[(&str, &str)] = &[
    ("sqs", "sqs"),
    ("sns", "sns"),
    ("s3", "s3"),
    ("dynamodb", "dynamodb"),
    ("lambda", "lambda"),
    ("eventbridge", "events"),
    ("cloudwatch-events", "events"),
    ("sfn", "states"),
    ("kinesis", "kinesis"),
    ("firehose", "firehose"),
    ("secrets-manager", "secretsmanager"),
    ("ssm", "ssm"),
    ("ses", "ses"),
    ("sesv2", "ses"),
    ("kms", "kms"),
    ("sts", "sts"),
    ("cognito-identity-provider", "cognito-idp"),
    ("athena", "athena"),
    ("cloudwatch", "cloudwatch"),
    ("cloudwatch-logs", "logs"),
    ("iam", "iam"),
    ("ecs", "ecs"),
    ("ec2", "ec2"),
    ("rds-data", "rds-data"),
    ("rekognition", "rekognition"),
    ("textract", "textract"),
    ("glue", "glue"),
    ("apigatewaymanagementapi", "execute-api"),
];

/// DynamoDB document-client methods and commands and the API operation each one calls.
pub(crate) const DOCUMENT_CLIENT_OPS: &[(&str, &str)] = &[
    ("put", "PutItem"),
    ("get", "GetItem"),
    ("update", "UpdateItem"),
    ("delete", "DeleteItem"),
    ("query", "Query"),
    ("scan", "Scan"),
    ("batchWrite", "BatchWriteItem"),
    ("batchGet", "BatchGetItem"),
    ("transactWrite", "TransactWriteItems"),
    ("transactGet", "TransactGetItems"),
    ("executeStatement", "ExecuteStatement"),
    ("batchExecuteStatement", "BatchExecuteStatement"),
    ("Put", "PutItem"),
    ("Get", "GetItem"),
    ("Update", "UpdateItem"),
    ("Delete", "DeleteItem"),
    ("Query", "Query"),
    ("Scan", "Scan"),
    ("BatchWrite", "BatchWriteItem"),
    ("BatchGet", "BatchGetItem"),
    ("TransactWrite", "TransactWriteItems"),
    ("TransactGet", "TransactGetItems"),
    ("ExecuteStatement", "ExecuteStatement"),
    ("BatchExecuteStatement", "BatchExecuteStatement"),
];

/// dynamoose model methods and the item operation each one makes.
pub(crate) const DYNAMOOSE_OPS: &[(&str, &str)] = &[
    ("get", "GetItem"),
    ("batchGet", "BatchGetItem"),
    ("query", "Query"),
    ("scan", "Scan"),
    ("create", "PutItem"),
    ("batchPut", "BatchWriteItem"),
    ("update", "UpdateItem"),
    ("delete", "DeleteItem"),
    ("batchDelete", "BatchWriteItem"),
    ("save", "PutItem"),
];

/// SDK client methods that are not API operations.
pub(crate) const SDK_NON_OPERATIONS: &[&str] = &[
    "promise",
    "send",
    "on",
    "config",
    "destroy",
    "middlewareStack",
    "then",
    "catch",
    "makeRequest",
    "makeUnauthenticatedRequest",
    "waitFor",
    "setupRequestListeners",
    "createPresignedPost",
    "getSignedUrlPromise",
    "getSignedUrl",
    "createReadStream",
];
