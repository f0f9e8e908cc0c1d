//! Every channel of the application graph, in JavaScript and in Python, in five situations:
//! a tainted flow that must be found with both functions in its trace; the same producer
//! writing to a different resource, which must make no flow; a producer that sanitises; a
//! chain of three functions; a function that writes to what triggers it (a cycle).
//!
//! The applications are generated from one template per channel and language (SAM, AWS SDK
//! v3 for JavaScript, boto3 for Python), so every channel is held to the same cases.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Js,
    Py,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Channel {
    Sqs,
    Sns,
    S3,
    DynamoDb,
    Kinesis,
    Invoke,
    EventBridge,
    StepFunctions,
    Http,
}

const CHANNELS: [Channel; 9] = [
    Channel::Sqs,
    Channel::Sns,
    Channel::S3,
    Channel::DynamoDb,
    Channel::Kinesis,
    Channel::Invoke,
    Channel::EventBridge,
    Channel::StepFunctions,
    Channel::Http,
];

impl Channel {
    /// The resource a write goes to, declared in the template (`None` for invocations, which
    /// target the consumer function itself).
    fn resource(self, id: &str, consumer: &str) -> String {
        match self {
            Channel::Sqs => format!("  {id}:\n    Type: AWS::SQS::Queue\n"),
            Channel::Sns => format!("  {id}:\n    Type: AWS::SNS::Topic\n"),
            Channel::S3 => format!("  {id}:\n    Type: AWS::S3::Bucket\n"),
            Channel::DynamoDb => format!(
                "  {id}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      StreamSpecification:\n        StreamViewType: NEW_IMAGE\n"
            ),
            Channel::Kinesis => {
                format!(
                    "  {id}:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n"
                )
            }
            Channel::Invoke | Channel::Http => String::new(),
            Channel::EventBridge => format!(
                "  {id}:\n    Type: AWS::Events::EventBus\n    Properties:\n      Name: {}\n",
                id.to_lowercase()
            ),
            Channel::StepFunctions => format!(
                "  {id}:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: Run\n        States:\n          Run:\n            Type: Task\n            Resource: !GetAtt {consumer}.Arn\n            End: true\n"
            ),
        }
    }

    /// The environment value a producer uses to name the resource.
    fn env_value(self, id: &str, consumer: &str) -> String {
        match self {
            Channel::Invoke => format!("!Ref {consumer}"),
            Channel::Http => format!(
                "!Sub https://${{Api}}.execute-api.${{AWS::Region}}.amazonaws.com/prod/{}",
                route(consumer)
            ),
            _ => format!("!Ref {id}"),
        }
    }

    /// The consumer's trigger on the resource (`None` when the resource drives the function
    /// without an event of its own: invocations, state machine tasks).
    fn event(self, id: &str, consumer: &str) -> Option<String> {
        let e = match self {
            Channel::Sqs => {
                format!("Type: SQS\n          Properties:\n            Queue: !GetAtt {id}.Arn")
            }
            Channel::Sns => {
                format!("Type: SNS\n          Properties:\n            Topic: !Ref {id}")
            }
            Channel::S3 => format!(
                "Type: S3\n          Properties:\n            Bucket: !Ref {id}\n            Events: s3:ObjectCreated:*"
            ),
            Channel::DynamoDb => format!(
                "Type: DynamoDB\n          Properties:\n            Stream: !GetAtt {id}.StreamArn\n            StartingPosition: LATEST"
            ),
            Channel::Kinesis => format!(
                "Type: Kinesis\n          Properties:\n            Stream: !GetAtt {id}.Arn\n            StartingPosition: LATEST"
            ),
            Channel::EventBridge => format!(
                "Type: EventBridgeRule\n          Properties:\n            EventBusName: !Ref {id}\n            Pattern:\n              source: [shop]"
            ),
            Channel::Http => format!(
                "Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /{}\n            Method: post\n            Auth:\n              Authorizer: AWS_IAM",
                route(consumer)
            ),
            Channel::Invoke | Channel::StepFunctions => return None,
        };
        Some(format!("      Events:\n        In:\n          {e}\n"))
    }

