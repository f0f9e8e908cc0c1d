//! How a `.zip` package a descriptor names is built from a Node.js package of the
//! repository: the `package.json` whose scripts write the zip (`cd dist && zip ../fn.zip
//! index.js`), and the file its bundler starts from (`ncc build src/lambda.ts -o dist`), which
//! is the module `index` the package holds. Scripts are read as text, never run.

use crate::code::TreeView;

/// Most `package.json` files read for one package.
const MAX_MANIFESTS: usize = 2_000;
/// Most bytes of one `package.json` read.
const MAX_MANIFEST_BYTES: usize = 1 << 20;
/// Deepest chain of scripts followed (`dist` runs `yarn build`, which runs `ncc`).
const MAX_SCRIPT_DEPTH: usize = 4;
/// Most commands gathered from one chain of scripts (a script may run others many times).
const MAX_CHAIN_COMMANDS: usize = 1_000;

/// The package a zip is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageBuild {
    /// The package's folder, relative to the scan root.
    pub dir: String,
    /// The file its bundle starts from (relative to the scan root), when known.
    pub entry: Option<String>,
    /// The module names the bundle is written as (`index` for ncc, the `--outfile` stem for
    /// esbuild, the files the zip command adds): a handler of one of them runs the entry.
    pub modules: Vec<String>,
}

/// One `package.json`: its folder and scripts.
struct Manifest {
    dir: String,
    scripts: Vec<(String, String)>,
    main: Vec<String>,
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn stem(path: &str) -> &str {
    let name = file_name(path);
    name.split_once('.').map_or(name, |(s, _)| s)
}

fn join(dir: &str, rel: &str) -> Option<String> {
    crate::cfn::join_dir(dir, rel)
}

fn read_manifest(tree: &dyn TreeView, rel: &str) -> Option<Manifest> {
    let text = tree.text(rel)?;
    if text.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let scripts = json
        .get("scripts")
        .and_then(|s| s.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let main = ["main", "module"]
        .iter()
        .filter_map(|k| json.get(*k)?.as_str().map(str::to_owned))
        .collect();
    Some(Manifest {
        dir: parent(rel).to_owned(),
        scripts,
        main,
    })
}

/// The commands of a script run in the package folder `dir`, each as words, with the folder
/// (relative to the scan root) it runs in: `cd dist && zip ../a.zip index.js` is `zip
/// ../a.zip index.js` in `<dir>/dist`.
fn commands(dir: &str, script: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    // `None` once a `cd` leaves the tree or cannot be followed.
    let mut cwd = Some(dir.to_owned());
    let flat = script.replace(['(', ')'], " ");
    // One pass over the script: `&&`, `||`, `;` and `|` end a command.
    let mut parts: Vec<&str> = Vec::new();
    let bytes = flat.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let sep = match (bytes[i], bytes.get(i + 1)) {
            (b'&', Some(b'&')) | (b'|', Some(b'|')) => 2,
            (b';' | b'|', _) => 1,
            _ => 0,
        };
        if sep > 0 {
            parts.push(&flat[start..i]);
            start = i + sep;
            i += sep;
        } else {
            i += 1;
        }
    }
    parts.push(&flat[start..]);
    for part in parts {
        let words: Vec<String> = part
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_owned())
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .collect();
        match words.first().map(String::as_str) {
            Some("cd") => {
                cwd = cwd.zip(words.get(1)).and_then(|(c, d)| join(&c, d));
            }
            Some(_) => {
                if let Some(c) = &cwd {
                    out.push((c.clone(), words));
                }
            }
            None => {}
        }
    }
    out
}

/// The words after a runner prefix (`npx`, `yarn`, `pnpm exec`): the tool and its arguments.
fn tool(words: &[String]) -> &[String] {
    match words.first().map(String::as_str) {
        Some("npx" | "pnpx" | "bunx") => &words[1..],
        Some("yarn" | "pnpm" | "npm" | "bun")
            if words.get(1).is_some_and(|w| w == "exec" || w == "dlx") =>
        {
            &words[2..]
        }
        _ => words,
    }
}

/// The script another script runs (`yarn build`, `npm run build`, `pnpm run build`).
fn runs_script<'a>(words: &'a [String], scripts: &[(String, String)]) -> Option<&'a str> {
    let name = match (
        words.first().map(String::as_str),
        words.get(1).map(String::as_str),
    ) {
        (Some("npm" | "yarn" | "pnpm" | "bun"), Some("run" | "run-script")) => words.get(2)?,
        (Some("yarn" | "pnpm"), Some(_)) => words.get(1)?,
        _ => return None,
    };
    scripts
        .iter()
        .any(|(k, _)| k == name)
        .then_some(name.as_str())
}

