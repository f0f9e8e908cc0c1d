//! The detectors: for each, its keywords (the prefilter), where it looks, its pattern and how
//! it validates a candidate. The table order is the priority order when matches overlap:
//! specific formats first, the generic assignment detector last.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::Confidence;
use crate::FileContext;
use crate::codec::{base64_decode, has_crc32_checksum};
use crate::engine::{MAX_LINE_BYTES, Text};
use crate::value::{
    NameKind, classify_name, is_documented_example, is_placeholder, is_reference,
    judge_named_literal, shannon_entropy, words,
};

/// A candidate secret: its byte range in the file and the detector's confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) confidence: Confidence,
}

/// One detector.
pub(crate) struct Detector {
    /// Stable kebab-case id.
    pub(crate) id: &'static str,
    /// What it finds.
    pub(crate) description: &'static str,
    /// ASCII keywords, matched case-insensitively; the detector runs only where one occurs.
    pub(crate) keywords: &'static [&'static str],
    /// Looks at the given (sorted, unique, 0-based) keyword lines and reports candidates.
    pub(crate) run: fn(&Text<'_>, &[usize], &mut Vec<Found>),
}

/// The id of the generic assignment detector.
pub(crate) const GENERIC_ID: &str = "generic-secret-assignment";

/// Every detector, most specific first.
pub(crate) static DETECTORS: &[Detector] = &[
    Detector {
        id: "google-service-account-key",
        description: "Google Cloud service-account private key",
        keywords: &["service_account"],
        run: google_service_account,
    },
    Detector {
        id: "private-key",
        description: "private key",
        keywords: &["PRIVATE KEY"],
        run: private_key,
    },
    Detector {
        id: "aws-access-key-id",
        description: "AWS access key id",
        keywords: &["AKIA", "ASIA", "ABIA", "ACCA"],
        run: aws_access_key_id,
    },
    Detector {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        keywords: &[
            "aws_secret",
            "aws-secret",
            "awssecret",
            "secretaccesskey",
            "secret_access_key",
            "secret-access-key",
        ],
        run: aws_secret_access_key,
    },
    Detector {
        id: "github-token",
        description: "GitHub token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        run: github_token,
    },
    Detector {
        id: "github-fine-grained-token",
        description: "GitHub fine-grained personal access token",
        keywords: &["github_pat_"],
        run: github_fine_grained,
    },
    Detector {
        id: "gitlab-token",
        description: "GitLab personal access token",
        keywords: &["glpat-"],
        run: gitlab_token,
    },
    Detector {
        id: "slack-token",
        description: "Slack token",
        keywords: &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"],
        run: slack_token,
    },
    Detector {
        id: "slack-webhook",
        description: "Slack incoming webhook URL",
        keywords: &["hooks.slack.com"],
        run: slack_webhook,
    },
    Detector {
        id: "stripe-secret-key",
        description: "Stripe secret or restricted key",
        keywords: &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
        run: stripe_key,
    },
    Detector {
        id: "twilio-api-key",
        description: "Twilio API key",
        keywords: &["twilio"],
        run: twilio_api_key,
    },
    Detector {
        id: "twilio-auth-token",
        description: "Twilio auth token",
        keywords: &["twilio"],
        run: twilio_auth_token,
    },
    Detector {
        id: "sendgrid-api-key",
        description: "SendGrid API key",
        keywords: &["SG."],
        run: sendgrid_key,
    },
    Detector {
        id: "mailgun-api-key",
        description: "Mailgun API key",
        keywords: &["key-"],
        run: mailgun_key,
    },
    Detector {
        id: "google-api-key",
        description: "Google API key",
        keywords: &["AIza"],
        run: google_api_key,
    },
    Detector {
        id: "azure-storage-key",
        description: "Azure storage or service-bus key in a connection string",
        keywords: &["AccountKey=", "SharedAccessKey="],
        run: azure_key,
    },
    Detector {
        id: "jwt",
        description: "JSON Web Token",
        keywords: &["eyJ"],
        run: jwt,
    },
    Detector {
        id: "npm-token",
        description: "npm access token",
        keywords: &["npm_", "_authToken"],
        run: npm_token,
    },
    Detector {
        id: "pypi-token",
        description: "PyPI upload token",
        keywords: &["pypi-AgE"],
        run: pypi_token,
    },
    Detector {
        id: "database-uri-password",
        description: "password in a database connection URI",
        keywords: &[
            "postgres",
            "mysql",
            "mariadb",
            "mongodb",
            "redis",
            "amqp",
            "mssql",
            "sqlserver",
        ],
        run: database_uri,
    },
    Detector {
        id: "http-basic-credentials",
        description: "HTTP Basic credentials",
        keywords: &["basic"],
        run: basic_auth,
    },
    Detector {
        id: "signing-key-literal",
        description: "literal signing or encryption key",
        keywords: &[
            "jwt.sign",
            "jwt.verify",
            "jwt.encode",
            "jwt.decode",
            "hmac.new",
            "fernet(",
        ],
        run: signing_key,
    },
    Detector {
        id: GENERIC_ID,
        description: "secret literal assigned to a secret's name",
        keywords: &["pass", "pwd", "secret", "token", "key", "credential"],
        run: generic_assignment,
    },
];

