//! Judging a single value: placeholders, references, documented examples, entropy, secret-looking
//! names and redaction. Shared by the detectors and by the rules that check environment
//! variables and parameters by name and value.

use std::sync::LazyLock;

use crate::Confidence;

/// Shannon entropy of `s` in bits per byte (0 for the empty string). Random base64 is close to
/// 6, random hex close to 4, English words around 3.
pub fn shannon_entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let len = f64::from(u32::try_from(s.len()).unwrap_or(u32::MAX));
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Words that, as the whole value, mean "nothing real here".
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "null",
    "nil",
    "none",
    "undefined",
    "n/a",
    "na",
    "empty",
    "default",
    "todo",
    "tbd",
    "fixme",
    "test",
    "testing",
    "dummy",
    "fake",
    "sample",
    "example",
    "placeholder",
    "redacted",
    "hidden",
    "masked",
    "removed",
    "secret_key",
    "secretkey",
    "private_key",
    "privatekey",
    "access_token",
    "accesstoken",
    "true",
    "false",
];

/// Substrings that mark a value as an illustration rather than a credential.
const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "your",
    "example",
    "dummy",
    "placeholder",
    "replace",
    "insert",
    "redacted",
    "fake",
    "sample",
    "xxxx",
    "****",
    "....",
    "…",
    "todo",
    "fixme",
    "test",
    "abc123",
    "mysecret",
    "mypassword",
    "my-secret",
    "my_secret",
    "notreal",
    "not-real",
    "not_a_real",
    "secret_here",
    "key_here",
    "token_here",
    "-here",
    "_here",
];

/// Whether `value` is a placeholder rather than a real secret: empty, one repeated character,
/// a run like `123456`, a template hole (`<...>`, `${...}`, `{{...}}`, `{name}`, `%s`), or a
/// stock word (`changeme`, `password`, `xxx`, `your-api-key`, `example`, `dummy`, `test`,
/// `fake`, `sample`, `null`, `none`, `undefined`, `TODO`...).
///
/// A literal `password: password` is a placeholder here; rules that want to flag weak
/// literal passwords by name can still do so by checking the name themselves.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    if v.is_empty() {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || v.starts_with("${")
        || v.starts_with("{{")
        || (v.starts_with('{') && v.ends_with('}') && !v.contains(char::is_whitespace))
    {
        return true;
    }
    if ["%s", "%d", "%(", "{}", "{0}"]
        .iter()
        .any(|p| v.contains(p))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    let alnum: Vec<u8> = lower.bytes().filter(u8::is_ascii_alphanumeric).collect();
    match alnum.first() {
        // Only punctuation (`***`, `---`): a mask.
        None => true,
        Some(&first) => alnum.iter().all(|&b| b == first) || is_run(&alnum),
    }
}

/// Whether the bytes climb or fall by one each step (`123456`, `abcdef`, `987654`).
fn is_run(b: &[u8]) -> bool {
    b.len() >= 4
        && (b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
            || b.windows(2).all(|w| w[1] == w[0].wrapping_sub(1)))
}

/// Whether `value` points at a secret instead of holding one: a deployment variable
/// (`${ssm:...}`, `${env:X}`, `{{resolve:secretsmanager:...}}`), an ARN, a template
/// function (`!Ref`, `Fn::`), a read of the environment (`process.env.X`, `os.environ[...]`,
/// `os.getenv(...)`, `$VAR`) or a secret-store URI.
pub fn is_reference(value: &str) -> bool {
    const STARTS: &[&str] = &[
        "arn:",
        "!ref",
        "!sub",
        "!getatt",
        "!importvalue",
        "!findinmap",
        "!if",
        "!join",
        "!select",
        "fn::",
        "ssm:",
        "secretsmanager:",
        "resolve:",
        "vault:",
        "op://",
        "%env(",
        "env(",
        "env.",
        "var.",
        "local.",
        "data.",
        "module.",
    ];
    const CONTAINS: &[&str] = &[
        "process.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "environ.get",
        "environ[",
        "import.meta.env",
        "deno.env",
        "env[",
        "fn::",
        "secretsmanager:",
        "ssm:/",
    ];
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    if v.contains("${") || v.contains("{{") || v.contains("#{") {
        return true;
    }
    if let Some(rest) = v.strip_prefix('$')
        && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '(' || c == '{')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    STARTS.iter().any(|p| lower.starts_with(p)) || CONTAINS.iter().any(|p| lower.contains(p))
}

