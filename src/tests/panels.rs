//! The panels, drawn by the real UI systems (egui) in a headless app and
//! used as a visitor would: widgets are found by their labels in egui's
//! accessibility tree, then clicked or typed into.

use bevy::ecs::change_detection::Tick;
use bevy::ecs::system::RunSystemOnce;
use bevy::input::keyboard::Key;
use bevy::prelude::*;
use bevy::window::{ExitCondition, WindowPlugin};
use bevy_egui::input::FocusedNonWindowEguiContext;
use bevy_egui::{EguiContext, EguiInput, EguiOutput, PrimaryEguiContext, egui};
use egui_kittest::kittest::{NodeT, Queryable, State as Tree};
use egui_kittest::{EventQueue, Node};
use yunzhan_model::{Catalog, HallIndex, Industry, ProjectId};

use super::common::{go, headless_app_with, key_strokes, screen, travelling, visitor};
use crate::expo::{ExpoCatalog, Favourites, InquiryDraft, Kiosk, Lang, Screen};
use crate::kiosk::KioskState;
use crate::remote::{
    InquiryState, OutboxLine, ReplyLine, SendReply, SentInquiries, SubmitInquiry, ThreadKey,
    Threads,
};
use crate::ui::Panels;
use crate::world::controls::InputDevice;
use crate::world::interaction::{Selection, UiCapture};
use crate::world::navigation::Go;
use crate::world::quality::Quality;
use crate::world::rebuild::ShowCatalog;

/// The headless app with the panels, and egui's accessibility tree of the
/// last frame.
struct PanelsApp {
    app: App,
    context: Entity,
    tree: Tree,
    /// Input for the next frame, as kittest's nodes make it.
    queue: EventQueue,
    /// egui's scale (the kiosk zooms), to turn node rectangles into clicks.
    pixels_per_point: f32,
}

impl PanelsApp {
    fn new() -> Self {
        Self::with(|_| {})
    }

    fn with(extra: impl FnOnce(&mut App)) -> Self {
        Self::on_screen(egui::vec2(1280.0, 720.0), extra)
    }

    /// The panels on a screen of `size` points.
    fn on_screen(size: egui::Vec2, extra: impl FnOnce(&mut App)) -> Self {
        let mut app = headless_app_with(|app| {
            // What the egui plugin needs of a window and the renderer.
            app.init_asset::<bevy::shader::Shader>();
            app.add_plugins(WindowPlugin {
                primary_window: None,
                exit_condition: ExitCondition::DontExit,
                close_when_requested: false,
                ..default()
            });
            app.add_plugins(crate::ui::panels_plugin);
            extra(app);
        });
        // The visitor's camera got the egui context in the first frame.
        let world = app.world_mut();
        let context = (world.query_filtered::<Entity, With<PrimaryEguiContext>>())
            .single(world)
            .expect("one egui context");
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        world.get_mut::<EguiInput>(context).unwrap().screen_rect = Some(screen);
        world
            .get_mut::<EguiContext>(context)
            .unwrap()
            .get_mut()
            .enable_accesskit();
        app.update();
        let update = Self::accesskit_update(&mut app, context).expect("an accessibility tree");
        let mut panels = PanelsApp {
            app,
            context,
            tree: Tree::new(update),
            queue: EventQueue::default(),
            pixels_per_point: 1.0,
        };
        panels.frames(2);
        panels
    }

    fn accesskit_update(app: &mut App, context: Entity) -> Option<egui::accesskit::TreeUpdate> {
        let mut output = app.world_mut().get_mut::<EguiOutput>(context).unwrap();
        output.platform_output.accesskit_update.take()
    }

    /// Runs frames, the queued input going into the first.
    fn frames(&mut self, count: usize) {
        for _ in 0..count {
            let events = std::mem::take(&mut *self.queue.lock());
            let world = self.app.world_mut();
            world
                .get_mut::<EguiInput>(self.context)
                .unwrap()
                .events
                .extend(events);
            self.app.update();
            let world = self.app.world_mut();
            let mut context = world.get_mut::<EguiContext>(self.context).unwrap();
            self.pixels_per_point = context.get_mut().pixels_per_point();
            if let Some(update) = Self::accesskit_update(&mut self.app, self.context) {
                self.tree.update(update);
            }
        }
    }

