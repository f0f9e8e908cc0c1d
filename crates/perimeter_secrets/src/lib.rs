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
//! `http-basic-credentials` (also `'Basic ' + 'user:pass'`, folded from its literals),
//! `signing-key-literal` (the literal key of `jwt.sign`/`jwt.verify`/`hmac.new`/`Fernet`)
//! and `generic-secret-assignment`. [`detectors`] lists them with
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

pub use files::{is_candidate_file, is_recorded_data_path, is_test_path, is_vendored_sdk_path};
pub use value::{
    is_documented_example, is_non_secret_value, is_placeholder, is_reference, is_secret_name,
    redact, shannon_entropy,
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
    /// A provider's format in recorded data (a test event, a fixture, a seed): worth a look,
    /// rarely live.
    Low,
    /// Plausible but weaker: test fixtures, test-mode keys, low-entropy passwords, local hosts.
    Medium,
    /// Format-valid (checksum, decoding) or a strong literal under a secret's name.
    High,
}

impl Confidence {
    /// The lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
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
    /// The key or variable the value is assigned to on its line (`DB_PASSWORD`,
    /// `config.apiKey`), when there is one.
    pub key: Option<String>,
}

/// Scans one file for secrets. `context` says what the file is (see
/// [`FileContext::for_path`]). Matches are sorted by span; where two detectors match
/// overlapping text, the more specific one is kept. Lines over 2,000 bytes (minified
/// bundles) are skipped except by the private-key detector; only the first 8 MiB of a file are
/// read; at most 1,000 matches are returned. Matches in templates meant to be copied
/// (`.env.example`, `.env.sample`) have medium confidence; in recorded data (tests, fixtures,
/// recorded events, seeds: [`is_recorded_data_path`]) only the provider formats are kept,
/// with low confidence.
pub fn scan(file: &Arc<SourceFile>, context: FileContext) -> Vec<SecretMatch> {
    engine::scan_text(file.path(), file.text(), context)
}

/// Bytes of a file scanned at once by [`scan_reader`].
pub const WINDOW_BYTES: usize = 4 << 20;
/// Bytes each window of [`scan_reader`] shares with the one before it, so a secret across a
/// window's edge (a private key block, a long line) is seen whole in one of them.
pub const WINDOW_OVERLAP: usize = 64 << 10;

/// Text for the detectors with the same length as `bytes`, so spans stay byte offsets: valid
/// UTF-8 is kept, every other byte becomes `?`, and control characters other than tab and
/// line breaks (a binary file's NUL bytes) become line breaks, so a binary file is scanned as
/// its printable runs.
pub fn text_of_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r') {
                out.push('\n');
            } else {
                out.push(c);
            }
        }
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

/// One window of a file scanned by [`scan_reader`].
pub struct Window {
    /// The window's text (see [`text_of_bytes`]), under the file's path.
    pub file: Arc<SourceFile>,
    /// Lines of the file before the window.
    pub lines_before: u32,
    /// The matches that belong to this window, spans relative to it.
    pub matches: Vec<SecretMatch>,
    /// For each match, its first and last line in the file (1-based), counted in the bytes
    /// read: the window's text has more line breaks where control characters were.
    pub lines: Vec<(u32, u32)>,
}

