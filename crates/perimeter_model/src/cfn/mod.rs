//! The CloudFormation and SAM loader: a template (YAML or JSON, CDK output included) becomes
//! an [`Application`]. Intrinsics that can be decided statically are resolved first
//! ([`resolve`]); SAM `Globals` are merged under each resource; SAM policy templates are
//! expanded ([`crate::sam_policies`]); triggers declared as separate resources (permissions,
//! event source mappings, bucket notifications, subscriptions, rules, API Gateway methods and
//! routes) are attached to the functions they point at.
//!
//! The Serverless Framework loader reuses all of it for its `resources.Resources` block
//! through [`merge_resources`].

use std::collections::BTreeMap;

use perimeter_diagnostics::{Loc, ScanError};

use crate::model::{Application, Auth, Framework, Parameter};
use crate::yaml::{Key, Node, Value};

mod iam;

pub use iam::statements as iam_statements;
mod plain;
mod resolve;
mod sam;

pub use iam::{SamPolicies, sam_policies, statement, statements};
pub use resolve::{condition, resolve};
pub use sam::{IMPLICIT_HTTP_API, IMPLICIT_REST_API, merge_globals};

/// The `Transform` value that makes a template a SAM template.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// What a template declares besides its resources, needed to read the resources: parameters,
/// conditions, mappings, SAM globals, and the names other loaders give to logical ids.
#[derive(Clone, Debug)]
pub struct Context {
    pub(crate) framework: Framework,
    pub(crate) root_dir: String,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) conditions: BTreeMap<String, Node>,
    pub(crate) mappings: Option<Node>,
    pub(crate) globals: Option<Node>,
    pub(crate) function_aliases: BTreeMap<String, String>,
    pub(crate) role_aliases: BTreeMap<String, String>,
    pub(crate) state: resolve::State,
}

impl Context {
    /// An empty context: no parameters, conditions, mappings or globals. `root_dir` is the
    /// descriptor's folder relative to the scan root (`""` for the root); code paths are
    /// joined to it.
    pub fn new(framework: Framework, root_dir: &str) -> Self {
        Self {
            framework,
            root_dir: root_dir.to_owned(),
            parameters: Vec::new(),
            conditions: BTreeMap::new(),
            mappings: None,
            globals: None,
            function_aliases: BTreeMap::new(),
            role_aliases: BTreeMap::new(),
            state: resolve::State::default(),
        }
    }

    /// The context of a template (or of a Serverless `resources:` block, which may hold
    /// `Conditions`, `Mappings` and `Parameters` too): its parameters, conditions, mappings
    /// and SAM globals. Problems go to `errors`.
    pub fn from_template(
        doc: &Node,
        framework: Framework,
        root_dir: &str,
        errors: &mut Vec<ScanError>,
    ) -> Self {
        let mut ctx = Self::new(framework, root_dir);
        ctx.parameters = parameters(doc, errors);
        for (k, v) in doc.get("Conditions").map(Node::entries).unwrap_or_default() {
            ctx.conditions.insert(k.name.clone(), v.clone());
        }
        ctx.mappings = doc.get("Mappings").cloned();
        // Globals are resolved once the parameters and conditions they may use are known.
        ctx.globals = doc.get("Globals").map(|g| resolve::resolve(g, &ctx));
        errors.extend(ctx.state.take_errors());
        ctx
    }

    /// Declares that the logical id `logical_id` (`HelloLambdaFunction`) designates the
    /// function `function_id` of the application (`hello`), so `!GetAtt
    /// HelloLambdaFunction.Arn` in resources reaches it.
    pub fn alias_function(&mut self, logical_id: &str, function_id: &str) -> &mut Self {
        self.function_aliases
            .insert(logical_id.to_owned(), function_id.to_owned());
        self
    }

    /// Declares that the logical id `logical_id` (`IamRoleLambdaExecution`) designates the
    /// role `role_id` of the application (`<provider>`), so `AWS::IAM::Policy` resources
    /// attached to it add their statements there.
    pub fn alias_role(&mut self, logical_id: &str, role_id: &str) -> &mut Self {
        self.role_aliases
            .insert(logical_id.to_owned(), role_id.to_owned());
        self
    }

    /// The format the resources are read as.
    pub fn framework(&self) -> Framework {
        self.framework
    }