    /// Statements that write `value` (an expression) to the resource named by the
    /// environment variable `env`.
    fn write(self, lang: Lang, env: &str, value: &str) -> String {
        match (lang, self) {
            (Lang::Js, Channel::Sqs) => format!(
                "  await new c.sqs.SQSClient({{}}).send(new c.sqs.SendMessageCommand({{ QueueUrl: process.env.{env}, MessageBody: {value} }}));"
            ),
            (Lang::Js, Channel::Sns) => format!(
                "  await new c.sns.SNSClient({{}}).send(new c.sns.PublishCommand({{ TopicArn: process.env.{env}, Message: {value} }}));"
            ),
            (Lang::Js, Channel::S3) => format!(
                "  await new c.s3.S3Client({{}}).send(new c.s3.PutObjectCommand({{ Bucket: process.env.{env}, Key: {value}, Body: 'x' }}));"
            ),
            (Lang::Js, Channel::DynamoDb) => format!(
                "  await new c.ddb.DynamoDBClient({{}}).send(new c.ddb.PutItemCommand({{ TableName: process.env.{env}, Item: {{ id: {{ S: {value} }} }} }}));"
            ),
            (Lang::Js, Channel::Kinesis) => format!(
                "  await new c.kinesis.KinesisClient({{}}).send(new c.kinesis.PutRecordCommand({{ StreamName: process.env.{env}, Data: Buffer.from({value}), PartitionKey: 'k' }}));"
            ),
            (Lang::Js, Channel::Invoke) => format!(
                "  await new c.lambda.LambdaClient({{}}).send(new c.lambda.InvokeCommand({{ FunctionName: process.env.{env}, Payload: JSON.stringify({{ v: {value} }}) }}));"
            ),
            (Lang::Js, Channel::EventBridge) => format!(
                "  await new c.eb.EventBridgeClient({{}}).send(new c.eb.PutEventsCommand({{ Entries: [{{ EventBusName: process.env.{env}, Source: 'shop', DetailType: 't', Detail: JSON.stringify({{ v: {value} }}) }}] }}));"
            ),
            (Lang::Js, Channel::StepFunctions) => format!(
                "  await new c.sfn.SFNClient({{}}).send(new c.sfn.StartExecutionCommand({{ stateMachineArn: process.env.{env}, input: JSON.stringify({{ v: {value} }}) }}));"
            ),
            (Lang::Js, Channel::Http) => format!(
                "  await fetch(process.env.{env}, {{ method: 'POST', body: JSON.stringify({{ v: {value} }}) }});"
            ),
            (Lang::Py, Channel::Sqs) => format!(
                "    boto3.client(\"sqs\").send_message(QueueUrl=os.environ[\"{env}\"], MessageBody={value})"
            ),
            (Lang::Py, Channel::Sns) => format!(
                "    boto3.client(\"sns\").publish(TopicArn=os.environ[\"{env}\"], Message={value})"
            ),
            (Lang::Py, Channel::S3) => format!(
                "    boto3.client(\"s3\").put_object(Bucket=os.environ[\"{env}\"], Key={value}, Body=b\"x\")"
            ),
            (Lang::Py, Channel::DynamoDb) => format!(
                "    boto3.client(\"dynamodb\").put_item(TableName=os.environ[\"{env}\"], Item={{\"id\": {{\"S\": {value}}}}})"
            ),
            (Lang::Py, Channel::Kinesis) => format!(
                "    boto3.client(\"kinesis\").put_record(StreamName=os.environ[\"{env}\"], Data={value}, PartitionKey=\"k\")"
            ),
            (Lang::Py, Channel::Invoke) => format!(
                "    boto3.client(\"lambda\").invoke(FunctionName=os.environ[\"{env}\"], Payload=json.dumps({{\"v\": {value}}}))"
            ),
            (Lang::Py, Channel::EventBridge) => format!(
                "    boto3.client(\"events\").put_events(Entries=[{{\"EventBusName\": os.environ[\"{env}\"], \"Source\": \"shop\", \"DetailType\": \"t\", \"Detail\": json.dumps({{\"v\": {value}}})}}])"
            ),
            (Lang::Py, Channel::StepFunctions) => format!(
                "    boto3.client(\"stepfunctions\").start_execution(stateMachineArn=os.environ[\"{env}\"], input=json.dumps({{\"v\": {value}}}))"
            ),
            (Lang::Py, Channel::Http) => {
                format!("    requests.post(os.environ[\"{env}\"], json={{\"v\": {value}}})")
            }
        }
    }

