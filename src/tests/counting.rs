//! Anonymous attention counts, headless: a booth visit and its length, a
//! card opened, a batch every 30 seconds with nothing left behind, and
//! nothing at all once the visitor chose "don't count me".

use bevy::prelude::*;
use yunzhan_model::HallIndex;
use yunzhan_model::attention::{CountBatch, Event};

use super::common::{go, headless_app};
use crate::counting::{BATCH_EVERY, Counts};
use crate::expo::catalog::ExpoCatalog;
use crate::expo::{CountingChoice, Screen};
use crate::remote::SendCounts;
use crate::world::hall::HallPlan;
use crate::world::interaction::Selection;
use crate::world::navigation::{Go, place};
use crate::world::visitor::Visitor;

/// Stands the visitor at `at` and runs a second of frames (100 ms each).
fn stand(app: &mut App, at: [f32; 2]) {
    let world = app.world_mut();
    let (mut visitor, mut transform) = world
        .query::<(&mut Visitor, &mut Transform)>()
        .single_mut(world)
        .unwrap();
    place(&mut visitor, &mut transform, at, 0.0);
    for _ in 0..10 {
        app.update();
    }
}

/// Every batch sent so far.
fn batches(app: &mut App) -> Vec<CountBatch> {
    let mut reader = app
        .world_mut()
        .resource_mut::<Messages<SendCounts>>()
        .get_cursor();
    let messages = app.world().resource::<Messages<SendCounts>>();
    reader
        .read(messages)
        .map(|SendCounts(batch)| batch.clone())
        .collect()
}

/// A visit to the hall's first booth, a card opened, and 31 s of waiting.
fn visit_and_wait(app: &mut App) -> (String, String, Vec<CountBatch>) {
    go(
        app,
        Go::Hall(HallIndex::from_id("bazhong").unwrap()),
        Screen::Hall,
    );
    let plan = app.world().resource::<HallPlan>().clone();
    let booth = &plan.layout.booths[0];
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    let exhibitor = catalog.exhibitor(plan.exhibitor(booth));
    let counted = catalog.project(exhibitor.projects[booth.cards.start]);
    stand(app, booth.front(1.2));
    stand(app, plan.entrance());
    let opened = catalog.project(exhibitor.projects[0]);
    app.world_mut().resource_mut::<Selection>().0 = catalog.find(&opened.platform_no);
    let mut sent = Vec::new();
    let frames = (BATCH_EVERY.as_secs_f32() / 0.1) as usize + 10;
    for _ in 0..frames {
        app.update();
        sent.extend(batches(app));
    }
    // A message stays readable for two frames: each batch once.
    sent.sort_by(|a, b| a.batch.cmp(&b.batch));
    sent.dedup_by(|a, b| a.batch == b.batch);
    (
        counted.platform_no.clone(),
        opened.platform_no.clone(),
        sent,
    )
}

fn count_of(batches: &[CountBatch], platform_no: &str, event: Event) -> u32 {
    batches
        .iter()
        .flat_map(|batch| &batch.counts)
        .filter(|count| count.platform_no == platform_no && count.event == event)
        .map(|count| count.n)
        .sum()
}

#[test]
fn a_booth_visit_its_length_and_a_card_open_go_out_in_one_batch() {
    let mut app = headless_app();
    let (booth, card, sent) = visit_and_wait(&mut app);
    assert_eq!(sent.len(), 1, "one batch in 30 s: {sent:?}");
    assert_eq!(count_of(&sent, &booth, Event::BoothVisit), 1);
    assert_eq!(
        count_of(&sent, &booth, Event::DwellUnder10s),
        1,
        "about a second at the booth"
    );
    assert_eq!(count_of(&sent, &card, Event::CardOpen), 1);
    assert!(sent[0].batch.len() >= 16, "a random batch id");
    assert!(
        app.world().resource::<Counts>().tally.is_empty(),
        "what was sent is not kept"
    );
}

#[test]
fn nothing_is_counted_or_sent_when_the_visitor_says_no() {
    let mut app = headless_app();
    app.world_mut().resource_mut::<CountingChoice>().dont_count = true;
    let (_, _, sent) = visit_and_wait(&mut app);
    assert!(sent.is_empty(), "{sent:?}");
    assert!(app.world().resource::<Counts>().tally.is_empty());
}
