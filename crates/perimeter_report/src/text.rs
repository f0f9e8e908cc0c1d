//! The text report for people: a header per finding, a code frame with carets under the
//! flagged columns, the help, the path of a data flow, then errors, warnings and a summary.

use std::fmt::Write as _;

use perimeter_diagnostics::{Finding, Severity};

use crate::escape::escape_control as esc;
use crate::{Report, SourceLookup, TextOptions};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;34",
            Severity::Info => "1;36",
        };
        self.paint(code, s.as_str())
    }
}

fn frame(out: &mut String, f: &Finding, sources: &dyn SourceLookup, st: &Style) {
    let Some(file) = sources.source(&f.path) else {
        return;
    };
    let last = f.end_line.max(f.line).min(f.line + 4);
    let width = last.to_string().len();
    let _ = writeln!(out, "{} {}", " ".repeat(width), st.paint("1;34", "|"));
    for line in f.line..=last {
        let text = file.line_text(line);
        if text.is_empty() && line > f.line {
            continue;
        }
        let shown = esc(text).replace('\t', "    ");
        let _ = writeln!(
            out,
            "{} {} {}",
            st.paint("1;34", &format!("{line:>width$}")),
            st.paint("1;34", "|"),
            shown
        );
        if line == f.line {
            let start = f.column.saturating_sub(1) as usize;
            let len = if f.end_line == f.line {
                (f.end_column.saturating_sub(f.column) as usize).max(1)
            } else {
                text.chars().count().saturating_sub(start).max(1)
            };
            let prefix: String = text
                .chars()
                .take(start)
                .map(|c| if c == '\t' { "    " } else { " " })
                .collect();
            let _ = writeln!(
                out,
                "{} {} {}{}",
                " ".repeat(width),
                st.paint("1;34", "|"),
                prefix,
                st.paint("1;31", &"^".repeat(len.min(120)))
            );
        }
    }
}

pub(crate) fn render(report: &Report, sources: &dyn SourceLookup, options: &TextOptions) -> String {
    let st = Style {
        color: options.color,
    };
    let mut out = String::new();
    // People read the worst first; within a severity, the report's order (path, line).
    let mut ordered: Vec<&perimeter_diagnostics::Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in ordered {
        let _ = writeln!(
            out,
            "{}[{}] {}",
            st.severity(f.severity),
            f.rule,
            st.paint("1", &esc(&f.message))
        );
        let mut whom = String::new();
        if let Some(func) = &f.function {
            let _ = write!(whom, " (function {})", esc(func));
        } else if let Some(r) = &f.resource {
            let _ = write!(whom, " ({})", esc(r));
        }
        let _ = writeln!(
            out,
            "  {} {}:{}:{}{}",
            st.paint("1;34", "-->"),
            esc(&f.path),
            f.line,
            f.column,
            whom
        );
        frame(&mut out, f, sources, &st);
        if !f.trace.is_empty() {
            let _ = writeln!(out, "  {}", st.paint("1", "flow:"));
            for (i, step) in f.trace.iter().enumerate() {
                let arrow = if i == 0 { "source" } else { "  then" };
                let func = step
                    .function
                    .as_deref()
                    .map(|s| format!(" [{}]", esc(s)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {arrow} {}:{}:{}{} {}",
                    esc(&step.path),
                    step.line,
                    step.column,
                    func,
                    esc(&step.note)
                );
            }
        }
        if !f.help.is_empty() {
            let _ = writeln!(out, "  {} {}", st.paint("1;32", "help:"), esc(&f.help));
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "{}", st.paint("1;31", "could not analyse:"));
        for e in &report.errors {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(out, "  {}{at}: {}", esc(&e.path), esc(&e.message));
        }
        out.push('\n');
    }
    for w in &report.warnings {
        let _ = writeln!(out, "{} {}", st.paint("1;33", "warning:"), esc(w));
    }
    let mut counts = Vec::new();
    for s in Severity::ALL {
        let n = report.findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            counts.push(format!("{n} {}", s.as_str()));
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} finding{}{} in {} app{}, {} function{}, {} files; {} error{}",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        s.apps,
        if s.apps == 1 { "" } else { "s" },
        s.functions,
        if s.functions == 1 { "" } else { "s" },
        s.files,
        s.errors,
        if s.errors == 1 { "" } else { "s" },
    );
    if s.not_affected > 0 {
        let _ = writeln!(out, "{}", not_affected_line(s.not_affected));
    }
    if report.configuration.worth_a_line() {
        let _ = writeln!(out, "{}", esc(&report.configuration.describe()));
    }
    out
}

/// The line that says how many advisories were judged not to affect the deployment.
pub(crate) fn not_affected_line(n: usize) -> String {
    format!(
        "{n} {} cannot affect the deployed application (not_affected): listed with their evidence in --format json; --report-not-affected reports them as findings",
        if n == 1 { "advisory" } else { "advisories" }
    )
}
