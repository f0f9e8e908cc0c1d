//! Offline detection of hard-coded secrets (cloud keys, tokens, private keys, passwords in
//! connection strings and assignments) in the files of a serverless repository.
//!
//! One Aho-Corasick automaton over every detector's keywords runs once over a file; each
//! detector then runs its regular expression only on the lines (or the few lines around) where
//! one of its keywords occurs, and validates what it finds (checksums, decoding, entropy,
//! placeholders, documented examples, references to secret stores).
//!
//! Detectors, most specific first (where matches overlap, the earlier one wins):
//! `google-service-account-key`, `private-key`, `aws-access-key-id`, `aws-secret-access-key`,
//! `github-token` (CRC32 checksum verified), `github-fine-grained-token`, `gitlab-token`,
//! `slack-token`, `slack-webhook`, `stripe-secret-key`, `twilio-api-key`,
//! `twilio-auth-token`, `sendgrid-api-key`, `mailgun-api-key`, `google-api-key`,
//! `azure-storage-key`, `jwt`, `npm-token`, `pypi-token`, `database-uri-password`,
//! `http-basic-credentials` and `generic-secret-assignment`. [`detectors`] lists them with
//! their descriptions.
//!
//! ```
//! use perimeter_diagnostics::SourceFile;
//! use perimeter_secrets::{scan, Confidence, FileContext};
//!
//! let file = SourceFile::new("src/db.js", "const url = 'postgres://app:Zq8vR2mLx9@db.internal/app';\n");
//! let found = scan(&file, FileContext::for_path(file.path()));
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].detector, "database-uri-password");
//! assert_eq!(file.slice(found[0].span), "Zq8vR2mLx9");
//! assert_eq!(found[0].confidence, Confidence::High);
//! ```

mod codec;
mod detectors;
mod engine;
mod files;
mod value;

use std::sync::Arc;

use perimeter_diagnostics::{SourceFile, Span};

pub use files::{is_candidate_file, is_test_path};
pub use value::{
    is_documented_example, is_placeholder, is_reference, is_secret_name, redact, shannon_entropy,
};

/// What a scanned file is; it decides how assignments are read (quoted literals only in code,
/// bare `NAME=value` in `.env` files...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileContext {
    /// Program text (JavaScript, TypeScript, Python, Terraform): only quoted literals are
    /// values; anything else is an expression.
    Source,
    /// A deployment descriptor (`serverless.yml`, a SAM or `CloudFormation` template).
    Descriptor,
    /// `NAME=value` lines: `.env` files, shell scripts, Dockerfiles, `.npmrc`, `.ini`.
    Env,
    /// A Jupyter notebook (`.ipynb`): JSON whose strings hold code with escaped quotes.
    Notebook,
    /// Other configuration (YAML, JSON, TOML).
    Config,
}

/// How sure a detector is that a match is a live secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Plausible but weaker: test fixtures, test-mode keys, low-entropy passwords, local hosts.
    Medium,
    /// Format-valid (checksum, decoding) or a strong literal under a secret's name.
    High,
}

impl Confidence {
    /// The lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One secret found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    /// The detector's stable kebab-case id (`aws-access-key-id`).
    pub detector: &'static str,
    /// What the detector finds, for messages (`AWS access key id`).
    pub description: &'static str,
    /// The bytes of the secret value itself (not the surrounding assignment).
    pub span: Span,
    /// A printable redaction of the value (see [`redact`]); never the whole secret.
    pub redacted: String,
    /// How sure the detector is.
    pub confidence: Confidence,
}

/// Scans one file for secrets. `context` says what the file is (see
/// [`FileContext::for_path`]). Matches are sorted by span; where two detectors match
/// overlapping text, the more specific one is kept. Lines over 2,000 bytes (minified
/// bundles) are skipped except by the private-key detector; only the first 8 MiB of a file are
/// read; at most 1,000 matches are returned. Matches in test files ([`is_test_path`]) and in
/// templates meant to be copied (`.env.example`, `.env.sample`) have medium confidence.
pub fn scan(file: &Arc<SourceFile>, context: FileContext) -> Vec<SecretMatch> {
    engine::scan_text(file.path(), file.text(), context)
}

