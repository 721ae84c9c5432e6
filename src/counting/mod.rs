//! Anonymous attention counts for exhibitors (docs/api.md, `POST
//! /api/v1/counts`): booth visits (the visitor entered the area in front
//! of a booth) and how long they lasted, card opens, QR hand-offs and
//! inquiries, added up on this device and sent as one batch every 30
//! seconds with a random batch id and nothing that identifies the visitor.
//! Nothing is counted or sent while [`CountingChoice`] says no.

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use std::time::Duration;
use yunzhan_model::ProjectId;
use yunzhan_model::attention::{Event, Tally};

use crate::expo::catalog::ExpoCatalog;
use crate::expo::{CountingChoice, Noticed, Screen, VisitorLeft};
use crate::remote::{SendCounts, SubmitInquiry};
use crate::world::hall::HallPlan;
use crate::world::interaction::Selection;
use crate::world::navigation::floor_position;
use crate::world::visitor::Visitor;

/// How often a batch is sent.
pub(crate) const BATCH_EVERY: Duration = Duration::from_secs(30);
/// How often the visitor's place is compared with the booths.
const LOOK_EVERY: Duration = Duration::from_millis(250);
/// The area in front of a booth that counts as visiting it: within this
/// many metres of the spot a visitor reads its cards from.
const VISIT_RADIUS: f32 = 2.5;
/// That spot, in metres out from the booth's open side.
const VIEWPOINT: f32 = 1.2;

/// What this device counted and has not sent yet.
#[derive(Resource, Debug, Default)]
pub(crate) struct Counts {
    pub(crate) tally: Tally,
    /// The booth being visited: its counted project and since when.
    visit: Option<(String, f32)>,
    card: Option<ProjectId>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Counts>();
    app.add_systems(
        Update,
        (
            (
                booth_visits
                    .run_if(in_state(Screen::Hall))
                    .run_if(on_real_timer(LOOK_EVERY)),
                card_opens,
                inquiries_and_hand_offs,
            )
                .run_if(counting),
            // Real time: on a slow device the game clock lags behind the wall
            // clock (a long frame counts as at most 250 ms).
            send_batch.run_if(on_real_timer(BATCH_EVERY)),
            forget_when_not_counting,
        ),
    );
    app.add_systems(OnExit(Screen::Hall), end_visit);
    app.add_systems(PostUpdate, end_visit.run_if(on_message::<VisitorLeft>));
}

fn counting(choice: Res<CountingChoice>) -> bool {
    choice.counts()
}

/// The booth whose visiting area holds `at`, if any: the counted project
/// (the first the booth shows).
fn booth_at(plan: &HallPlan, catalog: &ExpoCatalog, at: [f32; 2]) -> Option<String> {
    let within = |booth: &&yunzhan_model::layout::Booth| {
        let [x, z] = booth.front(VIEWPOINT);
        (x - at[0]).hypot(z - at[1]) < VISIT_RADIUS
    };
    let booth = plan.layout.booths.iter().find(within)?;
    let exhibitor = catalog.exhibitor(plan.exhibitor(booth));
    let project = exhibitor.projects.get(booth.cards.start)?;
    Some(catalog.project(*project).platform_no.clone())
}

fn booth_visits(
    time: Res<Time<Real>>,
    plan: Option<Res<HallPlan>>,
    catalog: Res<ExpoCatalog>,
    visitors: Query<&Transform, With<Visitor>>,
    mut counts: ResMut<Counts>,
) {
    let (Some(plan), Ok(visitor)) = (plan, visitors.single()) else {
        return;
    };
    let booth = booth_at(&plan, &catalog, floor_position(visitor));
    if counts.visit.as_ref().map(|(no, _)| no) == booth.as_ref() {
        return;
    }
    finish_visit(&mut counts, time.elapsed_secs());
    if let Some(platform_no) = booth {
        counts.tally.add(&platform_no, Event::BoothVisit);
        counts.visit = Some((platform_no, time.elapsed_secs()));
    }
}

/// Counts how long the visit in progress lasted.
fn finish_visit(counts: &mut Counts, now: f32) {
    if let Some((platform_no, since)) = counts.visit.take() {
        counts.tally.add(&platform_no, Event::dwell(now - since));
    }
}

fn end_visit(time: Res<Time<Real>>, mut counts: ResMut<Counts>) {
    finish_visit(&mut counts, time.elapsed_secs());
}

/// A card opened: the detail panel shows a project it did not show before.
fn card_opens(selection: Res<Selection>, catalog: Res<ExpoCatalog>, mut counts: ResMut<Counts>) {
    if counts.card == selection.0 {
        return;
    }
    counts.card = selection.0;
    if let Some(id) = selection.0 {
        let platform_no = catalog.project(id).platform_no.clone();
        counts.tally.add(&platform_no, Event::CardOpen);
    }
}

fn inquiries_and_hand_offs(
    mut inquiries: MessageReader<SubmitInquiry>,
    mut noticed: MessageReader<Noticed>,
    mut counts: ResMut<Counts>,
) {
    for SubmitInquiry(inquiry) in inquiries.read() {
        counts.tally.add(&inquiry.platform_no, Event::Inquiry);
    }
    for noticed in noticed.read() {
        counts.tally.add(&noticed.platform_no, noticed.event);
    }
}

fn send_batch(
    choice: Res<CountingChoice>,
    mut counts: ResMut<Counts>,
    mut send: MessageWriter<SendCounts>,
) {
    if !choice.counts() {
        return;
    }
    if let Some(batch) = counts.tally.take_batch(yunzhan_client::new_key()) {
        send.write(SendCounts(batch));
    }
}

/// Switching counting off drops what was counted and not sent yet.
fn forget_when_not_counting(choice: Res<CountingChoice>, mut counts: ResMut<Counts>) {
    if choice.is_changed() && !choice.counts() {
        *counts = Counts::default();
    }
}