/// A lazily compiled, constant regular expression.
macro_rules! re {
    ($pattern:expr) => {{
        static RE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pattern).expect("detector patterns are valid"));
        &*RE
    }};
}

/// Whether the byte at `i` is one of `set` or ASCII alphanumeric.
fn word_byte(src: &str, i: usize, set: &[u8]) -> bool {
    src.as_bytes()
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || set.contains(b))
}

/// Whether `start..end` is not glued to more token characters (alphanumerics or `extra`).
fn bounded(src: &str, start: usize, end: usize, extra: &[u8]) -> bool {
    (start == 0 || !word_byte(src, start - 1, extra)) && !word_byte(src, end, extra)
}

/// Runs `re` on each keyword line (lines longer than [`MAX_LINE_BYTES`] are skipped) and
/// passes every match (absolute start, end, text) to `judge`.
fn each_match(
    t: &Text<'_>,
    lines: &[usize],
    re: &Regex,
    out: &mut Vec<Found>,
    judge: impl Fn(usize, usize, &str) -> Option<Confidence>,
) {
    for &l in lines {
        let Some((base, line)) = t.line(l, MAX_LINE_BYTES) else {
            continue;
        };
        for m in re.find_iter(line) {
            let (s, e) = (base + m.start(), base + m.end());
            if let Some(confidence) = judge(s, e, m.as_str()) {
                out.push(Found {
                    start: s,
                    end: e,
                    confidence,
                });
            }
        }
    }
}

/// Like [`each_match`] with capture groups; `judge` returns the reported range and confidence.
fn each_capture(
    t: &Text<'_>,
    lines: &[usize],
    re: &Regex,
    out: &mut Vec<Found>,
    judge: impl Fn(usize, &Captures<'_>) -> Option<(usize, usize, Confidence)>,
) {
    for &l in lines {
        let Some((base, line)) = t.line(l, MAX_LINE_BYTES) else {
            continue;
        };
        for caps in re.captures_iter(line) {
            if let Some((s, e, confidence)) = judge(base, &caps) {
                out.push(Found {
                    start: s,
                    end: e,
                    confidence,
                });
            }
        }
    }
}

/// The sorted, unique lines within `before`/`after` lines of any keyword line.
fn around(t: &Text<'_>, lines: &[usize], before: usize, after: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for &l in lines {
        let from = l
            .saturating_sub(before)
            .max(out.last().map_or(0, |&p| p + 1));
        let to = (l + after).min(t.line_count().saturating_sub(1));
        out.extend(from..=to);
    }
    out
}

