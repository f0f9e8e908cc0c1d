//! Python: handler resolution, parsing with ruff's parser, and taint summaries.
//!
//! The analysis interprets the handler abstractly: the event parameter (whatever its name)
//! is untrusted, and every value derived from it carries its source and the steps it took.
//! Calls into the repository's own modules are followed with the actual argument values,
//! within a budget. Sinks, sanitizers and AWS SDK operations are data tables
//! ([`SINKS`], [`SANITIZERS`], [`SDK_RESOURCE_ARGS`]), kept apart from the engine.

use std::collections::BTreeSet;
use std::sync::Arc;

use perimeter_diagnostics::{Kind, Loc, ScanError, SourceFile, Span};
use ruff_python_ast::visitor::{Visitor, walk_expr};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use crate::Repo;
use crate::handler::HandlerSpec;
use crate::repo::{join_rel, parent_dir};
use crate::summary::{
    Flow, FunctionSummary, Language, ResourceExpr, SdkCall, Source, Step, TaintedPayload,
};

/// Steps of interpretation one analysis may take before it stops with an error.
const BUDGET: usize = 400_000;
/// Deepest chain of calls followed into repository functions.
const MAX_CALL_DEPTH: usize = 12;

/// Sinks: a dotted callee (module function or method name after `.`), the argument that
/// matters (`None`: any argument or keyword), and the kind.
const SINKS: &[(&str, Option<usize>, Kind)] = &[
    ("os.system", Some(0), Kind::InjectionOsCommand),
    ("os.popen", Some(0), Kind::InjectionOsCommand),
    ("commands.getoutput", Some(0), Kind::InjectionOsCommand),
    ("subprocess.getoutput", Some(0), Kind::InjectionOsCommand),
    (
        "subprocess.getstatusoutput",
        Some(0),
        Kind::InjectionOsCommand,
    ),
    ("eval", Some(0), Kind::InjectionCode),
    ("exec", Some(0), Kind::InjectionCode),
    ("compile", Some(0), Kind::InjectionCode),
    ("__import__", Some(0), Kind::InjectionCode),
    ("pickle.loads", Some(0), Kind::Deserialization),
    ("pickle.load", Some(0), Kind::Deserialization),
    ("cPickle.loads", Some(0), Kind::Deserialization),
    ("marshal.loads", Some(0), Kind::Deserialization),
    ("jsonpickle.decode", Some(0), Kind::Deserialization),
    ("yaml.unsafe_load", Some(0), Kind::Deserialization),
    ("dill.loads", Some(0), Kind::Deserialization),
    ("requests.get", Some(0), Kind::Ssrf),
    ("requests.post", Some(0), Kind::Ssrf),
    ("requests.put", Some(0), Kind::Ssrf),
    ("requests.delete", Some(0), Kind::Ssrf),
    ("requests.patch", Some(0), Kind::Ssrf),
    ("requests.head", Some(0), Kind::Ssrf),
    ("requests.request", Some(1), Kind::Ssrf),
    ("httpx.get", Some(0), Kind::Ssrf),
    ("httpx.post", Some(0), Kind::Ssrf),
    ("urllib.request.urlopen", Some(0), Kind::Ssrf),
    ("urllib.request.Request", Some(0), Kind::Ssrf),
    ("urllib2.urlopen", Some(0), Kind::Ssrf),
    ("http.client.HTTPConnection", Some(0), Kind::Ssrf),
    ("http.client.HTTPSConnection", Some(0), Kind::Ssrf),
    ("open", Some(0), Kind::PathTraversal),
    ("os.remove", Some(0), Kind::PathTraversal),
    ("os.unlink", Some(0), Kind::PathTraversal),
    ("shutil.rmtree", Some(0), Kind::PathTraversal),
    ("shutil.copy", Some(0), Kind::PathTraversal),
    ("shutil.move", Some(0), Kind::PathTraversal),
    ("send_file", Some(0), Kind::PathTraversal),
    ("flask.send_file", Some(0), Kind::PathTraversal),
    ("lxml.etree.fromstring", Some(0), Kind::Xxe),
    ("lxml.etree.XML", Some(0), Kind::Xxe),
    ("lxml.etree.parse", Some(0), Kind::Xxe),
    ("xml.dom.pulldom.parseString", Some(0), Kind::Xxe),
    ("sqlalchemy.text", Some(0), Kind::InjectionSql),
    ("flask.render_template_string", Some(0), Kind::Xss),
    ("render_template_string", Some(0), Kind::Xss),
];

/// Methods that run SQL text given as their first argument, on any receiver that is not an
/// AWS SDK client.
const SQL_METHODS: &[&str] = &["execute", "executemany", "executescript", "raw"];

/// `subprocess` functions: a command injection when `shell=True` or the command is a string.
const SUBPROCESS: &[&str] = &[
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
];

/// Sanitizers and the kinds they make a value safe for (`None`: every kind).
const SANITIZERS: &[(&str, Option<&[Kind]>)] = &[
    ("int", None),
    ("float", None),
    ("bool", None),
    ("len", None),
    ("uuid.UUID", None),
    ("decimal.Decimal", None),
    ("shlex.quote", Some(&[Kind::InjectionOsCommand])),
    ("pipes.quote", Some(&[Kind::InjectionOsCommand])),
    ("pymysql.escape_string", Some(&[Kind::InjectionSql])),
    (
        "pymysql.converters.escape_string",
        Some(&[Kind::InjectionSql]),
    ),
    ("escape_string", Some(&[Kind::InjectionSql])),
    ("os.path.basename", Some(&[Kind::PathTraversal])),
    (
        "werkzeug.utils.secure_filename",
        Some(&[Kind::PathTraversal]),
    ),
    ("secure_filename", Some(&[Kind::PathTraversal])),
    ("html.escape", Some(&[Kind::Xss])),
    ("markupsafe.escape", Some(&[Kind::Xss])),
    (
        "urllib.parse.quote",
        Some(&[Kind::Ssrf, Kind::PathTraversal]),
    ),
];

/// Functions through which taint flows unchanged (beyond the generic rule that a call on a
/// tainted receiver or with tainted arguments returns tainted data).
const ERROR_TEXT: &[&str] = &[
    "traceback.format_exc",
    "traceback.format_exception",
    "sys.exc_info",
];

/// The request argument that names the resource of an SDK call.
const SDK_RESOURCE_ARGS: &[&str] = &[
    "QueueUrl",
    "TableName",
    "Bucket",
    "TopicArn",
    "TargetArn",
    "FunctionName",
    "StreamName",
    "DeliveryStreamName",
    "EventBusName",
    "stateMachineArn",
    "SecretId",
    "Name",
    "Names",
    "KeyId",
];

/// The request arguments that carry data to the resource.
const SDK_PAYLOAD_ARGS: &[&str] = &[
    "MessageBody",
    "Entries",
    "Message",
    "Item",
    "Items",
    "RequestItems",
    "TransactItems",
    "Body",
    "Key",
    "Payload",
    "Data",
    "Records",
    "Record",
    "input",
    "Statement",
    "UpdateExpression",
    "ExpressionAttributeValues",
];

