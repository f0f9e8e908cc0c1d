//! Terraform: the `*.tf` files of a root module (and of the local modules it calls) read into
//! the same application model as the other descriptors.
//!
//! Each AWS resource the model knows is translated into the CloudFormation resource it
//! corresponds to (`aws_lambda_function` is `AWS::Lambda::Function`, `aws_iam_role_policy` an
//! `AWS::IAM::Policy` on its role, `aws_s3_bucket_public_access_block` the bucket's
//! `PublicAccessBlockConfiguration`, ...), with every value keeping the span of the HCL that
//! produced it, and the CloudFormation loader builds the model: one set of semantics for
//! roles, triggers, APIs and permissions, whatever the descriptor. Resource ids are Terraform
//! addresses (`aws_lambda_function.orders`, `module.api.aws_lambda_function.handler`).
//! Remote modules are recorded, not fetched; `count`/`for_each` resources are one resource.

mod eval;
mod known;
mod legacy;
mod translate;

pub use eval::SECRET_MARK;

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::{Body, Structure};
use perimeter_diagnostics::{ScanError, SourceFile};

use crate::model::{Application, Framework};
use eval::{Eval, Files, Located, Module};

/// Deepest bracket nesting parsed (the parser recurses: a hostile file must not exhaust
/// the stack).
const MAX_NESTING: usize = 256;

/// The nesting depth of `(`, `[`, `{` and `${` in a file when it passes [`MAX_NESTING`]
/// (brackets inside strings count too: a bound, not a parse).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(depth);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Deepest chain of local module calls followed.
const MAX_MODULE_DEPTH: usize = 8;

/// Whether a path is a Terraform configuration file.
pub fn is_terraform(path: &str) -> bool {
    path.ends_with(".tf")
}

/// Whether a path is a Terraform variables file read with its module.
pub fn is_tfvars(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

/// What the loader needs from the scanned tree.
pub trait Tree {
    /// The file at a path relative to the scan root, if it is one of the tree's files.
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>>;
    /// The `*.tf` and `*.tfvars` files directly in a folder, sorted.
    fn files_in(&self, dir: &str) -> Vec<String>;
    /// Whether a folder of the tree holds files (code folders).
    fn has_dir(&self, _dir: &str) -> bool {
        false
    }
}

/// Most module instances one root module expands to (a module called by several modules
/// is one instance per call): past it, further calls are not followed, with an error entry.
pub const MAX_MODULE_INSTANCES: usize = 1_000;

struct TreeFiles<'t> {
    tree: &'t dyn Tree,
    budget: crate::limits::Budget,
    /// Module instances built so far.
    instances: std::cell::Cell<usize>,
    /// The files of each folder read so far, parsed once however many modules call it.
    parsed: std::cell::RefCell<BTreeMap<String, std::rc::Rc<Vec<Parsed>>>>,
    /// Objects of `merge()` calls with an unknown argument (see [`Files::open_objects`]).
    open_objects: std::cell::RefCell<std::collections::HashSet<eval::LocKey>>,
}

impl TreeFiles<'_> {
    /// The parsed files of a folder; errors are reported the first time only.
    fn parsed(&self, dir: &str, errors: &mut Vec<ScanError>) -> std::rc::Rc<Vec<Parsed>> {
        if let Some(p) = self.parsed.borrow().get(dir) {
            return std::rc::Rc::clone(p);
        }
        let p = std::rc::Rc::new(parse_dir(self.tree, dir, errors));
        self.parsed
            .borrow_mut()
            .insert(dir.to_owned(), std::rc::Rc::clone(&p));
        p
    }
}

impl Files for TreeFiles<'_> {
    fn text(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.tree.file(rel)
    }

    fn has_dir(&self, rel: &str) -> bool {
        self.tree.has_dir(rel)
    }

    fn budget(&self) -> &crate::limits::Budget {
        &self.budget
    }

    fn open_objects(&self) -> &std::cell::RefCell<std::collections::HashSet<eval::LocKey>> {
        &self.open_objects
    }
}

/// A parsed `*.tf` file.
struct Parsed {
    file: Arc<SourceFile>,
    body: Body,
}

fn parse_dir(tree: &dyn Tree, dir: &str, errors: &mut Vec<ScanError>) -> Vec<Parsed> {
    let mut out = Vec::new();
    for rel in tree.files_in(dir).into_iter().filter(|p| is_terraform(p)) {
        let Some(file) = tree.file(&rel) else {
            errors.push(ScanError::new(&rel, "cannot read this Terraform file"));
            continue;
        };
        if let Some(depth) = too_deep(file.text()) {
            errors.push(ScanError::new(
                &rel,
                format!("nests brackets {depth} levels deep (limit {MAX_NESTING}); not parsed"),
            ));
            continue;
        }
        match legacy::parse(file.text()) {
            Ok((body, _)) => out.push(Parsed { file, body }),
            Err(e) => errors.push(ScanError::new(
                &rel,
                format!(
                    "cannot parse HCL at line {}, column {}: {}",
                    e.location().line(),
                    e.location().column(),
                    e.message()
                ),
            )),
        }
    }
    out
}