/// The zip a command writes (relative to the package) and the files it adds.
fn zip_written(cwd: &str, words: &[String]) -> Option<(String, Vec<String>)> {
    let words = tool(words);
    let (args, with_arg): (&[String], &[&str]) = match words.first()?.as_str() {
        "zip" => (
            &words[1..],
            &["-b", "-t", "-tt", "-n", "-P", "-Z", "-s", "-O"],
        ),
        "bestzip" => (&words[1..], &[]),
        "7z" | "7za" if words.get(1).is_some_and(|w| w == "a") => (&words[2..], &[]),
        _ => return None,
    };
    let mut positional = Vec::new();
    let mut skip = false;
    for w in args {
        if skip {
            skip = false;
        } else if w.starts_with('-') {
            skip = with_arg.contains(&w.as_str());
        } else {
            positional.push(w.as_str());
        }
    }
    let (target, files) = positional.split_first()?;
    let target = if crate::code::is_zip(target) {
        (*target).to_owned()
    } else {
        format!("{target}.zip")
    };
    let files = files
        .iter()
        .filter(|f| f.contains('.') && !f.contains('*') && **f != ".")
        .map(|f| stem(f).to_owned())
        .collect();
    Some((join(cwd, &target)?, files))
}

/// A bundler's entry file (relative to the scan root) and the modules it writes: the
/// bundle's file name and its path in the package `dir`, without extension (`index` and
/// `dist/index` for `ncc build src/a.ts -o dist` in `dir`).
fn bundled(dir: &str, cwd: &str, words: &[String]) -> Option<(String, Vec<String>)> {
    let words = tool(words);
    let value = |names: &[&str]| -> Option<String> {
        words.iter().enumerate().find_map(|(i, w)| {
            names.iter().find_map(|n| {
                w.strip_prefix(&format!("{n}="))
                    .map(str::to_owned)
                    .or_else(|| (w == n).then(|| words.get(i + 1).cloned()).flatten())
            })
        })
    };
    let is_source = |w: &&String| {
        !w.starts_with('-')
            && [".ts", ".js", ".mjs", ".cjs", ".mts", ".tsx", ".jsx"]
                .iter()
                .any(|e| w.ends_with(e))
    };
    let without_ext = |p: &str| -> String {
        let name = file_name(p);
        let s = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let d = parent(p);
        if d.is_empty() {
            s.to_owned()
        } else {
            format!("{d}/{s}")
        }
    };
    // The bundle's path (relative to `cwd`, without extension), or its name only.
    let (entry, out, name) = match words.first()?.as_str() {
        "ncc" if words.get(1).is_some_and(|w| w == "build") => {
            let out = value(&["-o", "--out"]).unwrap_or_else(|| "dist".to_owned());
            (
                words[2..].iter().find(is_source)?.clone(),
                Some(format!("{out}/index")),
                None,
            )
        }
        "esbuild" => {
            let entry = words[1..].iter().find(is_source)?.clone();
            let out = value(&["--outfile"])
                .map(|o| without_ext(&o))
                .or_else(|| value(&["--outdir"]).map(|d| format!("{d}/{}", stem(&entry))));
            let name = stem(&entry).to_owned();
            (entry, out, Some(name))
        }
        "webpack" | "webpack-cli" => (
            value(&["--entry"]).or_else(|| words[1..].iter().find(is_source).cloned())?,
            None,
            value(&["--output-filename"]).map(|o| stem(&o).to_owned()),
        ),
        "rollup" => (
            value(&["-i", "--input"]).or_else(|| words[1..].iter().find(is_source).cloned())?,
            value(&["-o", "--file"]).map(|o| without_ext(&o)),
            None,
        ),
        _ => return None,
    };
    let mut modules: Vec<String> = Vec::new();
    match out.and_then(|o| join(cwd, &o)) {
        Some(path) => {
            modules.push(file_name(&path).to_owned());
            let inside = if dir.is_empty() {
                Some(path.as_str())
            } else {
                path.strip_prefix(&format!("{dir}/"))
            };
            modules.extend(inside.map(str::to_owned));
        }
        None => modules.extend(name),
    }
    modules.dedup();
    Some((join(cwd, &entry)?, modules))
}

