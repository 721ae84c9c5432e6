//! The catalog: loading and validating the versioned JSON format
//! (`docs/catalog-format.md`) and its packed form, and the in-memory index
//! the app, the server and search use.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::hall::{HALLS, HallIndex};
use crate::project::{Industry, Project, ProjectKind};
use crate::search::SearchText;
use crate::validate::{Checker, FieldError, Problem};

/// A map with foldhash, not std's SipHash: the catalog's indexes are built
/// at every start, and hashing their keys was a visible part of it in the
/// browser.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The value of the `format` field of every catalog file.
pub const FORMAT: &str = "yunzhan-catalog";
/// The catalog format version this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The first bytes of a packed catalog ([`Catalog::to_packed`]); then come
/// [`FORMAT_VERSION`] (4 bytes, little-endian) and the catalog in `bitcode`.
const PACKED_MAGIC: &[u8] = b"yunzhan-catalog-packed\n";

/// What a packed catalog holds: a JSON file's content without its keys.
#[derive(bitcode::Encode, bitcode::Decode)]
struct Packed {
    catalog_version: String,
    projects: Vec<Project>,
}

impl Packed {
    /// The packed file: magic, format version, content.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = PACKED_MAGIC.to_vec();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&bitcode::encode(self));
        out
    }
}

/// Limits on record fields, in characters or items.
pub mod limits {
    pub const TITLE: usize = 120;
    pub const TITLE_EN: usize = 240;
    pub const ORGANISATION: usize = 80;
    pub const SUMMARY: usize = 2000;
    pub const KEYWORDS: usize = 12;
    pub const KEYWORD: usize = 24;
    pub const COOPERATION_MODES: usize = 6;
    pub const AGENT_ID: usize = 32;
    pub const AGENT_NAME: usize = 40;
    pub const MEDIA: usize = 8;
    pub const URI: usize = 512;
    pub const CAPTION: usize = 120;
    pub const SOURCE: usize = 400;
}

/// Dense id of a project inside one loaded catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(pub u32);

/// Dense id of an exhibitor inside one loaded catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExhibitorId(pub u32);

/// An organisation exhibiting in one hall, with its projects there. A booth
/// shows one exhibitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exhibitor {
    pub name: String,
    pub hall: HallIndex,
    pub projects: Vec<ProjectId>,
    /// True when every project of the exhibitor is generated demo data.
    pub generated: bool,
}

/// A record that was refused, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// Position of the record in the `projects` array, from 0.
    pub index: usize,
    /// The record's platform number, when it could be read.
    pub platform_no: Option<String>,
    pub errors: Vec<FieldError>,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record #{}", self.index)?;
        if let Some(no) = &self.platform_no {
            write!(f, " ({no})")?;
        }
        let reasons: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        write!(f, ": {}", reasons.join("; "))
    }
}

/// Why a whole file could not be read as a catalog (as opposed to single
/// records, which are skipped and reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogError {
    NotJson(String),
    NotACatalog(String),
    UnsupportedVersion(u32),
    /// A packed catalog that cannot be decoded (cut short, damaged, or
    /// written by a build whose records differ from this one's).
    BadPacked(String),
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::NotJson(detail) => write!(f, "not a JSON document: {detail}"),
            CatalogError::NotACatalog(detail) => write!(
                f,
                "not a Yunzhan catalog ({detail}); expected an object with \"format\": \"{FORMAT}\", \"version\", \"catalog_version\" and \"projects\""
            ),
            CatalogError::UnsupportedVersion(version) => write!(
                f,
                "catalog format version {version} is not supported; this build reads version {FORMAT_VERSION}"
            ),
            CatalogError::BadPacked(detail) => write!(
                f,
                "a packed catalog that cannot be read ({detail}); pack the JSON file again with this build's `yunzhan-catalog pack`"
            ),
        }
    }
}

impl std::error::Error for CatalogError {}

/// A loaded catalog and the records that were refused on the way.
#[derive(Debug)]
pub struct LoadReport {
    pub catalog: Catalog,
    pub rejected: Vec<RecordError>,
}