    /// An expression for the data the consumer receives.
    fn read(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Js, Channel::Sqs) => "event.Records[0].body",
            (Lang::Js, Channel::Sns) => "event.Records[0].Sns.Message",
            (Lang::Js, Channel::S3) => "event.Records[0].s3.object.key",
            (Lang::Js, Channel::DynamoDb) => "event.Records[0].dynamodb.NewImage.id.S",
            (Lang::Js, Channel::Kinesis) => {
                "Buffer.from(event.Records[0].kinesis.data, 'base64').toString()"
            }
            (Lang::Js, Channel::Invoke | Channel::StepFunctions) => "event.v",
            (Lang::Js, Channel::EventBridge) => "event.detail.v",
            (Lang::Js, Channel::Http) => "JSON.parse(event.body).v",
            (Lang::Py, Channel::Sqs) => "event[\"Records\"][0][\"body\"]",
            (Lang::Py, Channel::Sns) => "event[\"Records\"][0][\"Sns\"][\"Message\"]",
            (Lang::Py, Channel::S3) => "event[\"Records\"][0][\"s3\"][\"object\"][\"key\"]",
            (Lang::Py, Channel::DynamoDb) => {
                "event[\"Records\"][0][\"dynamodb\"][\"NewImage\"][\"id\"][\"S\"]"
            }
            (Lang::Py, Channel::Kinesis) => {
                "base64.b64decode(event[\"Records\"][0][\"kinesis\"][\"data\"]).decode()"
            }
            (Lang::Py, Channel::Invoke | Channel::StepFunctions) => "event[\"v\"]",
            (Lang::Py, Channel::EventBridge) => "event[\"detail\"][\"v\"]",
            (Lang::Py, Channel::Http) => "json.loads(event[\"body\"])[\"v\"]",
        }
    }
}

fn route(function: &str) -> String {
    function.to_lowercase()
}

/// One function of a generated application.
struct Func {
    id: &'static str,
    /// Environment variable -> resource id it names (or the function, for invocations).
    env: Vec<(&'static str, &'static str)>,
    /// The resource that triggers it, if any.
    trigger: Option<&'static str>,
    /// The statements of the handler's body.
    body: Vec<String>,
    /// An HTTP endpoint for the caller (the producer's entry point).
    public: bool,
}

fn handler_file(lang: Lang, body: &[String]) -> String {
    match lang {
        Lang::Js => format!(
            "const c = {{\n  sqs: require('@aws-sdk/client-sqs'),\n  sns: require('@aws-sdk/client-sns'),\n  s3: require('@aws-sdk/client-s3'),\n  ddb: require('@aws-sdk/client-dynamodb'),\n  kinesis: require('@aws-sdk/client-kinesis'),\n  lambda: require('@aws-sdk/client-lambda'),\n  eb: require('@aws-sdk/client-eventbridge'),\n  sfn: require('@aws-sdk/client-sfn'),\n}};\nconst mysql = require('mysql');\nconst pool = mysql.createPool({{ host: 'db' }});\n\nexports.handler = async (event) => {{\n{}\n  return {{ statusCode: 200 }};\n}};\n",
            body.join("\n")
        ),
        Lang::Py => format!(
            "import base64\nimport json\nimport os\nimport sqlite3\n\nimport boto3\nimport requests\n\ndb = sqlite3.connect(\"/tmp/x.db\")\n\n\ndef handler(event, context):\n{}\n    return {{\"statusCode\": 200}}\n",
            body.join("\n")
        ),
    }
}

/// A statement that binds `x` to an expression.
fn bind(lang: Lang, expr: &str) -> String {
    match lang {
        Lang::Js => format!("  const x = {expr};"),
        Lang::Py => format!("    x = {expr}"),
    }
}

/// The SQL sink on `x`, on the line the test looks for.
fn sink(lang: Lang) -> String {
    match lang {
        Lang::Js => "  pool.query(\"SELECT * FROM t WHERE id = '\" + x + \"'\");".to_owned(),
        Lang::Py => "    db.execute(\"SELECT * FROM t WHERE id = '\" + x + \"'\")".to_owned(),
    }
}

fn caller_input(lang: Lang) -> &'static str {
    match lang {
        Lang::Js => "JSON.parse(event.body).name",
        Lang::Py => "json.loads(event[\"body\"])[\"name\"]",
    }
}

