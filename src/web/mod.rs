//! The page around the app in a browser (web/index.html): the options come
//! from the page's address (and the API the page found beside it); once the
//! first scene is on screen the loading overlay is removed and the page is
//! marked ready (`<html data-yunzhan="ready">`); the address bar follows the
//! visitor (a deep link to where they are), and `<html>` data attributes
//! report the state browser tests check.

use bevy::prelude::*;

use crate::deeplink::DeepLink;
use crate::expo::{Screen, ShippedFiles};
use crate::remote::{CatalogSource, InquiryState, PlatformStatus, SentInquiries, Threads};
use crate::world::controls::InputDevice;
use crate::world::lobby::HallGate;
use crate::world::quality::{Quality, Tier};
use crate::world::visitor::Visitor;
use yunzhan_model::api::{Author, Thread};

/// Frames drawn in a settled scene before the page counts as ready.
const FRAMES_BEFORE_READY: u32 = 3;

/// Query parameters that are settings, not places: kept in the address as
/// they came while the place parameters follow the visitor.
const SETTINGS: [&str; 5] = ["api", "kiosk", "lang", "quality", "preview"];

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(first_frame_plugin);
    if primary_pointer_is_coarse() {
        app.insert_resource(InputDevice::Touch);
    }
    app.world_mut()
        .resource_mut::<crate::expo::CountingChoice>()
        .privacy_signal = global_privacy_control();
    if let Some(inbox) = app.world().get_resource::<crate::preview::Inbox>() {
        listen_for_dropped_files(inbox.clone());
    }
    app.add_systems(
        Update,
        (
            loading_stages,
            announce_ready,
            follow_in_address_bar,
            report_state,
            report_preview,
            report_gates_in_view,
        ),
    );
}

/// The browser's Global Privacy Control signal (`navigator.globalPrivacyControl`):
/// when it is on, nothing is counted.
fn global_privacy_control() -> bool {
    web_sys::window()
        .and_then(|window| {
            js_sys::Reflect::get(&window.navigator(), &"globalPrivacyControl".into()).ok()
        })
        .and_then(|value| value.as_bool())
        .unwrap_or(false)
}

/// Whether the page's main pointer is a finger (`(pointer: coarse)`: phones
/// and tablets): the touch controls, hint and sizes then show from the
/// first frame, not after the first touch.
fn primary_pointer_is_coarse() -> bool {
    web_sys::window()
        .and_then(|window| window.match_media("(pointer: coarse)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// Files dropped on the page go to the booth preview (read in full first).
fn listen_for_dropped_files(inbox: crate::preview::Inbox) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    // Without this the browser opens a dropped file itself.
    let over = Closure::<dyn FnMut(web_sys::DragEvent)>::new(|event: web_sys::DragEvent| {
        event.prevent_default();
    });
    let drop = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |event: web_sys::DragEvent| {
        event.prevent_default();
        let Some(list) = event.data_transfer().and_then(|transfer| transfer.files()) else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        let inbox = inbox.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut map = yunzhan_model::booth::FileMap::new();
            for file in files {
                let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                    .await
                    .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
                    .map_err(|_| "the browser could not read the file".to_string());
                map.insert(file.name(), bytes);
            }
            if !map.is_empty() {
                inbox.post(crate::preview::Arrival::Dropped(map));
            }
        });
    });
    for (name, listener) in [("dragover", &over), ("drop", &drop)] {
        let _ = document.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    // The page lives as long as the app: the listeners are never removed.
    over.forget();
    drop.forget();
}

