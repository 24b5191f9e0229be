//! The bus's connection to RabbitMQ: opened lazily, replaced when it is found closed
//! or when the tokio runtime that opened it is gone (its heartbeat and RPC tasks
//! live there), every round trip bounded by a timeout, and AMQP errors translated
//! into [`BusError`]s that name the broker with the password redacted.

use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Duration;

use lapin::options::ConfirmSelectOptions;
use lapin::protocol::AMQPError;
use lapin::types::ShortString;
use lapin::{Channel, Connection, ConnectionProperties, ErrorKind};
use tokio::sync::Mutex;

use super::settings::AmqpSettings;
use crate::events::BusError;

/// How long opening a connection may take before [`BusError::Unavailable`].
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on one round trip; a lost broker fails at this point, never hangs.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// AMQP reply code of a missing exchange or queue.
const NOT_FOUND: u16 = 404;
/// AMQP reply code of an inequivalent re-declaration.
const PRECONDITION_FAILED: u16 = 406;
/// AMQP reply code of a refused name (the reserved `amq.` prefix).
const ACCESS_REFUSED: u16 = 403;

/// An open connection and the channel publishes go through.
struct Open {
    connection: Arc<Connection>,
    /// Publisher-confirm channel, shared by every publish; replaced once closed
    /// (a publish to a missing exchange closes it with a 404).
    publisher: Option<Channel>,
    /// Alive while the runtime that opened the connection is: a task spawned there
    /// holds the only strong reference.
    runtime: Weak<()>,
}

impl Open {
    fn usable(&self) -> bool {
        self.runtime.strong_count() > 0 && self.connection.status().connected()
    }
}

/// What a failed AMQP operation means for the bus.
#[derive(Debug)]
pub(super) enum Failure {
    /// The broker answered with a channel or connection error (404, 406, ...).
    Refused(AMQPError),
    /// The channel was closed under the operation (by another operation's error,
    /// or because the connection went away).
    ChannelClosed,
    /// The broker could not be reached or did not answer in time.
    Unavailable(String),
}

impl Failure {
    /// The bus error of a failure that leaves nothing better to say than "unavailable".
    fn into_unavailable(self, link: &Link, what: &str) -> BusError {
        match self {
            Self::Refused(error) => link.unavailable(what, error),
            Self::ChannelClosed => link.unavailable(what, "the channel closed"),
            Self::Unavailable(message) => BusError::Unavailable(message),
        }
    }
}

/// Converts user text to an AMQP short string (at most 255 bytes).
pub(super) fn short(text: &str) -> Result<ShortString, BusError> {
    ShortString::try_new(text).map_err(|_| BusError::InvalidName(text.to_owned()))
}

/// The connection of one [`super::RabbitBus`] (shared by its clones).
pub(super) struct Link {
    settings: AmqpSettings,
    open: Mutex<Option<Open>>,
}

impl Link {
    pub(super) fn new(settings: AmqpSettings) -> Self {
        Self {
            settings,
            open: Mutex::new(None),
        }
    }

    pub(super) fn redacted_url(&self) -> &str {
        self.settings.redacted_url()
    }

    /// An `Unavailable` error naming the broker.
    pub(super) fn unavailable(&self, what: &str, cause: impl std::fmt::Display) -> BusError {
        BusError::Unavailable(format!(
            "RabbitMQ at {} ({what}): {cause}",
            self.redacted_url()
        ))
    }

    /// Classifies a lapin error.
    pub(super) fn failure(&self, what: &str, error: &lapin::Error) -> Failure {
        match error.kind() {
            ErrorKind::ProtocolError(amqp) => Failure::Refused(amqp.clone()),
            ErrorKind::InvalidChannelState(..) => Failure::ChannelClosed,
            _ => Failure::Unavailable(self.unavailable(what, error).to_string()),
        }
    }

