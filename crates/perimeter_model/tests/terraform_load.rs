//! The Terraform loader on a root module with variables, `terraform.tfvars`, locals, a local
//! module, a remote module, data sources (archives, policy documents) and the resources that
//! define, trigger, expose and empower functions; and on a broken file.

mod apps;

use std::collections::BTreeMap;
use std::sync::Arc;

use perimeter_diagnostics::{Loc, SourceFile};
use perimeter_model::yaml::Node;
use perimeter_model::{Application, Auth, EventKind, Framework, terraform};

/// The fixtures folder as the scanned tree.
struct Fixtures {
    files: BTreeMap<String, Arc<SourceFile>>,
}

impl Fixtures {
    fn new() -> Self {
        Self {
            files: apps::read_tree("tests/fixtures", "terraform"),
        }
    }
}

impl terraform::Tree for Fixtures {
    fn file(&self, rel: &str) -> Option<Arc<SourceFile>> {
        self.files.get(rel).cloned()
    }

    fn has_dir(&self, dir: &str) -> bool {
        self.files.keys().any(|k| k.starts_with(&format!("{dir}/")))
    }

    fn files_in(&self, dir: &str) -> Vec<String> {
        self.files
            .keys()
            .filter(|k| {
                k.rsplit_once('/').map_or("", |(d, _)| d) == dir
                    && (terraform::is_terraform(k) || terraform::is_tfvars(k))
            })
            .cloned()
            .collect()
    }
}

fn at(loc: &Loc) -> (String, u32, u32) {
    let p = loc.start();
    (loc.file.path().to_owned(), p.line, p.column)
}

fn text(n: Option<&Node>) -> String {
    n.map(Node::display).unwrap_or_default()
}

fn shop() -> (Application, Vec<String>) {
    terraform::load("terraform/shop", &Fixtures::new())
}

const MAIN: &str = "terraform/shop/main.tf";

#[test]
fn root_modules_leave_out_the_modules_they_call() {
    let t = Fixtures::new();
    let dirs: Vec<String> = [
        "terraform/broken",
        "terraform/shop",
        "terraform/shop/modules/queue",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(
        terraform::root_modules(&t, &dirs),
        ["terraform/broken", "terraform/shop"]
    );
}

#[test]
fn functions_with_variables_locals_tfvars_and_archives() {
    let (app, warnings) = shop();
    assert_eq!(app.framework, Framework::Terraform);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let f = app.function("aws_lambda_function.orders").unwrap();
    assert_eq!(at(&f.loc).1, 7);
    // `local.name` is `"${var.prefix}-orders"`, with `prefix` from terraform.tfvars.
    assert_eq!(text(f.name.as_ref()), "prod-orders");
    assert_eq!(text(f.handler.as_ref()), "app.handler");
    assert_eq!(
        at(&f.handler.as_ref().unwrap().loc),
        (MAIN.to_owned(), 10, 19)
    );
    // The variable's default, placed where the function uses it.
    assert_eq!(text(f.timeout.as_ref()), "900");
    assert_eq!(
        at(&f.timeout.as_ref().unwrap().loc),
        (MAIN.to_owned(), 12, 19)
    );
    // The variables are the application's parameters, with their defaults.
    let timeout = app.parameters.iter().find(|p| p.name == "timeout").unwrap();
    assert_eq!(
        at(&timeout.default.as_ref().unwrap().loc),
        ("terraform/shop/variables.tf".to_owned(), 7, 13)
    );
    // The package is built from the archive's source folder.
    assert_eq!(f.code_dir.as_deref(), Some("terraform/shop/src/orders"));
    // The secret comes from terraform.tfvars; the environment variable is where it is put.
    let pw = f.env("DB_PASSWORD").unwrap();
    assert_eq!(text(Some(&pw.value)), "hunter2-Pr0d-9f8e7d");
    assert_eq!(at(&pw.value.loc), (MAIN.to_owned(), 18, 21));
    // A module output that is a reference stays one: the queue's URL is the queue.
    let q = f.env("QUEUE_URL").unwrap();
    assert_eq!(
        q.value.referenced_ids(),
        ["module.queue.aws_sqs_queue.this"]
    );
    assert_eq!(
        f.env("TABLE").unwrap().value.referenced_ids(),
        ["aws_dynamodb_table.orders"]
    );
    // The log group names the function through the same local.
    assert_eq!(text(f.log_retention.as_ref()), "14");
    // The remote module is recorded, not fetched.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("terraform-aws-modules/vpc/aws")),
        "{warnings:?}"
    );
}

