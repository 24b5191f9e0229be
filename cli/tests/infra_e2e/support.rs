//! Helpers of the end-to-end tests: a throwaway workspace per test (its own project
//! label, cleaned up by `down --volumes` even when the test fails), the `mediaflow`
//! binary run with a bounded wait, and engine queries through the library.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mediaflow::infra::Project;
use mediaflow::infra::engine::{Engine, EngineEnv, connect};
use mediaflow::infra::plan::Observed;
use mediaflow::infra::settings::parse_env_file;
use mediaflow::infra::spec::ImageRef;

/// The local PostgreSQL image built by `infrastructure/images/build.sh`.
pub const POSTGRES_IMAGE: &str = "mediaflow-local/postgres:15";
/// The local Redis image built by `infrastructure/images/build.sh`.
pub const REDIS_IMAGE: &str = "mediaflow-local/redis:7";

/// What to run when the local images are missing.
const BUILD_HINT: &str = "build them with `sudo infrastructure/images/build.sh` from the repository root (CI's .ci/run does this before the tests; it needs Debian's package mirror, no registry)";

/// Longest one `mediaflow` invocation may take before the test fails with its output;
/// below nextest's 30 s limit so the message is ours, not a bare timeout.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(25);

/// The repository's own infrastructure spec.
pub const REPO_SPEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../infrastructure/infra.yaml"
));

/// `--image` flags pointing both PostgreSQL services and Redis at the local images.
pub fn local_image_flags() -> Vec<String> {
    [
        format!("postgres={POSTGRES_IMAGE}"),
        format!("postgres-analytics={POSTGRES_IMAGE}"),
        format!("redis={REDIS_IMAGE}"),
    ]
    .into_iter()
    .flat_map(|flag| ["--image".to_owned(), flag])
    .collect()
}

/// The engine, reached the way `mediaflow` reaches it, with a runtime to query it.
pub struct Docker {
    runtime: tokio::runtime::Runtime,
    engine: Engine,
    /// A plain bollard client for checks the library has no operation for.
    raw: bollard::Docker,
}

impl Docker {
    /// Connects and checks that the local images exist; fails the test with what to do
    /// otherwise, because skipping would hide that nothing was proved.
    pub fn require_engine_and_local_images() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let env = EngineEnv {
            docker_host: std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()),
            home: std::env::var_os("HOME").map(PathBuf::from),
            xdg_runtime_dir: std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
        };
        let engine = runtime
            .block_on(connect(&env, Duration::from_secs(5)))
            .unwrap_or_else(|error| {
                panic!("these end-to-end tests need a running Docker engine: {error}")
            });
        for image in [POSTGRES_IMAGE, REDIS_IMAGE] {
            let reference = ImageRef::parse(image).expect("valid reference");
            let present = runtime
                .block_on(engine.image_id(&reference))
                .unwrap_or_else(|error| panic!("cannot inspect image {image}: {error}"));
            assert!(
                present.is_some(),
                "the local image {image} is missing, and no registry is reachable to pull one; {BUILD_HINT}"
            );
        }
        let raw = bollard::Docker::connect_with_defaults().expect("bollard client");
        Self {
            runtime,
            engine,
            raw,
        }
    }

    /// Names of the volumes mounted into a container.
    pub fn mounted_volumes(&self, id: &str) -> Vec<String> {
        let inspect = self
            .runtime
            .block_on(self.raw.inspect_container(id, None))
            .expect("inspect container");
        inspect
            .mounts
            .unwrap_or_default()
            .into_iter()
            .filter_map(|mount| mount.name)
            .collect()
    }

    /// Whether a volume of that name exists.
    pub fn volume_exists(&self, name: &str) -> bool {
        self.runtime.block_on(self.raw.inspect_volume(name)).is_ok()
    }

    /// The project's containers.
    pub fn containers(&self, project: &Project) -> Vec<Observed> {
        self.runtime
            .block_on(self.engine.project_containers(project))
            .expect("list containers")
    }

    /// The project's container for `service`.
    pub fn container(&self, project: &Project, service: &str) -> Observed {
        self.containers(project)
            .into_iter()
            .find(|c| c.service.as_deref() == Some(service))
            .unwrap_or_else(|| panic!("{service} should have a container"))
    }

    /// The project's network names.
    pub fn networks(&self, project: &Project) -> Vec<String> {
        self.runtime
            .block_on(self.engine.project_networks(project))
            .expect("list networks")
            .into_iter()
            .map(|(_, name)| name)
            .collect()
    }

    /// The project's volume names.
    pub fn volumes(&self, project: &Project) -> Vec<String> {
        self.runtime
            .block_on(self.engine.project_volumes(project))
            .expect("list volumes")
    }

    /// Stops a container, as a crash or `docker stop` would.
    pub fn stop(&self, id: &str) {
        self.runtime
            .block_on(self.engine.stop(id, id, Duration::from_secs(10)))
            .expect("stop container");
    }
}