/// The commands of a script and of the scripts it runs, in order.
fn chain(m: &Manifest, name: &str, depth: usize, out: &mut Vec<(String, Vec<String>)>) {
    let Some((_, script)) = m.scripts.iter().find(|(k, _)| k == name) else {
        return;
    };
    for (cwd, words) in commands(&m.dir, script) {
        if out.len() >= MAX_CHAIN_COMMANDS {
            return;
        }
        if let Some(next) = runs_script(&words, &m.scripts)
            && depth < MAX_SCRIPT_DEPTH
            && next != name
        {
            chain(m, next, depth + 1, out);
        }
        out.push((cwd, words));
    }
}

/// The script of a manifest that writes `zip` (relative to the scan root), with the files it
/// adds.
fn script_writing(m: &Manifest, zip: &str) -> Option<(String, Vec<String>)> {
    m.scripts.iter().find_map(|(name, script)| {
        commands(&m.dir, script)
            .into_iter()
            .find_map(|(cwd, words)| {
                let (target, files) = zip_written(&cwd, &words)?;
                (target == zip).then(|| (name.clone(), files))
            })
    })
}

/// The scripts of a manifest that write a zip of this file name, wherever.
fn writes_zip_named(m: &Manifest, name: &str) -> Option<(String, Vec<String>)> {
    m.scripts.iter().find_map(|(script_name, script)| {
        commands(&m.dir, script)
            .into_iter()
            .find_map(|(cwd, words)| {
                let (target, files) = zip_written(&cwd, &words)?;
                (file_name(&target) == name).then(|| (script_name.clone(), files))
            })
    })
}

/// The file a source path names, with the extensions a handler's module may have when it
/// names none or names its built form (`lambda.ts`, `dist/index.js` built from `src/index.ts`).
fn source_file(tree: &dyn TreeView, dir: &str, rel: &str, in_src: bool) -> Option<String> {
    let exact = join(dir, rel)?;
    if tree.has_file(&exact) {
        return Some(exact);
    }
    let s = stem(rel);
    let mut tries = vec![join(dir, parent(rel))?];
    if in_src {
        tries.push(join(dir, "src")?);
    }
    tries.iter().find_map(|d| {
        ["ts", "js", "mjs", "cjs", "mts", "tsx"]
            .iter()
            .find_map(|e| {
                let p = if d.is_empty() {
                    format!("{s}.{e}")
                } else {
                    format!("{d}/{s}.{e}")
                };
                tree.has_file(&p).then_some(p)
            })
    })
}

/// What a package builds: its bundler entry (in the script that writes the zip or the
/// scripts it runs, else the one entry of all its scripts), else `main`/`module`, else
/// `src/index.*` or `index.*`.
fn build_of(
    tree: &dyn TreeView,
    m: &Manifest,
    script: Option<&str>,
    files: Vec<String>,
) -> PackageBuild {
    let mut chained = Vec::new();
    if let Some(s) = script {
        chain(m, s, 0, &mut chained);
    }
    let bundles = |cmds: &[(String, Vec<String>)]| -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = cmds
            .iter()
            .filter_map(|(cwd, w)| bundled(&m.dir, cwd, w))
            .collect();
        out.dedup();
        out
    };
    let mut found = bundles(&chained);
    if found.is_empty() {
        let all: Vec<(String, Vec<String>)> = m
            .scripts
            .iter()
            .flat_map(|(_, s)| commands(&m.dir, s))
            .collect();
        found = bundles(&all);
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
    }
    let mut modules: Vec<String> = Vec::new();
    let entry = match found.as_slice() {
        [(entry, out)] => {
            modules.extend(out.iter().cloned());
            source_file(tree, "", entry, false)
        }
        _ => None,
    };
    if entry.is_none() {
        // Built otherwise (`tsc`, a copy): the package's `index`.
        modules.push("index".to_owned());
    }
    let entry = entry
        .or_else(|| {
            m.main
                .iter()
                .find_map(|x| source_file(tree, &m.dir, x, true))
        })
        .or_else(|| source_file(tree, &m.dir, "src/index", false))
        .or_else(|| source_file(tree, &m.dir, "index", false));
    modules.extend(files);
    modules.sort();
    modules.dedup();
    PackageBuild {
        dir: m.dir.clone(),
        entry,
        modules,
    }
}

