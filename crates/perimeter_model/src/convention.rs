//! Functions without a descriptor: a file that defines a handler by the platform's naming
//! convention (the console's `lambda_function.py` with `lambda_handler(event, context)`, an
//! `index.js`/`index.mjs`/`index.ts` exporting `handler(event, ...)`) is a function whose
//! trigger is unknown, so its event is whatever its caller passes.
//!
//! Precision matters more than reach here: a library, a test or vendored code must never
//! become a function. So only those exact file names count, the handler must be defined at
//! the top level with an event-like first parameter, folders of tests, examples of
//! dependencies, build output and project templates are skipped, and a file that any
//! descriptor may package is left to that descriptor (see [`claimed`]).

use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile, Span};

use crate::model::{Application, Framework, Function};
use crate::yaml::{Node, Value};

/// Folders whose files are never a deployed function: tests, vendored and installed code,
/// build output.
const SKIP_PARTS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__test__",
    "spec",
    "specs",
    "__mocks__",
    "mocks",
    "mock",
    "fixtures",
    "fixture",
    "testdata",
    "test-data",
    "test_data",
    "e2e",
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "external",
    "dist",
    "build",
    "out",
    ".build",
    ".aws-sam",
    "cdk.out",
    "site-packages",
    "dist-packages",
    "node_modules",
    "coverage",
    "docs",
];