/// A finished `mediaflow` run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl Run {
    /// Fails the test with both outputs unless the exit code was 0.
    pub fn expect_success(self, what: &str) -> Self {
        assert_eq!(
            self.code, 0,
            "{what} must succeed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A workspace in a temporary directory; dropping it runs `down --volumes`.
pub struct TestWorkspace {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl TestWorkspace {
    /// A workspace whose `infrastructure/infra.yaml` is `spec`.
    pub fn with_spec(spec: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("mediaflow-e2e-")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical tempdir");
        let workspace = Self { dir, root };
        workspace.write_spec(spec);
        workspace
    }

    /// Replaces the spec.
    pub fn write_spec(&self, spec: &str) {
        let path = self.root.join("infrastructure/infra.yaml");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, spec).expect("write spec");
    }

    /// Writes `.mediaflow/config.yaml`.
    pub fn write_config(&self, config: &str) {
        let path = self.root.join(".mediaflow/config.yaml");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, config).expect("write config");
    }

    /// The project the workspace maps to.
    pub fn project(&self) -> Project {
        Project::for_workspace(&self.root)
    }

    /// The settings file, parsed; empty when absent.
    pub fn settings(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.root.join(".mediaflow/infra.env"))
            .map(|text| parse_env_file(&text))
            .unwrap_or_default()
    }

    /// Runs `mediaflow --workspace <root> args…` with colours off and a bounded wait.
    pub fn mediaflow<S: AsRef<str>>(&self, args: &[S]) -> Run {
        run_mediaflow(Some(&self.root), args)
    }

    /// Path of the temporary directory (kept for messages).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestWorkspace {
    fn drop(&mut self) {
        // Runs during unwinding too, so it must not panic: report and move on.
        match try_run_mediaflow(Some(&self.root), &["down", "--volumes"]) {
            Ok(run) if run.code == 0 => {}
            Ok(run) => eprintln!(
                "cleanup of {} failed ({}): {}",
                self.dir().display(),
                run.code,
                run.stderr
            ),
            Err(error) => eprintln!("cleanup of {} failed: {error}", self.dir().display()),
        }
    }
}

/// Runs the binary under test. Kills it and fails the test after
/// [`COMMAND_TIMEOUT`].
pub fn run_mediaflow<S: AsRef<str>>(workspace: Option<&Path>, args: &[S]) -> Run {
    try_run_mediaflow(workspace, args).unwrap_or_else(|error| panic!("{error}"))
}

/// [`run_mediaflow`] without panicking: `Err` when it cannot start or does not finish.
pub fn try_run_mediaflow<S: AsRef<str>>(
    workspace: Option<&Path>,
    args: &[S],
) -> Result<Run, String> {
    let shown: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mediaflow"));
    if let Some(root) = workspace {
        command.arg("--workspace").arg(root);
    }
    command
        .args(&shown)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start mediaflow: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ignored = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ignored = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ignored = child.kill();
                let _ignored = child.wait();
                return Err(format!(
                    "`mediaflow {}` did not finish within {}s\n--- stderr\n{}",
                    shown.join(" "),
                    COMMAND_TIMEOUT.as_secs(),
                    err.join().unwrap_or_default()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for mediaflow: {e}")),
        }
    };
    Ok(Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    })
}

/// Sends `PING` to Redis at `127.0.0.1:port` and returns the raw reply.
pub fn redis_ping(port: u16) -> String {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to redis on {port}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream.write_all(b"PING\r\n").expect("send PING");
    let mut reply = [0_u8; 7];
    stream.read_exact(&mut reply).expect("read reply");
    String::from_utf8_lossy(&reply).into_owned()
}

/// The port of a `scheme://…@127.0.0.1:PORT/…` URL.
pub fn port_of(url: &str) -> u16 {
    let after_host = url
        .split("127.0.0.1:")
        .nth(1)
        .unwrap_or_else(|| panic!("{url} should point at 127.0.0.1"));
    let digits: String = after_host
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{url} should carry a port"))
}