/// Whether any line within `radius` of `line` contains `needle` (ASCII, case-insensitive).
fn near(t: &Text<'_>, line: usize, radius: usize, needle: &str) -> bool {
    let last = (line + radius).min(t.line_count().saturating_sub(1));
    (line.saturating_sub(radius)..=last).any(|l| {
        t.line(l, MAX_LINE_BYTES).is_some_and(|(_, s)| {
            s.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        })
    })
}

/// Whether a random-looking token body is real: not a placeholder, entropy at least `min_h`.
fn random_body(body: &str, min_h: f64) -> bool {
    !is_placeholder(body) && shannon_entropy(body) >= min_h
}

// ---------------------------------------------------------------------------------------------
// Private keys.

/// Lines a private key may span (a 16 KiB RSA key in PEM is about 200 lines).
const KEY_MAX_LINES: usize = 400;
/// Longest single line a private key may sit on (a key inlined in JSON with `\n` escapes).
const KEY_MAX_LINE_BYTES: usize = 64 * 1024;

/// Whether a PEM body (between the markers, possibly with `\n` escapes, quotes and string
/// concatenation) holds real key material rather than `...` or a handful of characters.
fn pem_body_is_real(body: &str) -> bool {
    if body.contains("...") || body.contains('…') || body.contains('<') {
        return false;
    }
    let cleaned = body.replace("\\n", "").replace("\\r", "");
    let b64: Vec<u8> = cleaned
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    let mut seen = [false; 256];
    for &b in &b64 {
        seen[b as usize] = true;
    }
    b64.len() >= 64 && seen.iter().filter(|&&s| s).count() >= 20
}

fn private_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let begin =
        re!(r"-----BEGIN ((?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----");
    for &l in lines {
        let Some((base, line)) = t.line(l, KEY_MAX_LINE_BYTES) else {
            continue;
        };
        for caps in begin.captures_iter(line) {
            let Some(m) = caps.get(0) else { continue };
            let body_start = base + m.end();
            // The END marker, within KEY_MAX_LINES lines.
            let last_line = (l + KEY_MAX_LINES).min(t.line_count().saturating_sub(1));
            let limit = t.line_range(last_line).1;
            let Some(window) = t.src.get(body_start..limit) else {
                continue;
            };
            let Some(end_rel) = window.find("-----END ") else {
                continue;
            };
            let after_end = &window[end_rel + 9..];
            let Some(close) = after_end.find("-----") else {
                continue;
            };
            if !pem_body_is_real(&window[..end_rel]) {
                continue;
            }
            let end = body_start + end_rel + 9 + close + 5;
            let encrypted = caps.get(1).is_some_and(|k| k.as_str() == "ENCRYPTED ");
            let confidence = if encrypted {
                Confidence::Medium
            } else {
                Confidence::High
            };
            out.push(Found {
                start: base + m.start(),
                end,
                confidence,
            });
        }
    }
}

