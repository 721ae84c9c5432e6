//! Catalog ingest, search and layout benchmarks. Ingest is measured side by
//! side with a plain `serde_json::Value` parse of the same bytes, the
//! baseline of the 1.5x budget in docs/PERFORMANCE.md, and the packed form
//! the web page downloads beside them.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yunzhan_model::generate::{scaled_catalog, shipped_catalog};
use yunzhan_model::{Catalog, HallIndex, HallLayout, Industry, Query};

fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    group.sample_size(20);
    for total in [5_740, 100_000] {
        let bytes = scaled_catalog(total).to_json().into_bytes();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("serde_json_value", total),
            &bytes,
            |b, bytes| {
                b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap())
            },
        );
        group.bench_with_input(
            BenchmarkId::new("load_validate_index", total),
            &bytes,
            |b, bytes| b.iter(|| Catalog::load(black_box(bytes)).unwrap()),
        );
        // The same catalog packed, as the web page downloads it.
        let packed = Catalog::load(&bytes).unwrap().catalog.to_packed();
        group.bench_with_input(
            BenchmarkId::new("load_packed_validate_index", total),
            &packed,
            |b, packed| b.iter(|| Catalog::load(black_box(packed)).unwrap()),
        );
    }
    group.finish();
}

fn search(c: &mut Criterion) {
    let catalog = shipped_catalog();
    let mut group = c.benchmark_group("search");
    group.bench_function("text_银耳", |b| {
        b.iter(|| catalog.search(black_box(&Query::text("银耳")), 50))
    });
    group.bench_function("text_bigram_fallback", |b| {
        b.iter(|| catalog.search(black_box(&Query::text("通江银耳保护")), 50))
    });
    let filtered = Query {
        text: "smart".into(),
        industry: Some(Industry::EquipmentManufacturing),
        ..Query::default()
    };
    group.bench_function("english_with_filter", |b| {
        b.iter(|| catalog.search(black_box(&filtered), 50))
    });
    group.bench_function("related", |b| {
        let id = catalog.find("YZ-2023-00004").unwrap();
        b.iter(|| catalog.related(black_box(id), 8))
    });
    group.finish();
}

fn layout(c: &mut Criterion) {
    let catalog = shipped_catalog();
    let largest = HallIndex::all()
        .max_by_key(|&hall| catalog.hall_project_count(hall))
        .unwrap();
    c.bench_function("layout/largest_hall", |b| {
        b.iter(|| HallLayout::for_hall(black_box(&catalog), largest))
    });
}

criterion_group!(benches, ingest, search, layout);
criterion_main!(benches);
