//! Sinks as both front ends see them: the row type of the sink tables (each language lists
//! the libraries it has), how a row's argument is judged, sanitiser masks, commands run by a
//! shell or a URL fetcher, the Lambda proxy response, and outbound HTTP requests recorded
//! with the SDK calls.

use perimeter_diagnostics::{Kind, Loc};

use super::effects::{Front, payload, resource_expr};
use std::rc::Rc;

use super::value::{Taint, Value, add_taints, data, kind_bit};
use crate::spec::Clean;
use crate::summary::TaintedPayload;

/// How a sink argument is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// The value or anything inside it is tainted.
    Deep,
    /// The receiver of the method (`Path(x).read_text()`).
    Receiver,
    /// SQL text: a string (in JavaScript also an object whose `sql`/`text` field is the
    /// text); in Python it fires when the text is not a constant (parameters passed
    /// separately are fine).
    Sql,
    /// A MongoDB query: the object itself comes from the event, or its `$where` is tainted.
    MongoQuery,
    /// A URL: a string, or a request object whose `url`/`uri`/`host`/`hostname`/`baseURL` is
    /// tainted (in Python, where a request's parts are arguments, as [`Check::Deep`]).
    Url,
    /// A program and its arguments (`spawn`/`execFile`, `subprocess.run`): fires on a tainted
    /// command or program, or on tainted arguments run by a shell (`sh -c`, `shell: true`,
    /// `shell=True`).
    Command,
    /// Code given as a string (not a function), as `setTimeout` accepts both (in Python,
    /// where code is always text, as [`Check::Deep`]).
    StringCode,
    /// XML parsed with entity expansion on: libxmljs with `{ noent: true }` in the next
    /// argument; lxml unless the parser argument is an `XMLParser` with
    /// `resolve_entities=False` (lxml's default parser expands entities).
    XmlEntities,
    /// YAML loaded with a loader that may build arbitrary objects.
    YamlLoad,
    /// Query or condition text (a DynamoDB expression, PartiQL): fires on event data anywhere
    /// in it unless the text is a constant (values bound separately are data).
    Expression,
    /// DynamoDB's legacy conditions (`ScanFilter`, `KeyConditions`, `Expected`:
    /// `{ attr: { ComparisonOperator, AttributeValueList } }`): fires on the whole map or a
    /// whole condition from the event, or on an operator the event chooses. Values in
    /// `AttributeValueList` (or `Value`) are compared as typed data, never parsed, so they
    /// are safe like an `ExpressionAttributeValues` value.
    LegacyConditions,
    /// The host of a socket connection: the `host`/`hostname` of an options object
    /// (`net.connect({ host, port })`) or the first element of an address tuple
    /// (`sock.connect((host, port))`). A bare scalar is not judged (it is a port or a socket
    /// path); a row naming the host's own position uses [`Check::Deep`].
    Host,
}

/// One request parameter of an SDK operation that is a sink: `field` of any `service` call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestSink {
    /// IAM service prefix.
    pub service: &'static str,
    /// The request parameter (same name in every SDK).
    pub field: &'static str,
    /// What the sink does.
    pub kind: Kind,
    /// How the parameter is judged ([`Check::Deep`], or a value-only check of [`judge`]).
    pub check: Check,
}

/// The labels a value-only check finds in `v` ([`Check::Deep`], [`Check::Expression`],
/// [`Check::LegacyConditions`], [`Check::Host`]); the other checks need the call's other
/// arguments and are judged by the front ends, here as [`Check::Deep`].
pub(crate) fn judge<V: Value>(check: Check, v: &V) -> Vec<Rc<Taint>> {
    match check {
        Check::Expression if v.konst().is_some() => Vec::new(),
        Check::LegacyConditions => legacy_conditions(v),
        Check::Host => host(v),
        _ => v.deep(),
    }
}

/// See [`Check::LegacyConditions`].
fn legacy_conditions<V: Value>(v: &V) -> Vec<Rc<Taint>> {
    if !v.has_shape() {
        return v.deep();
    }
    let mut t = v.taints().to_vec();
    for c in v.fields().into_iter().map(|(_, c)| c).chain(v.elems()) {
        if !c.has_shape() {
            add_taints(&mut t, c.deep());
            continue;
        }
        add_taints(&mut t, c.taints().iter().cloned());
        if let Some(op) = c.field("ComparisonOperator") {
            add_taints(&mut t, op.deep());
        }
    }
    t
}

/// See [`Check::Host`].
fn host<V: Value>(v: &V) -> Vec<Rc<Taint>> {
    if v.is_array() {
        return v.first_elem().map(|h| h.deep()).unwrap_or_default();
    }
    let mut t = Vec::new();
    for f in ["host", "hostname"] {
        if let Some(h) = v.field(f) {
            add_taints(&mut t, h.deep());
        }
    }
    t
}

/// One sink: calling `name` on something from `module` with a tainted argument.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sink {
    /// The package or top-level module (normalised: `fs/promises` is `fs`), or `""` for a
    /// global or builtin whose whole dotted path is `name`.
    pub module: &'static str,
    /// How the callee is named from the module, in the language's table spelling: the last
    /// member in JavaScript (`""` when the module itself is called, `axios(url)`); the dotted
    /// path in Python, `*.execute` for the method of anything derived from the module.
    pub name: &'static str,
    /// Which positional argument is checked ([`ANY_ARG`]: every one).
    pub arg: usize,
    /// The keyword naming the same argument, when it may be given by name (`""`: none).
    pub keyword: &'static str,
    /// What the sink does.
    pub kind: Kind,
    /// How the argument is judged.
    pub check: Check,
    /// Only as a constructor (`new Function`, `new vm.Script`); `None` for either.
    pub new_only: Option<bool>,
}