fn google_service_account(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let kind = re!(r#""type"\s*:\s*"service_account""#);
    let key = re!(r#""private_key"\s*:\s*"(-----BEGIN[^"]*)""#);
    for &l in lines {
        if !t
            .line(l, KEY_MAX_LINE_BYTES)
            .is_some_and(|(_, s)| kind.is_match(s))
        {
            continue;
        }
        // A minified key file is one line; a pretty-printed one has the key a few lines away.
        let last = (l + 40).min(t.line_count().saturating_sub(1));
        for k in l.saturating_sub(40)..=last {
            let Some((base, line)) = t.line(k, KEY_MAX_LINE_BYTES) else {
                continue;
            };
            for caps in key.captures_iter(line) {
                let Some(v) = caps.get(1) else { continue };
                if pem_body_is_real(v.as_str()) && v.as_str().contains("-----END") {
                    out.push(Found {
                        start: base + v.start(),
                        end: base + v.end(),
                        confidence: Confidence::High,
                    });
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cloud and SaaS keys with a fixed format.

fn aws_access_key_id(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}");
    each_match(t, lines, re, out, |s, e, v| {
        let body = v.get(4..).unwrap_or("");
        (bounded(t.src, s, e, b"") && !is_documented_example(v) && random_body(body, 2.5))
            .then_some(Confidence::High)
    });
}

fn aws_secret_access_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    // The value sits on the keyword's line or the next (`aws_secret_access_key:\n  value`).
    let lines = around(t, lines, 0, 1);
    let re = re!(r"[A-Za-z0-9/+]{40,}");
    each_match(t, &lines, re, out, |s, e, v| {
        let mixed = v.bytes().any(|b| b.is_ascii_uppercase())
            && v.bytes().any(|b| b.is_ascii_lowercase())
            && v.bytes()
                .any(|b| b.is_ascii_digit() || b == b'/' || b == b'+');
        (v.len() == 40
            && !word_byte(t.src, e, b"=/+")
            && (s == 0 || !word_byte(t.src, s - 1, b"/+"))
            && mixed
            && !is_documented_example(v)
            && random_body(v, 4.0))
        .then_some(Confidence::High)
    });
}

fn github_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"gh[pousr]_[A-Za-z0-9]{36,}");
    each_match(t, lines, re, out, |s, e, v| {
        (v.len() == 40 && bounded(t.src, s, e, b"_") && has_crc32_checksum(&v[4..]))
            .then_some(Confidence::High)
    });
}

fn github_fine_grained(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}");
    each_match(t, lines, re, out, |s, e, v| {
        let body = v.get(11..).unwrap_or("");
        (bounded(t.src, s, e, b"_") && random_body(body, 3.5)).then_some(Confidence::High)
    });
}

fn gitlab_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"glpat-[A-Za-z0-9_\-]{20,}");
    each_match(t, lines, re, out, |s, e, v| {
        let body = v.get(6..).unwrap_or("");
        (bounded(t.src, s, e, b"_-") && body.len() <= 64 && random_body(body, 3.0))
            .then_some(Confidence::High)
    });
}

fn slack_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(
        r"xox[bpars]-[0-9]{6,15}(?:-[0-9]{6,15}){0,3}-[A-Za-z0-9]{20,64}|xapp-[0-9]-[A-Z0-9]{6,15}-[0-9]{6,15}-[a-f0-9]{32,80}"
    );
    each_match(t, lines, re, out, |s, e, v| {
        let last = v.rsplit('-').next().unwrap_or("");
        (bounded(t.src, s, e, b"-") && random_body(last, 3.0)).then_some(Confidence::High)
    });
}

fn slack_webhook(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(
        r"https?://hooks\.slack\.com/(?:services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{16,48}|(?:workflows|triggers)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[0-9]{6,24}/[A-Za-z0-9]{16,64})"
    );
    each_match(t, lines, re, out, |_, e, v| {
        let mut parts = v.rsplit('/');
        let secret = parts.next().unwrap_or("");
        let team = v.split('/').nth(4).unwrap_or("");
        (!word_byte(t.src, e, b"") && random_body(secret, 3.0) && !is_placeholder(&team[1..]))
            .then_some(Confidence::High)
    });
}

fn stripe_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"[sr]k_(?:live|test)_[0-9A-Za-z]{16,247}");
    each_match(t, lines, re, out, |s, e, v| {
        let body = v.get(8..).unwrap_or("");
        if !bounded(t.src, s, e, b"_") || is_documented_example(v) || !random_body(body, 3.0) {
            return None;
        }
        // Test-mode keys cannot move money: still worth removing, less urgent.
        Some(if v.contains("_live_") {
            Confidence::High
        } else {
            Confidence::Medium
        })
    });
}

fn twilio_api_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let lines = around(t, lines, 5, 5);
    let re = re!(r"SK[0-9a-fA-F]{32}");
    each_match(t, &lines, re, out, |s, e, v| {
        (bounded(t.src, s, e, b"") && random_body(&v[2..], 3.0)).then_some(Confidence::High)
    });
}