    /// The descriptor's folder, relative to the scan root.
    pub fn root_dir(&self) -> &str {
        &self.root_dir
    }

    /// The template's parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Resolves what can be decided statically in a node (see [`resolve()`]).
    pub fn resolve(&self, node: &Node) -> Node {
        resolve::resolve(node, self)
    }

    /// The SAM globals section of a kind (`Function`, `Api`, `HttpApi`, `SimpleTable`).
    pub(crate) fn global(&self, kind: &str) -> Option<&Node> {
        self.globals.as_ref().and_then(|g| g.get(kind))
    }
}

/// Whether a parsed document is a CloudFormation or SAM template, judged by content:
/// `AWSTemplateFormatVersion`, a `Transform` naming the SAM transform, or a `Resources` map
/// whose entries have `AWS::...` types. Serverless Framework descriptors are not templates.
pub fn is_template(doc: &Node) -> Option<Framework> {
    if !matches!(doc.value, Value::Map(_)) {
        return None;
    }
    if doc.get("service").is_some()
        && (doc.get("provider").is_some() || doc.get("functions").is_some())
    {
        return None;
    }
    let resources_typed = doc.get("Resources").is_some_and(|r| {
        r.entries().iter().any(|(_, v)| {
            v.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::"))
        })
    });
    if is_sam(doc) {
        return Some(Framework::Sam);
    }
    (doc.get("AWSTemplateFormatVersion").is_some() || resources_typed)
        .then_some(Framework::CloudFormation)
}

/// SAM when the `Transform` mentions the SAM transform, or (a template written for SAM
/// without its header) a resource has an `AWS::Serverless::` type.
fn is_sam(doc: &Node) -> bool {
    let transform = doc.get("Transform").is_some_and(|t| {
        t.items().iter().any(|n| {
            n.as_str()
                .is_some_and(|s| s.contains(SAM_TRANSFORM) || s.starts_with("AWS::Serverless"))
        })
    });
    transform
        || doc.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|(_, v)| {
                v.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::Serverless::"))
            })
        })
}

/// Loads a template. `app_id` is the template's path relative to the scan root, `root_dir`
/// its folder (code paths such as `CodeUri` are joined to it). Never fails: problems are
/// listed in [`Application::errors`].
pub fn load(app_id: &str, root_dir: &str, doc: Node) -> Application {
    let framework = if is_sam(&doc) {
        Framework::Sam
    } else {
        Framework::CloudFormation
    };
    let mut app = Application::new(app_id, framework, root_dir);
    if !matches!(doc.value, Value::Map(_)) {
        app.errors
            .push(ScanError::at(&doc.loc, "a template must be a mapping"));
        app.document = Some(doc);
        return app;
    }
    let mut errors = Vec::new();
    let ctx = Context::from_template(&doc, framework, root_dir, &mut errors);
    app.errors.extend(errors);
    app.parameters = ctx.parameters.clone();
    app.name = doc
        .path(&["Metadata", "StackName"])
        .and_then(Node::as_str)
        .map(str::to_owned);
    match doc.get("Resources") {
        Some(r) if matches!(r.value, Value::Map(_)) => merge_resources(&mut app, r, &ctx),
        Some(r) => app
            .errors
            .push(ScanError::at(&r.loc, "`Resources` must be a mapping")),
        None => {}
    }
    app.document = Some(doc);
    app
}

/// Adds the resources of a `Resources` mapping to an application: functions (SAM and
/// Lambda), roles and policies, APIs, permissions, and every other resource; triggers and
/// policies declared as separate resources are attached to the functions and roles they
/// reference, including functions and roles already in `app` (through
/// [`Context::alias_function`] / [`Context::alias_role`], or by id).
///
/// The Serverless Framework loader calls it with its `resources.Resources` block and a
/// context from [`Context::from_template`] on `resources` (plus aliases for its generated
/// logical ids); [`load`] calls it for a template's `Resources`.
pub fn merge_resources(app: &mut Application, resources: &Node, ctx: &Context) {
    let mut loader = Loader::new(app, ctx);
    loader.run(resources);
    // Limits met while resolving intrinsics.
    app.errors.extend(ctx.state.take_errors());
}