/// boto3 service names and the IAM prefix of each.
const SERVICES: &[(&str, &str)] = &[
    ("stepfunctions", "states"),
    ("dynamodbstreams", "dynamodb"),
    ("sesv2", "ses"),
    ("iot-data", "iot"),
    ("bedrock-runtime", "bedrock"),
    ("apigatewaymanagementapi", "execute-api"),
    ("logs", "logs"),
];

/// boto3 methods whose API operation is not the CamelCase of their name.
const OPERATION_ALIASES: &[(&str, &str, &str)] = &[
    ("s3", "upload_file", "PutObject"),
    ("s3", "upload_fileobj", "PutObject"),
    ("s3", "download_file", "GetObject"),
    ("s3", "download_fileobj", "GetObject"),
    ("s3", "put", "PutObject"),
    ("s3", "get", "GetObject"),
    ("s3", "delete", "DeleteObject"),
];

/// Third-party-looking top-level modules that are the standard library.
const STDLIB: &[&str] = &[
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "binascii",
    "bisect",
    "calendar",
    "collections",
    "concurrent",
    "contextlib",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "functools",
    "gc",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "lzma",
    "marshal",
    "math",
    "mimetypes",
    "multiprocessing",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "select",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "__future__",
];

/// Taint: where untrusted data came from and the steps it took.
#[derive(Clone, Debug)]
struct Taint {
    source: Source,
    steps: Vec<Step>,
    /// Kinds of sink this value was sanitized for.
    clean_for: Vec<Kind>,
    /// Sanitized for every kind.
    clean: bool,
}

impl Taint {
    fn with_step(&self, loc: Loc, note: impl Into<String>) -> Taint {
        let mut t = self.clone();
        if t.steps.len() < 24 && t.steps.last().is_none_or(|s| s.loc != loc) {
            t.steps.push(Step {
                loc,
                note: note.into(),
            });
        }
        t
    }

    fn reaches(&self, kind: Kind) -> bool {
        !self.clean && !self.clean_for.contains(&kind)
    }
}

/// What the interpreter knows of a value besides its taint.
#[derive(Clone, Debug, Default)]
enum Shape {
    #[default]
    Unknown,
    /// A string constant.
    Const(String),
    /// An environment variable's value.
    Env(String),
    /// The event, or a part of it at this access path.
    Event(String),
    /// A module or a dotted name imported from one (`os`, `subprocess.run`).
    Name(String),
    /// A boto3 client or resource for an IAM service prefix.
    Client(String),
    /// A boto3 resource object bound to a named resource (`Table(name)`).
    Bound(String, ResourceExpr),
    /// A function of the repository.
    Func(usize),
    /// A dictionary literal, its string keys with their values.
    Dict(Vec<(String, Val)>),
    /// A caught exception.
    Error,
}

#[derive(Clone, Debug, Default)]
struct Val {
    taint: Option<Taint>,
    shape: Shape,
}

impl Val {
    fn of(shape: Shape) -> Self {
        Self { taint: None, shape }
    }

    fn tainted(taint: Option<Taint>) -> Self {
        Self {
            taint,
            shape: Shape::Unknown,
        }
    }
}

fn union(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    match (a, b) {
        (Some(a), Some(b)) => {
            // Keep the one that is dangerous for more sinks.
            if a.clean && !b.clean {
                Some(b)
            } else {
                Some(a)
            }
        }
        (a, b) => a.or(b),
    }
}

/// A parsed module.
struct Module {
    file: Arc<SourceFile>,
    parsed: ast::ModModule,
    /// Names bound at module level.
    globals: FxHashMap<String, Val>,
    ready: bool,
}

/// One analysis of one handler. Function definitions are addressed by their module and the
/// path of statement indices to them, so the parsed modules can grow while it runs.
struct Analysis<'r> {
    repo: &'r Repo,
    code_dir: String,
    function: String,
    modules: Vec<Module>,
    module_index: FxHashMap<String, usize>,
    funcs: Vec<(usize, Vec<usize>)>,
    flows: Vec<Flow>,
    calls: Vec<SdkCall>,
    errors: Vec<ScanError>,
    imports: BTreeSet<String>,
    steps: usize,
    exhausted: bool,
    depth: usize,
    memo: FxHashMap<(usize, String), Val>,
}

/// Resolves a Python handler and summarises the code it reaches.
pub fn analyse_handler(repo: &Repo, spec: &HandlerSpec<'_>) -> FunctionSummary {
    let mut summary = FunctionSummary {
        function: spec.function.to_owned(),
        language: Some(Language::Python),
        ..FunctionSummary::default()
    };
    let (module_path, func_name) = match spec.handler.rsplit_once('.') {
        Some((m, f)) => (m, f),
        None => {
            summary.errors.push(ScanError::new(
                spec.code_dir,
                format!(
                    "handler `{}` of function `{}` names no module",
                    spec.handler, spec.function
                ),
            ));
            return summary;
        }
    };
    let mut a = Analysis {
        repo,
        code_dir: spec.code_dir.to_owned(),
        function: spec.function.to_owned(),
        modules: Vec::new(),
        module_index: FxHashMap::default(),
        funcs: Vec::new(),
        flows: Vec::new(),
        calls: Vec::new(),
        errors: Vec::new(),
        imports: BTreeSet::new(),
        steps: 0,
        exhausted: false,
        depth: 0,
        memo: FxHashMap::default(),
    };
    let rel = module_path.replace('.', "/");
    let candidates = [format!("{rel}.py"), format!("{rel}/__init__.py")];
    let found = candidates
        .iter()
        .filter_map(|c| join_rel(spec.code_dir, c))
        .find(|p| repo.exists(p));
    let Some(path) = found else {
        summary.errors.push(ScanError::new(
            join_rel(spec.code_dir, &rel).unwrap_or_default(),
            format!(
                "handler `{}` of function `{}`: no module {rel}.py under {}",
                spec.handler,
                spec.function,
                if spec.code_dir.is_empty() {
                    "the scanned folder"
                } else {
                    spec.code_dir
                }
            ),
        ));
        return summary;
    };
    let Some(m) = a.load(&path) else {
        summary.errors = a.errors;
        return summary;
    };
    let Some(fidx) = a.lookup_function(m, func_name) else {
        summary.errors.push(ScanError::new(
            path.clone(),
            format!(
                "handler `{}` of function `{}`: module {path} has no function `{func_name}`",
                spec.handler, spec.function
            ),
        ));
        summary.errors.extend(a.errors);
        return summary;
    };
    let def_loc = {
        let def = a.def(fidx);
        Loc::new(&a.modules[m].file, span(def.name.range()))
    };
    summary.handler = Some(def_loc);
    // The handler's first parameter is the event.
    let event = Val {
        taint: None,
        shape: Shape::Event(String::new()),
    };
    a.call_function(fidx, vec![event], Vec::new(), true);
    if a.exhausted {
        a.errors.push(ScanError::new(
            path.clone(),
            format!(
                "analysis budget exhausted in `{}`; results may be incomplete",
                spec.function
            ),
        ));
    }
    let mut flows = a.flows;
    flows.sort_by(|x, y| {
        (x.sink.path(), x.sink.span, x.kind).cmp(&(y.sink.path(), y.sink.span, y.kind))
    });
    flows.dedup_by(|x, y| x.sink == y.sink && x.kind == y.kind);
    let mut calls = a.calls;
    calls.sort_by(|x, y| (x.loc.path(), x.loc.span).cmp(&(y.loc.path(), y.loc.span)));
    calls.dedup_by(|x, y| x.loc == y.loc && x.operation == y.operation);
    summary.flows = flows;
    summary.sdk_calls = calls;
    summary.files = a.modules.iter().map(|m| m.file.path().to_owned()).collect();
    summary.files.sort();
    summary.imports = a.imports.into_iter().collect();
    summary.errors.extend(a.errors);
    summary
}