    /// Runs one round trip bounded by [`CALL_TIMEOUT`]; on a timeout the connection
    /// is dropped (unless the caller holds it locked, and then drops it itself).
    pub(super) async fn bounded<T>(
        &self,
        what: &str,
        call: impl Future<Output = lapin::Result<T>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(self.failure(what, &error)),
            Err(_) => {
                if let Ok(mut open) = self.open.try_lock() {
                    open.take();
                }
                Err(Failure::Unavailable(
                    self.unavailable(
                        what,
                        format!("no answer within {CALL_TIMEOUT:?}; the connection may be lost"),
                    )
                    .to_string(),
                ))
            }
        }
    }

    /// The open connection in `slot`, opening one when there is none or it is
    /// unusable. The caller holds the lock, so concurrent callers open one between them.
    async fn ensure<'a>(&self, slot: &'a mut Option<Open>) -> Result<&'a mut Open, BusError> {
        if slot.as_ref().is_some_and(Open::usable) {
            return slot
                .as_mut()
                .ok_or_else(|| self.unavailable("connect", "the connection vanished"));
        }
        slot.take();
        let properties = ConnectionProperties::default().with_connection_name("mediaflow".into());
        let connecting = Connection::connect_uri(self.settings.uri().clone(), properties);
        let connection = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
            Ok(Ok(connection)) => Arc::new(connection),
            Ok(Err(error)) => return Err(self.unavailable("connect", error)),
            Err(_) => {
                return Err(self.unavailable(
                    "connect",
                    format!("no connection within {CONNECT_TIMEOUT:?}"),
                ));
            }
        };
        let sentinel = Arc::new(());
        let runtime = Arc::downgrade(&sentinel);
        tokio::spawn(async move {
            let _alive = sentinel;
            std::future::pending::<()>().await;
        });
        Ok(slot.insert(Open {
            connection,
            publisher: None,
            runtime,
        }))
    }

    /// A fresh channel; callers drop it when done (dropping closes it).
    pub(super) async fn channel(&self) -> Result<Channel, BusError> {
        let connection = {
            let mut slot = self.open.lock().await;
            Arc::clone(&self.ensure(&mut slot).await?.connection)
        };
        match self
            .bounded("open a channel", connection.create_channel())
            .await
        {
            Ok(channel) => Ok(channel),
            Err(failure) => {
                self.open.lock().await.take();
                Err(failure.into_unavailable(self, "open a channel"))
            }
        }
    }

    /// The shared publisher-confirm channel, opened when missing or closed. Opening
    /// happens under the lock, so a burst of publishes opens one channel, not one each.
    pub(super) async fn publisher(&self) -> Result<Channel, BusError> {
        let mut slot = self.open.lock().await;
        let open = self.ensure(&mut slot).await?;
        if let Some(channel) = open
            .publisher
            .as_ref()
            .filter(|channel| channel.status().connected())
        {
            return Ok(channel.clone());
        }
        let connection = Arc::clone(&open.connection);
        let opened = async {
            let channel = connection.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            Ok(channel)
        };
        match self.bounded("open the publishing channel", opened).await {
            Ok(channel) => {
                open.publisher = Some(channel.clone());
                Ok(channel)
            }
            Err(failure) => {
                slot.take();
                Err(failure.into_unavailable(self, "open the publishing channel"))
            }
        }
    }
}

/// The reply code of a broker refusal.
pub(super) fn code(error: &AMQPError) -> u16 {
    error.get_id()
}

/// Maps a refusal of a declaration or binding to the bus's error.
pub(super) fn refusal(error: &AMQPError, exchange: &str, queue: &str, name: &str) -> BusError {
    let text = error.get_message().as_str();
    match code(error) {
        NOT_FOUND if text.contains("no exchange") => {
            BusError::ExchangeNotFound(exchange.to_owned())
        }
        NOT_FOUND => BusError::QueueNotFound(queue.to_owned()),
        PRECONDITION_FAILED => BusError::PreconditionFailed {
            name: name.to_owned(),
            reason: text.to_owned(),
        },
        ACCESS_REFUSED if name.starts_with("amq.") => BusError::InvalidName(name.to_owned()),
        other => BusError::Unavailable(format!("RabbitMQ refused with {other}: {text}")),
    }
}
