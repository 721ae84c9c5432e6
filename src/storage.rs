//! Where Yunzhan keeps the visitor's things between runs (preferences now;
//! the inquiry outbox and catalog cache use it too). Natively a folder:
//! `$YUNZHAN_DATA_DIR`, else `$XDG_DATA_HOME/yunzhan`, else
//! `~/.local/share/yunzhan`. Capture runs use no storage, so their pictures
//! never depend on an earlier session.

use std::path::PathBuf;

use bevy::prelude::*;

#[derive(Resource, Debug, Clone, Default)]
pub struct Storage {
    dir: Option<PathBuf>,
}

impl Storage {
    /// The visitor's data folder, when the platform has one.
    pub fn user() -> Self {
        let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        let dir = var("YUNZHAN_DATA_DIR").map(PathBuf::from).or_else(|| {
            var("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".local/share")))
                .map(|base| base.join("yunzhan"))
        });
        Storage { dir }
    }

    /// Keeps nothing: reads find nothing and writes are dropped.
    pub fn none() -> Self {
        Storage { dir: None }
    }

    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Storage {
            dir: Some(dir.into()),
        }
    }

    /// Where a file of this name is kept, when anything is kept.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(name))
    }

    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.as_ref()?.join(name)).ok()
    }

    /// Replaces the file whole (write to a temporary file, then rename), so
    /// a crash never leaves half a file behind.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir)?;
        let temporary = dir.join(format!(".{name}.tmp"));
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, dir.join(name))
    }
}
