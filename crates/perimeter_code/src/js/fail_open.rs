//! Fail-open authorizers in JavaScript and TypeScript: an `Allow` built on the path where a
//! token's verification failed (the `catch` of a `try` around the verification, the error
//! branch of its callback, a promise's rejection handler).
//!
//! A syntactic pass over the files of an authorizer, separate from the taint engine: what it
//! looks for is where an `Allow` stands relative to a verification, not where a value flows.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrowFunctionBody, ArrowFunctionExpression, BinaryExpression, ChainElement,
    Declaration, ExportDefaultDeclarationKind, Expression, ForStatementInit, Function,
    FunctionBody, ObjectPropertyKind, Statement,
};
use oxc_parser::Parser;
use oxc_span::{SourceType, Span};
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

/// Where an authorizer's code allows a caller whose token failed verification (byte spans of
/// the `Allow` or `isAuthorized: true`, sorted).
pub(crate) fn fail_open(path: &str, text: &str) -> Vec<Span> {
    if !crate::fail_open::builds_authorizer_response(text) {
        return Vec::new();
    }
    let alloc = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::mjs());
    let ret = Parser::new(&alloc, text, source_type).parse();
    let mut w = Walker::default();
    w.stmts(&ret.program.body);
    w.found.sort_unstable_by_key(|s| s.start);
    w.found.dedup();
    w.found
}

/// Whether an `if` test reads the verification's error as set, or as unset.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ErrTest {
    Set,
    Unset,
}

#[derive(Default)]
struct Walker {
    /// Inside a region that runs when a verification failed.
    failing: bool,
    /// The error parameters of the verification callbacks the walk is inside.
    errs: Vec<String>,
    /// Verification calls met so far (to tell whether a `try` block holds one).
    verifications: usize,
    found: Vec<Span>,
}

