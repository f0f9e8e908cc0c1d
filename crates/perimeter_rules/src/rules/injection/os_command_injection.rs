//! INJ003: event data in shell commands.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags event data reaching a shell command (`child_process.exec`, `subprocess` with `shell=True`, `os.system`) in a function's code, when the value comes from event data an outsider
    /// controls: HTTP requests (critical or high), uploaded S3 objects and keys (high at
    /// most), messages, records and direct invocations (medium, since the producer decides
    /// what they carry). Identity set by an authorizer (`requestContext.authorizer`) is
    /// trusted.
    ///
    /// ## Why is this bad?
    /// The attacker runs any command in the function's environment, with its role's credentials.
    ///
    /// ## Example
    /// ```js
    /// execSync(`convert ${event.queryStringParameters.file} out.png`);
    /// ```
    /// Use instead: `execFile`/`spawn` with an argument array and a validated value, or a library instead of a command.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S1 Injection
    /// - SAS Top 10: SAS-1 Function Event-Data Injection
    /// - CWE-78: Improper Neutralization of Special Elements used in an OS Command
    pub struct OsCommandInjection {
        code: "INJ003",
        name: "injection-os-command",
        kind: Kind::InjectionOsCommand,
        severity: Severity::Critical,
        category: Category::Injection,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for OsCommandInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        super::flow::report_flows(
            cx,
            out,
            Kind::InjectionOsCommand,
            "Call the program with an argument array (execFile, subprocess.run([...])) and validate the value; never build a shell command from event data",
        );
    }
}