    fn root(&self) -> Node<'_> {
        Node::new(self.tree.root(), &self.queue, self.pixels_per_point)
    }

    /// Every labelled node of the last frame, with its role (for messages).
    fn labels(&self) -> String {
        fn walk(node: Node<'_>, out: &mut Vec<String>) {
            let accesskit = node.accesskit_node();
            let label = accesskit.label().map(|label| label.to_string());
            if label.is_some() || format!("{:?}", accesskit.role()).contains("Text") {
                out.push(format!("{:?} {label:?}", accesskit.role()));
            }
            for child in node.children() {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        walk(self.root(), &mut out);
        out.join("\n")
    }

    fn shows(&self, label: &str) -> bool {
        self.root()
            .query_all_by_label_contains(label)
            .next()
            .is_some()
    }

    fn click(&mut self, label: &str) {
        self.root().get_by_label(label).click();
        self.frames(2);
    }

    /// Clicks the `nth` text field (single or multiline) of the screen (in drawing order) and
    /// types into it.
    fn type_into(&mut self, nth: usize, text: &str) {
        use egui::accesskit::Role;
        let mut fields = (self.root())
            .query_all_by(|node| matches!(node.role(), Role::TextInput | Role::MultilineTextInput));
        match fields.nth(nth) {
            Some(field) => field.click(),
            None => panic!("no text field #{nth} among:\n{}", self.labels()),
        }
        drop(fields);
        self.frames(1);
        self.queue.lock().push(egui::Event::Text(text.into()));
        self.frames(2);
    }

    /// Clicks the detail panel's inquiry button. The form opens a frame
    /// later (the button sends a message) and takes its place one more
    /// frame later (egui sizes a new window first, unseen).
    fn open_the_inquiry_form(&mut self) {
        self.click("洽谈合作");
        self.frames(1);
    }

    /// The page has the keyboard, as the browser tab a visitor is using
    /// does: only then does egui give a widget the keyboard focus. (Keys
    /// sent as Bevy input would then also reach egui: tests that send both
    /// leave the page unfocused.)
    fn focus_page(&mut self) {
        let context = self.context;
        (self.app.world_mut()).insert_resource(FocusedNonWindowEguiContext(context));
        self.frames(1);
    }

    fn world(&self) -> &World {
        self.app.world()
    }

    fn set<R: Resource<Mutability = bevy::ecs::component::Mutable>>(
        &mut self,
        change: impl FnOnce(&mut R),
    ) {
        change(&mut self.app.world_mut().resource_mut::<R>());
        self.frames(2);
    }
}

fn chengdu() -> HallIndex {
    HallIndex::from_id("chengdu").unwrap()
}

/// A project of the shipped catalog with related projects.
fn some_project(panels: &PanelsApp) -> ProjectId {
    let catalog = panels.world().resource::<ExpoCatalog>();
    (0..catalog.projects().len() as u32)
        .map(ProjectId)
        .find(|&id| catalog.project(id).hall == chengdu() && catalog.related(id, 6).len() == 6)
        .expect("a Chengdu project with related projects")
}

#[test]
fn the_language_switch_turns_every_label() {
    let mut panels = PanelsApp::new();
    assert!(panels.shows("展馆目录"));
    panels.click("EN");
    assert_eq!(*panels.world().resource::<Lang>(), Lang::En);
    assert!(panels.shows("Directory") && !panels.shows("展馆目录"));
    panels.click("中文");
    assert_eq!(*panels.world().resource::<Lang>(), Lang::Zh);
}

#[test]
fn the_directory_opens_a_hall() {
    let mut panels = PanelsApp::new();
    panels.click("展馆目录");
    assert!(panels.world().resource::<Panels>().directory);
    // The hall's button reads "成都  ·  1450 项".
    let hall = panels.root().get_by_label_contains("成都  ·").rect();
    panels.root().get_by_label_contains("成都  ·").click();
    assert!(hall.width() > 0.0);
    panels.frames(1);
    for _ in 0..300 {
        if screen(&panels.app) == Screen::Hall {
            break;
        }
        panels.frames(1);
    }
    assert_eq!(screen(&panels.app), Screen::Hall);
    assert!(
        !panels.world().resource::<Panels>().directory,
        "the directory closes"
    );
}

#[test]
fn search_finds_by_text_and_filters_and_a_result_opens_the_project() {
    let mut panels = PanelsApp::new();
    let project = some_project(&panels);
    let title = panels
        .world()
        .resource::<ExpoCatalog>()
        .project(project)
        .title
        .clone();
    panels.click("搜索");
    panels.type_into(0, &title);
    assert!(panels.shows("个结果"));
    let role = egui::accesskit::Role::TextInput;
    let result = (panels.root().query_all_by_label_contains(&title))
        .find(|node| node.accesskit_node().role() != role)
        .expect("the project among the results");
    result.click();
    panels.frames(2);
    assert_eq!(panels.world().resource::<Selection>().0, Some(project));

    // A filter that excludes the project leaves it out.
    panels.click("仅重大项目");
    let featured = panels
        .world()
        .resource::<ExpoCatalog>()
        .project(project)
        .featured;
    let results = panels
        .world()
        .resource::<crate::expo::SearchState>()
        .results
        .clone();
    assert_eq!(results.contains(&project), featured);
}

#[test]
fn the_detail_panel_saves_a_favourite_and_lists_related_projects() {
    let mut panels = PanelsApp::new();
    let project = some_project(&panels);
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    let catalog = panels.world().resource::<ExpoCatalog>().clone();
    assert!(panels.shows(&catalog.project(project).title));
    for related in catalog.related(project, 6) {
        assert!(
            panels.shows(&catalog.project(related).title),
            "related {related:?}"
        );
    }
    panels.click("☆ 收藏");
    assert_eq!(panels.world().resource::<Favourites>().0, [project]);
    panels.click("收藏 (1)");
    assert!(panels.world().resource::<Panels>().favourites);
    assert!(panels.shows("我的收藏"));
}

#[test]
fn a_challenges_detail_panel_lists_its_possible_solutions() {
    let mut panels = PanelsApp::new();
    let catalog = panels.world().resource::<ExpoCatalog>().clone();
    let challenge = catalog.find("YZ-2023-00004").expect("通江银耳 is shipped");
    panels.set::<Selection>(|selection| selection.0 = Some(challenge));
    assert!(panels.shows("可能的解决方案"));
    let matcher = yunzhan_model::matching::Matcher::new(&catalog.0);
    for solution in matcher.solutions(&catalog.0, challenge, 5) {
        assert!(panels.shows(&catalog.project(solution.project).title));
    }
    assert!(panels.shows("同一产业 · 关键词：食用菌"));
    // A promotion has no such list.
    let promotion = catalog.find("YZ-2023-00002").expect("shipped");
    panels.set::<Selection>(|selection| selection.0 = Some(promotion));
    assert!(panels.shows(&catalog.project(promotion).title));
    assert!(!panels.shows("可能的解决方案"));
}

#[test]
fn the_inquiry_form_names_what_is_missing_and_sends_a_complete_inquiry() {
    let mut panels = PanelsApp::new();
    let project = some_project(&panels);
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    panels.open_the_inquiry_form();
    assert!(panels.world().resource::<Panels>().inquiry);
    panels.click("提交");
    assert!(!panels.world().resource::<InquiryDraft>().errors.is_empty());
    assert!(panels.shows("不能为空"), "the missing name is named");
    assert!(
        panels.shows("请至少填写电话或电子邮箱"),
        "and the missing contact"
    );
    assert_eq!(
        panels.world().resource::<Messages<SubmitInquiry>>().len(),
        0
    );

    panels.type_into(0, "王小明");
    panels.type_into(2, "13800000000");
    panels.click("技术转让");
    panels.type_into(4, "希望了解转让条件。");
    panels.click("提交");
    let sent = panels.world().resource::<Messages<SubmitInquiry>>();
    let mut reader = sent.get_cursor();
    let inquiries: Vec<_> = reader.read(sent).collect();
    assert_eq!(
        inquiries.len(),
        1,
        "{:?}",
        panels.world().resource::<InquiryDraft>().errors
    );
    assert_eq!(inquiries[0].0.name, "王小明");
}

#[test]
fn the_inquiry_button_puts_the_keyboard_in_the_name_field_except_on_touch_screens() {
    for (device, keyboard_in_name) in [(InputDevice::Mouse, true), (InputDevice::Touch, false)] {
        let mut panels = PanelsApp::with(|app| {
            app.insert_resource(device);
        });
        panels.focus_page();
        let project = some_project(&panels);
        panels.set::<Selection>(|selection| selection.0 = Some(project));
        panels.open_the_inquiry_form();
        panels.frames(2);
        // Typed without clicking a field.
        panels.queue.lock().push(egui::Event::Text("王".into()));
        panels.frames(2);
        let draft = panels.world().resource::<InquiryDraft>();
        assert!(
            panels.world().resource::<Panels>().inquiry,
            "{device:?}: the form opened"
        );
        assert_eq!(
            draft.inquiry.name == "王",
            keyboard_in_name,
            "{device:?}: the name field got {:?}",
            draft.inquiry.name
        );
        assert!(
            !draft.focus_first_field,
            "{device:?}: the form still asks for the focus after it holds it"
        );
    }
}

/// A key typed on the keyboard: Bevy gets the key, egui its event.
fn type_key(panels: &mut PanelsApp, key_code: KeyCode, logical_key: Key, typed: egui::Event) {
    panels
        .app
        .world_mut()
        .write_message_batch(key_strokes(key_code, logical_key));
    panels.queue.lock().push(typed);
    panels.frames(1);
}

#[test]
fn typing_n_p_and_backspace_into_the_search_box_edits_it_and_nothing_else() {
    let mut panels = PanelsApp::new();
    go(&mut panels.app, Go::Hall(chengdu()), Screen::Hall);
    panels.frames(20);
    panels.click("搜索");
    panels.type_into(0, "x");
    let (_, before, _) = visitor(&mut panels.app);
    for (key, text) in [(KeyCode::KeyN, "n"), (KeyCode::KeyP, "p")] {
        let typed = egui::Event::Text(text.into());
        type_key(&mut panels, key, Key::Character(text.into()), typed);
    }
    let backspace = egui::Event::Key {
        key: egui::Key::Backspace,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    };
    type_key(&mut panels, KeyCode::Backspace, Key::Backspace, backspace);
    panels.frames(10);
    let (_, after, _) = visitor(&mut panels.app);
    assert!(!travelling(&mut panels.app), "on the way to another booth");
    assert_eq!(after.translation, before.translation);
    let search = panels.world().resource::<crate::expo::SearchState>();
    assert_eq!(search.query.text, "xn", "typed x, n, p, Backspace");
    assert_eq!(screen(&panels.app), Screen::Hall, "Backspace left the hall");
}

fn ticks(panels: &PanelsApp) -> [Tick; 3] {
    let world = panels.world();
    [
        world.resource_ref::<Panels>().last_changed(),
        world.resource_ref::<Quality>().last_changed(),
        world.resource_ref::<Lang>().last_changed(),
    ]
}

#[test]
fn frames_without_input_change_no_panel_setting_or_preference() {
    let mut panels = PanelsApp::new();
    panels.click("展馆目录");
    let before = ticks(&panels);
    panels.frames(5);
    assert_eq!(ticks(&panels), before, "panels, quality, language");
}

#[test]
fn a_new_catalog_with_the_detail_open_shows_its_own_related_projects() {
    let mut panels = PanelsApp::new();
    let project = some_project(&panels);
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    let old = panels.world().resource::<ExpoCatalog>().clone();
    let show = |panels: &mut PanelsApp, catalog: std::sync::Arc<Catalog>| {
        (panels.app.world_mut())
            .run_system_once(move |mut commands: Commands, mut show: ShowCatalog| {
                show.show(&mut commands, catalog.clone())
            })
            .unwrap();
        panels.frames(3);
    };

    // The same positions, but the projects related before now belong to
    // another exhibitor and field: the same ids name other related projects.
    let was_related = old.related(project, 6);
    let mut projects = old.projects().to_vec();
    for id in &was_related {
        let moved = &mut projects[id.0 as usize];
        moved.title = format!("{}（已迁出）", moved.title);
        moved.organisation = "迁出单位".into();
        moved.keywords.clear();
        moved.industry = *Industry::ALL
            .iter()
            .find(|industry| **industry != old.project(project).industry)
            .unwrap();
    }
    let changed = std::sync::Arc::new(Catalog::from_projects("changed", projects).catalog);
    show(&mut panels, changed.clone());
    assert_eq!(panels.world().resource::<Selection>().0, Some(project));
    for id in &was_related {
        let title = &changed.project(*id).title;
        assert!(!panels.shows(title), "{title} is no longer related");
    }
    for related in changed.related(project, 6) {
        assert!(
            panels.shows(&changed.project(related).title),
            "related {related:?}"
        );
    }

    // The platform's next catalog: the project and a few of its hall, all
    // at other positions than before.
    let mut kept: Vec<_> = (old.projects().iter())
        .filter(|p| p.hall == chengdu())
        .take(40)
        .cloned()
        .collect();
    kept.reverse();
    kept.push(old.project(project).clone());
    let new = std::sync::Arc::new(Catalog::from_projects("smaller", kept).catalog);
    show(&mut panels, new.clone());
    let id = new.find(&old.project(project).platform_no).unwrap();
    assert_eq!(panels.world().resource::<Selection>().0, Some(id));
    for related in new.related(id, 6) {
        assert!(
            panels.shows(&new.project(related).title),
            "related {related:?}"
        );
    }
}

#[test]
fn after_the_kiosk_wipe_no_panel_shows_the_last_visitors_inquiries() {
    let mut panels = PanelsApp::with(|app| {
        app.insert_resource(Kiosk);
    });
    // A visitor is using the kiosk (out of the attract tour).
    panels.set::<KioskState>(|state| *state = KioskState::Active { idle: 0.0 });
    let project = some_project(&panels);
    let platform_no = panels
        .world()
        .resource::<ExpoCatalog>()
        .project(project)
        .platform_no
        .clone();
    let line = OutboxLine {
        key: "last-visitor".into(),
        platform_no: platform_no.clone(),
        state: InquiryState::Queued,
        thread: None,
    };
    panels.set::<SentInquiries>(|sent| sent.replace(vec![line], Vec::new()));
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    panels.open_the_inquiry_form();
    assert!(
        panels.shows("询问 1"),
        "the visitor sees their inquiry:\n{}",
        panels.labels()
    );

    // The end of the "Still there?" countdown.
    let world = panels.app.world_mut();
    world.insert_resource(KioskState::Countdown { left: 0.0 });
    panels.frames(3);
    assert!(matches!(
        panels.world().resource::<KioskState>(),
        KioskState::Attract { .. }
    ));
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    panels.open_the_inquiry_form();
    assert!(panels.world().resource::<Panels>().inquiry);
    assert!(
        !panels.shows("询问 1"),
        "the next visitor sees the last one's inquiry"
    );
}

#[test]
fn my_inquiries_shows_the_agents_reply_and_stage_badges_what_is_new_and_sends_a_reply() {
    use yunzhan_model::api::{Author, Thread, ThreadMessage};
    use yunzhan_model::deal::Stage;

    let mut panels = PanelsApp::new();
    let project = some_project(&panels);
    let platform_no = panels
        .world()
        .resource::<ExpoCatalog>()
        .project(project)
        .platform_no
        .clone();
    let line = OutboxLine {
        key: "mine".into(),
        platform_no: platform_no.clone(),
        state: InquiryState::Sent,
        thread: Some(ThreadKey {
            id: 7,
            secret: "s3cret".into(),
        }),
    };
    let queued = ReplyLine {
        inquiry_id: 7,
        body: "路上写的回复".into(),
        state: InquiryState::Queued,
        message_id: None,
    };
    panels.set::<SentInquiries>(|sent| sent.replace(vec![line], vec![queued]));
    let message = |id, author, body: &str| ThreadMessage {
        id,
        author,
        body: body.into(),
        sent_at: "2026-11-30T08:00:00Z".into(),
    };
    panels.set::<Threads>(|threads| {
        threads.replace(vec![Thread {
            id: 7,
            platform_no,
            project_title: String::new(),
            stage: Stage::Intention,
            messages: vec![
                message(0, Author::Visitor, "想了解合作方式"),
                message(1, Author::Agent, "您好，周三可以面谈。"),
            ],
            agent_updates: 2,
        }])
    });
    assert!(
        panels.shows("我的询单 ● 2"),
        "the badge counts the reply and the stage change:\n{}",
        panels.labels()
    );

    panels.click("我的询单 ● 2");
    for text in ["合作意向", "您好，周三可以面谈。", "路上写的回复", "发送中"]
    {
        assert!(panels.shows(text), "{text} is shown:\n{}", panels.labels());
    }
    panels.frames(2);
    assert!(
        panels.shows("我的询单") && !panels.shows("我的询单 ●") && !panels.shows("条新消息"),
        "reading the conversation clears the badge:\n{}",
        panels.labels()
    );

    panels.type_into(0, "好的，周三见。");
    panels.click("发送回复");
    let sent = panels.world().resource::<Messages<SendReply>>();
    let replies: Vec<_> = sent.get_cursor().read(sent).cloned().collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(
        (replies[0].inquiry_id, replies[0].body.as_str()),
        (7, "好的，周三见。")
    );
}

/// A phone held upright (390×844 CSS pixels) in a visitor's hand: with
/// five panels open, one shows at a time, inside the screen and above the
/// joystick; closing it shows the next; every button, box and field on
/// screen is at least 44 points tall and inside the panel area the scene
/// leaves alone (a quick tap on a button must not reach the card behind).
#[test]
fn on_a_phone_one_panel_shows_at_a_time_inside_the_screen_with_44_point_targets() {
    use egui::accesskit::Role;
    let screen = egui::vec2(390.0, 844.0);
    let mut panels = PanelsApp::on_screen(screen, |app| {
        app.insert_resource(InputDevice::Touch);
    });
    let project = some_project(&panels);
    panels.set::<Panels>(|panels| {
        panels.directory = true;
        panels.search = true;
    });
    panels.set::<Selection>(|selection| selection.0 = Some(project));
    panels.frames(3);
    panels.open_the_inquiry_form();
    let joystick_top = screen.y - 24.0 - 128.0;
    for title in ["洽谈合作", "项目详情", "搜索项目", "展馆目录", "操作提示"] {
        // A panel takes its place in the frames after it appears.
        panels.frames(3);
        let windows: Vec<(String, egui::Rect)> = (panels.root())
            .query_all_by_role(Role::Window)
            .map(|window| {
                let label = window.accesskit_node().label().unwrap_or_default();
                (label.to_string(), window.rect())
            })
            .collect();
        assert_eq!(windows.len(), 1, "one panel at a time: {windows:?}");
        let (shown, rect) = &windows[0];
        assert_eq!(shown, title);
        assert!(
            rect.left() >= 0.0 && rect.right() <= screen.x && rect.bottom() <= joystick_top,
            "{title} at {rect:?} on a {screen:?} screen"
        );
        let targets = [
            Role::Button,
            Role::CheckBox,
            Role::RadioButton,
            Role::ComboBox,
            Role::TextInput,
            Role::MultilineTextInput,
        ];
        let small: Vec<String> = (panels.root())
            .query_all_by(|node| targets.contains(&node.role()))
            .filter(|node| node.rect().height() < 44.0 && node.rect().top() < screen.y)
            .map(|node| {
                format!(
                    "{:?} {:?} {:?}",
                    node.accesskit_node().role(),
                    node.accesskit_node().label(),
                    node.rect()
                )
            })
            .collect();
        assert!(
            small.is_empty(),
            "with {title} open, targets under 44 points:\n{}",
            small.join("\n")
        );
        // The scene must know where the panels are before a quick tap lands.
        let covered = &panels.world().resource::<UiCapture>().panels;
        let on_panel = |at: egui::Pos2| {
            covered
                .iter()
                .any(|panel| panel.contains(Vec2::new(at.x, at.y)))
        };
        // (What lies below the panel's rectangle is scrolled out of it.)
        let bare: Vec<String> = (panels.root())
            .query_all_by(|node| targets.contains(&node.role()))
            .filter(|node| {
                node.rect().center().y < rect.bottom() && !on_panel(node.rect().center())
            })
            .map(|node| format!("{:?} {:?}", node.accesskit_node().label(), node.rect()))
            .collect();
        assert!(
            bare.is_empty(),
            "with {title} open, targets outside {covered:?}:\n{}",
            bare.join("\n")
        );
        assert!(
            !on_panel(egui::pos2(20.0, joystick_top + 40.0)),
            "the scene beside the joystick is free: {covered:?}"
        );
        panels.click("×");
    }
    assert_eq!(panels.root().query_all_by_role(Role::Window).count(), 0);
}

/// On a phone in a hall the map would cover the scene: it shows only after
/// the top bar's map button, and its close button puts it away.
#[test]
fn on_a_phone_the_hall_map_shows_only_when_asked() {
    use egui::accesskit::Role;
    let mut panels = PanelsApp::on_screen(egui::vec2(390.0, 844.0), |app| {
        app.insert_resource(InputDevice::Touch);
    });
    go(&mut panels.app, Go::Hall(chengdu()), Screen::Hall);
    panels.set::<Panels>(|panels| panels.hint = false);
    let windows = |panels: &PanelsApp| -> Vec<String> {
        (panels.root().query_all_by_role(Role::Window))
            .map(|window| {
                window
                    .accesskit_node()
                    .label()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    assert!(
        windows(&panels).is_empty(),
        "in the hall: {:?}",
        windows(&panels)
    );
    panels.click("平面图");
    panels.frames(3);
    assert_eq!(windows(&panels), ["平面图"]);
    panels.click("×");
    panels.frames(3);
    assert!(
        windows(&panels).is_empty(),
        "closed: {:?}",
        windows(&panels)
    );
    assert!(!panels.world().resource::<Panels>().map);
}
