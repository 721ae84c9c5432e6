//! A model file's glTF JSON and, for a GLB, its binary chunk, split without
//! trusting a length the file gives (the gltf crate's own GLB reader
//! underflows on a header that claims fewer bytes than the header itself),
//! and the JSON's values counted before they are built.

use std::fmt;

use gltf::json::Root;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::MAX_JSON_VALUES;

const GLB_MAGIC: &[u8] = b"glTF";
const GLB_HEADER_BYTES: usize = 12;
const CHUNK_HEADER_BYTES: usize = 8;
const JSON_CHUNK: [u8; 4] = *b"JSON";
const BIN_CHUNK: [u8; 4] = *b"BIN\0";

/// A model file's parts.
pub(super) struct ModelFile<'a> {
    /// The glTF JSON document, as given.
    pub(super) root: Root,
    /// A GLB's binary chunk.
    pub(super) bin: Option<&'a [u8]>,
}

/// Reads a GLB's chunks, or a `.gltf`'s bytes as its JSON; the error is the
/// problem with the file, in words for its exhibitor.
pub(super) fn read(bytes: &[u8]) -> Result<ModelFile<'_>, String> {
    let invalid =
        |why: String| format!("not a valid glTF/GLB file ({why}); export it again as glTF 2.0");
    if bytes.is_empty() {
        return Err(invalid("the file is empty".to_string()));
    }
    let (json, bin) = if bytes.starts_with(GLB_MAGIC) {
        glb_chunks(bytes).map_err(invalid)?
    } else {
        (bytes, None)
    };
    match count_values(json) {
        Ok(count) if count > MAX_JSON_VALUES => {
            return Err(format!(
                "its glTF JSON holds over {MAX_JSON_VALUES} values (objects, numbers, strings), far more than a booth needs; remove unused objects (animations, extras) and export it again"
            ));
        }
        Ok(_) => {}
        Err(error) => return Err(invalid(error.to_string())),
    }
    let root =
        gltf::json::deserialize::from_slice(json).map_err(|error| invalid(error.to_string()))?;
    Ok(ModelFile { root, bin })
}

/// How many values a JSON document holds, counted without building them.
fn count_values(json: &[u8]) -> Result<usize, serde_json::Error> {
    ValueCounter { counted: 0 }.deserialize(&mut serde_json::Deserializer::from_slice(json))
}

/// Counts the values it visits on top of `counted` (serde_json's depth
/// limit bounds the recursion).
struct ValueCounter {
    counted: usize,
}

impl ValueCounter {
    /// One more value, and the count so far.
    fn one<E: de::Error>(self) -> Result<usize, E> {
        Ok(self.counted + 1)
    }
}

impl<'de> DeserializeSeed<'de> for ValueCounter {
    type Value = usize;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueCounter {
    type Value = usize;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        self.one()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<usize, E> {
        self.one()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<usize, E> {
        self.one()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<usize, E> {
        self.one()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<usize, E> {
        self.one()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<usize, E> {
        self.one()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut elements: A) -> Result<usize, A::Error> {
        let mut counted = self.counted + 1;
        while let Some(total) = elements.next_element_seed(ValueCounter { counted })? {
            counted = total;
        }
        Ok(counted)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<usize, A::Error> {
        let mut counted = self.counted + 1;
        while members.next_key::<IgnoredAny>()?.is_some() {
            counted = members.next_value_seed(ValueCounter { counted })?;
        }
        Ok(counted)
    }
}

/// A little-endian `u32` at `at`, if the bytes reach that far.
fn word(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

/// A GLB's JSON chunk and its BIN chunk, if any.
fn glb_chunks(bytes: &[u8]) -> Result<(&[u8], Option<&[u8]>), String> {
    let (Some(version), Some(length)) = (word(bytes, 4), word(bytes, 8)) else {
        return Err(format!(
            "the GLB header is cut short: {} of its {GLB_HEADER_BYTES} bytes",
            bytes.len()
        ));
    };
    if version != 2 {
        return Err(format!(
            "GLB version {version} is not supported, only version 2"
        ));
    }
    // Bytes after the length the header gives are not part of the GLB.
    let glb = usize::try_from(length)
        .ok()
        .filter(|&length| (GLB_HEADER_BYTES..=bytes.len()).contains(&length))
        .and_then(|length| bytes.get(..length))
        .ok_or_else(|| {
            format!(
                "the GLB header gives its length as {length} bytes but the file has {}",
                bytes.len()
            )
        })?;
    let (mut json, mut bin) = (None, None);
    let mut at = GLB_HEADER_BYTES;
    while at < glb.len() {
        let (kind, data) = chunk_at(glb, at)?;
        at += CHUNK_HEADER_BYTES + data.len();
        match (kind, json, bin) {
            (JSON_CHUNK, None, _) => json = Some(data),
            (JSON_CHUNK, Some(_), _) => return Err("the GLB has two JSON chunks".to_string()),
            (BIN_CHUNK, None, _) => {
                return Err("the GLB's BIN chunk comes before its JSON chunk".to_string());
            }
            (BIN_CHUNK, Some(_), None) => bin = Some(data),
            (BIN_CHUNK, Some(_), Some(_)) => {
                return Err("the GLB has two BIN chunks".to_string());
            }
            _ => {} // a chunk of an unknown type is skipped, as glTF requires
        }
    }
    let json = json.ok_or("the GLB has no JSON chunk")?;
    Ok((json, bin))
}

/// The type and data of the chunk whose header starts at `at`.
fn chunk_at(glb: &[u8], at: usize) -> Result<([u8; 4], &[u8]), String> {
    let header = glb
        .get(at..at + CHUNK_HEADER_BYTES)
        .ok_or_else(|| format!("the GLB's chunk header at byte {at} is cut short"))?;
    let length = word(header, 0).unwrap_or_default();
    let kind: [u8; 4] = header[4..].try_into().unwrap_or_default();
    let start = at + CHUNK_HEADER_BYTES;
    usize::try_from(length)
        .ok()
        .and_then(|length| glb.get(start..start.checked_add(length)?))
        .map(|data| (kind, data))
        .ok_or_else(|| {
            format!(
                "the GLB's chunk at byte {at} claims {length} bytes but only {} follow",
                glb.len() - start
            )
        })
}
