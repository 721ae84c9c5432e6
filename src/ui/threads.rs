//! "My inquiries" (我的询单): each of the visitor's sent inquiries with the
//! deal's stage, the conversation with the service agent, a reply box, and
//! the private link to go on on a phone (a QR code at the kiosk). The
//! newest is open at first; opening a conversation marks the agent's
//! updates in it as read.

use std::collections::HashMap;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use yunzhan_model::api::{Author, Reply, Thread};

use super::Panels;
use super::layout::{Panel, PanelLayout};
use crate::expo::{ExpoCatalog, Kiosk, Lang, VisitorLeft};
use crate::remote::{
    InquiryState, OutboxLine, PlatformStatus, SendReply, SentInquiries, ThreadKey, Threads,
};

/// The replies being written, by inquiry id, with their problems.
#[derive(Resource, Default)]
pub(super) struct ReplyDrafts {
    text: HashMap<i64, String>,
    problems: HashMap<i64, Vec<yunzhan_model::validate::FieldError>>,
    /// The phone links' QR codes (at the kiosk), by link.
    qr: HashMap<String, egui::TextureHandle>,
}

/// A new visitor starts with no drafts.
pub(super) fn forget_drafts(mut drafts: ResMut<ReplyDrafts>) {
    *drafts = ReplyDrafts::default();
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ReplyDrafts>();
    app.add_systems(PostUpdate, forget_drafts.run_if(on_message::<VisitorLeft>));
}

/// What the panel reads and changes.
#[derive(SystemParam)]
pub(super) struct ThreadsWorld<'w> {
    lang: Res<'w, Lang>,
    catalog: Res<'w, ExpoCatalog>,
    panels: ResMut<'w, Panels>,
    layout: Res<'w, PanelLayout>,
    sent: Res<'w, SentInquiries>,
    threads: ResMut<'w, Threads>,
    drafts: ResMut<'w, ReplyDrafts>,
    platform: Res<'w, PlatformStatus>,
    reply: MessageWriter<'w, SendReply>,
    kiosk: Option<Res<'w, Kiosk>>,
}

/// How many of the agent's updates the current visitor has not read.
pub(super) fn unread(sent: &SentInquiries, threads: &Threads) -> i64 {
    sent.current()
        .filter_map(|line| line.thread.as_ref())
        .map(|key| threads.unread(key.id))
        .sum()
}

pub(super) fn threads(mut contexts: EguiContexts, mut ui: ThreadsWorld) -> Result {
    if !ui.panels.threads || !ui.layout.shows(Panel::Threads) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *ui.lang;
    let mut open = true;
    let lines: Vec<OutboxLine> = ui.sent.current().cloned().collect();
    let title = lang.pick("我的询单", "My inquiries");
    let layout = *ui.layout;
    layout.show(&ctx, title, Some(&mut open), |wide| wide.default_pos([460.0, 90.0]).default_width(440.0), |panel| {
            if lines.is_empty() {
                panel.label(lang.pick(
                    "您还没有发送询单。在项目详情中点“洽谈合作”即可联系科服保姆。",
                    "You have not sent an inquiry yet. Choose “Send an inquiry” on a project to reach its service agent.",
                ));
            }
            egui::ScrollArea::vertical().max_height(layout.list_height(520.0)).show(panel, |panel| {
                for (index, line) in lines.iter().rev().enumerate() {
                    inquiry_thread(panel, &mut ui, line, index == 0, lang);
                }
            });
        });
    if !open {
        ui.panels.threads = false;
    }
    Ok(())
}

fn stage_name(thread: Option<&Thread>, line: &OutboxLine, lang: Lang) -> String {
    match (thread, &line.state) {
        (Some(thread), _) => lang
            .pick(thread.stage.name_zh(), thread.stage.name_en())
            .to_string(),
        (None, InquiryState::Queued) => lang.pick("发送中", "sending").to_string(),
        (None, InquiryState::Sent) => lang.pick("已送达", "sent").to_string(),
        (None, InquiryState::Rejected { .. }) => lang.pick("被拒绝", "refused").to_string(),
    }
}