impl Walker {
    /// Whether statements call a verification, without recording anything.
    fn verifies(stmts: &[Statement<'_>]) -> bool {
        let mut probe = Self::default();
        probe.stmts(stmts);
        probe.verifications > 0
    }

    fn with_failing<F: FnOnce(&mut Self)>(&mut self, failing: bool, f: F) {
        let was = self.failing;
        self.failing = failing;
        f(self);
        self.failing = was;
    }

    fn stmts(&mut self, stmts: &[Statement<'_>]) {
        let failing = self.failing;
        for s in stmts {
            self.stmt(s);
            // `if (!err) return allow(...)`: what follows in the block runs only when the
            // verification failed.
            if let Statement::IfStatement(i) = s
                && i.alternate.is_none()
                && exits(&i.consequent)
                && self.err_test(&i.test) == Some(ErrTest::Unset)
            {
                self.failing = true;
            }
        }
        self.failing = failing;
    }

    fn stmt(&mut self, s: &Statement<'_>) {
        match s {
            Statement::BlockStatement(b) => self.stmts(&b.body),
            Statement::ExpressionStatement(e) => self.expr(&e.expression),
            Statement::ReturnStatement(r) => {
                if let Some(a) = &r.argument {
                    self.expr(a);
                }
            }
            Statement::ThrowStatement(t) => self.expr(&t.argument),
            Statement::VariableDeclaration(d) => {
                for d in &d.declarations {
                    if let Some(init) = &d.init {
                        self.expr(init);
                    }
                }
            }
            Statement::FunctionDeclaration(f) => self.function(f),
            Statement::IfStatement(i) => {
                self.expr(&i.test);
                let test = self.err_test(&i.test);
                let failing = self.failing;
                self.with_failing(failing || test == Some(ErrTest::Set), |w| {
                    w.stmt(&i.consequent);
                });
                if let Some(alt) = &i.alternate {
                    self.with_failing(failing || test == Some(ErrTest::Unset), |w| w.stmt(alt));
                }
            }
            Statement::TryStatement(t) => {
                // Past a verification inside the block, the token was good: what the block
                // allows is not a failure path, whatever encloses the `try`.
                let verifying = Self::verifies(&t.block.body);
                let failing = self.failing;
                self.with_failing(failing && !verifying, |w| w.stmts(&t.block.body));
                if verifying {
                    self.verifications += 1;
                }
                if let Some(h) = &t.handler {
                    self.with_failing(failing || verifying, |w| w.stmts(&h.body.body));
                }
                if let Some(f) = &t.finalizer {
                    self.stmts(&f.body);
                }
            }
            Statement::ForStatement(f) => {
                if let Some(ForStatementInit::VariableDeclaration(d)) = &f.init {
                    for d in &d.declarations {
                        if let Some(init) = &d.init {
                            self.expr(init);
                        }
                    }
                }
                self.stmt(&f.body);
            }
            Statement::ForOfStatement(f) => {
                self.expr(&f.right);
                self.stmt(&f.body);
            }
            Statement::ForInStatement(f) => self.stmt(&f.body),
            Statement::WhileStatement(w) => self.stmt(&w.body),
            Statement::DoWhileStatement(w) => self.stmt(&w.body),
            Statement::LabeledStatement(l) => self.stmt(&l.body),
            Statement::SwitchStatement(sw) => {
                for case in &sw.cases {
                    self.stmts(&case.consequent);
                }
            }
            Statement::ExportDeclaration(d) => self.decl(&d.declaration),
            Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => self.function(f),
                other => {
                    if let Some(e) = other.as_expression() {
                        self.expr(e);
                    }
                }
            },
            _ => {}
        }
    }

    fn decl(&mut self, d: &Declaration<'_>) {
        match d {
            Declaration::VariableDeclaration(v) => {
                for d in &v.declarations {
                    if let Some(init) = &d.init {
                        self.expr(init);
                    }
                }
            }
            Declaration::FunctionDeclaration(f) => self.function(f),
            _ => {}
        }
    }

    fn function(&mut self, f: &Function<'_>) {
        if let Some(body) = &f.body {
            self.body(body);
        }
    }

    fn body(&mut self, b: &FunctionBody<'_>) {
        self.stmts(&b.statements);
    }

    fn arrow(&mut self, a: &ArrowFunctionExpression<'_>) {
        match &a.body {
            ArrowFunctionBody::FunctionBody(b) => self.body(b),
            other => {
                if let Some(e) = other.as_expression() {
                    self.expr(e);
                }
            }
        }
    }

    fn expr(&mut self, e: &Expression<'_>) {
        match e {
            Expression::StringLiteral(s)
                if self.failing && s.value.as_str().eq_ignore_ascii_case("allow") =>
            {
                self.found.push(s.span);
            }
            Expression::TemplateLiteral(t) => {
                if self.failing
                    && t.expressions.is_empty()
                    && t.quasis
                        .first()
                        .is_some_and(|q| q.value.raw.as_str().eq_ignore_ascii_case("allow"))
                {
                    self.found.push(t.span);
                }
                for x in &t.expressions {
                    self.expr(x);
                }
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let authorized = p
                                .key
                                .static_name()
                                .is_some_and(|k| k.eq_ignore_ascii_case("isAuthorized"));
                            if authorized
                                && self.failing
                                && matches!(
                                    p.value.get_inner_expression(),
                                    Expression::BooleanLiteral(b) if b.value
                                )
                            {
                                self.found.push(p.span);
                            }
                            self.expr(&p.value);
                        }
                        ObjectPropertyKind::SpreadProperty(s) => self.expr(&s.argument),
                    }
                }
            }
            Expression::ArrayExpression(a) => {
                for el in &a.elements {
                    if let Some(x) = el.as_expression() {
                        self.expr(x);
                    }
                }
            }
            Expression::CallExpression(c) => self.call(&c.callee, &c.arguments),
            Expression::NewExpression(n) => self.call(&n.callee, &n.arguments),
            Expression::ChainExpression(c) => {
                if let ChainElement::CallExpression(call) = &c.expression {
                    self.call(&call.callee, &call.arguments);
                }
            }
            Expression::ArrowFunctionExpression(a) => self.arrow(a),
            Expression::FunctionExpression(f) => self.function(f),
            Expression::AwaitExpression(a) => self.expr(&a.argument),
            Expression::ParenthesizedExpression(p) => self.expr(&p.expression),
            Expression::ConditionalExpression(c) => {
                self.expr(&c.test);
                let test = self.err_test(&c.test);
                let failing = self.failing;
                self.with_failing(failing || test == Some(ErrTest::Set), |w| {
                    w.expr(&c.consequent);
                });
                self.with_failing(failing || test == Some(ErrTest::Unset), |w| {
                    w.expr(&c.alternate);
                });
            }
            Expression::LogicalExpression(l) => {
                self.expr(&l.left);
                self.expr(&l.right);
            }
            Expression::BinaryExpression(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expression::AssignmentExpression(a) => self.expr(&a.right),
            Expression::SequenceExpression(s) => {
                for x in &s.expressions {
                    self.expr(x);
                }
            }
            Expression::StaticMemberExpression(m) => self.expr(&m.object),
            Expression::ComputedMemberExpression(m) => self.expr(&m.object),
            Expression::TSAsExpression(t) => self.expr(&t.expression),
            Expression::TSSatisfiesExpression(t) => self.expr(&t.expression),
            Expression::TSNonNullExpression(t) => self.expr(&t.expression),
            _ => {}
        }
    }

    fn call(&mut self, callee: &Expression<'_>, args: &[Argument<'_>]) {
        let verification = is_verification(callee);
        // `verify(...).catch(fail)` and `verify(...).then(ok, fail)`: the rejection handler
        // runs when the verification failed.
        let rejection = match callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => {
                let on_verification = {
                    let mut probe = Self::default();
                    probe.expr(&m.object);
                    probe.verifications > 0
                };
                match m.property.name.as_str() {
                    "catch" if on_verification => Some(0),
                    "then" if on_verification => Some(1),
                    _ => None,
                }
            }
            _ => None,
        };
        self.expr(callee);
        if verification {
            self.verifications += 1;
        }
        for (i, a) in args.iter().enumerate() {
            let Some(x) = a.as_expression() else { continue };
            if rejection == Some(i) {
                let failing = self.failing;
                self.with_failing(true, |w| w.expr(x));
                self.failing = failing;
                continue;
            }
            // A verification's callback: its first parameter is the error.
            let err = if verification {
                match x.get_inner_expression() {
                    Expression::ArrowFunctionExpression(f) => first_param(&f.params),
                    Expression::FunctionExpression(f) => first_param(&f.params),
                    _ => None,
                }
            } else {
                None
            };
            match err {
                Some(name) => {
                    self.errs.push(name);
                    // The callback runs once the verification answered: its own success path
                    // is not a failure of an enclosing one.
                    self.with_failing(false, |w| w.expr(x));
                    self.errs.pop();
                }
                None => self.expr(x),
            }
        }
    }

    /// How an `if` test reads the error of the verification callback the walk is inside:
    /// `err` is set; `!err`, `err == null` or `!err && ...` is unset.
    fn err_test(&self, test: &Expression<'_>) -> Option<ErrTest> {
        let err = self.errs.last()?;
        classify(test, err)
    }
}

