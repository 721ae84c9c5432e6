//! CPU text painting into RGBA images with the shipped CJK font, for labels,
//! signs and project cards. Pure code (no GPU): tests can inspect the pixels.

use std::collections::HashMap;

use swash::scale::{Render, ScaleContext, Source};
use swash::zeno::Format;
use swash::{FontRef, GlyphId};

use crate::expo::ShippedFiles;

pub(crate) type Rgba = [u8; 4];

/// An RGBA8 (sRGB) pixel buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Canvas {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) pixels: Vec<u8>,
}

impl Canvas {
    pub(crate) fn new(width: u32, height: u32, background: Rgba) -> Self {
        // One copy doubling in size, not a pixel at a time: the lobby's
        // first frame fills dozens of canvases (and size-optimised wasm
        // does not vectorise an iterator's loop).
        let pixels = background.repeat((width * height) as usize);
        Canvas {
            width,
            height,
            pixels,
        }
    }

    /// The canvas at half the width and height, each pixel the mean of 2x2.
    pub(crate) fn halved(&self) -> Canvas {
        let (width, height) = (self.width / 2, self.height / 2);
        let mut pixels = Vec::with_capacity((width * height * 4) as usize);
        for y in 0..height {
            for x in 0..width {
                let at = |dx: u32, dy: u32| self.pixel(2 * x + dx, 2 * y + dy);
                let quad = [at(0, 0), at(1, 0), at(0, 1), at(1, 1)];
                for channel in 0..4 {
                    let sum: u32 = quad.iter().map(|p| u32::from(p[channel])).sum();
                    pixels.push(((sum + 2) / 4) as u8);
                }
            }
        }
        Canvas {
            width,
            height,
            pixels,
        }
    }

    pub(crate) fn fill_rect(&mut self, x: i32, y: i32, width: u32, height: u32, color: Rgba) {
        for row in y.max(0)..(y + height as i32).min(self.height as i32) {
            for column in x.max(0)..(x + width as i32).min(self.width as i32) {
                self.blend(column, row, color, 255);
            }
        }
    }

    /// Blends `color` over the pixel with extra coverage `alpha`.
    fn blend(&mut self, x: i32, y: i32, color: Rgba, alpha: u8) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            return;
        }
        let index = ((y as u32 * self.width + x as u32) * 4) as usize;
        let a = u32::from(alpha) * u32::from(color[3]) / 255;
        for (pixel, &channel) in self.pixels[index..index + 3].iter_mut().zip(&color[..3]) {
            *pixel = ((u32::from(channel) * a + u32::from(*pixel) * (255 - a)) / 255) as u8;
        }
        let below = u32::from(self.pixels[index + 3]);
        self.pixels[index + 3] = (a + below * (255 - a) / 255) as u8;
    }

    /// Draws `image` scaled (nearest pixel) into the box at `x, y`, blended
    /// by its alpha; an empty image draws nothing.
    pub(crate) fn draw_scaled(&mut self, image: &Canvas, x: i32, y: i32, width: u32, height: u32) {
        if image.width == 0 || image.height == 0 {
            return;
        }
        for row in 0..height {
            for column in 0..width {
                let source = image.pixel(column * image.width / width, row * image.height / height);
                self.blend(x + column as i32, y + row as i32, source, 255);
            }
        }
    }

    pub(crate) fn pixel(&self, x: u32, y: u32) -> Rgba {
        let index = ((y * self.width + x) * 4) as usize;
        self.pixels[index..index + 4].try_into().expect("4 bytes")
    }
}

/// Horizontal placement of a line of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// Paints text with the shipped font. Keeps the glyphs it has drawn
/// between calls, so reuse one painter for many images.
pub(crate) struct TextPainter {
    context: ScaleContext,
    font: FontRef<'static>,
    /// Coverage masks already drawn, by glyph and size (the size's bits).
    /// Text repeats its characters (every card's kind badge, common hanzi)
    /// and glyphs are placed at whole pixels, so a glyph's mask at a size is
    /// the same wherever it is drawn.
    masks: HashMap<(GlyphId, u32), Option<GlyphMask>>,
    mask_bytes: usize,
}

/// The most mask bytes a painter keeps; past it, it starts afresh.
const MASK_CACHE_BYTES: usize = 4 << 20;

/// A glyph's coverage, placed relative to the pen and the baseline.
struct GlyphMask {
    left: i32,
    top: i32,
    width: u32,
    coverage: Vec<u8>,
}

impl TextPainter {
    /// A painter with the shipped font (checked when the app starts: natively
    /// compiled in, on the web by `web::take_page_files`).
    pub(crate) fn new(files: &ShippedFiles) -> Self {
        TextPainter {
            context: ScaleContext::new(),
            font: FontRef::from_index(files.font, 0).expect("the shipped font parses"),
            masks: HashMap::new(),
            mask_bytes: 0,
        }
    }
}

