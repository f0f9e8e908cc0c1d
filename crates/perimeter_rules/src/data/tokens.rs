//! Formats of well-known credentials, recognised wherever they appear in a descriptor.

use std::sync::LazyLock;

use regex::Regex;

/// A credential format: a name for messages and a pattern.
#[derive(Debug)]
pub struct TokenFormat {
    /// What it is (`AWS access key id`).
    pub name: &'static str,
    /// The pattern, anchored on word boundaries where that makes sense.
    pub regex: Regex,
}

const FORMATS: &[(&str, &str)] = &[
    (
        "AWS access key id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
    ),
    (
        "private key",
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
    ),
    (
        "GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})\b",
    ),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20}\b"),
    ("Slack token", r"\bxox[abposr]-[0-9A-Za-z-]{10,}\b"),
    (
        "Slack webhook",
        r"https://hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]+",
    ),
    ("Stripe secret key", r"\b[sr]k_live_[0-9A-Za-z]{20,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    (
        "SendGrid API key",
        r"\bSG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}\b",
    ),
    ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    (
        "JSON Web Token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    ),
    ("Twilio API key", r"\bSK[0-9a-f]{32}\b"),
    ("OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b"),
];

/// The credential formats, compiled once.
pub static TOKEN_FORMATS: LazyLock<Vec<TokenFormat>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .filter_map(|(name, re)| Regex::new(re).ok().map(|regex| TokenFormat { name, regex }))
        .collect()
});

/// The first credential format a text matches, with the matched text.
pub fn find(text: &str) -> Option<(&'static str, &str)> {
    TOKEN_FORMATS
        .iter()
        .find_map(|f| f.regex.find(text).map(|m| (f.name, m.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_compile_and_match() {
        assert_eq!(TOKEN_FORMATS.len(), FORMATS.len());
        assert_eq!(
            find("key AKIAIOSFODNN7EXAMPL3 here").map(|m| m.0),
            Some("AWS access key id")
        );
        assert_eq!(
            find("ghp_0123456789abcdefghijABCDEFGHIJ012345").map(|m| m.0),
            Some("GitHub token")
        );
        assert!(find("arn:aws:sqs:us-east-1:123456789012:orders").is_none());
        assert!(find("AKIA-not-a-key").is_none());
    }
}
