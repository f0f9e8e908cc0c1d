//! Every intrinsic family: what resolves statically (to which value, at which place) and
//! what stays as written.

use perimeter_diagnostics::SourceFile;
use perimeter_model::yaml::{self, Node, Value};
use perimeter_model::{Application, Framework, cfn};

fn load() -> Application {
    let rel = "cfn/intrinsics.yaml";
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let file = SourceFile::new(rel, std::fs::read_to_string(path).unwrap());
    cfn::load(rel, "cfn", yaml::parse(&file).unwrap())
}

fn prop(app: &Application, key: &str) -> Node {
    app.resource("Values")
        .unwrap()
        .prop(key)
        .unwrap_or_else(|| panic!("no {key}"))
        .clone()
}

fn at(n: &Node) -> (u32, u32) {
    let p = n.loc.start();
    (p.line, p.column)
}

#[test]
fn refs() {
    let app = load();
    assert_eq!(app.framework, Framework::CloudFormation);
    let env = prop(&app, "RefParam");
    assert_eq!(env.as_str(), Some("dev"));
    // Placed where the Ref is written.
    assert_eq!(at(&env), (33, 17));
    assert_eq!(prop(&app, "RefNoDefault").display(), "!Ref Region2");
    assert_eq!(prop(&app, "RefSecret").display(), "!Ref Secret");
    assert_eq!(prop(&app, "RefPseudo").display(), "!Ref AWS::Region");
    assert_eq!(prop(&app, "RefResource").display(), "!Ref Values");
    assert_eq!(prop(&app, "GetAtt").display(), "!GetAtt Queue.Arn");
}

#[test]
fn sub_join_select_split() {
    let app = load();
    assert_eq!(
        prop(&app, "SubParam").as_str(),
        Some("dev-orders-${Literal}")
    );
    assert_eq!(at(&prop(&app, "SubParam")), (39, 17));
    assert_eq!(
        prop(&app, "SubMixed").display(),
        "!Sub dev-${AWS::StackName}"
    );
    assert_eq!(prop(&app, "SubVars").as_str(), Some("dev/x"));
    assert_eq!(prop(&app, "JoinStatic").as_str(), Some("a-dev-c"));
    assert_eq!(
        prop(&app, "JoinDynamic").display(),
        "!Join [-, [a, !Ref AWS::Region]]"
    );
    assert_eq!(
        prop(&app, "Select").as_str(),
        None,
        "a list parameter's default is one string"
    );
    assert_eq!(prop(&app, "SelectSplit").as_str(), Some("z"));
    let split = prop(&app, "Split");
    assert_eq!(
        split
            .items()
            .iter()
            .filter_map(|n| n.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
}

#[test]
fn find_in_map() {
    let app = load();
    let found = prop(&app, "FindStatic");
    assert_eq!(found.as_str(), Some("dev-bucket"));
    assert_eq!(at(&found), (47, 19));
    assert_eq!(
        prop(&app, "FindDynamic").display(),
        "!FindInMap [Config, !Ref Region2, Name]"
    );
    assert_eq!(prop(&app, "FindDefault").as_str(), Some("fallback"));
}

#[test]
fn conditions_and_if() {
    let app = load();
    assert_eq!(prop(&app, "IfTrue").as_str(), Some("yes-dev"));
    // A decided branch keeps its own place.
    assert_eq!(at(&prop(&app, "IfTrue")), (50, 27));
    assert_eq!(prop(&app, "IfFalse").as_str(), Some("small"));
    // Undecidable: kept whole, NoValue included.
    assert_eq!(
        prop(&app, "IfUnknown").display(),
        "!If [Unknown, !Ref AWS::NoValue, kept]"
    );
    // A decided NoValue removes the property, or the list item.
    assert!(app.resource("Values").unwrap().prop("IfNoValue").is_none());
    assert_eq!(prop(&app, "AndCond").as_str(), Some("and-true"));
    assert_eq!(
        prop(&app, "OrCond").display(),
        "!If [Either, or-true, or-unknown]"
    );
    assert_eq!(prop(&app, "OrFalse").as_str(), Some("f"));
    let list = prop(&app, "List");
    assert_eq!(
        list.items()
            .iter()
            .filter_map(|n| n.as_str())
            .collect::<Vec<_>>(),
        ["one", "three"]
    );
}

#[test]
fn other_intrinsics_stay_as_written() {
    let app = load();
    for (key, long) in [
        ("Import", "Fn::ImportValue"),
        ("B64", "Fn::Base64"),
        ("Azs", "Fn::GetAZs"),
        ("Cidr", "Fn::Cidr"),
        ("Length", "Fn::Length"),
        ("Json", "Fn::ToJsonString"),
        ("Transform", "Fn::Transform"),
    ] {
        let n = prop(&app, key);
        assert_eq!(n.intrinsic().map(|(k, _)| k), Some(long), "{key}");
    }
    assert_eq!(prop(&app, "Import").display(), "!ImportValue shared-vpc");
    assert!(matches!(
        prop(&app, "Cidr").get("Fn::Cidr").unwrap().value,
        Value::Seq(_)
    ));
}

#[test]
fn conditions_are_evaluated_by_name() {
    let app = load();
    let doc = app.document.as_ref().unwrap();
    let mut errors = Vec::new();
    let ctx = cfn::Context::from_template(doc, Framework::CloudFormation, "cfn", &mut errors);
    assert_eq!(cfn::condition(&ctx, "IsDev"), Some(true));
    assert_eq!(cfn::condition(&ctx, "IsProd"), Some(false));
    assert_eq!(cfn::condition(&ctx, "Unknown"), None);
    assert_eq!(cfn::condition(&ctx, "Both"), Some(true));
    assert_eq!(cfn::condition(&ctx, "Either"), None);
    assert_eq!(cfn::condition(&ctx, "Missing"), None);
}

#[test]
fn recursive_conditions_do_not_loop() {
    let file = SourceFile::new(
        "t.yml",
        "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  X:\n    Type: AWS::SQS::Queue\n    Properties:\n      P: !If [A, 1, 2]\n",
    );
    let app = cfn::load("t.yml", "", yaml::parse(&file).unwrap());
    assert_eq!(
        app.resource("X").unwrap().prop("P").unwrap().display(),
        "!If [A, 1, 2]"
    );
}