fn span(r: ruff_text_size::TextRange) -> Span {
    Span::new(r.start().to_u32(), r.end().to_u32())
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn iam_prefix(service: &str) -> String {
    SERVICES
        .iter()
        .find(|(s, _)| *s == service)
        .map_or_else(|| service.to_owned(), |(_, p)| (*p).to_owned())
}

/// Normalises an event access path: list indices become `[]`.
fn join_path(base: &str, key: &str) -> String {
    if key == "[]" {
        return format!("{base}[]");
    }
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

struct Children<'a>(Vec<&'a Expr>);

impl<'a> Visitor<'a> for Children<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        self.0.push(expr);
    }
}

/// The direct sub-expressions of an expression.
fn children(expr: &Expr) -> Vec<&Expr> {
    let mut c = Children(Vec::new());
    walk_expr(&mut c, expr);
    c.0
}

type Env = FxHashMap<String, Val>;

/// What a function body produced.
#[derive(Default)]
struct Frame {
    returned: Option<Val>,
    is_handler: bool,
}

impl Analysis<'_> {
    fn tick(&mut self) -> bool {
        self.steps += 1;
        if self.steps > BUDGET {
            self.exhausted = true;
        }
        !self.exhausted
    }

    fn load(&mut self, path: &str) -> Option<usize> {
        if let Some(&i) = self.module_index.get(path) {
            return Some(i);
        }
        let file = match self.repo.read(path) {
            Ok(f) => f,
            Err(e) => {
                self.errors
                    .push(ScanError::new(path, format!("cannot read: {e}")));
                return None;
            }
        };
        let parsed = match ruff_python_parser::parse_module(file.text()) {
            Ok(p) => p.into_syntax(),
            Err(e) => {
                let loc = Loc::new(&file, span(e.location));
                self.errors.push(ScanError::at(
                    &loc,
                    format!("cannot parse Python: {}", e.error),
                ));
                return None;
            }
        };
        let i = self.modules.len();
        self.modules.push(Module {
            file,
            parsed,
            globals: FxHashMap::default(),
            ready: false,
        });
        self.module_index.insert(path.to_owned(), i);
        self.init_module(i);
        Some(i)
    }

    /// Binds the module's top-level names: imports, constants, functions, classes.
    fn init_module(&mut self, m: usize) {
        let body_len = self.modules[m].parsed.body.len();
        let mut env = Env::default();
        for i in 0..body_len {
            self.bind_top(m, i, &mut env);
        }
        let module = &mut self.modules[m];
        module.globals = env;
        module.ready = true;
    }

    fn bind_top(&mut self, m: usize, i: usize, env: &mut Env) {
        let stmt = self.modules[m].parsed.body[i].clone();
        match &stmt {
            Stmt::FunctionDef(def) => {
                let idx = self.funcs.len();
                self.funcs.push((m, vec![i]));
                env.insert(def.name.as_str().to_owned(), Val::of(Shape::Func(idx)));
            }
            Stmt::ClassDef(class) => {
                for (j, s) in class.body.iter().enumerate() {
                    if let Stmt::FunctionDef(def) = s {
                        let idx = self.funcs.len();
                        self.funcs.push((m, vec![i, j]));
                        env.insert(
                            format!("{}.{}", class.name.as_str(), def.name.as_str()),
                            Val::of(Shape::Func(idx)),
                        );
                    }
                }
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(m, &stmt, env),
            Stmt::Assign(_)
            | Stmt::AnnAssign(_)
            | Stmt::If(_)
            | Stmt::Try(_)
            | Stmt::Expr(_)
            | Stmt::With(_) => {
                let file = Arc::clone(&self.modules[m].file);
                let mut frame = Frame::default();
                self.exec_stmt(&file, m, &stmt, env, &mut frame);
            }
            _ => {}
        }
    }

    fn import(&mut self, m: usize, stmt: &Stmt, env: &mut Env) {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    self.note_import(m, name, 0);
                    let bound = alias.asname.as_ref().map_or_else(
                        || name.split('.').next().unwrap_or(name).to_owned(),
                        |a| a.as_str().to_owned(),
                    );
                    let full = if alias.asname.is_some() {
                        name.to_owned()
                    } else {
                        bound.clone()
                    };
                    if let Some(target) = self.resolve_module(m, name, 0) {
                        env.insert(bound.clone(), Val::of(Shape::Name(format!("@{target}"))));
                    } else {
                        env.insert(bound, Val::of(Shape::Name(full)));
                    }
                }
            }
            Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map_or("", |i| i.as_str());
                self.note_import(m, module, imp.level);
                let target = self.resolve_module(m, module, imp.level);
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    let bound = alias
                        .asname
                        .as_ref()
                        .map_or(name, |a| a.as_str())
                        .to_owned();
                    let val = match target {
                        Some(t) => {
                            // `from .pkg import mod` may name a submodule.
                            match self.modules[t].globals.get(name).cloned() {
                                Some(v) => v,
                                None => {
                                    let sub = if module.is_empty() {
                                        name.to_owned()
                                    } else {
                                        format!("{module}.{name}")
                                    };
                                    match self.resolve_module(m, &sub, imp.level) {
                                        Some(s) => Val::of(Shape::Name(format!("@{s}"))),
                                        None => Val::default(),
                                    }
                                }
                            }
                        }
                        None => Val::of(Shape::Name(if module.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{module}.{name}")
                        })),
                    };
                    env.insert(bound, val);
                }
            }
            _ => {}
        }
    }

    fn note_import(&mut self, m: usize, module: &str, level: u32) {
        if level > 0 || module.is_empty() {
            return;
        }
        let top = module.split('.').next().unwrap_or(module);
        if STDLIB.contains(&top) || self.resolve_module(m, top, 0).is_some() {
            return;
        }
        self.imports.insert(top.to_owned());
    }

    /// A module of the repository that an import names, loaded.
    fn resolve_module(&mut self, m: usize, module: &str, level: u32) -> Option<usize> {
        let here = parent_dir(self.modules[m].file.path()).to_owned();
        let rel = module.replace('.', "/");
        let mut bases: Vec<String> = Vec::new();
        if level > 0 {
            let mut base = here;
            for _ in 1..level {
                base = parent_dir(&base).to_owned();
            }
            bases.push(base);
        } else {
            bases.push(self.code_dir.clone());
            bases.push(here);
            bases.push(String::new());
            bases.push(join_rel(&self.code_dir, "src").unwrap_or_default());
        }
        for base in bases {
            for cand in [format!("{rel}.py"), format!("{rel}/__init__.py")] {
                let cand = if rel.is_empty() {
                    "__init__.py".to_owned()
                } else {
                    cand
                };
                let Some(p) = join_rel(&base, &cand) else {
                    continue;
                };
                if self.repo.exists(&p) {
                    if let Some(&i) = self.module_index.get(&p) {
                        return self.modules[i].ready.then_some(i);
                    }
                    return self.load(&p);
                }
            }
        }
        None
    }

    fn lookup_function(&self, m: usize, name: &str) -> Option<usize> {
        match self.modules[m].globals.get(name).map(|v| &v.shape) {
            Some(Shape::Func(i)) => Some(*i),
            _ => None,
        }
    }

    fn def(&self, idx: usize) -> &ast::StmtFunctionDef {
        let (m, path) = &self.funcs[idx];
        let mut stmts: &[Stmt] = &self.modules[*m].parsed.body;
        let mut found: Option<&Stmt> = None;
        for &i in path {
            let s = &stmts[i];
            found = Some(s);
            if let Stmt::ClassDef(c) = s {
                stmts = &c.body;
            }
        }
        match found {
            Some(Stmt::FunctionDef(d)) => d,
            _ => unreachable!("function paths point at definitions"),
        }
    }

    /// Interprets a repository function with argument values; returns its return value.
    fn call_function(
        &mut self,
        idx: usize,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
        is_handler: bool,
    ) -> Val {
        if self.depth >= MAX_CALL_DEPTH || !self.tick() {
            return Val::tainted(args.iter().find_map(|a| a.taint.clone()));
        }
        let key = (
            idx,
            args.iter()
                .map(|a| {
                    format!(
                        "{:?}",
                        a.taint.as_ref().map(|t| (
                            &t.source.path,
                            t.source.loc.span,
                            t.clean,
                            &t.clean_for
                        ))
                    )
                })
                .collect::<Vec<_>>()
                .join("|"),
        );
        if let Some(v) = self.memo.get(&key) {
            return v.clone();
        }
        // Recursion: the arguments' taint.
        self.memo.insert(
            key.clone(),
            Val::tainted(args.iter().find_map(|a| a.taint.clone())),
        );
        let (m, _) = self.funcs[idx].clone();
        let def = self.def(idx).clone();
        let file = Arc::clone(&self.modules[m].file);
        let mut env: Env = self.modules[m].globals.clone();
        let params: Vec<&ast::ParameterWithDefault> = def
            .parameters
            .posonlyargs
            .iter()
            .chain(def.parameters.args.iter())
            .collect();
        let mut args = args.into_iter();
        for (i, p) in params.iter().enumerate() {
            let name = p.parameter.name.as_str();
            if i == 0 && (name == "self" || name == "cls") && self.funcs[idx].1.len() > 1 {
                continue;
            }
            let v = args
                .next()
                .or_else(|| {
                    kwargs
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                })
                .unwrap_or_default();
            let v = match (&v.taint, is_handler && i == 0) {
                (_, true) => v,
                (Some(t), _) => Val {
                    taint: Some(t.with_step(Loc::new(&file, span(p.parameter.name.range())), name)),
                    shape: v.shape,
                },
                _ => v,
            };
            env.insert(name.to_owned(), v);
        }
        self.depth += 1;
        let mut frame = Frame {
            returned: None,
            is_handler,
        };
        for s in &def.body {
            self.exec_stmt(&file, m, s, &mut env, &mut frame);
        }
        self.depth -= 1;
        let ret = frame.returned.unwrap_or_default();
        self.memo.insert(key, ret.clone());
        ret
    }

    fn exec_block(
        &mut self,
        file: &Arc<SourceFile>,
        m: usize,
        body: &[Stmt],
        env: &mut Env,
        frame: &mut Frame,
    ) {
        for s in body {
            self.exec_stmt(file, m, s, env, frame);
        }
    }

    fn exec_stmt(
        &mut self,
        file: &Arc<SourceFile>,
        m: usize,
        stmt: &Stmt,
        env: &mut Env,
        frame: &mut Frame,
    ) {
        if !self.tick() {
            return;
        }
        match stmt {
            Stmt::Expr(e) => {
                self.eval(file, m, &e.value, env, frame);
            }
            Stmt::Assign(a) => {
                let v = self.eval(file, m, &a.value, env, frame);
                for t in &a.targets {
                    self.assign(file, t, v.clone(), env);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(value) = &a.value {
                    let v = self.eval(file, m, value, env, frame);
                    self.assign(file, &a.target, v, env);
                }
            }
            Stmt::AugAssign(a) => {
                let v = self.eval(file, m, &a.value, env, frame);
                let old = self.eval(file, m, &a.target, env, frame);
                let t = union(old.taint, v.taint);
                self.assign(file, &a.target, Val::tainted(t), env);
            }
            Stmt::Return(r) => {
                if let Some(value) = &r.value {
                    let v = self.eval(file, m, value, env, frame);
                    if frame.is_handler {
                        self.check_response(file, value, &v);
                    }
                    let merged = match frame.returned.take() {
                        Some(prev) => Val {
                            taint: union(prev.taint, v.taint.clone()),
                            shape: if matches!(prev.shape, Shape::Unknown) {
                                v.shape
                            } else {
                                prev.shape
                            },
                        },
                        None => v,
                    };
                    frame.returned = Some(merged);
                }
            }
            Stmt::If(i) => {
                self.eval(file, m, &i.test, env, frame);
                self.guard(file, &i.test, &i.body, env);
                self.exec_block(file, m, &i.body, env, frame);
                for clause in &i.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.eval(file, m, t, env, frame);
                    }
                    self.exec_block(file, m, &clause.body, env, frame);
                }
            }
            Stmt::For(f) => {
                let it = self.eval(file, m, &f.iter, env, frame);
                let item = self.element(file, &f.iter, &it);
                self.assign(file, &f.target, item, env);
                self.exec_block(file, m, &f.body, env, frame);
                self.exec_block(file, m, &f.orelse, env, frame);
            }
            Stmt::While(w) => {
                self.eval(file, m, &w.test, env, frame);
                self.exec_block(file, m, &w.body, env, frame);
                self.exec_block(file, m, &w.orelse, env, frame);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    let v = self.eval(file, m, &item.context_expr, env, frame);
                    if let Some(target) = &item.optional_vars {
                        self.assign(file, target, v, env);
                    }
                }
                self.exec_block(file, m, &w.body, env, frame);
            }
            Stmt::Try(t) => {
                self.exec_block(file, m, &t.body, env, frame);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(name) = &h.name {
                        let loc = Loc::new(file, span(name.range()));
                        env.insert(
                            name.as_str().to_owned(),
                            Val {
                                taint: Some(Taint {
                                    source: Source {
                                        path: "error".into(),
                                        loc,
                                    },
                                    steps: Vec::new(),
                                    clean_for: Vec::new(),
                                    clean: false,
                                }),
                                shape: Shape::Error,
                            },
                        );
                    }
                    self.exec_block(file, m, &h.body, env, frame);
                }
                self.exec_block(file, m, &t.orelse, env, frame);
                self.exec_block(file, m, &t.finalbody, env, frame);
            }
            Stmt::FunctionDef(def) => {
                // A nested function: bound as a closure over the current values.
                let _ = def;
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(m, stmt, env),
            Stmt::Match(mt) => {
                self.eval(file, m, &mt.subject, env, frame);
                for case in &mt.cases {
                    self.exec_block(file, m, &case.body, env, frame);
                }
            }
            _ => {}
        }
    }

    /// `if x not in (...): return` and `if not re.fullmatch(...): raise` make `x` clean
    /// afterwards.
    fn guard(&mut self, _file: &Arc<SourceFile>, test: &Expr, body: &[Stmt], env: &mut Env) {
        let exits = body
            .iter()
            .any(|s| matches!(s, Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_)));
        if !exits {
            return;
        }
        let name = match test {
            Expr::Compare(c) if c.ops.iter().any(|o| matches!(o, ast::CmpOp::NotIn)) => {
                let constant = c.comparators.iter().all(|e| {
                    matches!(
                        e,
                        Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Name(_)
                    )
                });
                match (&*c.left, constant) {
                    (Expr::Name(n), true) => Some(n.id.as_str().to_owned()),
                    _ => None,
                }
            }
            // `if not re.fullmatch(PATTERN, x): return` and `if not x.isdigit(): return`;
            // a validator of the repository's own is not trusted: it may be the bug.
            Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) => match &*u.operand {
                Expr::Call(call)
                    if callee_text(&call.func).is_some_and(|c| c == "re.fullmatch") =>
                {
                    call.arguments.args.get(1).and_then(|a| match a {
                        Expr::Name(n) => Some(n.id.as_str().to_owned()),
                        _ => None,
                    })
                }
                Expr::Call(call) => match &*call.func {
                    Expr::Attribute(a)
                        if matches!(
                            a.attr.as_str(),
                            "isdigit"
                                | "isdecimal"
                                | "isnumeric"
                                | "isalnum"
                                | "isalpha"
                                | "isidentifier"
                        ) =>
                    {
                        match &*a.value {
                            Expr::Name(n) => Some(n.id.as_str().to_owned()),
                            _ => None,
                        }
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if let Some(name) = name
            && let Some(v) = env.get_mut(&name)
            && let Some(t) = &mut v.taint
        {
            t.clean = true;
        }
    }

    fn assign(&mut self, file: &Arc<SourceFile>, target: &Expr, v: Val, env: &mut Env) {
        match target {
            Expr::Name(n) => {
                let v = match v.taint {
                    Some(t) => Val {
                        taint: Some(t.with_step(Loc::new(file, span(n.range())), n.id.as_str())),
                        shape: v.shape,
                    },
                    None => v,
                };
                env.insert(n.id.as_str().to_owned(), v);
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.assign(file, e, Val::tainted(v.taint.clone()), env);
                }
            }
            Expr::List(l) => {
                for e in &l.elts {
                    self.assign(file, e, Val::tainted(v.taint.clone()), env);
                }
            }
            Expr::Attribute(a) => {
                // `self.x = v`: remembered under the dotted name.
                if let Expr::Name(base) = &*a.value {
                    env.insert(format!("{}.{}", base.id.as_str(), a.attr.as_str()), v);
                }
            }
            Expr::Subscript(s) => {
                // `d["k"] = tainted` taints the container.
                if v.taint.is_some()
                    && let Expr::Name(base) = &*s.value
                {
                    let old = env.get(base.id.as_str()).cloned().unwrap_or_default();
                    env.insert(
                        base.id.as_str().to_owned(),
                        Val {
                            taint: union(old.taint, v.taint),
                            shape: old.shape,
                        },
                    );
                }
            }
            Expr::Starred(s) => self.assign(file, &s.value, v, env),
            _ => {}
        }
    }

    /// The value of an item of an iterable.
    fn element(&self, _file: &Arc<SourceFile>, _iter: &Expr, it: &Val) -> Val {
        match &it.shape {
            Shape::Event(p) => Val {
                taint: it.taint.clone(),
                shape: Shape::Event(join_path(p, "[]")),
            },
            _ => Val::tainted(it.taint.clone()),
        }
    }

    /// A value read from the event at a path becomes tainted with that path as its source.
    fn event_value(&self, file: &Arc<SourceFile>, path: String, at: &Expr) -> Val {
        let loc = Loc::new(file, span(at.range()));
        Val {
            taint: Some(Taint {
                source: Source {
                    path: path.clone(),
                    loc,
                },
                steps: Vec::new(),
                clean_for: Vec::new(),
                clean: false,
            }),
            shape: Shape::Event(path),
        }
    }

    fn const_str(e: &Expr) -> Option<String> {
        match e {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_owned()),
            _ => None,
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per expression kind reads best together"
    )]
    fn eval(
        &mut self,
        file: &Arc<SourceFile>,
        m: usize,
        e: &Expr,
        env: &mut Env,
        frame: &mut Frame,
    ) -> Val {
        if !self.tick() {
            return Val::default();
        }
        match e {
            Expr::StringLiteral(s) => Val::of(Shape::Const(s.value.to_str().to_owned())),
            Expr::Name(n) => {
                let name = n.id.as_str();
                match env.get(name) {
                    Some(v) => {
                        let mut v = v.clone();
                        if let Shape::Event(p) = &v.shape
                            && v.taint.is_none()
                        {
                            // The event itself: a read of it whole is the `*` source.
                            let mut t = self.event_value(
                                file,
                                if p.is_empty() { "*".into() } else { p.clone() },
                                e,
                            );
                            t.shape = v.shape.clone();
                            v = t;
                        }
                        v
                    }
                    None => Val::of(Shape::Name(name.to_owned())),
                }
            }
            Expr::Attribute(a) => {
                if let Expr::Name(base) = &*a.value
                    && let Some(v) = env.get(&format!("{}.{}", base.id.as_str(), a.attr.as_str()))
                {
                    return v.clone();
                }
                let base = self.eval(file, m, &a.value, env, frame);
                match base.shape {
                    Shape::Name(ref n) if n.starts_with('@') => {
                        let idx: usize = n[1..].parse().unwrap_or(usize::MAX);
                        self.modules
                            .get(idx)
                            .and_then(|md| md.globals.get(a.attr.as_str()).cloned())
                            .unwrap_or_default()
                    }
                    Shape::Name(n) => {
                        if n == "os" && a.attr.as_str() == "environ" {
                            Val::of(Shape::Name("os.environ".into()))
                        } else {
                            Val::of(Shape::Name(format!("{n}.{}", a.attr.as_str())))
                        }
                    }
                    Shape::Event(p) => self.event_value(file, join_path(&p, a.attr.as_str()), e),
                    _ => Val::tainted(base.taint),
                }
            }
            Expr::Subscript(s) => {
                let base = self.eval(file, m, &s.value, env, frame);
                let key = Self::const_str(&s.slice);
                let index = matches!(&*s.slice, Expr::NumberLiteral(_));
                if !index && key.is_none() {
                    self.eval(file, m, &s.slice, env, frame);
                }
                match (&base.shape, key) {
                    (Shape::Name(n), Some(k)) if n == "os.environ" => Val::of(Shape::Env(k)),
                    (Shape::Event(p), Some(k)) => self.event_value(file, join_path(p, &k), e),
                    (Shape::Event(p), None) if index => {
                        self.event_value(file, join_path(p, "[]"), e)
                    }
                    (Shape::Dict(items), Some(k)) => items
                        .iter()
                        .find(|(kk, _)| *kk == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| Val::tainted(base.taint.clone())),
                    _ => Val::tainted(base.taint),
                }
            }
            Expr::Call(call) => self.eval_call(file, m, call, env, frame),
            Expr::Dict(d) => {
                let mut items = Vec::new();
                let mut taint = None;
                for item in &d.items {
                    let v = self.eval(file, m, &item.value, env, frame);
                    taint = union(taint, v.taint.clone());
                    if let Some(k) = item.key.as_ref().and_then(Self::const_str) {
                        items.push((k, v));
                    }
                }
                Val {
                    taint,
                    shape: Shape::Dict(items),
                }
            }
            Expr::BinOp(b) => {
                let l = self.eval(file, m, &b.left, env, frame);
                let r = self.eval(file, m, &b.right, env, frame);
                let step =
                    |t: Taint| t.with_step(Loc::new(file, span(e.range())), "string built from it");
                Val::tainted(union(l.taint.map(step), r.taint.map(step)))
            }
            Expr::FString(_)
            | Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Set(_)
            | Expr::BoolOp(_)
            | Expr::If(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_)
            | Expr::Await(_)
            | Expr::Starred(_)
            | Expr::UnaryOp(_)
            | Expr::Named(_)
            | Expr::Compare(_) => {
                if let Expr::Named(n) = e {
                    let v = self.eval(file, m, &n.value, env, frame);
                    self.assign(file, &n.target, v.clone(), env);
                    return v;
                }
                if let Expr::ListComp(lc) = e {
                    for g in &lc.generators {
                        let it = self.eval(file, m, &g.iter, env, frame);
                        let item = self.element(file, &g.iter, &it);
                        self.assign(file, &g.target, item, env);
                    }
                }
                if let Expr::Generator(lc) = e {
                    for g in &lc.generators {
                        let it = self.eval(file, m, &g.iter, env, frame);
                        let item = self.element(file, &g.iter, &it);
                        self.assign(file, &g.target, item, env);
                    }
                }
                let mut taint = None;
                for c in children(e) {
                    let v = self.eval(file, m, c, env, frame);
                    taint = union(taint, v.taint);
                }
                if matches!(e, Expr::Compare(_)) {
                    return Val::default();
                }
                if matches!(e, Expr::FString(_)) {
                    taint = taint.map(|t| {
                        t.with_step(Loc::new(file, span(e.range())), "formatted into a string")
                    });
                }
                Val::tainted(taint)
            }
            Expr::Lambda(_) => Val::default(),
            _ => Val::default(),
        }
    }

    /// The dotted name of a callee as written, resolved through imports.
    fn callee(
        &mut self,
        file: &Arc<SourceFile>,
        m: usize,
        func: &Expr,
        env: &mut Env,
        frame: &mut Frame,
    ) -> (String, Val) {
        match func {
            Expr::Name(n) => {
                let v = env
                    .get(n.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| Val::of(Shape::Name(n.id.as_str().to_owned())));
                let name = match &v.shape {
                    Shape::Name(full) => full.clone(),
                    _ => n.id.as_str().to_owned(),
                };
                (name, v)
            }
            Expr::Attribute(a) => {
                let base = self.eval(file, m, &a.value, env, frame);
                let name = match &base.shape {
                    Shape::Name(n) => format!("{n}.{}", a.attr.as_str()),
                    _ => format!(".{}", a.attr.as_str()),
                };
                (name, base)
            }
            other => {
                let v = self.eval(file, m, other, env, frame);
                (String::new(), v)
            }
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the call dispatch is one table of cases"
    )]
    fn eval_call(
        &mut self,
        file: &Arc<SourceFile>,
        m: usize,
        call: &ast::ExprCall,
        env: &mut Env,
        frame: &mut Frame,
    ) -> Val {
        let loc = Loc::new(file, span(call.range()));
        let (name, receiver) = self.callee(file, m, &call.func, env, frame);
        let args: Vec<Val> = call
            .arguments
            .args
            .iter()
            .map(|a| self.eval(file, m, a, env, frame))
            .collect();
        let kwargs: Vec<(String, Val)> = call
            .arguments
            .keywords
            .iter()
            .map(|k| {
                (
                    k.arg
                        .as_ref()
                        .map_or_else(String::new, |a| a.as_str().to_owned()),
                    self.eval(file, m, &k.value, env, frame),
                )
            })
            .collect();
        let kw = |k: &str| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        let method = name.rsplit('.').next().unwrap_or("").to_owned();
        let all_taint = || {
            let mut t = receiver.taint.clone();
            for a in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
                t = union(t, a.taint.clone());
            }
            t
        };

        // Environment reads.
        if name == "os.environ.get" || name == "os.getenv" {
            return args
                .first()
                .and_then(|a| match &a.shape {
                    Shape::Const(c) => Some(Val::of(Shape::Env(c.clone()))),
                    _ => None,
                })
                .unwrap_or_default();
        }
        // The event's `.get`.
        if let Shape::Event(p) = &receiver.shape
            && method == "get"
            && let Some(Shape::Const(k)) = args.first().map(|a| &a.shape)
        {
            return self.event_value(file, join_path(p, k), &call.func);
        }
        if let Shape::Dict(items) = &receiver.shape
            && method == "get"
            && let Some(Shape::Const(k)) = args.first().map(|a| &a.shape)
            && let Some((_, v)) = items.iter().find(|(kk, _)| kk == k)
        {
            return v.clone();
        }
        // Error text.
        if ERROR_TEXT.contains(&name.as_str()) {
            return Val {
                taint: Some(Taint {
                    source: Source {
                        path: "error".into(),
                        loc: loc.clone(),
                    },
                    steps: Vec::new(),
                    clean_for: Vec::new(),
                    clean: false,
                }),
                shape: Shape::Unknown,
            };
        }
        // Sanitizers.
        if let Some((_, kinds)) = SANITIZERS
            .iter()
            .find(|(s, _)| *s == name || (name.ends_with(&format!(".{s}")) && s.contains('.')))
        {
            let t = all_taint().map(|mut t| {
                match kinds {
                    None => t.clean = true,
                    Some(ks) => t.clean_for.extend_from_slice(ks),
                }
                t.with_step(loc.clone(), format!("{name}()"))
            });
            return Val::tainted(t);
        }
        // boto3 clients and resources.
        if (matches!(
            name.as_str(),
            "boto3.client" | "boto3.resource" | ".client" | ".resource"
        ) || name.ends_with("session.client")
            || name.ends_with("Session.client"))
            && let Some(Shape::Const(svc)) = args
                .first()
                .map(|a| &a.shape)
                .or_else(|| kw("service_name").map(|v| &v.shape))
        {
            return Val::of(Shape::Client(iam_prefix(svc)));
        }
        if let Shape::Client(svc) = &receiver.shape {
            if method == "Table"
                || method == "Bucket"
                || method == "Queue"
                || method == "Topic"
                || method == "Object"
            {
                let res = args
                    .first()
                    .map_or(ResourceExpr::Unknown("argument".into()), |a| {
                        self.resource_expr(a, "argument")
                    });
                return Val::of(Shape::Bound(svc.clone(), res));
            }
            if method == "get_paginator" || method == "get_waiter" {
                return Val::default();
            }
            return self.sdk_call(file, svc.clone(), None, &method, &args, &kwargs, &loc);
        }
        if let Shape::Bound(svc, res) = &receiver.shape {
            if method == "batch_writer" {
                return Val::of(Shape::Bound(svc.clone(), res.clone()));
            }
            let res = res.clone();
            return self.sdk_call(file, svc.clone(), Some(res), &method, &args, &kwargs, &loc);
        }
        // Repository functions.
        if let Shape::Func(idx) = receiver.shape {
            let mut passed = args.clone();
            for p in &mut passed {
                if let Some(t) = &p.taint {
                    p.taint = Some(t.with_step(
                        loc.clone(),
                        format!("argument of {}", self.def(idx).name.as_str()),
                    ));
                }
            }
            return self.call_function(idx, passed, kwargs, false);
        }
        if let Some(Val {
            shape: Shape::Func(idx),
            ..
        }) = env
            .get(name.trim_start_matches('.'))
            .cloned()
            .or_else(|| match &*call.func {
                Expr::Attribute(a) => match &*a.value {
                    Expr::Name(n) if n.id.as_str() == "self" || n.id.as_str() == "cls" => self
                        .modules[m]
                        .globals
                        .iter()
                        .find(|(k, _)| k.ends_with(&format!(".{}", a.attr.as_str())))
                        .map(|(_, v)| v.clone()),
                    _ => None,
                },
                _ => None,
            })
        {
            return self.call_function(idx, args, kwargs, false);
        }
        // Sinks.
        let first = args.first().cloned().or_else(|| {
            kw("url")
                .or_else(|| kw("args"))
                .or_else(|| kw("cmd"))
                .cloned()
        });
        if let Some((sink, pos, kind)) = SINKS
            .iter()
            .find(|(s, _, _)| *s == name || name.ends_with(&format!(".{s}")) && !s.contains('.'))
        {
            let v = match pos {
                Some(i) => args.get(*i).cloned().or_else(|| first.clone()),
                None => first.clone(),
            };
            if let Some(t) = v.and_then(|v| v.taint) {
                self.flow(*kind, &t, &loc, sink);
            }
        }
        if name == "yaml.load" {
            let safe = kw("Loader")
                .is_some_and(|l| matches!(&l.shape, Shape::Name(n) if n.contains("Safe")))
                || args
                    .get(1)
                    .is_some_and(|l| matches!(&l.shape, Shape::Name(n) if n.contains("Safe")));
            if !safe && let Some(t) = args.first().and_then(|a| a.taint.clone()) {
                self.flow(Kind::Deserialization, &t, &loc, "yaml.load");
            }
        }
        if SUBPROCESS.contains(&name.as_str()) || name.ends_with(".Popen") {
            let shell =
                kw("shell").is_some_and(|v| matches!(&v.shape, Shape::Name(n) if n == "True"));
            let cmd_is_string = matches!(
                call.arguments.args.first(),
                Some(
                    Expr::BinOp(_)
                        | Expr::FString(_)
                        | Expr::Name(_)
                        | Expr::Call(_)
                        | Expr::StringLiteral(_)
                )
            );
            if (shell || cmd_is_string)
                && let Some(t) = first.as_ref().and_then(|v| v.taint.clone())
            {
                self.flow(Kind::InjectionOsCommand, &t, &loc, &name);
                if let Some(Expr::BinOp(_) | Expr::FString(_)) = call.arguments.args.first() {
                    let text = file.slice(span(call.arguments.args[0].range()));
                    if text.contains("curl") || text.contains("wget") {
                        self.flow(Kind::Ssrf, &t, &loc, &name);
                    }
                }
            }
        }
        if matches!(name.as_str(), "os.system" | "os.popen")
            && let (Some(t), Some(Expr::BinOp(_) | Expr::FString(_))) = (
                first.as_ref().and_then(|v| v.taint.clone()),
                call.arguments.args.first(),
            )
        {
            let text = file.slice(span(call.arguments.args[0].range()));
            if text.contains("curl") || text.contains("wget") {
                self.flow(Kind::Ssrf, &t, &loc, &name);
            }
        }
        if name.starts_with('.')
            && SQL_METHODS.contains(&method.as_str())
            && let Some(t) = first.as_ref().and_then(|v| v.taint.clone())
            && !matches!(first.as_ref().map(|v| &v.shape), Some(Shape::Const(_)))
        {
            self.flow(Kind::InjectionSql, &t, &loc, &format!("cursor.{method}"));
        }
        if name.starts_with('.')
            && matches!(
                method.as_str(),
                "find"
                    | "find_one"
                    | "delete_one"
                    | "delete_many"
                    | "update_one"
                    | "update_many"
                    | "aggregate"
            )
            && let Some(a) = args.first()
        {
            let whole = matches!(a.shape, Shape::Event(_))
                || call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|x| file.slice(span(x.range())).contains("$where"));
            if whole && let Some(t) = a.taint.clone() {
                self.flow(
                    Kind::InjectionNosql,
                    &t,
                    &loc,
                    &format!("collection.{method}"),
                );
            }
        }
        // `json.loads` and friends keep the event path so subscripts continue it.
        if matches!(
            name.as_str(),
            "json.loads" | "json.load" | "ujson.loads" | "simplejson.loads"
        ) && let Some(a) = args.first()
        {
            let t = a
                .taint
                .clone()
                .map(|t| t.with_step(loc.clone(), "parsed as JSON"));
            return Val {
                taint: t,
                shape: match &a.shape {
                    Shape::Event(p) => Shape::Event(p.clone()),
                    s => s.clone(),
                },
            };
        }
        // Anything else: derived from what went in.
        let t = all_taint();
        Val {
            taint: t,
            shape: if method == "read" || method == "decode" {
                receiver.shape.clone()
            } else {
                Shape::Unknown
            },
        }
    }

    fn resource_expr(&self, v: &Val, what: &str) -> ResourceExpr {
        match &v.shape {
            Shape::Const(s) => ResourceExpr::Literal(s.clone()),
            Shape::Env(e) => ResourceExpr::Env(e.clone()),
            _ => ResourceExpr::Unknown(what.to_owned()),
        }
    }

    #[expect(clippy::too_many_arguments, reason = "the call's parts")]
    fn sdk_call(
        &mut self,
        _file: &Arc<SourceFile>,
        service: String,
        bound: Option<ResourceExpr>,
        method: &str,
        args: &[Val],
        kwargs: &[(String, Val)],
        loc: &Loc,
    ) -> Val {
        let operation = OPERATION_ALIASES
            .iter()
            .find(|(s, m, _)| *s == service && *m == method)
            .map_or_else(|| camel(method), |(_, _, op)| (*op).to_owned());
        let operation = if service == "s3" && method == "generate_presigned_url" {
            match args.first().map(|a| &a.shape) {
                Some(Shape::Const(op)) => camel(op),
                _ => "GetObject".to_owned(),
            }
        } else if service == "dynamodb" && bound.is_some() && method == "put_item" {
            // `batch_writer().put_item` and `Table.put_item` are both PutItem in IAM terms.
            operation
        } else {
            operation
        };
        let params = if service == "s3" && method == "generate_presigned_url" {
            kwargs
                .iter()
                .find(|(k, _)| k == "Params")
                .and_then(|(_, v)| match &v.shape {
                    Shape::Dict(items) => Some(items.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        } else {
            kwargs.to_vec()
        };
        let resource = bound.unwrap_or_else(|| {
            SDK_RESOURCE_ARGS
                .iter()
                .find_map(|k| {
                    params
                        .iter()
                        .find(|(n, _)| n == k)
                        .map(|(n, v)| self.resource_expr(v, n))
                })
                .or_else(|| match (service.as_str(), method) {
                    ("s3", "upload_file") => args.get(1).map(|a| self.resource_expr(a, "bucket")),
                    ("events", _) => Some(ResourceExpr::Literal("default".into())),
                    _ => None,
                })
                .unwrap_or_else(|| ResourceExpr::Unknown("not given".into()))
        });
        let key = if service == "s3" {
            params
                .iter()
                .find(|(n, _)| n == "Key")
                .map(|(_, v)| match &v.shape {
                    Shape::Const(s) => ResourceExpr::Literal(s.clone()),
                    _ => ResourceExpr::Unknown("key".into()),
                })
                .or_else(|| match method {
                    "upload_file" => args.get(2).map(|a| self.resource_expr(a, "key")),
                    _ => None,
                })
        } else {
            None
        };
        let tainted = SDK_PAYLOAD_ARGS.iter().find_map(|field| {
            params.iter().find(|(n, _)| n == field).and_then(|(_, v)| {
                v.taint
                    .as_ref()
                    .filter(|t| !t.clean)
                    .map(|t| TaintedPayload {
                        field: (*field).to_owned(),
                        source: t.source.clone(),
                        steps: t.steps.clone(),
                    })
            })
        });
        // PartiQL and expression strings built from event data.
        for (field, _) in [
            ("Statement", 0),
            ("FilterExpression", 0),
            ("KeyConditionExpression", 0),
            ("ConditionExpression", 0),
            ("UpdateExpression", 0),
        ] {
            if let Some((_, v)) = params.iter().find(|(n, _)| n == field)
                && let (Some(t), false) = (&v.taint, matches!(v.shape, Shape::Const(_)))
            {
                let t = t.clone();
                self.flow(
                    Kind::InjectionNosql,
                    &t,
                    loc,
                    &format!("{service}.{method}({field})"),
                );
            }
        }
        self.calls.push(SdkCall {
            service: service.clone(),
            operation: operation.clone(),
            resource,
            loc: loc.clone(),
            tainted,
            key,
        });
        // An object read with an event-chosen key is attacker content.
        let key_taint = params
            .iter()
            .find(|(n, _)| n == "Key")
            .and_then(|(_, v)| v.taint.clone());
        if service == "s3"
            && operation == "GetObject"
            && let Some(t) = key_taint
        {
            return Val {
                taint: Some(Taint {
                    source: Source {
                        path: "s3-object".into(),
                        loc: loc.clone(),
                    },
                    steps: vec![Step {
                        loc: t.source.loc.clone(),
                        note: format!("key from event.{}", t.source.path),
                    }],
                    clean_for: Vec::new(),
                    clean: false,
                }),
                shape: Shape::Unknown,
            };
        }
        Val::default()
    }

    fn flow(&mut self, kind: Kind, t: &Taint, sink: &Loc, name: &str) {
        if !t.reaches(kind) {
            return;
        }
        if kind != Kind::VerboseError && t.source.path == "error" {
            return;
        }
        let _ = &self.function;
        self.flows.push(Flow {
            kind,
            source: t.source.clone(),
            steps: t.steps.clone(),
            sink: sink.clone(),
            sink_name: name.to_owned(),
        });
    }

    /// A returned HTTP response: error text in its body is a verbose error; tainted HTML is
    /// XSS.
    fn check_response(&mut self, file: &Arc<SourceFile>, expr: &Expr, v: &Val) {
        let Shape::Dict(items) = &v.shape else { return };
        let Some((_, body)) = items.iter().find(|(k, _)| k == "body") else {
            return;
        };
        let Some(t) = &body.taint else { return };
        let loc = Loc::new(file, span(expr.range()));
        if t.source.path == "error" {
            self.flows.push(Flow {
                kind: Kind::VerboseError,
                source: t.source.clone(),
                steps: t.steps.clone(),
                sink: loc,
                sink_name: "response body".into(),
            });
            return;
        }
        let html = items.iter().any(|(k, h)| k == "headers" && matches!(&h.shape, Shape::Dict(hs) if hs.iter().any(|(_, hv)| matches!(&hv.shape, Shape::Const(c) if c.contains("text/html")))));
        if html {
            self.flow(Kind::Xss, &t.clone(), &loc, "HTML response body");
        }
    }
}

fn callee_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.as_str().to_owned()),
        Expr::Attribute(a) => Some(format!(
            "{}.{}",
            callee_text(&a.value).unwrap_or_default(),
            a.attr.as_str()
        )),
        _ => None,
    }
}
