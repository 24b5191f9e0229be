//! SQL access of the billing service: parameterised statements only, written to
//! run on SQLite and PostgreSQL alike. Reads and writes take a [`Db`], so the same
//! function runs on the store or inside a caller's transaction.

mod db;
pub mod idempotency;
pub mod invoices;
pub mod plans;
pub mod refunds;
mod rows;
pub mod subscriptions;

pub use db::Db;
