//! The catalog the expo shows, shared by every feature.

use std::sync::Arc;

use bevy::prelude::*;
use yunzhan_model::Catalog;

use super::ShippedFiles;

/// The catalog on show.
#[derive(Resource, Clone, Deref)]
pub(crate) struct ExpoCatalog(pub Arc<Catalog>);

impl ExpoCatalog {
    /// The catalog shipped with the app.
    pub(crate) fn shipped(files: &ShippedFiles) -> Self {
        match Catalog::load(files.catalog) {
            Ok(report) => {
                for rejected in &report.rejected {
                    warn!("shipped catalog: {rejected}");
                }
                ExpoCatalog(Arc::new(report.catalog))
            }
            // The shipped catalog is checked by the test suite; this is
            // unreachable in a tested build, but an empty expo beats a crash.
            Err(error) => {
                error!("shipped catalog unreadable: {error}");
                ExpoCatalog(Arc::new(
                    Catalog::from_projects("empty", Vec::new()).catalog,
                ))
            }
        }
    }
}

impl ExpoCatalog {
    /// A catalog file given on the command line; the message names the file
    /// and the reason. Rejected records are reported and left out.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let bytes = std::fs::read(path)
            .map_err(|error| format!("{}: cannot read the catalog: {error}", path.display()))?;
        let report =
            Catalog::load(&bytes).map_err(|error| format!("{}: {error}", path.display()))?;
        for rejected in &report.rejected {
            warn!("{}: {rejected}", path.display());
        }
        Ok(ExpoCatalog(Arc::new(report.catalog)))
    }
}

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<ExpoCatalog>() {
        let files = *app.world().resource::<ShippedFiles>();
        app.insert_resource(ExpoCatalog::shipped(&files));
    }
}
