//! Headless tests of kiosk mode with simulated time: the idle → countdown →
//! wipe → attract state machine, the attract tour, and a soak test of
//! thousands of idle/attract/reset cycles that checks entities, textures
//! and memory stay flat.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::common::{count, headless_app_with, screen, visitor};
use crate::expo::Kiosk;
use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::expo::{Favourites, InquiryDraft, Lang, SearchState};
use crate::kiosk::{
    COUNTDOWN_SECS, IDLE_SECS, KioskCounts, KioskState, STOP_SECS, StillHere, TourStop, tour_stop,
};
use crate::remote::{InquiryState, OutboxLine, SentInquiries};
use crate::ui::Panels;
use crate::world::cards::CardAtlas;
use crate::world::interaction::Selection;
use crate::world::navigation::Travel;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;

/// A kiosk app stepping `step` of simulated time per frame.
fn kiosk_app(step: Duration) -> App {
    headless_app_with(move |app| {
        app.insert_resource(Kiosk)
            .insert_resource(TimeUpdateStrategy::ManualDuration(step));
        app.world_mut().spawn(Window::default());
    })
}

fn state(app: &App) -> KioskState {
    *app.world().resource::<KioskState>()
}

/// A finger down and up on the screen.
fn touch(app: &mut App) {
    let window = {
        let world = app.world_mut();
        world
            .query_filtered::<Entity, With<Window>>()
            .single(world)
            .unwrap()
    };
    for phase in [TouchPhase::Started, TouchPhase::Ended] {
        app.world_mut().write_message(TouchInput {
            phase,
            position: Vec2::new(400.0, 300.0),
            window,
            force: None,
            id: 1,
        });
        app.update();
    }
}

fn run_for(app: &mut App, seconds: f32, step: f32) {
    for _ in 0..(seconds / step).round() as usize {
        app.update();
    }
}

#[test]
fn idle_counts_down_then_wipes_the_visitor_and_starts_the_tour() {
    let mut app = kiosk_app(Duration::from_millis(500));
    assert!(
        matches!(state(&app), KioskState::Attract { .. }),
        "a kiosk starts attracting"
    );
    touch(&mut app);
    assert!(matches!(state(&app), KioskState::Active { .. }));

    // A visitor leaves things behind.
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    let project = catalog.featured().next().unwrap();
    app.world_mut().resource_mut::<InquiryDraft>().inquiry.name = "王小明".into();
    app.world_mut().resource_mut::<InquiryDraft>().inquiry.phone = "13800000000".into();
    app.world_mut().resource_mut::<Favourites>().0.push(project);
    app.world_mut().resource_mut::<SearchState>().query.text = "银耳".into();
    app.world_mut().resource_mut::<Selection>().0 = Some(project);
    app.world_mut().resource_mut::<Panels>().inquiry = true;
    *app.world_mut().resource_mut::<Lang>() = Lang::En;
    let platform_no = catalog.project(project).platform_no.clone();
    app.world_mut().resource_mut::<SentInquiries>().replace(
        vec![OutboxLine {
            key: "key-1".into(),
            platform_no: platform_no.clone(),
            state: InquiryState::Queued,
            thread: None,
        }],
        Vec::new(),
    );

    // Just under a minute: still theirs.
    run_for(&mut app, IDLE_SECS - 1.0, 0.5);
    assert!(
        matches!(state(&app), KioskState::Active { .. }),
        "{:?}",
        state(&app)
    );
    run_for(&mut app, 1.0, 0.5);
    let KioskState::Countdown { left } = state(&app) else {
        panic!("no countdown after a minute: {:?}", state(&app));
    };
    assert!(left <= COUNTDOWN_SECS);

    // "Continue" keeps the visit going, with nothing wiped.
    app.world_mut().write_message(StillHere);
    app.update();
    assert!(matches!(state(&app), KioskState::Active { .. }));
    assert_eq!(app.world().resource::<Favourites>().0, [project]);

    // A minute and the countdown without a touch: wiped, back in the lobby, touring.
    run_for(&mut app, IDLE_SECS + COUNTDOWN_SECS, 0.5);
    assert!(
        matches!(state(&app), KioskState::Attract { .. }),
        "{:?}",
        state(&app)
    );
    assert_eq!(app.world().resource::<KioskCounts>().wipes, 1);
    let draft = app.world().resource::<InquiryDraft>();
    assert!(draft.inquiry.name.is_empty() && draft.inquiry.phone.is_empty());
    assert!(app.world().resource::<Favourites>().0.is_empty());
    assert!(app.world().resource::<SearchState>().query.text.is_empty());
    assert!(!app.world().resource::<Panels>().inquiry);
    assert_eq!(*app.world().resource::<Lang>(), Lang::Zh);
    let sent = app.world().resource::<SentInquiries>();
    assert_eq!(
        sent.outbox().len(),
        1,
        "submitted inquiries stay in the outbox"
    );
    assert_eq!(
        sent.visitors(&platform_no).count(),
        0,
        "but the next visitor does not see them"
    );
    run_for(&mut app, 1.0, 0.5);
    assert_eq!(screen(&app), Screen::Lobby);
}

