//! npm, Yarn and pnpm workspaces: the packages of a monorepo that its functions import by
//! name (`require('@acme/db')`), which the package manager links into `node_modules` at
//! install time. They are the application's own code, so imports of them resolve to their
//! folders rather than to npm.

use crate::Repo;
use crate::repo::{join_rel, parent_dir};

/// Most workspace packages read for one resolver: a monorepo's own packages, not its
/// dependencies.
const MAX_PACKAGES: usize = 512;

/// One workspace package: its name, its folder and its entry file as `package.json` gives
/// it (`main`, else `module`), relative to the scan root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Package {
    pub name: String,
    pub dir: String,
    pub main: Option<String>,
}

/// The workspace packages of the nearest workspace root at or above `code_dir`: the first
/// `package.json` on the way up with a `workspaces` field (a list of folders or globs, or
/// `{ "packages": [...] }`), or a `pnpm-workspace.yaml`.
pub(crate) fn packages(repo: &Repo, code_dir: &str) -> Vec<Package> {
    let mut dir = code_dir;
    loop {
        let at = |name: &str| {
            if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            }
        };
        let pj = at("package.json");
        let mut patterns = None;
        if repo.exists(&pj)
            && let Some(json) = read_json(repo, &pj)
            && let Some(ws) = json.get("workspaces")
        {
            let list = ws.get("packages").unwrap_or(ws);
            patterns = Some(
                list.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            );
        }
        let pnpm = at("pnpm-workspace.yaml");
        if patterns.is_none() && repo.exists(&pnpm) {
            patterns = repo.read(&pnpm).ok().map(|f| pnpm_patterns(f.text()));
        }
        if let Some(patterns) = patterns {
            return expand(repo, dir, &patterns);
        }
        if dir.is_empty() {
            return Vec::new();
        }
        dir = parent_dir(dir);
    }
}

/// The `packages:` list of a `pnpm-workspace.yaml` (block style, one quoted or bare pattern
/// per line).
fn pnpm_patterns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if !line.starts_with([' ', '\t', '-']) && !trimmed.is_empty() {
            inside = trimmed.starts_with("packages:");
            continue;
        }
        if inside && let Some(item) = trimmed.strip_prefix('-') {
            let item = item.trim().trim_matches(['\'', '"']);
            if !item.is_empty() {
                out.push(item.to_owned());
            }
        }
    }
    out
}

/// The packages the patterns name under the workspace root `root`: a folder, `dir/*` (its
/// subfolders) or `dir/**` (any folder below it). Negated patterns (`!dir`) exclude.
fn expand(repo: &Repo, root: &str, patterns: &[String]) -> Vec<Package> {
    let mut dirs: Vec<String> = Vec::new();
    let excluded: Vec<String> = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .filter_map(|p| join_rel(root, p.trim_end_matches('/')))
        .collect();
    for p in patterns.iter().filter(|p| !p.starts_with('!')) {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        let (base, depth) = if let Some(b) = p.strip_suffix("/**") {
            (b, None)
        } else if let Some(b) = p.strip_suffix("/*") {
            (b, Some(1))
        } else if p.contains('*') {
            continue;
        } else {
            (p, Some(0))
        };
        let Some(base) = join_rel(root, base) else {
            continue;
        };
        if depth == Some(0) {
            dirs.push(base);
            continue;
        }
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        for f in repo.files_under(&base) {
            let Some(rest) = f.strip_prefix(&prefix) else {
                continue;
            };
            let Some(sub) = rest.strip_suffix("/package.json") else {
                continue;
            };
            if depth.is_some_and(|d| sub.split('/').count() != d) {
                continue;
            }
            dirs.push(format!("{prefix}{sub}"));
            if dirs.len() >= MAX_PACKAGES {
                break;
            }
        }
    }
    dirs.sort();
    dirs.dedup();
    dirs.into_iter()
        .filter(|d| !excluded.contains(d))
        .take(MAX_PACKAGES)
        .filter_map(|dir| {
            let json = read_json(repo, &format!("{dir}/package.json"))?;
            let name = json.get("name")?.as_str()?.to_owned();
            let main = ["main", "module"]
                .iter()
                .find_map(|k| json.get(k)?.as_str())
                .map(str::to_owned);
            Some(Package { name, dir, main })
        })
        .collect()
}

fn read_json(repo: &Repo, path: &str) -> Option<serde_json::Value> {
    let file = repo.read(path).ok()?;
    serde_json::from_str(file.text()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_pnpm_lists_name_the_workspace_packages() {
        let repo = Repo::in_memory([
            (
                "package.json",
                r#"{"workspaces": ["packages/*", "tools/cli"]}"#,
            ),
            (
                "packages/db/package.json",
                r#"{"name": "@acme/db", "main": "lib/index.js"}"#,
            ),
            ("packages/db/deep/x/package.json", r#"{"name": "nested"}"#),
            ("tools/cli/package.json", r#"{"name": "cli"}"#),
            ("services/orders/package.json", r#"{"name": "orders"}"#),
        ]);
        let names: Vec<(String, String)> = packages(&repo, "services/orders")
            .into_iter()
            .map(|p| (p.name, p.dir))
            .collect();
        // The service's own package.json has no `workspaces`: the root's applies.
        assert_eq!(
            names,
            [
                ("@acme/db".to_owned(), "packages/db".to_owned()),
                ("cli".to_owned(), "tools/cli".to_owned())
            ]
        );
        assert_eq!(
            pnpm_patterns("packages:\n  - 'packages/*'\n  - \"!packages/old\"\nother: 1\n"),
            ["packages/*", "!packages/old"]
        );
        let repo = Repo::in_memory([("package.json", r#"{"name": "solo"}"#)]);
        assert!(packages(&repo, "").is_empty());
    }
}
