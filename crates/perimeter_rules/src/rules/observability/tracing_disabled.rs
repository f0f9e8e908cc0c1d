//! OBS003: functions without active tracing.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions without active X-Ray tracing (`tracing: { lambda: true }`,
    /// `Tracing: Active`).
    ///
    /// ## Why is this bad?
    /// Without traces, a request cannot be followed across functions and services, which
    /// slows down incident response.
    ///
    /// ## Example
    /// ```yaml
    /// Tracing: PassThrough
    /// ```
    /// Use instead: `Tracing: Active`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-778: Insufficient Logging
    pub struct TracingDisabled {
        code: "OBS003",
        name: "tracing-disabled",
        kind: Kind::MissingTracing,
        severity: Severity::Info,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for TracingDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            let active = f.tracing.as_ref().is_some_and(|t| {
                t.as_bool() == Some(true)
                    || t.as_str()
                        .is_some_and(|s| s.trim().eq_ignore_ascii_case("Active"))
                    || t.is_symbolic()
            });
            if active {
                continue;
            }
            let loc = f.tracing.as_ref().map_or(&f.loc, |t| &t.loc);
            out.report(loc, format!("`{}` has no active tracing", f.id))
                .function(&f.id)
                .help("Turn on active X-Ray tracing");
        }
    }
}