impl LoadReport {
    /// The report a data steward reads: one line per refused record, then
    /// a summary line naming the source.
    pub fn describe(&self, source: &str) -> String {
        let mut text = String::new();
        for rejected in &self.rejected {
            text.push_str(&format!("{rejected}\n"));
        }
        text.push_str(&format!(
            "{source}: {} projects accepted, {} rejected",
            self.catalog.projects().len(),
            self.rejected.len()
        ));
        text
    }
}

/// A catalog file: its projects read whole (`Project`) or left as JSON
/// (`&RawValue`) to be read one by one.
#[derive(Deserialize)]
struct Envelope<P> {
    format: String,
    version: u32,
    catalog_version: String,
    projects: Vec<P>,
}

/// The validated, indexed catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    catalog_version: String,
    projects: Vec<Project>,
    by_platform_no: HashMap<String, ProjectId>,
    exhibitors: Vec<Exhibitor>,
    /// Exhibitors of each hall, sorted by name.
    hall_exhibitors: Vec<Vec<ExhibitorId>>,
    /// Built on the first search, not at load: an app's start does not
    /// wait for it.
    search_text: OnceLock<Vec<SearchText>>,
}

impl Catalog {
    /// Reads a catalog file. Bad records are skipped and reported; only a file
    /// that is not a catalog at all is an error. Never panics.
    ///
    /// Reads the packed form ([`Catalog::to_packed`]) as well, with the same
    /// checks.
    pub fn load(bytes: &[u8]) -> Result<LoadReport, CatalogError> {
        if let Some(packed) = bytes.strip_prefix(PACKED_MAGIC) {
            return load_packed(packed);
        }
        // A file without a bad record (the usual one) is read in one pass;
        // otherwise record by record, so that each bad one is named and the
        // others kept.
        if let Ok(whole) = parse_envelope::<Project>(bytes) {
            return Ok(Catalog::from_projects(
                whole.catalog_version,
                whole.projects,
            ));
        }
        let envelope = parse_envelope::<&RawValue>(bytes)?;
        let mut builder = Builder::new(envelope.catalog_version, envelope.projects.len());
        for (index, raw) in envelope.projects.iter().enumerate() {
            match parse_record(raw.get()) {
                Ok(project) => builder.add(index, project),
                Err(errors) => builder.reject(index, read_platform_no(raw.get()), errors),
            }
        }
        Ok(builder.finish())
    }

    /// Builds a catalog from projects already in memory, validating each as
    /// [`Catalog::load`] does.
    pub fn from_projects(catalog_version: impl Into<String>, projects: Vec<Project>) -> LoadReport {
        let mut builder = Builder::new(catalog_version.into(), projects.len());
        for (index, project) in projects.into_iter().enumerate() {
            builder.add(index, project);
        }
        builder.finish()
    }