fn sanitised(lang: Lang) -> &'static str {
    match lang {
        Lang::Js => "String(parseInt(JSON.parse(event.body).name, 10))",
        Lang::Py => "str(int(json.loads(event[\"body\"])[\"name\"]))",
    }
}

fn write_app(dir: &Path, lang: Lang, ch: Channel, funcs: &[Func], resources: &[&str]) {
    let ext = if lang == Lang::Js { "js" } else { "py" };
    let runtime = if lang == Lang::Js {
        "nodejs22.x"
    } else {
        "python3.12"
    };
    let consumer_of = |res: &str| {
        funcs
            .iter()
            .find(|f| f.trigger == Some(res) || (f.id == res))
            .map_or("Nobody", |f| f.id)
    };
    let mut t = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: {runtime}\n    CodeUri: src/\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
    );
    for f in funcs {
        t.push_str(&format!(
            "  {}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: {}.handler\n",
            f.id,
            f.id.to_lowercase()
        ));
        if !f.env.is_empty() {
            t.push_str("      Environment:\n        Variables:\n");
            for (k, res) in &f.env {
                t.push_str(&format!(
                    "          {k}: {}\n",
                    ch.env_value(res, consumer_of(res))
                ));
            }
        }
        if f.public {
            t.push_str(&format!(
                "      Events:\n        Caller:\n          Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /{}\n            Method: post\n",
                route(f.id)
            ));
        } else if let Some(res) = f.trigger
            && let Some(ev) = ch.event(res, f.id)
        {
            t.push_str(&ev);
        }
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join(format!("src/{}.{ext}", f.id.to_lowercase())),
            handler_file(lang, &f.body),
        )
        .unwrap();
    }
    for r in resources {
        t.push_str(&ch.resource(r, consumer_of(r)));
    }
    std::fs::write(dir.join("template.yaml"), t).unwrap();
}

fn scan(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--allow-errors"])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn injections_in<'a>(r: &'a Value, path: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path && f["kind"] == "injection-sql")
        .collect()
}

fn crossed(f: &Value) -> Vec<String> {
    let mut v: Vec<String> = f["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["function"].as_str().map(str::to_owned))
        .collect();
    v.dedup();
    v
}

/// Where the resource or target of a channel's writes is named for each case.
fn target_of(ch: Channel, res: &'static str, func: &'static str) -> &'static str {
    match ch {
        Channel::Invoke | Channel::Http => func,
        _ => res,
    }
}

fn case(name: &str, lang: Lang, ch: Channel) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("{name}-{lang:?}-{ch:?}-"))
        .tempdir()
        .unwrap()
}

