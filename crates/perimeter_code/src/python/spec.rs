//! What the Python taint engine looks for, as plain data: sinks, sanitizers, validators,
//! the standard library, and boto3 tables. The engine matches calls against these rows and
//! never names a library itself, so adding a sink is adding a row.

pub(crate) use crate::spec::{
    Clean, DYNAMODB_EXPRESSIONS, S3_READS, SDK_PAYLOAD_FIELDS, SDK_RESOURCE_FIELDS, Sanitizer,
};
use crate::spec::{PATH_ONLY, SHELL_ONLY, SQL_ONLY, XSS_ONLY, san};
use perimeter_diagnostics::Kind;

/// How a sink argument is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The value or anything inside it is tainted.
    Deep,
    /// SQL text: fires when the text is not a constant and carries taint (parameters passed
    /// separately are fine).
    Sql,
    /// A MongoDB filter: the whole dict comes from the event, or its `$where` is tainted.
    MongoQuery,
    /// `subprocess`: a tainted string command, a tainted program, or tainted arguments with
    /// `shell=True` or run by a shell (`sh -c`).
    Subprocess,
    /// lxml parsing: fires unless the parser argument is an `XMLParser` with
    /// `resolve_entities=False` (lxml's default parser expands entities).
    LxmlParse,
    /// `yaml.load`: fires unless the loader is a safe one.
    YamlLoad,
    /// The receiver of the method (`Path(x).read_text()`).
    Receiver,
}

/// One sink: calling `name` on something from `module`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sink {
    /// The top-level module the callee comes from (`os`, `subprocess`), `""` for builtins.
    pub module: &'static str,
    /// The dotted path from the module (`system`, `path.join`); `*.execute` matches the method
    /// `execute` of anything derived from the module (a connection, a cursor, a session).
    pub name: &'static str,
    /// Which positional argument is checked.
    pub arg: usize,
    /// The keyword naming the same argument, when it may be given by name.
    pub keyword: &'static str,
    /// What the sink does.
    pub kind: Kind,
    /// How the argument is judged.
    pub check: Check,
}

const fn sink(
    module: &'static str,
    name: &'static str,
    arg: usize,
    keyword: &'static str,
    kind: Kind,
    check: Check,
) -> Sink {
    Sink {
        module,
        name,
        arg,
        keyword,
        kind,
        check,
    }
}

const SQL: Kind = Kind::InjectionSql;
const NOSQL: Kind = Kind::InjectionNosql;
const OS: Kind = Kind::InjectionOsCommand;
const CODE: Kind = Kind::InjectionCode;
const SSRF: Kind = Kind::Ssrf;
const PATH: Kind = Kind::PathTraversal;
const DESER: Kind = Kind::Deserialization;
const XXE: Kind = Kind::Xxe;
const XSS: Kind = Kind::Xss;
use Check::{Deep, LxmlParse, MongoQuery, Receiver, Sql, Subprocess, YamlLoad};

