//! The source folder of a CDK asset whose cloud assembly is not committed: a synthesised
//! template names its function's code as `asset.<hash>`, a folder of `cdk.out` that is
//! usually ignored; the code it was built from is in the CDK app's folder, where the
//! handler's module is.

use perimeter_code::repo::{Repo, parent_dir};
use perimeter_model::{Application, CodeSource, Function};

/// File extensions of a JavaScript/TypeScript module and of a Python module.
const JS_EXTS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx"];
const PY_EXTS: &[&str] = &["py"];

/// Folders that hold no source an asset is built from.
const SKIPPED: &[&str] = &["node_modules", "cdk.out", ".git", "__pycache__", ".venv"];

/// Most files of the CDK app's own code read to tell candidate folders apart.
const MAX_APP_FILES: usize = 400;

/// The folder to read a function's code from when it is a CDK asset (`asset.<hash>`) the
/// repository does not hold: the one folder under the CDK app (the nearest folder above the
/// template with a `cdk.json`) that holds the handler's module; when several do, the one the
/// CDK app's code names (`Code.fromAsset('lambda/orders')`). `None` when the asset is
/// committed, the function is not a CDK asset, or no single folder is found.
pub(crate) fn asset_source(repo: &Repo, app: &Application, f: &Function) -> Option<String> {
    let CodeSource::Folder(dir) = &f.code else {
        return None;
    };
    let name = dir.rsplit('/').next().unwrap_or(dir);
    if !name.starts_with("asset.") || repo.files_under(dir).next().is_some() {
        return None;
    }
    let cdk_root = cdk_root(repo, &app.root)?;
    let handler = f.handler_str()?;
    let (module, _) = handler.rsplit_once('.')?;
    let language = f
        .runtime_str()
        .and_then(perimeter_code::handler::runtime_language);
    let mut modules: Vec<(String, &[&str])> = Vec::new();
    let python = matches!(language, Some(perimeter_code::Language::Python));
    let js = language.is_some() && !python;
    if python || language.is_none() {
        modules.push((module.replace('.', "/"), PY_EXTS));
    }
    if js || language.is_none() {
        modules.push((module.to_owned(), JS_EXTS));
    }
    let mut candidates: Vec<String> = Vec::new();
    for file in repo.files_under(&cdk_root) {
        if file
            .split('/')
            .any(|c| SKIPPED.contains(&c) || c.starts_with("asset."))
        {
            continue;
        }
        let Some((stem, ext)) = file.rsplit_once('.') else {
            continue;
        };
        for (m, exts) in &modules {
            if !exts.contains(&ext) {
                continue;
            }
            let dir = if stem == m.as_str() {
                Some(String::new())
            } else {
                stem.strip_suffix(m.as_str())
                    .and_then(|d| d.strip_suffix('/'))
                    .map(str::to_owned)
            };
            if let Some(d) = dir
                && !candidates.contains(&d)
            {
                candidates.push(d);
            }
        }
    }
    if candidates.len() <= 1 {
        return candidates.pop();
    }
    // Several folders hold a module of that name: the one the app's code names.
    let mut named = named_by_app(repo, &cdk_root, &candidates);
    // The app names several (one stack, a folder per function): the one whose module
    // defines the handler's export, then the one the function's construct id names
    // (`SQSPublishLambdaHandler…` for `lambda_fns/publish`).
    let export = handler.rsplit_once('.').map_or("", |(_, e)| e);
    let by_export = |d: &String| defines(repo, d, &modules, export);
    let by_id = |d: &String| construct_names(&f.id, d);
    let narrows: [&dyn Fn(&String) -> bool; 2] = [&by_export, &by_id];
    for narrow in narrows {
        if named.len() > 1 {
            let kept: Vec<String> = named.iter().filter(|d| narrow(d)).cloned().collect();
            if !kept.is_empty() {
                named = kept;
            }
        }
    }
    (named.len() == 1).then(|| named[0].clone())
}

