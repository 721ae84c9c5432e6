//! Real processes a test starts on loopback and always stops: server
//! replicas (the `yunzhan-server` binary), nginx as the load balancer, and
//! a throwaway PostgreSQL cluster of the test's own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::{REQUIRE_POSTGRES_ENV, scratch};
use yunzhan_server::db::DbTarget;

const SERVER: &str = env!("CARGO_BIN_EXE_yunzhan-server");

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `child` listens on `port`; panics with `log()` if it exits
/// or takes longer than 30 s.
fn wait_for_port(child: &mut Child, port: u16, log: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "it exited ({status}) instead of listening on {port}:\n{}",
                log()
            );
        }
        assert!(
            Instant::now() < deadline,
            "it never listened on {port}:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A `yunzhan-server serve` process; killed (SIGKILL) when dropped.
pub(crate) struct Replica {
    pub port: u16,
    args: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
}

impl Replica {
    /// Starts a replica on `db` behind a proxy on 127.0.0.1, logging into
    /// `dir`, and waits until it listens.
    pub(crate) fn start(db: &DbTarget, dir: &Path, extra: &[&str]) -> Replica {
        let port = free_port();
        let db = match db {
            DbTarget::Sqlite(path) => path.display().to_string(),
            DbTarget::Postgres(url) => url.clone(),
        };
        let mut args: Vec<String> = [
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            &db,
            "--trusted-proxy",
            "127.0.0.1",
            "--inquiries-per-minute",
            "1000000",
            "--inquiry-burst",
            "1000000",
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
        args.extend(extra.iter().map(|arg| arg.to_string()));
        let mut replica = Replica {
            port,
            args,
            log: dir.join(format!("replica-{port}.log")),
            child: None,
        };
        replica.restart();
        replica
    }

    /// Starts the process (again) on the same port.
    pub(crate) fn restart(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut child = Command::new(SERVER)
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_for_port(&mut child, self.port, || self.log());
        self.child = Some(child);
    }

    /// SIGKILL: no graceful anything, as a machine failure.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Finds nginx, or fails when CI requires the services (a skipped fault
/// test must not look like a passed one).
pub(crate) fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists());
    if found.is_none() {
        assert!(
            std::env::var_os(REQUIRE_POSTGRES_ENV).is_none(),
            "nginx is not installed (apt-get install nginx): the load balancer tests cannot run"
        );
        eprintln!("\n*** nginx NOT FOUND: the load balancer tests were NOT RUN ***\n");
    }
    found
}

/// nginx in front of `upstreams`, on its own port; stopped when dropped.
pub(crate) struct Nginx {
    pub port: u16,
    child: Child,
}

impl Nginx {
    /// Starts nginx with the `server` block `server` (where `{port}` is the
    /// port to listen on) and an upstream `replicas` of `upstreams`.
    pub(crate) fn start(binary: &Path, upstreams: &[u16], server: &str) -> Nginx {
        let dir = scratch(&format!("nginx-{}", free_port()));
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|port| format!("    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n"))
            .collect();
        let config = format!(
            "daemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
             upstream replicas {{\n{servers}    keepalive 16;\n  }}\n{server}\n}}\n",
            dir = dir.display(),
            server = server.replace("{port}", &port.to_string()),
        );
        let config_file = dir.join("nginx.conf");
        std::fs::write(&config_file, config).unwrap();
        let mut child = Command::new(binary)
            .args(["-p", &dir.display().to_string(), "-c"])
            .arg(&config_file)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        wait_for_port(&mut child, port, || {
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        });
        Nginx { port, child }
    }

    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `server` block of the load balancer the deployment guide uses: a
/// dead or failing replica is skipped, POSTs included (inquiries carry an
/// idempotency key, so a resend is stored once).
pub(crate) const BALANCER: &str = "  server {
    listen 127.0.0.1:{port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }";

/// A PostgreSQL cluster of the test's own (scripts/throwaway-postgres.sh),
/// for tests that stop and start the database itself; stopped when dropped.
pub(crate) struct PgCluster {
    dir: PathBuf,
    port: u16,
    pub admin_url: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/throwaway-postgres.sh")
}

fn run_script(args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "throwaway-postgres.sh {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

impl PgCluster {
    pub(crate) fn start(name: &str) -> PgCluster {
        let dir = scratch(&format!("{name}-cluster"));
        let port = free_port();
        let admin_url = run_script(&["start", &dir.display().to_string(), &port.to_string()]);
        PgCluster {
            dir,
            port,
            admin_url,
        }
    }

    pub(crate) fn stop(&self) {
        run_script(&["stop", &self.dir.display().to_string()]);
    }

    pub(crate) fn start_again(&self) {
        run_script(&[
            "start",
            &self.dir.display().to_string(),
            &self.port.to_string(),
        ]);
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .args(["stop", &self.dir.display().to_string()])
            .output();
    }
}
