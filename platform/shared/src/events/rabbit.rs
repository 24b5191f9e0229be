//! The event bus on a RabbitMQ broker over AMQP 0-9-1 (`lapin` on tokio): the same
//! contract as the embedded broker, selected by `MEDIAFLOW_AMQP_URL`.

mod bus;
mod consumer;
mod convert;
mod link;
mod settings;

pub use bus::RabbitBus;
pub use settings::{AMQP_URL_VAR, AmqpSettings};