/// The local modules a folder's files call: `(name, folder)`; remote sources are left out.
fn module_calls(dir: &str, parsed: &[Parsed]) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    for p in parsed {
        for s in p.body.iter() {
            let Structure::Block(b) = s else { continue };
            if b.ident.as_str() != "module" {
                continue;
            }
            let Some(name) = b.labels.first().map(|l| l.as_str().to_owned()) else {
                continue;
            };
            let source = eval::attr_expr(&b.body, "source")
                .and_then(|e| e.as_str())
                .map(str::to_owned)
                .unwrap_or_default();
            let local = (source.starts_with("./") || source.starts_with("../"))
                .then(|| crate::cfn::join_dir(dir, &source))
                .flatten();
            out.push((name, local, source));
        }
    }
    out
}

/// The folders that are root modules: those holding `*.tf` files that no other folder
/// calls as a local module, and, for folders that call each other in a cycle no root
/// reaches, the first of the cycle (loading it reports the cycle as an error): a folder
/// that claims another as its module never makes both disappear.
pub fn root_modules(tree: &dyn Tree, dirs: &[String]) -> Vec<String> {
    let mut calls: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut called = std::collections::BTreeSet::new();
    for d in dirs {
        let mut errors = Vec::new();
        let parsed = parse_dir(tree, d, &mut errors);
        for (_, local, _) in module_calls(d, &parsed) {
            if let Some(l) = local {
                called.insert(l.clone());
                calls.entry(d.as_str()).or_default().push(l);
            }
        }
    }
    let mut roots: Vec<String> = dirs
        .iter()
        .filter(|d| !called.contains(*d))
        .cloned()
        .collect();
    let mut reached = std::collections::BTreeSet::new();
    let visit = |from: &str, reached: &mut std::collections::BTreeSet<String>| {
        let mut stack = vec![from.to_owned()];
        while let Some(d) = stack.pop() {
            if !reached.insert(d.clone()) {
                continue;
            }
            stack.extend(calls.get(d.as_str()).into_iter().flatten().cloned());
        }
    };
    for r in &roots {
        visit(r, &mut reached);
    }
    for d in dirs {
        if !reached.contains(d) {
            roots.push(d.clone());
            visit(d, &mut reached);
        }
    }
    roots.sort();
    roots
}

/// Loads the root module in `dir` (relative to the scan root) as an application, with
/// warnings for what was not read (remote modules).
pub fn load(dir: &str, tree: &dyn Tree) -> (Application, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let files = TreeFiles {
        tree,
        budget: crate::limits::Budget::default(),
        instances: std::cell::Cell::new(0),
        parsed: std::cell::RefCell::default(),
        open_objects: std::cell::RefCell::default(),
    };
    let module = build_module(
        &files,
        dir,
        dir,
        "",
        BTreeMap::new(),
        0,
        &mut Vec::new(),
        &mut errors,
        &mut warnings,
    );
    let id = if dir.is_empty() { "." } else { dir };
    let mut resources = Vec::new();
    let mut ctx = translate::Context::default();
    translate::archives(&module, &files, &mut ctx.archives);
    translate::module_resources(&module, &files, &mut resources, &mut ctx);
    let doc_loc = resources.first().map_or_else(
        || eval::loc_of(&SourceFile::new(id, ""), None),
        |(_, n)| n.loc.clone(),
    );
    let resources_node = crate::yaml::Node::new(
        crate::yaml::Value::Map(
            resources
                .into_iter()
                .map(|(k, n)| {
                    (
                        crate::yaml::Key {
                            name: k,
                            loc: n.loc.clone(),
                        },
                        n,
                    )
                })
                .collect(),
        ),
        doc_loc.clone(),
    );
    let doc = eval::map(vec![("Resources", resources_node)], &doc_loc);
    let mut app = crate::cfn::load(id, dir, doc);
    app.framework = Framework::Terraform;
    app.parameters = module.parameters.clone();
    app.root = dir.to_owned();
    for f in &mut app.functions {
        match ctx.code.remove(&f.id) {
            Some(translate::Code::Dir(Some(dir))) => {
                f.code = crate::CodeSource::Folder(dir.clone());
                f.code_dir = Some(dir);
            }
            Some(translate::Code::File(file)) => {
                let dir = file.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
                f.code = crate::CodeSource::Folder(dir.clone());
                f.code_dir = Some(dir);
                f.handler_file = Some(file);
            }
            _ => {
                f.code = ctx.sources.remove(&f.id).unwrap_or_default();
                f.code_dir = f.code.folder().map(str::to_owned);
            }
        }
    }
    app.errors.extend(errors);
    app.errors.extend(files.budget.take_errors());
    (app, warnings)
}

