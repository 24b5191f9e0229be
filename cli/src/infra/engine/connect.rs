//! Finding and reaching the engine: `DOCKER_HOST` when set, else the usual sockets
//! (`/var/run/docker.sock`, Docker Desktop's `~/.docker/run/docker.sock`, rootless
//! `$XDG_RUNTIME_DIR/docker.sock`); ping with a short timeout; negotiate the API version.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use super::{Engine, EngineError};

/// Seconds bollard waits for response headers of one request. Long enough for a slow
/// `stop` (grace period) or image inspect on a busy machine; streaming bodies (pulls,
/// followed logs) are not bounded by it.
const REQUEST_TIMEOUT_SECS: u64 = 120;

/// The parts of the process environment that decide where the engine is; read once at
/// the edge and passed in, so discovery is testable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineEnv {
    /// `DOCKER_HOST`, when set and non-empty.
    pub docker_host: Option<String>,
    /// `HOME`, for Docker Desktop's socket.
    pub home: Option<PathBuf>,
    /// `XDG_RUNTIME_DIR`, for rootless Docker's socket.
    pub xdg_runtime_dir: Option<PathBuf>,
}

/// One place an engine may listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket.
    Unix(PathBuf),
    /// Plain HTTP, `host:port` (from `tcp://` or `http://`).
    Tcp(String),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{}", path.display()),
            Self::Tcp(address) => write!(f, "tcp://{address}"),
        }
    }
}

/// The endpoints to try, in order: only `DOCKER_HOST` when it is set (the user chose),
/// else the system socket, Docker Desktop's and rootless Docker's.
pub fn candidates(env: &EngineEnv) -> Result<Vec<Endpoint>, EngineError> {
    if let Some(host) = env.docker_host.as_deref().filter(|h| !h.is_empty()) {
        let endpoint = if let Some(path) = host.strip_prefix("unix://") {
            Endpoint::Unix(PathBuf::from(path))
        } else if let Some(address) = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
        {
            Endpoint::Tcp(address.trim_end_matches('/').to_owned())
        } else {
            return Err(EngineError::UnsupportedHost {
                host: host.to_owned(),
            });
        };
        return Ok(vec![endpoint]);
    }
    let mut endpoints = vec![Endpoint::Unix(PathBuf::from("/var/run/docker.sock"))];
    if let Some(home) = &env.home {
        endpoints.push(Endpoint::Unix(home.join(".docker/run/docker.sock")));
    }
    if let Some(runtime) = &env.xdg_runtime_dir {
        endpoints.push(Endpoint::Unix(runtime.join("docker.sock")));
    }
    Ok(endpoints)
}

/// Connects to the first candidate that answers a ping within `ping_timeout`, then
/// negotiates the API version down to what the engine speaks.
pub async fn connect(env: &EngineEnv, ping_timeout: Duration) -> Result<Engine, EngineError> {
    let mut tried = Vec::new();
    for endpoint in candidates(env)? {
        match try_endpoint(&endpoint, ping_timeout).await {
            Ok(docker) => {
                let api_version = docker.client_version().to_string();
                return Ok(Engine {
                    docker,
                    endpoint: endpoint.to_string(),
                    api_version,
                });
            }
            Err(reason) => tried.push(format!("{endpoint}: {reason}")),
        }
    }
    Err(EngineError::Unreachable {
        tried: tried.join("; "),
    })
}

async fn try_endpoint(endpoint: &Endpoint, ping_timeout: Duration) -> Result<Docker, String> {
    let docker = match endpoint {
        Endpoint::Unix(path) => {
            if !path.exists() {
                return Err("no such socket".to_owned());
            }
            let path = path.to_string_lossy();
            Docker::connect_with_unix(&path, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        }
        Endpoint::Tcp(address) => {
            Docker::connect_with_http(address, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        }
    }
    .map_err(|error| error_chain(&error))?;
    let answered = async {
        docker.ping().await?;
        docker.negotiate_version().await
    };
    match tokio::time::timeout(ping_timeout, answered).await {
        Ok(Ok(docker)) => Ok(docker),
        Ok(Err(error)) => Err(error_chain(&error)),
        Err(_) => Err(format!("no answer within {}s", ping_timeout.as_secs_f32())),
    }
}

/// The error and its causes, `: `-joined: bollard's own message for a refused
/// connection ("client error (Connect)") hides the useful part.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_alone_is_tried_when_set() {
        let env = EngineEnv {
            docker_host: Some("tcp://127.0.0.1:2375".to_owned()),
            home: Some(PathBuf::from("/home/ada")),
            xdg_runtime_dir: None,
        };
        assert_eq!(
            candidates(&env).expect("supported"),
            vec![Endpoint::Tcp("127.0.0.1:2375".to_owned())]
        );
    }

    #[test]
    fn without_docker_host_the_system_desktop_and_rootless_sockets_are_tried_in_order() {
        let env = EngineEnv {
            docker_host: None,
            home: Some(PathBuf::from("/home/ada")),
            xdg_runtime_dir: Some(PathBuf::from("/run/user/1000")),
        };
        let shown: Vec<String> = candidates(&env)
            .expect("defaults")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "unix:///var/run/docker.sock",
                "unix:///home/ada/.docker/run/docker.sock",
                "unix:///run/user/1000/docker.sock",
            ]
        );
    }

    #[test]
    fn unsupported_docker_host_schemes_are_an_error_naming_the_fix() {
        let env = EngineEnv {
            docker_host: Some("ssh://me@host".to_owned()),
            ..EngineEnv::default()
        };
        let error = candidates(&env).expect_err("ssh is not supported");
        assert!(
            error.to_string().contains("set it to unix://"),
            "got: {error}"
        );
    }

    #[tokio::test]
    async fn a_missing_socket_is_reported_as_unreachable_in_one_sentence() {
        let env = EngineEnv {
            docker_host: Some("unix:///nonexistent/mediaflow/docker.sock".to_owned()),
            ..EngineEnv::default()
        };
        let error = connect(&env, Duration::from_millis(500))
            .await
            .expect_err("nothing listens there");
        let message = error.to_string();
        assert!(
            message.starts_with("no Docker engine is reachable (unix:///nonexistent/mediaflow/docker.sock: no such socket)")
                && message.contains("embedded infrastructure")
                && !message.contains('\n'),
            "one sentence naming the endpoint and the embedded alternative, got: {message}"
        );
    }
}
