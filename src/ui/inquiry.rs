//! The inquiry form and where the visitor's inquiries stand.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use yunzhan_model::CooperationMode;
use yunzhan_model::validate::FieldError;

use super::Panels;
use super::layout::{Panel, PanelLayout};
use crate::expo::{ExpoCatalog, InquiryDraft, KeypadField, Kiosk, Lang};
use crate::remote::{InquiryState, OutboxLine, PlatformStatus, SentInquiries, SubmitInquiry};

/// What the inquiry form reads and changes.
#[derive(SystemParam)]
pub(super) struct InquiryWorld<'w> {
    lang: Res<'w, Lang>,
    catalog: Res<'w, ExpoCatalog>,
    draft: ResMut<'w, InquiryDraft>,
    panels: ResMut<'w, Panels>,
    layout: Res<'w, PanelLayout>,
    sent: Res<'w, SentInquiries>,
    platform: Res<'w, PlatformStatus>,
    submit: MessageWriter<'w, SubmitInquiry>,
    kiosk: Option<Res<'w, Kiosk>>,
}

/// The inquiry form (洽谈合作): contact details, intent and message,
/// checked before it goes to the outbox, and where the visitor's inquiries
/// of this project stand.
pub(super) fn inquiry(mut contexts: EguiContexts, mut ui: InquiryWorld) -> Result {
    if !ui.panels.inquiry || !ui.layout.shows(Panel::Inquiry) {
        return Ok(());
    }
    let catalog = ui.catalog.clone();
    let Some(project) = catalog
        .find(&ui.draft.inquiry.platform_no)
        .map(|id| catalog.project(id))
    else {
        ui.panels.inquiry = false;
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *ui.lang;
    let kiosk = ui.kiosk.is_some();
    let mut open = true;
    let title = lang.pick("洽谈合作", "Inquiry");
    let layout = *ui.layout;
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| wide.default_pos([420.0, 120.0]).default_width(420.0),
        |form| {
            form.label(format!("{} — {}", project.title, project.organisation));
            form.label(
                egui::RichText::new(format!(
                    "{} {}",
                    lang.pick("发送给科服保姆：", "To the service agent:"),
                    project.agent.name
                ))
                .weak(),
            );
            let draft = &mut ui.draft;
            fields(form, draft, lang, kiosk);
            if form.button(lang.pick("提交", "Submit")).clicked() {
                draft.errors = draft.inquiry.validate();
                if draft.errors.is_empty() {
                    ui.submit.write(SubmitInquiry(draft.inquiry.clone()));
                    let platform_no = draft.inquiry.platform_no.clone();
                    **draft = InquiryDraft::default();
                    draft.inquiry.platform_no = platform_no;
                }
            }
            let api = ui.platform.api.is_some();
            inquiry_states(form, ui.sent.visitors(&project.platform_no), api, lang);
        },
    );
    if !open {
        ui.panels.inquiry = false;
    }
    Ok(())
}

fn field_error(form: &mut egui::Ui, errors: &[FieldError], field: &str, lang: Lang) {
    for error in errors.iter().filter(|e| e.field == field) {
        let text = match lang {
            Lang::Zh => error.problem.message_zh(),
            Lang::En => error.problem.message_en(),
        };
        form.colored_label(egui::Color32::from_rgb(200, 40, 40), text);
    }
}

/// The form's fields, each with its problems under it; at a kiosk a tap
/// on the phone or e-mail field brings up the on-screen keypad.
fn fields(form: &mut egui::Ui, draft: &mut InquiryDraft, lang: Lang, kiosk: bool) {
    let errors = draft.errors.clone();
    let text_field =
        |form: &mut egui::Ui, label: &str, value: &mut String, field: &str, multiline: bool| {
            form.label(label);
            let response = if multiline {
                form.add(
                    egui::TextEdit::multiline(value)
                        .desired_rows(4)
                        .desired_width(f32::INFINITY),
                )
            } else {
                let height = form.spacing().interact_size.y;
                form.add(
                    egui::TextEdit::singleline(value)
                        .desired_width(f32::INFINITY)
                        .min_size(egui::vec2(0.0, height)),
                )
            };
            field_error(form, &errors, field, lang);
            response
        };
    let name = text_field(
        form,
        lang.pick("姓名 *", "Name *"),
        &mut draft.inquiry.name,
        "name",
        false,
    );
    // Asked until egui holds it: a frame egui discards (a panel's first,
    // sizing pass on a phone) would otherwise lose the request. Held, not
    // `has_focus`, which is also false while the page lacks the keyboard
    // (then the request would take every click on another field back).
    if draft.focus_first_field {
        draft.focus_first_field = !form.memory(|memory| memory.has_focus(name.id));
        name.request_focus();
    }
    text_field(
        form,
        lang.pick("单位", "Organisation"),
        &mut draft.inquiry.organisation,
        "organisation",
        false,
    );
    let phone = text_field(
        form,
        lang.pick("电话", "Phone"),
        &mut draft.inquiry.phone,
        "phone",
        false,
    );
    let email = text_field(
        form,
        lang.pick("电子邮箱", "E-mail"),
        &mut draft.inquiry.email,
        "email",
        false,
    );
    if kiosk {
        // A tap on the phone or e-mail field brings up the keypad.
        if phone.clicked() || phone.gained_focus() {
            draft.keypad = Some(KeypadField::Phone);
        } else if email.clicked() || email.gained_focus() {
            draft.keypad = Some(KeypadField::Email);
        }
    }
    field_error(form, &errors, "contact", lang);
    form.label(lang.pick("合作意向 *", "Intent *"));
    form.horizontal_wrapped(|row| {
        for mode in CooperationMode::ALL {
            row.radio_value(
                &mut draft.inquiry.intent,
                Some(mode),
                lang.pick(mode.name_zh(), mode.name_en()),
            );
        }
    });
    field_error(form, &errors, "intent", lang);
    text_field(
        form,
        lang.pick("留言 *", "Message *"),
        &mut draft.inquiry.message,
        "message",
        true,
    );
}

/// Where each of the visitor's inquiries of the project stands.
fn inquiry_states<'a>(
    form: &mut egui::Ui,
    mine: impl Iterator<Item = &'a OutboxLine>,
    api: bool,
    lang: Lang,
) {
    for (number, line) in mine.enumerate() {
        let (colour, text) = match &line.state {
            InquiryState::Queued if !api => (
                egui::Color32::from_rgb(20, 110, 130),
                lang.pick(
                    "已排队：保存在本机，连接平台后发送",
                    "queued: kept on this device, sent once connected to the platform",
                )
                .to_string(),
            ),
            InquiryState::Queued => (
                egui::Color32::from_rgb(20, 110, 130),
                lang.pick("已排队：正在发送…", "queued: sending…")
                    .to_string(),
            ),
            InquiryState::Sent => (
                egui::Color32::from_rgb(30, 130, 60),
                lang.pick("已送达科服保姆", "sent to the service agent")
                    .to_string(),
            ),
            InquiryState::Rejected { reason, reason_zh } => (
                egui::Color32::from_rgb(180, 40, 40),
                format!(
                    "{}{}",
                    lang.pick("被拒绝：", "rejected: "),
                    lang.pick(reason_zh, reason)
                ),
            ),
        };
        form.colored_label(
            colour,
            format!("{} {}: {text}", lang.pick("询问", "Inquiry"), number + 1),
        );
    }
}
