//! The rule framework: metadata, the `Rule` trait, the context a rule reads and the collector
//! it reports into.

use perimeter_code::FunctionSummary;
use perimeter_diagnostics::{Finding, Kind, Loc, Severity, TraceStep};
use perimeter_model::{Application, Function};
use serde::Serialize;

/// What area of a serverless application a rule is about. Separate from the severity and
/// the kind: the category groups rules in the catalogue and in selectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// IAM roles, statements and resource policies.
    Iam,
    /// Who may call a function.
    Auth,
    /// Cost abuse: concurrency, throttling, timeouts, recursion.
    DenialOfWallet,
    /// Secrets in descriptors.
    Secrets,
    /// Buckets, queues, topics, tables: exposure and encryption.
    Storage,
    /// Logging, tracing, dead letters.
    Observability,
    /// Runtimes.
    Runtime,
    /// Event data reaching a dangerous sink in code.
    Injection,
    /// Error handling in code.
    ErrorHandling,
    /// Third-party packages.
    Dependencies,
}

impl Category {
    /// The kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Iam => "iam",
            Category::Auth => "auth",
            Category::DenialOfWallet => "denial-of-wallet",
            Category::Secrets => "secrets",
            Category::Storage => "storage",
            Category::Observability => "observability",
            Category::Runtime => "runtime",
            Category::Injection => "injection",
            Category::ErrorHandling => "error-handling",
            Category::Dependencies => "dependencies",
        }
    }
}

/// The life cycle of a rule. Codes are never reused: a removed rule keeps its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// New; runs only when selected explicitly (by code, name, prefix or kind).
    Preview {
        /// The version it appeared in.
        since: &'static str,
    },
    /// Runs by default.
    Stable {
        /// The version it became stable in.
        since: &'static str,
    },
    /// Still runs by default, will be removed.
    Deprecated {
        /// The version it was deprecated in.
        since: &'static str,
    },
    /// No longer runs; the code stays reserved.
    Removed {
        /// The version it was removed in.
        since: &'static str,
    },
}

impl Status {
    /// Whether the rule runs when nothing selects it explicitly.
    pub const fn is_default(self) -> bool {
        matches!(self, Status::Stable { .. } | Status::Deprecated { .. })
    }

    /// Whether the rule may run at all.
    pub const fn is_runnable(self) -> bool {
        !matches!(self, Status::Removed { .. })
    }

    /// The lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Preview { .. } => "preview",
            Status::Stable { .. } => "stable",
            Status::Deprecated { .. } => "deprecated",
            Status::Removed { .. } => "removed",
        }
    }
}

/// Everything about a rule but its check: identity, defaults and documentation.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Stable code, `DOMAIN###` (`IAM001`).
    pub code: &'static str,
    /// Kebab-case name (`iam-wildcard-action`).
    pub name: &'static str,
    /// The finding kind.
    pub kind: Kind,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Life cycle.
    pub status: Status,
    /// The documentation: the rule's doc comment, as markdown with the leading space that
    /// `///` leaves on each line (see [`RuleMeta::markdown`]).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation as clean markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned()
    }

    /// The first paragraph under `## What it does`, on one line.
    pub fn summary(&self) -> String {
        let md = self.markdown();
        let body = md.split("## What it does").nth(1).unwrap_or(&md);
        let para = body.trim_start().split("\n\n").next().unwrap_or("");
        para.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text of one `## ` section (without its heading), if present.
    pub fn section(&self, heading: &str) -> Option<String> {
        let md = self.markdown();
        let marker = format!("## {heading}\n");
        let start = md.find(&marker)? + marker.len();
        let rest = &md[start..];
        let end = rest.find("\n## ").unwrap_or(rest.len());
        Some(rest[..end].trim().to_owned())
    }
}

/// A rule: metadata plus a check over one application.
pub trait Rule: Send + Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports what is wrong in one application.
    fn check(&self, cx: &AppContext<'_>, out: &mut Findings);
}

/// What a rule reads: one application and the code summaries of its functions.
#[derive(Clone, Copy)]
pub struct AppContext<'a> {
    /// The application model.
    pub app: &'a Application,
    /// The code analysis of the application's functions (may be empty, for instance with
    /// `--no-code`).
    pub summaries: &'a [FunctionSummary],
    /// The application graph (writes linked to triggers, cross-function taint), when built.
    pub graph: Option<&'a perimeter_graph::AppGraph<'a>>,
    /// Every application of the scan, this one included (empty when not given): what
    /// another descriptor says of the same code or the same deployment (a duplicate
    /// template, the Terraform that hosts an Azure function app).
    pub apps: &'a [Application],
}

impl<'a> AppContext<'a> {
    /// A context for an application and its summaries.
    pub fn new(app: &'a Application, summaries: &'a [FunctionSummary]) -> Self {
        Self {
            app,
            summaries,
            graph: None,
            apps: &[],
        }
    }

