//! YAML and JSON with spans: positions, short and long forms, and the bounds on hostile input.

use perimeter_diagnostics::{Position, SourceFile};
use perimeter_model::yaml::{self, Node, Value};

fn parse(text: &str) -> Node {
    yaml::parse(&SourceFile::new("t.yml", text)).unwrap()
}

fn at(n: &Node) -> (u32, u32) {
    let Position { line, column } = n.loc.start();
    (line, column)
}

#[test]
fn keys_and_values_keep_their_positions() {
    let doc = parse(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n",
    );
    let q = doc.path(&["Resources", "Queue"]).unwrap();
    assert_eq!(at(q.get("Type").unwrap()), (3, 11));
    assert_eq!(q.get("Type").unwrap().loc.text(), "AWS::SQS::Queue");
    let key = doc.get("Resources").unwrap().key("Queue").unwrap();
    assert_eq!(key.loc.start(), Position { line: 2, column: 3 });
    assert_eq!(
        at(q.path(&["Properties", "DelaySeconds"]).unwrap()),
        (5, 21)
    );
}

#[test]
fn non_ascii_text_has_byte_spans_and_character_columns() {
    let doc = parse("name: café\nnext: ünïcode-✓\n");
    let n = doc.get("next").unwrap();
    assert_eq!(n.loc.text(), "ünïcode-✓");
    assert_eq!(at(n), (2, 7));
}

#[test]
fn short_and_long_forms_are_the_same_value() {
    let short = parse(
        "a: !Ref Queue\nb: !GetAtt Table.Arn\nc: !Sub '${Bucket}/*'\nd: !Join [',', [x, !Ref Y]]\ne: !If [IsProd, 1, 2]\nf: !Select [0, !GetAZs '']\ng: !ImportValue Shared\nh: !FindInMap [M, K, V]\ni: !Base64 x\nj: !Split [',', 'a,b']\nk: !Equals [a, b]\nl: !And [!Condition C1, !Not [!Condition C2]]\nm: !Or [!Condition C1, !Condition C2]\nn: !Cidr [x, 1, 2]\n",
    );
    let long = parse(
        r#"{"a": {"Ref": "Queue"}, "b": {"Fn::GetAtt": ["Table", "Arn"]}, "c": {"Fn::Sub": "${Bucket}/*"},
            "d": {"Fn::Join": [",", ["x", {"Ref": "Y"}]]}, "e": {"Fn::If": ["IsProd", 1, 2]},
            "f": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "g": {"Fn::ImportValue": "Shared"},
            "h": {"Fn::FindInMap": ["M", "K", "V"]}, "i": {"Fn::Base64": "x"}, "j": {"Fn::Split": [",", "a,b"]},
            "k": {"Fn::Equals": ["a", "b"]},
            "l": {"Fn::And": [{"Condition": "C1"}, {"Fn::Not": [{"Condition": "C2"}]}]},
            "m": {"Fn::Or": [{"Condition": "C1"}, {"Condition": "C2"}]}, "n": {"Fn::Cidr": ["x", 1, 2]}}"#,
    );
    assert_eq!(short.to_json(), long.to_json());
    assert_eq!(short.get("b").unwrap().referenced_ids(), ["Table"]);
    assert_eq!(short.get("c").unwrap().referenced_ids(), ["Bucket"]);
    assert_eq!(short.get("d").unwrap().referenced_ids(), ["Y"]);
    assert_eq!(short.get("a").unwrap().display(), "!Ref Queue");
    // The tag's node points at the written value.
    assert_eq!(at(short.get("a").unwrap()), (1, 4));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let doc = parse(
        "base: &b\n  Runtime: python3.12\n  Timeout: 3\nfn:\n  <<: *b\n  Timeout: 10\nlist: [*b, *b]\n",
    );
    let f = doc.get("fn").unwrap();
    assert_eq!(f.get("Runtime").unwrap().as_str(), Some("python3.12"));
    assert_eq!(f.get("Timeout").unwrap().as_i64(), Some(10));
    assert_eq!(doc.get("list").unwrap().items().len(), 2);
}

#[test]
fn json_with_tabs_parses() {
    let doc =
        parse("{\n\t\"Resources\": {\n\t\t\"Fn\": {\"Type\": \"AWS::Lambda::Function\"}\n\t}\n}\n");
    assert_eq!(
        doc.path(&["Resources", "Fn", "Type"]).unwrap().as_str(),
        Some("AWS::Lambda::Function")
    );
    assert_eq!(at(doc.path(&["Resources", "Fn", "Type"]).unwrap()), (3, 18));
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let doc = parse("a: 1\na: 2\n");
    assert_eq!(doc.entries().len(), 1);
    assert_eq!(doc.get("a").unwrap().as_i64(), Some(2));
}

#[test]
fn syntax_errors_name_the_position() {
    let err = yaml::parse(&SourceFile::new("t.yml", "a: [1, 2\nb: c\n")).unwrap_err();
    assert!(err.message.contains("line"), "{}", err.message);
    let err = yaml::parse(&SourceFile::new("t.yml", "a: *nope\n")).unwrap_err();
    assert!(err.message.contains("anchor"), "{}", err.message);
}

#[test]
fn alias_bomb_is_rejected() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let err = yaml::parse(&SourceFile::new("t.yml", &bomb)).unwrap_err();
    assert!(err.message.contains("billion-laughs"), "{}", err.message);
}

