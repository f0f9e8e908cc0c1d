//! The Chalice loader on projects of `resources/test/chalice`: settings looked up per stage
//! and function, routes and event handlers of `app.py` and of registered blueprints, the
//! authorizers, and the three kinds of role.

mod apps;

use apps::{Tree, at};
use perimeter_model::{Application, Auth, EventKind, Framework, Function, RoleOrigin, chalice};

fn load(project: &str) -> Application {
    let tree = Tree::new("chalice");
    chalice::load(
        &tree.get(&format!("chalice/{project}/.chalice/config.json")),
        &tree,
    )
}

fn function<'a>(app: &'a Application, id: &str) -> &'a Function {
    app.function(id)
        .unwrap_or_else(|| panic!("no function {id}"))
}

const APP: &str = "chalice/shop/app.py";
const CONFIG: &str = "chalice/shop/.chalice/config.json";

#[test]
fn one_function_per_decorated_handler() {
    let app = load("shop");
    assert_eq!(app.framework, Framework::Chalice);
    assert_eq!(app.name.as_deref(), Some("shop"));
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    // app.py in source order, then the blueprints in the order they are registered; what is
    // commented out or inside a string is not a decorator.
    assert_eq!(
        ids,
        [
            "token_auth",
            "index",
            "item",
            "keys",
            "me",
            "resize",
            "consume",
            "alert",
            "hourly",
            "worker",
            "connect",
            "delete_order",
            "admin_dashboard",
            "admin_audit",
        ]
    );
    // A route's handler is its view function, declared where the decorator is; Chalice
    // deploys it as `api_handler`.
    let item = function(&app, "item");
    let handler = item.handler.as_ref().unwrap();
    assert_eq!(handler.as_str(), Some("app.item"));
    assert_eq!(at(&handler.loc), (APP.into(), 28, 5));
    assert_eq!(at(&item.loc), (APP.into(), 23, 2));
    assert_eq!(
        item.name.as_ref().and_then(|n| n.as_str()),
        Some("api_handler")
    );
    assert_eq!(item.code_dir.as_deref(), Some("chalice/shop"));
    // `@app.lambda_function(name=...)` is deployed under that name.
    let worker = function(&app, "worker");
    assert_eq!(worker.handler_str(), Some("app.work"));
    assert_eq!(worker.events[0].kind, EventKind::Other);
}

#[test]
fn routes_with_methods_authorizers_keys_and_cors() {
    let app = load("shop");
    let route = |id: &str, i: usize| function(&app, id).events[i].route.clone().unwrap();
    // A multi-line decorator: one event per method, authorised by the `@app.authorizer`.
    let item = function(&app, "item");
    assert_eq!(item.events.len(), 2);
    let (get, put) = (route("item", 0), route("item", 1));
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", "/items/{item_id}")
    );
    assert_eq!(put.method, "PUT");
    let Auth::Authorizer { kind, name, loc } = &get.auth else {
        panic!("{:?}", get.auth)
    };
    assert_eq!((kind.as_str(), name.as_str()), ("lambda", "token_auth"));
    assert_eq!(at(loc), (APP.into(), 26, 16));
    assert_eq!(at(&item.events[0].loc), (APP.into(), 23, 2));
    // IAMAuthorizer() assigned to a variable.
    assert!(matches!(&route("me", 0).auth, Auth::Authorizer { kind, .. } if kind == "aws_iam"));
    // No authorizer (the default), and an API key alone: nobody is authenticated.
    let index = route("index", 0);
    assert!(matches!(index.auth, Auth::None));
    assert_eq!((index.method.as_str(), index.path.as_str()), ("GET", "/"));
    let keys = route("keys", 0);
    assert!(matches!(keys.auth, Auth::None));
    assert!(keys.api_key_required);
    // `cors=cors` is the CORSConfig assigned in the module.
    let cors = index.cors.unwrap();
    assert_eq!(
        cors.get("allow_origin").and_then(|n| n.as_str()),
        Some("https://shop.example.com")
    );
    assert_eq!(
        at(&cors.get("allow_origin").unwrap().loc),
        (APP.into(), 10, 32)
    );
    assert_eq!(
        cors.get("allow_credentials").and_then(|n| n.as_bool()),
        Some(true)
    );
    // Blueprint routes carry the registration's url_prefix and name_prefix; `authorizer=None`
    // is no authorizer; methods are upper-cased.
    let delete = route("delete_order", 0);
    assert_eq!(
        (delete.method.as_str(), delete.path.as_str()),
        ("DELETE", "/orders/{order_id}")
    );
    assert!(matches!(delete.auth, Auth::None));
    let handler = function(&app, "delete_order").handler.clone().unwrap();
    assert_eq!(handler.as_str(), Some("chalicelib.orders.delete_order"));
    assert_eq!(
        at(&handler.loc),
        ("chalice/shop/chalicelib/orders.py".into(), 7, 5)
    );
    assert_eq!(route("admin_dashboard", 0).path, "/admin");
    // The REST API and its stage.
    assert_eq!(app.apis.len(), 1);
    let stage = app.apis[0]
        .properties
        .as_ref()
        .unwrap()
        .get("api_gateway_stage")
        .unwrap();
    assert_eq!(
        (stage.as_str(), at(&stage.loc)),
        (Some("v1"), (CONFIG.into(), 8, 28))
    );
}

