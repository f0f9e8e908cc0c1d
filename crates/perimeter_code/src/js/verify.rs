//! Credential calls and the sender verification of webhooks: a call that handles a
//! credential is recorded for the rules (see [`crate::purpose`]); a comparison with an HMAC
//! of the request, or a provider's verification call, whose failure leaves the handler
//! before it writes anything is a guard.

use std::rc::Rc;

use oxc_ast::ast::{Expression, IfStatement};
use oxc_span::{GetSpan, Span};
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

use super::taint::Engine;
use super::value::{Origin, Scope, Val};
use crate::summary::{CredentialCall, CredentialKind};

/// Bolt's app and receivers, which check the Slack signature of every request when given a
/// signing secret.
const SLACK_RECEIVERS: &[&str] = &[
    "App",
    "ExpressReceiver",
    "AwsLambdaReceiver",
    "HTTPReceiver",
];

impl<'a> Engine<'a> {
    /// Records a call of a library function that handles a credential. A provider's
    /// verification that throws for an unsigned request is a guard when nothing has been
    /// written yet and no `try` around it goes on after the failure.
    pub(crate) fn note_credential(
        &mut self,
        span: Span,
        origin: &Origin,
        args: &[Val<'a>],
        recv: Option<&Val<'a>>,
    ) {
        let module = &*origin.module;
        let mut kind = crate::purpose::js_call(module, &origin.path);
        if kind.is_none()
            && module == "@slack/bolt"
            && SLACK_RECEIVERS.contains(&origin.path.as_str())
            && args
                .first()
                .and_then(|a| a.obj.as_ref())
                .is_some_and(|o| o.borrow().fields.contains_key("signingSecret"))
        {
            kind = Some(CredentialKind::SenderVerify);
        }
        let Some(kind) = kind else { return };
        // A decryption proves the sender of what the caller sent, with a key the caller did
        // not send: `CryptoJS.AES.decrypt(data, key)`, or `decipher.update(data)` of a
        // decipher whose key is in its own value.
        if kind == CredentialKind::Decrypt {
            let caller = |v: &Val<'a>| super::value::deep_taints(v).iter().any(|t| !t.error);
            let key_tainted = if module == "crypto" {
                recv.is_some_and(|r| r.taint.iter().any(|t| !t.error))
            } else {
                args.get(1).is_some_and(caller)
            };
            if key_tainted || !args.first().is_some_and(caller) {
                return;
            }
        }
        let loc = self.loc(span);
        if kind == CredentialKind::SenderVerify
            && !crate::purpose::js_returns_verdict(module, &origin.path)
            && !self.wrote()
            && self.failure_leaves()
        {
            self.fx.guards.push(loc.clone());
        }
        let after_effect = self.wrote();
        self.fx.credentials.push(CredentialCall {
            kind,
            name: crate::purpose::call_name(module, &origin.path),
            loc,
            after_effect,
        });
    }

    /// Records a post-back verification: an `if` that compares with a constant string the
    /// answer of an HTTP request, after the code posted the caller's data to a destination
    /// it chose (see [`crate::purpose::post_back`]).
    pub(crate) fn note_post_back(&mut self, check: &'a IfStatement<'a>, sc: &Rc<Scope<'a>>) {
        if crate::purpose::post_back(&self.fx.sdk_calls, &self.fx.flows).is_none()
            || !Self::compares_answer(&check.test, sc)
        {
            return;
        }
        let loc = self.loc(check.test.span());
        self.fx.note_post_back(loc);
    }

    /// Whether a test compares an HTTP answer with a constant string.
    fn compares_answer(e: &Expression<'_>, sc: &Rc<Scope<'a>>) -> bool {
        match e.get_inner_expression() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                Self::compares_answer(&u.argument, sc)
            }
            Expression::LogicalExpression(l) => {
                Self::compares_answer(&l.left, sc) || Self::compares_answer(&l.right, sc)
            }
            Expression::BinaryExpression(b) if b.operator.is_equality() => {
                let konst = |x: &Expression<'_>| {
                    matches!(x.get_inner_expression(), Expression::StringLiteral(_))
                };
                let answer = |x: &Expression<'_>| {
                    answer_origin(x, sc)
                        .is_some_and(|o| crate::purpose::http_answer(&o.module, &o.path))
                };
                (konst(&b.left) && answer(&b.right)) || (konst(&b.right) && answer(&b.left))
            }
            _ => false,
        }
    }

    /// Whether an `if` compares a value with an HMAC the code computed, or calls a
    /// constant-time comparison or a provider's verification: a check of the request's
    /// signature.
    pub(crate) fn signature_check(
        &mut self,
        check: &'a IfStatement<'a>,
        sc: &Rc<Scope<'a>>,
    ) -> bool {
        // The check runs before its test is evaluated: a verification called in the test
        // itself is recognised by its callee, a comparison with an HMAC only once one was
        // computed.
        self.compares_signature(&check.test, sc)
    }

    fn compares_signature(&mut self, e: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> bool {
        match e.get_inner_expression() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                self.compares_signature(&u.argument, sc)
            }
            Expression::LogicalExpression(l) if l.operator != LogicalOperator::Coalesce => {
                self.compares_signature(&l.left, sc) || self.compares_signature(&l.right, sc)
            }
            Expression::BinaryExpression(b) if b.operator.is_equality() => {
                self.fx
                    .credentials
                    .iter()
                    .any(|c| matches!(c.kind, CredentialKind::Hmac | CredentialKind::SenderVerify))
                    && (self.is_hmac(&b.left, sc) || self.is_hmac(&b.right, sc))
            }
            // `await verify(...)`, `verify(...).catch(...)`: the verification's own result.
            Expression::AwaitExpression(a) => self.compares_signature(&a.argument, sc),
            Expression::CallExpression(c)
                if matches!(
                    c.callee.get_inner_expression(),
                    Expression::StaticMemberExpression(m)
                        if matches!(m.property.name.as_str(), "catch" | "then" | "finally")
                            && matches!(m.object.get_inner_expression(), Expression::CallExpression(_))
                ) =>
            {
                let Expression::StaticMemberExpression(m) = c.callee.get_inner_expression() else {
                    return false;
                };
                self.compares_signature(&m.object, sc)
            }
            Expression::CallExpression(c) => {
                let origin = match c.callee.get_inner_expression() {
                    Expression::Identifier(id) => sc.lookup(id.name.as_str()),
                    Expression::StaticMemberExpression(m) => {
                        let r = match m.object.get_inner_expression() {
                            Expression::Identifier(id) => sc.lookup(id.name.as_str()),
                            _ => None,
                        };
                        r.and_then(|r| r.origin)
                            .map(|o| o.member(m.property.name.as_str()))
                            .map(|o| Val {
                                origin: Some(o),
                                ..Val::default()
                            })
                    }
                    _ => None,
                };
                origin.and_then(|v| v.origin).is_some_and(|o| {
                    matches!(
                        crate::purpose::js_call(&o.module, &o.path),
                        Some(CredentialKind::SafeCompare | CredentialKind::SenderVerify)
                    )
                })
            }
            _ => false,
        }
    }

    /// Whether an operand is an HMAC the code computed: a variable holding one, or the
    /// computation written in place.
    fn is_hmac(&mut self, e: &'a Expression<'a>, sc: &Rc<Scope<'a>>) -> bool {
        match e.get_inner_expression() {
            Expression::Identifier(id) => sc
                .lookup(id.name.as_str())
                .and_then(|v| v.origin)
                .is_some_and(|o| &*o.module == "crypto" && o.path.starts_with("createHmac")),
            Expression::CallExpression(c) => {
                let module = self.cur_module();
                self.modules
                    .get(module)
                    .and_then(|m| {
                        m.file
                            .text()
                            .get(c.span().start as usize..c.span().end as usize)
                    })
                    .is_some_and(|t| t.contains("createHmac("))
            }
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
    /// has (`event.ResourceType === 'Custom::X'`, `event.Records`): its branch never runs for
    /// an HTTP request.
    pub(crate) fn other_trigger(&self, test: &Expression<'_>, sc: &Rc<Scope<'a>>) -> bool {
        let field = |e: &Expression<'_>| match e.get_inner_expression() {
            Expression::StaticMemberExpression(m) => match m.object.get_inner_expression() {
                Expression::Identifier(id) => {
                    sc.lookup(id.name.as_str()).is_some_and(|v| {
                        v.taint
                            .iter()
                            .any(|t| t.path.is_empty() && t.structured && !t.error)
                    }) && crate::purpose::other_trigger_field(m.property.name.as_str())
                }
                _ => false,
            },
            _ => false,
        };
        match test.get_inner_expression() {
            Expression::BinaryExpression(b)
                if matches!(
                    b.operator,
                    BinaryOperator::Equality | BinaryOperator::StrictEquality
                ) =>
            {
                let konst = |x: &Expression<'_>| {
                    matches!(x.get_inner_expression(), Expression::StringLiteral(_))
                };
                (field(&b.left) && konst(&b.right)) || (field(&b.right) && konst(&b.left))
            }
            e => field(e),
        }
    }

    /// Whether a failure (an exception) at this point leaves the handler: every enclosing
    /// `try` in the call chain has a `catch` that returns, throws or answers 4xx.
    fn failure_leaves(&self) -> bool {
        self.fx.try_stack.iter().all(|leaves| *leaves)
    }
}

/// The library value an expression reads without running anything: a variable, a member of
/// one, an awaited call of one (`(await res.text())`, `res.data.status`).
fn answer_origin<'a>(e: &Expression<'_>, sc: &Rc<Scope<'a>>) -> Option<Rc<Origin>> {
    match e.get_inner_expression() {
        Expression::Identifier(id) => sc.lookup(id.name.as_str()).and_then(|v| v.origin),
        Expression::StaticMemberExpression(m) => {
            answer_origin(&m.object, sc).map(|o| o.member(m.property.name.as_str()))
        }
        Expression::AwaitExpression(a) => answer_origin(&a.argument, sc),
        Expression::CallExpression(c) => answer_origin(&c.callee, sc).map(|o| o.called()),
        _ => None,
    }
}