#[test]
fn deep_nesting_is_rejected_without_overflowing_the_stack() {
    let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let err = yaml::parse(&SourceFile::new("t.yml", &flow)).unwrap_err();
    assert!(err.message.contains("nesting deeper"), "{}", err.message);
    let mut block = String::new();
    for i in 0..10_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let err = yaml::parse(&SourceFile::new("t.yml", &block)).unwrap_err();
    assert!(err.message.contains("nesting deeper"), "{}", err.message);
}

#[test]
fn empty_documents_are_null_and_only_the_first_document_counts() {
    assert!(parse("").is_null());
    assert!(parse("# only a comment\n").is_null());
    let doc = parse("a: 1\n---\nb: 2\n");
    assert!(doc.get("a").is_some());
    assert!(doc.get("b").is_none());
}

#[test]
fn values_are_typed() {
    let doc = parse("s: 'x'\nn: 12\nb: false\nl: [1, two]\nm: {k: v}\n");
    assert!(matches!(doc.get("n").unwrap().value, Value::Int(12)));
    assert_eq!(doc.get("b").unwrap().as_bool(), Some(false));
    assert_eq!(doc.get("l").unwrap().items().len(), 2);
    assert_eq!(doc.path(&["m", "k"]).unwrap().as_str(), Some("v"));
}

#[test]
fn error_messages_carry_line_column_and_offset() {
    let err = yaml::parse(&SourceFile::new("t.yml", "a: b\nc: [1, 2\nd: e\n")).unwrap_err();
    let offset = err.offset.unwrap();
    let pos = SourceFile::new("t.yml", "a: b\nc: [1, 2\nd: e\n").position(offset);
    assert!(
        err.message
            .contains(&format!("line {}:{}", pos.line, pos.column)),
        "{}",
        err.message
    );
    assert!(
        err.message.contains(&format!("offset {offset}")),
        "{}",
        err.message
    );
    assert!(pos.line >= 2, "{pos:?}");
}

#[test]
fn tagged_nodes_span_the_whole_node_and_the_key_is_the_tag() {
    let doc = parse("a: !GetAtt Fn.Arn\nb: !If [IsProd, x, y]\nc: !Sub\n  - '${X}'\n  - X: 1\n");
    let a = doc.get("a").unwrap();
    assert_eq!(a.loc.text(), "!GetAtt Fn.Arn");
    assert_eq!(a.key("Fn::GetAtt").unwrap().loc.text(), "!GetAtt");
    let b = doc.get("b").unwrap();
    assert_eq!(b.loc.text(), "!If [IsProd, x, y]");
    assert_eq!(b.key("Fn::If").unwrap().loc.text(), "!If");
    assert_eq!(b.get("Fn::If").unwrap().items().len(), 3);
    let c = doc.get("c").unwrap();
    assert_eq!(c.key("Fn::Sub").unwrap().loc.text(), "!Sub");
    assert_eq!(
        c.key("Fn::Sub").unwrap().loc.start(),
        Position { line: 3, column: 4 }
    );
    assert_eq!(c.get("Fn::Sub").unwrap().items().len(), 2);
    // Sequence form of GetAtt stays as written.
    let d = parse("d: !GetAtt [Fn, Arn]\ne: !Condition IsProd\nf: !Length [1]\ng: !Unknown text\n");
    assert_eq!(d.path(&["d", "Fn::GetAtt"]).unwrap().items().len(), 2);
    assert_eq!(
        d.path(&["e", "Condition"]).unwrap().as_str(),
        Some("IsProd")
    );
    assert!(d.path(&["f", "Fn::Length"]).is_some());
    assert_eq!(d.get("g").unwrap().as_str(), Some("text"));
}

#[test]
fn core_schema_tags_and_case_insensitive_booleans() {
    let doc = parse("a: !!str 12\nb: !!int '7'\nc: tRuE\nd: '0x10'\ne: 0o17\n");
    assert_eq!(doc.get("a").unwrap().as_str(), Some("12"));
    assert!(matches!(doc.get("b").unwrap().value, Value::Int(7)));
    assert!(matches!(doc.get("c").unwrap().value, Value::Bool(true)));
    assert_eq!(doc.get("d").unwrap().as_str(), Some("0x10"));
    assert!(matches!(doc.get("e").unwrap().value, Value::Int(15)));
}

#[test]
fn merge_keys_accept_a_list_of_maps_and_explicit_keys_win() {
    let doc = parse("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 9\n");
    let c = doc.get("c").unwrap();
    assert_eq!(c.get("x").unwrap().as_i64(), Some(9));
    assert_eq!(c.get("y").unwrap().as_i64(), Some(1));
    assert_eq!(c.get("z").unwrap().as_i64(), Some(2));
    assert!(c.get("<<").is_none());
}

#[test]
fn non_ascii_keys_before_values_keep_byte_offsets() {
    let doc = parse("é: ✓✓\nk: !Ref Ünï\n");
    let k = doc.get("k").unwrap();
    assert_eq!(k.loc.text(), "!Ref Ünï");
    assert_eq!(k.get("Ref").unwrap().as_str(), Some("Ünï"));
    assert_eq!(k.get("Ref").unwrap().loc.text(), "!Ref Ünï");
    assert_eq!(doc.key("é").unwrap().loc.text(), "é");
}
