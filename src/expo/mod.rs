//! The expo's data, shared by every feature and depending on none: the
//! catalog on show, where the visitor is (the [`Screen`]), what they chose
//! (language, favourites, search, inquiry draft), the files shipped with the
//! app, the visitor's storage, and the messages features send each other.

use bevy::prelude::*;

pub(crate) mod catalog;
pub(crate) mod storage;
pub(crate) mod tasks;
pub(crate) mod visitor_state;

pub(crate) use catalog::ExpoCatalog;
pub(crate) use visitor_state::{Favourites, InquiryDraft, KeypadField, Lang, SearchState};

/// Where the visitor is.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Screen {
    #[default]
    Lobby,
    /// A hall is being built behind the loading screen.
    Loading,
    Hall,
}

/// Present on the venue's touch-screen kiosk (`--kiosk`, `?kiosk=1`): the
/// touch controls are always shown and a click never locks the pointer.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kiosk;

/// The files the app ships with: the CJK font and the catalog. Natively
/// they are compiled in; in a browser the page downloads them beside the
/// wasm and hands them over before the app starts (`web::take_page_files`).
#[derive(Resource, Debug, Clone, Copy)]
pub struct ShippedFiles {
    /// A subset of Noto Sans CJK SC (OFL), OpenType.
    pub font: &'static [u8],
    /// The shipped catalog, JSON (docs/catalog-format.md).
    pub catalog: &'static [u8],
}

impl ShippedFiles {
    /// The files compiled into the native app (`static`s: a `const` slice is
    /// copied into every codegen unit that uses it).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn compiled_in() -> Self {
        static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Yunzhan.otf");
        ShippedFiles {
            font: FONT,
            catalog: yunzhan_model::EMBEDDED_CATALOG,
        }
    }
}

/// The visitor went away (the kiosk's idle reset): every feature wipes
/// what it keeps of them.
#[derive(Message, Debug, Clone, Copy, Default)]
pub(crate) struct VisitorLeft;

/// Open the inquiry form of this project (platform number).
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenInquiry(pub String);

/// Open the visitor's inquiries ("My inquiries").
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenThreads;

/// Whether this device sends anonymous attention counts: not when the
/// visitor chose "don't count me" (kept with the preferences) or the
/// browser sends the Global Privacy Control signal.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CountingChoice {
    pub(crate) dont_count: bool,
    pub(crate) privacy_signal: bool,
}

impl CountingChoice {
    pub(crate) fn counts(self) -> bool {
        !self.dont_count && !self.privacy_signal
    }
}

/// Something a visitor did, to be counted anonymously; sent by features
/// the counting cannot see (the detail panel's QR hand-off).
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Noticed {
    pub(crate) platform_no: String,
    pub(crate) event: yunzhan_model::attention::Event,
}

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    #[cfg(not(target_arch = "wasm32"))]
    if !app.world().contains_resource::<ShippedFiles>() {
        app.insert_resource(ShippedFiles::compiled_in());
    }
    app.init_resource::<CountingChoice>()
        .add_message::<VisitorLeft>()
        .add_message::<OpenInquiry>()
        .add_message::<OpenThreads>()
        .add_message::<Noticed>();
    app.add_plugins((catalog::plugin, visitor_state::plugin));
}
