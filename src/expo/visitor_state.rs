//! What the visitor has chosen and is doing, shared by the features that
//! show or change it: language, favourites, search, the inquiry draft.

use bevy::prelude::*;
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::validate::FieldError;
use yunzhan_model::{ProjectId, Query};

/// The language of all UI text.
#[derive(
    Resource, Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The Chinese or English one of a pair (of texts, formatted strings…).
    pub(crate) fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[derive(Resource, Debug, Default, Clone)]
pub(crate) struct SearchState {
    pub(crate) query: Query,
    /// The projects found for `searched`.
    pub(crate) results: Vec<ProjectId>,
    /// The query `results` answer (`None`: search again).
    pub(crate) searched: Option<Query>,
}

impl SearchState {
    /// Drops the results (ids into a catalog that is being replaced); the
    /// query runs again on the next frame.
    pub(crate) fn forget_results(&mut self) {
        self.results.clear();
        self.searched = None;
    }
}

/// The visitor's favourites (收藏), in the order added.
#[derive(Resource, Debug, Default, Clone)]
pub(crate) struct Favourites(pub Vec<ProjectId>);

/// The inquiry being written; kept while the visitor walks.
#[derive(Resource, Debug, Default, Clone)]
pub(crate) struct InquiryDraft {
    pub(crate) inquiry: Inquiry,
    pub(crate) errors: Vec<FieldError>,
    /// Put the keyboard in the first field when the form next shows (it
    /// was opened where there is a keyboard: `ui::open_inquiry_form`).
    pub(crate) focus_first_field: bool,
    /// The field the kiosk's on-screen keypad types into.
    pub(crate) keypad: Option<KeypadField>,
}

/// The inquiry field the on-screen keypad types into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeypadField {
    Phone,
    Email,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Lang>()
        .init_resource::<SearchState>()
        .init_resource::<Favourites>()
        .init_resource::<InquiryDraft>();
    app.add_systems(
        PostUpdate,
        forget_the_visitor.run_if(on_message::<super::VisitorLeft>),
    );
}

/// A new visitor starts with the default language and nothing of the last
/// one's: favourites, search and inquiry draft.
fn forget_the_visitor(
    mut lang: ResMut<Lang>,
    mut favourites: ResMut<Favourites>,
    mut search: ResMut<SearchState>,
    mut draft: ResMut<InquiryDraft>,
) {
    *lang = Lang::default();
    *favourites = Favourites::default();
    *search = SearchState::default();
    *draft = InquiryDraft::default();
}