/// Whether a statement always leaves the function (ends with a `return` or a `throw`).
fn exits(s: &Statement<'_>) -> bool {
    match s {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(exits),
        _ => false,
    }
}

fn classify(test: &Expression<'_>, err: &str) -> Option<ErrTest> {
    match test.get_inner_expression() {
        Expression::Identifier(id) if id.name.as_str() == err => Some(ErrTest::Set),
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            match classify(&u.argument, err)? {
                ErrTest::Set => Some(ErrTest::Unset),
                ErrTest::Unset => Some(ErrTest::Set),
            }
        }
        // `!err && decoded`: true only when the error is unset. `err || !decoded`: true
        // whenever the error is set.
        Expression::LogicalExpression(l) => {
            let (a, b) = (classify(&l.left, err), classify(&l.right, err));
            match l.operator {
                LogicalOperator::And if a == Some(ErrTest::Unset) || b == Some(ErrTest::Unset) => {
                    Some(ErrTest::Unset)
                }
                LogicalOperator::Or if a == Some(ErrTest::Set) || b == Some(ErrTest::Set) => {
                    Some(ErrTest::Set)
                }
                _ => None,
            }
        }
        Expression::BinaryExpression(b) => null_compare(b, err),
        _ => None,
    }
}

/// `err == null`, `err === undefined` (unset) and their negations (set).
fn null_compare(b: &BinaryExpression<'_>, err: &str) -> Option<ErrTest> {
    let is_err = |e: &Expression<'_>| matches!(e.get_inner_expression(), Expression::Identifier(id) if id.name.as_str() == err);
    let is_nothing = |e: &Expression<'_>| match e.get_inner_expression() {
        Expression::NullLiteral(_) => true,
        Expression::Identifier(id) => id.name.as_str() == "undefined",
        _ => false,
    };
    if !((is_err(&b.left) && is_nothing(&b.right)) || (is_err(&b.right) && is_nothing(&b.left))) {
        return None;
    }
    match b.operator {
        BinaryOperator::Equality | BinaryOperator::StrictEquality => Some(ErrTest::Unset),
        BinaryOperator::Inequality | BinaryOperator::StrictInequality => Some(ErrTest::Set),
        _ => None,
    }
}

