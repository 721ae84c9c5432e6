//! `yunzhan-catalog`: the data steward's tool for catalog files, in JSON
//! (the catalog format) or as the organisers' spreadsheet (.xlsx, .csv).
//!
//! yunzhan-catalog check FILE                 list every rejected record (or row); exit 1 if any
//! yunzhan-catalog stats FILE                 one JSON line of counts
//! yunzhan-catalog generate [OUT]             write the shipped catalog (default assets/catalog/catalog.json)
//!                 [--projects N]             … grown to N projects with more demo projects (scale tests)
//! yunzhan-catalog import SHEET --out JSON    a spreadsheet to a catalog file
//! yunzhan-catalog export JSON --out SHEET    a catalog file to a spreadsheet
//! yunzhan-catalog template OUT.xlsx          the empty template workbook
//! yunzhan-catalog pack JSON --out FILE       the packed form the web page downloads (web/build.sh)
//! yunzhan-catalog matching [JUDGEMENTS]      precision@5 of demand-side matching vs related projects

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use yunzhan_model::generate;
use yunzhan_model::matching::{Judgements, Matcher, precision_at};
use yunzhan_sheet::catalog::{CatalogFile, catalog_table, load_file};
use yunzhan_sheet::{Table, workbook};

/// The data steward's tool for Yunzhan catalog files
#[derive(Parser)]
#[command(name = "yunzhan-catalog", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every rejected record (row, for a spreadsheet) with its reason; exit 1 if any
    Check {
        /// The catalog file to check (.json, .xlsx or .csv)
        file: String,
    },
    /// Print one JSON line of counts (halls, projects, featured_by_kind, generated, rejected, ...)
    Stats {
        /// The catalog file to count (.json, .xlsx or .csv)
        file: String,
    },
    /// Write the shipped catalog
    Generate {
        /// Where to write it
        #[arg(default_value = "assets/catalog/catalog.json")]
        out: String,
        /// Grow it to this many projects with copies of its demo projects under new platform
        /// numbers, all flagged as generated (for scale tests; at least the shipped 5,740)
        #[arg(long, value_name = "N")]
        projects: Option<usize>,
    },
    /// Read the organisers' spreadsheet (.xlsx or .csv, Chinese headings) into a catalog file;
    /// the good rows are written, every refused row is listed, and the exit status is 1 if any
    Import {
        /// The spreadsheet
        file: String,
        /// The catalog file to write
        #[arg(long)]
        out: String,
        /// The data's version (the API's ETag); default: the file's name
        #[arg(long)]
        catalog_version: Option<String>,
    },
    /// Write a catalog file as the organisers' spreadsheet (.xlsx or .csv)
    Export {
        /// The catalog file (.json)
        file: String,
        #[arg(long)]
        out: String,
    },
    /// Write the template workbook: the headings and the first shipped project as an example
    Template {
        #[arg(default_value = "docs/catalog-template.xlsx")]
        out: String,
    },
    /// Write a catalog file in the packed form the web page downloads (web/build.sh); a file
    /// with any rejected record is not packed (exit status 1)
    Pack {
        /// The catalog file (.json)
        file: String,
        #[arg(long)]
        out: String,
    },
    /// Print, as a Markdown table, the precision@k of demand-side matching and of the plain
    /// related-projects list on hand-judged challenges of the shipped catalog
    Matching {
        #[arg(default_value = "docs/matching-judgements.json")]
        judgements: String,
        #[arg(long, default_value_t = 5)]
        k: usize,
    },
}

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Check { file } => check(&file),
        Command::Stats { file } => stats(&file),
        Command::Generate { out, projects } => generated(&out, projects),
        Command::Import {
            file,
            out,
            catalog_version,
        } => import(&file, &out, catalog_version),
        Command::Export { file, out } => {
            load(&file, None).and_then(|loaded| write_sheet(&out, &catalog_table(&loaded.catalog)))
        }
        Command::Template { out } => {
            let mut table = catalog_table(&generate::shipped_catalog());
            table.rows.truncate(1);
            write_sheet(&out, &table)
        }
        Command::Pack { file, out } => pack(&file, &out),
        Command::Matching { judgements, k } => matching(&judgements, k),
    };
    outcome.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