    /// The same context with every application of the scan.
    #[must_use]
    pub fn with_apps(mut self, apps: &'a [Application]) -> Self {
        self.apps = apps;
        self
    }

    /// The same context with the application graph, which the data-flow rules read.
    #[must_use]
    pub fn with_graph(mut self, graph: &'a perimeter_graph::AppGraph<'a>) -> Self {
        self.graph = Some(graph);
        self
    }

    /// The code summary of a function, when its code was analysed.
    pub fn summary(&self, function: &str) -> Option<&'a FunctionSummary> {
        self.summaries.iter().find(|s| s.function == function)
    }

    /// The functions with their summaries (functions without one are skipped).
    pub fn analysed(&self) -> impl Iterator<Item = (&'a Function, &'a FunctionSummary)> + '_ {
        let app = self.app;
        self.summaries
            .iter()
            .filter_map(move |s| app.function(&s.function).map(|f| (f, s)))
    }
}

/// The collector a rule reports into; fills rule code, name, kind, default severity and the
/// application on every finding.
#[derive(Debug)]
pub struct Findings {
    meta: &'static RuleMeta,
    app: String,
    items: Vec<Finding>,
}

impl Findings {
    /// A collector for one rule over one application.
    pub fn new(meta: &'static RuleMeta, app: &str) -> Self {
        Self {
            meta,
            app: app.to_owned(),
            items: Vec::new(),
        }
    }

    /// Starts a finding at a location; it is recorded when the returned builder is dropped,
    /// so chain the builder's setters in one statement.
    pub fn report(&mut self, loc: &Loc, message: impl Into<String>) -> Report<'_> {
        let m = self.meta;
        let finding =
            Finding::new(m.code, m.name, m.kind, m.severity, loc, message).app(self.app.clone());
        Report {
            finding: Some(finding),
            out: &mut self.items,
        }
    }

    /// The findings so far.
    pub fn as_slice(&self) -> &[Finding] {
        &self.items
    }

    /// The findings.
    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }
}

/// A finding being built; pushed into its [`Findings`] when dropped (its setters are not
/// `#[must_use]` on purpose: the statement that builds it records it).
#[derive(Debug)]
pub struct Report<'a> {
    finding: Option<Finding>,
    out: &'a mut Vec<Finding>,
}

impl Report<'_> {
    fn map(mut self, f: impl FnOnce(Finding) -> Finding) -> Self {
        self.finding = self.finding.take().map(f);
        self
    }

    /// Sets the help text.
    pub fn help(self, help: impl Into<String>) -> Self {
        self.map(|f| f.help(help))
    }

    /// Sets the function (and the resource, unless set).
    pub fn function(self, id: &str) -> Self {
        self.map(|f| {
            let f = f.function(id);
            if f.resource.is_none() {
                f.resource(id)
            } else {
                f
            }
        })
    }

    /// Attributes a finding to a role: the role is the resource, and its function when
    /// exactly one function uses it.
    pub fn role(self, role: &perimeter_model::Role) -> Self {
        let r = self.resource(&role.id);
        match role.functions.as_slice() {
            [one] => r.map(|f| f.function(one.as_str())),
            _ => r,
        }
    }

    /// Sets the function when there is one.
    pub fn function_opt(self, id: Option<&str>) -> Self {
        match id {
            Some(id) => self.function(id),
            None => self,
        }
    }

    /// Sets the resource.
    pub fn resource(self, id: &str) -> Self {
        self.map(|f| f.resource(id))
    }

    /// Sets the severity (rules that refine their default).
    pub fn severity(self, severity: Severity) -> Self {
        self.map(|mut f| {
            f.severity = severity;
            f
        })
    }

    /// Sets the trace.
    pub fn trace(self, trace: Vec<TraceStep>) -> Self {
        self.map(|f| f.trace(trace))
    }

    /// Mixes a salt into the fingerprint (two findings of one rule on one text).
    pub fn distinguish(self, salt: &str) -> Self {
        self.map(|f| f.distinguish(salt))
    }
}

impl Drop for Report<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.finding.take() {
            self.out.push(f);
        }
    }
}

/// Declares a rule: a unit struct, its `META` (with the doc comment captured as `DOCS`).
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct IamWildcardAction {
///         code: "IAM001", name: "iam-wildcard-action", kind: Kind::WildcardIam,
///         severity: Severity::High, category: Category::Iam,
///         status: Status::Stable { since: "0.1.0" },
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            kind: $kind:expr,
            severity: $sev:expr,
            category: $cat:expr,
            status: $status:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Default, Clone, Copy)]
        $vis struct $name;

        impl $name {
            /// The rule's documentation (its doc comment).
            pub const DOCS: &'static str = concat!($($doc, "\n"),+);
            /// The rule's metadata.
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $rname,
                kind: $kind,
                severity: $sev,
                category: $cat,
                status: $status,
                docs: Self::DOCS,
            };
        }
    };
}