/// Every sink the engine knows.
pub(crate) const SINKS: &[Sink] = &[
    // SQL: DB-API drivers and SQLAlchemy.
    sink("sqlite3", "*.execute", 0, "sql", SQL, Sql),
    sink("sqlite3", "*.executemany", 0, "sql", SQL, Sql),
    sink("sqlite3", "*.executescript", 0, "sql", SQL, Sql),
    sink("sqlite_utils", "*.query", 0, "sql", SQL, Sql),
    sink("sqlite_utils", "*.execute", 0, "sql", SQL, Sql),
    sink("pymysql", "*.execute", 0, "query", SQL, Sql),
    sink("pymysql", "*.executemany", 0, "query", SQL, Sql),
    sink("MySQLdb", "*.execute", 0, "query", SQL, Sql),
    sink("mysql", "*.execute", 0, "operation", SQL, Sql),
    sink("psycopg2", "*.execute", 0, "query", SQL, Sql),
    sink("psycopg2", "*.executemany", 0, "query", SQL, Sql),
    sink("psycopg", "*.execute", 0, "query", SQL, Sql),
    sink("pg8000", "*.execute", 0, "operation", SQL, Sql),
    sink("pg8000", "*.run", 0, "sql", SQL, Sql),
    sink("pyodbc", "*.execute", 0, "sql", SQL, Sql),
    sink("pymssql", "*.execute", 0, "operation", SQL, Sql),
    sink("cx_Oracle", "*.execute", 0, "statement", SQL, Sql),
    sink("oracledb", "*.execute", 0, "statement", SQL, Sql),
    sink("redshift_connector", "*.execute", 0, "operation", SQL, Sql),
    sink("snowflake", "*.execute", 0, "command", SQL, Sql),
    sink("sqlalchemy", "text", 0, "text", SQL, Sql),
    sink("sqlalchemy", "*.execute", 0, "statement", SQL, Sql),
    sink("sqlalchemy", "*.exec_driver_sql", 0, "statement", SQL, Sql),
    sink("pandas", "read_sql", 0, "sql", SQL, Sql),
    sink("pandas", "read_sql_query", 0, "sql", SQL, Sql),
    // NoSQL: MongoDB.
    sink("pymongo", "*.find", 0, "filter", NOSQL, MongoQuery),
    sink("pymongo", "*.find_one", 0, "filter", NOSQL, MongoQuery),
    sink(
        "pymongo",
        "*.find_one_and_update",
        0,
        "filter",
        NOSQL,
        MongoQuery,
    ),
    sink(
        "pymongo",
        "*.find_one_and_delete",
        0,
        "filter",
        NOSQL,
        MongoQuery,
    ),
    sink("pymongo", "*.update_one", 0, "filter", NOSQL, MongoQuery),
    sink("pymongo", "*.update_many", 0, "filter", NOSQL, MongoQuery),
    sink("pymongo", "*.delete_one", 0, "filter", NOSQL, MongoQuery),
    sink("pymongo", "*.delete_many", 0, "filter", NOSQL, MongoQuery),
    sink(
        "pymongo",
        "*.count_documents",
        0,
        "filter",
        NOSQL,
        MongoQuery,
    ),
    sink("pymongo", "*.aggregate", 0, "pipeline", NOSQL, MongoQuery),
    // OS command.
    sink("os", "system", 0, "command", OS, Deep),
    sink("os", "popen", 0, "cmd", OS, Deep),
    sink("os", "execl", 0, "", OS, Deep),
    sink("os", "execlp", 0, "", OS, Deep),
    sink("os", "execv", 0, "", OS, Deep),
    sink("os", "execvp", 0, "", OS, Deep),
    sink("os", "spawnl", 1, "", OS, Deep),
    sink("os", "spawnlp", 1, "", OS, Deep),
    sink("commands", "getoutput", 0, "cmd", OS, Deep),
    sink("subprocess", "getoutput", 0, "cmd", OS, Deep),
    sink("subprocess", "getstatusoutput", 0, "cmd", OS, Deep),
    sink("subprocess", "run", 0, "args", OS, Subprocess),
    sink("subprocess", "call", 0, "args", OS, Subprocess),
    sink("subprocess", "check_call", 0, "args", OS, Subprocess),
    sink("subprocess", "check_output", 0, "args", OS, Subprocess),
    sink("subprocess", "Popen", 0, "args", OS, Subprocess),
    sink("asyncio", "create_subprocess_shell", 0, "cmd", OS, Deep),
    // Code.
    sink("", "eval", 0, "source", CODE, Deep),
    sink("", "exec", 0, "source", CODE, Deep),
    sink("", "compile", 0, "source", CODE, Deep),
    sink("", "__import__", 0, "name", CODE, Deep),
    sink("importlib", "import_module", 0, "name", CODE, Deep),
    sink("jinja2", "Template", 0, "source", CODE, Deep),
    // Deserialization.
    sink("pickle", "loads", 0, "data", DESER, Deep),
    sink("pickle", "load", 0, "file", DESER, Deep),
    sink("_pickle", "loads", 0, "data", DESER, Deep),
    sink("cPickle", "loads", 0, "data", DESER, Deep),
    sink("dill", "loads", 0, "str", DESER, Deep),
    sink("marshal", "loads", 0, "bytes", DESER, Deep),
    sink("shelve", "open", 0, "filename", DESER, Deep),
    sink("jsonpickle", "decode", 0, "string", DESER, Deep),
    sink("yaml", "load", 0, "stream", DESER, YamlLoad),
    sink("yaml", "load_all", 0, "stream", DESER, YamlLoad),
    sink("yaml", "unsafe_load", 0, "stream", DESER, Deep),
    sink("yaml", "unsafe_load_all", 0, "stream", DESER, Deep),
    sink("yaml", "full_load", 0, "stream", DESER, Deep),
    sink(
        "pandas",
        "read_pickle",
        0,
        "filepath_or_buffer",
        DESER,
        Deep,
    ),
    // XXE.
    sink("lxml", "etree.fromstring", 0, "text", XXE, LxmlParse),
    sink("lxml", "etree.XML", 0, "text", XXE, LxmlParse),
    sink("lxml", "etree.parse", 0, "source", XXE, LxmlParse),
    sink("lxml", "objectify.fromstring", 0, "xml", XXE, LxmlParse),
    sink("xml", "dom.pulldom.parseString", 0, "string", XXE, Deep),
    sink("xml", "sax.parseString", 0, "string", XXE, Deep),
    // SSRF.
    // A headless browser told where to go (`page.goto(url)`, `driver.get(url)`).
    sink("playwright", "*.goto", 0, "url", SSRF, Deep),
    sink("pyppeteer", "*.goto", 0, "url", SSRF, Deep),
    sink("selenium", "*.get", 0, "url", SSRF, Deep),
    sink("requests", "get", 0, "url", SSRF, Deep),
    sink("requests", "post", 0, "url", SSRF, Deep),
    sink("requests", "put", 0, "url", SSRF, Deep),
    sink("requests", "patch", 0, "url", SSRF, Deep),
    sink("requests", "delete", 0, "url", SSRF, Deep),
    sink("requests", "head", 0, "url", SSRF, Deep),
    sink("requests", "options", 0, "url", SSRF, Deep),
    sink("requests", "request", 1, "url", SSRF, Deep),
    sink("requests", "*.get", 0, "url", SSRF, Deep),
    sink("requests", "*.post", 0, "url", SSRF, Deep),
    sink("requests", "*.put", 0, "url", SSRF, Deep),
    sink("requests", "*.delete", 0, "url", SSRF, Deep),
    sink("requests", "*.request", 1, "url", SSRF, Deep),
    sink("httpx", "get", 0, "url", SSRF, Deep),
    sink("httpx", "post", 0, "url", SSRF, Deep),
    sink("httpx", "put", 0, "url", SSRF, Deep),
    sink("httpx", "delete", 0, "url", SSRF, Deep),
    sink("httpx", "request", 1, "url", SSRF, Deep),
    sink("httpx", "stream", 1, "url", SSRF, Deep),
    sink("httpx", "*.get", 0, "url", SSRF, Deep),
    sink("httpx", "*.post", 0, "url", SSRF, Deep),
    sink("httpx", "*.request", 1, "url", SSRF, Deep),
    sink("aiohttp", "*.get", 0, "url", SSRF, Deep),
    sink("aiohttp", "*.post", 0, "url", SSRF, Deep),
    sink("aiohttp", "*.request", 1, "url", SSRF, Deep),
    sink("urllib", "request.urlopen", 0, "url", SSRF, Deep),
    sink("urllib", "request.urlretrieve", 0, "url", SSRF, Deep),
    sink("urllib2", "urlopen", 0, "url", SSRF, Deep),
    sink("urllib3", "request", 1, "url", SSRF, Deep),
    sink("urllib3", "*.request", 1, "url", SSRF, Deep),
    sink("urllib3", "*.urlopen", 1, "url", SSRF, Deep),
    sink("http", "client.HTTPConnection", 0, "host", SSRF, Deep),
    sink("http", "client.HTTPSConnection", 0, "host", SSRF, Deep),
    sink("pycurl", "*.setopt", 1, "", SSRF, Deep),
    // Path traversal.
    sink("", "open", 0, "file", PATH, Deep),
    sink("io", "open", 0, "file", PATH, Deep),
    sink("codecs", "open", 0, "filename", PATH, Deep),
    sink("os", "remove", 0, "path", PATH, Deep),
    sink("os", "unlink", 0, "path", PATH, Deep),
    sink("os", "rmdir", 0, "path", PATH, Deep),
    sink("os", "listdir", 0, "path", PATH, Deep),
    sink("os", "makedirs", 0, "name", PATH, Deep),
    sink("os", "rename", 0, "src", PATH, Deep),
    sink("shutil", "rmtree", 0, "path", PATH, Deep),
    sink("shutil", "copy", 0, "src", PATH, Deep),
    sink("shutil", "copyfile", 0, "src", PATH, Deep),
    sink("shutil", "move", 0, "src", PATH, Deep),
    sink("pathlib", "*.read_text", 0, "", PATH, Receiver),
    sink("pathlib", "*.read_bytes", 0, "", PATH, Receiver),
    sink("pathlib", "*.write_text", 0, "", PATH, Receiver),
    sink("pathlib", "*.write_bytes", 0, "", PATH, Receiver),
    sink("pathlib", "*.unlink", 0, "", PATH, Receiver),
    sink("pathlib", "*.open", 0, "", PATH, Receiver),
    sink("flask", "send_file", 0, "path_or_file", PATH, Deep),
    // XSS: templates rendered from event data.
    sink("flask", "render_template_string", 0, "source", XSS, Deep),
    sink("markupsafe", "Markup", 0, "base", XSS, Deep),
];