/// Joins a code path written in a descriptor (`./src`, `../shared`, `handlers/`) to the
/// descriptor's folder, both relative to the scan root. `None` for absolute paths, URLs
/// (`s3://...`) and paths that leave the scan root.
pub fn join_dir(root: &str, rel: &str) -> Option<String> {
    let rel = rel.trim().replace('\\', "/");
    if rel.is_empty() {
        return normalise(root);
    }
    if rel.starts_with('/') || rel.contains("://") || rel.as_bytes().get(1) == Some(&b':') {
        return None;
    }
    normalise(&format!("{root}/{rel}"))
}

fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn parameters(doc: &Node, errors: &mut Vec<ScanError>) -> Vec<Parameter> {
    let Some(params) = doc.get("Parameters") else {
        return Vec::new();
    };
    if !matches!(params.value, Value::Map(_)) {
        errors.push(ScanError::at(&params.loc, "`Parameters` must be a mapping"));
        return Vec::new();
    }
    params
        .entries()
        .iter()
        .map(|(k, v)| Parameter {
            name: k.name.clone(),
            loc: k.loc.clone(),
            default: v.get("Default").cloned(),
            no_echo: v.get("NoEcho").and_then(Node::as_bool).unwrap_or(false),
            type_name: v.get("Type").and_then(Node::scalar_text),
        })
        .collect()
}

/// One resource of the `Resources` mapping, resolved.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Logical id.
    pub(crate) id: String,
    /// Where the logical id is written.
    pub(crate) key_loc: Loc,
    /// The type.
    pub(crate) type_name: String,
    /// `Properties` after resolution (and SAM globals), null when absent.
    pub(crate) props: Node,
    /// The whole resource after resolution (`Metadata`, `Condition`, ...).
    pub(crate) node: Node,
    /// `Properties` as written, before resolution: inline code is read from it, where each
    /// part of a `Fn::Join` still has its own line.
    pub(crate) raw_props: Option<Node>,
}

/// What SAM events need to know about an API to decide how a route is authenticated.
#[derive(Clone, Debug)]
pub(crate) struct ApiAuthInfo {
    pub(crate) authorizers: Option<Node>,
    pub(crate) default: Option<Auth>,
    pub(crate) api_key_required: bool,
    /// Defined by an OpenAPI document perimeter does not read: routes without their own
    /// authorizer are of unknown authentication.
    pub(crate) openapi: bool,
    /// The inline OpenAPI document (`DefinitionBody`), read for each route's `security`.
    pub(crate) definition: Option<Node>,
    pub(crate) loc: Loc,
}

/// The state of one `merge_resources` call.
pub(crate) struct Loader<'a> {
    pub(crate) app: &'a mut Application,
    pub(crate) ctx: &'a Context,
    pub(crate) entries: Vec<Entry>,
    pub(crate) api_auth: BTreeMap<String, ApiAuthInfo>,
    /// `entries` by logical id (the first of each id).
    entry_ids: std::collections::HashMap<String, usize>,
    /// The application's functions by id and by deployed name, and its roles by id, kept up
    /// to date as they are added: a template of `n` functions is linked in `O(n)` lookups,
    /// not `O(n²)` comparisons.
    function_ids: std::cell::RefCell<IdIndex>,
    function_names: std::cell::RefCell<IdIndex>,
    role_ids: std::cell::RefCell<IdIndex>,
}

/// The first index of each key among the items of a list that only grows.
#[derive(Default)]
struct IdIndex {
    seen: usize,
    first: std::collections::HashMap<String, usize>,
}

impl IdIndex {
    /// The first item whose key is `id`, after indexing the items added since the last call.
    fn get<T>(
        &mut self,
        items: &[T],
        key: impl Fn(&T) -> Option<String>,
        id: &str,
    ) -> Option<usize> {
        if items.len() < self.seen {
            // Not a list that only grows: index it again.
            *self = Self::default();
        }
        for (i, item) in items.iter().enumerate().skip(self.seen) {
            if let Some(k) = key(item) {
                self.first.entry(k).or_insert(i);
            }
        }
        self.seen = items.len();
        self.first.get(id).copied()
    }
}

/// Resource types that become functions rather than resources.
const FUNCTION_TYPES: &[&str] = &["AWS::Serverless::Function", "AWS::Lambda::Function"];