#[test]
fn roles_policies_documents_and_attachments() {
    let (app, _) = shop();
    let f = app.function("aws_lambda_function.orders").unwrap();
    let role = app.role_of(f).unwrap();
    assert_eq!(role.id, "aws_iam_role.orders");
    let actions: Vec<String> = role
        .statements
        .iter()
        .flat_map(|s| s.actions.iter().map(Node::display))
        .collect();
    assert!(actions.contains(&"dynamodb:*".to_owned()), "{actions:?}");
    let wildcard = role
        .statements
        .iter()
        .find(|s| s.actions.iter().any(|a| a.display() == "dynamodb:*"))
        .unwrap();
    // The statement points into the policy document data source.
    assert_eq!(at(&wildcard.actions[0].loc).1, 54);
    assert!(
        role.managed_policies
            .iter()
            .any(|m| m.display().ends_with("AdministratorAccess"))
    );
}

#[test]
fn triggers_routes_and_urls() {
    let (app, _) = shop();
    let f = app.function("aws_lambda_function.orders").unwrap();
    let kinds: Vec<EventKind> = f.events.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::HttpApi), "{kinds:?}");
    assert!(kinds.contains(&EventKind::S3), "{kinds:?}");
    assert!(kinds.contains(&EventKind::Sqs), "{kinds:?}");
    let route = f
        .events
        .iter()
        .find_map(|e| e.route.as_ref())
        .expect("a route");
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("POST", "/orders")
    );
    assert!(matches!(route.auth, Auth::None));
    let s3 = f.events.iter().find(|e| e.kind == EventKind::S3).unwrap();
    assert_eq!(s3.filters.len(), 1);
    assert_eq!(text(Some(&s3.filters[0].value)), "incoming/");
    let sqs = f.events.iter().find(|e| e.kind == EventKind::Sqs).unwrap();
    assert_eq!(
        sqs.source.as_ref().unwrap().referenced_ids(),
        ["module.queue.aws_sqs_queue.this"]
    );
    let url = f.url.as_ref().expect("a function URL");
    assert_eq!(text(url.auth_type.as_ref()), "NONE");
    // The bucket's public access block is folded into the bucket.
    let bucket = app.resource("aws_s3_bucket.uploads").unwrap();
    assert_eq!(
        text(
            bucket
                .prop("PublicAccessBlockConfiguration")
                .and_then(|p| p.get("BlockPublicPolicy"))
        ),
        "false"
    );
    assert!(app.resource("module.queue.aws_sqs_queue.this").is_some());
}

#[test]
fn a_broken_file_is_an_error_naming_it() {
    let (app, _) = terraform::load("terraform/broken", &Fixtures::new());
    assert_eq!(app.errors.len(), 1, "{:?}", app.errors);
    assert_eq!(app.errors[0].path, "terraform/broken/main.tf");
    assert!(
        app.errors[0].message.contains("cannot parse HCL"),
        "{}",
        app.errors[0].message
    );
}

#[test]
fn deep_nesting_is_refused_not_recursed() {
    let mut t = Fixtures::new();
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    t.files.insert(
        "terraform/deep/main.tf".to_owned(),
        SourceFile::new("terraform/deep/main.tf", deep),
    );
    let (app, _) = terraform::load("terraform/deep", &t);
    assert_eq!(app.errors.len(), 1, "{:?}", app.errors);
    assert!(
        app.errors[0].message.contains("levels deep"),
        "{}",
        app.errors[0].message
    );
}