/// `arg` value meaning every argument (`new Function('a', 'b', body)`).
pub(crate) const ANY_ARG: usize = usize::MAX;

/// Short names of the kinds the sink tables use.
pub(crate) mod kinds {
    use perimeter_diagnostics::Kind;

    pub(crate) const SQL: Kind = Kind::InjectionSql;
    pub(crate) const NOSQL: Kind = Kind::InjectionNosql;
    pub(crate) const OS: Kind = Kind::InjectionOsCommand;
    pub(crate) const CODE: Kind = Kind::InjectionCode;
    pub(crate) const SSRF: Kind = Kind::Ssrf;
    pub(crate) const PATH: Kind = Kind::PathTraversal;
    pub(crate) const DESER: Kind = Kind::Deserialization;
    pub(crate) const XXE: Kind = Kind::Xxe;
    pub(crate) const XSS: Kind = Kind::Xss;
}

impl Sink {
    /// A sink row: the argument at `arg` (or named `keyword`) of `name` from `module`.
    pub(crate) const fn new(
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
            new_only: None,
        }
    }

    /// The same row, only as a constructor (`new vm.Script(code)`).
    pub(crate) const fn constructor(self) -> Sink {
        Sink {
            new_only: Some(true),
            ..self
        }
    }

    /// The sink's name in notes (`child_process.exec`, `os.system`, `sqlite3.execute`).
    pub(crate) fn display_name(&self) -> String {
        if self.module.is_empty() {
            return self.name.to_owned();
        }
        match self.name.strip_prefix("*.").unwrap_or(self.name) {
            "" => self.module.to_owned(),
            name => format!("{}.{name}", self.module),
        }
    }
}

impl Clean {
    /// The kinds a sanitizer's result is clean for, as a mask.
    pub(crate) fn mask(self) -> u32 {
        match self {
            Clean::All => super::value::ALL_KINDS,
            Clean::Kinds(kinds) => kinds.iter().fold(0, |m, k| m | kind_bit(*k)),
        }
    }
}

/// Shells: a command run through one (`sh -c cmd`, `["bash", "-c", cmd]`) runs its arguments
/// as shell text.
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

/// Programs that fetch the URL they are given.
pub(crate) const FETCHERS: &[&str] = &["curl", "wget"];

/// The base name of a program (`/bin/sh` -> `sh`).
fn base(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// Whether a program is a shell.
pub(crate) fn is_shell(program: &str) -> bool {
    SHELLS.contains(&base(program))
}

/// Whether a program fetches URLs.
pub(crate) fn is_fetcher(program: &str) -> bool {
    FETCHERS.contains(&base(program))
}

/// Whether a command text fetches a URL.
pub(crate) fn fetcher_text(p: &str) -> bool {
    FETCHERS
        .iter()
        .any(|f| p.starts_with(f) || p.contains(&format!("{f} ")))
}

/// A Lambda proxy response (`{ statusCode, headers, body }`) at `loc`: errors in the body are
/// verbose errors; event data in an HTML body is XSS.
pub(crate) fn check_response<V: Value>(eng: &mut impl Front, v: &V, loc: &Loc, sink_name: &str) {
    let Some(body) = v.field("body") else { return };
    let taints = body.deep();
    if taints.is_empty() {
        return;
    }
    eng.fx().flow(Kind::VerboseError, &taints, loc, sink_name);
    let html = v.field("headers").is_some_and(|h| {
        h.fields().iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-type")
                && v.text().is_some_and(|t| t.pattern().contains("html"))
        })
    });
    if html {
        eng.fx().flow(Kind::Xss, &taints, loc, sink_name);
    }
}

/// The data an outbound request sends: its body given directly (`axios.post(url, data)`,
/// `requests.post(url, data)`), else the first tainted field of its options (`{ body }`,
/// `json=...`).
pub(crate) fn request_payload<V: Value>(
    direct: Option<&V>,
    option: impl Fn(&str) -> Option<V>,
) -> Option<TaintedPayload> {
    if let Some(t) = direct.and_then(|d| data(d.deep())) {
        return Some(payload("body", &t));
    }
    crate::spec::HTTP_PAYLOAD_FIELDS.iter().find_map(|f| {
        let t = data(option(f)?.deep())?;
        Some(payload(f, &t))
    })
}

/// Records an outbound HTTP request at `loc` with the SDK calls, so the application graph can
/// link a request to one of the application's own endpoints and carry its data there.
pub(crate) fn outbound_request<V: Value>(
    eng: &mut impl Front,
    loc: Loc,
    method: String,
    url: &V,
    tainted: Option<TaintedPayload>,
) {
    let call = crate::SdkCall {
        service: crate::spec::HTTP_SERVICE.to_owned(),
        operation: method,
        resource: resource_expr(url, "url"),
        loc,
        tainted,
        key: None,
        index: None,
        fields: Vec::new(),
    };
    let choices = crate::spec::resource_choices(url.text());
    let in_request = eng.in_request();
    eng.fx().call(call, choices, in_request);
}
