//! Yunzhan's model: the halls, projects and exhibitors of the Tianfu Sci-Tech
//! Cloud exhibition; catalog loading and validation; search; hall layout.
//! Pure Rust with no engine, so all of it is testable and benchmarkable
//! without a window.

pub mod api;
pub mod attention;
pub mod booth;
pub mod catalog;
pub mod deal;
pub mod figures;
pub mod generate;
pub mod hall;
pub mod inquiry;
pub mod layout;
pub mod lobby;
pub mod matching;
pub mod project;
pub mod search;
pub mod validate;

pub use catalog::{Catalog, CatalogError, ExhibitorId, LoadReport, ProjectId, RecordError};
pub use hall::{HALLS, Hall, HallIndex, HallLevel, Region};
pub use layout::HallLayout;
pub use lobby::LobbyLayout;
pub use project::{CooperationMode, Industry, Project, ProjectKind, ServiceAgent};
pub use search::Query;

/// The catalog shipped with Yunzhan (named projects plus generated demo
/// projects), as produced by `yunzhan-catalog generate`. A `static`, so the
/// binary holds one copy whichever crates use it.
pub static EMBEDDED_CATALOG: &[u8] = include_bytes!("../../../assets/catalog/catalog.json");
