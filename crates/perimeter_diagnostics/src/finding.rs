//! Findings, their kinds and severities, and scan errors: the report contract.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Loc;

/// How bad a finding is. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a gate by default.
    Info,
    /// Hygiene.
    Low,
    /// A weakness that needs another flaw to be exploited.
    Medium,
    /// Exploitable.
    High,
    /// Exploitable from the internet with no precondition.
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase name used in reports and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// One step lower (info stays info).
    #[must_use]
    pub const fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

macro_rules! kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// The fixed vocabulary of finding kinds; every rule maps to one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Kind {
            $(
                #[doc = $name]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl Kind {
            /// Every kind.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The kebab-case name used in reports.
            pub const fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }
        }
    };
}

kinds! {
    InjectionSql => "injection-sql",
    InjectionNosql => "injection-nosql",
    InjectionOsCommand => "injection-os-command",
    InjectionCode => "injection-code",
    Ssrf => "ssrf",
    PathTraversal => "path-traversal",
    Deserialization => "deserialization",
    Xxe => "xxe",
    Xss => "xss",
    UnauthenticatedEndpoint => "unauthenticated-endpoint",
    WildcardIam => "wildcard-iam",
    OverPrivilegedIam => "over-privileged-iam",
    SharedRole => "shared-role",
    PrivilegeEscalation => "privilege-escalation",
    HardcodedSecret => "hardcoded-secret",
    PlaintextSecret => "plaintext-secret",
    VulnerableDependency => "vulnerable-dependency",
    DenialOfWallet => "denial-of-wallet",
    ExcessiveTimeout => "excessive-timeout",
    RecursiveTrigger => "recursive-trigger",
    VerboseError => "verbose-error",
    InsecureStorage => "insecure-storage",
    MissingEncryption => "missing-encryption",
    InsecureCors => "insecure-cors",
    MissingLogging => "missing-logging",
    MissingTracing => "missing-tracing",
    MissingDeadLetter => "missing-dead-letter",
    DeprecatedRuntime => "deprecated-runtime",
    SensitiveLog => "sensitive-log",
    Other => "other",
}

impl Kind {
    /// Whether the kind is one of the injection family (event data reaching a sink).
    pub const fn is_injection(self) -> bool {
        matches!(
            self,
            Kind::InjectionSql
                | Kind::InjectionNosql
                | Kind::InjectionOsCommand
                | Kind::InjectionCode
                | Kind::Ssrf
                | Kind::PathTraversal
                | Kind::Deserialization
                | Kind::Xxe
                | Kind::Xss
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown finding kind `{s}`"))
    }
}

/// One step of a trace, from source to sink.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceStep {
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The function (model name) this step is in, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// What the value is at this step (`event.queryStringParameters.url`, `message body`).
    pub note: String,
}

impl TraceStep {
    /// A step at a location.
    pub fn at(loc: &Loc, function: Option<&str>, note: impl Into<String>) -> Self {
        let p = loc.start();
        Self {
            path: loc.path().to_owned(),
            line: p.line,
            column: p.column,
            function: function.map(str::to_owned),
            note: note.into(),
        }
    }
}

/// A finding: what a rule says is wrong, where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code (`IAM001`).
    pub rule: String,
    /// The rule's kebab-case name.
    pub name: String,
    /// The finding kind.
    pub kind: Kind,
    /// Severity, after configuration overrides.
    pub severity: Severity,
    /// One short sentence without a final period.
    pub message: String,
    /// What to do about it.
    #[serde(default)]
    pub help: String,
    /// File, relative to the scan root.
    pub path: String,
    /// 1-based start line.
    pub line: u32,
    /// 1-based start column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based end column.
    pub end_column: u32,
    /// The application (its descriptor path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The function, by its name in the descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The resource (logical id, function name or address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Source-to-sink steps, for data-flow findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceStep>,
    /// Stable identity: rule, path and the normalised text of the flagged place, not the line.
    pub fingerprint: String,
}