/// The Node.js packages of a tree, read once for every package a descriptor names.
pub struct Packages<'t> {
    tree: &'t dyn TreeView,
    /// The `package.json` files of the tree (none under `node_modules`), once listed.
    paths: std::cell::OnceCell<Vec<String>>,
    /// Each manifest read so far (`None`: not JSON, too large).
    read: std::cell::RefCell<std::collections::HashMap<String, Option<std::rc::Rc<Manifest>>>>,
    /// The package found for each zip file name (see [`Packages::writing_zip_named`]).
    by_name: std::cell::RefCell<std::collections::HashMap<String, Option<PackageBuild>>>,
}

impl<'t> Packages<'t> {
    /// The packages of a tree, read when first asked for.
    pub fn new(tree: &'t dyn TreeView) -> Self {
        Self {
            tree,
            paths: std::cell::OnceCell::new(),
            read: std::cell::RefCell::default(),
            by_name: std::cell::RefCell::default(),
        }
    }

    fn paths(&self) -> &[String] {
        self.paths.get_or_init(|| {
            self.tree
                .files_named("package.json")
                .into_iter()
                .filter(|p| !p.split('/').any(|s| s == "node_modules"))
                .take(MAX_MANIFESTS)
                .collect()
        })
    }

    fn manifest(&self, rel: &str) -> Option<std::rc::Rc<Manifest>> {
        if let Some(m) = self.read.borrow().get(rel) {
            return m.clone();
        }
        let m = read_manifest(self.tree, rel).map(std::rc::Rc::new);
        self.read.borrow_mut().insert(rel.to_owned(), m.clone());
        m
    }

    /// The package a zip that the tree does not hold is built from: the `package.json` in
    /// the zip's folder or a folder just below it whose script writes that zip; else the
    /// zip's folder when it holds a `package.json`; else the one package of the tree whose
    /// script writes a zip of that name (a release artifact downloaded under another folder).
    /// `None` when none does.
    pub fn of_zip(&self, zip: &str) -> Option<PackageBuild> {
        let zip_dir = parent(zip);
        let near: Vec<std::rc::Rc<Manifest>> = self
            .paths()
            .iter()
            .filter(|p| {
                parent(p) == zip_dir || (parent(parent(p)) == zip_dir && parent(p) != zip_dir)
            })
            .filter_map(|p| self.manifest(p))
            .collect();
        for m in &near {
            if let Some((script, files)) = script_writing(m, zip) {
                return Some(build_of(self.tree, m, Some(&script), files));
            }
        }
        if let Some(m) = near.iter().find(|m| m.dir == zip_dir) {
            return Some(build_of(self.tree, m, None, Vec::new()));
        }
        self.writing_zip_named(file_name(zip))
    }

    /// The package an S3 key's zip (`%VERSION%/log_parser.zip`) is built from: the one
    /// package of the tree whose script writes a zip of that name.
    pub fn of_key(&self, key: &str) -> Option<PackageBuild> {
        self.writing_zip_named(file_name(key))
    }

    /// The one package of the tree whose script writes a zip of this file name.
    fn writing_zip_named(&self, name: &str) -> Option<PackageBuild> {
        if !crate::code::is_zip(name) || name.contains(['$', '%', '{', '}', '<', '>']) {
            return None;
        }
        if let Some(found) = self.by_name.borrow().get(name) {
            return found.clone();
        }
        let mut found = self.paths().iter().filter_map(|p| {
            let m = self.manifest(p)?;
            let (script, files) = writes_zip_named(&m, name)?;
            Some((m, script, files))
        });
        let one = match (found.next(), found.next()) {
            (Some((m, script, files)), None) => Some(build_of(self.tree, &m, Some(&script), files)),
            _ => None,
        };
        self.by_name
            .borrow_mut()
            .insert(name.to_owned(), one.clone());
        one
    }