fn not_created(b: &Located<hcl_edit::structure::Block>, address: &str) -> String {
    let line = eval::loc_of(&b.file, b.item.span()).start().line;
    format!(
        "{}:{line}: `{address}` is not created with the values the configuration gives (its `count` or `for_each` is empty): not analysed",
        b.file.path()
    )
}

/// Whether a folder is a copy of the registry's Lambda module (its variables are the
/// module's interface): its package is built by an external program at plan time, so it is
/// read by that interface like the registry module, not followed.
fn is_lambda_module_copy(parsed: &[Parsed]) -> bool {
    const INTERFACE: &[&str] = &[
        "source_path",
        "create_package",
        "local_existing_package",
        "allowed_triggers",
        "attach_policy_statements",
        "create_lambda_function_url",
    ];
    let declared: std::collections::BTreeSet<&str> = parsed
        .iter()
        .flat_map(|p| p.body.iter())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "variable" => {
                b.labels.first().map(|l| l.as_str())
            }
            _ => None,
        })
        .collect();
    INTERFACE.iter().all(|v| declared.contains(v))
}

/// A module call's inputs, evaluated in the calling module.
fn module_inputs(
    m: &Module,
    files: &TreeFiles<'_>,
    block: &Located<hcl_edit::structure::Block>,
) -> BTreeMap<String, crate::yaml::Node> {
    let mut ev = Eval::new(m, files);
    block
        .item
        .body
        .attributes()
        .filter(|a| {
            !matches!(
                a.key.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            )
        })
        .map(|a| (a.key.as_str().to_owned(), ev.expr(&a.value, &block.file)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn build_module(
    files: &TreeFiles<'_>,
    root: &str,
    dir: &str,
    prefix: &str,
    inputs: BTreeMap<String, crate::yaml::Node>,
    depth: usize,
    stack: &mut Vec<String>,
    errors: &mut Vec<ScanError>,
    warnings: &mut Vec<String>,
) -> Module {
    let tree = files.tree;
    let parsed = files.parsed(dir, errors);
    let mut m = Module {
        dir: dir.to_owned(),
        root: root.to_owned(),
        prefix: prefix.to_owned(),
        ..Module::default()
    };
    let mut defaults: BTreeMap<String, Located<hcl_edit::expr::Expression>> = BTreeMap::new();
    let mut types: BTreeMap<String, Located<hcl_edit::expr::Expression>> = BTreeMap::new();
    let mut module_blocks = Vec::new();
    for p in parsed.iter() {
        for s in p.body.iter() {
            let Structure::Block(b) = s else { continue };
            let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
            let file = &p.file;
            fn at<T>(file: &Arc<SourceFile>, item: T) -> Located<T> {
                Located {
                    file: Arc::clone(file),
                    item,
                }
            }
            match (b.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => {
                    m.resources.insert(format!("{t}.{n}"), at(file, b.clone()));
                }
                ("data", [t, n]) => {
                    m.data.insert(format!("{t}.{n}"), at(file, b.clone()));
                }
                ("variable", [n]) => {
                    if let Some(d) = eval::attr_expr(&b.body, "default") {
                        defaults.insert((*n).to_owned(), at(file, d.clone()));
                    }
                    if let Some(t) = eval::attr_expr(&b.body, "type") {
                        types.insert((*n).to_owned(), at(file, t.clone()));
                    }
                    let sensitive = eval::attr_expr(&b.body, "sensitive").is_some_and(
                        |e| matches!(e, hcl_edit::expr::Expression::Bool(v) if *v.value()),
                    );
                    let label_loc = b.labels.first().map_or_else(
                        || eval::loc_of(file, b.span()),
                        |l| eval::loc_of(file, l.span()),
                    );
                    m.parameters.push(crate::model::Parameter {
                        name: (*n).to_owned(),
                        loc: label_loc,
                        default: None,
                        no_echo: sensitive,
                        type_name: None,
                    });
                }
                ("output", [n]) => {
                    if let Some(v) = eval::attr_expr(&b.body, "value") {
                        m.outputs.insert((*n).to_owned(), at(file, v.clone()));
                    }
                }
                ("locals", []) => {
                    for a in b.body.attributes() {
                        m.locals
                            .insert(a.key.as_str().to_owned(), at(file, a.value.clone()));
                    }
                }
                ("module", [n]) => module_blocks.push(((*n).to_owned(), at(file, b.clone()))),
                _ => {}
            }
        }
    }
    // Variables: defaults, then `*.tfvars` of a root module, then the caller's inputs.
    {
        let mut ev = Eval::new(&m, files);
        let values: Vec<(String, crate::yaml::Node)> = defaults
            .iter()
            .map(|(k, d)| (k.clone(), ev.expr(&d.item, &d.file)))
            .collect();
        for p in &mut m.parameters {
            p.default = values
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone());
        }
        m.vars.extend(values);
    }
    if prefix.is_empty() {
        for rel in tree.files_in(dir).into_iter().filter(|p| is_tfvars(p)) {
            let Some(file) = tree.file(&rel) else {
                continue;
            };
            match legacy::parse(file.text()) {
                Ok((body, _)) => {
                    let mut ev = Eval::new(&m, files);
                    let values: Vec<(String, crate::yaml::Node)> = body
                        .attributes()
                        .map(|a| (a.key.as_str().to_owned(), ev.expr(&a.value, &file)))
                        .collect();
                    m.vars.extend(values);
                }
                Err(e) => errors.push(ScanError::new(
                    &rel,
                    format!("cannot parse: {}", e.message()),
                )),
            }
        }
    }
    m.vars.extend(inputs);
    // Values converted to their declared types: optional object attributes not set take
    // their defaults, so `var.config.zip == null` is decided.
    let typed: Vec<(String, crate::yaml::Node)> = {
        let mut ev = Eval::new(&m, files);
        types
            .iter()
            .filter_map(|(k, t)| {
                let v = m.vars.get(k)?.clone();
                Some((k.clone(), ev.conform(v, &t.item, &t.file, 0)))
            })
            .collect()
    };
    m.vars.extend(typed);
    // Locals evaluated while the variables were incomplete are evaluated again.
    m.local_values.get_mut().clear();
    // What the configuration's values create no instance of is not part of the
    // application; a function or module left out is a warning.
    let gated: Vec<String> = {
        let mut ev = Eval::new(&m, files);
        m.resources
            .iter()
            .filter(|(_, b)| ev.creates_nothing(b))
            .map(|(k, _)| k.clone())
            .collect()
    };
    for key in gated {
        if let Some(b) = m.resources.remove(&key)
            && key.starts_with("aws_lambda_function.")
        {
            warnings.push(not_created(&b, &format!("{prefix}{key}")));
        }
    }
    let module_blocks: Vec<_> = {
        let mut ev = Eval::new(&m, files);
        module_blocks
            .into_iter()
            .filter(|(name, b)| {
                let off = ev.creates_nothing(b);
                if off {
                    warnings.push(not_created(b, &format!("{prefix}module.{name}")));
                }
                !off
            })
            .collect()
    };
    // Local modules, with their inputs evaluated here.
    for (name, block) in module_blocks {
        let source = eval::attr_expr(&block.item.body, "source")
            .and_then(|e| e.as_str())
            .map(str::to_owned)
            .unwrap_or_default();
        let local = (source.starts_with("./") || source.starts_with("../"))
            .then(|| crate::cfn::join_dir(dir, &source))
            .flatten();
        let vendored = local
            .as_deref()
            .is_some_and(|d| is_lambda_module_copy(&files.parsed(d, errors)));
        if vendored || (local.is_none() && known::is_lambda_module(&source)) {
            let call = known::Call {
                inputs: module_inputs(&m, files, &block),
                name,
                block,
            };
            if call.creates_no_function() {
                warnings.push(not_created(
                    &call.block,
                    &format!("{prefix}module.{}", call.name),
                ));
            }
            m.known.push(call);
            continue;
        }
        let Some(child_dir) = local else {
            warnings.push(format!(
                "{}: module `{name}` comes from `{source}`, which perimeter does not fetch; what it declares is not analysed",
                block.file.path()
            ));
            continue;
        };
        if depth >= MAX_MODULE_DEPTH || stack.contains(&child_dir) {
            errors.push(ScanError::at(
                &eval::loc_of(&block.file, block.item.span()),
                format!("module `{name}` calls modules {MAX_MODULE_DEPTH} deep or in a cycle; not followed"),
            ));
            continue;
        }
        if files.instances.get() >= MAX_MODULE_INSTANCES {
            files.budget.limit(
                "modules",
                &eval::loc_of(&block.file, block.item.span()),
                format!("module `{name}`: this configuration expands to more than {MAX_MODULE_INSTANCES} module instances (limit); not followed"),
            );
            continue;
        }
        files.instances.set(files.instances.get() + 1);
        let inputs = module_inputs(&m, files, &block);
        stack.push(child_dir.clone());
        let child = build_module(
            files,
            root,
            &child_dir,
            &format!("{prefix}module.{name}."),
            inputs,
            depth + 1,
            stack,
            errors,
            warnings,
        );
        stack.pop();
        m.children.insert(name, child);
    }
    m
}