static DOCUMENTED_EXAMPLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("allowlist.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `value` contains a credential that vendors publish in their documentation (the
/// list is `src/allowlist.txt`).
pub fn is_documented_example(value: &str) -> bool {
    DOCUMENTED_EXAMPLES.iter().any(|e| value.contains(e)) || value.contains("EXAMPLE")
}

/// A redacted form safe to print: at most the first 4 characters (fewer for short values, a
/// quarter of the length), an ellipsis and the length, e.g. `AKIA…(20 chars)`. Never the
/// whole value.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let shown = if n >= 16 { 4 } else { n / 4 };
    let prefix: String = value.chars().take(shown).collect();
    format!("{prefix}…({n} chars)")
}

/// What a secret-looking name says the value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A password chosen by a person: short and low-entropy values still count.
    Password,
    /// A token, key or secret: expected to be long and random.
    Token,
}

/// Splits an identifier into lowercase words: `dbPassword` -> `db password`,
/// `AWS_SECRET_ACCESS_KEY` -> `aws secret access key`, `APIKey` -> `api key`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words that end a secret-looking name on their own.
const SECRET_WORDS: &[(&str, NameKind)] = &[
    ("password", NameKind::Password),
    ("passwords", NameKind::Password),
    ("passwd", NameKind::Password),
    ("pwd", NameKind::Password),
    ("passphrase", NameKind::Password),
    ("secret", NameKind::Token),
    ("secrets", NameKind::Token),
    ("token", NameKind::Token),
    ("tokens", NameKind::Token),
    ("apikey", NameKind::Token),
    ("secretkey", NameKind::Token),
    ("privatekey", NameKind::Token),
    ("accesskey", NameKind::Token),
    ("clientsecret", NameKind::Token),
    ("authtoken", NameKind::Token),
    ("accesstoken", NameKind::Token),
    ("credential", NameKind::Token),
    ("credentials", NameKind::Token),
];

/// Words that make `<word> key` a secret (`api key`, `private key`...).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "private",
    "secret",
    "access",
    "signing",
    "encryption",
    "master",
    "auth",
    "app",
    "client",
    "consumer",
    "license",
    "subscription",
    "hmac",
];

/// Words after the secret word that turn the name into metadata about the secret
/// (`SECRET_NAME`, `tokenUrl`, `password_policy`, `accessKeyId`).
const METADATA_WORDS: &[&str] = &[
    // Settings about the secret (`RefreshTokenValidity`, `PasswordRequireCharacters`).
    "validity",
    "characters",
    "chars",
    "lowercase",
    "uppercase",
    "symbols",
    "numbers",
    "name",
    "names",
    "id",
    "ids",
    "arn",
    "arns",
    "path",
    "file",
    "filename",
    "dir",
    "url",
    "uri",
    "endpoint",
    "host",
    "type",
    "types",
    "length",
    "len",
    "size",
    "field",
    "fields",
    "param",
    "parameter",
    "params",
    "env",
    "var",
    "variable",
    "header",
    "ref",
    "reference",
    "version",
    "policy",
    "rotation",
    "manager",
    "prefix",
    "suffix",
    "pattern",
    "regex",
    "count",
    "expiry",
    "expires",
    "expiration",
    "expire",
    "exp",
    "ttl",
    "timeout",
    "hash",
    "hashed",
    "digest",
    "hint",
    "label",
    "placeholder",
    "location",
    "format",
    "mode",
    "enabled",
    "enable",
    "disabled",
    "required",
    "min",
    "max",
    "store",
    "provider",
    "source",
    "service",
    "lifetime",
    "duration",
    "usage",
    "limit",
    "method",
    "algorithm",
    "alg",
    "schema",
    "salt",
    "key",
    "keys",
    "input",
    "prompt",
    "message",
    "msg",
    "error",
    "errors",
    "validation",
    "valid",
    "invalid",
    "reset",
    "confirm",
    "confirmation",
    "strength",
    "forgot",
    "changed",
    "updated",
    "mask",
    "visible",
    "show",
    "toggle",
    "icon",
    "button",
    "link",
    "page",
    "route",
    "form",
    "text",
    "title",
    "description",
    "help",
    "column",
    "attribute",
    "attr",
    "property",
    "prop",
    "index",
    "bucket",
    "table",
    "queue",
    "topic",
    "kms",
    "generator",
    "lambda",
    "function",
    "handler",
    "resolver",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "cache",
    "storage",
    "cookie",
    "class",
    "validator",
    "schema",
    "config",
    "options",
    "option",
    "settings",
    "type",
    "kind",
    "spec",
    "file",
    "list",
    "map",
    "manager",
    "client",
    "request",
    "response",
    "payload",
    "endpoint",
    "usage",
    "count",
    "state",
    "status",
    "check",
    "len",
    "expires",
    "at",
    "set",
];