#[test]
fn packages_written_inline_or_committed_beside_their_code() {
    let mut t = Fixtures::new();
    let tf = r#"
data "archive_file" "inline" {
  type        = "zip"
  output_path = "${path.module}/inline.zip"
  source {
    content  = "def handler(event, context): return 1"
    filename = "index.py"
  }
}

resource "aws_lambda_function" "inline" {
  function_name = "inline"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.inline.output_path
}

resource "aws_lambda_function" "zipped" {
  function_name = "zipped"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "../assets/app.zip"
}
"#;
    t.files.insert(
        "terraform/pkg/tf/main.tf".to_owned(),
        SourceFile::new("terraform/pkg/tf/main.tf", tf),
    );
    t.files.insert(
        "terraform/pkg/assets/app.py".to_owned(),
        SourceFile::new(
            "terraform/pkg/assets/app.py",
            "def handler(e, c):\n    return 1\n",
        ),
    );
    let (app, _) = terraform::load("terraform/pkg/tf", &t);
    let inline = app.function("aws_lambda_function.inline").unwrap();
    assert_eq!(inline.code_dir, None);
    assert!(
        inline
            .properties
            .as_ref()
            .and_then(|p| p.path(&["Code", "ZipFile"]))
            .is_some()
    );
    // No `assets/app/` folder: the code is beside the committed zip.
    let zipped = app.function("aws_lambda_function.zipped").unwrap();
    assert_eq!(zipped.code_dir.as_deref(), Some("terraform/pkg/assets"));
}

// --- issue 15 item 3: module paths, 0.11 syntax, templated packages, REST API links ---

fn load(dir: &str) -> (Application, Vec<String>) {
    terraform::load(dir, &Fixtures::new())
}

fn routes(app: &Application, id: &str) -> Vec<(String, String, bool)> {
    app.function(id)
        .unwrap()
        .events
        .iter()
        .filter_map(|e| e.route.as_ref())
        .map(|r| (r.method.clone(), r.path.clone(), r.auth.is_authenticated()))
        .collect()
}

