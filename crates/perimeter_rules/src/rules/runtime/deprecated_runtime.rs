//! RUN001: runtimes past (or near) their end of support.
use crate::data::runtimes::{self, TABLE_DATE};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags functions whose runtime AWS has deprecated (`nodejs16.x`, `python3.8`, `go1.x`,
    /// ...). Runtimes deprecated after the table's date are reported at low severity.
    ///
    /// ## Why is this bad?
    /// A deprecated runtime gets no security patches for the language or the OS; soon after,
    /// functions using it can no longer be created or updated, so a fix cannot be shipped.
    ///
    /// ## Example
    /// ```yaml
    /// Runtime: nodejs14.x
    /// ```
    /// Use instead: a supported runtime (`nodejs22.x`, `python3.13`).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S9 Using Components with Known Vulnerabilities
    /// - SAS Top 10: SAS-8 Insecure Third-Party Dependencies
    /// - CWE-1104: Use of Unmaintained Third Party Components
    pub struct DeprecatedRuntime {
        code: "RUN001",
        name: "deprecated-runtime",
        kind: Kind::DeprecatedRuntime,
        severity: Severity::Medium,
        category: Category::Runtime,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for DeprecatedRuntime {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        // One finding per place the runtime is written: a provider-level runtime is one
        // line to change for every function that inherits it.
        let mut places: Vec<(&perimeter_model::Node, Vec<&str>)> = Vec::new();
        for f in &cx.app.functions {
            let Some(node) = &f.runtime else { continue };
            match places.iter_mut().find(|(n, _)| same_loc(&n.loc, &node.loc)) {
                Some((_, fns)) => fns.push(&f.id),
                None => places.push((node, vec![&f.id])),
            }
        }
        for (node, functions) in places {
            let Some(eol) = node.as_str().and_then(runtimes::lookup) else {
                continue;
            };
            let whom = match functions.as_slice() {
                [one] => format!("`{one}`"),
                many => format!("{} functions", many.len()),
            };
            let past = eol.deprecated <= TABLE_DATE;
            let (verb, sev) = if past {
                ("since", Severity::Medium)
            } else {
                ("on", Severity::Low)
            };
            out.report(
                &node.loc,
                format!(
                    "runtime `{}` of {whom} is deprecated {verb} {}",
                    eol.runtime, eol.deprecated
                ),
            )
            .severity(sev)
            .function_opt((functions.len() == 1).then(|| functions[0]))
            .help(format!("Move to `{}`", eol.upgrade_to));
        }
    }
}