fn twilio_auth_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let sid = re!(r"AC[0-9a-f]{32}");
    let token = re!(r"[0-9a-f]{32}");
    let window = around(t, lines, 5, 5);
    // An auth token is only recognisable next to the account SID it belongs to.
    let has_sid = window.iter().any(|&l| {
        t.line(l, MAX_LINE_BYTES).is_some_and(|(base, s)| {
            sid.find_iter(s)
                .any(|m| bounded(t.src, base + m.start(), base + m.end(), b""))
        })
    });
    if !has_sid {
        return;
    }
    let token_lines: Vec<usize> = window
        .into_iter()
        .filter(|&l| {
            t.line(l, MAX_LINE_BYTES).is_some_and(|(_, s)| {
                let lower = s.to_ascii_lowercase();
                lower.contains("token") || lower.contains("auth") || lower.contains("twilio")
            })
        })
        .collect();
    each_match(t, &token_lines, token, out, |s, e, v| {
        (bounded(t.src, s, e, b"") && random_body(v, 3.0)).then_some(Confidence::High)
    });
}

fn sendgrid_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}");
    each_match(t, lines, re, out, |s, e, v| {
        (bounded(t.src, s, e, b"_-.") && random_body(&v[3..], 4.0)).then_some(Confidence::High)
    });
}

fn mailgun_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"key-[0-9a-f]{32}");
    for &l in lines {
        let mut one = Vec::new();
        each_match(t, &[l], re, &mut one, |s, e, v| {
            (bounded(t.src, s, e, b"") && random_body(&v[4..], 3.0)).then_some(Confidence::High)
        });
        // `key-` plus 32 hex digits is Mailgun's format, but also a plausible cache key.
        let sure = one.is_empty() || near(t, l, 5, "mailgun");
        out.extend(one.into_iter().map(|f| Found {
            confidence: if sure {
                f.confidence
            } else {
                Confidence::Medium
            },
            ..f
        }));
    }
}

fn google_api_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"AIza[0-9A-Za-z_\-]{35}");
    for &l in lines {
        let mut one = Vec::new();
        each_match(t, &[l], re, &mut one, |s, e, v| {
            (bounded(t.src, s, e, b"_-") && random_body(&v[4..], 3.0)).then_some(Confidence::High)
        });
        // A Firebase web configuration ships its API key to browsers by design.
        let public =
            !one.is_empty() && (near(t, l, 10, "firebase") || near(t, l, 10, "authDomain"));
        out.extend(one.into_iter().map(|f| Found {
            confidence: if public {
                Confidence::Medium
            } else {
                f.confidence
            },
            ..f
        }));
    }
}

fn azure_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"(?i:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})");
    each_capture(t, lines, re, out, |base, caps| {
        let v = caps.get(1)?;
        let value = v.as_str();
        (value.len() >= 40 && !is_documented_example(value) && random_body(value, 4.0)).then_some((
            base + v.start(),
            base + v.end(),
            Confidence::High,
        ))
    });
}

// ---------------------------------------------------------------------------------------------
// Tokens with a structure to decode.

fn jwt(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*");
    each_match(t, lines, re, out, |s, e, v| {
        if !bounded(t.src, s, e, b"_-=") || is_documented_example(v) {
            return None;
        }
        let mut parts = v.split('.');
        let header = String::from_utf8(base64_decode(parts.next()?)?).ok()?;
        let payload = String::from_utf8(base64_decode(parts.next()?)?).ok()?;
        let signature = parts.next().unwrap_or("");
        if !header.trim_start().starts_with('{')
            || !header.contains("\"alg\"")
            || !payload.trim_start().starts_with('{')
        {
            return None;
        }
        // Unsigned tokens (`alg: none`) grant nothing by themselves.
        let unsigned = signature.is_empty() || header.to_ascii_lowercase().contains("\"none\"");
        Some(if unsigned {
            Confidence::Medium
        } else {
            Confidence::High
        })
    });
}