#[test]
fn child_module_paths_resolve_against_the_root_module() {
    let (app, warnings) = load("terraform/modapp/infra");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let code: BTreeMap<&str, Option<&str>> = app
        .functions
        .iter()
        .map(|f| (f.id.as_str(), f.code_dir.as_deref()))
        .collect();
    let want: BTreeMap<&str, Option<&str>> = [
        // `code` passed in as `"${path.module}/../src/orders"`, evaluated in the root.
        (
            "module.orders.aws_lambda_function.this",
            Some("terraform/modapp/src/orders"),
        ),
        // Nested: the same module called from `modules/api`, its input evaluated there.
        (
            "module.api.module.users.aws_lambda_function.this",
            Some("terraform/modapp/src/users"),
        ),
        (
            "module.api.aws_lambda_function.reports",
            Some("terraform/modapp/src/reports"),
        ),
        // `path.root` in a child module is the root module's folder.
        (
            "module.api.aws_lambda_function.admin",
            Some("terraform/modapp/src/admin"),
        ),
        // `path.module` in a child module is its own folder.
        (
            "module.api.aws_lambda_function.local",
            Some("terraform/modapp/infra/modules/api/lambda"),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(code, want);
    let handlers: Vec<String> = app
        .functions
        .iter()
        .map(|f| text(f.handler.as_ref()))
        .collect();
    assert_eq!(
        handlers,
        [
            "admin.handler",
            "local.handler",
            "report.handler",
            "index.handler",
            "app.handler"
        ]
    );
    // The handler passed in is placed where the module uses it.
    let orders = app
        .function("module.orders.aws_lambda_function.this")
        .unwrap();
    assert_eq!(
        at(&orders.handler.as_ref().unwrap().loc),
        (
            "terraform/modapp/infra/modules/function/main.tf".to_owned(),
            15,
            19
        )
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("terraform-aws-modules/vpc/aws"))
    );
}

#[test]
fn terraform_0_11_syntax_is_read_with_its_lines() {
    let (app, _) = load("terraform/legacy");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let f = app
        .function("module.app.aws_lambda_function.convert")
        .unwrap();
    assert_eq!(text(f.name.as_ref()), "convert-prod");
    // `source_file = "code/convert.py"` in the module is relative to the root module.
    assert_eq!(f.code_dir.as_deref(), Some("terraform/legacy/code"));
    assert_eq!(f.role.as_deref(), Some("module.app.aws_iam_role.lambda"));
    // `environment { variables { ... } }` and `tags { ... }` written as blocks.
    let stage = f.env("STAGE").unwrap();
    assert_eq!(text(Some(&stage.value)), "prod");
    assert_eq!(
        at(&stage.value.loc),
        ("terraform/legacy/modules/lambda.tf".to_owned(), 24, 15)
    );
    assert_eq!(text(f.tags.as_ref().and_then(|t| t.get("Name"))), "convert");
    // The file HCL2 refuses (`response_models { "application/json" = "Empty" }`) is read,
    // and its unauthenticated method reaches the function.
    assert_eq!(
        routes(&app, "module.app.aws_lambda_function.convert"),
        [("GET".to_owned(), "/".to_owned(), false)]
    );
}

#[test]
fn a_file_broken_beyond_0_11_syntax_is_still_an_error() {
    let mut t = Fixtures::new();
    t.files.insert(
        "terraform/half/main.tf".to_owned(),
        SourceFile::new(
            "terraform/half/main.tf",
            "resource \"aws_sns_topic\" \"t\" {\n  tags {\n    \"k\" = \"v\"\n  }\n  name = = \"x\"\n}\n",
        ),
    );
    let (app, _) = terraform::load("terraform/half", &t);
    assert_eq!(app.errors.len(), 1, "{:?}", app.errors);
    assert!(app.errors[0].message.contains("line 5"), "{:?}", app.errors);
}

#[test]
fn templated_archive_source_is_the_code_of_its_function() {
    let (app, _) = load("terraform/tpl");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let f = app
        .function("module.fn.aws_lambda_function.templated")
        .unwrap();
    assert_eq!(
        f.handler_file.as_deref(),
        Some("terraform/tpl/modules/fn/handler.py.tpl")
    );
    assert_eq!(f.code_dir.as_deref(), Some("terraform/tpl/modules/fn"));
    // `source_content = file(...)` too.
    let c = app
        .function("module.fn.aws_lambda_function.copied")
        .unwrap();
    assert_eq!(
        c.handler_file.as_deref(),
        Some("terraform/tpl/modules/fn/copied.js")
    );
    // Near miss: code written in the configuration stays inline, with no file.
    let i = app
        .function("module.fn.aws_lambda_function.inline")
        .unwrap();
    assert_eq!(i.handler_file, None);
    assert!(
        i.properties
            .as_ref()
            .and_then(|p| p.path(&["Code", "ZipFile"]))
            .is_some()
    );
}

#[test]
fn rest_api_integrations_follow_their_method_by_reference() {
    let (app, _) = load("terraform/rest");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    assert_eq!(
        routes(&app, "aws_lambda_function.list"),
        [("GET".to_owned(), "/orders".to_owned(), false)]
    );
    // The verb read from `aws_api_gateway_method.remove`, and its `AWS_IAM`.
    assert_eq!(
        routes(&app, "aws_lambda_function.remove"),
        [("DELETE".to_owned(), "/orders".to_owned(), true)]
    );
    // Same verb as `list` on another resource: the admin method, authenticated.
    assert_eq!(
        routes(&app, "aws_lambda_function.admin"),
        [("GET".to_owned(), "/admin".to_owned(), true)]
    );
}

#[test]
fn what_count_or_for_each_leave_out_is_a_warning_not_a_function() {
    let mut t = Fixtures::new();
    let tf = r#"
variable "enable_extra" {
  default = false
}

variable "bucket" {
  default = null
}

module "extra" {
  source = "./extra"
  count  = var.enable_extra ? 1 : 0
}

resource "aws_lambda_function" "kept" {
  function_name = "kept"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = var.bucket == null ? "${path.module}/app.zip" : null
}

resource "aws_lambda_function" "off" {
  for_each      = {}
  function_name = "off"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}

# Near miss: a count that is not known keeps the function.
resource "aws_lambda_function" "unknown" {
  count         = length(data.aws_availability_zones.all.names)
  function_name = "unknown"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}
"#;
    let extra = r#"
resource "aws_lambda_function" "extra" {
  function_name = "extra"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "app.zip"
}
"#;
    for (p, text) in [
        ("terraform/gated/main.tf", tf),
        ("terraform/gated/extra/main.tf", extra),
        (
            "terraform/gated/app/app.py",
            "def handler(e, c):\n    return 1\n",
        ),
    ] {
        t.files.insert(p.to_owned(), SourceFile::new(p, text));
    }
    let (app, warnings) = terraform::load("terraform/gated", &t);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["aws_lambda_function.kept", "aws_lambda_function.unknown"]
    );
    // `var.bucket == null` is decided: the package is `app.zip`, beside `app/`.
    let kept = app.function("aws_lambda_function.kept").unwrap();
    assert_eq!(kept.code_dir.as_deref(), Some("terraform/gated/app"));
    for gone in ["module.extra", "aws_lambda_function.off"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(gone) && w.contains("not created")),
            "{warnings:?}"
        );
    }
}

