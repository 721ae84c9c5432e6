//! `yunzhan-catalog pack`: the packed catalog it writes reads back as the
//! JSON file, and a file with a rejected record is not packed.

use std::process::Command;

use yunzhan_model::{Catalog, EMBEDDED_CATALOG};

fn pack(input: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_yunzhan-catalog"))
        .arg("pack")
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn pack_writes_the_catalog_packed() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (
        dir.path().join("catalog.json"),
        dir.path().join("catalog.bin"),
    );
    std::fs::write(&input, EMBEDDED_CATALOG).unwrap();
    let run = pack(&input, &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let packed = std::fs::read(&out).unwrap();
    assert!(packed.starts_with(b"yunzhan-catalog-packed\n"));
    let shipped = Catalog::load(EMBEDDED_CATALOG).unwrap().catalog;
    let read = Catalog::load(&packed).unwrap();
    assert!(read.rejected.is_empty());
    assert_eq!(read.catalog.projects(), shipped.projects());
}

#[test]
fn pack_refuses_a_catalog_with_a_rejected_record() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (
        dir.path().join("catalog.json"),
        dir.path().join("catalog.bin"),
    );
    let mut file: serde_json::Value = serde_json::from_slice(EMBEDDED_CATALOG).unwrap();
    file["projects"][3]["title"] = "".into();
    std::fs::write(&input, file.to_string()).unwrap();
    let run = pack(&input, &out);
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(said.contains("record #3 (YZ-2023-00004): title"), "{said}");
    assert!(said.contains("not packed"), "{said}");
    assert!(!out.exists(), "nothing is written");
}
