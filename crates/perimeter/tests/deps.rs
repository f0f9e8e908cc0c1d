//! Vulnerable dependencies end to end: `perimeter db import` of a folder of OSV records and
//! of an `all.zip`-style archive, `perimeter db status`, then scans that report a package the
//! code imports at the advisory's severity with the chain, one nothing imports low, and a
//! scan without a database that says so.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const QS: &str = r#"{"id":"GHSA-gqgv-6jq5-jjj9","aliases":["CVE-2017-1000048"],"modified":"2023-01-01T00:00:00Z",
 "summary":"Prototype Pollution Protection Bypass in qs",
 "affected":[{"package":{"ecosystem":"npm","name":"qs"},"ranges":[{"type":"SEMVER","events":[{"introduced":"6.3.0"},{"fixed":"6.3.2"}]}]}],
 "database_specific":{"severity":"HIGH"}}"#;
const UUID: &str = r#"{"id":"GHSA-265q-28rp-chq5","aliases":["CVE-2015-8851"],"modified":"2023-01-01T00:00:00Z",
 "summary":"Insecure Entropy Source - Math.random() in node-uuid",
 "affected":[{"package":{"ecosystem":"npm","name":"node-uuid"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.4.4"}]}]}],
 "database_specific":{"severity":"MODERATE"}}"#;

fn perimeter(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .current_dir(cwd)
        .env_remove("PERIMETER_DB")
        .args(args)
        .output()
        .unwrap()
}

fn app(dir: &Path) {
    std::fs::write(
        dir.join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  parse:\n    handler: handler.parse\n    events:\n      - httpApi: 'GET /p'\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("handler.js"),
        "const express = require('express');\nexports.parse = async (e) => ({ statusCode: 200 });\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{ "dependencies": { "express": "4.16.0", "node-uuid": "1.4.3" } }"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("package-lock.json"),
        r#"{ "lockfileVersion": 3, "packages": {
  "": { "dependencies": { "express": "4.16.0", "node-uuid": "1.4.3" } },
  "node_modules/express": { "version": "4.16.0", "dependencies": { "qs": "6.3.1" } },
  "node_modules/qs": { "version": "6.3.1" },
  "node_modules/node-uuid": { "version": "1.4.3" }
} }"#,
    )
    .unwrap();
}

fn findings(out: &Output) -> Vec<Value> {
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "DEP001")
        .cloned()
        .collect()
}

#[test]
fn import_status_and_reachability() {
    let work = tempfile::tempdir().unwrap();
    let records = work.path().join("records");
    std::fs::create_dir(&records).unwrap();
    std::fs::write(records.join("GHSA-gqgv-6jq5-jjj9.json"), QS).unwrap();
    // The other record comes in an archive, as osv.dev publishes them.
    let zip_path = work.path().join("all.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        z.start_file(
            "GHSA-265q-28rp-chq5.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(UUID.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    let db = work.path().join("db");
    let db_arg = db.to_str().unwrap();
    let out = perimeter(
        &["db", "import", records.to_str().unwrap(), "--db", db_arg],
        work.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = perimeter(
        &["db", "import", zip_path.to_str().unwrap(), "--db", db_arg],
        work.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = perimeter(&["db", "status", "--db", db_arg], work.path());
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("npm: 2 advisories for 2 packages"), "{text}");
    // How old the data is (the records say 2023-01-01) and when it was imported.
    assert!(
        text.contains("newest modified 2023-01-01T00:00:00Z (")
            && text.contains(" days old), imported "),
        "{text}"
    );

    let dir = work.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    app(&dir);
    let out = perimeter(&["scan", ".", "--format", "json", "--db", db_arg], &dir);
    let fs = findings(&out);
    let qs = fs
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("`qs`"))
        .unwrap();
    // Reached through express, at the advisory's severity, with the chain.
    assert_eq!(qs["severity"], "high", "{qs:#}");
    assert!(
        qs["message"].as_str().unwrap().contains("express → qs"),
        "{qs:#}"
    );
    assert_eq!(qs["path"], "package-lock.json");
    assert_eq!(qs["function"], "parse");
    assert_eq!(qs["trace"][0]["path"], "handler.js");
    // node-uuid is declared but nothing imports it: reported low, saying why, where the
    // project declares it.
    let uuid = fs
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("node-uuid"))
        .unwrap();
    assert_eq!(uuid["severity"], "low", "{uuid:#}");
    assert!(
        uuid["message"]
            .as_str()
            .unwrap()
            .contains("no deployed function's code imports it")
    );
    assert_eq!(uuid["path"], "package.json");
    assert_eq!(fs.len(), 2, "{fs:#?}");

    // A manifest without a lockfile: its range is judged by the versions it admits.
    let loose = work.path().join("loose");
    std::fs::create_dir(&loose).unwrap();
    app(&loose);
    std::fs::remove_file(loose.join("package-lock.json")).unwrap();
    std::fs::write(
        loose.join("package.json"),
        r#"{ "dependencies": { "express": "4.16.0", "node-uuid": "^1.4.0" } }"#,
    )
    .unwrap();
    let out = perimeter(&["scan", ".", "--format", "json", "--db", db_arg], &loose);
    let fs = findings(&out);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    let message = fs[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "`node-uuid` unpinned: `^1.4.0` admits 1.4.0, affected by GHSA-265q-28rp-chq5"
        ),
        "{message}"
    );
    assert_eq!(fs[0]["path"], "package.json");

    // Without a database, the report says dependencies were not checked.
    let empty = work.path().join("empty");
    let out = perimeter(
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--db",
            empty.to_str().unwrap(),
        ],
        &dir,
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(findings(&out).is_empty());
    assert!(
        r["warnings"].to_string().contains("no advisory database"),
        "{}",
        r["warnings"]
    );
}