/// The convention a file name follows, if any: the handler module's name and the language.
fn convention_of(rel: &str) -> Option<(&'static str, Lang)> {
    match rel.rsplit('/').next().unwrap_or(rel) {
        "lambda_function.py" => Some(("lambda_function", Lang::Python)),
        "index.js" | "index.mjs" | "index.cjs" | "index.ts" | "index.mts" => {
            Some(("index", Lang::JavaScript))
        }
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    JavaScript,
}

/// Whether a file of the tree may define a function by convention, by its path alone: one of
/// the conventional names, outside tests, vendored code, build output and templates of
/// projects (`{{cookiecutter.name}}/`).
pub fn is_candidate(rel: &str) -> bool {
    if convention_of(rel).is_none() {
        return false;
    }
    !in_skipped_folder(rel)
}

/// Whether a file is in a folder whose files are never deployed as they are: tests,
/// vendored or installed code, build output, project templates (`{{cookiecutter.name}}/`).
pub fn in_skipped_folder(rel: &str) -> bool {
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    dir.split('/').any(|part| {
        let lower = part.to_ascii_lowercase();
        SKIP_PARTS.contains(&lower.as_str())
            || part.contains("{{")
            || part.contains("{%")
            || part.contains("${")
            || lower.ends_with(".dist-info")
            || lower.ends_with(".egg-info")
            || (lower.starts_with("python") && lower[6..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Where the handler is defined, when the text defines one at the top level: the byte
/// offsets of its name, and the handler's function name.
fn find_handler(text: &str, lang: Lang) -> Option<(usize, usize, &'static str)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let found = match lang {
            Lang::Python => python_handler(line),
            Lang::JavaScript => js_handler(line, &text[start..]),
        };
        if let Some((at, len, name)) = found {
            return Some((start + at, start + at + len, name));
        }
    }
    None
}

/// `def lambda_handler(event, context):` (or `async def`) at column 0, with two parameters.
fn python_handler(line: &str) -> Option<(usize, usize, &'static str)> {
    let rest = line
        .strip_prefix("async def ")
        .or_else(|| line.strip_prefix("def "))?;
    let at = line.len() - rest.len();
    let params = rest
        .trim_start()
        .strip_prefix("lambda_handler")?
        .trim_start();
    let params = params.strip_prefix('(')?;
    let params = &params[..params.find(')')?];
    let names: Vec<&str> = params
        .split(',')
        .map(|p| p.split(':').next().unwrap_or(p).trim())
        .filter(|p| !p.is_empty())
        .collect();
    (names.len() == 2 && is_event_name(names[0])).then_some((
        at + (rest.len() - rest.trim_start().len()),
        14,
        "lambda_handler",
    ))
}

/// `exports.handler = ...`, `module.exports.handler = ...`, `export const handler = ...`,
/// `export [async] function handler(...)` at column 0, whose first parameter is event-like
/// (looked for in the statement's first few hundred bytes).
fn js_handler(line: &str, from_line: &str) -> Option<(usize, usize, &'static str)> {
    const HEADS: &[&str] = &[
        "exports.handler",
        "module.exports.handler",
        "export const handler",
        "export let handler",
        "export var handler",
        "export async function handler",
        "export function handler",
    ];
    let head = HEADS.iter().find(|h| {
        line.strip_prefix(**h)
            .is_some_and(|r| r.starts_with([' ', '=', '(', ':', '\t']))
    })?;
    let at = head.len() - "handler".len();
    // The first parameter list after the head: `= async (event, context) =>`,
    // `= function (event)`, `= async event =>`, `(event) {`.
    let end = from_line
        .char_indices()
        .nth(400)
        .map_or(from_line.len(), |(i, _)| i);
    let window = &from_line[head.len()..end];
    let window = window.trim_start();
    let window = window.strip_prefix(':').map_or(window, |w| {
        // A TypeScript type annotation: `handler: Handler<...> = async (event) =>`.
        w.find('=').map_or(w, |i| &w[i..])
    });
    let after_eq = window.strip_prefix('=').unwrap_or(window).trim_start();
    let after_async = after_eq
        .strip_prefix("async")
        .map_or(after_eq, str::trim_start);
    let after_fn = after_async
        .strip_prefix("function")
        .map_or(after_async, |w| {
            w.trim_start()
                .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
        })
        .trim_start();
    let first = if let Some(params) = after_fn.strip_prefix('(') {
        params
            .split([',', ')', ':', '='])
            .next()
            .unwrap_or("")
            .trim()
    } else {
        // `async event => ...`
        after_fn
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("")
    };
    is_event_name(first).then_some((at, "handler".len(), "handler"))
}

/// Whether a parameter name is one a handler gives its event.
fn is_event_name(name: &str) -> bool {
    matches!(
        name.trim_start_matches('_'),
        "event" | "evt" | "ev" | "e" | "events" | "payload" | "input"
    ) || name == "_"
}

/// Loads the function a candidate file defines by convention, as an application of its own,
/// or `None` when the file defines no handler. The function's id is its folder (the file's
/// name at the root): console functions are kept in a folder named after them.
pub fn load(file: &Arc<SourceFile>) -> Option<Application> {
    let rel = file.path();
    let (module, lang) = convention_of(rel)?;
    let (start, end, name) = find_handler(file.text(), lang)?;
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let loc = Loc::new(
        file,
        Span {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        },
    );
    let mut app = Application::new(rel, Framework::Convention, dir);
    let id = if dir.is_empty() {
        rel.to_owned()
    } else {
        dir.to_owned()
    };
    let mut f = Function::new(id, loc.clone());
    f.handler = Some(Node::new(
        Value::Str(format!("{module}.{name}")),
        loc.clone(),
    ));
    let runtime = match lang {
        Lang::Python => "python3",
        Lang::JavaScript => "nodejs",
    };
    f.runtime = Some(Node::new(Value::Str(runtime.to_owned()), loc));
    f.code_dir = Some(dir.to_owned());
    f.unknown_trigger = true;
    app.functions.push(f);
    Some(app)
}

/// Whether a descriptor may package this file, so that it is that descriptor's and not a
/// function of its own: the file is in the code folder of a function, or under the root of
/// an application that packages its whole folder (Serverless Framework, Chalice, Zappa,
/// Azure Functions), or under one of `roots` (the folders of descriptors that were found but
/// not read: another provider, a parse error), or a function of an application around it,
/// or of unknown code folder, names the same handler (its package is built from here).
pub fn claimed(apps: &[Application], roots: &[String], rel: &str) -> bool {
    let under = |dir: &str| dir.is_empty() || rel.starts_with(&format!("{dir}/"));
    if roots.iter().any(|r| under(r)) {
        return true;
    }
    let handler = load_handler_name(rel);
    apps.iter()
        .filter(|a| a.framework != Framework::Convention)
        .any(|a| {
            let whole = matches!(
                a.framework,
                Framework::Serverless | Framework::Chalice | Framework::Zappa | Framework::Azure
            );
            let around = under(&a.root);
            (whole && around)
                || a.functions.iter().any(|f| {
                    f.code_dir.as_deref().is_some_and(under)
                        || ((around || f.code_dir.is_none())
                            && handler.is_some_and(|h| f.handler_str() == Some(h)))
                })
        })
}

/// The handler string a conventional file would have.
fn load_handler_name(rel: &str) -> Option<&'static str> {
    match convention_of(rel)? {
        ("lambda_function", _) => Some("lambda_function.lambda_handler"),
        _ => Some("index.handler"),
    }
}

/// Of several conventional files in one folder (`index.ts` and the `index.js` compiled from
/// it, say), the one that is the function: the source first.
pub fn one_per_folder(candidates: &mut Vec<String>) {
    let rank = |rel: &str| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        [
            "index.ts",
            "index.mts",
            "lambda_function.py",
            "index.js",
            "index.mjs",
            "index.cjs",
        ]
        .iter()
        .position(|n| *n == name)
        .unwrap_or(usize::MAX)
    };
    candidates.sort_by(|a, b| {
        let (da, db) = (
            a.rsplit_once('/').map_or("", |(d, _)| d),
            b.rsplit_once('/').map_or("", |(d, _)| d),
        );
        da.cmp(db).then(rank(a).cmp(&rank(b)))
    });
    candidates.dedup_by(|b, a| {
        a.rsplit_once('/').map_or("", |(d, _)| d) == b.rsplit_once('/').map_or("", |(d, _)| d)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(rel: &str, text: &str) -> Option<Application> {
        load(&SourceFile::new(rel, text))
    }

    #[test]
    fn candidates_skip_tests_vendored_code_and_templates() {
        assert!(is_candidate("lambda_function.py"));
        assert!(is_candidate("functions/resize/index.mjs"));
        assert!(!is_candidate("tests/lambda_function.py"));
        assert!(!is_candidate("src/__tests__/index.js"));
        assert!(!is_candidate("vendor/x/index.js"));
        assert!(!is_candidate(
            "layer/python/lib/python3.12/site-packages/x/index.js"
        ));
        assert!(!is_candidate("{{cookiecutter.project}}/lambda_function.py"));
        assert!(!is_candidate("dist/index.js"));
        assert!(!is_candidate("src/handler.js"));
        assert!(!is_candidate("src/lambda_function.pyc"));
    }

    #[test]
    fn python_console_handler_is_found_at_its_line() {
        let text = "import json\n\ndef helper(x):\n    pass\n\ndef lambda_handler(event, context):\n    return event\n";
        let a = app("orders/lambda_function.py", text).unwrap();
        let f = &a.functions[0];
        assert_eq!(f.id, "orders");
        assert_eq!(f.handler_str(), Some("lambda_function.lambda_handler"));
        assert_eq!(f.loc.start().line, 6);
        assert_eq!(f.loc.text(), "lambda_handler");
        assert!(f.unknown_trigger && f.events.is_empty());
        assert_eq!(a.framework, Framework::Convention);
    }

    #[test]
    fn javascript_exports_are_found() {
        for (text, line) in [
            ("exports.handler = async (event, context) => {};\n", 1),
            (
                "const x = 1;\nmodule.exports.handler = function (event) {};\n",
                2,
            ),
            ("\nexport const handler = async (event) => event;\n", 2),
            ("export async function handler(event, context) {}\n", 1),
            ("export const handler: Handler = async (event) => {};\n", 1),
            ("export const handler = async event => event;\n", 1),
        ] {
            let a = app("fn/index.js", text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(a.functions[0].handler_str(), Some("index.handler"));
            assert_eq!(a.functions[0].loc.start().line, line, "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_functions() {
        for (rel, text) in [
            // Not at the top level, or not an event handler.
            (
                "lambda_function.py",
                "class X:\n    def lambda_handler(self, event, context):\n        pass\n",
            ),
            (
                "lambda_function.py",
                "def lambda_handler(event):\n    pass\n",
            ),
            (
                "lambda_function.py",
                "def handler(event, context):\n    pass\n",
            ),
            ("index.js", "exports.handler = serverless(app);\n"),
            ("index.js", "exports.handlerFactory = (event) => {};\n"),
            ("index.js", "export const handler = middy(base);\n"),
            ("index.js", "module.exports = { format(value) {} };\n"),
            ("index.js", "  exports.handler = async (event) => {};\n"),
            ("handler.js", "exports.handler = async (event) => {};\n"),
        ] {
            assert!(app(rel, text).is_none(), "{rel}: {text}");
        }
    }

    #[test]
    fn a_descriptor_claims_its_code_folders_and_packaged_roots() {
        let file = SourceFile::new("t.yaml", "x");
        let loc = Loc::new(&file, Span { start: 0, end: 0 });
        let mut sam = Application::new("template.yaml", Framework::Sam, "");
        let mut f = Function::new("F", loc.clone());
        f.code_dir = Some("src/f".to_owned());
        sam.functions.push(f);
        let sls = Application::new("svc/serverless.yml", Framework::Serverless, "svc");
        let apps = vec![sam, sls];
        assert!(claimed(&apps, &[], "src/f/index.js"));
        assert!(claimed(&apps, &[], "svc/any/lambda_function.py"));
        assert!(!claimed(&apps, &[], "src/g/index.js"));
        assert!(!claimed(&apps, &[], "svcx/index.js"));
        assert!(claimed(&apps, &["svcx".to_owned()], "svcx/index.js"));
        let mut tf = Application::new("infra/main.tf", Framework::Terraform, "infra");
        let mut g = Function::new("aws_lambda_function.g", loc);
        g.handler = Some(Node::new(
            Value::Str("lambda_function.lambda_handler".to_owned()),
            g.loc.clone(),
        ));
        tf.functions.push(g);
        assert!(claimed(&[tf], &[], "anywhere/lambda_function.py"));
        assert!(!claimed(&apps, &[], "anywhere/lambda_function.py"));
    }
}

#[cfg(test)]
mod folder_tests {
    #[test]
    fn one_function_per_folder_the_source_first() {
        let mut v: Vec<String> = ["a/index.mjs", "a/index.ts", "b/index.js", "index.js"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        super::one_per_folder(&mut v);
        assert_eq!(v, ["index.js", "a/index.ts", "b/index.js"]);
    }
}