impl TextPainter {
    /// Width in pixels of `text` at `size` pixels per em.
    pub(crate) fn measure(&self, text: &str, size: f32) -> f32 {
        self.advances(text, size).sum()
    }

    /// Each character's advance in pixels at `size` pixels per em.
    fn advances<'a>(&self, text: &'a str, size: f32) -> impl Iterator<Item = f32> + 'a {
        let font = self.font;
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(&[]).scale(size);
        text.chars()
            .map(move |c| metrics.advance_width(charmap.map(c)))
    }

    /// Paints one line with its top at `y`; characters past `max_width` are
    /// cut and replaced by an ellipsis. Returns the height used.
    pub(crate) fn line(
        &mut self,
        canvas: &mut Canvas,
        text: &str,
        x: f32,
        y: f32,
        size: f32,
        color: Rgba,
        align: Align,
        max_width: f32,
    ) -> f32 {
        let fitted = self.fit(text, size, max_width);
        let width = self.measure(&fitted, size);
        let start = match align {
            Align::Left => x,
            Align::Center => x + (max_width - width) / 2.0,
        };
        let font = self.font;
        let ascent = font.metrics(&[]).scale(size).ascent;
        self.glyphs(canvas, &fitted, start, y + ascent, size, color);
        size * 1.3
    }

    /// Paints text wrapped to `max_width` (any character may break a line,
    /// as Chinese needs), at most `max_lines` lines. Returns the height used.
    pub(crate) fn paragraph(
        &mut self,
        canvas: &mut Canvas,
        text: &str,
        x: f32,
        y: f32,
        size: f32,
        color: Rgba,
        max_width: f32,
        max_lines: usize,
    ) -> f32 {
        let lines = self.wrap(text, size, max_width);
        let shown = lines.len().min(max_lines);
        let mut top = y;
        for (index, line) in lines.iter().take(shown).enumerate() {
            let text = if index + 1 == shown && lines.len() > shown {
                format!("{line}…")
            } else {
                line.clone()
            };
            top += self.line(canvas, &text, x, top, size, color, Align::Left, max_width);
        }
        top - y
    }

    fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut width = 0.0;
        for (c, advance) in text.chars().zip(self.advances(text, size)) {
            if c == '\n' {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
                continue;
            }
            if width + advance > max_width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            line.push(c);
            width += advance;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// `text`, or as much of it as fits in `max_width` with an ellipsis.
    fn fit(&self, text: &str, size: f32, max_width: f32) -> String {
        if self.measure(text, size) <= max_width {
            return text.to_string();
        }
        let ellipsis = self.measure("…", size);
        let mut width = 0.0;
        let mut end = 0;
        for ((at, c), advance) in text.char_indices().zip(self.advances(text, size)) {
            width += advance;
            if width + ellipsis > max_width {
                break;
            }
            end = at + c.len_utf8();
        }
        format!("{}…", &text[..end])
    }

    fn glyphs(
        &mut self,
        canvas: &mut Canvas,
        text: &str,
        x: f32,
        baseline: f32,
        size: f32,
        color: Rgba,
    ) {
        let font = self.font;
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(&[]).scale(size);
        let mut pen = x;
        for c in text.chars() {
            let glyph: GlyphId = charmap.map(c);
            if let Some(mask) = self.mask(glyph, size) {
                let left = pen.round() as i32 + mask.left;
                let top = baseline.round() as i32 - mask.top;
                let width = mask.width as usize;
                for (index, &alpha) in mask.coverage.iter().enumerate() {
                    if alpha > 0 {
                        let (column, row) = ((index % width) as i32, (index / width) as i32);
                        canvas.blend(left + column, top + row, color, alpha);
                    }
                }
            }
            pen += metrics.advance_width(glyph);
        }
    }

    /// The glyph's mask at `size`, drawn on first use; `None` for a glyph
    /// without ink (a space).
    fn mask(&mut self, glyph: GlyphId, size: f32) -> Option<&GlyphMask> {
        let key = (glyph, size.to_bits());
        if !self.masks.contains_key(&key) {
            let mut scaler = self
                .context
                .builder(self.font)
                .size(size)
                .hint(false)
                .build();
            let mask = Render::new(&[Source::Outline])
                .format(Format::Alpha)
                .render(&mut scaler, glyph)
                .filter(|image| image.placement.width > 0)
                .map(|image| GlyphMask {
                    left: image.placement.left,
                    top: image.placement.top,
                    width: image.placement.width,
                    coverage: image.data,
                });
            let bytes = mask.as_ref().map_or(0, |mask| mask.coverage.len());
            if self.mask_bytes + bytes > MASK_CACHE_BYTES {
                self.masks.clear();
                self.mask_bytes = 0;
            }
            self.mask_bytes += bytes;
            self.masks.insert(key, mask);
        }
        self.masks[&key].as_ref()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scaled_image_covers_its_box_only() {
        let mut canvas = Canvas::new(8, 8, [0, 0, 0, 255]);
        let mut image = Canvas::new(2, 1, [255, 0, 0, 255]);
        image.pixels[4..8].copy_from_slice(&[0, 0, 255, 255]);
        canvas.draw_scaled(&image, 2, 2, 4, 2);
        assert_eq!(canvas.pixel(2, 2), [255, 0, 0, 255]);
        assert_eq!(canvas.pixel(5, 3), [0, 0, 255, 255]);
        assert_eq!(canvas.pixel(6, 2), [0, 0, 0, 255]);
        assert_eq!(canvas.pixel(2, 4), [0, 0, 0, 255]);
    }

    use super::*;

    const WHITE: Rgba = [255, 255, 255, 255];
    const BLACK: Rgba = [0, 0, 0, 255];

    fn painter() -> TextPainter {
        TextPainter::new(&ShippedFiles::compiled_in())
    }

    fn ink(canvas: &Canvas) -> usize {
        (0..canvas.height)
            .flat_map(|y| (0..canvas.width).map(move |x| (x, y)))
            .filter(|&(x, y)| canvas.pixel(x, y)[0] < 128)
            .count()
    }

    #[test]
    fn the_font_has_the_hall_names() {
        let charmap = painter().font.charmap();
        for hall in yunzhan_model::HALLS {
            for c in hall.name_zh.chars() {
                assert_ne!(charmap.map(c), 0, "{c} of {} is missing", hall.name_zh);
            }
        }
    }

    #[test]
    fn chinese_text_leaves_ink_and_blank_text_does_not() {
        let mut painter = painter();
        let mut canvas = Canvas::new(200, 60, WHITE);
        painter.line(&mut canvas, "", 0.0, 0.0, 32.0, BLACK, Align::Left, 200.0);
        assert_eq!(ink(&canvas), 0);
        painter.line(
            &mut canvas,
            "攀枝花",
            0.0,
            0.0,
            32.0,
            BLACK,
            Align::Left,
            200.0,
        );
        assert!(ink(&canvas) > 300, "ink: {}", ink(&canvas));
    }

    #[test]
    fn a_painter_keeps_the_glyphs_it_drew_and_draws_them_the_same_again() {
        let text = "攀枝花·科技成果转化 Ab";
        let line = |painter: &mut TextPainter, size: f32| {
            let mut canvas = Canvas::new(420, 70, WHITE);
            painter.line(&mut canvas, text, 3.0, 2.0, size, BLACK, Align::Left, 420.0);
            canvas
        };
        let mut warm = painter();
        for size in [20.0, 30.0] {
            line(&mut warm, size);
        }
        let kept = warm.masks.len();
        for size in [30.0, 20.0] {
            assert!(
                line(&mut warm, size) == line(&mut painter(), size),
                "at {size} px"
            );
        }
        assert_eq!(
            warm.masks.len(),
            kept,
            "glyphs drawn again were kept, not added"
        );
    }

    #[test]
    fn the_kept_glyphs_stay_within_their_budget() {
        let mut painter = painter();
        let charmap = painter.font.charmap();
        let hanzi: Vec<char> = ('\u{4e00}'..='\u{9fa5}')
            .filter(|&c| charmap.map(c) != 0)
            .take(600)
            .collect();
        let mut canvas = Canvas::new(2400, 120, WHITE);
        for size in [40.0, 70.0, 100.0] {
            for chunk in hanzi.chunks(20) {
                let text: String = chunk.iter().collect();
                painter.line(
                    &mut canvas,
                    &text,
                    0.0,
                    0.0,
                    size,
                    BLACK,
                    Align::Left,
                    2400.0,
                );
            }
        }
        let counted: usize = painter
            .masks
            .values()
            .flatten()
            .map(|mask| mask.coverage.len())
            .sum();
        assert_eq!(painter.mask_bytes, counted);
        assert!(
            counted > 0 && counted <= MASK_CACHE_BYTES,
            "{counted} bytes kept"
        );
    }

    #[test]
    fn long_lines_are_cut_and_paragraphs_wrap() {
        let painter = painter();
        let long = "超低温溴化锂吸收式制冷机组超低温溴化锂吸收式制冷机组";
        let fitted = painter.fit(long, 20.0, 120.0);
        assert!(fitted.ends_with('…') && painter.measure(&fitted, 20.0) <= 120.0);
        let lines = painter.wrap(long, 20.0, 120.0);
        assert!(lines.len() > 2);
        assert!(
            lines
                .iter()
                .all(|line| painter.measure(line, 20.0) <= 120.0)
        );
        assert_eq!(lines.concat(), long);
    }
}