/// Words before the secret word that say it is not a credential (`nextToken`, `maxTokens`).
const NOT_SECRET_QUALIFIERS: &[&str] = &[
    // A request id sent by an API client (`Postman-Token`), not a credential.
    "postman",
    "next",
    "continuation",
    "pagination",
    "page",
    "cancel",
    "cancellation",
    "idempotency",
    "sync",
    "resume",
    "marker",
    "csrf",
    "xsrf",
    "max",
    "min",
    "total",
    "input",
    "output",
    "prompt",
    "completion",
    "num",
    "count",
    "limit",
    "is",
    "has",
    "should",
    "use",
    "enable",
    "require",
    "show",
    "validate",
    "verify",
    "check",
    "get",
    "set",
    "fetch",
    "load",
    "read",
    "create",
    "generate",
    "parse",
    "decode",
    "encode",
    "rotate",
    "reset",
    "forgot",
    "hash",
    "hashed",
    "old",
    "confirm",
    "mask",
    "masked",
    "no",
    "without",
    "public",
    "secrets",
];

/// Whether an identifier names a secret (`PASSWORD`, `dbPassword`, `API_KEY`, `clientSecret`,
/// `AWS_SECRET_ACCESS_KEY`, `private_key`) rather than data about one (`SECRET_NAME`,
/// `passwordPolicy`, `accessKeyId`, `nextToken`, `max_tokens`).
pub fn is_secret_name(name: &str) -> bool {
    classify_name(name).is_some()
}

/// The kind of secret a name announces, if any.
pub(crate) fn classify_name(name: &str) -> Option<NameKind> {
    let w = words(name);
    // Find the last word that ends a secret phrase.
    let mut found = None;
    for (i, word) in w.iter().enumerate() {
        // `pass` after what it opens is the short form of a password (`DB_PASS`,
        // `db_pass_moodle`); alone it is a test verdict, and before `through` or `rate` a
        // setting.
        let short_pass = word == "pass"
            && i > 0
            && !w
                .get(i + 1)
                .is_some_and(|n| matches!(n.as_str(), "through" | "thru" | "rate" | "fail"));
        let kind = SECRET_WORDS
            .iter()
            .find(|(s, _)| s == word)
            .map(|&(_, k)| k)
            .or_else(|| short_pass.then_some(NameKind::Password))
            .or_else(|| {
                (word == "key" && i > 0 && KEY_QUALIFIERS.contains(&w[i - 1].as_str()))
                    .then_some(NameKind::Token)
            });
        if let Some(kind) = kind {
            found = Some((i, kind));
        }
    }
    let (i, kind) = found?;
    if w[i + 1..]
        .iter()
        .any(|t| METADATA_WORDS.contains(&t.as_str()))
    {
        return None;
    }
    // The word right before the phrase (skipping a `key` qualifier).
    let phrase_start = if w[i] == "key" { i - 1 } else { i };
    if phrase_start > 0 && NOT_SECRET_QUALIFIERS.contains(&w[phrase_start - 1].as_str()) {
        return None;
    }
    Some(kind)
}

