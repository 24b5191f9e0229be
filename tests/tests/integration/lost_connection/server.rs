//! A private throwaway server for one lost-connection test: started by the
//! backend's `infrastructure/local/*.sh` script in a temporary directory of its
//! own (never the suites' shared server), stopped under the adapter, and started
//! again on the same port so the adapter can reconnect to the URL it knows.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The backends with a throwaway-server script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Backend {
    Postgres,
    Redis,
    RabbitMq,
    S3,
}

impl Backend {
    /// The script under `infrastructure/local/`.
    fn script(self) -> &'static str {
        match self {
            Self::Postgres => "postgres.sh",
            Self::Redis => "redis.sh",
            Self::RabbitMq => "rabbitmq.sh",
            Self::S3 => "s3.sh",
        }
    }

    /// The variable the script reads its directory from.
    fn dir_var(self) -> &'static str {
        match self {
            Self::Postgres => "MEDIAFLOW_PG_DIR",
            Self::Redis => "MEDIAFLOW_REDIS_DIR",
            Self::RabbitMq => "MEDIAFLOW_RABBITMQ_DIR",
            Self::S3 => "MEDIAFLOW_S3_DIR",
        }
    }

    /// The variable the script reads a fixed port from.
    fn port_var(self) -> &'static str {
        match self {
            Self::Postgres => "MEDIAFLOW_PG_PORT",
            Self::Redis => "MEDIAFLOW_REDIS_PORT",
            Self::RabbitMq => "MEDIAFLOW_RABBITMQ_PORT",
            Self::S3 => "MEDIAFLOW_S3_PORT",
        }
    }

    /// The server program this machine lacks, if any. The scripts would install a
    /// missing one (as root); a test must not, so it checks first.
    fn missing_binary(self) -> Option<&'static str> {
        let present = match self {
            Self::Postgres => ["initdb", "pg_ctl"]
                .iter()
                .all(|b| Path::new("/usr/lib/postgresql/15/bin").join(b).is_file()),
            Self::Redis => succeeds(Command::new("redis-server").arg("--version")),
            Self::RabbitMq => Path::new("/usr/lib/rabbitmq/bin/rabbitmq-server").is_file(),
            Self::S3 => {
                let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
                // Finding moto and its server's framework, not importing them:
                // importing moto takes a second or more.
                let find = "import importlib.util as u, sys; \
                            sys.exit(not all(u.find_spec(m) for m in ('moto', 'flask')))";
                succeeds(Command::new(python).args(["-c", find]))
            }
        };
        (!present).then_some(match self {
            Self::Postgres => "pg_ctl/initdb of PostgreSQL 15",
            Self::Redis => "redis-server",
            Self::RabbitMq => "rabbitmq-server",
            Self::S3 => "python moto",
        })
    }
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A running (or stopped) private server; stopped and deleted when dropped.
#[derive(Debug)]
pub(super) struct PrivateServer {
    backend: Backend,
    /// Holds the server's directory; deleted last.
    _temp: TempDir,
    dir: PathBuf,
    url: String,
    port: u16,
}

impl PrivateServer {
    /// Starts a private server, or prints "skipped: <binary> not installed" and
    /// returns `None` when the machine lacks it. A generated challenge workspace
    /// carries `tests/` but not the scripts: there the tests skip too.
    pub(super) async fn start(backend: Backend) -> Option<Self> {
        if !script_path(backend).is_file() {
            eprintln!(
                "skipped: infrastructure/local/{} not in this workspace",
                backend.script()
            );
            return None;
        }
        if let Some(binary) = backend.missing_binary() {
            eprintln!("skipped: {binary} not installed");
            return None;
        }
        let temp = tempfile::Builder::new()
            .prefix("mediaflow-lost-connection-")
            .tempdir()
            .expect("a temporary directory");
        // As root the PostgreSQL cluster belongs to `postgres`, which must reach it.
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o755))
                .expect("the temporary directory is ours");
        }
        let dir = temp.path().join("server");
        let url = blocking(run_script(backend, "start", dir.clone(), None)).await;
        let port = port_of(&url);
        Some(Self {
            backend,
            _temp: temp,
            dir,
            url,
            port,
        })
    }

    /// The server's URL (with its password).
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server (its clients' connections close under them).
    pub(super) async fn stop(&self) {
        blocking(run_script(self.backend, "stop", self.dir.clone(), None)).await;
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server's processes: its sockets
    /// stay open and silent, as behind a network partition. Redis and S3 only (a
    /// single process with a pid file).
    pub(super) fn signal(&self, signal: &str) {
        let pid = self.pid().expect("the pid file of a running server");
        assert!(
            succeeds(Command::new("kill").arg(format!("-{signal}")).arg(&pid)),
            "kill -{signal} {pid}"
        );
    }

    /// The server's pid, for the backends [`Self::signal`] serves.
    fn pid(&self) -> Option<String> {
        let pidfile = match self.backend {
            Backend::Redis => "redis.pid",
            Backend::S3 => "moto.pid",
            Backend::Postgres | Backend::RabbitMq => return None,
        };
        let pid = std::fs::read_to_string(self.dir.join(pidfile)).ok()?;
        Some(pid.trim().to_owned())
    }

    /// Starts the server again on the same port; returns how long the script took.
    pub(super) async fn restart(&self) -> Duration {
        let began = Instant::now();
        let url = blocking(run_script(
            self.backend,
            "start",
            self.dir.clone(),
            Some(self.port),
        ))
        .await;
        assert_eq!(url, self.url, "the restarted server has the same URL");
        began.elapsed()
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        // Best effort: a failed test must not leave a server running, nor frozen
        // (a stopped process would not act on the script's SIGTERM).
        if let Some(pid) = self.pid() {
            let _ = succeeds(Command::new("kill").arg("-CONT").arg(pid));
        }
        let _ = script_command(self.backend, "stop", &self.dir, None).status();
    }
}

fn script_path(backend: Backend) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../infrastructure/local")
        .join(backend.script())
}

fn script_command(backend: Backend, action: &str, dir: &Path, port: Option<u16>) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(script_path(backend))
        .arg(action)
        .env(backend.dir_var(), dir)
        .env_remove(backend.port_var());
    if let Some(port) = port {
        command.env(backend.port_var(), port.to_string());
    }
    command
}

/// Runs the script to the end; its output's last line (the URL after `start`).
fn run_script(
    backend: Backend,
    action: &'static str,
    dir: PathBuf,
    port: Option<u16>,
) -> impl FnOnce() -> String + Send + 'static {
    move || {
        let output = script_command(backend, action, &dir, port)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", backend.script()));
        assert!(
            output.status.success(),
            "{} {action} failed: {}",
            backend.script(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned()
    }
}

/// Runs a script off the runtime's threads, so the adapter's connection tasks
/// keep running (and see their sockets close) while it does.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("the script runner panicked")
}

/// The port of a `scheme://…@127.0.0.1:PORT/…` URL.
fn port_of(url: &str) -> u16 {
    url.split_once("127.0.0.1:")
        .and_then(|(_, rest)| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no loopback port in {url}"))
}
