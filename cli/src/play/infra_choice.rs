//! Which infrastructure the challenge tests run on: the embedded backends (always
//! there), or the Docker infrastructure `mediaflow up` started, whose connection
//! settings it wrote to `.mediaflow/infra.env`. By default: Docker when that file
//! exists and every server in it answers, else embedded — and the output says which.
//!
//! The choice reaches the tests as environment variables of the nextest process:
//! `MEDIAFLOW_TEST_INFRA` (`docker` or `embedded`), the settings themselves, and the
//! `MEDIAFLOW_TEST_<BACKEND>_URL` variables the conformance suites read. Embedded runs
//! remove all of them, so a variable exported in the player's shell never half-selects
//! a backend.

use std::collections::BTreeMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use crate::challenge::catalog::Catalog;
use crate::infra::SETTINGS_PATH;
use crate::infra::settings::parse_env_file;

/// The variable naming the choice for the tests.
pub const CHOICE_VAR: &str = "MEDIAFLOW_TEST_INFRA";

/// A server `mediaflow up` can start: its platform setting, the conformance suites'
/// variable for the same server, and its name for people.
struct Server {
    setting: &'static str,
    test_var: &'static str,
    name: &'static str,
}

const SERVERS: &[Server] = &[
    Server {
        setting: "MEDIAFLOW_DATABASE_URL",
        test_var: "MEDIAFLOW_TEST_POSTGRES_URL",
        name: "PostgreSQL",
    },
    Server {
        setting: "MEDIAFLOW_REDIS_URL",
        test_var: "MEDIAFLOW_TEST_REDIS_URL",
        name: "Redis",
    },
    Server {
        setting: "MEDIAFLOW_AMQP_URL",
        test_var: "MEDIAFLOW_TEST_AMQP_URL",
        name: "RabbitMQ",
    },
    Server {
        setting: "MEDIAFLOW_S3_URL",
        test_var: "MEDIAFLOW_TEST_S3_URL",
        name: "S3",
    },
    Server {
        setting: "MEDIAFLOW_CONSUL_URL",
        test_var: "MEDIAFLOW_TEST_CONSUL_URL",
        name: "Consul",
    },
];

/// How long a server gets to accept a connection when checking that it answers.
const ANSWER_WITHIN: Duration = Duration::from_millis(800);

/// What the player asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InfraRequest {
    /// The Docker infrastructure of `mediaflow up` (an error when it is not up).
    Docker,
    /// The in-process backends.
    Embedded,
}

/// The infrastructure a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestInfra {
    /// In-process backends; `why` says why when Docker was not chosen by default.
    Embedded {
        /// Why not Docker (`None` when asked for explicitly).
        why: Option<String>,
    },
    /// The servers of `.mediaflow/infra.env`.
    Docker {
        /// Its `MEDIAFLOW_*` settings.
        settings: BTreeMap<String, String>,
    },
}

/// `--infra docker` when the infrastructure is not there.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0}; start it with `mediaflow up`, or run on the embedded backends with `--infra embedded`"
)]
pub struct DockerUnavailable(pub String);

impl TestInfra {
    /// Resolves `request` (default when `None`) for the workspace at `root`.
    pub fn resolve(root: &Path, request: Option<InfraRequest>) -> Result<Self, DockerUnavailable> {
        if request == Some(InfraRequest::Embedded) {
            return Ok(Self::Embedded { why: None });
        }
        match docker_settings(root) {
            Ok(settings) => Ok(Self::Docker { settings }),
            Err(why) if request.is_none() => Ok(Self::Embedded { why: Some(why) }),
            Err(why) => Err(DockerUnavailable(why)),
        }
    }

    /// `docker` or `embedded`: the value of [`CHOICE_VAR`] and the results cache's key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Embedded { .. } => "embedded",
            Self::Docker { .. } => "docker",
        }
    }

    /// One line for the player: which, and why when it matters.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded { why: None } => "infrastructure: embedded".to_owned(),
            Self::Embedded { why: Some(why) } => format!("infrastructure: embedded ({why})"),
            Self::Docker { settings } => {
                let servers: Vec<&str> = SERVERS
                    .iter()
                    .filter(|server| settings.contains_key(server.setting))
                    .map(|server| server.name)
                    .collect();
                format!(
                    "infrastructure: docker ({}; from {SETTINGS_PATH})",
                    servers.join(", ")
                )
            }
        }
    }

    /// The tests a run is limited to: on embedded infrastructure, every test but those
    /// the catalog says need real servers (`needs_servers`) — without servers they
    /// could only pretend to pass; on Docker, every test.
    pub fn scope(&self, catalog: &Catalog) -> Option<String> {
        match self {
            Self::Embedded { .. } => catalog
                .needs_servers
                .as_ref()
                .map(|filter| format!("not ({filter})")),
            Self::Docker { .. } => None,
        }
    }

    /// The environment of the test process: `(name, Some(value))` to set, `(name,
    /// None)` to remove.
    pub fn environment(&self) -> Vec<(String, Option<String>)> {
        let mut env = vec![(CHOICE_VAR.to_owned(), Some(self.name().to_owned()))];
        match self {
            Self::Embedded { .. } => {
                for server in SERVERS {
                    env.push((server.setting.to_owned(), None));
                    env.push((server.test_var.to_owned(), None));
                }
            }
            Self::Docker { settings } => {
                for (name, value) in settings {
                    env.push((name.clone(), Some(value.clone())));
                }
                for server in SERVERS {
                    let value = settings.get(server.setting).cloned();
                    env.push((server.test_var.to_owned(), value));
                }
            }
        }
        env
    }
}

/// The settings `mediaflow up` wrote, when the file exists and every server answers.
fn docker_settings(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let path = root.join(SETTINGS_PATH);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err("`mediaflow up` has not written .mediaflow/infra.env".to_owned());
        }
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    let settings = parse_env_file(&text);
    for (name, value) in &settings {
        if let Some(address) = server_address(value)
            && !answers(&address)
        {
            return Err(format!(
                "{name} names {address}, which does not answer; is the infrastructure still up (`mediaflow status`)?"
            ));
        }
    }
    Ok(settings)
}

/// `host:port` of a URL with an explicit port (`scheme://[user@]host:port/...`).
pub fn server_address(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (_, port) = host_port.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    Some(host_port.to_owned())
}

fn answers(address: &str) -> bool {
    address
        .to_socket_addrs()
        .ok()
        .into_iter()
        .flatten()
        .any(|socket| TcpStream::connect_timeout(&socket, ANSWER_WITHIN).is_ok())
}
