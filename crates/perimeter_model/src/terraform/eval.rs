//! Static evaluation of Terraform expressions into descriptor nodes with spans.
//!
//! Variables (defaults, `*.tfvars`, module inputs), locals, string templates, the common
//! functions and references between resources are evaluated; a reference to another resource
//! becomes the CloudFormation form the rest of perimeter understands (`aws_sqs_queue.orders.arn`
//! is `{"Fn::GetAtt": ["aws_sqs_queue.orders", "Arn"]}`, `.url`/`.id`/`.name` are
//! `{"Ref": "aws_sqs_queue.orders"}`). What cannot be known statically (a data source, a
//! `for` expression, `count.index`) stays symbolic: never an error, never a guess.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};
use perimeter_diagnostics::{Loc, SourceFile, Span};

use crate::yaml::{Key, Node, Value};

/// Deepest nesting of locals, module outputs and function calls followed.
const MAX_DEPTH: u32 = 64;

/// A block with the file it is written in.
#[derive(Clone)]
pub(crate) struct Located<T> {
    pub file: Arc<SourceFile>,
    pub item: T,
}

/// One module: its folder and what it declares.
#[derive(Default)]
pub(crate) struct Module {
    /// The folder, relative to the scan root.
    pub dir: String,
    /// The root module's folder: Terraform's working directory, against which every
    /// relative path is resolved (`path.module` is this module's folder relative to it).
    pub root: String,
    /// Address prefix of what it declares (`""`, `module.api.`).
    pub prefix: String,
    /// Evaluated input variables.
    pub vars: BTreeMap<String, Node>,
    /// Locals, unevaluated.
    pub locals: BTreeMap<String, Located<Expression>>,
    /// Resources by `type.name`.
    pub resources: BTreeMap<String, Located<Block>>,
    /// Data sources by `type.name`.
    pub data: BTreeMap<String, Located<Block>>,
    /// Outputs, unevaluated.
    pub outputs: BTreeMap<String, Located<Expression>>,
    /// Child modules read from the repository, by name.
    pub children: BTreeMap<String, Module>,
    /// Calls of registry modules read by their documented interface.
    pub known: Vec<super::known::Call>,
    /// The variables as parameters of the application (`sensitive = true` is `NoEcho`).
    pub parameters: Vec<crate::model::Parameter>,
    /// Locals evaluated once the module's variables are all known (each local once, however
    /// often it is used).
    pub local_values: std::cell::RefCell<std::collections::HashMap<String, Node>>,
}

impl Module {
    /// A path written in the configuration, relative to the scan root: Terraform resolves
    /// relative paths against its working directory, the root module's folder, whichever
    /// module writes them.
    pub(crate) fn resolve(&self, path: &str) -> Option<String> {
        crate::cfn::join_dir(&self.root, path)
    }
}

/// The path of folder `to` relative to folder `from` (both relative to the scan root):
/// `"."`, `modules/api`, `../shared/fn`.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let segs = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_owned)
            .collect()
    };
    let (f, t) = (segs(from), segs(to));
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); f.len() - common];
    parts.extend(t[common..].iter().cloned());
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// The place of something hcl-edit parsed, in its file.
pub(crate) fn loc_of(file: &Arc<SourceFile>, span: Option<std::ops::Range<usize>>) -> Loc {
    let r = span.unwrap_or(0..0);
    let clamp = |x: usize| u32::try_from(x.min(file.text().len())).unwrap_or(u32::MAX);
    Loc::new(
        file,
        Span {
            start: clamp(r.start),
            end: clamp(r.end),
        },
    )
}

pub(crate) fn node(value: Value, loc: &Loc) -> Node {
    Node::new(value, loc.clone())
}

pub(crate) fn map(entries: Vec<(&str, Node)>, loc: &Loc) -> Node {
    Node::new(
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.to_owned(),
                            loc: v.loc.clone(),
                        },
                        v,
                    )
                })
                .collect(),
        ),
        loc.clone(),
    )
}

fn symbolic(text: impl Into<String>, loc: &Loc) -> Node {
    let t = text.into();
    let t = if t.starts_with('<') {
        t
    } else {
        format!("<{t}>")
    };
    node(Value::Symbolic(t), loc)
}

/// `{"Ref": id}`.
pub(crate) fn reference(id: &str, loc: &Loc) -> Node {
    map(vec![("Ref", node(Value::Str(id.to_owned()), loc))], loc)
}

/// `{"Fn::GetAtt": [id, attr]}`.
pub(crate) fn get_att(id: &str, attr: &str, loc: &Loc) -> Node {
    map(
        vec![(
            "Fn::GetAtt",
            node(
                Value::Seq(vec![
                    node(Value::Str(id.to_owned()), loc),
                    node(Value::Str(attr.to_owned()), loc),
                ]),
                loc,
            ),
        )],
        loc,
    )
}