    /// What the Node.js package in a code folder builds, when the folder holds a
    /// `package.json` (a folder the descriptor names as code, from which a build writes the
    /// package).
    pub fn in_dir(&self, dir: &str) -> Option<PackageBuild> {
        let rel = if dir.is_empty() {
            "package.json".to_owned()
        } else {
            format!("{dir}/package.json")
        };
        if !self.tree.has_file(&rel) {
            return None;
        }
        let m = self.manifest(&rel)?;
        let zipping = m.scripts.iter().find_map(|(name, script)| {
            commands(&m.dir, script)
                .iter()
                .find_map(|(cwd, words)| zip_written(cwd, words))
                .map(|(_, files)| (name.clone(), files))
        });
        Some(match zipping {
            Some((script, files)) => build_of(self.tree, &m, Some(&script), files),
            None => build_of(self.tree, &m, None, Vec::new()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files as a tree.
    struct Files(Vec<(&'static str, &'static str)>);

    impl TreeView for Files {
        fn has_dir(&self, rel: &str) -> bool {
            self.0
                .iter()
                .any(|(p, _)| p.starts_with(&format!("{rel}/")))
        }
        fn has_file(&self, rel: &str) -> bool {
            self.0.iter().any(|(p, _)| *p == rel)
        }
        fn dirs_named(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn files_named(&self, name: &str) -> Vec<String> {
            self.0
                .iter()
                .filter(|(p, _)| file_name(p) == name)
                .map(|(p, _)| (*p).to_owned())
                .collect()
        }
        fn text(&self, rel: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, t)| (*t).to_owned())
        }
    }

    #[test]
    fn package_below_the_zip_folder_with_an_esbuild_outfile() {
        let tree = Files(vec![
            (
                "svc/report/package.json",
                r#"{"scripts": {"bundle": "esbuild src/main.ts --bundle --outfile=dist/handler.js", "zip": "cd dist && zip ../../report.zip handler.js"}}"#,
            ),
            ("svc/report/src/main.ts", ""),
        ]);
        assert_eq!(
            Packages::new(&tree).of_zip("svc/report.zip"),
            Some(PackageBuild {
                dir: "svc/report".to_owned(),
                entry: Some("svc/report/src/main.ts".to_owned()),
                modules: strings(&["dist/handler", "handler"]),
            })
        );
    }

    #[test]
    fn commands_follow_cd() {
        let c = commands(
            "fns/a",
            "yarn build && cd dist && zip -q ../../fn.zip index.js",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].0, "fns/a/dist");
        assert_eq!(
            zip_written(&c[1].0, &c[1].1),
            Some(("fns/fn.zip".to_owned(), vec!["index".to_owned()]))
        );
        // Near miss: a `cd` out of the tree loses the folder; the command is not read.
        assert!(commands("", "cd ../.. && zip x.zip a.js").is_empty());
    }

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn hostile_scripts_stay_bounded() {
        // Many commands with one kind of separator: one pass, not one search per command.
        let long = "echo a;".repeat(200_000);
        assert_eq!(commands("", &long).len(), 200_000);
        // A script that runs another many times, four levels deep: the chain is capped.
        let fan = "yarn b && ".repeat(50) + "true";
        let m = Manifest {
            dir: String::new(),
            scripts: ["a", "b", "c", "d", "e"]
                .iter()
                .zip(["b", "c", "d", "e", "a"])
                .map(|(k, next)| {
                    (
                        (*k).to_owned(),
                        fan.replace("yarn b", &format!("yarn {next}")),
                    )
                })
                .collect(),
            main: Vec::new(),
        };
        let mut out = Vec::new();
        chain(&m, "a", 0, &mut out);
        assert!(out.len() <= MAX_CHAIN_COMMANDS + 60, "{}", out.len());
    }

    #[test]
    fn bundler_entries() {
        let w = |s: &str| commands("", s).remove(0);
        let (cwd, words) = w("ncc build src/main.ts -o dist");
        assert_eq!(
            bundled("", &cwd, &words),
            Some(("src/main.ts".to_owned(), strings(&["index", "dist/index"])))
        );
        let (cwd, words) =
            w("npx esbuild src/app.ts --bundle --platform=node --outfile=out/handler.js");
        assert_eq!(
            bundled("", &cwd, &words),
            Some((
                "src/app.ts".to_owned(),
                strings(&["handler", "out/handler"])
            ))
        );
        let (cwd, words) = w("webpack --entry ./lib/start.js --mode production");
        assert_eq!(bundled("", &cwd, &words).unwrap().0, "lib/start.js");
        let (cwd, words) = w("rollup -i src/entry.ts -o dist/bundle.js");
        assert_eq!(
            bundled("", &cwd, &words),
            Some((
                "src/entry.ts".to_owned(),
                strings(&["bundle", "dist/bundle"])
            ))
        );
        // Near miss: a compiler with no entry file, a test runner.
        let (cwd, words) = w("tsc -p tsconfig.json");
        assert_eq!(bundled("", &cwd, &words), None);
        let (cwd, words) = w("jest src/app.test.ts");
        assert_eq!(bundled("", &cwd, &words), None);
    }
}