    /// Writes the catalog in the file format, one project per line so that
    /// diffs of the checked-in catalog stay readable.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.projects.len() * 700);
        out.push_str(&format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"version\": {FORMAT_VERSION},\n  \"catalog_version\": {},\n  \"projects\": [\n",
            serde_json::to_string(&self.catalog_version).expect("a string serialises")
        ));
        for (index, project) in self.projects.iter().enumerate() {
            out.push_str("    ");
            out.push_str(&serde_json::to_string(project).expect("a project serialises"));
            out.push_str(if index + 1 < self.projects.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        out.push_str("  ]\n}\n");
        out
    }

    /// Writes the catalog in its packed form: the same records as
    /// [`Catalog::to_json`] in `bitcode`, which the browser reads several
    /// times faster (the web build ships the catalog so). It is for the
    /// build that wrote it; the JSON file is the one to keep and exchange.
    pub fn to_packed(&self) -> Vec<u8> {
        Packed {
            catalog_version: self.catalog_version.clone(),
            projects: self.projects.clone(),
        }
        .to_bytes()
    }

    pub fn catalog_version(&self) -> &str {
        &self.catalog_version
    }

    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    pub fn project(&self, id: ProjectId) -> &Project {
        &self.projects[id.0 as usize]
    }

    pub fn project_ids(&self) -> impl Iterator<Item = ProjectId> + '_ {
        (0..self.projects.len() as u32).map(ProjectId)
    }

    pub fn find(&self, platform_no: &str) -> Option<ProjectId> {
        self.by_platform_no.get(platform_no).copied()
    }

    pub fn exhibitors(&self) -> &[Exhibitor] {
        &self.exhibitors
    }

    pub fn exhibitor(&self, id: ExhibitorId) -> &Exhibitor {
        &self.exhibitors[id.0 as usize]
    }

    /// The exhibitors of a hall, sorted by name.
    pub fn hall_exhibitors(&self, hall: HallIndex) -> &[ExhibitorId] {
        &self.hall_exhibitors[hall.0 as usize]
    }

    /// The searchable text of every project, by project id.
    pub(crate) fn search_text(&self) -> &[SearchText] {
        self.search_text
            .get_or_init(|| self.projects.iter().map(SearchText::new).collect())
    }

    pub fn hall_project_count(&self, hall: HallIndex) -> usize {
        self.hall_exhibitors(hall)
            .iter()
            .map(|&id| self.exhibitor(id).projects.len())
            .sum()
    }

    pub fn featured(&self) -> impl Iterator<Item = ProjectId> + '_ {
        self.project_ids().filter(|&id| self.project(id).featured)
    }

    pub fn stats(&self) -> CatalogStats {
        let mut stats = CatalogStats {
            halls: HALLS.len(),
            projects: self.projects.len(),
            exhibitors: self.exhibitors.len(),
            ..CatalogStats::default()
        };
        for project in &self.projects {
            if project.featured {
                stats.featured += 1;
                *stats.featured_by_kind.entry(project.kind).or_default() += 1;
            }
            if project.generated {
                stats.generated += 1;
            }
            *stats.by_kind.entry(project.kind).or_default() += 1;
            *stats.by_industry.entry(project.industry).or_default() += 1;
            *stats
                .by_hall
                .entry(project.hall.hall().id.to_string())
                .or_default() += 1;
        }
        stats.agents = self
            .projects
            .iter()
            .map(|project| project.agent.id.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        stats
    }
}

/// Counts describing a catalog; `yunzhan-catalog stats` prints them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogStats {
    pub halls: usize,
    pub projects: usize,
    pub exhibitors: usize,
    pub agents: usize,
    pub featured: usize,
    pub featured_by_kind: BTreeMap<ProjectKind, usize>,
    pub generated: usize,
    pub by_kind: BTreeMap<ProjectKind, usize>,
    pub by_industry: BTreeMap<Industry, usize>,
    pub by_hall: BTreeMap<String, usize>,
}

fn parse_envelope<'a, P: Deserialize<'a>>(bytes: &'a [u8]) -> Result<Envelope<P>, CatalogError> {
    // Text checked as UTF-8 once reads faster than bytes checked string by
    // string; bytes that are not UTF-8 go that slower way, for serde_json's
    // message with the line and column.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    // Tell "not JSON" apart from "JSON of the wrong shape" for the message.
    let envelope: Envelope<P> = parsed.map_err(|error| {
        if error.is_syntax() || error.is_eof() {
            CatalogError::NotJson(error.to_string())
        } else {
            CatalogError::NotACatalog(error.to_string())
        }
    })?;
    if envelope.format != FORMAT {
        return Err(CatalogError::NotACatalog(format!(
            "\"format\" is \"{}\"",
            envelope.format
        )));
    }
    if envelope.version != FORMAT_VERSION {
        return Err(CatalogError::UnsupportedVersion(envelope.version));
    }
    Ok(envelope)
}

/// Reads a packed catalog (after its magic): decoded whole, then every
/// project checked as a JSON file's are.
fn load_packed(bytes: &[u8]) -> Result<LoadReport, CatalogError> {
    let (version, content) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| CatalogError::BadPacked("it ends before its format version".into()))?;
    let version = u32::from_le_bytes(*version);
    if version != FORMAT_VERSION {
        return Err(CatalogError::UnsupportedVersion(version));
    }
    let packed: Packed =
        bitcode::decode(content).map_err(|error| CatalogError::BadPacked(error.to_string()))?;
    Ok(Catalog::from_projects(
        packed.catalog_version,
        packed.projects,
    ))
}