impl Finding {
    /// A finding at a location; the fingerprint is computed from rule, path and snippet.
    pub fn new(
        rule: &str,
        name: &str,
        kind: Kind,
        severity: Severity,
        loc: &Loc,
        message: impl Into<String>,
    ) -> Self {
        let start = loc.start();
        let end = loc.end();
        let mut finding = Self {
            rule: rule.to_owned(),
            name: name.to_owned(),
            kind,
            severity,
            message: message.into(),
            help: String::new(),
            path: loc.path().to_owned(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            app: None,
            function: None,
            resource: None,
            trace: Vec::new(),
            fingerprint: String::new(),
        };
        finding.fingerprint = fingerprint(rule, loc.path(), loc.text(), "");
        finding
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Sets the application.
    #[must_use]
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// Sets the function.
    #[must_use]
    pub fn function(mut self, function: impl Into<String>) -> Self {
        self.function = Some(function.into());
        self
    }

    /// Sets the resource.
    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Sets the trace.
    #[must_use]
    pub fn trace(mut self, trace: Vec<TraceStep>) -> Self {
        self.trace = trace;
        self
    }

    /// Mixes a distinguishing string into the fingerprint (two findings of one rule on the
    /// same text, for instance two functions sharing one statement).
    #[must_use]
    pub fn distinguish(mut self, salt: &str) -> Self {
        self.fingerprint = fingerprint(&self.rule, &self.path, &self.fingerprint, salt);
        self
    }

    /// The key findings are sorted by in every report.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str, &str) {
        (
            &self.path,
            self.line,
            self.column,
            &self.rule,
            self.function.as_deref().unwrap_or(""),
            &self.fingerprint,
        )
    }
}

/// Makes every finding's fingerprint unique within a sorted list. The first finding with a
/// given rule and fingerprint keeps it; the second, third, ... get it mixed with their
/// ordinal (`#2`, `#3`). Without this a second occurrence of an identical line (another
/// handler calling the same sink the same way, two functions sharing one statement) would
/// share the first one's identity, and a baseline or a `--diff` base that holds the first
/// would hide the new one. Counting keeps existing baselines valid: a lone finding's
/// fingerprint is unchanged. Applying it twice changes nothing.
pub fn number_repeats(findings: &mut [Finding]) {
    let mut seen: std::collections::BTreeMap<(String, String), u32> =
        std::collections::BTreeMap::new();
    for f in findings.iter_mut() {
        let n = seen
            .entry((f.rule.clone(), f.fingerprint.clone()))
            .or_insert(0);
        *n += 1;
        if *n > 1 {
            let salt = format!("#{n}");
            f.fingerprint = fingerprint(&f.rule, &f.path, &f.fingerprint, &salt);
        }
    }
}

/// A stable fingerprint: a hash of the rule, the path and the flagged text with its white
/// space folded, so moving code up or down a file keeps the identity.
pub fn fingerprint(rule: &str, path: &str, snippet: &str, salt: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    for word in snippet.split_whitespace() {
        h.update(word.as_bytes());
        h.update([b' ']);
    }
    h.update([0]);
    h.update(salt.as_bytes());
    let digest = h.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// A file or construct that could not be analysed. Every one is listed in the report, so a
/// clean report is never a lie.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanError {
    /// File, relative to the scan root.
    pub path: String,
    /// Why it could not be analysed.
    pub message: String,
    /// 1-based line, when the problem has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl ScanError {
    /// An error for a whole file. The message is escaped and cut short: parser errors quote
    /// the file, and the file is the scanned repository's.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: crate::nofollow::excerpt(&message.into(), crate::nofollow::MAX_EXCERPT),
            line: None,
        }
    }

    /// An error at a location (its message escaped and cut short like [`ScanError::new`]'s).
    pub fn at(loc: &Loc, message: impl Into<String>) -> Self {
        Self {
            path: loc.path().to_owned(),
            message: crate::nofollow::excerpt(&message.into(), crate::nofollow::MAX_EXCERPT),
            line: Some(loc.start().line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
            assert_eq!(
                serde_json::to_string(k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }

    #[test]
    fn fingerprint_ignores_whitespace_but_not_text() {
        assert_eq!(
            fingerprint("A", "p", "a  b\n c", ""),
            fingerprint("A", "p", "a b c", "")
        );
        assert_ne!(
            fingerprint("A", "p", "a b", ""),
            fingerprint("A", "p", "a c", "")
        );
    }

    #[test]
    fn repeats_get_distinct_fingerprints_and_the_first_keeps_its_own() {
        let mk = |line: u32| Finding {
            rule: "INJ003".into(),
            name: "os-command-injection".into(),
            kind: Kind::InjectionOsCommand,
            severity: Severity::Critical,
            message: String::new(),
            help: String::new(),
            path: "a.js".into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            app: None,
            function: None,
            resource: None,
            trace: Vec::new(),
            fingerprint: fingerprint("INJ003", "a.js", "exec(e.body)", ""),
        };
        let mut v = vec![mk(1), mk(9), mk(20)];
        let first = v[0].fingerprint.clone();
        number_repeats(&mut v);
        assert_eq!(v[0].fingerprint, first);
        assert_ne!(v[1].fingerprint, first);
        assert_ne!(v[2].fingerprint, v[1].fingerprint);
        let once: Vec<String> = v.iter().map(|f| f.fingerprint.clone()).collect();
        number_repeats(&mut v);
        let twice: Vec<String> = v.iter().map(|f| f.fingerprint.clone()).collect();
        assert_eq!(once, twice);
    }

    #[test]
    fn severity_orders() {
        assert!(Severity::Critical > Severity::High);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
    }
}
