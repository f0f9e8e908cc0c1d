//! Lookup of 1,000 packages in an imported database of 200,000 advisories (60,000
//! packages), with version matching: what a scan of a large monorepo asks of it.
//! `cargo bench -p perimeter_deps --bench lookup` (the database is generated once into the
//! system's temporary folder).

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use perimeter_deps::Ecosystem;
use perimeter_deps::db::{Db, import};

fn database() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("perimeter-bench-osv-200k");
    if dir.join("meta.json").is_file() {
        return dir;
    }
    let zip_path = std::env::temp_dir().join("perimeter-bench-osv-200k.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..200_000u32 {
            let major = i % 10;
            let rec = format!(
                r#"{{"id":"SYNTH-{i:06}","aliases":["CVE-2099-{i:06}"],"modified":"2026-01-01T00:00:00Z","summary":"synthetic advisory {i}","affected":[{{"package":{{"ecosystem":"npm","name":"pkg-{}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"{major}.0.0"}},{{"fixed":"{major}.{}.0"}}]}}]}}],"database_specific":{{"severity":"HIGH"}}}}"#,
                i % 60_000,
                1 + i % 9
            );
            z.start_file(format!("SYNTH-{i:06}.json"), opts).unwrap();
            z.write_all(rec.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    import(&dir, &zip_path).unwrap();
    let _ = std::fs::remove_file(zip_path);
    dir
}

fn lookup(c: &mut Criterion) {
    let dir = database();
    let db = Db::open(&dir).unwrap().unwrap();
    let names: Vec<String> = (0..1000).map(|i| format!("pkg-{}", i * 59)).collect();
    c.bench_function("lookup and match 1000 packages", |b| {
        b.iter(|| {
            let mut hits = 0;
            for n in &names {
                for a in db.lookup(Ecosystem::Npm, n) {
                    if a.affects(Ecosystem::Npm, "3.0.5") {
                        hits += 1;
                    }
                }
            }
            black_box(hits)
        });
    });
    c.bench_function("open the database", |b| {
        b.iter(|| black_box(Db::open(&dir).unwrap().unwrap().meta.ecosystems.len()));
    });
}

criterion_group!(benches, lookup);
criterion_main!(benches);