/// Parses one record. The fast path is a plain typed parse; only when that
/// fails is it parsed again while tracking the path, to name the bad field.
fn parse_record(json: &str) -> Result<Project, Vec<FieldError>> {
    if !json.starts_with('{') {
        return Err(vec![FieldError::new(
            "record",
            Problem::Malformed {
                detail: "expected a JSON object".into(),
            },
        )]);
    }
    serde_json::from_str::<Project>(json).map_err(|_| {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let error = match serde_path_to_error::deserialize::<_, Project>(&mut deserializer) {
            Err(error) => error,
            // Cannot happen (the same input failed above); report it plainly.
            Ok(_) => {
                return vec![FieldError::new(
                    "record",
                    Problem::Malformed {
                        detail: "unreadable record".into(),
                    },
                )];
            }
        };
        let path = error.path().to_string();
        let field = if path == "." {
            "record".to_string()
        } else {
            path
        };
        let detail = error.into_inner().to_string();
        // serde_json appends " at line L column C"; inside one record that is noise.
        let detail = detail
            .rsplit_once(" at line ")
            .map_or(detail.as_str(), |(message, _)| message)
            .to_string();
        vec![FieldError::new(field, Problem::Malformed { detail })]
    })
}

/// Best-effort platform number of a record that failed to parse, to name it
/// in the report.
fn read_platform_no(json: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct OnlyNo {
        platform_no: String,
    }
    serde_json::from_str::<OnlyNo>(json)
        .ok()
        .map(|record| record.platform_no)
        .filter(|no| crate::validate::is_platform_no(no))
}

/// The semantic checks of one parsed record.
fn check_project(project: &Project) -> Vec<FieldError> {
    use limits::*;
    let mut check = Checker::default();
    check.platform_no("platform_no", &project.platform_no);
    // JSON names halls and cannot name a missing one; a packed file numbers them.
    if usize::from(project.hall.0) >= HALLS.len() {
        check.errors.push(FieldError::new(
            "hall",
            Problem::Malformed {
                detail: format!("there is no hall number {}", project.hall.0),
            },
        ));
    }
    check.text("title", &project.title, TITLE, false);
    if let Some(title_en) = &project.title_en {
        check.text("title_en", title_en, TITLE_EN, false);
    }
    check.text("organisation", &project.organisation, ORGANISATION, false);
    check.text("summary", &project.summary, SUMMARY, true);
    check.count("keywords", project.keywords.len(), KEYWORDS);
    for (index, keyword) in project.keywords.iter().enumerate() {
        check.text(format_args!("keywords[{index}]"), keyword, KEYWORD, false);
    }
    if project.cooperation_modes.is_empty() {
        check
            .errors
            .push(FieldError::new("cooperation_modes", Problem::Empty));
    }
    check.count(
        "cooperation_modes",
        project.cooperation_modes.len(),
        COOPERATION_MODES,
    );
    check.text("agent.id", &project.agent.id, AGENT_ID, false);
    check.text("agent.name", &project.agent.name, AGENT_NAME, false);
    check.contact(
        "agent",
        project.agent.phone.as_deref(),
        project.agent.email.as_deref(),
    );
    check.count("media", project.media.len(), MEDIA);
    for (index, media) in project.media.iter().enumerate() {
        check.text(format_args!("media[{index}].uri"), &media.uri, URI, false);
        if let Some(caption) = &media.caption {
            check.text(
                format_args!("media[{index}].caption"),
                caption,
                CAPTION,
                false,
            );
        }
    }
    if let Some(source) = &project.source {
        check.text("source", source, SOURCE, true);
    }
    check.errors
}