#[test]
fn the_tour_visits_the_stage_and_halls_and_a_touch_stops_it() {
    let mut app = kiosk_app(Duration::from_millis(500));
    assert_eq!(tour_stop(0), TourStop::Lobby);
    assert_eq!(tour_stop(1), TourStop::Stage(0));
    assert_eq!(tour_stop(3), TourStop::Hall(0));
    assert_eq!(tour_stop(6), TourStop::Stage(2));

    // To the first stage card: a featured project selected, the visitor gliding.
    run_for(&mut app, STOP_SECS + 1.0, 0.5);
    let featured: Vec<_> = app.world().resource::<ExpoCatalog>().featured().collect();
    assert_eq!(app.world().resource::<Selection>().0, Some(featured[0]));
    assert_eq!(screen(&app), Screen::Lobby);
    let (_, at_stage, _) = visitor(&mut app);

    // Two stops later: a featured project in its own hall.
    run_for(&mut app, 2.0 * STOP_SECS + 2.0, 0.5);
    assert_eq!(screen(&app), Screen::Hall);
    assert_eq!(app.world().resource::<Selection>().0, Some(featured[0]));
    let (_, in_hall, _) = visitor(&mut app);
    assert!(at_stage.translation.distance(in_hall.translation) > 1.0);

    // A touch: the visitor takes over where the tour stands.
    touch(&mut app);
    assert!(matches!(state(&app), KioskState::Active { .. }));
    assert_eq!(count::<Travel>(&mut app), 0);
    let stops = app.world().resource::<KioskCounts>().tour_stops;
    run_for(&mut app, 3.0 * STOP_SECS, 0.5);
    assert_eq!(
        app.world().resource::<KioskCounts>().tour_stops,
        stops,
        "no more tour"
    );
}

/// The test binary's allocator: the system's, counting the bytes in use,
/// so that the soak sees what the app holds rather than what the
/// allocator keeps mapped (which swings by tens of MiB between visits).
#[global_allocator]
static HEAP: LiveHeap = LiveHeap(AtomicUsize::new(0));

struct LiveHeap(AtomicUsize);

// SAFETY: every call is passed on to the system allocator unchanged; the
// counter only adds or subtracts the sizes it was given.
unsafe impl GlobalAlloc for LiveHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.0.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.0.fetch_add(new_size, Ordering::Relaxed);
        self.0.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Resident memory of this process in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Footprint {
    entities: usize,
    images: usize,
    image_bytes: usize,
    card_bytes: usize,
    heap: usize,
    resident: u64,
}

fn footprint(app: &mut App) -> Footprint {
    let entities = app.world_mut().query::<Entity>().iter(app.world()).count();
    let images = app.world().resource::<Assets<Image>>();
    let image_bytes = images
        .iter()
        .map(|(_, image)| image.data.as_ref().map_or(0, Vec::len))
        .sum();
    Footprint {
        entities,
        images: images.len(),
        image_bytes,
        card_bytes: app.world().resource::<CardAtlas>().texture_bytes(),
        heap: HEAP.0.load(Ordering::Relaxed),
        resident: resident_bytes(),
    }
}

