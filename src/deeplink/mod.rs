//! Deep links: where the visitor is (hall, nearest booth, open project) as
//! the parts of a link, kept current in [`DeepLink`] (the web build writes
//! it into the address bar), and landing where a link points at start.

use bevy::prelude::*;
use yunzhan_model::HallIndex;

use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::expo::{Lang, OpenInquiry, OpenThreads};
use crate::world::hall::HallPlan;
use crate::world::interaction::{CurrentBooth, FocusProject, Selection, booth_pose};
use crate::world::navigation::{CurrentHall, Go, floor_position};
use crate::world::quality::{Quality, QualitySetting};
use crate::world::visitor::Visitor;

/// A booth counts as the visitor's when its centre is this close (metres).
const BOOTH_REACH: f32 = 8.0;

/// Where the visitor is, as a link's parts.
#[derive(Resource, Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeepLink {
    pub(crate) hall: Option<HallIndex>,
    /// The nearest booth of the hall (0-based).
    pub(crate) booth: Option<usize>,
    /// The open project's platform number.
    pub(crate) project: Option<String>,
}

impl DeepLink {
    /// The link's query parameters, in the names the app reads back
    /// ([`crate::Options::from_query`]); booths count from 1.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(hall) = self.hall {
            pairs.push(("hall", hall.hall().id.to_string()));
        }
        if let Some(booth) = self.booth {
            pairs.push(("booth", (booth + 1).to_string()));
        }
        if let Some(project) = &self.project {
            pairs.push(("project", project.clone()));
        }
        pairs
    }
}

/// Where the app was asked to start, and settings the link overrides.
#[derive(Resource, Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StartAt {
    pub(crate) link: DeepLink,
    /// Open the linked project's inquiry form.
    pub(crate) inquire: bool,
    /// Open the visitor's inquiries (their threads with the agents).
    pub(crate) inquiries: bool,
    pub(crate) lang: Option<Lang>,
    pub(crate) quality: Option<QualitySetting>,
}

/// The expo's web address, for links handed to a visitor's phone.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShareBase(pub String);

impl ShareBase {
    /// The web address that opens this project: the expo's page (a
    /// folder's address counts as the folder) with `?project=NO`,
    /// percent-encoded. `None` when the base is not an address.
    pub(crate) fn project_link(&self, platform_no: &str) -> Option<String> {
        let mut page = url::Url::parse(&self.0).ok()?;
        if !(page.path().ends_with('/') || page.path().ends_with(".html")) {
            let folder = format!("{}/", page.path());
            page.set_path(&folder);
        }
        page.set_fragment(None);
        page.query_pairs_mut()
            .clear()
            .append_pair("project", platform_no);
        Some(page.into())
    }
}

/// A booth to walk to once its hall is built.
#[derive(Resource, Debug, Clone, Copy)]
struct PendingBooth(usize);

/// Opens a hall and stands the visitor at one of its booths once it is built.
pub(crate) fn go_to_booth(
    commands: &mut Commands,
    go: &mut MessageWriter<Go>,
    hall: HallIndex,
    booth: usize,
) {
    go.write(Go::Hall(hall));
    commands.insert_resource(PendingBooth(booth));
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<DeepLink>();
    app.add_systems(
        Update,
        (
            land.run_if(resource_exists::<StartAt>),
            follow_visitor.run_if(not(in_state(Screen::Loading))),
        ),
    );
    app.add_systems(OnEnter(Screen::Hall), walk_to_pending_booth);
}

/// Lands where the start link points (after the saved preferences were
/// read at start-up, which the link's language and quality override).
fn land(
    mut commands: Commands,
    start: Res<StartAt>,
    catalog: Res<ExpoCatalog>,
    lang: Option<ResMut<Lang>>,
    mut quality: ResMut<Quality>,
    mut open_inquiry: MessageWriter<OpenInquiry>,
    mut open_threads: MessageWriter<OpenThreads>,
    mut focus: MessageWriter<FocusProject>,
    mut go: MessageWriter<Go>,
) {
    commands.remove_resource::<StartAt>();
    if let (Some(chosen), Some(mut lang)) = (start.lang, lang) {
        *lang = chosen;
    }
    if let Some(setting) = start.quality {
        quality.setting = setting;
    }
    if start.inquiries {
        open_threads.write(OpenThreads);
    }
    let link = &start.link;
    if let Some(no) = &link.project {
        match catalog.find(no) {
            Some(project) => {
                focus.write(FocusProject(project));
                if start.inquire {
                    open_inquiry.write(OpenInquiry(no.clone()));
                }
                return;
            }
            None => warn!("the link's project {no} is not in the catalog on show"),
        }
    }
    match (link.hall, link.booth) {
        (Some(hall), Some(booth)) => go_to_booth(&mut commands, &mut go, hall, booth),
        (Some(hall), None) => {
            go.write(Go::Hall(hall));
        }
        _ => {}
    }
}

fn walk_to_pending_booth(
    mut commands: Commands,
    pending: Option<Res<PendingBooth>>,
    plan: Option<Res<HallPlan>>,
    mut current: ResMut<CurrentBooth>,
    visitors: Query<Entity, With<Visitor>>,
) {
    let (Some(pending), Some(plan)) = (pending, plan) else {
        return;
    };
    commands.remove_resource::<PendingBooth>();
    let booths = plan.layout.booths.len();
    if pending.0 >= booths {
        warn!(
            "the link's booth {} is not in this hall ({booths} booths)",
            pending.0 + 1
        );
        return;
    }
    current.0 = Some(pending.0);
    // The booth is the destination, whatever place a rebuild meant to keep.
    commands.remove_resource::<crate::world::rebuild::KeepPlace>();
    for visitor in &visitors {
        commands
            .entity(visitor)
            .insert(booth_pose(&plan, pending.0));
    }
}

/// Keeps [`DeepLink`] on where the visitor is.
fn follow_visitor(
    screen: Res<State<Screen>>,
    hall: Option<Res<CurrentHall>>,
    plan: Option<Res<HallPlan>>,
    selection: Res<Selection>,
    catalog: Res<ExpoCatalog>,
    visitors: Query<Ref<Transform>, With<Visitor>>,
    mut link: ResMut<DeepLink>,
) {
    // Only when something the link shows can have changed, not every frame.
    let moved = visitors.iter().any(|transform| transform.is_changed());
    let changed = screen.is_changed()
        || selection.is_changed()
        || catalog.is_changed()
        || hall.as_ref().is_some_and(|hall| hall.is_changed())
        || plan.as_ref().is_some_and(|plan| plan.is_changed());
    if !(moved || changed) {
        return;
    }
    let in_hall = *screen.get() == Screen::Hall;
    let hall = hall.filter(|_| in_hall).map(|hall| hall.0);
    let booth = match (hall, plan, visitors.iter().next()) {
        (Some(hall), Some(plan), Some(transform)) if plan.hall == hall => {
            nearest_booth(&plan, floor_position(&transform))
        }
        _ => None,
    };
    let project = selection
        .0
        .map(|id| catalog.project(id).platform_no.clone());
    link.set_if_neq(DeepLink {
        hall,
        booth,
        project,
    });
}

fn nearest_booth(plan: &HallPlan, at: [f32; 2]) -> Option<usize> {
    let at = Vec2::from(at);
    plan.layout
        .booths
        .iter()
        .enumerate()
        .map(|(index, booth)| (Vec2::from(booth.rect.center()).distance(at), index))
        .filter(|(distance, _)| *distance <= BOOTH_REACH)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, index)| index)
}
