//! The catalog the expo shows, loaded once and shared by every feature.

use std::sync::Arc;

use bevy::prelude::*;
use yunzhan_model::Catalog;

/// The loaded catalog.
#[derive(Resource, Clone, Deref)]
pub struct ExpoCatalog(pub Arc<Catalog>);

impl ExpoCatalog {
    /// The catalog shipped with the app: compiled in natively; in a browser
    /// downloaded by the page beside the wasm
    /// ([`crate::web::take_page_files`]).
    pub fn embedded() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let bytes = yunzhan_model::EMBEDDED_CATALOG;
        #[cfg(target_arch = "wasm32")]
        let bytes = crate::web::page_catalog();
        match Catalog::load(bytes) {
            Ok(report) => {
                for rejected in &report.rejected {
                    warn!("embedded catalog: {rejected}");
                }
                ExpoCatalog(Arc::new(report.catalog))
            }
            // The embedded catalog is checked by the test suite; this is unreachable
            // in a tested build, but an empty expo beats a crash.
            Err(error) => {
                error!("embedded catalog unreadable: {error}");
                ExpoCatalog(Arc::new(
                    Catalog::from_projects("empty", Vec::new()).catalog,
                ))
            }
        }
    }
}

pub fn plugin(app: &mut App) {
    if !app.world().contains_resource::<ExpoCatalog>() {
        app.insert_resource(ExpoCatalog::embedded());
    }
}