#[test]
fn a_package_outside_the_scanned_tree_still_names_its_archive() {
    let mut t = Fixtures::new();
    let tf = r#"
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/../build/fn.zip"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.fn.output_path
}
"#;
    t.files
        .insert("main.tf".to_owned(), SourceFile::new("main.tf", tf));
    t.files.insert(
        "src/app.py".to_owned(),
        SourceFile::new("src/app.py", "def handler(e, c):\n    return 1\n"),
    );
    let (app, _) = terraform::load("", &t);
    let f = app.function("aws_lambda_function.fn").unwrap();
    assert_eq!(f.code_dir.as_deref(), Some("src"));
}

#[test]
fn a_policy_file_read_by_a_child_module_is_relative_to_the_root_with_its_lines() {
    let mut t = Fixtures::new();
    let files = [
        (
            "deploy/main.tf",
            "module \"svc\" {\n  source = \"./svc\"\n}\n",
        ),
        (
            "deploy/svc/main.tf",
            r#"
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = file("policies/assume.json")
}

resource "aws_iam_policy" "s3" {
  policy = file("policies/s3.json")
}

resource "aws_iam_role_policy_attachment" "s3" {
  role       = aws_iam_role.fn.id
  policy_arn = aws_iam_policy.s3.arn
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
"#,
        ),
        (
            "deploy/policies/assume.json",
            "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}\n",
        ),
        (
            "deploy/policies/s3.json",
            "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n",
        ),
        // Near miss: the same name beside the module is not what Terraform reads.
        (
            "deploy/svc/policies/s3.json",
            "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}\n",
        ),
    ];
    for (p, text) in files {
        t.files.insert(p.to_owned(), SourceFile::new(p, text));
    }
    let (app, _) = terraform::load("deploy", &t);
    let f = app.function("module.svc.aws_lambda_function.fn").unwrap();
    let role = app.role_of(f).unwrap();
    let action = role
        .statements
        .iter()
        .flat_map(|s| s.actions.iter())
        .find(|a| a.display() == "s3:*")
        .expect("the root's policies/s3.json");
    assert_eq!(
        at(&action.loc),
        ("deploy/policies/s3.json".to_owned(), 5, 17)
    );
}

// --- registry Lambda module read by its interface ---

#[test]
fn registry_lambda_module_calls_are_functions_with_their_role_url_and_triggers() {
    let (app, warnings) = load("terraform/registry");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "module.orders.aws_lambda_function.this",
            "module.notify.aws_lambda_function.this"
        ]
    );
    let orders = app
        .function("module.orders.aws_lambda_function.this")
        .unwrap();
    assert_eq!(text(orders.name.as_ref()), "orders-dev");
    assert_eq!(text(orders.handler.as_ref()), "app.handler");
    // `source_path` is the code folder; the handler is placed at its input.
    assert_eq!(
        orders.code_dir.as_deref(),
        Some("terraform/registry/src/orders")
    );
    assert_eq!(
        at(&orders.handler.as_ref().unwrap().loc),
        ("terraform/registry/main.tf".to_owned(), 13, 19)
    );
    // The module's default timeout (3 s) is the function's, placed at the module block.
    assert_eq!(text(orders.timeout.as_ref()), "3");
    assert_eq!(
        at(&orders.timeout.as_ref().unwrap().loc),
        ("terraform/registry/main.tf".to_owned(), 8, 1)
    );
    // The URL's authorization defaults to NONE, as the module's does.
    let url = orders.url.as_ref().expect("function URL");
    assert_eq!(text(url.auth_type.as_ref()), "NONE");
    // The role the module creates carries the statements, with their conditions.
    let role = app.role_of(orders).expect("the module's role");
    assert_eq!(role.id, "module.orders.aws_iam_role.lambda");
    let actions: Vec<String> = role
        .statements
        .iter()
        .flat_map(|s| s.actions.iter().map(|a| text(Some(a))))
        .collect();
    assert!(
        actions.contains(&"dynamodb:PutItem".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"logs:PutLogEvents".to_owned()),
        "{actions:?}"
    );
    let pass = role
        .statements
        .iter()
        .find(|s| s.actions.iter().any(|a| text(Some(a)) == "iam:PassRole"))
        .unwrap();
    assert!(
        text(pass.condition.as_ref()).contains("iam:PassedToService"),
        "{:?}",
        pass.condition
    );

    // A single file as `source_path` is the handler's module; an existing role is used.
    let notify = app
        .function("module.notify.aws_lambda_function.this")
        .unwrap();
    assert_eq!(
        notify.handler_file.as_deref(),
        Some("terraform/registry/functions/notify.py")
    );
    assert_eq!(text(notify.timeout.as_ref()), "30");
    assert_eq!(notify.role.as_deref(), Some("aws_iam_role.shared"));
    // The module's outputs link the caller's subscription to the function.
    assert!(
        notify.events.iter().any(|e| e.kind == EventKind::Sns),
        "{:?}",
        notify.events
    );

    // `create_function = false` creates nothing, and says so; a submodule is not a function.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("module.disabled") && w.contains("not created")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("terraform-aws-modules/lambda/aws//modules/alias")),
        "{warnings:?}"
    );
}