/// A booth preview's outcome on the page's root element, for tests and
/// embedding pages: `data-preview` is `ok` or the number of problems,
/// `data-preview-model` `own` or `standard`, `data-preview-booth` the booth's
/// number in its hall (as `data-booth` counts).
fn report_preview(preview: Option<Res<crate::preview::BoothPreview>>) {
    // The page is only looked up when the preview changed, not every frame.
    let Some(preview) = preview.filter(|preview| preview.is_changed()) else {
        return;
    };
    let Some(root) = root() else {
        return;
    };
    let report = &preview.report;
    let outcome = match report.problems.len() {
        0 => "ok".to_string(),
        n => format!("{n} problems"),
    };
    let model = if report.geometry.is_some() {
        "own"
    } else {
        "standard"
    };
    let _ = root.set_attribute("data-preview", &outcome);
    let _ = root.set_attribute("data-preview-model", model);
    if let Some(booth) = preview.booth {
        let _ = root.set_attribute("data-preview-booth", &(booth + 1).to_string());
    }
}

/// The loading page's bar and text after the download (web/index.html
/// shows the download itself): the catalog's halls as they arrive, then
/// the painting of the first scene.
fn loading_stages(status: Res<PlatformStatus>, mut shown: Local<Option<(usize, usize)>>) {
    let now = status.download.unwrap_or((0, 0));
    if *shown == Some(now) {
        return;
    }
    *shown = Some(now);
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if document.get_element_by_id("loading").is_none() {
        return;
    }
    let (fraction, text) = match now {
        (done, halls) if halls > 0 && done < halls => (
            0.9 + 0.05 * done as f32 / halls as f32,
            format!("正在载入展馆 {done} / {halls}<br><span class=\"en\">Loading the halls {done} / {halls}</span>"),
        ),
        _ => (
            0.96,
            "正在绘制展厅与项目卡片…<br><span class=\"en\">Painting the halls and project cards…</span>".to_string(),
        ),
    };
    if let Some(stage) = document.get_element_by_id("stage") {
        stage.set_inner_html(&text);
    }
    if let Some(bar) = document.query_selector("#bar div").ok().flatten() {
        let _ = bar.set_attribute("style", &format!("width: {:.0}%", fraction * 100.0));
    }
}

/// Marks the app's first frame on the page (`<html data-first-frame="ms">`,
/// the wall clock in milliseconds since 1970, which tests compare with
/// `performance.timeOrigin`); shared with the size baseline example so both
/// are timed the same way.
pub fn first_frame_plugin(app: &mut App) {
    app.add_systems(PreStartup, || mark_phase("yunzhan-first-update"));
    app.add_systems(Last, mark_first_frame);
}

/// A `performance.mark` for web/tests/first-frame.mjs, which reports the
/// start-up's phases: `yunzhan-built` (the app's plugins built) and
/// `yunzhan-first-update` (the renderer ready, the first update begins).
pub fn mark_phase(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(name);
    }
}

fn mark_first_frame(mut marked: Local<bool>) {
    if std::mem::replace(&mut *marked, true) {
        return;
    }
    let now = js_sys::Date::now();
    if let Some(root) = root() {
        let _ = root.set_attribute("data-first-frame", &format!("{now:.0}"));
    }
}

fn query_pairs() -> Vec<(String, String)> {
    let search = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for entry in params.entries() {
        let Ok(entry) = entry else { continue };
        let entry = js_sys::Array::from(&entry);
        if let (Some(name), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
            pairs.push((name, value));
        }
    }
    pairs
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Takes over, for the app's lifetime, the CJK font (`window.yunzhanFont`)
/// and the shipped catalog (`window.yunzhanCatalog`) the page downloaded.
pub fn take_page_files() -> Result<ShippedFiles, String> {
    let window = web_sys::window().ok_or("no browser window")?;
    let font = take_page_bytes(&window, "yunzhanFont", "the Chinese font")?;
    if swash::FontRef::from_index(font, 0).is_none() {
        return Err(format!(
            "the Chinese font the page downloaded ({} bytes) is not a font",
            font.len()
        ));
    }
    let catalog = take_page_bytes(&window, "yunzhanCatalog", "the catalog")?;
    Ok(ShippedFiles { font, catalog })
}

/// The `Uint8Array` the page left in `window[key]`, moved into the app.
fn take_page_bytes(
    window: &web_sys::Window,
    key: &str,
    what: &str,
) -> Result<&'static [u8], String> {
    use wasm_bindgen::JsCast;
    let key = wasm_bindgen::JsValue::from_str(key);
    let value = js_sys::Reflect::get(window, &key).unwrap_or_default();
    if !value.is_instance_of::<js_sys::Uint8Array>() {
        return Err(format!("the page did not hand over {what}"));
    }
    let bytes = js_sys::Uint8Array::from(value).to_vec();
    let _ = js_sys::Reflect::delete_property(window, &key);
    Ok(Vec::leak(bytes))
}

