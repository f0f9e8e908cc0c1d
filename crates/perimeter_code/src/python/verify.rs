//! Credential calls and the sender verification of webhooks: a call that handles a
//! credential is recorded for the rules (see [`crate::purpose`]); a comparison with an HMAC
//! of the request, or a provider's verification call, whose failure leaves the handler
//! before it writes anything is a guard.

use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::taint::{Args, Engine};
use super::value::{Origin, Shape, Taint};
use crate::summary::{CredentialCall, CredentialKind};

impl Engine<'_> {
    /// Records a call of a library function that handles a credential. A provider's
    /// verification that raises for an unsigned request is a guard when nothing has been
    /// written yet and no `try` around it goes on after the failure.
    pub(crate) fn note_credential(
        &mut self,
        origin: &Origin,
        r: TextRange,
        own: &[Rc<Taint>],
        args: &Args,
    ) {
        let Some(kind) = crate::purpose::python_call(&origin.module, &origin.path) else {
            return;
        };
        // A decryption proves the sender of what the caller sent, with a cipher the caller
        // did not key (the cipher object carries its key's taint).
        if kind == CredentialKind::Decrypt
            && (own.iter().any(|t| !t.error)
                || !args
                    .get(0, "data")
                    .or_else(|| args.get(0, "token"))
                    .is_some_and(|d| super::value::deep_taints(d).iter().any(|t| !t.error)))
        {
            return;
        }
        let loc = self.loc(r);
        if kind == CredentialKind::SenderVerify && !self.wrote() && self.failure_leaves() {
            self.fx.guards.push(loc.clone());
        }
        let after_effect = self.wrote();
        self.fx.credentials.push(CredentialCall {
            kind,
            name: crate::purpose::call_name(&origin.module, &origin.path),
            loc,
            after_effect,
        });
    }

    /// Records a post-back verification: an `if` that compares with a constant string the
    /// answer of an HTTP request, after the code posted the caller's data to a destination
    /// it chose (see [`crate::purpose::post_back`]).
    pub(crate) fn note_post_back(&mut self, test: &Expr) {
        if !self.compares_answer(test) {
            return;
        }
        let loc = self.loc(test.range());
        self.fx.note_post_back(loc);
    }

    /// Whether a test compares an HTTP answer with a constant string.
    fn compares_answer(&self, e: &Expr) -> bool {
        let answer = |x: &Expr| {
            self.origin_of(x)
                .or_else(|| match x {
                    Expr::Call(c) => self.origin_of(&c.func),
                    _ => None,
                })
                .is_some_and(|o| crate::purpose::http_answer(&o.module, &o.path))
        };
        match e {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.compares_answer(&u.operand),
            Expr::BoolOp(b) => b.values.iter().any(|v| self.compares_answer(v)),
            Expr::Compare(c)
                if c.ops
                    .iter()
                    .all(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq)) =>
            {
                let operands: Vec<&Expr> = std::iter::once(&*c.left)
                    .chain(c.comparators.iter())
                    .collect();
                operands.iter().any(|x| matches!(x, Expr::StringLiteral(_)))
                    && operands.iter().any(|x| answer(x))
            }
            _ => false,
        }
    }

    /// Whether an `if` compares a value with an HMAC the code computed, or calls a
    /// constant-time comparison or a provider's verification: a check of the request's
    /// signature.
    pub(crate) fn signature_check(&self, test: &Expr) -> bool {
        if !self
            .fx
            .credentials
            .iter()
            .any(|c| matches!(c.kind, CredentialKind::Hmac | CredentialKind::SenderVerify))
        {
            return false;
        }
        self.compares_signature(test)
    }

    fn compares_signature(&self, e: &Expr) -> bool {
        match e {
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.compares_signature(&u.operand),
            Expr::BoolOp(b) => b.values.iter().any(|v| self.compares_signature(v)),
            Expr::Compare(c)
                if c.ops
                    .iter()
                    .all(|o| matches!(o, ast::CmpOp::Eq | ast::CmpOp::NotEq)) =>
            {
                self.is_hmac(&c.left) || c.comparators.iter().any(|x| self.is_hmac(x))
            }
            Expr::Call(c) => self.origin_of(&c.func).is_some_and(|o| {
                matches!(
                    crate::purpose::python_call(&o.module, &o.path),
                    Some(CredentialKind::SafeCompare | CredentialKind::SenderVerify)
                )
            }),
            _ => false,
        }
    }

    /// The library name an expression stands for (`hmac.compare_digest`, a name imported
    /// from a module).
    fn origin_of(&self, e: &Expr) -> Option<Rc<Origin>> {
        match e {
            Expr::Name(n) => match self.lookup_var(n.id.as_str())?.shape {
                Shape::Ext(o) => Some(o),
                _ => None,
            },
            Expr::Attribute(a) => {
                let base = self.origin_of(&a.value)?;
                Some(base.member(a.attr.as_str()))
            }
            _ => None,
        }
    }

    /// Whether an operand is an HMAC the code computed: a variable holding one, or the
    /// computation written in place.
    fn is_hmac(&self, e: &Expr) -> bool {
        let hmac = |o: &Origin| &*o.module == "hmac" && !o.path.starts_with("compare_digest");
        match e {
            Expr::Name(n) => self
                .lookup_var(n.id.as_str())
                .is_some_and(|v| matches!(&v.shape, Shape::Ext(o) if hmac(o))),
            Expr::Call(_) => self.loc(e.range()).text().contains("hmac.new("),
            _ => false,
        }
    }

    /// Whether the code has written, invoked or sent anything so far (reads of a secret or a
    /// configuration item, needed to verify, are not effects of the caller's request).
    pub(crate) fn wrote(&self) -> bool {
        let (calls, flows) = &self.other_trigger;
        crate::purpose::wrote_skipping(&self.fx.sdk_calls, &self.fx.flows, calls, flows)
    }

    /// Whether an `if` tests a field of the Lambda event that only another trigger's event
    /// has (`event["RequestType"] == "Create"`, `event.get("Records")`, `"Records" in
    /// event`): its branch never runs for an HTTP request.
    pub(crate) fn other_trigger(&self, test: &Expr) -> bool {
        let whole_event = |e: &Expr| match e {
            Expr::Name(n) => self
                .lookup_var(n.id.as_str())
                .is_some_and(|v| matches!(&v.shape, Shape::Event(p) if p.is_empty())),
            _ => false,
        };
        let key = |e: &Expr| match e {
            Expr::StringLiteral(k) => crate::purpose::other_trigger_field(k.value.to_str()),
            _ => false,
        };
        let field = |e: &Expr| match e {
            Expr::Subscript(s) => whole_event(&s.value) && key(&s.slice),
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "get" => {
                    whole_event(&a.value) && c.arguments.args.first().is_some_and(key)
                }
                _ => false,
            },
            _ => false,
        };
        match test {
            Expr::Compare(c) if c.ops.len() == 1 => match (&c.ops[0], &c.comparators[0]) {
                (ast::CmpOp::Eq, r) => {
                    (field(&c.left) && matches!(r, Expr::StringLiteral(_)))
                        || (field(r) && matches!(&*c.left, Expr::StringLiteral(_)))
                }
                (ast::CmpOp::In, r) => key(&c.left) && whole_event(r),
                _ => false,
            },
            e => field(e),
        }
    }

    /// Whether a failure (an exception) at this point leaves the handler: every enclosing
    /// `try` in the call chain has an `except` that returns, raises or answers 4xx.
    fn failure_leaves(&self) -> bool {
        self.fx.try_stack.iter().all(|leaves| *leaves)
    }

    /// Whether the handlers of a `try` all stop the handler after a failure.
    pub(crate) fn handlers_stop(&self, t: &ast::StmtTry) -> bool {
        t.handlers.iter().all(|h| {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let (Some(first), Some(last)) = (h.body.first(), h.body.last()) else {
                return false;
            };
            let text = self.loc(TextRange::new(first.range().start(), last.range().end()));
            crate::purpose::catch_leaves(text.text())
        })
    }
}
