//! Where the app keeps the visitor's things between runs, by name: a folder
//! natively, the browser's `localStorage` on the web, or nowhere (capture
//! runs, tests). Every write replaces the whole item, so a crash never
//! leaves half of one behind.

use std::io;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    place: Place,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Place {
    /// Reads find nothing and writes are dropped.
    #[default]
    Nowhere,
    Folder(PathBuf),
    /// `localStorage`, each name under the key `yunzhan/NAME`.
    #[cfg(target_arch = "wasm32")]
    Browser,
}

impl Store {
    /// The visitor's own storage: in a browser its `localStorage`; natively
    /// `$YUNZHAN_DATA_DIR`, else the system's data folder for applications
    /// (`$XDG_DATA_HOME/yunzhan` or `~/.local/share/yunzhan` on Linux,
    /// `~/Library/Application Support/…` on macOS, `%APPDATA%\…` on Windows).
    pub fn user() -> Self {
        #[cfg(target_arch = "wasm32")]
        return Store {
            place: Place::Browser,
        };
        #[cfg(not(target_arch = "wasm32"))]
        {
            let chosen = std::env::var_os("YUNZHAN_DATA_DIR").filter(|value| !value.is_empty());
            let dir = chosen.map(PathBuf::from).or_else(|| {
                directories::ProjectDirs::from("cn", "Tianfu Sci-Tech Cloud", "yunzhan")
                    .map(|dirs| dirs.data_dir().to_path_buf())
            });
            Store {
                place: dir.map_or(Place::Nowhere, Place::Folder),
            }
        }
    }

    /// Keeps nothing.
    pub fn nowhere() -> Self {
        Store::default()
    }

    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Store {
            place: Place::Folder(dir.into()),
        }
    }

    /// Where an item of this name is kept, for messages.
    pub fn describe(&self, name: &str) -> String {
        match &self.place {
            Place::Nowhere => format!("{name} (not kept)"),
            Place::Folder(dir) => dir.join(name).display().to_string(),
            #[cfg(target_arch = "wasm32")]
            Place::Browser => format!("browser storage {}", browser::key(name)),
        }
    }

    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        match &self.place {
            Place::Nowhere => None,
            Place::Folder(dir) => std::fs::read(dir.join(name)).ok(),
            #[cfg(target_arch = "wasm32")]
            Place::Browser => browser::read(name),
        }
    }

    /// Replaces the item whole. Natively: a temporary file, flushed to the
    /// disk before it is renamed over the item (so a power cut leaves the
    /// old item or the new one, never an empty file), then the folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        match &self.place {
            Place::Nowhere => Ok(()),
            Place::Folder(dir) => {
                use std::io::Write;
                std::fs::create_dir_all(dir)?;
                let temporary = dir.join(format!(".{name}.tmp"));
                let mut file = std::fs::File::create(&temporary)?;
                file.write_all(bytes)?;
                file.sync_all()?;
                std::fs::rename(&temporary, dir.join(name))?;
                // The rename itself is durable once the folder is synced
                // (where a folder can be opened, as on Unix).
                if let Ok(folder) = std::fs::File::open(dir) {
                    let _ = folder.sync_all();
                }
                Ok(())
            }
            #[cfg(target_arch = "wasm32")]
            Place::Browser => browser::write(name, bytes),
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::io;

    pub(super) fn key(name: &str) -> String {
        format!("yunzhan/{name}")
    }

    fn local_storage() -> io::Result<web_sys::Storage> {
        web_sys::window()
            .and_then(|window| window.local_storage().ok().flatten())
            .ok_or_else(|| io::Error::other("this browser gives the page no localStorage"))
    }

    pub(super) fn read(name: &str) -> Option<Vec<u8>> {
        let item = local_storage().ok()?.get_item(&key(name)).ok()??;
        Some(item.into_bytes())
    }

    pub(super) fn write(name: &str, bytes: &[u8]) -> io::Result<()> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))?;
        local_storage()?
            .set_item(&key(name), text)
            .map_err(|_| io::Error::other("the browser refused to store it (storage full?)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_store_keeps_items_whole_and_nowhere_keeps_nothing() {
        let dir = std::env::temp_dir().join(format!("yunzhan-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::in_dir(&dir);
        assert_eq!(store.read("a.json"), None);
        store.write("a.json", b"[1]").unwrap();
        store.write("a.json", b"[2]").unwrap();
        assert_eq!(store.read("a.json").as_deref(), Some(&b"[2]"[..]));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"], "no temporary file is left behind");

        let nowhere = Store::nowhere();
        nowhere.write("a.json", b"[3]").unwrap();
        assert_eq!(nowhere.read("a.json"), None);
    }
}
