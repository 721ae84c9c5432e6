//! `yunzhan-catalog`: the data steward's tool for catalog files.
//!
//! ```text
//! yunzhan-catalog check FILE      list every rejected record; exit 1 if any
//! yunzhan-catalog stats FILE      one JSON line of counts
//! yunzhan-catalog generate [OUT]  write the shipped catalog (default assets/catalog/catalog.json)
//! ```

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yunzhan_model::{Catalog, LoadReport, generate};

/// The data steward's tool for Yunzhan catalog files
#[derive(Parser)]
#[command(name = "yunzhan-catalog", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every rejected record with its reason; exit 1 if any
    Check {
        /// The catalog file to check
        file: String,
    },
    /// Print one JSON line of counts (halls, projects, featured_by_kind, generated, rejected, ...)
    Stats {
        /// The catalog file to count
        file: String,
    },
    /// Write the shipped catalog
    Generate {
        /// Where to write it
        #[arg(default_value = "assets/catalog/catalog.json")]
        out: String,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { file } => check(&file),
        Command::Stats { file } => stats(&file),
        Command::Generate { out } => write_catalog(&out),
    }
}

/// Reads and loads a catalog file, or explains why it cannot.
fn load(file: &str) -> Result<LoadReport, ExitCode> {
    let bytes = std::fs::read(file).map_err(|error| {
        eprintln!("error: cannot read {file}: {error}");
        ExitCode::from(2)
    })?;
    Catalog::load(&bytes).map_err(|error| {
        eprintln!("error: {file}: {error}");
        ExitCode::from(2)
    })
}

fn check(file: &str) -> ExitCode {
    let report = match load(file) {
        Ok(report) => report,
        Err(code) => return code,
    };
    println!("{}", report.describe(file));
    if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn stats(file: &str) -> ExitCode {
    let report = match load(file) {
        Ok(report) => report,
        Err(code) => return code,
    };
    let mut stats = serde_json::to_value(report.catalog.stats()).expect("stats serialise");
    stats["rejected"] = report.rejected.len().into();
    stats["catalog_version"] = report.catalog.catalog_version().into();
    println!("{stats}");
    ExitCode::SUCCESS
}

fn write_catalog(out: &str) -> ExitCode {
    let catalog = generate::shipped_catalog();
    if let Some(parent) = std::path::Path::new(out).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match std::fs::write(out, catalog.to_json()) {
        Ok(()) => {
            eprintln!("wrote {} projects to {out}", catalog.projects().len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: cannot write {out}: {error}");
            ExitCode::FAILURE
        }
    }
}