/// Loads any catalog file, with a progress bar while a sheet's rows are read.
fn load(file: &str, catalog_version: Option<String>) -> Result<CatalogFile, String> {
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read {file}: {error}"))?;
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
            .expect("the template is valid"),
    );
    bar.set_message(format!("reading {file}"));
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let loaded = load_file(file, &bytes, catalog_version, &mut |done, all| {
        bar.set_length(all as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    loaded.map_err(|error| format!("{file}: {error}"))
}

fn verdict(loaded: &CatalogFile) -> ExitCode {
    if loaded.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(file: &str) -> Result<ExitCode, String> {
    let loaded = load(file, None)?;
    println!("{}", loaded.describe(file));
    Ok(verdict(&loaded))
}

fn stats(file: &str) -> Result<ExitCode, String> {
    let loaded = load(file, None)?;
    let mut stats = serde_json::to_value(loaded.catalog.stats()).expect("stats serialise");
    stats["rejected"] = loaded.rejected.len().into();
    stats["catalog_version"] = loaded.catalog.catalog_version().into();
    println!("{stats}");
    Ok(ExitCode::SUCCESS)
}

fn import(file: &str, out: &str, catalog_version: Option<String>) -> Result<ExitCode, String> {
    let loaded = load(file, catalog_version)?;
    eprintln!("{}", loaded.describe(file));
    write(out, loaded.catalog.to_json().into_bytes())?;
    Ok(verdict(&loaded))
}

/// Packs only a catalog without a rejected record: the web page must show
/// what the JSON file holds, all of it.
fn pack(file: &str, out: &str) -> Result<ExitCode, String> {
    let loaded = load(file, None)?;
    if !loaded.rejected.is_empty() {
        eprintln!(
            "{}\nnot packed: {file} has rejected records",
            loaded.describe(file)
        );
        return Ok(ExitCode::FAILURE);
    }
    write(out, loaded.catalog.to_packed())
}

fn matching(file: &str, k: usize) -> Result<ExitCode, String> {
    let text =
        std::fs::read_to_string(file).map_err(|error| format!("cannot read {file}: {error}"))?;
    let judgements: Judgements =
        serde_json::from_str(&text).map_err(|error| format!("{file}: {error}"))?;
    let catalog = generate::shipped_catalog();
    let matcher = Matcher::new(&catalog);
    let matched = precision_at(&catalog, &judgements, k, |id| {
        let solutions = matcher.solutions(&catalog, id, k);
        solutions
            .into_iter()
            .map(|solution| solution.project)
            .collect()
    })?;
    let related = precision_at(&catalog, &judgements, k, |id| catalog.related(id, k))?;
    println!("| challenge | title | matching P@{k} | related P@{k} |\n|---|---|---|---|");
    let mut groups = [
        (true, Vec::new(), Vec::new()),
        (false, Vec::new(), Vec::new()),
    ];
    for (index, judgement) in judgements.challenges.iter().enumerate() {
        let project = catalog.project(catalog.find(&judgement.challenge).expect("checked above"));
        println!(
            "| {} | {} | {:.1} | {:.1} |",
            project.platform_no, project.title, matched[index], related[index]
        );
        let group = &mut groups[usize::from(project.generated)];
        group.1.push(matched[index]);
        group.2.push(related[index]);
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    for (named, matched, related) in &groups {
        let label = if *named {
            "named in the report"
        } else {
            "generated (demo)"
        };
        println!(
            "| mean, {} {label} | | {:.2} | {:.2} |",
            matched.len(),
            mean(matched),
            mean(related)
        );
    }
    println!(
        "| mean, all {} | | {:.2} | {:.2} |",
        matched.len(),
        mean(&matched),
        mean(&related)
    );
    // What matching found for the challenges named in the report.
    println!("\n| challenge | matching's top {k} (✓ judged a solver) |\n|---|---|");
    for judgement in &judgements.challenges {
        let id = catalog.find(&judgement.challenge).expect("checked above");
        if catalog.project(id).generated {
            continue;
        }
        let found: Vec<String> = matcher
            .solutions(&catalog, id, k)
            .iter()
            .map(|solution| {
                let project = catalog.project(solution.project);
                let mark = if judgement.solved_by(project) {
                    "✓ "
                } else {
                    ""
                };
                format!("{mark}{} ({})", project.title, solution.why(true))
            })
            .collect();
        println!("| {} | {} |", catalog.project(id).title, found.join("; "));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_sheet(out: &str, table: &Table) -> Result<ExitCode, String> {
    let bytes = if out.to_lowercase().ends_with(".csv") {
        table.to_csv()
    } else {
        workbook(std::slice::from_ref(table)).map_err(|error| error.to_string())?
    };
    write(out, bytes)
}

/// The shipped catalog, or one grown to `projects` (never cut: that would
/// drop projects the source report names).
fn generated(out: &str, projects: Option<usize>) -> Result<ExitCode, String> {
    let catalog = match projects {
        None => generate::shipped_catalog(),
        Some(total) if total < generate::TOTAL_PROJECTS => {
            return Err(format!(
                "--projects {total}: a generated catalog holds at least the shipped {} projects",
                generate::TOTAL_PROJECTS
            ));
        }
        Some(total) => generate::scaled_catalog(total),
    };
    write(out, catalog.to_json().into_bytes())
}

fn write(out: &str, bytes: Vec<u8>) -> Result<ExitCode, String> {
    if let Some(parent) = std::path::Path::new(out).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::write(out, bytes).map_err(|error| format!("cannot write {out}: {error}"))?;
    eprintln!("wrote {out}");
    Ok(ExitCode::SUCCESS)
}
