//! Where the RabbitMQ bus connects: an `amqp://` URL read from `MEDIAFLOW_AMQP_URL`,
//! kept with a redacted copy for every message that names it.

use std::fmt;
use std::sync::Arc;

use lapin::uri::AMQPUri;
use url::Url;

use crate::config::{ConfigError, Env, redacted_url};

/// The variable naming the RabbitMQ broker of the event bus.
pub const AMQP_URL_VAR: &str = "MEDIAFLOW_AMQP_URL";

/// Where the RabbitMQ bus connects, read from `MEDIAFLOW_AMQP_URL`.
#[derive(Clone)]
pub struct AmqpSettings {
    uri: AMQPUri,
    /// The URL with the password replaced by `***`, for messages.
    redacted: Arc<str>,
}

impl fmt::Debug for AmqpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmqpSettings")
            .field("url", &self.redacted)
            .finish()
    }
}

impl AmqpSettings {
    /// Settings from an `amqp://user:password@host:port/vhost` URL (the vhost
    /// percent-encoded: `%2f` is `/`). `amqps://` is refused: the client is built
    /// without a TLS stack.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let parsed = Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
        if parsed.scheme() != "amqp" {
            return Err(format!(
                "an amqp:// URL, not {}:// (TLS is not built in)",
                parsed.scheme()
            ));
        }
        let redacted = redacted_url(&parsed);
        let uri = url
            .parse::<AMQPUri>()
            .map_err(|e| format!("an AMQP URL ({e})"))?;
        Ok(Self {
            uri,
            redacted: Arc::from(redacted),
        })
    }

    /// The settings when `MEDIAFLOW_AMQP_URL` is set, `None` when it is not.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(url) = env.raw(AMQP_URL_VAR) else {
            return Ok(None);
        };
        let settings = Self::from_url(url).map_err(|expected| {
            let shown = Url::parse(url).map_or_else(|_| "***".to_owned(), |u| redacted_url(&u));
            ConfigError::Invalid {
                var: AMQP_URL_VAR.to_owned(),
                value: shown,
                expected,
            }
        })?;
        Ok(Some(settings))
    }

    /// The URL with the password redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The parsed URI the client connects with.
    pub(super) fn uri(&self) -> &AMQPUri {
        &self.uri
    }
}
