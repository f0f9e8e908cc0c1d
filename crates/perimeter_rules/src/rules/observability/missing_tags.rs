//! OBS006: functions without tags.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions with no tags (function-level, provider-level or SAM `Globals`).
    ///
    /// ## Why is this bad?
    /// Tags tie a function to an owner, a cost centre and a data classification; untagged
    /// functions are the ones nobody answers for during an incident.
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   api: { handler: api.main }
    /// ```
    /// Use instead: `provider.tags: { owner: payments, data: confidential }`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S10 Insufficient Logging and Monitoring
    /// - SAS Top 10: SAS-5 Inadequate Function Monitoring and Logging
    /// - CWE-1059: Insufficient Technical Documentation
    pub struct MissingTags {
        code: "OBS006",
        name: "missing-tags",
        kind: Kind::Other,
        severity: Severity::Info,
        category: Category::Observability,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for MissingTags {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            if f.tags
                .as_ref()
                .is_none_or(|t| t.entries().is_empty() && t.items().is_empty())
            {
                out.report(&f.loc, format!("`{}` has no tags", f.id))
                    .function(&f.id)
                    .help("Tag functions with an owner and a data classification");
            }
        }
    }
}
