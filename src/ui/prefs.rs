//! The visitor's preferences kept between visits: language, favourites
//! (by platform number, so they survive catalog changes), the quality
//! setting, whether the first-visit hint was dismissed and whether the
//! visitor chose not to be counted.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::expo::catalog::ExpoCatalog;
use crate::expo::storage::Storage;
use crate::expo::{CountingChoice, Favourites, Lang};
use crate::ui::Panels;
use crate::world::quality::{Quality, QualitySetting};

const FILE: &str = "preferences.json";

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Preferences {
    pub(crate) lang: Lang,
    pub(crate) favourites: Vec<String>,
    pub(crate) hint_seen: bool,
    pub(crate) quality: QualitySetting,
    pub(crate) dont_count: bool,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Storage>();
    app.add_systems(Startup, load);
    app.add_systems(Last, save.run_if(preferences_changed));
}

fn preferences_changed(
    lang: Res<Lang>,
    favourites: Res<Favourites>,
    panels: Res<Panels>,
    quality: Res<Quality>,
    counting: Res<CountingChoice>,
) -> bool {
    lang.is_changed()
        || favourites.is_changed()
        || panels.is_changed()
        || quality.is_changed()
        || counting.is_changed()
}

fn load(
    storage: Res<Storage>,
    catalog: Res<ExpoCatalog>,
    mut lang: ResMut<Lang>,
    mut favourites: ResMut<Favourites>,
    mut panels: ResMut<Panels>,
    mut quality: ResMut<Quality>,
    mut counting: ResMut<CountingChoice>,
) {
    let Some(bytes) = storage.read(FILE) else {
        return;
    };
    let preferences: Preferences = match serde_json::from_slice(&bytes) {
        Ok(preferences) => preferences,
        Err(error) => {
            warn!("ignoring unreadable {FILE}: {error}");
            return;
        }
    };
    *lang = preferences.lang;
    favourites.0 = preferences
        .favourites
        .iter()
        .filter_map(|no| catalog.find(no))
        .collect();
    panels.hint = !preferences.hint_seen;
    quality.setting = preferences.quality;
    counting.dont_count = preferences.dont_count;
}

fn save(
    storage: Res<Storage>,
    catalog: Res<ExpoCatalog>,
    lang: Res<Lang>,
    favourites: Res<Favourites>,
    panels: Res<Panels>,
    quality: Res<Quality>,
    counting: Res<CountingChoice>,
    mut hint_seen: Local<bool>,
    mut written: Local<Option<Preferences>>,
) {
    *hint_seen |= !panels.hint;
    let preferences = Preferences {
        lang: *lang,
        favourites: favourites
            .0
            .iter()
            .map(|&id| catalog.project(id).platform_no.clone())
            .collect(),
        hint_seen: *hint_seen,
        quality: quality.setting,
        dont_count: counting.dont_count,
    };
    // The panels count as changed whenever the UI borrows them, so compare
    // contents: the file is written only when a preference really changed.
    if written.as_ref() == Some(&preferences) {
        return;
    }
    let json = serde_json::to_vec_pretty(&preferences).expect("preferences serialise");
    match storage.write(FILE, &json) {
        Ok(()) => *written = Some(preferences),
        Err(error) => warn!("could not save {FILE}: {error}"),
    }
}
