//! Throughput of `scan` over a few MB of generated handler code, configuration and `.env`
//! text with a sprinkling of secrets and many near-misses (keywords without secrets).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perimeter_diagnostics::SourceFile;
use perimeter_secrets::{FileContext, scan};

/// A deterministic pseudo-random alphanumeric string (xorshift), so runs compare.
fn noise(seed: &mut u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            char::from(ALPHABET[usize::try_from(*seed % 62).unwrap_or(0)])
        })
        .collect()
}

fn generated_source(bytes: usize) -> String {
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut out = String::with_capacity(bytes + 4096);
    let mut i = 0u32;
    while out.len() < bytes {
        i += 1;
        let _ = writeln!(out, "export async function handler{i}(event, context) {{");
        let _ = writeln!(out, "  const key = event.pathParameters?.key ?? 'default';");
        let _ = writeln!(
            out,
            "  const token = process.env.API_TOKEN; // read at runtime"
        );
        let _ = writeln!(out, "  const password = getPassword(event.body);");
        let _ = writeln!(
            out,
            "  const params = {{ TableName: process.env.TABLE, Key: {{ id: key }} }};"
        );
        let _ = writeln!(out, "  const res = await ddb.get(params).promise();");
        let _ = writeln!(
            out,
            "  log.info('fetched item', {{ id: key, size: res.Item?.length }});"
        );
        if i.is_multiple_of(50) {
            let _ = writeln!(out, "  const apiKey = \"{}\";", noise(&mut seed, 32));
            let _ = writeln!(
                out,
                "  const db = 'postgres://svc:{}@db.prod.internal/app';",
                noise(&mut seed, 16)
            );
        }
        let _ = writeln!(
            out,
            "  return {{ statusCode: 200, body: JSON.stringify(res.Item) }};"
        );
        let _ = writeln!(out, "}}\n");
    }
    out
}

fn bench_scan(c: &mut Criterion) {
    let text = generated_source(4 * 1024 * 1024);
    let file = SourceFile::new("src/handlers.js", text);
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes(file.text().len() as u64));
    group.sample_size(10);
    group.bench_function("generated_js_4mb", |b| {
        b.iter(|| black_box(scan(&file, FileContext::Source)));
    });
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
