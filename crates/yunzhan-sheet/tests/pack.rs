//! `yunzhan-catalog pack`: the packed catalog it writes reads back as the
//! JSON file, and a file with a rejected record is not packed.

use std::process::{Command, Output};

use yunzhan_model::{Catalog, EMBEDDED_CATALOG};

/// Runs `yunzhan-catalog pack` on `catalog` written to a file; returns how
/// it ended and the packed file, if it wrote one.
fn pack(catalog: &[u8]) -> (Output, Option<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("catalog.json");
    let out = dir.path().join("catalog.bin");
    std::fs::write(&input, catalog).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_yunzhan-catalog"))
        .arg("pack")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    (run, std::fs::read(&out).ok())
}

#[test]
fn pack_writes_the_catalog_packed() {
    let (run, packed) = pack(EMBEDDED_CATALOG);
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{said}");
    let packed = packed.expect("a packed file");
    assert!(packed.starts_with(b"yunzhan-catalog-packed\n"));
    let shipped = Catalog::load(EMBEDDED_CATALOG).unwrap().catalog;
    let read = Catalog::load(&packed).unwrap();
    assert!(read.rejected.is_empty());
    assert_eq!(read.catalog.projects(), shipped.projects());
}

#[test]
fn pack_refuses_a_catalog_with_a_rejected_record() {
    let mut file: serde_json::Value = serde_json::from_slice(EMBEDDED_CATALOG).unwrap();
    file["projects"][3]["title"] = "".into();
    let (run, packed) = pack(file.to_string().as_bytes());
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(said.contains("record #3 (YZ-2023-00004): title"), "{said}");
    assert!(said.contains("not packed"), "{said}");
    assert!(packed.is_none(), "nothing is written");
}
