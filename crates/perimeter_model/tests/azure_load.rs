//! The Azure Functions loader on `resources/test/azure/shop`: the Python v2 decorators of
//! `function_app.py` and of a registered blueprint, the app's default auth level, triggers
//! and output bindings, a v1 `function.json` with `scriptFile`/`entryPoint`, and settings.

mod apps;

use apps::{Tree, at};
use perimeter_model::{Auth, EventKind, Framework, Value, azure};

#[test]
fn decorators_blueprints_bindings_and_settings() {
    let tree = Tree::new("azure");
    let app = azure::load(&tree.get("azure/shop/host.json"), &tree);
    assert_eq!(app.framework, Framework::Azure);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["Resize", "Submit", "process", "get_order"]);
    const APP: &str = "azure/shop/function_app.py";
    // `function_name` names the function; the route inherits the app's ANONYMOUS level.
    let submit = app.function("Submit").unwrap();
    assert_eq!(submit.handler_str(), Some("function_app.submit"));
    let route = submit.events[0].route.as_ref().unwrap();
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("POST", "/api/orders")
    );
    assert!(matches!(route.auth, Auth::None));
    assert_eq!(at(&submit.events[0].loc), (APP.into(), 10, 2));
    // A queue trigger names its queue, with its place.
    let process = app.function("process").unwrap();
    assert_eq!(process.events[0].kind, EventKind::Sqs);
    let source = process.events[0].source.as_ref().unwrap();
    assert_eq!(
        source.get("Ref").and_then(|n| n.as_str()),
        Some("Azure::Storage::Queue:orders")
    );
    assert_eq!(at(&source.loc), (APP.into(), 17, 47));
    // The output binding declares the queue once.
    let queues: Vec<&str> = app.resources.iter().map(|r| r.id.as_str()).collect();
    assert!(
        queues.contains(&"Azure::Storage::Queue:orders"),
        "{queues:?}"
    );
    // The blueprint's route keeps its own level.
    let get = app.function("get_order").unwrap();
    assert_eq!(get.handler_str(), Some("orders.get_order"));
    let route = get.events[0].route.as_ref().unwrap();
    assert_eq!(route.path, "/api/orders/{id}");
    let Auth::Authorizer { kind, name, loc } = &route.auth else {
        panic!("{:?}", route.auth)
    };
    assert_eq!((kind.as_str(), name.as_str()), ("function-key", "function"));
    assert_eq!(at(loc), ("azure/shop/orders.py".into(), 6, 43));
    // v1: scriptFile and entryPoint make the handler; a blob trigger.
    let resize = app.function("Resize").unwrap();
    assert_eq!(resize.handler_str(), Some("resize.resize"));
    assert_eq!(resize.code_dir.as_deref(), Some("azure/shop"));
    assert_eq!(resize.events[0].kind, EventKind::S3);
    // Settings are every function's environment; a Key Vault reference is not a value.
    let db = submit.env("DB_PASSWORD").unwrap();
    assert!(matches!(&db.value.value, Value::Symbolic(s) if s.starts_with("<keyvault:")));
    // One identity for the app.
    assert_eq!(app.roles.len(), 1);
    assert_eq!(app.roles[0].functions.len(), 4);
}
