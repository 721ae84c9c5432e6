//! Charts drawn on the server as inline SVG: no script, no download, the
//! page's own (CJK) font. Each chart is a picture with a title; the same
//! numbers are in a table beside it for screen readers and copying.

use maud::{Markup, html};

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 170.0;
const ROW_HEIGHT: f64 = 26.0;
const VALUE_ROOM: f64 = 70.0;

/// One bar: its label, its value and the value as shown.
pub(super) struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

fn largest(bars: &[Bar]) -> f64 {
    bars.iter()
        .map(|bar| bar.value)
        .fold(0.0, f64::max)
        .max(1e-9)
}

/// Horizontal bars, one row per label (halls, industries, funnel steps).
pub(super) fn bars(title: &str, bars: &[Bar]) -> Markup {
    let height = ROW_HEIGHT * bars.len() as f64 + 8.0;
    let room = WIDTH - LABEL_WIDTH - VALUE_ROOM;
    let top = largest(bars);
    html! {
        svg.chart role="img" viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) {
            title { (title) }
            @for (row, bar) in bars.iter().enumerate() {
                @let y = row as f64 * ROW_HEIGHT + 4.0;
                @let length = (bar.value / top * room).max(if bar.value > 0.0 { 2.0 } else { 0.0 });
                text x=(LABEL_WIDTH - 8.0) y=(y + 17.0) text-anchor="end" { (bar.label) }
                rect x=(LABEL_WIDTH) y=(y + 3.0) width=(format!("{length:.1}")) height=(ROW_HEIGHT - 8.0) rx="2" {}
                text x=(LABEL_WIDTH + length + 6.0) y=(y + 17.0) { (bar.shown) }
            }
        }
    }
}

/// Columns over time (inquiries per day), a date under every few.
pub(super) fn columns(title: &str, bars: &[Bar]) -> Markup {
    let plot_height = 160.0;
    let height = plot_height + 48.0;
    let slot = ((WIDTH - 40.0) / bars.len().max(1) as f64).min(48.0);
    let every = (60.0 / slot).ceil().max(1.0) as usize;
    let top = largest(bars);
    html! {
        svg.chart role="img" viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) {
            title { (title) }
            line x1="20" y1=(plot_height + 4.0) x2=(WIDTH - 20.0) y2=(plot_height + 4.0) {}
            @for (index, bar) in bars.iter().enumerate() {
                @let x = 20.0 + index as f64 * slot;
                @let tall = bar.value / top * (plot_height - 20.0);
                rect x=(format!("{:.1}", x + slot * 0.15)) y=(format!("{:.1}", plot_height + 4.0 - tall))
                    width=(format!("{:.1}", slot * 0.7)) height=(format!("{tall:.1}")) rx="2" {}
                text x=(format!("{:.1}", x + slot / 2.0)) y=(format!("{:.1}", plot_height - tall))
                    text-anchor="middle" { (bar.shown) }
                @if index % every == 0 {
                    text x=(format!("{:.1}", x + slot / 2.0)) y=(plot_height + 24.0) text-anchor="middle" { (bar.label) }
                }
            }
        }
    }
}