fn npm_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let token = re!(r"npm_[A-Za-z0-9]{36,}");
    each_match(t, lines, token, out, |s, e, v| {
        if v.len() != 40 || !bounded(t.src, s, e, b"_") {
            return None;
        }
        // npm's tokens carry GitHub's CRC32 checksum; without it the match is weaker.
        if has_crc32_checksum(&v[4..]) {
            Some(Confidence::High)
        } else {
            random_body(&v[4..], 4.0).then_some(Confidence::Medium)
        }
    });
    let auth = re!(r#"(?i:_authToken)\s*=\s*["']?([^\s"']+)"#);
    each_capture(t, lines, auth, out, |base, caps| {
        let v = caps.get(1)?;
        let value = v.as_str();
        (!value.starts_with("npm_")
            && value.len() >= 16
            && !is_reference(value)
            && random_body(value, 3.0))
        .then_some((base + v.start(), base + v.end(), Confidence::High))
    });
}

fn pypi_token(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}");
    each_match(t, lines, re, out, |s, e, v| {
        if !bounded(t.src, s, e, b"_-") || !random_body(&v[20..], 3.5) {
            return None;
        }
        // test.pypi.org tokens publish to the sandbox index only.
        Some(if v.starts_with("pypi-AgEI") {
            Confidence::High
        } else {
            Confidence::Medium
        })
    });
}

/// Hosts that are a developer's machine or a compose network, where a password is usually a
/// throwaway.
fn is_local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    matches!(
        h.as_str(),
        "localhost"
            | "127.0.0.1"
            | "0.0.0.0"
            | "::1"
            | "host.docker.internal"
            | "db"
            | "database"
            | "postgres"
            | "mysql"
            | "mongo"
            | "mongodb"
            | "redis"
            | "rabbitmq"
    )
}

fn database_uri(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    let re = re!(
        r#"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)(?:\+[A-Za-z0-9]+)?://(?P<user>[^:@/\s'"`]*):(?P<pass>[^@\s'"`/]+)@(?P<host>[^\s'"`/:?,;@]+)"#
    );
    each_capture(t, lines, re, out, |base, caps| {
        let user = caps.name("user").map_or("", |m| m.as_str());
        let pass = caps.name("pass")?;
        let host = caps.name("host").map_or("", |m| m.as_str());
        let p = pass.as_str();
        if p == user
            || p.contains(['{', '<', '$', '%'])
            || is_placeholder(p)
            || is_reference(p)
            || is_documented_example(p)
        {
            return None;
        }
        let confidence = if is_local_host(host) {
            Confidence::Medium
        } else {
            Confidence::High
        };
        Some((base + pass.start(), base + pass.end(), confidence))
    });
}

