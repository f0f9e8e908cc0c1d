//! AUTH009: an access check whose denial does not stop the handler.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags an access check in a handler's code (JavaScript, TypeScript, Python) whose branch
    /// sends or prepares a 401 or 403 response, through the Lambda callback, a response object,
    /// an Express-style `res.status(...)` or a framework response, but neither returns nor
    /// throws, when statements other than a `return` follow the check.
    ///
    /// ## Why is this bad?
    /// Sending the denial does not end the function: the code after the check runs for the
    /// caller who was just refused, and whatever it does (invoke an admin function, write to
    /// the database) happens anyway. The caller may even get the 401 back while the action
    /// succeeds. The route looks protected to anyone reading the check.
    ///
    /// ## Example
    /// ```js
    /// if (event.queryStringParameters.secret !== adminSecret) {
    ///   callback(null, { statusCode: 401, body: 'Invalid admin token' });
    /// }
    /// lambda.invoke({ FunctionName: 'restore' }, done);
    /// ```
    /// Use instead: `return callback(null, { statusCode: 401, ... });`, or an `else` around
    /// what the allowed caller may do.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-670: Always-Incorrect Control Flow Implementation
    /// - CWE-285: Improper Authorization
    pub struct DenialFallsThrough {
        code: "AUTH009",
        name: "denial-falls-through",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for DenialFallsThrough {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for (f, s) in cx.analysed() {
            let severity = if f.is_internet_facing() {
                Severity::High
            } else {
                Severity::Medium
            };
            for d in &s.denials {
                let then = d.then.start();
                out.report(
                    &d.check,
                    format!(
                        "`{}` refuses the caller here but does not stop: line {} runs for the refused caller too",
                        f.id, then.line
                    ),
                )
                .function(&f.id)
                .severity(severity)
                .help("Return (or throw) right after sending the denial, for instance `return callback(null, { statusCode: 401 })`");
            }
        }
    }
}