/// One inquiry: a header with its project, stage and unread count; open,
/// the conversation, the reply box and the phone link.
fn inquiry_thread(
    panel: &mut egui::Ui,
    ui: &mut ThreadsWorld,
    line: &OutboxLine,
    newest: bool,
    lang: Lang,
) {
    let title = ui
        .catalog
        .find(&line.platform_no)
        .map_or(line.platform_no.clone(), |id| {
            ui.catalog.project(id).title.clone()
        });
    let key = line.thread.clone();
    let thread = key.as_ref().and_then(|key| ui.threads.get(key.id)).cloned();
    let unread = key.as_ref().map_or(0, |key| ui.threads.unread(key.id));
    let mut header = format!("{title} · {}", stage_name(thread.as_ref(), line, lang));
    if unread > 0 {
        header = format!("● {header} ({unread} {})", lang.pick("条新消息", "new"));
    }
    let id = egui::Id::new(("thread", &line.key));
    egui::CollapsingHeader::new(header)
        .id_salt(id)
        .default_open(unread > 0 || newest)
        .show(panel, |body| {
            let Some(key) = key else {
                body.label(lang.pick(
                    "询单送达后，科服保姆的回复会显示在这里。",
                    "The service agent's replies appear here once the inquiry is delivered.",
                ));
                return;
            };
            if ui.threads.mark_seen(key.id) {
                debug!("thread {} read", key.id);
            }
            conversation(body, ui, thread.as_ref(), key.id, lang);
            reply_box(body, ui, key.id, lang);
            phone_link(body, ui, &key, lang);
        });
}

fn conversation(
    body: &mut egui::Ui,
    ui: &ThreadsWorld,
    thread: Option<&Thread>,
    id: i64,
    lang: Lang,
) {
    for message in thread
        .map(|thread| thread.messages.as_slice())
        .unwrap_or_default()
    {
        let (who, colour) = match message.author {
            Author::Agent => (
                lang.pick("科服保姆", "Service agent"),
                egui::Color32::from_rgb(20, 90, 160),
            ),
            Author::Visitor => (lang.pick("我", "Me"), egui::Color32::from_rgb(60, 60, 60)),
        };
        body.label(
            egui::RichText::new(format!(
                "{who} · {}",
                message.sent_at.replace('T', " ").trim_end_matches('Z')
            ))
            .small()
            .color(colour),
        );
        body.label(&message.body);
    }
    for reply in ui.sent.unshown_replies(id, thread) {
        let status = match &reply.state {
            InquiryState::Rejected { reason, reason_zh } => {
                format!(
                    "{}{}",
                    lang.pick("未能发送：", "not sent: "),
                    lang.pick(reason_zh, reason)
                )
            }
            _ => lang.pick("发送中…", "sending…").to_string(),
        };
        body.label(
            egui::RichText::new(format!("{} · {status}", lang.pick("我", "Me")))
                .small()
                .weak(),
        );
        body.label(&reply.body);
    }
}

fn reply_box(body: &mut egui::Ui, ui: &mut ThreadsWorld, id: i64, lang: Lang) {
    body.separator();
    let text = ui.drafts.text.entry(id).or_default();
    body.add(
        egui::TextEdit::multiline(text)
            .hint_text(lang.pick("回复科服保姆…", "Answer the service agent…"))
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    );
    for problem in ui.drafts.problems.get(&id).into_iter().flatten() {
        body.colored_label(
            egui::Color32::from_rgb(200, 40, 40),
            lang.pick(problem.problem.message_zh(), problem.problem.message_en()),
        );
    }
    if body.button(lang.pick("发送回复", "Send reply")).clicked() {
        let reply = Reply {
            body: ui.drafts.text.get(&id).cloned().unwrap_or_default(),
        };
        let problems = reply.validate();
        if problems.is_empty() {
            ui.reply.write(SendReply {
                inquiry_id: id,
                body: reply.body,
            });
            ui.drafts.text.remove(&id);
            ui.drafts.problems.remove(&id);
        } else {
            ui.drafts.problems.insert(id, problems);
        }
    }
}

/// The thread's private page, to go on on a phone: a link, and at the
/// kiosk a QR code of it.
fn phone_link(body: &mut egui::Ui, ui: &mut ThreadsWorld, key: &ThreadKey, lang: Lang) {
    let Some(api) = ui.platform.api.as_deref() else {
        return;
    };
    let link = format!(
        "{}/thread/{}/{}",
        api.trim_end_matches('/'),
        key.id,
        key.secret
    );
    if ui.kiosk.is_none() {
        body.hyperlink_to(
            lang.pick(
                "在手机或浏览器中继续（私人链接，请勿转发）",
                "Continue on a phone or browser (private link: do not share)",
            ),
            &link,
        );
        return;
    }
    if !ui.drafts.qr.contains_key(&link)
        && let Some(image) = crate::kiosk::qr_image(&link)
    {
        let texture = body.ctx().load_texture(
            format!("thread-qr-{}", key.id),
            image,
            egui::TextureOptions::NEAREST,
        );
        ui.drafts.qr.insert(link.clone(), texture);
    }
    if let Some(texture) = ui.drafts.qr.get(&link) {
        body.horizontal(|row| {
            row.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(132.0, 132.0)));
            row.label(lang.pick(
                "扫码在手机上继续这段对话。这是您的私人链接，请勿让他人拍摄。",
                "Scan to continue this conversation on your phone. It is your private link: keep it to yourself.",
            ));
        });
    }
}
