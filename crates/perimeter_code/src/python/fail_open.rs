//! Fail-open authorizers in Python: an `Allow` built in the `except` of a `try` whose body
//! verifies the token (see [`crate::fail_open`]).

use perimeter_diagnostics::Span;
use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

/// Where an authorizer's code allows a caller whose token failed verification (byte spans of
/// the `Allow` or `isAuthorized: True`, sorted).
pub(crate) fn fail_open(text: &str) -> Vec<Span> {
    if !crate::fail_open::builds_authorizer_response(text) {
        return Vec::new();
    }
    let Ok(parsed) = ruff_python_parser::parse_module(text) else {
        return Vec::new();
    };
    let mut w = Walker::default();
    w.visit_body(&parsed.syntax().body);
    w.found.sort_unstable_by_key(|s| s.start);
    w.found.dedup();
    w.found
}

#[derive(Default)]
struct Walker {
    /// Inside an `except` of a verification.
    failing: bool,
    /// Verification calls met so far.
    verifications: usize,
    found: Vec<Span>,
}

impl Walker {
    fn verifies(body: &[Stmt]) -> bool {
        let mut probe = Self::default();
        probe.visit_body(body);
        probe.verifications > 0
    }

    fn mark(&mut self, e: &Expr) {
        let r = e.range();
        self.found
            .push(Span::new(r.start().to_u32(), r.end().to_u32()));
    }
}

impl<'a> Visitor<'a> for Walker {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let Stmt::Try(t) = stmt else {
            walk_stmt(self, stmt);
            return;
        };
        // Past a verification in the body the token was good: what the body (and its `else`)
        // allows is not a failure path, whatever encloses the `try`.
        let verifying = Self::verifies(&t.body);
        let failing = self.failing;
        self.failing = failing && !verifying;
        self.visit_body(&t.body);
        self.visit_body(&t.orelse);
        if verifying {
            self.verifications += 1;
        }
        self.failing = failing || verifying;
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.visit_body(&h.body);
        }
        self.failing = failing;
        self.visit_body(&t.finalbody);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::StringLiteral(s)
                if self.failing && s.value.to_str().eq_ignore_ascii_case("allow") =>
            {
                self.mark(expr);
            }
            Expr::Dict(d) if self.failing => {
                for item in &d.items {
                    let authorized = matches!(&item.key, Some(Expr::StringLiteral(k))
                        if k.value.to_str().eq_ignore_ascii_case("isAuthorized"));
                    if authorized && matches!(&item.value, Expr::BooleanLiteral(b) if b.value) {
                        self.mark(&item.value);
                    }
                }
            }
            Expr::Call(c) => {
                let (name, receiver) = match &*c.func {
                    Expr::Name(n) => (n.id.as_str(), None),
                    Expr::Attribute(a) => (
                        a.attr.as_str(),
                        match &*a.value {
                            Expr::Name(n) => Some(n.id.as_str()),
                            Expr::Attribute(x) => Some(x.attr.as_str()),
                            _ => None,
                        },
                    ),
                    _ => ("", None),
                };
                if crate::fail_open::verifying_name(name, receiver) {
                    self.verifications += 1;
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::fail_open;

    fn lines(src: &str) -> Vec<usize> {
        fail_open(src)
            .iter()
            .map(|s| src[..s.start as usize].lines().count())
            .collect()
    }

    #[test]
    fn allow_in_the_except_of_a_verification_is_fail_open() {
        let src = r#"
import jwt

def handler(event, context):
    token = event["authorizationToken"].split()[-1]
    try:
        claims = jwt.decode(token, KEY, algorithms=["HS256"])
        return answer(claims["sub"], "Allow", event["methodArn"])
    except jwt.PyJWTError:
        log.warning("token rejected")
        return answer("anonymous", "Allow", event["methodArn"])

def answer(principal, effect, arn):
    return {"principalId": principal, "policyDocument": {"Statement": [{"Effect": effect, "Resource": arn}]}}
"#;
        assert_eq!(lines(src), vec![11]);
    }

    #[test]
    fn simple_answer_true_in_the_except_is_fail_open() {
        let src = r#"
def handler(event, context):
    try:
        verifier.verify_token(event["headers"]["authorization"])
    except Exception:
        return {"isAuthorized": True}
    return {"isAuthorized": True}
"#;
        assert_eq!(lines(src), vec![6]);
    }

    #[test]
    fn denying_in_the_except_is_not_fail_open() {
        let src = r#"
def handler(event, context):
    try:
        claims = jwt.decode(event["authorizationToken"], KEY, algorithms=["RS256"])
    except jwt.ExpiredSignatureError:
        return answer("expired", "Deny", event["methodArn"])
    except Exception:
        raise Exception("Unauthorized")
    else:
        return answer(claims["sub"], "Allow", event["methodArn"])
"#;
        assert!(lines(src).is_empty());
    }

    #[test]
    fn an_except_without_a_verification_in_its_try_is_not_a_failure_path() {
        let src = r#"
def handler(event, context):
    try:
        cache = load_cache()
    except OSError:
        return {"principalId": "svc", "policyDocument": doc("Allow")}
"#;
        assert!(lines(src).is_empty());
    }
}
