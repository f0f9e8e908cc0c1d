//! DOW011: code that writes to the resource that triggers its own function, confirmed by the
//! application graph.
use perimeter_code::ResourceExpr;
use perimeter_model::{EventKind, Node, Value};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags an AWS SDK call that writes to the bucket, queue, topic, table stream or stream
    /// that triggers the calling function, as the application graph links them: the SDK
    /// call's resource is resolved through environment variables and literals to the same
    /// resource the trigger names. For S3, a trigger whose prefix or suffix filter cannot
    /// match the key the code writes breaks the loop and is not reported; so does an
    /// EventBridge rule whose event pattern (`source`, `detail-type`) cannot match the event
    /// the code puts on the bus: a rule is not its bus.
    ///
    /// ## Why is this bad?
    /// Each invocation writes an object or message that invokes the function again: an
    /// endless loop billed per invocation until someone notices (Lambda's recursion detection
    /// does not stop S3 loops, and stops others only after a number of rounds).
    ///
    /// ## Example
    /// ```js
    /// // triggered by uploads/ in the same bucket
    /// await s3.putObject({ Bucket: process.env.BUCKET, Key: 'uploads/thumb-' + key }).promise();
    /// ```
    /// Use instead: write to another bucket or to a prefix the trigger does not watch.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S8 Denial of Service and Denial of Wallet
    /// - SAS Top 10: SAS-7 Denial of Service & Financial Resource Exhaustion
    /// - CWE-674: Uncontrolled Recursion
    pub struct RecursiveTrigger {
        code: "DOW011",
        name: "recursive-trigger",
        kind: Kind::RecursiveTrigger,
        severity: Severity::High,
        category: Category::DenialOfWallet,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// The known start of a key the code writes (`uploads/thumb-` for `'uploads/thumb-' + k`).
fn key_prefix(key: Option<&ResourceExpr>) -> Option<String> {
    match key? {
        ResourceExpr::Literal(s) => Some(s.clone()),
        ResourceExpr::Pattern(p) => Some(p.split('*').next().unwrap_or("").to_owned()),
        _ => None,
    }
}

/// The known end of a key the code writes (`.json` for `k + '.json'`); `None` when its end
/// is not known.
fn key_suffix(key: Option<&ResourceExpr>) -> Option<String> {
    match key? {
        ResourceExpr::Literal(s) => Some(s.clone()),
        ResourceExpr::Pattern(p) => p
            .rsplit('*')
            .next()
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        _ => None,
    }
}

/// The key an environment variable's value in the descriptor stands for: its text, or a
/// pattern with `*` where a part is not known (a `Fn::Join` or `Fn::Sub` with references, a
/// Terraform template over a value set per instance, `actions-<os>.zip`).
fn env_key(value: &Node) -> Option<ResourceExpr> {
    if let Some(s) = value.as_str() {
        return Some(ResourceExpr::Literal(s.to_owned()));
    }
    let pattern = match (&value.value, value.intrinsic()) {
        (Value::Symbolic(s), _) => unknown_parts(s, '<', '>'),
        (_, Some(("Fn::Sub", arg))) => unknown_parts(arg.as_str()?, '{', '}').replace("$*", "*"),
        (_, Some(("Fn::Join", arg))) => {
            let items = arg.items();
            let sep = items.first()?.as_str()?;
            items
                .get(1)?
                .items()
                .iter()
                .map(|p| p.as_str().unwrap_or("*").to_owned())
                .collect::<Vec<_>>()
                .join(sep)
        }
        _ => return None,
    };
    (pattern != "*").then_some(ResourceExpr::Pattern(pattern))
}

/// Text with every `open…close` span (a part not known) replaced by `*`.
fn unknown_parts(text: &str, open: char, close: char) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        if c == open {
            if depth == 0 {
                out.push('*');
            }
            depth += 1;
        } else if c == close && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            out.push(c);
        }
    }
    out
}

impl Rule for RecursiveTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let Some(g) = cx.graph else { return };
        for cycle in g.cycles() {
            let Some((function, call, resource)) = cycle.first() else {
                continue;
            };
            let (Some(f), Some(s)) = (cx.app.function(function), g.summary(function)) else {
                continue;
            };
            let Some(call) = s.sdk_calls.get(*call) else {
                continue;
            };
            // S3 key filters on the trigger that the written key cannot match break the loop.
            if call.service == "s3" {
                // A key read from the environment is the value the descriptor gives it.
                let key = match &call.key {
                    Some(ResourceExpr::Env(name)) => f
                        .environment
                        .iter()
                        .find(|e| e.name == *name)
                        .and_then(|e| env_key(&e.value))
                        .or_else(|| call.key.clone()),
                    other => other.clone(),
                };
                let written = key_prefix(key.as_ref());
                let ending = key_suffix(key.as_ref());
                let broken = f
                    .events
                    .iter()
                    .filter(|e| e.kind == EventKind::S3)
                    .all(|e| {
                        let targets = e
                            .source
                            .as_ref()
                            .map(|n| perimeter_graph::node_targets(cx.app, n))
                            .unwrap_or_default();
                        if !targets.iter().any(|t| t == resource) {
                            return true;
                        }
                        e.filters.iter().any(|flt| {
                            let Some(v) = flt
                                .value
                                .as_str()
                                .map(str::to_owned)
                                .or_else(|| Node::scalar_text(&flt.value))
                            else {
                                return false;
                            };
                            match flt.name.as_str() {
                                "prefix" => written.as_ref().is_some_and(|w| {
                                    !w.starts_with(&v) && !v.starts_with(w.as_str())
                                }),
                                "suffix" => ending
                                    .as_ref()
                                    .is_some_and(|w| !w.ends_with(&v) && !v.ends_with(w.as_str())),
                                _ => false,
                            }
                        })
                    });
                if broken {
                    continue;
                }
            }
            out.report(
                &call.loc,
                format!(
                    "`{}` writes to `{}`, which triggers `{}` again",
                    function,
                    resource.trim_start_matches("name:"),
                    function
                ),
            )
            .function(function)
            .resource(resource.trim_start_matches("name:"))
            .help("Write to another resource, or filter the trigger so the function's own writes do not match; set reserved concurrency as a brake");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parts_become_wildcards() {
        assert_eq!(
            unknown_parts(
                "bundle-<var.os>.<var.os == \"a\" ? \"tgz\" : \"zip\">",
                '<',
                '>'
            ),
            "bundle-*.*"
        );
        assert_eq!(
            unknown_parts("out/${Stage}/x.csv", '{', '}'),
            "out/$*/x.csv"
        );
    }

    #[test]
    fn written_ends_are_known_from_patterns() {
        let p = ResourceExpr::Pattern("exports/*.csv".to_owned());
        assert_eq!(key_prefix(Some(&p)).as_deref(), Some("exports/"));
        assert_eq!(key_suffix(Some(&p)).as_deref(), Some(".csv"));
        let open = ResourceExpr::Pattern("exports/*".to_owned());
        assert_eq!(key_suffix(Some(&open)), None);
    }
}