/// Set in the child process that runs the soak alone.
const SOAK_ALONE: &str = "YUNZHAN_SOAK_ALONE";

/// Thousands of visits: a visitor touches, goes idle, the countdown runs out,
/// the kiosk wipes and tours (every 25th tour long enough to visit two
/// halls and come back) until the next visitor touches it.
/// The scene's entities, images and texture bytes after each visit's tour
/// in the lobby are the same as after the first ones, and so (within a
/// MiB) are the heap bytes the app holds. Resident memory is printed, not
/// bounded: the allocator keeps well over 100 MiB of freed hall meshes
/// mapped, more or less from one visit to the next.
#[test]
fn thousands_of_idle_attract_reset_cycles_keep_the_footprint_flat() {
    // The heap counter belongs to the whole process, and the other tests run
    // beside this one in threads: the soak runs alone, in a child process
    // of this test binary.
    if std::env::var_os(SOAK_ALONE).is_none() {
        let name = "tests::kiosk::thousands_of_idle_attract_reset_cycles_keep_the_footprint_flat";
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(SOAK_ALONE, "1")
            .status()
            .unwrap();
        assert!(status.success(), "the soak failed (its output is above)");
        return;
    }
    const CYCLES: usize = 2000;
    // Coarse simulated time: one frame is 5 s, so a visit is a few dozen frames.
    let step = 5.0;
    let mut app = kiosk_app(Duration::from_secs_f32(step));
    let mut baseline = None;
    for cycle in 0..CYCLES {
        touch(&mut app);
        run_for(&mut app, IDLE_SECS + COUNTDOWN_SECS + step, step);
        assert!(
            matches!(state(&app), KioskState::Attract { .. }),
            "cycle {cycle}"
        );
        // Tour: usually only the lobby and a stage card; every 25th visit
        // reaches a hall and comes back to the lobby.
        let tour = if cycle % 25 == 24 {
            5.0 * STOP_SECS + step
        } else {
            STOP_SECS + step
        };
        run_for(&mut app, tour, step);
        // The next visitor arrives; a few frames let dropped assets go (a
        // despawned scene's materials first, then their textures).
        touch(&mut app);
        run_for(&mut app, 5.0 * step, step);
        if screen(&app) != Screen::Lobby {
            continue;
        }
        let now = footprint(&mut app);
        match baseline {
            // After the first tours through halls (which create a few
            // lasting entities once, such as Bevy's per-scene bookkeeping).
            None if cycle >= 50 => baseline = Some(now),
            None => {}
            Some(first) => {
                assert_eq!(
                    now.entities, first.entities,
                    "cycle {cycle}: {now:?} vs {first:?}"
                );
                assert!(
                    now.images <= first.images,
                    "cycle {cycle}: {now:?} vs {first:?}"
                );
                assert!(
                    now.image_bytes <= first.image_bytes,
                    "cycle {cycle}: {now:?} vs {first:?}"
                );
                assert!(
                    now.card_bytes <= first.card_bytes,
                    "cycle {cycle}: {now:?} vs {first:?}"
                );
            }
        }
    }
    let first = baseline.expect("the kiosk came back to the lobby");
    let last = footprint(&mut app);
    let wipes = app.world().resource::<KioskCounts>().wipes;
    assert_eq!(wipes, CYCLES as u64);
    let growth = last.heap as f64 - first.heap as f64;
    assert!(
        growth < 1024.0 * 1024.0,
        "the heap grew by {:.1} MiB over {CYCLES} visits ({first:?} → {last:?})",
        growth / 1048576.0
    );
    println!(
        "soak: {CYCLES} visits, {wipes} wipes; lobby footprint {first:?} → {last:?} (heap {:+.1} KiB)",
        growth / 1024.0
    );
}
