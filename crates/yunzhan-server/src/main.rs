//! `yunzhan-server`: the reference platform API server.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use yunzhan_model::Catalog;
use yunzhan_server::db::{Db, DbTarget, Role, now_rfc3339};
use yunzhan_server::rate::RateLimit;
use yunzhan_server::workspace::WorkspaceSettings;
use yunzhan_server::{Settings, open_state, router, serve};

/// The note on logging under `--help`.
const LOGS: &str = "logs: one line per request on stderr (RUST_LOG=warn for fewer); no names,
phones, e-mails or message text are ever logged.";

/// How long requests in flight may take to finish after Ctrl-C or SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Yunzhan's reference platform API (/api/v1, see docs/api.md)
#[derive(Parser)]
#[command(name = "yunzhan-server", version, arg_required_else_help = true, after_help = LOGS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the web app with --web)
    ///
    /// On first start the database is filled with the embedded catalog.
    /// Ctrl-C or SIGTERM stops it after the requests in flight (at most 10 s).
    #[command(verbatim_doc_comment, after_help = LOGS)]
    Serve(ServeArgs),
    /// Bring the database's schema to this release's version
    ///
    /// `serve` does this on start too; run it alone to migrate before
    /// starting replicas, or to see the version.
    #[command(verbatim_doc_comment)]
    Migrate {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Replace the catalog with FILE (the yunzhan-catalog JSON format, or the organisers' .xlsx / .csv sheet)
    ///
    /// Refused records are listed with their reasons and skipped; the exit
    /// status is then 1.
    #[command(verbatim_doc_comment)]
    Import {
        /// The catalog file to import
        file: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print a new bearer token for service agent AGENT (e.g. KF-0001)
    ///
    /// Only its SHA-256 digest is stored, so the token cannot be shown again.
    #[command(verbatim_doc_comment)]
    AgentToken {
        /// The agent's id
        agent: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print a new bearer token for organiser NAME (the workspace at /agent/)
    ///
    /// An organiser sees every inquiry's stage (not its messages), can give
    /// an inquiry to another agent and sets the overdue threshold. Only the
    /// token's SHA-256 digest is stored.
    #[command(verbatim_doc_comment)]
    OrganiserToken {
        /// The organiser's name, shown in the history of what they change
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print a new bearer token for exhibitor NAME (its booth figures at /exhibitor/)
    ///
    /// NAME is the organisation exactly as the catalog names it. An
    /// exhibitor sees its own booth's anonymous counts and nothing else.
    /// Only the token's SHA-256 digest is stored.
    #[command(verbatim_doc_comment)]
    ExhibitorToken {
        /// The organisation's name in the catalog
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Write the text view of the embedded catalog into DIR
    ///
    /// The text view is the accessible HTML pages served at /text/; written
    /// into a directory, it suits a static web deployment.
    #[command(verbatim_doc_comment)]
    ExportText {
        /// The directory to write the pages into
        dir: PathBuf,
    },
}

/// The options of `serve`.
#[derive(Args)]
struct ServeArgs {
    /// Address to listen on
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
    #[command(flatten)]
    database: DatabaseArg,
    /// Serve a built web app (web/dist) at /
    #[arg(long, value_name = "DIR")]
    web: Option<PathBuf>,
    /// Web origin allowed to call the API (* for any)
    #[arg(long, value_name = "ORIGIN", default_value_t = Settings::default().cors_origin)]
    cors_origin: String,
    /// Inquiries one client may send per minute
    #[arg(
        long,
        value_name = "N",
        default_value_t = RateLimit::default().per_minute,
        value_parser = at_least_one
    )]
    inquiries_per_minute: f64,
    /// Inquiries one client may send at once
    #[arg(
        long,
        value_name = "N",
        default_value_t = RateLimit::default().burst,
        value_parser = at_least_one
    )]
    inquiry_burst: f64,
    /// A load balancer whose X-Forwarded-For names the client (repeatable)
    #[arg(long, value_name = "IP")]
    trusted_proxy: Vec<IpAddr>,
    /// How log lines are written
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// How long a workspace sign-in lasts, in minutes
    #[arg(long, value_name = "MINUTES", default_value_t = 480.0, value_parser = positive)]
    session_minutes: f64,
    /// Mark the workspace's cookies Secure (set it when users reach the
    /// server over https, e.g. through a TLS-terminating nginx)
    #[arg(long)]
    secure_cookies: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// One readable line per event
    Text,
    /// One JSON object per line, for log collectors
    Json,
}

impl ServeArgs {
    fn settings(&self) -> Result<Settings, String> {
        Ok(Settings {
            db: self.database.target()?,
            web: self.web.clone(),
            cors_origin: self.cors_origin.clone(),
            inquiry_rate: RateLimit {
                per_minute: self.inquiries_per_minute,
                burst: self.inquiry_burst,
            },
            trusted_proxies: self.trusted_proxy.clone(),
            workspace: WorkspaceSettings {
                session_lifetime: std::time::Duration::from_secs_f64(self.session_minutes * 60.0),
                secure_cookies: self.secure_cookies,
            },
            ..Settings::default()
        })
    }
}

/// `--db`, shared by the commands that open the database.
#[derive(Args)]
struct DatabaseArg {
    /// A SQLite file, or postgres://USER:PASSWORD@HOST:PORT/DATABASE
    #[arg(long, value_name = "FILE|URL", default_value = "yunzhan.db")]
    db: String,
}

impl DatabaseArg {
    /// Read here, not by clap, so that an error never repeats a password.
    fn target(&self) -> Result<DbTarget, String> {
        self.db.parse()
    }
}

/// Parses a rate option: a number of at least 1.
fn at_least_one(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|n| *n >= 1.0)
        .ok_or_else(|| "must be a number of at least 1".to_string())
}

