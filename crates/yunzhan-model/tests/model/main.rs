//! The model's tests, in one test binary (each binary links the crate and
//! its dependencies once more).

mod bad_records;
mod booth;
mod figures;
mod matching;
mod packed;
mod search;
mod shipped_catalog;