/// Whether the handler's module in folder `dir` names the export (`exports.case1Handler`,
/// `def case1_handler`).
fn defines(repo: &Repo, dir: &str, modules: &[(String, &[&str])], export: &str) -> bool {
    modules.iter().any(|(m, exts)| {
        exts.iter().any(|ext| {
            let file = if dir.is_empty() {
                format!("{m}.{ext}")
            } else {
                format!("{dir}/{m}.{ext}")
            };
            repo.read(&file).is_ok_and(|src| {
                src.text().match_indices(export).any(|(i, _)| {
                    let t = src.text();
                    let before = t[..i].chars().next_back();
                    let after = t[i + export.len()..].chars().next();
                    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    !word(before) && !word(after)
                })
            })
        })
    })
}

/// Whether a function's id (its CDK construct id and hash) contains the last name of a
/// folder, letters and digits only, ignoring case.
fn construct_names(id: &str, dir: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let last = squash(dir.rsplit('/').next().unwrap_or(dir));
    last.len() >= 3 && squash(id).contains(&last)
}

/// The nearest folder at or above `dir` that holds a `cdk.json`.
fn cdk_root(repo: &Repo, dir: &str) -> Option<String> {
    let mut d = dir;
    for _ in 0..16 {
        let marker = if d.is_empty() {
            "cdk.json".to_owned()
        } else {
            format!("{d}/cdk.json")
        };
        if repo.exists(&marker) {
            return Some(d.to_owned());
        }
        if d.is_empty() {
            return None;
        }
        d = parent_dir(d);
    }
    None
}

/// The candidates whose path below the CDK app's folder appears in the app's own code (its
/// files outside the candidates, the build output and dependencies).
fn named_by_app(repo: &Repo, cdk_root: &str, candidates: &[String]) -> Vec<String> {
    let below = |c: &str| {
        c.strip_prefix(cdk_root)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or(c)
            .to_owned()
    };
    let rels: Vec<String> = candidates.iter().map(|c| below(c)).collect();
    let mut seen = vec![false; candidates.len()];
    let files = repo
        .files_under(cdk_root)
        .filter(|file| {
            !file
                .split('/')
                .any(|c| SKIPPED.contains(&c) || c.starts_with("asset."))
                && !file.ends_with(".d.ts")
                && [".ts", ".js", ".py", ".java", ".cs", ".go"]
                    .iter()
                    .any(|e| file.ends_with(e))
                && !candidates
                    .iter()
                    .any(|c| !c.is_empty() && parent_dir(file).starts_with(c.as_str()))
        })
        .take(MAX_APP_FILES);
    for file in files {
        let Ok(src) = repo.read(file) else { continue };
        for (i, rel) in rels.iter().enumerate() {
            if !rel.is_empty() && names_folder(src.text(), rel) {
                seen[i] = true;
            }
        }
    }
    candidates
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(c, _)| c.clone())
        .collect()
}

/// Whether source text names a folder as a whole path in a string (`'lambda/orders'`,
/// `"../lambda/orders"`, `'lambda/orders/'`), not as the start of a longer name.
fn names_folder(text: &str, rel: &str) -> bool {
    text.match_indices(rel).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + rel.len()..].chars().next();
        matches!(before, Some('\'' | '"' | '`' | '/'))
            && matches!(after, Some('\'' | '"' | '`' | '/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construct_id_names_the_folder_of_its_code() {
        assert!(super::construct_names(
            "SQSPublishLambdaHandler51EE31BE",
            "lambda_fns/publish"
        ));
        assert!(!super::construct_names(
            "SQSPublishLambdaHandler51EE31BE",
            "lambda_fns/subscribe"
        ));
        // Too short a name to tell.
        assert!(!super::construct_names("AbHandler", "fns/ab"));
    }

    #[test]
    fn folder_named_whole_in_a_string() {
        assert!(names_folder(
            "Code.fromAsset('lambda/orders')",
            "lambda/orders"
        ));
        assert!(names_folder(
            "path.join(__dirname, \"../lambda/orders/\")",
            "lambda/orders"
        ));
        assert!(!names_folder(
            "Code.fromAsset('lambda/orders-v2')",
            "lambda/orders"
        ));
        assert!(!names_folder("// lambda/orders is old", "lambda/orders"));
    }
}
