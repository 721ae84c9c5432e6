//! Where Yunzhan keeps the visitor's things between runs (preferences, the
//! inquiry outbox, the catalog cache): the client crate's [`Store`], a
//! folder natively and `localStorage` in a browser. Capture runs use no
//! storage, so their pictures never depend on an earlier session.

use bevy::prelude::*;
use yunzhan_client::Store;

#[derive(Resource, Debug, Clone, Default, Deref)]
pub(crate) struct Storage(pub Store);

impl Storage {
    /// The visitor's own storage.
    pub(crate) fn user() -> Self {
        Storage(Store::user())
    }

    /// Keeps nothing: reads find nothing and writes are dropped.
    pub(crate) fn none() -> Self {
        Storage(Store::nowhere())
    }

    #[cfg(test)]
    pub(crate) fn in_dir(dir: impl Into<std::path::PathBuf>) -> Self {
        Storage(Store::in_dir(dir))
    }
}