/// Tells the loading page why the app could not start
/// (`<html data-start-error>`): it shows the reason with a retry.
pub fn report_start_failure(message: &str) {
    if let Some(root) = root() {
        let _ = root.set_attribute("data-start-error", message);
    }
}

/// The app's options from the page's address; without `?api=` the API the
/// page found at its own origin (`<html data-api>`, set by index.html).
pub fn page_options() -> Result<crate::Options, String> {
    let mut options = crate::Options::from_query(query_pairs())?;
    if options.api.is_none() {
        options.api = root()
            .and_then(|root| root.get_attribute("data-api"))
            .filter(|api| !api.is_empty());
    }
    Ok(options)
}

/// An address relative to the page made absolute as the browser would
/// (`booths/a/booth.json` next to the page, `/x` on its host, `//host/x`
/// on its scheme); absolute ones are kept.
pub(crate) fn absolute(address: &str) -> String {
    let page = web_sys::window().and_then(|window| window.location().href().ok());
    page.and_then(|page| url::Url::parse(&page).ok())
        .and_then(|page| page.join(address).ok())
        .map_or_else(|| address.to_string(), String::from)
}

/// The page's own address without its query (the base of shared links).
pub(crate) fn page_address() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
}

fn announce_ready(screen: Res<State<Screen>>, mut frames: Local<u32>) {
    if *frames > FRAMES_BEFORE_READY || *screen.get() == Screen::Loading {
        return;
    }
    *frames += 1;
    if *frames <= FRAMES_BEFORE_READY {
        return;
    }
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if let Some(overlay) = document.get_element_by_id("loading") {
        overlay.remove();
    }
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-yunzhan", "ready");
    }
    info!("page ready");
}