/// Scans a file of any size and content from `reader` in windows of [`WINDOW_BYTES`] that
/// overlap by [`WINDOW_OVERLAP`] (each match is reported once, by the window where it starts
/// first), reading at most `limit` bytes; calls `each` per window with matches. Returns the
/// bytes read and whether the file was longer than `limit`.
pub fn scan_reader(
    path: &str,
    mut reader: impl std::io::Read,
    context: FileContext,
    limit: u64,
    mut each: impl FnMut(Window),
) -> std::io::Result<(u64, bool)> {
    let mut buf: Vec<u8> = Vec::with_capacity(WINDOW_BYTES);
    // File offset of `buf[0]`, lines before it, and where the matches not yet reported start.
    let (mut base, mut lines_before, mut keep_from) = (0u64, 0u32, 0u64);
    let mut eof = false;
    let mut truncated = false;
    loop {
        while buf.len() < WINDOW_BYTES && !eof {
            let room = (WINDOW_BYTES - buf.len()).min(64 << 10);
            let left = limit.saturating_sub(base + buf.len() as u64);
            if left == 0 {
                let mut probe = [0u8; 1];
                truncated = reader.read(&mut probe)? > 0;
                eof = true;
                break;
            }
            let want = room.min(usize::try_from(left).unwrap_or(room));
            let start = buf.len();
            buf.resize(start + want, 0);
            let n = loop {
                match reader.read(&mut buf[start..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            buf.truncate(start + n);
            eof = n == 0;
        }
        let last = eof;
        // Matches starting before `keep_to` are this window's; the rest are the next one's,
        // which also sees what follows them.
        let keep_to = if last {
            base + buf.len() as u64
        } else {
            base + (buf.len() - WINDOW_OVERLAP) as u64
        };
        let text = text_of_bytes(&buf);
        let file = SourceFile::new(path, text);
        let matches: Vec<SecretMatch> = engine::scan_text(path, file.text(), context)
            .into_iter()
            .filter(|m| {
                let at = base + u64::from(m.span.start);
                at >= keep_from && at < keep_to
            })
            .collect();
        if !matches.is_empty() {
            let line_at = |offset: u32| {
                let end = (offset as usize).min(buf.len());
                let n = buf[..end].iter().filter(|&&b| b == b'\n').count();
                lines_before
                    .saturating_add(u32::try_from(n).unwrap_or(u32::MAX))
                    .saturating_add(1)
            };
            let lines = matches
                .iter()
                .map(|m| (line_at(m.span.start), line_at(m.span.end)))
                .collect();
            each(Window {
                file: Arc::clone(&file),
                lines_before,
                matches,
                lines,
            });
        }
        if last {
            return Ok((base + buf.len() as u64, truncated));
        }
        // The next window starts at a line start in the overlap (or the overlap's start).
        let cut = usize::try_from(keep_to - base).unwrap_or(buf.len());
        let from = cut.saturating_sub(WINDOW_OVERLAP);
        let next = buf[from..cut]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(from, |p| from + p + 1);
        lines_before = lines_before.saturating_add(
            u32::try_from(buf[..next].iter().filter(|&&b| b == b'\n').count()).unwrap_or(u32::MAX),
        );
        buf.drain(..next);
        base += next as u64;
        keep_from = keep_to;
    }
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

/// What [`scan_folded`] found in a string the code builds from constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldedMatch {
    /// A detector id from [`detectors`], or `bearer-token`.
    pub detector: &'static str,
    /// What was found, for messages.
    pub description: &'static str,
    /// How sure the verdict is.
    pub confidence: Confidence,
    /// A printable redaction of the secret part.
    pub redacted: String,
    /// Where the secret part is in the judged value (bytes).
    pub range: std::ops::Range<usize>,
}

/// Judges a string that code analysis folded from constants only (a concatenation, a
/// template literal, an f-string, a `%` or `format`, a join, a base64 encoding):
/// `Basic YWRtaW46...`, `Bearer sk_live_...`, `postgres://app:pw@db/app`. Every detector
/// except the name-based generic one runs on the value; a `Bearer` token that is in no
/// provider's format counts when it is a long, high-entropy token; last, under a secret's
/// `name` (`API_KEY = 'ak_' + '...'`), the value is judged as the generic detector judges a
/// literal in code. Placeholders, references and documented examples are not secrets. The
/// most specific match wins.
pub fn scan_folded(value: &str, name: Option<&str>) -> Option<FoldedMatch> {
    let v = value.trim_start();
    let offset = value.len() - v.len();
    let v = v.trim_end();
    if v.is_empty() || v.len() > engine::MAX_LINE_BYTES {
        return None;
    }
    if let Some(m) = engine::scan_text("", v, FileContext::Config)
        .into_iter()
        .find(|m| !matches!(m.detector, detectors::GENERIC_ID | "signing-key-literal"))
    {
        return Some(FoldedMatch {
            detector: m.detector,
            description: m.description,
            confidence: m.confidence,
            redacted: m.redacted,
            range: offset + m.span.start as usize..offset + m.span.end as usize,
        });
    }
    if let Some((at, token)) = bearer_token(v) {
        return Some(FoldedMatch {
            detector: "bearer-token",
            description: "bearer token",
            confidence: Confidence::High,
            redacted: redact(token),
            range: offset + at..offset + at + token.len(),
        });
    }
    let kind = value::classify_name(name?)?;
    if is_documented_example(v) {
        return None;
    }
    let confidence = value::judge_named_literal(kind, v, true)?;
    let generic = detectors::DETECTORS
        .iter()
        .find(|d| d.id == detectors::GENERIC_ID)?;
    Some(FoldedMatch {
        detector: generic.id,
        // The name is in the message already.
        description: "secret",
        confidence,
        redacted: redact(v),
        range: offset..offset + v.len(),
    })
}

/// The token of `Bearer <token>` (anywhere in the value) when it is a long, random token
/// and not a placeholder, a reference or a documented example.
fn bearer_token(v: &str) -> Option<(usize, &str)> {
    let lower = v.to_ascii_lowercase();
    let after = lower.find("bearer ")? + "bearer ".len();
    let rest = v[after..].trim_start();
    let at = v.len() - rest.len();
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
        .unwrap_or(rest.len());
    let token = &rest[..end];
    (value::is_high_entropy_token(token) && !is_reference(token) && !is_documented_example(token))
        .then_some((at, token))
}
