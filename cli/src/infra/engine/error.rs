//! Errors talking to the Docker engine, worded for the person at the terminal.

use super::super::spec::{ImageRef, ServiceName};

/// Something went wrong reaching or using the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// `DOCKER_HOST` names a transport this build does not speak.
    #[error(
        "DOCKER_HOST={host} is not supported; set it to unix:///path/to/docker.sock or tcp://host:port, or unset it"
    )]
    UnsupportedHost {
        /// The value of `DOCKER_HOST`.
        host: String,
    },
    /// No candidate endpoint answered a ping.
    #[error(
        "no Docker engine is reachable ({tried}) and the Docker infrastructure needs one — start Docker or set DOCKER_HOST, or do without it: the embedded infrastructure, the default, needs no Docker"
    )]
    Unreachable {
        /// Each endpoint tried and why it failed, `; `-separated.
        tried: String,
    },
    /// An API call failed.
    #[error("cannot {action}: {source}")]
    Api {
        /// What was being done, e.g. `create container mediaflow-ab12-redis`.
        action: String,
        /// The engine's answer (boxed: bollard's error is large).
        #[source]
        source: Box<bollard::errors::Error>,
    },
    /// Pulling a missing image failed (no registry access, unknown name or tag).
    #[error(
        "cannot pull {image} for {service}: {source}; check the name and registry access, or use a local image with --image {service}=REF (infrastructure/images/build.sh builds some)"
    )]
    Pull {
        /// The service needing the image.
        service: ServiceName,
        /// The image.
        image: ImageRef,
        /// The engine's answer (boxed: bollard's error is large).
        #[source]
        source: Box<bollard::errors::Error>,
    },
    /// The engine reported a pull complete but does not have the image.
    #[error(
        "the engine pulled {image} but does not list it; run `docker image ls` and retry `mediaflow up`"
    )]
    MissingAfterPull {
        /// The image.
        image: ImageRef,
    },
}

impl EngineError {
    /// A closure mapping a bollard error to [`EngineError::Api`] with `action` as context.
    pub fn api(action: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> Self {
        let action = action.into();
        move |source| Self::Api {
            action,
            source: Box::new(source),
        }
    }
}

/// Whether the engine answered 404 (no such image, container, network or volume).
pub fn is_not_found(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