/// Method names that run SQL on a receiver the engine cannot place (a parameter, a
/// connection from an unknown factory): a sink only when the text looks like SQL.
pub(crate) const SQL_METHODS: &[&str] = &["execute", "executemany", "executescript", "raw"];

/// Words that make a text SQL for [`SQL_METHODS`] on unknown receivers.
pub(crate) const SQL_WORDS: &[&str] = &[
    "select ", "insert ", "update ", "delete ", "drop ", "create ", "alter ", "replace ", "merge ",
    "call ", " where ", " from ",
];

/// Shells: `subprocess.run(["sh", "-c", cmd])` runs `cmd` through one.
pub(crate) const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
];

/// Every sanitizer the engine knows.
pub(crate) const SANITIZERS: &[Sanitizer] = &[
    san("", "int", Clean::All),
    san("", "float", Clean::All),
    san("", "bool", Clean::All),
    san("", "len", Clean::All),
    san("", "hash", Clean::All),
    san("", "abs", Clean::All),
    san("", "round", Clean::All),
    san("uuid", "UUID", Clean::All),
    san("decimal", "Decimal", Clean::All),
    san("datetime", "datetime.fromisoformat", Clean::All),
    san("datetime", "date.fromisoformat", Clean::All),
    san("ipaddress", "ip_address", Clean::All),
    san("hashlib", "*.hexdigest", Clean::All),
    san("shlex", "quote", SHELL_ONLY),
    san("pipes", "quote", SHELL_ONLY),
    san("pymysql", "escape_string", SQL_ONLY),
    san("pymysql", "converters.escape_string", SQL_ONLY),
    san("pymysql", "*.escape", SQL_ONLY),
    san("pymysql", "*.escape_string", SQL_ONLY),
    san("pymysql", "*.mogrify", SQL_ONLY),
    san("MySQLdb", "*.escape_string", SQL_ONLY),
    san("psycopg2", "*.mogrify", SQL_ONLY),
    san("psycopg2", "sql.Literal", SQL_ONLY),
    san("psycopg2", "sql.Identifier", SQL_ONLY),
    san("psycopg", "sql.Literal", SQL_ONLY),
    san("psycopg", "sql.Identifier", SQL_ONLY),
    san("os", "path.basename", PATH_ONLY),
    san("werkzeug", "utils.secure_filename", PATH_ONLY),
    san("werkzeug", "secure_filename", PATH_ONLY),
    san("pathvalidate", "sanitize_filename", PATH_ONLY),
    san("html", "escape", XSS_ONLY),
    san("markupsafe", "escape", XSS_ONLY),
    san("flask", "escape", XSS_ONLY),
    san("bleach", "clean", XSS_ONLY),
    san("cgi", "escape", XSS_ONLY),
    san("xml", "sax.saxutils.escape", XSS_ONLY),
    san(
        "urllib",
        "parse.quote",
        Clean::Kinds(&[Kind::Ssrf, Kind::Xss]),
    ),
    san(
        "urllib",
        "parse.quote_plus",
        Clean::Kinds(&[Kind::Ssrf, Kind::Xss, Kind::PathTraversal]),
    ),
];