fn run_channel(lang: Lang, ch: Channel) -> Vec<String> {
    let ext = if lang == Lang::Js { "js" } else { "py" };
    let mut problems = Vec::new();
    let sink_path = |f: &str| format!("src/{}.{ext}", f.to_lowercase());
    let consumer_body = vec![bind(lang, ch.read(lang)), sink(lang)];
    // What a consumer that is not an HTTP endpoint trusts depends on the channel; an HTTP
    // endpoint is also reachable by its own callers, so the checks look at the trace.
    let through = |r: &Value, path: &str, func: &str| {
        injections_in(r, path)
            .iter()
            .any(|f| crossed(f).iter().any(|c| c == func))
    };

    // 1. Found: caller data -> Producer -> R1 -> Consumer's SQL.
    {
        let dir = case("found", lang, ch);
        let funcs = [
            Func {
                id: "Producer",
                env: vec![("OUT", target_of(ch, "Res1", "Consumer"))],
                trigger: None,
                body: vec![ch.write(lang, "OUT", caller_input(lang))],
                public: true,
            },
            Func {
                id: "Consumer",
                env: vec![],
                trigger: Some("Res1"),
                body: consumer_body.clone(),
                public: false,
            },
        ];
        write_app(dir.path(), lang, ch, &funcs, &["Res1"]);
        let r = scan(dir.path());
        let hits = injections_in(&r, &sink_path("Consumer"));
        if !hits
            .iter()
            .any(|f| crossed(f) == ["Producer", "Consumer"] && f["severity"] == "critical")
        {
            problems.push(format!(
                "found: no critical flow Producer -> Consumer: {hits:#?}"
            ));
        }
    }
    // 2. A different resource: Producer writes to R2; Consumer on R1 gets nothing from it.
    {
        let dir = case("other", lang, ch);
        let funcs = [
            Func {
                id: "Producer",
                env: vec![("OUT", target_of(ch, "Res2", "Bystander"))],
                trigger: None,
                body: vec![ch.write(lang, "OUT", caller_input(lang))],
                public: true,
            },
            Func {
                id: "Consumer",
                env: vec![],
                trigger: Some("Res1"),
                body: consumer_body.clone(),
                public: false,
            },
            Func {
                id: "Bystander",
                env: vec![],
                trigger: Some("Res2"),
                body: vec![bind(lang, ch.read(lang))],
                public: false,
            },
        ];
        write_app(dir.path(), lang, ch, &funcs, &["Res1", "Res2"]);
        let r = scan(dir.path());
        if through(&r, &sink_path("Consumer"), "Producer") {
            problems.push("other: a write to another resource reached Consumer".to_owned());
        }
        let quiet = matches!(ch, Channel::Invoke | Channel::StepFunctions | Channel::Http);
        if !quiet && !injections_in(&r, &sink_path("Consumer")).is_empty() {
            problems.push(format!(
                "other: Consumer's resource is declared and unwritten, yet reported: {:#?}",
                injections_in(&r, &sink_path("Consumer"))
            ));
        }
    }
    // 3. The producer sanitises: no flow.
    {
        let dir = case("clean", lang, ch);
        let funcs = [
            Func {
                id: "Producer",
                env: vec![("OUT", target_of(ch, "Res1", "Consumer"))],
                trigger: None,
                body: vec![ch.write(lang, "OUT", sanitised(lang))],
                public: true,
            },
            Func {
                id: "Consumer",
                env: vec![],
                trigger: Some("Res1"),
                body: consumer_body.clone(),
                public: false,
            },
        ];
        write_app(dir.path(), lang, ch, &funcs, &["Res1"]);
        let r = scan(dir.path());
        if through(&r, &sink_path("Consumer"), "Producer") {
            problems.push(format!(
                "clean: a sanitised value reached Consumer: {:#?}",
                injections_in(&r, &sink_path("Consumer"))
            ));
        }
    }
    // 4. A chain of three: Producer -> R1 -> Relay -> R2 -> Consumer.
    {
        let dir = case("chain", lang, ch);
        let funcs = [
            Func {
                id: "Producer",
                env: vec![("OUT", target_of(ch, "Res1", "Relay"))],
                trigger: None,
                body: vec![ch.write(lang, "OUT", caller_input(lang))],
                public: true,
            },
            Func {
                id: "Relay",
                env: vec![("NEXT", target_of(ch, "Res2", "Consumer"))],
                trigger: Some("Res1"),
                body: vec![bind(lang, ch.read(lang)), ch.write(lang, "NEXT", "x")],
                public: false,
            },
            Func {
                id: "Consumer",
                env: vec![],
                trigger: Some("Res2"),
                body: consumer_body,
                public: false,
            },
        ];
        write_app(dir.path(), lang, ch, &funcs, &["Res1", "Res2"]);
        let r = scan(dir.path());
        let hits = injections_in(&r, &sink_path("Consumer"));
        if !hits
            .iter()
            .any(|f| crossed(f) == ["Producer", "Relay", "Consumer"])
        {
            problems.push(format!(
                "chain: no flow Producer -> Relay -> Consumer: {hits:#?}"
            ));
        }
    }
    // 5. A cycle: Looper writes what it receives back to what triggers it.
    {
        let dir = case("cycle", lang, ch);
        let funcs = [Func {
            id: "Looper",
            env: vec![("BACK", target_of(ch, "Res1", "Looper"))],
            trigger: Some("Res1"),
            body: vec![bind(lang, ch.read(lang)), ch.write(lang, "BACK", "x")],
            public: false,
        }];
        write_app(dir.path(), lang, ch, &funcs, &["Res1"]);
        let r = scan(dir.path());
        let rec = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "recursive-trigger" && f["function"] == "Looper");
        if !rec {
            problems.push("cycle: no recursive-trigger finding for Looper".to_owned());
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{lang:?} {ch:?} {p}"))
        .collect()
}

fn run_all(lang: Lang) {
    let problems: Vec<String> = CHANNELS
        .iter()
        .flat_map(|ch| run_channel(lang, *ch))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_channel_in_javascript() {
    run_all(Lang::Js);
}

#[test]
fn every_channel_in_python() {
    run_all(Lang::Py);
}