/// Attributes that hold a secret the resource generated or was given: an access key's
/// secret, an API key's value, a generated password, a private key, a secret's string.
const SECRET_ATTRIBUTES: &[(&str, &str)] = &[
    ("aws_iam_access_key", "secret"),
    ("aws_iam_access_key", "ses_smtp_password_v4"),
    ("aws_api_gateway_api_key", "value"),
    ("random_password", "result"),
    ("tls_private_key", "private_key_pem"),
    ("tls_private_key", "private_key_openssh"),
    ("aws_secretsmanager_secret_version", "secret_string"),
    ("aws_db_instance", "password"),
    ("aws_rds_cluster", "master_password"),
    ("aws_iam_user_login_profile", "password"),
    ("aws_cognito_user_pool_client", "client_secret"),
    ("aws_ssm_parameter", "value"),
];

/// Arguments of API Gateway resources that other resources read back by reference
/// (`resource_id = aws_api_gateway_method.m.resource_id`): evaluated as written.
const ECHOED_ARGUMENTS: &[(&str, &str)] = &[
    ("aws_api_gateway_method", "http_method"),
    ("aws_api_gateway_method", "resource_id"),
    ("aws_api_gateway_method", "rest_api_id"),
    ("aws_api_gateway_integration", "http_method"),
    ("aws_api_gateway_integration", "resource_id"),
    ("aws_api_gateway_integration", "rest_api_id"),
    ("aws_api_gateway_method_response", "http_method"),
    ("aws_api_gateway_method_response", "resource_id"),
    ("aws_api_gateway_resource", "rest_api_id"),
    ("aws_api_gateway_resource", "path_part"),
];

/// The marker of a value that is another resource's secret: `<secret:ADDRESS.ATTR>`.
pub const SECRET_MARK: &str = "<secret:";

/// The CloudFormation form of a resource attribute: ARNs are `Fn::GetAtt`, names, ids and
/// URLs are `Ref` (what the CloudFormation loader and the graph resolve); a secret
/// attribute is a symbolic secret.
fn attribute_ref(address: &str, attr: &str, loc: &Loc) -> Node {
    let ty = address.rsplit('.').nth(1).unwrap_or("");
    if SECRET_ATTRIBUTES.contains(&(ty, attr)) {
        return node(
            Value::Symbolic(format!("{SECRET_MARK}{address}.{attr}>")),
            loc,
        );
    }
    match attr {
        "arn" | "invoke_arn" | "qualified_arn" | "qualified_invoke_arn" | "execution_arn" => {
            get_att(address, "Arn", loc)
        }
        "stream_arn" => get_att(address, "StreamArn", loc),
        "root_resource_id" => get_att(address, "RootResourceId", loc),
        "function_url" => get_att(address, "FunctionUrl", loc),
        _ => reference(address, loc),
    }
}

/// The scalar text of a node when it is known.
pub(crate) fn known_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Converts parsed JSON into nodes placed at `loc` (a heredoc policy, `jsondecode`).
pub(crate) fn from_json(v: &serde_json::Value, loc: &Loc) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::Seq(a.iter().map(|x| from_json(x, loc)).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, x)| {
                    (
                        Key {
                            name: k.clone(),
                            loc: loc.clone(),
                        },
                        from_json(x, loc),
                    )
                })
                .collect(),
        ),
    };
    node(value, loc)
}

/// Reads files of the repository for `file()` and `templatefile()`.
pub(crate) trait Files {
    /// The text of a file relative to the scan root, if it is one of the tree's files.
    fn text(&self, rel: &str) -> Option<Arc<SourceFile>>;
    /// Whether a folder of the tree holds files.
    fn has_dir(&self, rel: &str) -> bool;
    /// The resolution budget of the root module being loaded.
    fn budget(&self) -> &crate::limits::Budget;
    /// Where `merge()` calls produced objects that may hold more attributes than are known
    /// (an argument was unknown): such an object is not completed from a variable's type.
    fn open_objects(&self) -> &std::cell::RefCell<std::collections::HashSet<LocKey>>;
}

/// A place as a key: file, start and end of the span.
pub(crate) type LocKey = (String, u32, u32);

/// The key of a node's place.
pub(crate) fn loc_key(loc: &Loc) -> LocKey {
    (loc.file.path().to_owned(), loc.span.start, loc.span.end)
}

/// Deepest nesting of a variable's type followed when its value is completed.
const MAX_TYPE_DEPTH: u32 = 16;

/// Evaluates expressions of one module.
pub(crate) struct Eval<'m> {
    pub m: &'m Module,
    pub files: &'m dyn Files,
    depth: u32,
    locals_in_progress: Vec<String>,
}

impl<'m> Eval<'m> {
    pub(crate) fn new(m: &'m Module, files: &'m dyn Files) -> Self {
        Self {
            m,
            files,
            depth: 0,
            locals_in_progress: Vec::new(),
        }
    }

    /// Whether a block's `count` or `for_each` is known to create no instance (`count =
    /// var.enabled ? 1 : 0` with `enabled` false): what Terraform would not create.
    pub(crate) fn creates_nothing(&mut self, b: &Located<Block>) -> bool {
        let none = |n: &Node| match &n.value {
            Value::Int(0) | Value::Bool(false) => true,
            Value::Float(f) => *f == 0.0,
            Value::Str(s) => s.trim() == "0",
            Value::Seq(v) => v.is_empty(),
            Value::Map(v) => v.is_empty(),
            _ => false,
        };
        ["count", "for_each"]
            .iter()
            .any(|k| self.attr(b, k).is_some_and(|n| none(&n)))
    }

