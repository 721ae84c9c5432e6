//! Any bytes given to the catalog loader: it may refuse them, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yunzhan_model::Catalog;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = Catalog::load(data) {
        // Exercise the index built from whatever was accepted.
        let _ = report.catalog.stats();
        let _ = report.catalog.to_json();
    }
});
