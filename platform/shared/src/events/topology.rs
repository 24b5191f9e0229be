//! Topology declared at startup: the exchanges, queues and bindings a service
//! needs, checked for consistency before anything is declared on the bus, so a
//! missing exchange or dead-letter exchange fails startup instead of silently
//! losing messages later.

use thiserror::Error;

use crate::events::{BusError, EventBus, ExchangeSpec, QueueSpec};

/// One binding of a queue to an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binding {
    /// The bound queue.
    pub queue: String,
    /// The exchange it listens to.
    pub exchange: String,
    /// Key (or topic pattern) the exchange matches routing keys against.
    pub binding_key: String,
}

/// Why a topology cannot be declared.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TopologyError {
    /// An exchange or queue name the broker would refuse.
    #[error(
        "`{name}` is not a valid exchange or queue name; use a non-empty name outside the reserved `amq.` prefix"
    )]
    InvalidName {
        /// The refused name.
        name: String,
    },
    /// Two fragments declare the same name with different settings.
    #[error(
        "`{name}` is declared twice with different settings ({first} vs {second}); make the fragments agree"
    )]
    Conflict {
        /// The exchange or queue.
        name: String,
        /// The first declaration, as debug text.
        first: String,
        /// The conflicting one.
        second: String,
    },
    /// A queue dead-letters to an exchange this topology does not declare.
    #[error(
        "queue `{queue}` dead-letters to exchange `{exchange}`, which this topology does not declare; add the exchange or its rejected messages are lost"
    )]
    MissingDeadLetterExchange {
        /// The queue naming the exchange.
        queue: String,
        /// The missing exchange.
        exchange: String,
    },
    /// A binding names an exchange this topology does not declare.
    #[error(
        "binding of queue `{queue}` with key `{binding_key}` names exchange `{exchange}`, which this topology does not declare; add the exchange"
    )]
    MissingExchange {
        /// The bound queue.
        queue: String,
        /// The missing exchange.
        exchange: String,
        /// The binding key.
        binding_key: String,
    },
    /// A binding names a queue this topology does not declare.
    #[error(
        "binding to exchange `{exchange}` names queue `{queue}`, which this topology does not declare; add the queue"
    )]
    MissingQueue {
        /// The missing queue.
        queue: String,
        /// The exchange of the binding.
        exchange: String,
    },
    /// The bus refused a declaration.
    #[error("declaring the topology failed: {0}")]
    Bus(#[from] BusError),
}

/// The exchanges, queues and bindings of one service (or, merged, of several).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    exchanges: Vec<ExchangeSpec>,
    queues: Vec<QueueSpec>,
    bindings: Vec<Binding>,
}

/// Whether a name is one the broker accepts for a declaration.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with("amq.")
}

/// Appends `item` unless an identical one is already there.
fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// Finds two declarations of one name that disagree.
fn first_conflict<T: std::fmt::Debug + PartialEq>(
    items: &[T],
    name: impl Fn(&T) -> &str,
) -> Option<TopologyError> {
    items.iter().enumerate().find_map(|(index, first)| {
        items[index + 1..]
            .iter()
            .find(|second| name(second) == name(first) && *second != first)
            .map(|second| TopologyError::Conflict {
                name: name(first).to_owned(),
                first: format!("{first:?}"),
                second: format!("{second:?}"),
            })
    })
}

impl Topology {
    /// An empty topology.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an exchange.
    #[must_use]
    pub fn exchange(mut self, spec: ExchangeSpec) -> Self {
        push_unique(&mut self.exchanges, spec);
        self
    }

    /// Adds a queue.
    #[must_use]
    pub fn queue(mut self, spec: QueueSpec) -> Self {
        push_unique(&mut self.queues, spec);
        self
    }