#[test]
fn event_handlers_and_their_sources() {
    let app = load("shop");
    let ev = |id: &str| function(&app, id).events[0].clone();
    let s3 = ev("resize");
    assert_eq!(s3.kind, EventKind::S3);
    let bucket = s3.source.unwrap();
    assert_eq!(
        (bucket.as_str(), at(&bucket.loc)),
        (Some("uploads"), (APP.into(), 42, 25))
    );
    let filters: Vec<(String, Option<String>)> = s3
        .filters
        .iter()
        .map(|f| (f.name.clone(), f.value.as_str().map(str::to_owned)))
        .collect();
    assert_eq!(
        filters,
        [
            ("prefix".into(), Some("images/".into())),
            ("suffix".into(), Some(".png".into()))
        ]
    );
    let sqs = ev("consume");
    assert_eq!(sqs.kind, EventKind::Sqs);
    assert_eq!(
        sqs.source.as_ref().and_then(|n| n.as_str()),
        Some("orders-queue")
    );
    assert_eq!(at(&sqs.loc), (APP.into(), 47, 2));
    assert_eq!(ev("alert").kind, EventKind::Sns);
    assert_eq!(ev("alert").source.unwrap().as_str(), Some("alerts"));
    assert_eq!(ev("hourly").kind, EventKind::Schedule);
    let ws = ev("connect");
    assert_eq!(ws.kind, EventKind::WebSocket);
    assert_eq!(ws.route.unwrap().method, "$connect");
    // A blueprint's event handler is deployed under the registration's name_prefix.
    let audit = function(&app, "admin_audit");
    assert_eq!(audit.handler_str(), Some("chalicelib.admin.audit"));
    assert_eq!(
        audit.events[0].source.as_ref().and_then(|n| n.as_str()),
        Some("audit")
    );
    assert_eq!(
        at(&audit.events[0].source.as_ref().unwrap().loc),
        ("chalice/shop/chalicelib/admin.py".into(), 11, 32)
    );
    // The API Gateway authorizer is a function of its own, called with the caller's token.
    assert_eq!(ev("token_auth").type_name, "authorizer");
}

#[test]
fn settings_by_stage_and_function() {
    let app = load("shop");
    // `dev` is the stage read. The top-level timeout, the stage's concurrency and tracing,
    // `lambda_functions.api_handler` for routes and `lambda_functions.resize` for resize.
    let item = function(&app, "item");
    let timeout = item.timeout.as_ref().unwrap();
    assert_eq!(
        (timeout.as_i64(), at(&timeout.loc)),
        (Some(30), (CONFIG.into(), 4, 21))
    );
    assert_eq!(item.memory.as_ref().and_then(|n| n.as_i64()), Some(512));
    assert_eq!(
        item.reserved_concurrency.as_ref().and_then(|n| n.as_i64()),
        Some(20)
    );
    assert_eq!(item.tracing.as_ref().and_then(|n| n.as_bool()), Some(true));
    let resize = function(&app, "resize");
    let timeout = resize.timeout.as_ref().unwrap();
    assert_eq!(
        (timeout.as_i64(), at(&timeout.loc)),
        (Some(300), (CONFIG.into(), 14, 39))
    );
    assert!(
        resize.memory.is_none(),
        "api_handler's memory is not resize's"
    );
    // Environment: the top level, the stage over it, the function's over both.
    let env = |f: &Function| -> Vec<(String, String, (String, u32, u32))> {
        f.environment
            .iter()
            .map(|e| (e.name.clone(), e.value.display(), at(&e.value.loc)))
            .collect()
    };
    assert_eq!(
        env(resize),
        [
            ("TABLE".into(), "orders".into(), (CONFIG.into(), 5, 39)),
            ("LOG_LEVEL".into(), "debug".into(), (CONFIG.into(), 11, 47)),
            ("SIZE".into(), "128".into(), (CONFIG.into(), 14, 79)),
        ]
    );
    assert_eq!(env(item).len(), 2);
}