/// Replaces the address (no new history entry per step) with the settings
/// it came with plus where the visitor is now.
fn follow_in_address_bar(link: Res<DeepLink>, mut settings: Local<Option<Vec<(String, String)>>>) {
    let settings = settings.get_or_insert_with(|| {
        query_pairs()
            .into_iter()
            .filter(|(name, _)| SETTINGS.contains(&name.as_str()))
            .collect()
    });
    if !link.is_changed() {
        return;
    }
    let Ok(params) = web_sys::UrlSearchParams::new() else {
        return;
    };
    for (name, value) in settings.iter() {
        params.append(name, value);
    }
    for (name, value) in link.query_pairs() {
        params.append(name, &value);
    }
    let query = String::from(params.to_string());
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let shown = format!("{path}{}", window.location().search().unwrap_or_default());
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    // Unchanged (as at the start): replacing the state would cost a few
    // milliseconds of the first frame for nothing.
    if let (false, Ok(history)) = (url == shown, window.history()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// A stage's wire name (`intention`), as the API writes it.
fn stage_wire(stage: yunzhan_model::deal::Stage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|value| value.as_str().map(String::from))
        .unwrap_or_default()
}

/// `<html>` data attributes: where the visitor is, the catalog's source,
/// the outbox's counts, the visitor's threads (stages, the agents' replies,
/// unread updates), the quality tier and the input device.
fn report_state(
    link: Res<DeepLink>,
    status: Res<PlatformStatus>,
    sent: Res<SentInquiries>,
    threads: Res<Threads>,
    quality: Res<Quality>,
    counting: Res<crate::expo::CountingChoice>,
    device: Res<InputDevice>,
) {
    let changed = link.is_changed()
        || status.is_changed()
        || sent.is_changed()
        || threads.is_changed()
        || quality.is_changed()
        || counting.is_changed()
        || device.is_changed();
    if !changed {
        return;
    }
    let shown: Vec<&Thread> = (sent.current())
        .filter_map(|line| threads.get(line.thread.as_ref()?.id))
        .collect();
    let stages = (shown.iter())
        .map(|thread| stage_wire(thread.stage))
        .collect::<Vec<_>>()
        .join(",");
    let agent_replies = (shown.iter())
        .flat_map(|thread| &thread.messages)
        .filter(|message| message.author == Author::Agent)
        .count();
    let unread: i64 = (sent.current())
        .filter_map(|line| Some(threads.unread(line.thread.as_ref()?.id)))
        .sum();
    let Some(root) = root() else {
        return;
    };
    let count = |wanted: fn(&InquiryState) -> bool| {
        (sent.outbox().iter())
            .filter(|line| wanted(&line.state))
            .count()
            .to_string()
    };
    let attributes = [
        (
            "data-hall",
            link.hall.map(|hall| hall.hall().id.to_string()),
        ),
        (
            "data-booth",
            link.booth.map(|booth| (booth + 1).to_string()),
        ),
        ("data-project", link.project.clone()),
        (
            "data-source",
            Some(
                match status.source {
                    CatalogSource::Embedded => "embedded",
                    CatalogSource::Server => "server",
                    CatalogSource::Cache => "cache",
                }
                .to_string(),
            ),
        ),
        (
            "data-online",
            status.online.map(|online| online.to_string()),
        ),
        ("data-queued", Some(count(|s| *s == InquiryState::Queued))),
        ("data-sent", Some(count(|s| *s == InquiryState::Sent))),
        ("data-stages", Some(stages)),
        ("data-agent-replies", Some(agent_replies.to_string())),
        ("data-unread", Some(unread.to_string())),
        (
            "data-counting",
            Some(if counting.counts() { "on" } else { "off" }.to_string()),
        ),
        ("data-quality", Some(tier_wire(quality.tier).to_string())),
        ("data-input", Some(device_wire(*device).to_string())),
    ];
    for (name, value) in attributes {
        let _ = match value {
            Some(value) => root.set_attribute(name, &value),
            None => root.remove_attribute(name),
        };
    }
}

/// `<html data-gates-in-view>`: how many of the lobby's hall gates have
/// their doorway's centre inside the visitor's field of view (a phone held
/// upright must see more than the stage); absent outside the lobby.
fn report_gates_in_view(
    cameras: Query<(&Camera, &GlobalTransform), With<Visitor>>,
    gates: Query<&GlobalTransform, With<HallGate>>,
    mut reported: Local<Option<usize>>,
) {
    let in_view = cameras.single().ok().and_then(|(camera, eye)| {
        let count = (gates.iter())
            .filter_map(|gate| camera.world_to_ndc(eye, gate.translation()))
            .filter(|ndc| ndc.x.abs() <= 1.0 && ndc.y.abs() <= 1.0 && ndc.z > 0.0)
            .count();
        (!gates.is_empty()).then_some(count)
    });
    if *reported == in_view {
        return;
    }
    *reported = in_view;
    if let Some(root) = root() {
        let _ = match in_view {
            Some(count) => root.set_attribute("data-gates-in-view", &count.to_string()),
            None => root.remove_attribute("data-gates-in-view"),
        };
    }
}

fn tier_wire(tier: Tier) -> &'static str {
    match tier {
        Tier::High => "high",
        Tier::Low => "low",
    }
}

fn device_wire(device: InputDevice) -> &'static str {
    match device {
        InputDevice::Mouse => "mouse",
        InputDevice::Touch => "touch",
    }
}
