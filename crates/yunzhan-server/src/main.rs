//! `yunzhan-server`: the reference platform API server.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use yunzhan_model::Catalog;
use yunzhan_server::db::{Db, now_rfc3339};
use yunzhan_server::{Settings, open_state, router, serve};

const USAGE: &str = "yunzhan-server: Yunzhan's reference platform API (/api/v1, see docs/api.md)

usage:
  yunzhan-server serve [--listen HOST:PORT] [--db FILE] [--web DIR]
                       [--cors-origin ORIGIN] [--inquiries-per-minute N] [--inquiry-burst N]
  yunzhan-server import FILE [--db FILE]
  yunzhan-server agent-token AGENT [--db FILE]
  yunzhan-server export-text DIR

commands:
  serve        serve the API (and the web app with --web); on first start the
               database is filled with the embedded catalog. Ctrl-C or SIGTERM
               stops it after the requests in flight (at most 10 s).
  import       replace the catalog with FILE (the yunzhan-catalog format);
               refused records are listed with their reasons and skipped
  agent-token  print a new bearer token for service agent AGENT (e.g. KF-0001);
               only its SHA-256 digest is stored
  export-text  write the text view (the accessible HTML pages served at /text/)
               of the embedded catalog into DIR, for a static web deployment

options:
  --listen HOST:PORT          address to listen on (default 127.0.0.1:8080)
  --db FILE                   SQLite database (default yunzhan.db)
  --web DIR                   serve a built web app (web/dist) at /
  --cors-origin ORIGIN        web origin allowed to call the API (default *)
  --inquiries-per-minute N    inquiries one client may send per minute (default 30)
  --inquiry-burst N           inquiries one client may send at once (default 10)
  -h, --help                  this text

logs: one line per request on stderr (RUST_LOG=warn for fewer); no names,
phones, e-mails or message text are ever logged.";

/// How long requests in flight may take to finish after Ctrl-C or SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(10);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

struct Parsed {
    command: String,
    operand: Option<String>,
    listen: String,
    settings: Settings,
}

fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut parsed = Parsed {
        command: String::new(),
        operand: None,
        listen: "127.0.0.1:8080".into(),
        settings: Settings::default(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))
        };
        let number = |name: &str, text: String| {
            text.parse::<f64>()
                .ok()
                .filter(|n| *n >= 1.0)
                .ok_or_else(|| format!("{name} must be a number of at least 1, not {text:?}"))
        };
        match arg.as_str() {
            "--listen" => parsed.listen = value("--listen")?,
            "--db" => parsed.settings.db = PathBuf::from(value("--db")?),
            "--web" => parsed.settings.web = Some(PathBuf::from(value("--web")?)),
            "--cors-origin" => parsed.settings.cors_origin = value("--cors-origin")?,
            "--inquiries-per-minute" => {
                let text = value(arg)?;
                parsed.settings.inquiry_rate.per_minute = number(arg, text)?;
            }
            "--inquiry-burst" => {
                let text = value(arg)?;
                parsed.settings.inquiry_rate.burst = number(arg, text)?;
            }
            "-h" | "--help" | "help" => parsed.command = "help".into(),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?} (see --help)"));
            }
            word if parsed.command.is_empty() => parsed.command = word.into(),
            word if parsed.operand.is_none() => parsed.operand = Some(word.into()),
            word => return Err(format!("unexpected argument {word:?} (see --help)")),
        }
    }
    Ok(parsed)
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let parsed = parse(args)?;
    match (parsed.command.as_str(), parsed.operand.as_deref()) {
        ("help", _) => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        ("serve", None) => run_server(&parsed.listen, &parsed.settings),
        ("import", Some(file)) => import(file, &parsed.settings),
        ("agent-token", Some(agent)) => {
            let db = Db::open(&parsed.settings.db).map_err(|error| error.to_string())?;
            let token = db
                .create_agent_token(agent, &now_rfc3339())
                .map_err(|error| error.to_string())?;
            println!("{token}");
            eprintln!("token for {agent} created; only its digest is stored, so keep it now");
            Ok(ExitCode::SUCCESS)
        }
        ("export-text", Some(dir)) => {
            let catalog = Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
                .map_err(|error| format!("the embedded catalog is broken: {error}"))?
                .catalog;
            let pages = yunzhan_server::text_view::export(&catalog, std::path::Path::new(dir))
                .map_err(|error| format!("cannot write the text view into {dir}: {error}"))?;
            eprintln!("wrote {pages} text view pages into {dir}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

fn run_server(listen: &str, settings: &Settings) -> Result<ExitCode, String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let state = open_state(settings)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        tracing::info!(%address, db = %settings.db.display(), "serving http://{address}/api/v1");
        // After the signal, requests in flight get GRACE to finish.
        let (stopping, mut stop_requested) = tokio::sync::watch::channel(false);
        let serving = serve(listener, router(state, settings), async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        });
        tokio::select! {
            served = serving => served.map_err(|error| error.to_string()),
            () = async {
                let _ = stop_requested.wait_for(|stop| *stop).await;
                tokio::time::sleep(GRACE).await;
            } => {
                tracing::warn!("connections still open {} s after the signal; stopping anyway", GRACE.as_secs());
                Ok(())
            }
        }
    })?;
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

fn import(file: &str, settings: &Settings) -> Result<ExitCode, String> {
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read {file}: {error}"))?;
    let report = Catalog::load(&bytes).map_err(|error| format!("{file}: {error}"))?;
    println!("{}", report.describe(file));
    let db = Db::open(&settings.db)
        .map_err(|error| format!("cannot open {}: {error}", settings.db.display()))?;
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
    .map_err(|error| format!("import failed, the old catalog is kept: {error}"))?;
    eprintln!(
        "\nimported {total} projects into {} (catalog {}); a running server picks it up on restart",
        settings.db.display(),
        report.catalog.catalog_version()
    );
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