/// Whether a literal is shaped like something other than a credential: a boolean, a small
/// number, a path or URL without credentials, another variable's NAME, a dotted or
/// dashed identifier (`x-api-key`, `prod/db/password`), or prose.
pub(crate) fn looks_like_non_secret(v: &str) -> bool {
    const FILE_ENDINGS: &[&str] = &[
        ".pem", ".key", ".json", ".txt", ".p12", ".pfx", ".crt", ".yml", ".yaml", ".env",
    ];
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "yes" | "no" | "on" | "off" | "true" | "false" | "required"
    ) {
        return true;
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') && v.len() < 6 {
        return true;
    }
    if v.contains(char::is_whitespace) {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") || v.starts_with("../") {
        return true;
    }
    if (lower.starts_with("http://") || lower.starts_with("https://")) && !v.contains('@') {
        return true;
    }
    if FILE_ENDINGS.iter().any(|e| lower.ends_with(e)) {
        return true;
    }
    // ANOTHER_VARIABLE's name.
    if v.contains('_')
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return true;
    }
    // Lowercase words joined by separators: an identifier, a header or a key name.
    let segments: Vec<&str> = v.split(['.', '-', '_', '/', ':']).collect();
    segments.len() >= 2
        && segments
            .iter()
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Whether a value is, by its shape, something other than a secret whatever its name: a KMS
/// ciphertext blob (`AQICAH...`,
/// useless without `kms:Decrypt` on the key), a one-way password hash (`$2a$...` bcrypt,
/// `$argon2id$`, `$6$` crypt), or an ARM/Bicep template expression (`[parameters('x')]`).
pub fn is_non_secret_value(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'', '`']).trim();
    is_kms_ciphertext(v)
        || is_password_hash(v)
        || (v.starts_with('[')
            && v[1..]
                .split('(')
                .next()
                .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_alphabetic()))
            && v.contains('('))
}

/// A KMS `CiphertextBlob` in base64: version 1, then the key's id (`AQIBAH`, `AQICAH`,
/// `AQIDAH` followed by more base64).
fn is_kms_ciphertext(v: &str) -> bool {
    v.len() >= 100
        && ["AQIBAH", "AQICAH", "AQIDAH"]
            .iter()
            .any(|p| v.starts_with(p))
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// Modular-crypt password hashes: bcrypt, argon2, scrypt, pbkdf2, SHA-crypt.
fn is_password_hash(v: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "$2a$", "$2b$", "$2y$", "$2x$", "$argon2", "$scrypt$", "$pbkdf2", "$5$", "$6$", "$7$",
    ];
    PREFIXES.iter().any(|p| v.starts_with(p)) && !v.contains(char::is_whitespace)
}

/// How sure a named literal is a secret, or `None` when it is not one. `strict` raises the
/// bar (used when scanning code, where names are noisier than in configuration).
pub(crate) fn judge_named_literal(kind: NameKind, value: &str, strict: bool) -> Option<Confidence> {
    let v = value.trim();
    if is_reference(v)
        || is_placeholder(v)
        || looks_like_non_secret(v)
        || is_documented_example(v)
        || is_non_secret_value(v)
    {
        return None;
    }
    let len = v.chars().count();
    let h = shannon_entropy(v);
    match kind {
        NameKind::Password => {
            let (min_len, min_h) = if strict { (6, 2.0) } else { (4, 1.5) };
            if len < min_len || h < min_h {
                return None;
            }
            Some(if len >= 12 && h >= 3.2 {
                Confidence::High
            } else {
                Confidence::Medium
            })
        }
        NameKind::Token => {
            let (min_len, min_h) = if strict { (10, 3.0) } else { (8, 2.5) };
            if len < min_len || h < min_h {
                return None;
            }
            Some(if len >= 16 && h >= 3.5 {
                Confidence::High
            } else {
                Confidence::Medium
            })
        }
    }
}