/// Whether `user:pass` is a credential pair and not a URL, a time, a ratio or a template.
fn is_credential_pair(pair: &str) -> bool {
    let Some((user, pass)) = pair.split_once(':') else {
        return false;
    };
    let scheme_like = ["http", "https", "ftp", "s3", "arn", "urn", "mailto", "data"];
    if user.is_empty() || pass.is_empty() || pass.starts_with("//") {
        return false;
    }
    // A scheme (`https://`), a time or a ratio (`12:30`).
    if scheme_like.contains(&user.to_ascii_lowercase().as_str())
        || (user.bytes().all(|b| b.is_ascii_digit()) && pass.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    // `user:pass@host` is a URL's user info (the URI detectors' business) or prose.
    !pass.contains(['{', '<', '$', '%', '@'])
        && !is_placeholder(pass)
        && !is_reference(pass)
        && pass.chars().count() >= 4
}

fn basic_auth(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    // `Authorization: Basic dXNlcjpwYXNz`: decode and look for `user:pass`.
    let encoded = re!(r"(?i:basic)\s+([A-Za-z0-9+/]{8,}={0,2})");
    each_capture(t, lines, encoded, out, |base, caps| {
        let whole = caps.get(0)?;
        let v = caps.get(1)?;
        if !bounded(t.src, base + whole.start(), base + v.end(), b"+/=") {
            return None;
        }
        let decoded = String::from_utf8(base64_decode(v.as_str())?).ok()?;
        (decoded.chars().all(|c| !c.is_control()) && is_credential_pair(&decoded)).then_some((
            base + v.start(),
            base + v.end(),
            Confidence::High,
        ))
    });
    // `'Basic ' + btoa('user:pass')`: a literal pair on a line that encodes Basic auth.
    let encoding: Vec<usize> = lines
        .iter()
        .copied()
        .filter(|&l| {
            t.line(l, MAX_LINE_BYTES).is_some_and(|(_, s)| {
                let lower = s.to_ascii_lowercase();
                ["btoa", "base64", "b64encode", "buffer.from", "encodebytes"]
                    .iter()
                    .any(|k| lower.contains(k))
            })
        })
        .collect();
    let literal = re!(r#"["'`]([^"'`\s:]{1,64}:[^"'`\s]{1,128})["'`]"#);
    each_capture(t, &encoding, literal, out, |base, caps| {
        let v = caps.get(1)?;
        is_credential_pair(v.as_str()).then_some((
            base + v.start(),
            base + v.end(),
            Confidence::High,
        ))
    });
    // `'Basic ' + 'user:' + 'pass'`: literals concatenated after the scheme, folded into one
    // value and reported at the whole expression.
    let concat = re!(r#"(?i:["'`]basic\s+["'`])((?:\s*\+\s*["'`][^"'`\r\n]{0,128}["'`]){1,8})"#);
    let part = re!(r#"["'`]([^"'`\r\n]{0,128})["'`]"#);
    each_capture(t, lines, concat, out, |base, caps| {
        let parts = caps.get(1)?;
        let folded: String = part
            .captures_iter(parts.as_str())
            .filter_map(|c| c.get(1).map(|m| m.as_str()))
            .collect();
        let first = parts.as_str().find(['"', '\'', '`'])?;
        is_credential_pair(&folded).then_some((
            base + parts.start() + first,
            base + parts.end(),
            Confidence::High,
        ))
    });
    // `HTTPBasicAuth('user', 'pass')`, `BasicAuth("user", "pass")`: the second argument.
    let call =
        re!(r#"(?i:basic_?auth)\s*\(\s*["']([^"'\s]{1,64})["']\s*,\s*["']([^"'\r\n]{1,128})["']"#);
    each_capture(t, lines, call, out, |base, caps| {
        let user = caps.get(1)?;
        let pass = caps.get(2)?;
        is_credential_pair(&format!("{}:{}", user.as_str(), pass.as_str())).then_some((
            base + pass.start(),
            base + pass.end(),
            Confidence::High,
        ))
    });
}

// ---------------------------------------------------------------------------------------------
// Keys given as literals to signing and encryption calls.

/// `jwt.sign(payload, 'key')`, `jwt.verify(token, "key")`, `jwt.encode(p, 'key', ...)`,
/// `hmac.new(b'key', msg)`, `Fernet(b'key')`: whatever the literal's entropy, everyone who
/// reads the code can forge or read what it protects.
fn signing_key(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    // The key is the second argument of `jwt.*` (the first may be an object literal or a
    // call without nested parentheses), the first of `hmac.new` and `Fernet`.
    let jwt = re!(
        r#"\bjwt\.(?:sign|verify|encode|decode)\s*\(\s*(?:[^,()"'`]|\([^()]*\)|"[^"]*"|'[^']*')+,\s*b?["'`]([^"'`\r\n]{1,256})["'`]"#
    );
    let first = re!(r#"\b(?:hmac\.new|Fernet)\s*\(\s*b?["'`]([^"'`\r\n]{1,256})["'`]"#);
    for re in [jwt, first] {
        each_capture(t, lines, re, out, |base, caps| {
            let v = caps.get(1)?;
            let value = v.as_str();
            if is_reference(value) || value.contains("${") || value.trim().is_empty() {
                return None;
            }
            let confidence = if value.chars().count() >= 12 && shannon_entropy(value) >= 3.0 {
                Confidence::High
            } else {
                // `'secret'`: a weak key, the worse case, but also what tutorials show.
                Confidence::Medium
            };
            Some((base + v.start(), base + v.end(), confidence))
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Generic `name = "value"` assignments.

fn generic_assignment(t: &Text<'_>, lines: &[usize], out: &mut Vec<Found>) {
    // name, optional closing quote of a quoted key, an operator (a type annotation then `=`,
    // `:=`, `=`, `:`), then a quoted value (quotes may be backslash-escaped inside notebook
    // JSON) or a bare one (configuration files only).
    let re = re!(
        r#"(?P<name>[A-Za-z_$@][A-Za-z0-9_$.\-]{0,80})["']?\s*(?P<op>:\s*[A-Za-z_][A-Za-z0-9_\[\]<>|., ]{0,40}?\s*=|:=|=|:)\s*(?:\\?["'`](?P<q>[^"'`\\\r\n]{1,512})\\?["'`]|(?P<u>[^\s"'`,;#\]\}\)\{\(\[=][^\s"'`,;#\]\}\)]{0,511}))"#
    );
    let bare_allowed = matches!(
        t.context,
        FileContext::Env | FileContext::Descriptor | FileContext::Config
    );
    // Code and generic configuration (where locale files live) need stronger evidence than
    // `.env` files and deployment descriptors.
    let strict = !matches!(t.context, FileContext::Env | FileContext::Descriptor);
    each_capture(t, lines, re, out, |base, caps| {
        let name = caps.name("name")?.as_str();
        let op = caps.name("op").map_or("", |m| m.as_str());
        let value = match (caps.name("q"), caps.name("u")) {
            (Some(q), _) => q,
            // Bare values: `NAME=value` lines in env-style files, `key: value` in YAML. A bare
            // `x = y` inside YAML is code embedded in a template, and a call is an expression.
            (None, Some(u))
                if bare_allowed
                    && (op == ":" || t.context == FileContext::Env)
                    && !u.as_str().contains(['(', ')']) =>
            {
                u
            }
            _ => return None,
        };
        // `self.password`, `config.db.password`: the last segment names the value.
        let last = name.rsplit('.').next().unwrap_or(name);
        let kind = classify_name(last)?;
        let v = value.as_str();
        // A value in a vendor's format is that vendor detector's call (it may have rejected
        // it: a wrong checksum, a documented example).
        if VENDOR_PREFIXES.iter().any(|p| v.starts_with(p)) {
            return None;
        }
        if strict && is_identifier_words(v) {
            // A class or constant name (`"_RSAPrivateKey"`, a quoted type annotation).
            return None;
        }
        if strict
            && v.bytes().all(|b| b.is_ascii_alphabetic())
            && !(v.len() >= 12 && shannon_entropy(v) >= 3.5)
        {
            // A bare word (`"Passwort"` in a locale file, `secret: "hidden"`).
            return None;
        }
        if kind == NameKind::Password && squash(v) == squash(last) {
            return None;
        }
        let confidence = judge_named_literal(kind, v, strict)?;
        Some((base + value.start(), base + value.end(), confidence))
    });
}

/// Prefixes of the formats the specific detectors own.
const VENDOR_PREFIXES: &[&str] = &[
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "sk_live_",
    "rk_live_",
    "sk_test_",
    "rk_test_",
    "pk_live_",
    "pk_test_",
    "SG.",
    "key-",
    "AIza",
    "eyJ",
    "npm_",
    "pypi-",
    "-----BEGIN",
];

/// Whether a value is made of letters and underscores that split into real words of three
/// letters or more (`_RSAPrivateKey`, `DefaultBackend`), unlike random letters (`kXqPzRm`).
fn is_identifier_words(v: &str) -> bool {
    v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        && v.bytes().any(|b| b.is_ascii_uppercase())
        && words(v).iter().all(|w| w.len() >= 3)
}

/// Lowercase alphanumerics only, to compare a value with its name.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