/// The detectors, in priority order: `(id, description)`.
pub fn detectors() -> impl Iterator<Item = (&'static str, &'static str)> {
    detectors::DETECTORS.iter().map(|d| (d.id, d.description))
}

/// Why [`looks_like_secret_value`] judged a value to be a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The value has a known credential format (a detector matched it).
    KnownFormat,
    /// The name announces a secret and the value is a literal that is not a placeholder.
    SecretName,
    /// The value alone is a long, high-entropy token.
    HighEntropy,
}

/// The verdict of [`looks_like_secret_value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueVerdict {
    /// A detector id from [`detectors`], or `secret-by-name` / `high-entropy-value`.
    pub detector: &'static str,
    /// What was found, for messages.
    pub description: &'static str,
    /// How sure the verdict is.
    pub confidence: Confidence,
    /// Which rule decided.
    pub reason: Reason,
    /// A printable redaction of the value.
    pub redacted: String,
}

/// Judges one environment variable, parameter default or property by its NAME and VALUE,
/// for rules that read descriptors (`environment: { DB_PASSWORD: hunter2x }`).
///
/// In order:
/// 1. an empty value or a reference (`${ssm:...}`, `{{resolve:secretsmanager:...}}`, an ARN,
///    `!Ref`, `process.env.X`, `$VAR`; see [`is_reference`]) is not a secret;
/// 2. a value in a known credential format (an AWS key id, a GitHub token, a database URI
///    with a password... any [`detectors`] entry except the generic assignment one) is one,
///    whatever the name ([`Reason::KnownFormat`], the detector's confidence);
/// 3. a documented example ([`is_documented_example`]) is not;
/// 4. under a secret-looking name ([`is_secret_name`]: `PASSWORD`, `DB_PASSWORD`, `SECRET`,
///    `TOKEN`, `API_KEY`, `PRIVATE_KEY`, `CLIENT_SECRET`...; not `SECRET_NAME`,
///    `PASSWORD_POLICY`, `ACCESS_KEY_ID`), a literal that is not a placeholder
///    ([`is_placeholder`]) and not shaped like a non-secret (a boolean, a small number, a
///    path, a URL without credentials, another variable's name, an identifier such as
///    `prod/db/password`) is one ([`Reason::SecretName`]): high confidence when long and
///    random, medium otherwise (`hunter2x`);
/// 5. under any other name, a long (24+), high-entropy, mixed-case alphanumeric token is
///    one with medium confidence ([`Reason::HighEntropy`]).
///
/// Placeholders return `None`; a rule that wants to flag weak literal passwords such as
/// `password` or `changeme` should test [`is_secret_name`] and [`is_placeholder`] itself.
pub fn looks_like_secret_value(name: &str, value: &str) -> Option<ValueVerdict> {
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    if v.is_empty() || is_reference(v) {
        return None;
    }
    if let Some(m) = engine::scan_text("", v, FileContext::Config)
        .into_iter()
        .find(|m| m.detector != detectors::GENERIC_ID)
    {
        return Some(ValueVerdict {
            detector: m.detector,
            description: m.description,
            confidence: m.confidence,
            reason: Reason::KnownFormat,
            redacted: redact(v),
        });
    }
    if is_documented_example(v) {
        return None;
    }
    if let Some(kind) = value::classify_name(name) {
        let confidence = value::judge_named_literal(kind, v, false)?;
        return Some(ValueVerdict {
            detector: "secret-by-name",
            description: "literal value under a secret's name",
            confidence,
            reason: Reason::SecretName,
            redacted: redact(v),
        });
    }
    value::is_high_entropy_token(v).then(|| ValueVerdict {
        detector: "high-entropy-value",
        description: "high-entropy token",
        confidence: Confidence::Medium,
        reason: Reason::HighEntropy,
        redacted: redact(v),
    })
}