    /// The value of an attribute of a block, if written.
    pub(crate) fn attr(&mut self, b: &Located<Block>, key: &str) -> Option<Node> {
        attr_expr(&b.item.body, key).map(|e| self.expr(e, &b.file))
    }

    /// Evaluates an expression.
    pub(crate) fn expr(&mut self, e: &Expression, f: &Arc<SourceFile>) -> Node {
        let loc = loc_of(f, e.span());
        if self.depth > MAX_DEPTH {
            return symbolic("too deeply nested", &loc);
        }
        self.depth += 1;
        let out = self.expr_inner(e, f, &loc);
        self.depth -= 1;
        out
    }

    fn expr_inner(&mut self, e: &Expression, f: &Arc<SourceFile>, loc: &Loc) -> Node {
        match e {
            Expression::Null(_) => node(Value::Null, loc),
            Expression::Bool(b) => node(Value::Bool(*b.value()), loc),
            Expression::Number(n) => {
                let n = n.value();
                node(
                    n.as_i64()
                        .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
                    loc,
                )
            }
            Expression::String(s) => node(Value::Str(s.value().clone()), loc),
            Expression::Array(a) => {
                node(Value::Seq(a.iter().map(|x| self.expr(x, f)).collect()), loc)
            }
            Expression::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o.iter() {
                    let (name, kloc) = match k {
                        ObjectKey::Ident(id) => (id.as_str().to_owned(), loc_of(f, id.span())),
                        ObjectKey::Expression(x) => {
                            let kn = self.expr(x, f);
                            (
                                known_text(&kn).unwrap_or_else(|| kn.display()),
                                kn.loc.clone(),
                            )
                        }
                    };
                    entries.push((Key { name, loc: kloc }, self.expr(v.expr(), f)));
                }
                node(Value::Map(entries), loc)
            }
            Expression::StringTemplate(t) => self.template(t, f, loc),
            Expression::HeredocTemplate(h) => {
                if let Some(doc) = heredoc_document(h, f) {
                    return doc;
                }
                let n = self.template(&h.template, f, loc);
                // A JSON document in a heredoc (a policy) is read as structure.
                if let Value::Str(s) = &n.value
                    && s.trim_start().starts_with(['{', '['])
                    && let Ok(j) = serde_json::from_str::<serde_json::Value>(s)
                {
                    return from_json(&j, loc);
                }
                n
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), f),
            Expression::Variable(v) => match v.as_str() {
                "true" => node(Value::Bool(true), loc),
                "false" => node(Value::Bool(false), loc),
                "null" => node(Value::Null, loc),
                other => symbolic(other, loc),
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, f);
                match cond.value {
                    Value::Bool(true) => self.expr(&c.true_expr, f),
                    Value::Bool(false) => self.expr(&c.false_expr, f),
                    _ => symbolic(format!("<condition {}>", cond.display()), loc),
                }
            }
            Expression::FuncCall(call) => self.call(call, f, loc),
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, f, loc),
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr, f);
                match (u.operator.value(), &v.value) {
                    (UnaryOperator::Not, Value::Bool(b)) => node(Value::Bool(!b), loc),
                    (UnaryOperator::Neg, Value::Int(i)) => node(Value::Int(-i), loc),
                    _ => symbolic("expression", loc),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.expr(&b.lhs_expr, f);
                let r = self.expr(&b.rhs_expr, f);
                binary(*b.operator.value(), &l, &r, loc)
            }
            Expression::ForExpr(_) => symbolic("for expression", loc),
        }
    }

    fn template(&mut self, t: &Template, f: &Arc<SourceFile>, loc: &Loc) -> Node {
        let mut parts: Vec<Node> = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => {
                    parts.push(node(Value::Str(s.value().clone()), loc));
                }
                Element::Interpolation(i) => parts.push(self.expr(&i.expr, f)),
                Element::Directive(_) => parts.push(symbolic("template directive", loc)),
            }
        }
        self.joined(parts, loc)
    }

    fn traversal(
        &mut self,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        f: &Arc<SourceFile>,
        loc: &Loc,
    ) -> Node {
        // The names of the leading attribute accesses: `aws_sqs_queue.orders.arn`.
        let Expression::Variable(root_name) = root else {
            let base = self.expr(root, f);
            return self.apply_ops(base, ops, f, loc);
        };
        let mut names: Vec<String> = vec![root_name.as_str().to_owned()];
        let mut rest = ops;
        while let Some((op, tail)) = rest.split_first() {
            match op.value() {
                TraversalOperator::GetAttr(id) => names.push(id.as_str().to_owned()),
                // `aws_x.y[0].arn`, `aws_x.y["k"].arn`: an instance of a counted resource is
                // the resource for the model.
                TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)
                    if names.len() == 2 && !matches!(names[0].as_str(), "var" | "local") =>
                {
                    rest = tail;
                    continue;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)
                    if names.len() == 2 =>
                {
                    rest = tail;
                    continue;
                }
                _ => break,
            }
            rest = tail;
        }
        let consumed = ops.len() - rest.len();
        let (base, used) = self.reference(&names, loc);
        // Names beyond what the reference used are attribute accesses into its value.
        let mut v = base;
        for n in &names[used..] {
            v = field(&v, n, loc);
        }
        let _ = consumed;
        self.apply_ops(v, rest, f, loc)
    }

    /// The value a dotted reference names, and how many of its names it used.
    fn reference(&mut self, names: &[String], loc: &Loc) -> (Node, usize) {
        let text = names.join(".");
        match names[0].as_str() {
            // A variable's value, placed where it is used (the variable's own declaration
            // is a parameter of the application).
            "var" if names.len() >= 2 => (
                self.m.vars.get(&names[1]).map_or_else(
                    || symbolic(format!("var.{}", names[1]), loc),
                    |v| match v.value {
                        Value::Map(_) | Value::Seq(_) => self.charged(v, loc),
                        _ => Node::new(self.charged(v, loc).value, loc.clone()),
                    },
                ),
                2,
            ),
            "local" if names.len() >= 2 => (self.local(&names[1], loc), 2),
            // Relative paths are resolved against the root module's folder, as Terraform
            // resolves them against its working directory: `path.module` is the module's
            // folder relative to it, `path.root` and `path.cwd` are that folder itself.
            "path" => {
                let value = match names.get(1).map(String::as_str) {
                    Some("module") => relative(&self.m.root, &self.m.dir),
                    _ => ".".to_owned(),
                };
                (node(Value::Str(value), loc), 2.min(names.len()))
            }
            "terraform" => (
                node(Value::Str("default".to_owned()), loc),
                2.min(names.len()),
            ),
            "count" | "each" | "self" => (symbolic(&text, loc), names.len()),
            "data" if names.len() >= 3 => {
                let key = format!("{}.{}", names[1], names[2]);
                let attr = names.get(3).map_or("", String::as_str);
                (self.data_attr(&key, attr, loc), names.len().min(4))
            }
            "module" if names.len() >= 3 => {
                let out = self.module_output(&names[1], &names[2], loc);
                (out, 3)
            }
            t if names.len() >= 2
                && self.m.resources.contains_key(&format!("{t}.{}", names[1])) =>
            {
                let address = format!("{}{t}.{}", self.m.prefix, names[1]);
                match names.get(2) {
                    // An argument another resource echoes (`aws_api_gateway_method.m.http_method`)
                    // is the value written there: what links an integration to its method.
                    Some(attr) if ECHOED_ARGUMENTS.contains(&(t, attr.as_str())) => {
                        let key = format!("{t}.{}", names[1]);
                        let written = self.m.resources.get(&key).and_then(|b| {
                            attr_expr(&b.item.body, attr).map(|e| (e.clone(), Arc::clone(&b.file)))
                        });
                        match written {
                            Some((e, file)) => (self.expr(&e, &file), 3),
                            None => (attribute_ref(&address, attr, loc), 3),
                        }
                    }
                    Some(attr) => (attribute_ref(&address, attr, loc), 3),
                    None => (reference(&address, loc), 2),
                }
            }
            _ => (symbolic(&text, loc), names.len()),
        }
    }

    fn local(&mut self, name: &str, loc: &Loc) -> Node {
        let Some(l) = self.m.locals.get(name) else {
            return symbolic(format!("local.{name}"), loc);
        };
        if self.locals_in_progress.iter().any(|n| n == name) {
            return symbolic(format!("cycle:local.{name}"), loc);
        }
        if let Some(v) = self.m.local_values.borrow().get(name) {
            return self.charged(v, loc);
        }
        self.locals_in_progress.push(name.to_owned());
        let v = self.expr(&l.item, &l.file);
        self.locals_in_progress.pop();
        self.m
            .local_values
            .borrow_mut()
            .insert(name.to_owned(), v.clone());
        self.charged(&v, loc)
    }

    /// A copy of a value, charged to the budget (symbolic once it is spent).
    fn charged(&self, v: &Node, loc: &Loc) -> Node {
        if self.files.budget().charge(crate::limits::weight(v), loc) {
            v.clone()
        } else {
            symbolic("over the resolution limit", loc)
        }
    }

    /// A string of `len` bytes, if within the size bound and the budget.
    fn text_fits(&self, len: usize, loc: &Loc) -> bool {
        let b = self.files.budget();
        b.fits(len, loc, "a Terraform expression") && b.charge(len, loc)
    }

    fn module_output(&mut self, module: &str, output: &str, loc: &Loc) -> Node {
        if let Some(call) = self.m.known.iter().find(|c| c.name == module) {
            return call
                .output(&self.m.prefix, output, loc)
                .unwrap_or_else(|| symbolic(format!("module.{module}.{output}"), loc));
        }
        let Some(child) = self.m.children.get(module) else {
            return symbolic(format!("module.{module}.{output}"), loc);
        };
        let Some(o) = child.outputs.get(output) else {
            return symbolic(format!("module.{module}.{output}"), loc);
        };
        let mut ev = Eval::new(child, self.files);
        ev.depth = self.depth + 1;
        ev.expr(&o.item, &o.file)
    }

    /// A data source's attribute: policy documents become documents, archives their
    /// output path; the rest is symbolic.
    fn data_attr(&mut self, key: &str, attr: &str, loc: &Loc) -> Node {
        let Some(b) = self.m.data.get(key).cloned() else {
            return symbolic(format!("data.{key}.{attr}"), loc);
        };
        let kind = key.split('.').next().unwrap_or("");
        match (kind, attr) {
            ("aws_iam_policy_document", "json" | "minified_json") => self.policy_document(&b),
            ("archive_file", "output_path") => self
                .attr(&b, "output_path")
                .unwrap_or_else(|| symbolic(format!("data.{key}.{attr}"), loc)),
            ("aws_caller_identity", "account_id") => symbolic("account-id", loc),
            ("aws_region", "name" | "id") => symbolic("region", loc),
            ("aws_partition", "partition") => node(Value::Str("aws".to_owned()), loc),
            _ => symbolic(format!("data.{key}.{attr}"), loc),
        }
    }

    /// An `aws_iam_policy_document` as a policy document.
    pub(crate) fn policy_document(&mut self, b: &Located<Block>) -> Node {
        let loc = loc_of(&b.file, b.item.span());
        let mut statements = Vec::new();
        for s in b.item.body.get_blocks("statement") {
            let sb = Located {
                file: Arc::clone(&b.file),
                item: s.clone(),
            };
            let sloc = loc_of(&b.file, s.span());
            let mut entries: Vec<(&str, Node)> = Vec::new();
            let effect = self
                .attr(&sb, "effect")
                .unwrap_or_else(|| node(Value::Str("Allow".to_owned()), &sloc));
            entries.push(("Effect", effect));
            for (tf, cfn) in [
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ] {
                if let Some(v) = self.attr(&sb, tf) {
                    entries.push((cfn, v));
                }
            }
            for (block, cfn) in [
                ("principals", "Principal"),
                ("not_principals", "NotPrincipal"),
            ] {
                let mut principal: Vec<(Key, Node)> = Vec::new();
                for p in s.body.get_blocks(block) {
                    let pb = Located {
                        file: Arc::clone(&b.file),
                        item: p.clone(),
                    };
                    let ty = self
                        .attr(&pb, "type")
                        .and_then(|t| known_text(&t))
                        .unwrap_or_else(|| "AWS".to_owned());
                    if let Some(ids) = self.attr(&pb, "identifiers") {
                        principal.push((
                            Key {
                                name: ty,
                                loc: ids.loc.clone(),
                            },
                            ids,
                        ));
                    }
                }
                if !principal.is_empty() {
                    entries.push((cfn, node(Value::Map(principal), &sloc)));
                }
            }
            let mut conditions: Vec<(Key, Node)> = Vec::new();
            for c in s.body.get_blocks("condition") {
                let cb = Located {
                    file: Arc::clone(&b.file),
                    item: c.clone(),
                };
                let test = self
                    .attr(&cb, "test")
                    .and_then(|t| known_text(&t))
                    .unwrap_or_default();
                let variable = self
                    .attr(&cb, "variable")
                    .and_then(|t| known_text(&t))
                    .unwrap_or_default();
                let values = self
                    .attr(&cb, "values")
                    .unwrap_or_else(|| node(Value::Seq(Vec::new()), &sloc));
                let cloc = loc_of(&b.file, c.span());
                conditions.push((
                    Key {
                        name: test,
                        loc: cloc.clone(),
                    },
                    map(vec![(variable.as_str(), values)], &cloc),
                ));
            }
            if !conditions.is_empty() {
                entries.push(("Condition", node(Value::Map(conditions), &sloc)));
            }
            statements.push(map(entries, &sloc));
        }
        map(
            vec![
                ("Version", node(Value::Str("2012-10-17".to_owned()), &loc)),
                ("Statement", node(Value::Seq(statements), &loc)),
            ],
            &loc,
        )
    }

    fn apply_ops(
        &mut self,
        mut v: Node,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        f: &Arc<SourceFile>,
        loc: &Loc,
    ) -> Node {
        for op in ops {
            v = match op.value() {
                TraversalOperator::GetAttr(id) => field(&v, id.as_str(), loc),
                TraversalOperator::Index(i) => {
                    let k = self.expr(i, f);
                    index(&v, &k, loc)
                }
                TraversalOperator::LegacyIndex(i) => {
                    let k = node(Value::Int(i64::try_from(*i.value()).unwrap_or(0)), loc);
                    index(&v, &k, loc)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => v,
            };
        }
        v
    }

    /// Whether an object may hold attributes that are not known (the result of a `merge()`
    /// with an unknown argument).
    fn is_open(&self, v: &Node) -> bool {
        matches!(v.value, Value::Map(_))
            && self
                .files
                .open_objects()
                .borrow()
                .contains(&loc_key(&v.loc))
    }

    /// A variable's value converted to its declared type as Terraform converts it: an
    /// attribute `optional(T, default)` of an `object({...})` that the value does not set
    /// takes its default (`null` when none), inside maps, lists and nested objects too.
    /// Values that are not known objects (unknown, references, open merges) are unchanged.
    pub(crate) fn conform(
        &mut self,
        v: Node,
        ty: &Expression,
        f: &Arc<SourceFile>,
        depth: u32,
    ) -> Node {
        let Expression::FuncCall(call) = ty else {
            return v;
        };
        if depth > MAX_TYPE_DEPTH || v.intrinsic().is_some() || self.is_open(&v) {
            return v;
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        match (call.name.name.as_str(), &v.value, args.as_slice()) {
            ("object", Value::Map(entries), [Expression::Object(spec)]) => {
                let mut out = entries.clone();
                for (k, attr) in spec.iter() {
                    let ObjectKey::Ident(name) = k else { continue };
                    let name = name.as_str();
                    let (inner, default) = match attr.expr() {
                        Expression::FuncCall(o) if o.name.name.as_str() == "optional" => {
                            let a: Vec<&Expression> = o.args.iter().collect();
                            (a.first().copied(), Some(a.get(1).copied()))
                        }
                        other => (Some(other), None),
                    };
                    let at = out.iter().position(|(key, _)| key.name == name);
                    let value = match (at, default) {
                        (Some(i), _) => out[i].1.clone(),
                        // Only an optional attribute is completed.
                        (None, None) => continue,
                        (None, Some(Some(d))) => self.expr(d, f),
                        (None, Some(None)) => node(Value::Null, &v.loc),
                    };
                    let value = match inner {
                        Some(t) => self.conform(value, t, f, depth + 1),
                        None => value,
                    };
                    match at {
                        Some(i) => out[i].1 = value,
                        None => out.push((
                            Key {
                                name: name.to_owned(),
                                loc: v.loc.clone(),
                            },
                            value,
                        )),
                    }
                }
                Node::new(Value::Map(out), v.loc)
            }
            ("map", Value::Map(entries), [t]) => {
                let out = entries
                    .iter()
                    .map(|(k, x)| (k.clone(), self.conform(x.clone(), t, f, depth + 1)))
                    .collect();
                Node::new(Value::Map(out), v.loc)
            }
            ("list" | "set", Value::Seq(items), [t]) => {
                let out = items
                    .iter()
                    .map(|x| self.conform(x.clone(), t, f, depth + 1))
                    .collect();
                Node::new(Value::Seq(out), v.loc)
            }
            _ => v,
        }
    }

    fn call(&mut self, call: &hcl_edit::expr::FuncCall, f: &Arc<SourceFile>, loc: &Loc) -> Node {
        let name = call.name.name.as_str();
        let args: Vec<Node> = call.args.iter().map(|a| self.expr(a, f)).collect();
        let arg = |i: usize| args.get(i).cloned();
        let unknown = || symbolic(format!("{name}(…)"), loc);
        match name {
            "jsonencode" | "yamlencode" | "tostring" | "tolist" | "toset" | "tomap"
            | "sensitive" | "nonsensitive" | "trimspace" => arg(0).unwrap_or_else(unknown),
            "jsondecode" => arg(0)
                .and_then(|a| known_text(&a))
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                .map_or_else(unknown, |j| from_json(&j, loc)),
            "format" => {
                let Some(fmt) = arg(0).and_then(|a| known_text(&a)) else {
                    return unknown();
                };
                let mut parts = Vec::new();
                let mut rest = fmt.as_str();
                let mut i = 1;
                while let Some(p) = rest.find('%') {
                    parts.push(node(Value::Str(rest[..p].to_owned()), loc));
                    let spec = rest[p + 1..].chars().next().unwrap_or('%');
                    if spec == '%' {
                        parts.push(node(Value::Str("%".to_owned()), loc));
                    } else {
                        parts.push(arg(i).unwrap_or_else(unknown));
                        i += 1;
                    }
                    rest = &rest[p + 1 + spec.len_utf8()..];
                }
                parts.push(node(Value::Str(rest.to_owned()), loc));
                self.joined(parts, loc)
            }
            "join" => {
                let sep = arg(0).and_then(|a| known_text(&a)).unwrap_or_default();
                let items: Vec<Node> = args
                    .iter()
                    .skip(1)
                    .flat_map(|a| a.items().into_iter().cloned().collect::<Vec<_>>())
                    .collect();
                let mut parts = Vec::new();
                for (i, it) in items.into_iter().enumerate() {
                    if i > 0 {
                        parts.push(node(Value::Str(sep.clone()), loc));
                    }
                    parts.push(it);
                }
                self.joined(parts, loc)
            }
            "concat" | "flatten" | "compact" | "distinct"
                if !self
                    .files
                    .budget()
                    .charge(args.iter().map(crate::limits::weight).sum::<usize>(), loc) =>
            {
                unknown()
            }
            "concat" | "flatten" | "compact" | "distinct" => node(
                Value::Seq(
                    args.iter()
                        .flat_map(|a| match &a.value {
                            Value::Seq(v) => v.clone(),
                            _ => vec![a.clone()],
                        })
                        .collect(),
                ),
                loc,
            ),
            "merge" => {
                let mut out: Vec<(Key, Node)> = Vec::new();
                let mut open = false;
                for a in &args {
                    // An argument not known to be an object (a reference, an unknown value)
                    // may add any attribute: the result is open.
                    if !matches!(a.value, Value::Map(_) | Value::Null)
                        || a.intrinsic().is_some()
                        || self.is_open(a)
                    {
                        open = true;
                    }
                    if a.intrinsic().is_some() {
                        continue;
                    }
                    for (k, v) in a.entries() {
                        out.retain(|(x, _)| x.name != k.name);
                        out.push((k.clone(), v.clone()));
                    }
                }
                if open {
                    self.files.open_objects().borrow_mut().insert(loc_key(loc));
                }
                node(Value::Map(out), loc)
            }
            "lookup" => {
                let (Some(m), Some(k)) = (arg(0), arg(1).and_then(|k| known_text(&k))) else {
                    return unknown();
                };
                m.get(&k)
                    .cloned()
                    .or_else(|| arg(2))
                    .unwrap_or_else(unknown)
            }
            "element" => match (arg(0), arg(1)) {
                (Some(l), Some(i)) => index(&l, &i, loc),
                _ => unknown(),
            },
            "coalesce" | "try" => args
                .iter()
                .find(|a| !a.is_null() && !a.is_symbolic())
                .cloned()
                .unwrap_or_else(unknown),
            "lower" | "upper" => arg(0)
                .and_then(|a| known_text(&a))
                .map_or_else(unknown, |s| {
                    node(
                        Value::Str(if name == "lower" {
                            s.to_lowercase()
                        } else {
                            s.to_uppercase()
                        }),
                        loc,
                    )
                }),
            "replace" => match (
                arg(0).and_then(|a| known_text(&a)),
                arg(1).and_then(|a| known_text(&a)),
                arg(2).and_then(|a| known_text(&a)),
            ) {
                (Some(s), Some(a), Some(b)) if !a.starts_with('/') => {
                    let grows = if a.is_empty() {
                        s.len() + 1
                    } else {
                        s.matches(a.as_str()).count()
                    };
                    let len = s.len() + grows.saturating_mul(b.len());
                    if !self.text_fits(len, loc) {
                        return unknown();
                    }
                    node(Value::Str(s.replace(&a, &b)), loc)
                }
                _ => unknown(),
            },
            "length" => match arg(0).map(|a| a.value) {
                Some(Value::Seq(v)) => node(Value::Int(v.len() as i64), loc),
                Some(Value::Map(v)) => node(Value::Int(v.len() as i64), loc),
                Some(Value::Str(s)) => node(Value::Int(s.chars().count() as i64), loc),
                _ => unknown(),
            },
            "file" => arg(0)
                .and_then(|a| known_text(&a))
                .and_then(|p| self.read(&p))
                .map_or_else(unknown, |sf| file_node(&sf)),
            "templatefile" => {
                let Some(sf) = arg(0)
                    .and_then(|a| known_text(&a))
                    .and_then(|p| self.read(&p))
                else {
                    return unknown();
                };
                let vars = arg(1).unwrap_or_else(|| node(Value::Map(Vec::new()), loc));
                let text = substitute(sf.text(), &vars).filter(|t| self.text_fits(t.len(), loc));
                let whole = file_node(&sf);
                match text {
                    Some(t) if t.trim_start().starts_with(['{', '[']) => {
                        serde_json::from_str::<serde_json::Value>(&t).map_or_else(
                            |_| node(Value::Str(t.clone()), &whole.loc),
                            |j| from_json(&j, &whole.loc),
                        )
                    }
                    Some(t) => node(Value::Str(t), &whole.loc),
                    None => symbolic(format!("templatefile({})", sf.path()), &whole.loc),
                }
            }
            _ => unknown(),
        }
    }

    /// Parts of a string joined (see [`concat_parts`]), within the size bound and budget.
    fn joined(&self, parts: Vec<Node>, loc: &Loc) -> Node {
        let len: usize = parts
            .iter()
            .map(|p| match &p.value {
                Value::Str(s) | Value::Symbolic(s) => s.len(),
                _ => crate::limits::weight(p),
            })
            .sum();
        if !self.text_fits(len, loc) {
            return symbolic("over the resolution limit", loc);
        }
        concat_parts(parts, loc)
    }

    /// A file named relative to the root module's folder (`${path.module}/policy.json`
    /// evaluates to `modules/x/policy.json` in a child module), if it is one of the tree's
    /// files.
    fn read(&self, path: &str) -> Option<Arc<SourceFile>> {
        self.files.text(&self.m.resolve(path)?)
    }
}

/// A literal heredoc holding a JSON document (a policy), parsed in place: every value keeps
/// its own line and column in the `.tf` file. The document is parsed from a copy of the file
/// where everything outside the heredoc is blanked (newlines kept), so spans need no
/// translation.
fn heredoc_document(h: &hcl_edit::template::HeredocTemplate, f: &Arc<SourceFile>) -> Option<Node> {
    if !h.template.iter().all(|e| matches!(e, Element::Literal(_))) {
        return None;
    }
    let range = h.template.span()?;
    let text = f.text();
    let body = text.get(range.clone())?;
    if !body.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let blanked: String = text
        .char_indices()
        .map(|(i, c)| {
            if range.contains(&i) || c == '\n' {
                c
            } else if c.is_ascii() {
                ' '
            } else {
                // Keep byte offsets: a multi-byte character outside becomes as many spaces
                // as it has bytes.
                '\u{0}'
            }
        })
        .flat_map(|c| if c == '\u{0}' { vec![] } else { vec![c] })
        .collect();
    if blanked.len() != text.len() {
        return None;
    }
    let copy = SourceFile::new(f.path(), blanked);
    let doc = crate::yaml::parse(&copy).ok()?;
    matches!(doc.value, Value::Map(_) | Value::Seq(_)).then_some(doc)
}

/// The content of a file as a node: JSON documents as structure, text otherwise.
fn file_node(sf: &Arc<SourceFile>) -> Node {
    let loc = Loc::new(
        sf,
        Span {
            start: 0,
            end: u32::try_from(sf.text().len()).unwrap_or(u32::MAX),
        },
    );
    let t = sf.text();
    if t.trim_start().starts_with(['{', '['])
        && let Ok(j) = serde_json::from_str::<serde_json::Value>(t)
    {
        // Read again with spans (JSON is YAML's flow syntax): a policy statement found in
        // the file points at its own line.
        if let Ok(doc) = crate::yaml::parse(sf)
            && matches!(doc.value, Value::Map(_) | Value::Seq(_))
        {
            return doc;
        }
        return from_json(&j, &loc);
    }
    node(Value::Str(t.to_owned()), &loc)
}

/// `${name}` interpolations of a template file replaced by known variables; `None` when one
/// is not known or the template uses directives.
fn substitute(text: &str, vars: &Node) -> Option<String> {
    if text.contains("%{") {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        let name = rest[i + 2..end].trim();
        out.push_str(&known_text(vars.get(name)?)?);
        if out.len() > crate::limits::MAX_VALUE_BYTES {
            return None;
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Parts of a string joined: text when all are known, `Fn::Join` when some are references
/// (so the graph still sees them), symbolic otherwise.
fn concat_parts(parts: Vec<Node>, loc: &Loc) -> Node {
    if parts.len() == 1 && !matches!(parts[0].value, Value::Str(_)) {
        return parts
            .into_iter()
            .next()
            .unwrap_or_else(|| node(Value::Null, loc));
    }
    if parts.iter().all(|p| known_text(p).is_some()) {
        let s: String = parts.iter().filter_map(known_text).collect();
        return node(Value::Str(s), loc);
    }
    if parts.iter().any(|p| p.intrinsic().is_some()) {
        return map(
            vec![(
                "Fn::Join",
                node(
                    Value::Seq(vec![
                        node(Value::Str(String::new()), loc),
                        node(Value::Seq(parts), loc),
                    ]),
                    loc,
                ),
            )],
            loc,
        );
    }
    let s: String = parts
        .iter()
        .map(|p| known_text(p).unwrap_or_else(|| p.display()))
        .collect();
    node(Value::Symbolic(s), loc)
}

fn field(v: &Node, name: &str, loc: &Loc) -> Node {
    // A whole resource passed as a value (a module output `value = aws_s3_bucket.site`):
    // its attributes are the resource's, as if named directly.
    if let Some(("Ref", arg)) = v.intrinsic()
        && let Some(address) = arg.as_str()
    {
        return attribute_ref(address, name, loc);
    }
    match &v.value {
        Value::Map(_) => v
            .get(name)
            .cloned()
            .unwrap_or_else(|| symbolic(format!("{}.{name}", v.display()), loc)),
        _ => symbolic(format!("{}.{name}", v.display()), loc),
    }
}

fn index(v: &Node, k: &Node, loc: &Loc) -> Node {
    match (&v.value, &k.value) {
        (Value::Seq(items), Value::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| items.get(i).cloned())
            .unwrap_or_else(|| symbolic("index", loc)),
        (Value::Map(_), _) => known_text(k)
            .and_then(|key| v.get(&key).cloned())
            .unwrap_or_else(|| symbolic("index", loc)),
        _ => symbolic(format!("{}[…]", v.display()), loc),
    }
}

fn binary(op: BinaryOperator, l: &Node, r: &Node, loc: &Loc) -> Node {
    use BinaryOperator as B;
    // `var.bucket == null` is decided when both sides are known (a default of `null`, an
    // object, a reference to a resource): only an unknown value may be null or not.
    let known = |n: &Node| !n.is_symbolic();
    let value = match (op, &l.value, &r.value) {
        (B::Eq | B::NotEq, Value::Null, _) | (B::Eq | B::NotEq, _, Value::Null)
            if known(l) && known(r) =>
        {
            Value::Bool((l.is_null() && r.is_null()) == matches!(op, B::Eq))
        }
        (B::Eq, _, _) if known_text(l).is_some() && known_text(r).is_some() => {
            Value::Bool(known_text(l) == known_text(r))
        }
        (B::NotEq, _, _) if known_text(l).is_some() && known_text(r).is_some() => {
            Value::Bool(known_text(l) != known_text(r))
        }
        (B::And, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a && *b),
        (B::Or, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a || *b),
        (B::Plus, Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_add(*b)),
        (B::Minus, Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_sub(*b)),
        (B::Mul, Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_mul(*b)),
        (B::Less, Value::Int(a), Value::Int(b)) => Value::Bool(a < b),
        (B::Greater, Value::Int(a), Value::Int(b)) => Value::Bool(a > b),
        _ => return symbolic("expression", loc),
    };
    node(value, loc)
}

/// The expression of an attribute of a body.
pub(crate) fn attr_expr<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.get_attribute(key).map(|a| &a.value)
}