/// String methods that validate their receiver: `if not x.isdigit(): return` cleans `x`.
pub(crate) const STRING_VALIDATORS: &[&str] = &[
    "isdigit",
    "isdecimal",
    "isnumeric",
    "isalnum",
    "isalpha",
    "isidentifier",
];

/// Library functions that validate an argument (the last one): `re.fullmatch(P, x)`.
pub(crate) const VALIDATORS: &[(&str, &str)] = &[
    ("re", "fullmatch"),
    ("re", "match"),
    ("re", "*.fullmatch"),
    ("re", "*.match"),
    ("validators", "*"),
];

/// Calls whose result is event-derived text about an error: verbose-error sources.
pub(crate) const ERROR_TEXT: &[(&str, &str)] = &[
    ("traceback", "format_exc"),
    ("traceback", "format_exception"),
    ("traceback", "format_tb"),
    ("traceback", "format_stack"),
    ("sys", "exc_info"),
];

/// JSON and other decoders whose result is their input, parsed (the structure is lost: the
/// source path stays the one of the text, as in the JavaScript analyser).
pub(crate) const DECODERS: &[(&str, &str)] = &[
    ("json", "loads"),
    ("json", "load"),
    ("json", "dumps"),
    ("ujson", "loads"),
    ("ujson", "dumps"),
    ("orjson", "loads"),
    ("orjson", "dumps"),
    ("simplejson", "loads"),
    ("simplejson", "dumps"),
    ("base64", "b64decode"),
    ("base64", "b64encode"),
    ("base64", "urlsafe_b64decode"),
    ("base64", "urlsafe_b64encode"),
    ("base64", "decodebytes"),
    ("urllib", "parse.unquote"),
    ("urllib", "parse.unquote_plus"),
    ("urllib", "parse.parse_qs"),
    ("urllib", "parse.parse_qsl"),
    ("urllib", "parse.urlencode"),
    ("gzip", "decompress"),
    ("zlib", "decompress"),
    ("os", "path.join"),
    ("os", "path.normpath"),
    ("os", "path.abspath"),
    ("os", "path.realpath"),
    ("posixpath", "join"),
    ("io", "BytesIO"),
    ("io", "StringIO"),
    ("copy", "copy"),
    ("copy", "deepcopy"),
];

