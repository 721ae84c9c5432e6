//! The catalog as the organisers keep it: one sheet (xlsx or CSV), one row
//! per project, Chinese column headings. Reading turns each row into a
//! catalog record and loads them with [`Catalog::load`], so a spreadsheet
//! gets exactly the checks of `yunzhan-catalog check`; each refused record
//! is reported by its row and column.

use std::fmt;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde_json::{Map, Value, json};
use yunzhan_model::catalog::FORMAT;
use yunzhan_model::{
    Catalog, CooperationMode, HALLS, Industry, LoadReport, Project, ProjectKind, RecordError,
};

use crate::{Cell, Table};

/// The columns: heading, the record field it fills, and how its cells read.
const COLUMNS: [(&str, &str, Kind); 19] = [
    ("编号", "platform_no", Kind::Text),
    ("项目名称", "title", Kind::Text),
    ("英文名称", "title_en", Kind::OptionalText),
    ("发布单位", "organisation", Kind::Text),
    ("展馆", "hall", Kind::Hall),
    ("产业", "industry", Kind::Industry),
    ("类型", "kind", Kind::Category),
    ("重点推介", "featured", Kind::YesNo),
    ("简介", "summary", Kind::Text),
    ("关键词", "keywords", Kind::List),
    ("合作方式", "cooperation_modes", Kind::Modes),
    ("服务专员编号", "agent.id", Kind::Text),
    ("服务专员", "agent.name", Kind::Text),
    ("专员电话", "agent.phone", Kind::OptionalText),
    ("专员邮箱", "agent.email", Kind::OptionalText),
    ("演示专员", "agent.generated", Kind::YesNo),
    ("媒体", "media", Kind::Json),
    ("演示项目", "generated", Kind::YesNo),
    ("出处", "source", Kind::OptionalText),
];

/// Separators a list cell may use between items (the export uses the first).
const LIST_SEPARATORS: [char; 5] = ['、', '；', ';', '，', ','];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    OptionalText,
    Hall,
    Industry,
    Category,
    YesNo,
    List,
    Modes,
    Json,
}

/// Why a whole file could not be read as a catalog sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    Unreadable(String),
    /// The file's extension is neither `.xlsx` nor `.csv`.
    UnknownFormat(String),
    MissingColumns(Vec<&'static str>),
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetError::Unreadable(why) => write!(f, "cannot read the sheet: {why}"),
            SheetError::UnknownFormat(name) => {
                write!(f, "{name}: not a spreadsheet (expected .xlsx or .csv)")
            }
            SheetError::MissingColumns(columns) => write!(
                f,
                "the first row lacks the column(s) {} (see docs/catalog-template.xlsx)",
                columns.join(", ")
            ),
        }
    }
}

impl std::error::Error for SheetError {}

/// A refused row: its number as the spreadsheet shows it (the heading is
/// row 1), and each column's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub platform_no: Option<String>,
    /// (column heading, reason)
    pub problems: Vec<(String, String)>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(no) = &self.platform_no {
            write!(f, " ({no})")?;
        }
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|(column, why)| format!("column {column}: {why}"))
            .collect();
        write!(f, ": {}", problems.join("; "))
    }
}

/// What a sheet gave: the catalog of its good rows and every refused row.
#[derive(Debug)]
pub struct SheetImport {
    pub catalog: Catalog,
    pub rejected: Vec<RowError>,
}

/// A refused record of a catalog file (JSON) or row of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    Record(RecordError),
    Row(RowError),
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::Record(record) => record.fmt(f),
            Rejected::Row(row) => row.fmt(f),
        }
    }
}

/// Any catalog file as loaded: the catalog of its good records and each
/// refused one.
#[derive(Debug)]
pub struct CatalogFile {
    pub catalog: Catalog,
    pub rejected: Vec<Rejected>,
}

impl CatalogFile {
    /// What a data steward reads: one line per refusal, then a summary.
    pub fn describe(&self, source: &str) -> String {
        let mut text: String = self.rejected.iter().map(|r| format!("{r}\n")).collect();
        text.push_str(&format!(
            "{source}: {} projects accepted, {} rejected",
            self.catalog.projects().len(),
            self.rejected.len()
        ));
        text
    }
}