impl<'a> Loader<'a> {
    fn new(app: &'a mut Application, ctx: &'a Context) -> Self {
        Self {
            app,
            ctx,
            entries: Vec::new(),
            entry_ids: std::collections::HashMap::new(),
            function_ids: std::cell::RefCell::default(),
            function_names: std::cell::RefCell::default(),
            role_ids: std::cell::RefCell::default(),
            api_auth: BTreeMap::new(),
        }
    }

    fn run(&mut self, resources: &Node) {
        self.read_entries(resources);
        let entries = self.entries.clone();
        // Roles and APIs first: functions attach to roles, SAM events read API auth.
        for e in &entries {
            match e.type_name.as_str() {
                "AWS::IAM::Role" => plain::role(self, e),
                "AWS::Serverless::Api" => sam::api(self, e, false),
                "AWS::Serverless::HttpApi" => sam::api(self, e, true),
                "AWS::ApiGateway::RestApi" => plain::rest_api(self, e),
                "AWS::ApiGatewayV2::Api" => plain::v2_api(self, e),
                _ => {}
            }
        }
        for e in &entries {
            match e.type_name.as_str() {
                "AWS::Serverless::Function" => sam::function(self, e),
                "AWS::Lambda::Function" => plain::function(self, e),
                "AWS::Serverless::StateMachine" => sam::state_machine(self, e),
                _ => {}
            }
        }
        for e in &entries {
            plain::link(self, e);
        }
    }