/// Accumulates accepted projects and rejections, then builds the indexes.
struct Builder {
    catalog_version: String,
    projects: Vec<Project>,
    by_platform_no: HashMap<String, ProjectId>,
    /// Record index of each accepted project, to name the first of a duplicate.
    record_index: Vec<usize>,
    rejected: Vec<RecordError>,
}

impl Builder {
    fn new(catalog_version: String, capacity: usize) -> Self {
        Builder {
            catalog_version,
            projects: Vec::with_capacity(capacity),
            by_platform_no: HashMap::with_capacity_and_hasher(capacity, Default::default()),
            record_index: Vec::with_capacity(capacity),
            rejected: Vec::new(),
        }
    }

    fn reject(&mut self, index: usize, platform_no: Option<String>, errors: Vec<FieldError>) {
        self.rejected.push(RecordError {
            index,
            platform_no,
            errors,
        });
    }

    fn add(&mut self, index: usize, project: Project) {
        let mut errors = check_project(&project);
        if errors.is_empty()
            && let Some(first) = self.by_platform_no.get(&project.platform_no)
        {
            errors.push(FieldError::new(
                "platform_no",
                Problem::Duplicate {
                    first_index: self.record_index[first.0 as usize],
                },
            ));
        }
        if !errors.is_empty() {
            let readable_no = crate::validate::is_platform_no(&project.platform_no)
                .then_some(project.platform_no);
            return self.reject(index, readable_no, errors);
        }
        let id = ProjectId(self.projects.len() as u32);
        self.by_platform_no.insert(project.platform_no.clone(), id);
        self.record_index.push(index);
        self.projects.push(project);
    }

    fn finish(self) -> LoadReport {
        let mut exhibitor_of: HashMap<(HallIndex, &str), ExhibitorId> = HashMap::default();
        let mut exhibitors: Vec<Exhibitor> = Vec::new();
        for (index, project) in self.projects.iter().enumerate() {
            let id = *exhibitor_of
                .entry((project.hall, project.organisation.as_str()))
                .or_insert_with(|| {
                    exhibitors.push(Exhibitor {
                        name: project.organisation.clone(),
                        hall: project.hall,
                        projects: Vec::new(),
                        generated: true,
                    });
                    ExhibitorId(exhibitors.len() as u32 - 1)
                });
            let exhibitor = &mut exhibitors[id.0 as usize];
            exhibitor.projects.push(ProjectId(index as u32));
            exhibitor.generated &= project.generated;
        }
        let mut hall_exhibitors = vec![Vec::new(); HALLS.len()];
        for (index, exhibitor) in exhibitors.iter().enumerate() {
            hall_exhibitors[exhibitor.hall.0 as usize].push(ExhibitorId(index as u32));
        }
        for ids in &mut hall_exhibitors {
            ids.sort_by(|a, b| {
                exhibitors[a.0 as usize]
                    .name
                    .cmp(&exhibitors[b.0 as usize].name)
            });
        }
        LoadReport {
            catalog: Catalog {
                catalog_version: self.catalog_version,
                projects: self.projects,
                by_platform_no: self.by_platform_no,
                exhibitors,
                hall_exhibitors,
                search_text: OnceLock::new(),
            },
            rejected: self.rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A packed file numbers its halls, so it can name one that does not
    /// exist (JSON cannot); that record is refused and the others kept.
    #[test]
    fn a_packed_record_in_a_missing_hall_is_refused_and_the_others_kept() {
        let shipped = Catalog::load(crate::EMBEDDED_CATALOG).unwrap().catalog;
        let mut projects = shipped.projects()[..3].to_vec();
        projects[1].hall = HallIndex(HALLS.len() as u8);
        let bytes = Packed {
            catalog_version: "test".into(),
            projects,
        }
        .to_bytes();
        let report = Catalog::load(&bytes).unwrap();
        assert_eq!(report.catalog.projects().len(), 2);
        assert_eq!(report.rejected.len(), 1);
        let rejected = &report.rejected[0];
        assert_eq!(
            (rejected.index, rejected.errors[0].field.as_str()),
            (1, "hall")
        );
        assert!(
            rejected.to_string().contains("no hall number 22"),
            "{rejected}"
        );
    }
}