/// Loads a catalog from a file named `name`: a spreadsheet by its
/// extension (`.xlsx`, `.csv`; its version `catalog_version`, else the
/// file's name), anything else as the JSON catalog format.
pub fn load_file(
    name: &str,
    bytes: &[u8],
    catalog_version: Option<String>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<CatalogFile, String> {
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".csv") {
        let version = catalog_version.unwrap_or_else(|| {
            let path = std::path::Path::new(name);
            path.file_stem()
                .map_or("sheet".into(), |stem| stem.to_string_lossy().into_owned())
        });
        let sheet =
            read_sheet(name, bytes, &version, progress).map_err(|error| error.to_string())?;
        Ok(CatalogFile {
            catalog: sheet.catalog,
            rejected: sheet.rejected.into_iter().map(Rejected::Row).collect(),
        })
    } else {
        let report = Catalog::load(bytes).map_err(|error| error.to_string())?;
        Ok(CatalogFile {
            catalog: report.catalog,
            rejected: report.rejected.into_iter().map(Rejected::Record).collect(),
        })
    }
}

/// The catalog as a sheet with the import's headings: what `import` reads
/// back into the same catalog.
pub fn catalog_table(catalog: &Catalog) -> Table {
    Table {
        name: "catalog".into(),
        headers: COLUMNS
            .iter()
            .map(|(heading, _, _)| heading.to_string())
            .collect(),
        rows: catalog.projects().iter().map(project_row).collect(),
    }
}

fn yes_no(value: bool) -> Cell {
    Cell::from(if value { "是" } else { "否" })
}

fn project_row(project: &Project) -> Vec<Cell> {
    let hall = project.hall.hall();
    let modes: Vec<&str> = project
        .cooperation_modes
        .iter()
        .map(|m| m.name_zh())
        .collect();
    let media = (!project.media.is_empty())
        .then(|| serde_json::to_string(&project.media).expect("media serialise"));
    vec![
        project.platform_no.as_str().into(),
        project.title.as_str().into(),
        project.title_en.clone().into(),
        project.organisation.as_str().into(),
        hall.name_zh.into(),
        project.industry.name_zh().into(),
        project.kind.name_zh().into(),
        yes_no(project.featured),
        project.summary.as_str().into(),
        project.keywords.join("、").into(),
        modes.join("、").into(),
        project.agent.id.as_str().into(),
        project.agent.name.as_str().into(),
        project.agent.phone.clone().into(),
        project.agent.email.clone().into(),
        yes_no(project.agent.generated),
        media.into(),
        yes_no(project.generated),
        project.source.clone().into(),
    ]
}

/// Reads a sheet: `name` decides the format (`.xlsx` or `.csv`). Each row
/// goes through `progress` as it is read (rows done, rows in all).
pub fn read_sheet(
    name: &str,
    bytes: &[u8],
    catalog_version: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SheetImport, SheetError> {
    let lower = name.to_lowercase();
    let grid = if lower.ends_with(".xlsx") {
        xlsx_grid(bytes)?
    } else if lower.ends_with(".csv") {
        csv_grid(bytes)?
    } else {
        return Err(SheetError::UnknownFormat(name.to_string()));
    };
    from_grid(&grid, catalog_version, progress)
}

fn xlsx_grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let unreadable = |error: calamine::XlsxError| SheetError::Unreadable(error.to_string());
    let mut workbook = calamine::Xlsx::new(Cursor::new(bytes.to_vec())).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| SheetError::Unreadable("the workbook has no sheet".into()))?
        .map_err(unreadable)?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

/// A cell as text; whole numbers without a decimal point (a number typed
/// into a text column, such as a phone number).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.0}"),
        other => other.to_string(),
    }
}

fn csv_grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let bytes = bytes.strip_prefix(crate::UTF8_BOM).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|record| {
            record
                .map(|record| record.iter().map(String::from).collect())
                .map_err(|error| SheetError::Unreadable(error.to_string()))
        })
        .collect()
}

fn from_grid(
    grid: &[Vec<String>],
    catalog_version: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SheetImport, SheetError> {
    let headings: Vec<String> = grid
        .first()
        .map(|row| row.iter().map(|cell| cell.trim().to_string()).collect())
        .unwrap_or_default();
    let position =
        |heading: &str, field: &str| headings.iter().position(|h| h == heading || h == field);
    let missing: Vec<&'static str> = COLUMNS
        .iter()
        .filter(|(heading, field, kind)| {
            !matches!(kind, Kind::OptionalText | Kind::Json | Kind::List)
                && position(heading, field).is_none()
        })
        .map(|(heading, _, _)| *heading)
        .collect();
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns(missing));
    }
    let columns: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(heading, field, _)| position(heading, field))
        .collect();
    let body = &grid[1..];
    let mut records = Vec::with_capacity(body.len());
    let mut row_numbers = Vec::with_capacity(body.len());
    for (index, row) in body.iter().enumerate() {
        progress(index + 1, body.len());
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |column: usize| {
            columns[column]
                .and_then(|at| row.get(at))
                .map_or("", |text| text.trim())
        };
        records.push(record(&cell));
        row_numbers.push(index + 2);
    }
    let envelope = json!({
        "format": FORMAT,
        "version": 1,
        "catalog_version": catalog_version,
        "projects": records,
    });
    let report = Catalog::load(envelope.to_string().as_bytes())
        .map_err(|error| SheetError::Unreadable(error.to_string()))?;
    Ok(with_rows(report, &row_numbers))
}