#[test]
fn generated_policy_is_one_role_for_the_app() {
    let app = load("shop");
    assert_eq!(app.roles.len(), 1);
    let role = &app.roles[0];
    assert_eq!(role.id, "default-role");
    assert_eq!(role.origin, RoleOrigin::Generated);
    assert!(
        role.statements.is_empty(),
        "Chalice generates it at deploy time"
    );
    assert_eq!(role.functions.len(), app.functions.len());
}

#[test]
fn policy_files_and_external_roles() {
    let app = load("policy");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    // The stage's policy file (autogen_policy false) gives api_handler its own role.
    let reports = function(&app, "reports");
    let role = app.role_of(reports).unwrap();
    assert_eq!(role.id, "api_handler_role");
    assert_eq!(role.origin, RoleOrigin::PerFunction);
    assert_eq!(role.functions, ["reports"]);
    let actions: Vec<&str> = role
        .statements
        .iter()
        .flat_map(|s| s.action_strs().map(|(a, _)| a))
        .collect();
    assert_eq!(actions, ["s3:*", "logs:CreateLogStream"]);
    let star = &role.statements[0].actions[0];
    assert_eq!(
        at(&star.loc),
        ("chalice/policy/.chalice/policy-reports.json".into(), 4, 37)
    );
    // manage_iam_role false for one function: the role of iam_role_arn, defined elsewhere.
    let nightly = app.role_of(function(&app, "nightly")).unwrap();
    assert_eq!(nightly.id, "arn:aws:iam::123456789012:role/reports-nightly");
    assert_eq!(nightly.origin, RoleOrigin::External);
    assert_eq!(
        at(&nightly.loc),
        ("chalice/policy/.chalice/config.json".into(), 9, 64)
    );
}

#[test]
fn missing_policy_file_and_missing_app() {
    // autogen_policy false, no iam_policy_file: Chalice reads policy-<stage>.json.
    let app = load("nopolicy");
    assert_eq!(app.errors.len(), 1);
    assert!(
        app.errors[0]
            .message
            .contains("chalice/nopolicy/.chalice/policy-dev.json"),
        "{}",
        app.errors[0].message
    );
    assert_eq!(app.errors[0].path, "chalice/nopolicy/.chalice/config.json");
    // `import chalice` then `chalice.Chalice(...)` is the app.
    assert_eq!(function(&app, "index").events.len(), 1);

    let tree = Tree::new("chalice");
    let bare = perimeter_diagnostics::SourceFile::new(
        "elsewhere/.chalice/config.json",
        "{\"app_name\": \"x\"}",
    );
    let app = chalice::load(&bare, &tree);
    assert!(app.functions.is_empty());
    assert!(
        app.errors[0].message.contains("no `elsewhere/app.py`"),
        "{:?}",
        app.errors
    );
    let broken = perimeter_diagnostics::SourceFile::new(
        "chalice/shop/.chalice/config.json",
        "{\"app_name\": ",
    );
    let app = chalice::load(&broken, &tree);
    assert!(
        app.errors[0].message.starts_with("cannot parse"),
        "{:?}",
        app.errors
    );
}

#[test]
fn python_that_does_not_parse_is_an_error_naming_the_file() {
    let file = perimeter_diagnostics::SourceFile::new("x/app.py", "@app.route('/'\ndef f(:\n");
    let e = perimeter_model::pysource::read(&file).unwrap_err();
    assert_eq!(e.path, "x/app.py");
    assert!(
        e.message.starts_with("cannot parse Python"),
        "{}",
        e.message
    );
}
