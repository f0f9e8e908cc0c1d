//! INJ006: event data in file paths.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data used in a file-system path (`fs.readFile`, `open`) in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// `../` sequences read or overwrite files outside the intended folder: other tenants' files in `/tmp`, the function's code and configuration.
    ///
    /// ## Example
    /// ```js
    /// fs.readFileSync(path.join('/tmp/reports', event.pathParameters.name));
    /// ```
    /// Use instead: resolve the path and check it stays under the base folder, or map names to known files.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')
    pub struct PathTraversal {
        code: "INJ006",
        name: "path-traversal",
        kind: Kind::PathTraversal,
        severity: Severity::High,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for PathTraversal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::PathTraversal,
            "Resolve the path and check it stays inside the intended folder; reject names with separators",
        );
    }
}