fn first_param(params: &oxc_ast::ast::FormalParameters<'_>) -> Option<String> {
    let p = params.items.first()?;
    p.pattern
        .get_binding_identifier()
        .map(|id| id.name.to_string())
}

/// Whether a callee verifies a token: its name says it verifies (`verify`, `jwtVerify`,
/// `verifyIdToken`), validates a token or JWT, or decodes one with a JWT library (PyJWT-style
/// `jwt.decode` verifies; elsewhere a failed decode is a failed check all the same).
fn is_verification(callee: &Expression<'_>) -> bool {
    let (name, receiver) = match callee.get_inner_expression() {
        Expression::Identifier(id) => (id.name.as_str(), None),
        Expression::StaticMemberExpression(m) => (m.property.name.as_str(), Some(&m.object)),
        _ => return false,
    };
    crate::fail_open::verifying_name(name, receiver.and_then(|r| receiver_name(r)))
}

fn receiver_name<'a>(e: &'a Expression<'_>) -> Option<&'a str> {
    match e.get_inner_expression() {
        Expression::Identifier(id) => Some(id.name.as_str()),
        Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::fail_open;

    fn lines(src: &str) -> Vec<usize> {
        fail_open("authorizer.js", src)
            .iter()
            .map(|s| src[..s.start as usize].lines().count())
            .collect()
    }

    #[test]
    fn allow_in_the_error_branch_of_a_verify_callback_is_fail_open() {
        let src = r"
const jwt = require('jsonwebtoken');
exports.handler = (event, context, done) => {
  jwt.verify(event.authorizationToken, process.env.KEY, (problem, claims) => {
    if (!problem && claims.sub) {
      return done(null, policy(claims.sub, 'Allow', event.methodArn));
    } else {
      return done(null, policy('guest', 'Allow', event.methodArn));
    }
  });
};
const policy = (principalId, Effect, Resource) =>
  ({ principalId, policyDocument: { Statement: [{ Effect, Resource }] } });
";
        assert_eq!(lines(src), vec![8]);
    }

    #[test]
    fn allow_in_the_catch_of_a_verification_is_fail_open() {
        let src = r"
export async function handler(event) {
  try {
    const claims = await verifier.verify(event.headers.authorization);
    return { isAuthorized: true, context: { sub: claims.sub } };
  } catch (e) {
    console.warn('bad token', e);
    return { isAuthorized: true };
  }
}
";
        assert_eq!(lines(src), vec![8]);
    }

    #[test]
    fn a_rejection_handler_that_allows_is_fail_open() {
        let src = r"
module.exports.auth = (event) => jwtVerify(token(event), keys)
  .then(({ payload }) => allow(payload.sub, event.methodArn))
  .catch(() => ({ principalId: 'anon', policyDocument: doc(`Allow`, event.methodArn) }));
";
        assert_eq!(lines(src), vec![4]);
    }

    #[test]
    fn denying_on_failure_is_not_fail_open() {
        let src = r"
exports.handler = async (event) => {
  try {
    const user = jwt.verify(event.authorizationToken, secret);
    return { principalId: user.sub, policyDocument: doc('Allow', event.methodArn) };
  } catch (err) {
    if (err.name === 'TokenExpiredError') return { principalId: 'x', policyDocument: doc('Deny', event.methodArn) };
    throw new Error('Unauthorized');
  }
};
jwt.verify(t, k, (err, decoded) => {
  if (err) return cb('Unauthorized');
  cb(null, { principalId: decoded.sub, policyDocument: doc('Allow', arn) });
});
";
        assert!(lines(src).is_empty());
    }

    #[test]
    fn a_second_verification_inside_the_catch_is_its_own_success_path() {
        let src = r"
exports.handler = async (event) => {
  try {
    return ok(jwt.verify(event.authorizationToken, current), 'Allow');
  } catch (first) {
    try {
      return ok(jwt.verify(event.authorizationToken, previous), 'Allow');
    } catch (second) {
      return { principalId: 'none', policyDocument: doc('Deny') };
    }
  }
};
";
        assert!(lines(src).is_empty());
    }

    #[test]
    fn files_that_build_no_authorizer_response_are_not_read() {
        let src = r"
try { jwt.verify(t, k) } catch (e) { return res.json({ allowed: 'Allow' }) }
";
        assert!(lines(src).is_empty());
    }
}