    fn read_entries(&mut self, resources: &Node) {
        let mut expanded = Vec::new();
        self.expand_for_each(resources.entries(), 0, &mut expanded);
        for (key, node) in &expanded {
            let Some(type_name) = node.get("Type").and_then(Node::as_str) else {
                // In a Serverless app, a resource without `Type` whose logical id is one the
                // framework generates (`ApiGatewayRestApi`, `HelloLambdaFunction`) extends
                // that resource: the framework merges its properties into the generated
                // one. It is not a broken resource.
                if self.ctx.framework == Framework::Serverless {
                    continue;
                }
                self.app.errors.push(ScanError::at(
                    &key.loc,
                    format!("resource `{}` has no `Type`", key.name),
                ));
                continue;
            };
            let resolved = self.ctx.resolve(node);
            let mut props = resolved
                .get("Properties")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Null, key.loc.clone()));
            let global = match type_name {
                "AWS::Serverless::Function" => Some("Function"),
                "AWS::Serverless::Api" => Some("Api"),
                "AWS::Serverless::HttpApi" => Some("HttpApi"),
                "AWS::Serverless::SimpleTable" => Some("SimpleTable"),
                "AWS::Serverless::StateMachine" => Some("StateMachine"),
                "AWS::Serverless::LayerVersion" => Some("LayerVersion"),
                _ => None,
            };
            if let Some(g) = global.and_then(|g| self.ctx.global(g)) {
                props = sam::merge_globals(g, &props);
            }
            let entry = Entry {
                id: key.name.clone(),
                key_loc: key.loc.clone(),
                type_name: type_name.to_owned(),
                props,
                node: resolved,
                raw_props: node.get("Properties").cloned(),
            };
            if !FUNCTION_TYPES.contains(&type_name) {
                self.app.resources.push(crate::model::Resource {
                    id: entry.id.clone(),
                    type_name: entry.type_name.clone(),
                    loc: entry.key_loc.clone(),
                    properties: (!entry.props.is_null()).then(|| entry.props.clone()),
                    off_by_default: off_by_default(self.ctx, key, node),
                });
            }
            self.entry_ids
                .entry(entry.id.clone())
                .or_insert(self.entries.len());
            self.entries.push(entry);
        }
    }

    /// The resources as the `AWS::LanguageExtensions` transform makes them: an entry
    /// `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Resource}]` is one resource per
    /// item of the collection (a list, or a reference to a list parameter), with
    /// `${Identifier}` and `&{Identifier}` (the item's alphanumerics) replaced in its key and
    /// values; loops nest. A collection that is not static is an error entry naming it.
    fn expand_for_each(
        &mut self,
        entries: &[(Key, Node)],
        depth: usize,
        out: &mut Vec<(Key, Node)>,
    ) {
        for (key, node) in entries {
            if !key.name.starts_with("Fn::ForEach::") {
                out.push((key.clone(), node.clone()));
                continue;
            }
            let parts = node.items();
            let (Some(ident), Some(collection), Some(template)) = (
                parts.first().and_then(|n| n.as_str()),
                parts.get(1),
                parts.get(2),
            ) else {
                self.app.errors.push(ScanError::at(
                    &key.loc,
                    format!("`{}` is not `[Identifier, Collection, Template]`", key.name),
                ));
                continue;
            };
            let collection = self.ctx.resolve(collection);
            let items: Option<Vec<String>> = match &collection.value {
                Value::Seq(v) => v.iter().map(Node::scalar_text).collect(),
                Value::Str(s) => Some(s.split(',').map(|x| x.trim().to_owned()).collect()),
                _ => None,
            };
            let Some(items) = items.filter(|_| depth < 8) else {
                self.app.errors.push(ScanError::at(
                    &key.loc,
                    format!(
                        "the collection of `{}` is not known statically: the resources it makes were not read",
                        key.name
                    ),
                ));
                continue;
            };
            for item in items.iter().take(1000) {
                let alnum: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
                let subst = |t: &str| {
                    t.replace(&format!("${{{ident}}}"), item)
                        .replace(&format!("&{{{ident}}}"), &alnum)
                };
                let inner: Vec<(Key, Node)> = template
                    .entries()
                    .iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: subst(&k.name),
                                loc: k.loc.clone(),
                            },
                            substitute(v, &subst),
                        )
                    })
                    .collect();
                self.expand_for_each(&inner, depth + 1, out);
            }
        }
    }

    /// The type of a logical id declared in this block or already in the application.
    pub(crate) fn type_of(&self, id: &str) -> Option<&str> {
        if let Some(&i) = self.entry_ids.get(id) {
            return Some(&self.entries[i].type_name);
        }
        if self.function_by_id(id).is_some() || self.ctx.function_aliases.contains_key(id) {
            return Some("AWS::Lambda::Function");
        }
        self.app.resource(id).map(|r| r.type_name.as_str())
    }

    /// The index of the function a value designates: a reference to its logical id (or an
    /// alias of it), or its id, deployed name or ARN as text.
    pub(crate) fn function_index(&self, node: &Node) -> Option<usize> {
        for id in node.referenced_ids() {
            let id = self.ctx.function_aliases.get(&id).unwrap_or(&id);
            if let Some(i) = self.function_by_id(id) {
                return Some(i);
            }
        }
        let text = node.as_str()?;
        let name = text
            .split(":function:")
            .nth(1)
            .map_or(text, |rest| rest.split(':').next().unwrap_or(rest));
        let by_name = self.function_names.borrow_mut().get(
            &self.app.functions,
            |f| f.name.as_ref().and_then(Node::scalar_text),
            name,
        );
        match (self.function_by_id(name), by_name) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The index of the function with this id.
    pub(crate) fn function_by_id(&self, id: &str) -> Option<usize> {
        self.function_ids
            .borrow_mut()
            .get(&self.app.functions, |f| Some(f.id.clone()), id)
    }

    /// The index of the role a value designates (a reference to a declared role or alias).
    pub(crate) fn role_index(&self, node: &Node) -> Option<usize> {
        node.referenced_ids().into_iter().find_map(|id| {
            let id = self.ctx.role_aliases.get(&id).unwrap_or(&id);
            self.role_ids
                .borrow_mut()
                .get(&self.app.roles, |r| Some(r.id.clone()), id)
        })
    }

    /// The index of the API a value designates.
    pub(crate) fn api_index(&self, node: &Node) -> Option<usize> {
        node.referenced_ids()
            .into_iter()
            .find_map(|id| self.app.apis.iter().position(|a| a.id == id))
    }

    /// The entry a value references first, of one of `types`.
    pub(crate) fn entry_ref(&self, node: &Node, types: &[&str]) -> Option<&Entry> {
        node.referenced_ids().into_iter().find_map(|id| {
            let e = &self.entries[*self.entry_ids.get(&id)?];
            types.contains(&e.type_name.as_str()).then_some(e)
        })
    }

    /// Attaches a function to the role a `Role` value designates: a declared role, or an
    /// external one (created once per distinct value). Returns the role id.
    pub(crate) fn attach_role(&mut self, function: &str, role: &Node) -> String {
        let index = self.role_index(role).or_else(|| {
            let id = role.scalar_text().unwrap_or_else(|| role.display());
            if let Some(i) =
                self.role_ids
                    .borrow_mut()
                    .get(&self.app.roles, |r| Some(r.id.clone()), &id)
            {
                return Some(i);
            }
            self.app.roles.push(crate::model::Role {
                id,
                loc: role.loc.clone(),
                origin: crate::model::RoleOrigin::External,
                statements: Vec::new(),
                managed_policies: Vec::new(),
                functions: Vec::new(),
            });
            Some(self.app.roles.len() - 1)
        });
        let Some(i) = index else { return String::new() };
        let r = &mut self.app.roles[i];
        if !r.functions.iter().any(|f| f == function) {
            r.functions.push(function.to_owned());
        }
        r.id.clone()
    }

    pub(crate) fn error(&mut self, loc: &Loc, message: impl Into<String>) {
        self.app.errors.push(ScanError::at(loc, message));
    }
}