/// Parses a duration option: a number above 0.
fn positive(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|n| *n > 0.0 && n.is_finite())
        .ok_or_else(|| "must be a number above 0".to_string())
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async {
        match command {
            Command::Serve(serve_args) => run_server(&serve_args).await,
            Command::Migrate { database } => {
                let target = database.target()?;
                let db = Db::connect(&target).await?;
                let report = db.migrate().await?;
                eprintln!(
                    "{target}: schema version {}{}",
                    report.version,
                    if report.applied.is_empty() {
                        ", already current".to_string()
                    } else {
                        format!(" (applied {:?})", report.applied)
                    }
                );
                Ok(ExitCode::SUCCESS)
            }
            Command::Import { file, database } => import(&file, &database.target()?).await,
            Command::AgentToken { agent, database } => {
                let db = Db::open(&database.target()?).await?;
                let token = db
                    .create_agent_token(&agent, &now_rfc3339())
                    .await
                    .map_err(|error| error.to_string())?;
                println!("{token}");
                eprintln!("token for {agent} created; only its digest is stored, so keep it now");
                Ok(ExitCode::SUCCESS)
            }
            Command::OrganiserToken { name, database } => {
                new_token(Role::Organiser, &name, &database).await
            }
            Command::ExhibitorToken { name, database } => {
                new_token(Role::Exhibitor, &name, &database).await
            }
            Command::ExportText { dir } => export_text(&dir),
        }
    })
}

fn export_text(dir: &std::path::Path) -> Result<ExitCode, String> {
    let catalog = Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
        .map_err(|error| format!("the embedded catalog is broken: {error}"))?
        .catalog;
    let pages = yunzhan_server::text_view::export(&catalog, dir)
        .map_err(|error| format!("cannot write the text view into {}: {error}", dir.display()))?;
    eprintln!("wrote {pages} text view pages into {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => logs.json().init(),
    }
}

async fn run_server(serve_args: &ServeArgs) -> Result<ExitCode, String> {
    let settings = serve_args.settings()?;
    init_logs(serve_args.log_format);
    let listen = &serve_args.listen;
    let state = open_state(&settings).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    tracing::info!(%address, db = %settings.db, "serving http://{address}/api/v1");
    // After the signal, requests in flight get GRACE to finish.
    let (stopping, mut stop_requested) = tokio::sync::watch::channel(false);
    let serving = serve(listener, router(state, &settings), async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    });
    tokio::select! {
        served = serving => served.map_err(|error| error.to_string())?,
        () = async {
            let _ = stop_requested.wait_for(|stop| *stop).await;
            tokio::time::sleep(GRACE).await;
        } => {
            tracing::warn!("connections still open {} s after the signal; stopping anyway", GRACE.as_secs());
        }
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down after the requests in flight");
}

/// Prints a new token for `subject` in `role`; only its digest is kept.
async fn new_token(role: Role, subject: &str, database: &DatabaseArg) -> Result<ExitCode, String> {
    let db = Db::open(&database.target()?).await?;
    let token = db
        .create_token(role, subject, &now_rfc3339())
        .await
        .map_err(|error| error.to_string())?;
    println!("{token}");
    eprintln!("{role:?} token for {subject} created; only its digest is stored, so keep it now");
    Ok(ExitCode::SUCCESS)
}

async fn import(file: &str, target: &DbTarget) -> Result<ExitCode, String> {
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read {file}: {error}"))?;
    // JSON in the catalog format, or the organisers' spreadsheet (.xlsx, .csv).
    let report = yunzhan_sheet::catalog::load_file(file, &bytes, None, &mut |_, _| {})
        .map_err(|error| format!("{file}: {error}"))?;
    println!("{}", report.describe(file));
    let db = Db::open(target).await?;
    let total = report.catalog.projects().len();
    let mut stderr = std::io::stderr();
    db.replace_catalog(&report.catalog, |done| {
        if done == total || done % 250 == 0 {
            let filled = done * 30 / total.max(1);
            let _ = write!(
                stderr,
                "\rimporting [{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(30 - filled)
            );
        }
    })
    .await
    .map_err(|error| format!("import failed, the old catalog is kept: {error}"))?;
    eprintln!(
        "\nimported {total} projects into {target} (catalog {}); running servers serve it within seconds",
        report.catalog.catalog_version()
    );
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