    /// Binds `queue` to `exchange` with `binding_key`.
    #[must_use]
    pub fn bind(
        mut self,
        queue: impl Into<String>,
        exchange: impl Into<String>,
        binding_key: impl Into<String>,
    ) -> Self {
        let binding = Binding {
            queue: queue.into(),
            exchange: exchange.into(),
            binding_key: binding_key.into(),
        };
        push_unique(&mut self.bindings, binding);
        self
    }

    /// Combines two fragments (each service owns one); identical declarations
    /// appear once, conflicting ones are kept for [`Self::validate`] to report.
    #[must_use]
    pub fn merge(mut self, other: Self) -> Self {
        for spec in other.exchanges {
            push_unique(&mut self.exchanges, spec);
        }
        for spec in other.queues {
            push_unique(&mut self.queues, spec);
        }
        for binding in other.bindings {
            push_unique(&mut self.bindings, binding);
        }
        self
    }

    /// The declared exchanges, in declaration order.
    pub fn exchanges(&self) -> &[ExchangeSpec] {
        &self.exchanges
    }

    /// The declared queues, in declaration order.
    pub fn queues(&self) -> &[QueueSpec] {
        &self.queues
    }

    /// The bindings, in declaration order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    fn declares_exchange(&self, name: &str) -> bool {
        self.exchanges.iter().any(|spec| spec.name == name)
    }

    fn declares_queue(&self, name: &str) -> bool {
        self.queues.iter().any(|spec| spec.name == name)
    }

    /// Checks the topology is self-contained: valid names, no conflicting
    /// declarations, every dead-letter exchange and every binding's exchange and
    /// queue declared here. The default exchange (`""`) always exists as a
    /// dead-letter target, but cannot be bound to.
    pub fn validate(&self) -> Result<(), TopologyError> {
        let names = self
            .exchanges
            .iter()
            .map(|spec| spec.name.as_str())
            .chain(self.queues.iter().map(|spec| spec.name.as_str()));
        for name in names {
            if !valid_name(name) {
                return Err(TopologyError::InvalidName {
                    name: name.to_owned(),
                });
            }
        }
        if let Some(conflict) = first_conflict(&self.exchanges, |spec| &spec.name) {
            return Err(conflict);
        }
        if let Some(conflict) = first_conflict(&self.queues, |spec| &spec.name) {
            return Err(conflict);
        }
        for queue in &self.queues {
            if let Some(exchange) = &queue.dead_letter_exchange
                && !exchange.is_empty()
                && !self.declares_exchange(exchange)
            {
                return Err(TopologyError::MissingDeadLetterExchange {
                    queue: queue.name.clone(),
                    exchange: exchange.clone(),
                });
            }
        }
        for binding in &self.bindings {
            if !valid_name(&binding.exchange) {
                return Err(TopologyError::InvalidName {
                    name: binding.exchange.clone(),
                });
            }
            if !self.declares_exchange(&binding.exchange) {
                return Err(TopologyError::MissingExchange {
                    queue: binding.queue.clone(),
                    exchange: binding.exchange.clone(),
                    binding_key: binding.binding_key.clone(),
                });
            }
            if !self.declares_queue(&binding.queue) {
                return Err(TopologyError::MissingQueue {
                    queue: binding.queue.clone(),
                    exchange: binding.exchange.clone(),
                });
            }
        }
        Ok(())
    }

    /// Validates, then declares exchanges, queues and bindings in that order, so
    /// nothing is bound before both ends exist. Safe to run at every startup:
    /// identical declarations are no-ops on the bus.
    pub async fn declare(&self, bus: &dyn EventBus) -> Result<(), TopologyError> {
        self.validate()?;
        for spec in &self.exchanges {
            bus.declare_exchange(spec).await?;
        }
        for spec in &self.queues {
            bus.declare_queue(spec).await?;
        }
        for binding in &self.bindings {
            bus.bind_queue(&binding.queue, &binding.exchange, &binding.binding_key)
                .await?;
        }
        Ok(())
    }
}