#[test]
fn a_copy_of_the_registry_lambda_module_is_read_by_its_interface() {
    let (app, _) = load("terraform/registry-copy");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let code: BTreeMap<&str, Option<&str>> = app
        .functions
        .iter()
        .map(|f| (f.id.as_str(), f.code_dir.as_deref()))
        .collect();
    // The package-only call creates no function; the call that deploys its package
    // (`local_filename`) has its source folder as code.
    let want: BTreeMap<&str, Option<&str>> = [
        (
            "module.hello.aws_lambda_function.this",
            Some("terraform/registry-copy/src/hello"),
        ),
        (
            "module.from_package.aws_lambda_function.this",
            Some("terraform/registry-copy/src/hello"),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(code, want);
}

// --- issue 15 (zipintake): variables take their declared types ---

/// The package path of a function, or how its code is named when it is not a package.
fn package_of(app: &Application, id: &str) -> String {
    match &app.function(id).unwrap_or_else(|| panic!("no {id}")).code {
        perimeter_model::CodeSource::Archive { zip, .. } => zip.clone(),
        other => format!("{other:?}").chars().take(60).collect(),
    }
}

#[test]
fn optional_object_attributes_take_their_defaults_through_merge_and_modules() {
    let (app, warnings) = load("terraform/typed/stack");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let f = |label: &str| format!("module.{label}.module.fn.aws_lambda_function.this");
    // `package == null` decided from `optional(string)`, the conditional then taken, through
    // `merge()` and a second module whose type completes the object again.
    assert_eq!(
        package_of(&app, &f("resizer")),
        "terraform/typed/build/worker.zip"
    );
    assert_eq!(
        text(app.function(&f("resizer")).unwrap().handler.as_ref()),
        "main.handle"
    );
    // A nested optional object's default is completed too (`limits.seconds`).
    assert_eq!(
        text(app.function(&f("resizer")).unwrap().timeout.as_ref()),
        "30"
    );
    // A value that is set wins over the default.
    assert_eq!(
        package_of(&app, &f("mailer")),
        "terraform/typed/dist/mailer-custom.zip"
    );
    // Near miss: a bucket is set, so `filename` is null and the code is not a local package.
    assert!(
        !package_of(&app, &f("stored")).ends_with(".zip"),
        "{}",
        package_of(&app, &f("stored"))
    );
    // Near miss: `merge()` with an unknown argument is not completed; the path stays unknown.
    assert!(
        !package_of(&app, &f("unknown")).contains("worker.zip"),
        "{}",
        package_of(&app, &f("unknown"))
    );
    // Near miss: `count` from an optional attribute's default (`null`) creates nothing.
    assert!(app.function(&f("paused")).is_none());
    assert!(
        warnings.iter().any(|w| w.contains("module.paused")),
        "{warnings:?}"
    );
}
