//! A model's buffers and images: from the GLB's binary chunk, `data:` URIs
//! or the booth's files, each sized before it is read.

use std::borrow::Cow;

use base64::Engine;

use super::{BoothFiles, MAX_MODEL_BYTES, inside};

/// What reading a model's buffers and images may still take. A file or
/// buffer view that many buffers or images name is read as often, so this
/// bounds the memory where the download budget cannot.
pub(super) struct ReadBudget {
    left: u64,
    spent: bool,
}

impl ReadBudget {
    pub(super) fn new() -> Self {
        Self {
            left: MAX_MODEL_BYTES,
            spent: false,
        }
    }

    /// Whether something was refused for want of budget.
    pub(super) fn spent(&self) -> bool {
        self.spent
    }

    /// Takes `bytes` from the budget, or says it is spent.
    fn take(&mut self, bytes: u64) -> Result<(), String> {
        let Some(left) = self.left.checked_sub(bytes) else {
            self.spent = true;
            return Err(format!(
                "its buffers and images add up to over {MAX_MODEL_BYTES} bytes (10 MiB) as read (a file or bufferView named many times counts each time)"
            ));
        };
        self.left = left;
        Ok(())
    }

    /// The bytes of a base64 `data:` URI.
    fn data_uri(&mut self, uri: &str) -> Result<Vec<u8>, String> {
        let (_, encoded) = uri
            .split_once(";base64,")
            .ok_or("only base64 data: URIs are read; export the model again")?;
        self.take(encoded.len() as u64 / 4 * 3)?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|error| format!("bad base64 in a data: URI ({error})"))
    }

    /// The bytes of a file of the booth that a model names.
    fn file(&mut self, files: &dyn BoothFiles, uri: &str) -> Result<Vec<u8>, String> {
        inside(uri)?;
        let cannot = |error| format!("cannot read {uri} ({error}); put it beside the model");
        self.take(files.size(uri).map_err(cannot)?)?;
        files.read(uri).map_err(cannot)
    }
}

/// The bytes of every buffer: the GLB's binary chunk (`bin`, borrowed), a
/// `data:` URI or a file of the booth; each at least as long as it declares.
pub(super) fn buffers<'a>(
    document: &gltf::Document,
    bin: Option<&'a [u8]>,
    files: &dyn BoothFiles,
    budget: &mut ReadBudget,
) -> Result<Vec<Cow<'a, [u8]>>, String> {
    use gltf::buffer::Source;
    document
        .buffers()
        .map(|buffer| {
            let index = buffer.index();
            let data = match (buffer.source(), bin) {
                (Source::Bin, Some(bin)) if index == 0 => Cow::Borrowed(bin),
                (Source::Bin, Some(_)) => {
                    return Err(format!(
                        "buffers[{index}] has no uri, and only a GLB's first buffer is its binary chunk; export the model again"
                    ));
                }
                (Source::Bin, None) => {
                    return Err(format!(
                        "buffers[{index}] has no uri and the file no binary chunk: name its .bin file"
                    ));
                }
                (Source::Uri(uri), _) => {
                    let read = if uri.starts_with("data:") {
                        budget.data_uri(uri)
                    } else {
                        budget.file(files, uri)
                    };
                    Cow::Owned(read.map_err(|why| format!("buffers[{index}]: {why}"))?)
                }
            };
            if (data.len() as u64) < buffer.length() as u64 {
                return Err(format!(
                    "buffers[{index}] holds {} bytes but declares {}; export the model again",
                    data.len(),
                    buffer.length()
                ));
            }
            Ok(data)
        })
        .collect()
}

/// An image's encoded bytes: from a buffer view, a `data:` URI or a file of
/// the booth.
pub(super) fn image(
    image: &gltf::Image,
    buffers: &[Cow<[u8]>],
    files: &dyn BoothFiles,
    budget: &mut ReadBudget,
) -> Result<Vec<u8>, String> {
    match image.source() {
        gltf::image::Source::View { view, .. } => {
            let range = view.offset()..view.offset().saturating_add(view.length());
            let bytes = buffers
                .get(view.buffer().index())
                .and_then(|buffer| buffer.get(range))
                .ok_or("its bufferView lies outside its buffer")?;
            budget.take(bytes.len() as u64)?;
            Ok(bytes.to_vec())
        }
        gltf::image::Source::Uri { uri, .. } if uri.starts_with("data:") => budget.data_uri(uri),
        gltf::image::Source::Uri { uri, .. } => budget.file(files, uri),
    }
}
