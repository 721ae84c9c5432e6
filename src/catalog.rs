//! The catalog the expo shows, loaded once and shared by every feature.

use std::sync::Arc;

use bevy::prelude::*;
use yunzhan_model::{Catalog, EMBEDDED_CATALOG};

/// The loaded catalog.
#[derive(Resource, Clone, Deref)]
pub struct ExpoCatalog(pub Arc<Catalog>);

impl ExpoCatalog {
    /// The catalog compiled into the app.
    pub fn embedded() -> Self {
        match Catalog::load(EMBEDDED_CATALOG) {
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