/// Standard-library top-level modules (never reported as third-party imports).
pub(crate) const STDLIB: &[&str] = &[
    "__future__",
    "_thread",
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "atexit",
    "base64",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "calendar",
    "cgi",
    "cmath",
    "codecs",
    "collections",
    "colorsys",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "dis",
    "email",
    "encodings",
    "enum",
    "errno",
    "fcntl",
    "filecmp",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "imaplib",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "multiprocessing",
    "netrc",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "queue",
    "quopri",
    "random",
    "re",
    "reprlib",
    "resource",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtplib",
    "socket",
    "socketserver",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sys",
    "sysconfig",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "wsgiref",
    "xml",
    "xmlrpc",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Folders never loaded as repository modules: installed packages and build output.
pub(crate) const SKIP_DIRS: &[&str] = &[
    "site-packages",
    "dist-packages",
    ".venv",
    "venv",
    "__pycache__",
    ".aws-sam",
    ".serverless",
    "node_modules",
];

/// boto3 service names whose IAM prefix differs.
pub(crate) const SERVICES: &[(&str, &str)] = &[
    ("stepfunctions", "states"),
    ("dynamodbstreams", "dynamodb"),
    ("sesv2", "ses"),
    ("iot-data", "iot"),
    ("bedrock-runtime", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
    ("apigatewaymanagementapi", "execute-api"),
    ("cognito-idp", "cognito-idp"),
    ("events", "events"),
    ("logs", "logs"),
];

/// boto3 methods whose API operation is not the CamelCase of their name.
pub(crate) const OPERATION_ALIASES: &[(&str, &str, &str)] = &[
    ("s3", "upload_file", "PutObject"),
    ("s3", "upload_fileobj", "PutObject"),
    ("s3", "download_file", "GetObject"),
    ("s3", "download_fileobj", "GetObject"),
    ("s3", "generate_presigned_post", "PutObject"),
    ("s3", "copy", "CopyObject"),
];

/// Methods of a bound boto3 resource (`Table(name)`, `Bucket(name)`, `Object(b, k)`,
/// `Queue(url)`, `Topic(arn)`) and the operation each one calls.
pub(crate) const RESOURCE_OPS: &[(&str, &str, &str)] = &[
    ("Object", "put", "PutObject"),
    ("Object", "get", "GetObject"),
    ("Object", "delete", "DeleteObject"),
    ("Object", "upload_file", "PutObject"),
    ("Object", "upload_fileobj", "PutObject"),
    ("Object", "download_file", "GetObject"),
    ("Object", "copy_from", "CopyObject"),
    ("Bucket", "upload_file", "PutObject"),
    ("Bucket", "upload_fileobj", "PutObject"),
    ("Bucket", "download_file", "GetObject"),
    ("Bucket", "put_object", "PutObject"),
    ("Bucket", "delete_objects", "DeleteObjects"),
    ("Topic", "publish", "Publish"),
    ("Queue", "send_message", "SendMessage"),
    ("Queue", "send_messages", "SendMessageBatch"),
    ("Queue", "receive_messages", "ReceiveMessage"),
    ("ObjectCollection", "delete", "DeleteObjects"),
    ("ObjectVersionCollection", "delete", "DeleteObjects"),
    // PynamoDB models: class methods and instance methods.
    ("PynamoModel", "get", "GetItem"),
    ("PynamoModel", "batch_get", "BatchGetItem"),
    ("PynamoModel", "batch_write", "BatchWriteItem"),
    ("PynamoModel", "query", "Query"),
    ("PynamoModel", "scan", "Scan"),
    ("PynamoModel", "count", "Query"),
    ("PynamoModel", "exists", "DescribeTable"),
    ("PynamoModel", "describe_table", "DescribeTable"),
    ("PynamoModel", "create_table", "CreateTable"),
    ("PynamoModel", "delete_table", "DeleteTable"),
    ("PynamoModel", "save", "PutItem"),
    ("PynamoModel", "update", "UpdateItem"),
    ("PynamoModel", "delete", "DeleteItem"),
    ("PynamoModel", "refresh", "GetItem"),
];

/// The resource objects a boto3 resource makes, and the request field their first argument
/// fills.
pub(crate) const RESOURCE_CLASSES: &[(&str, &str)] = &[
    ("Table", "TableName"),
    ("Bucket", "Bucket"),
    ("Object", "Bucket"),
    ("Queue", "QueueUrl"),
    ("Topic", "TopicArn"),
];

/// Client methods that are not API operations.
pub(crate) const SDK_NON_OPERATIONS: &[&str] = &[
    "get_paginator",
    "get_waiter",
    "can_paginate",
    "close",
    "meta",
    "exceptions",
    "batch_writer",
];

/// Positional arguments of the s3 transfer helpers: (method, bucket index, key index).
pub(crate) const S3_POSITIONAL: &[(&str, usize, usize)] = &[
    ("upload_file", 1, 2),
    ("upload_fileobj", 1, 2),
    ("download_file", 0, 1),
    ("download_fileobj", 0, 1),
    ("generate_presigned_post", 0, 1),
];
