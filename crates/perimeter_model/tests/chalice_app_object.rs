//! The Chalice loader finds the app object wherever `app.py` gets it: an instance of a
//! subclass of `Chalice`, made in `chalicelib/` and imported (by name or with `*`), with
//! routes registered by calls (`app.route('/x')(view)`) on the app and on blueprints.

mod apps;

use apps::{Tree, at};
use perimeter_model::{Application, Auth, EventKind, Function, chalice};

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

fn handler(f: &Function) -> (String, String, u32) {
    let h = f.handler.as_ref().unwrap();
    let (path, line, _) = at(&h.loc);
    (h.as_str().unwrap().to_owned(), path, line)
}

const MAIN: &str = "chalice/custom/chalicelib/main.py";

#[test]
fn subclass_instance_star_imported_from_chalicelib() {
    let app = load("custom");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "token_auth",
            "worker",
            "hourly",
            "on_job",
            "list_orders",
            "get_order",
            "health",
            "users",
            "stats",
        ]
    );
    assert_eq!(
        handler(function(&app, "token_auth")),
        ("chalicelib.main.token_auth".to_owned(), MAIN.to_owned(), 28)
    );
    assert_eq!(
        function(&app, "token_auth").events[0].type_name,
        "authorizer"
    );
    assert_eq!(
        handler(function(&app, "worker")),
        ("chalicelib.main.work".to_owned(), MAIN.to_owned(), 46)
    );
    assert_eq!(function(&app, "hourly").events[0].kind, EventKind::Schedule);
    assert_eq!(function(&app, "on_job").events[0].kind, EventKind::Sqs);
}

#[test]
fn routes_registered_by_calls_point_at_the_view() {
    let app = load("custom");
    // The view is found through the package that re-exports it.
    let list = function(&app, "list_orders");
    assert_eq!(
        handler(list),
        (
            "chalicelib.views.orders.list_orders".to_owned(),
            "chalice/custom/chalicelib/views/orders.py".to_owned(),
            1
        )
    );
    // The function is declared where the route is registered.
    assert_eq!(at(&list.loc), (MAIN.to_owned(), 36, 1));
    let route = list.events[0].route.as_ref().unwrap();
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("GET", "/orders")
    );
    assert!(
        matches!(&route.auth, Auth::Authorizer { kind, name, .. } if kind == "lambda" && name == "token_auth"),
        "{:?}",
        route.auth
    );
    // A view wrapped by a helper (`compress(view)`) is the view; one event per method.
    let get = function(&app, "get_order");
    assert_eq!(handler(get).0, "chalicelib.views.orders.get_order");
    let methods: Vec<&str> = get
        .events
        .iter()
        .map(|e| e.route.as_ref().unwrap().method.as_str())
        .collect();
    assert_eq!(methods, ["GET", "DELETE"]);
    assert_eq!(
        get.events[0].route.as_ref().unwrap().path,
        "/orders/{order_id}"
    );
    let health = function(&app, "health").events[0].route.as_ref().unwrap();
    assert!(matches!(health.auth, Auth::None));
}

#[test]
fn blueprint_routes_decorated_and_registered_by_calls() {
    let app = load("custom");
    for (id, path, line) in [("users", "/admin/users", 7), ("stats", "/admin/stats", 11)] {
        let f = function(&app, id);
        assert_eq!(
            handler(f),
            (
                format!("chalicelib.admin.{id}"),
                "chalice/custom/chalicelib/admin.py".to_owned(),
                line
            )
        );
        assert_eq!(f.events[0].route.as_ref().unwrap().path, path);
    }
}

#[test]
fn app_debug_is_set_on_every_function_of_the_app() {
    let app = load("custom");
    for f in &app.functions {
        let d = f.debug.as_ref().unwrap_or_else(|| panic!("{} debug", f.id));
        assert_eq!(at(&d.loc), (MAIN.to_owned(), 24, 17));
    }
}

#[test]
fn app_imported_by_name_under_another_name() {
    let app = load("imported");
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    // app.py's own routes on the imported app, then those of the module that makes it.
    assert_eq!(ids, ["ping", "on_event"]);
    assert_eq!(handler(function(&app, "ping")).0, "app.ping");
    assert_eq!(
        handler(function(&app, "on_event")).0,
        "chalicelib.core.on_event"
    );
    // `api.debug = <expression>` is not known to be on.
    assert!(app.functions.iter().all(|f| f.debug.is_none()));
}

#[test]
fn class_named_like_chalice_that_is_not_chalice_makes_no_app() {
    let app = load("lookalike");
    assert!(app.functions.is_empty());
    assert!(
        app.errors[0].message.starts_with("no Chalice app"),
        "{:?}",
        app.errors
    );
    assert_eq!(app.errors[0].path, "chalice/lookalike/app.py");
}