/// Whether an unnamed value looks like a random credential on its own: long, one token drawn
/// from the base64/base62 alphabet, mixing upper case, lower case and digits, and of high
/// entropy. Hex-only strings (hashes, ids) and UUIDs do not qualify.
pub(crate) fn is_high_entropy_token(v: &str) -> bool {
    let len = v.len();
    if !(24..=512).contains(&len) {
        return false;
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
    {
        return false;
    }
    let upper = v.bytes().any(|b| b.is_ascii_uppercase());
    let lower = v.bytes().any(|b| b.is_ascii_lowercase());
    let digit = v.bytes().any(|b| b.is_ascii_digit());
    upper
        && lower
        && digit
        && shannon_entropy(v) >= 4.2
        && !is_placeholder(v)
        && !is_non_secret_value(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_random_above_words() {
        assert!(shannon_entropy("aaaaaaaa") < 0.01);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy("q8Xv2LmZ9rTfW3kYpB7n") > shannon_entropy("passwordpassword"));
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "  ",
            "changeme",
            "PASSWORD",
            "xxx",
            "xxxxxxxxxxxx",
            "<your-key>",
            "${DB_PASS}",
            "{{token}}",
            "%s",
            "your-api-key",
            "YOUR_API_KEY",
            "example",
            "dummy-token",
            "test",
            "fake",
            "sample",
            "null",
            "None",
            "undefined",
            "TODO",
            "aaaaaaa",
            "123456789",
            "****",
            "{password}",
            "abcdefg",
        ] {
            assert!(is_placeholder(p), "{p:?} should be a placeholder");
        }
        for real in [
            "hunter2!",
            "q8Xv2LmZ9rTfW3kYpB7n",
            "Tr0ub4dor&3",
            "s3cr3t-Pa55",
        ] {
            assert!(!is_placeholder(real), "{real:?} is not a placeholder");
        }
    }

    #[test]
    fn references() {
        for r in [
            "${ssm:/prod/db/password}",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            "process.env.DB_PASSWORD",
            "os.environ['DB_PASSWORD']",
            "os.getenv(\"TOKEN\")",
            "$DB_PASSWORD",
            "!Ref DbPassword",
            "${env:TOKEN}",
        ] {
            assert!(is_reference(r), "{r:?} should be a reference");
        }
        assert!(!is_reference("q8Xv2LmZ9rTfW3kYpB7n"));
        assert!(!is_reference("pa$$word"));
    }

    #[test]
    fn names() {
        for n in [
            "PASSWORD",
            "dbPassword",
            "DB_PASSWORD",
            "API_KEY",
            "apiKey",
            "APIKey",
            "client_secret",
            "clientSecret",
            "AWS_SECRET_ACCESS_KEY",
            "private_key",
            "PRIVATE_KEY",
            "SECRET_KEY",
            "auth_token",
            "GITHUB_TOKEN",
            "stripe.secret",
            "SECRET",
            "DB_PASS",
            "db_pass_moodle",
            "adminPass",
        ] {
            assert!(is_secret_name(n), "{n:?} names a secret");
        }
        for n in [
            "SECRET_NAME",
            "secretArn",
            "password_policy",
            "accessKeyId",
            "AWS_ACCESS_KEY_ID",
            "nextToken",
            "max_tokens",
            "tokenUrl",
            "key",
            "monkey",
            "PASSWORD_MIN_LENGTH",
            "secretsManager",
            "tokenizer",
            "keyId",
            "passwordField",
            "public_key",
            "PASS_THROUGH",
            "passThrough",
            "pass_rate",
            "bypass",
            "compass",
            "PASS",
        ] {
            assert!(!is_secret_name(n), "{n:?} does not name a secret");
        }
    }

    #[test]
    fn redaction_never_shows_the_value() {
        assert_eq!(redact("AKIAQ3EGV5AXT7PLX2MB"), "AKIA…(20 chars)");
        assert_eq!(redact("hunter22"), "hu…(8 chars)");
        assert_eq!(redact("abc"), "…(3 chars)");
        assert_eq!(redact("pässwörd-Été-2024"), "päss…(17 chars)");
    }

    #[test]
    fn non_secret_shapes() {
        for v in [
            "true",
            "3600",
            "x-api-key",
            "prod/db/password",
            "DB_PASSWORD",
            "/run/secrets/db",
            "https://vault.internal/v1",
            "Enter your password",
            "key.pem",
        ] {
            assert!(looks_like_non_secret(v), "{v:?}");
        }
        assert!(!looks_like_non_secret("hunter2!"));
    }
}
