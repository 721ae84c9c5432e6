//! The packed catalog the web page downloads: it reads back as the JSON file
//! does, and a damaged one is refused with its reason, never panicking.

use proptest::prelude::*;

use crate::bad_records::{byte_edits, edited};
use yunzhan_model::catalog::CatalogError;
use yunzhan_model::{Catalog, EMBEDDED_CATALOG, HALLS};

fn shipped() -> Catalog {
    Catalog::load(EMBEDDED_CATALOG).unwrap().catalog
}

#[test]
fn a_packed_catalog_reads_back_as_its_json_file_does() {
    let catalog = shipped();
    let packed = catalog.to_packed();
    let report = Catalog::load(&packed).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.catalog.catalog_version(), catalog.catalog_version());
    assert_eq!(report.catalog.projects(), catalog.projects());
    assert_eq!(report.catalog.exhibitors(), catalog.exhibitors());
    // The reason it exists: fewer bytes for the browser to take in.
    assert!(
        packed.len() * 4 < EMBEDDED_CATALOG.len() * 3,
        "packed {} bytes, JSON {}",
        packed.len(),
        EMBEDDED_CATALOG.len()
    );
}

#[test]
fn a_cut_or_foreign_packed_catalog_is_refused_with_its_reason() {
    let packed = shipped().to_packed();
    let magic = b"yunzhan-catalog-packed\n".len();
    for cut in [magic, magic + 2, magic + 4, magic + 100, packed.len() - 1] {
        let error = Catalog::load(&packed[..cut]).unwrap_err();
        assert!(
            matches!(error, CatalogError::BadPacked(_)),
            "cut at {cut}: {error:?}"
        );
        assert!(
            error.to_string().contains("yunzhan-catalog pack"),
            "{error}"
        );
    }
    let mut future = packed.clone();
    future[magic..magic + 4].copy_from_slice(&2u32.to_le_bytes());
    assert_eq!(
        Catalog::load(&future).unwrap_err(),
        CatalogError::UnsupportedVersion(2)
    );
}

/// The first five projects of the shipped catalog, packed.
fn seed() -> Vec<u8> {
    let projects = shipped().projects()[..5].to_vec();
    Catalog::from_projects("seed", projects).catalog.to_packed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn damaged_packed_catalogs_never_panic(edits in byte_edits()) {
        let bytes = edited(seed(), edits);
        if let Ok(report) = Catalog::load(&bytes) {
            // Whatever decodes is checked like a JSON file's records.
            for project in report.catalog.projects() {
                prop_assert!(usize::from(project.hall.0) < HALLS.len());
                prop_assert!(!project.title.trim().is_empty());
            }
        }
    }
}
