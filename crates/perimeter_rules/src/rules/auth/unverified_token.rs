//! AUTH008: a handler that reads identity from a JWT it decodes without verifying.
use perimeter_diagnostics::{Loc, Span};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags handlers (HTTP-facing, or invoked directly: medium) that split a token at its dots and base64-decode the middle
    /// part (the claims) themselves, or call a JWT library's decode with verification turned
    /// off, in a file that never verifies a signature.
    ///
    /// ## Why is this bad?
    /// Anyone can write a token with `"username": "admin"` in it: without the signature check
    /// the claims are whatever the caller says, so the function has no authentication at
    /// all, whatever the API in front of it does not check either.
    ///
    /// ## Example
    /// ```js
    /// const claims = JSON.parse(Buffer.from(auth.split('.')[1], 'base64'));
    /// ```
    /// Use instead: put an authorizer on the route and read `requestContext.authorizer`, or
    /// verify the token against the issuer's keys (`jwt.verify`, `jose.jwtVerify`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-347: Improper Verification of Cryptographic Signature
    pub struct UnverifiedToken {
        code: "AUTH008",
        name: "unverified-token",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

const DECODERS: &[&str] = &[
    "b64decode",
    "base64url.decode",
    "Buffer.from(",
    "atob(",
    "base64.decode",
    "urlsafe_b64decode",
];
const UNVERIFIED: &[&str] = &[
    "verify=False",
    "\"verify_signature\": False",
    "'verify_signature': False",
    "verify_signature=False",
];

/// The first line of a file that decodes a token's claims by hand, with its byte span.
fn hand_decoded(text: &str) -> Option<Span> {
    if text.contains("verify(") || text.contains("jwtVerify") || text.contains("createVerify") {
        return None;
    }
    let mut offset = 0usize;
    let mut split_seen_at: Option<usize> = None;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains(".split('.')") || compact.contains(".split(\".\")") {
            split_seen_at = Some(i);
        }
        let decodes = DECODERS.iter().any(|d| line.contains(d)) && compact.contains("[1]");
        let near = split_seen_at.is_some_and(|s| i >= s && i - s <= 4);
        if (decodes && near)
            || UNVERIFIED
                .iter()
                .any(|u| compact.contains(&u.replace(' ', "")))
        {
            let start = offset + (line.len() - line.trim_start().len());
            let end = offset + line.trim_end().len();
            return Some(Span::new(
                u32::try_from(start).ok()?,
                u32::try_from(end).ok()?,
            ));
        }
        offset += line.len();
    }
    None
}

impl Rule for UnverifiedToken {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (f, s) in cx.analysed() {
            // A function invoked directly (no trigger) trusts its callers' tokens just the same.
            let severity = if f.is_internet_facing() {
                Severity::High
            } else if f.events.is_empty() {
                Severity::Medium
            } else {
                continue;
            };
            let Some(handler) = &s.handler else { continue };
            let Some(span) = hand_decoded(handler.file.text()) else {
                continue;
            };
            out.report(&Loc::new(&handler.file, span), format!("`{}` reads a token's claims without verifying its signature", f.id))
                .function(&f.id)
                .severity(severity)
                .help("Verify the token (or use an authorizer and read `requestContext.authorizer`) before trusting its claims");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::hand_decoded;

    #[test]
    fn hand_decoding_and_disabled_verification() {
        assert!(
            hand_decoded(
                "const p = t.split('.');\nconst c = JSON.parse(Buffer.from(p[1], 'base64'));\n"
            )
            .is_some()
        );
        assert!(
            hand_decoded("parts = tok.split(\".\")\nclaims = base64.b64decode(parts[1])\n")
                .is_some()
        );
        assert!(
            hand_decoded("claims = jwt.decode(tok, options={\"verify_signature\": False})\n")
                .is_some()
        );
        assert!(
            hand_decoded(
                "const c = jwt.verify(t, key);\nconst p = t.split('.');\nBuffer.from(p[1]);\n"
            )
            .is_none()
        );
        assert!(hand_decoded("const b = Buffer.from(body[1]);\n").is_none());
    }
}