/// `node` with `f` applied to every string and key in it (the values of a `Fn::ForEach`
/// template for one item).
fn substitute(node: &Node, f: &dyn Fn(&str) -> String) -> Node {
    let value = match &node.value {
        Value::Str(s) => Value::Str(f(s)),
        Value::Seq(v) => Value::Seq(v.iter().map(|n| substitute(n, f)).collect()),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: f(&k.name),
                            loc: k.loc.clone(),
                        },
                        substitute(v, f),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(value, node.loc.clone())
}

/// Whether a resource is deployed only under a `Condition` that is false with the
/// parameters' defaults, and when it is deployed.
fn off_by_default(ctx: &Context, key: &Key, node: &Node) -> Option<crate::model::OffByDefault> {
    let name = node.get("Condition")?.as_str()?.trim().to_owned();
    if resolve::condition(ctx, &name) != Some(false) {
        return None;
    }
    let when = ctx
        .conditions
        .get(&name)
        .and_then(|body| parameter_test(ctx, body))
        .unwrap_or_else(|| format!("condition `{name}` holds"));
    let extent = if key.loc.path() == node.loc.path() {
        Loc::new(
            &key.loc.file,
            perimeter_diagnostics::Span::new(
                key.loc.span.start.min(node.loc.span.start),
                key.loc.span.end.max(node.loc.span.end),
            ),
        )
    } else {
        key.loc.clone()
    };
    Some(crate::model::OffByDefault {
        condition: name,
        when,
        extent,
    })
}

/// A condition that compares one parameter with a value, said in words with the
/// parameter's default (`parameter `Type` is `public` (default `private`)`).
fn parameter_test(ctx: &Context, body: &Node) -> Option<String> {
    let (negated, equals) = match body.intrinsic()? {
        ("Fn::Not", arg) => (true, arg.items().first().copied()?.intrinsic()?),
        other => (false, other),
    };
    let ("Fn::Equals", arg) = equals else {
        return None;
    };
    let items = arg.items();
    let [a, b] = items.as_slice() else {
        return None;
    };
    let as_ref = |n: &Node| match n.intrinsic() {
        Some(("Ref", r)) => r.as_str().map(str::to_owned),
        _ => None,
    };
    let (param, value) = match (as_ref(a), as_ref(b)) {
        (Some(p), None) => (p, b.scalar_text()?),
        (None, Some(p)) => (p, a.scalar_text()?),
        _ => return None,
    };
    let default = ctx
        .parameters
        .iter()
        .find(|p| p.name == param)
        .and_then(|p| p.default.as_ref())
        .and_then(Node::scalar_text)?;
    let is = if negated { "is not" } else { "is" };
    Some(format!(
        "parameter `{param}` {is} `{value}` (default `{default}`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_dir_normalises() {
        assert_eq!(join_dir("app", "./src/").as_deref(), Some("app/src"));
        assert_eq!(
            join_dir("app/sub", "../shared").as_deref(),
            Some("app/shared")
        );
        assert_eq!(join_dir("", ".").as_deref(), Some(""));
        assert_eq!(join_dir("", "../x"), None);
        assert_eq!(join_dir("a", "s3://bucket/key.zip"), None);
        assert_eq!(join_dir("a", "/abs"), None);
    }
}