/// The record one row makes. A cell that cannot be read is passed on as
/// it is, so that the catalog's checks name it and say why.
fn record<'a>(cell: &dyn Fn(usize) -> &'a str) -> Value {
    let mut record = Map::new();
    let mut agent = Map::new();
    for (column, (_, field, kind)) in COLUMNS.iter().enumerate() {
        let Some(value) = value(*kind, cell(column)) else {
            continue;
        };
        match field.strip_prefix("agent.") {
            Some(agent_field) => agent.insert(agent_field.to_string(), value),
            None => record.insert(field.to_string(), value),
        };
    }
    record.insert("agent".into(), Value::Object(agent));
    Value::Object(record)
}

fn value(kind: Kind, text: &str) -> Option<Value> {
    let named = |wire: Option<String>| Value::String(wire.unwrap_or_else(|| text.to_string()));
    Some(match kind {
        Kind::OptionalText | Kind::Json if text.is_empty() => return None,
        Kind::Text | Kind::OptionalText => Value::String(text.to_string()),
        Kind::Hall => named(
            HALLS
                .iter()
                .find(|hall| [hall.id, hall.name_zh, hall.name_en].contains(&text))
                .map(|hall| hall.id.to_string()),
        ),
        Kind::Industry => named(wire_name(&Industry::ALL, text, |i| {
            [i.name_zh(), i.name_en()]
        })),
        Kind::Category => named(wire_name(&ProjectKind::ALL, text, |k| {
            [k.name_zh(), k.name_en()]
        })),
        Kind::YesNo => match text.to_lowercase().as_str() {
            "是" | "yes" | "true" | "1" => Value::Bool(true),
            "否" | "no" | "false" | "0" | "" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        },
        Kind::List => Value::Array(list(text).map(|item| Value::String(item.into())).collect()),
        Kind::Modes => Value::Array(
            list(text)
                .map(|item| {
                    let wire =
                        wire_name(&CooperationMode::ALL, item, |m| [m.name_zh(), m.name_en()]);
                    Value::String(wire.unwrap_or_else(|| item.to_string()))
                })
                .collect(),
        ),
        Kind::Json => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into())),
    })
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(LIST_SEPARATORS)
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// The wire name of the value whose wire, Chinese or English name is `text`.
fn wire_name<T: serde::Serialize + Copy>(
    all: &[T],
    text: &str,
    names: impl Fn(T) -> [&'static str; 2],
) -> Option<String> {
    all.iter().find_map(|value| {
        let wire = serde_json::to_value(value).ok()?.as_str()?.to_string();
        (wire == text
            || names(*value)
                .iter()
                .any(|name| name.eq_ignore_ascii_case(text)))
        .then_some(wire)
    })
}

/// The catalog's refusals, told by row and column heading.
fn with_rows(report: LoadReport, row_numbers: &[usize]) -> SheetImport {
    let rejected = report
        .rejected
        .iter()
        .map(|record| RowError {
            row: row_numbers[record.index],
            platform_no: record.platform_no.clone(),
            problems: record
                .errors
                .iter()
                .map(|error| {
                    let duplicate = match &error.problem {
                        yunzhan_model::validate::Problem::Duplicate { first_index } => {
                            format!("duplicates the number of row {}", row_numbers[*first_index])
                        }
                        problem => problem.message_en(),
                    };
                    (heading(&error.field), duplicate)
                })
                .collect(),
        })
        .collect();
    SheetImport {
        catalog: report.catalog,
        rejected,
    }
}

/// The column heading of a record field path such as `agent.email` or
/// `keywords[3]` (item numbers count from 1, as people do).
fn heading(field: &str) -> String {
    let (base, item) = match field.split_once('[') {
        Some((base, rest)) => (base, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (field, None),
    };
    let name = COLUMNS
        .iter()
        .find(|(_, column_field, _)| *column_field == base)
        .map_or_else(
            || field.to_string(),
            |(heading, _, _)| format!("{heading} ({base})"),
        );
    match item {
        Some(item) => format!("{name}, item {}", item + 1),
        None => name,
    }
}
