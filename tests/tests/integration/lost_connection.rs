//! A lost connection mid-run is an error, never a hang, and the real backends
//! recover from it by themselves (issue 8). Each test starts a **private**
//! throwaway server with its backend's `infrastructure/local/*.sh` script (its own
//! directory under a temporary one, so the suites' shared servers are never
//! touched), makes one call, stops the server, asserts the next call fails within
//! a bound with the adapter's "unavailable" error naming the URL (password
//! redacted), starts the server again on the same port and asserts the same
//! adapter object's next call succeeds. A restarted server is a fresh one: what
//! the adapter made before (schema, bucket, queue) must be made again by itself
//! or by the caller, as after any server replacement.
//!
//! `frozen::` freezes a server instead (`SIGSTOP`: its sockets stay open and
//! silent, as behind a partition): the call fails at the adapter's own bound on a
//! round trip, and the adapter goes on once the server is thawed.
//!
//! Without the server program a test prints "skipped: <binary> not installed" and
//! passes; CI installs them all. Each test prints its timings on stderr.

#[path = "lost_connection/frozen.rs"]
mod frozen;
#[path = "lost_connection/outage.rs"]
mod outage;
#[path = "lost_connection/postgres.rs"]
mod postgres;
#[path = "lost_connection/rabbitmq.rs"]
mod rabbitmq;
#[path = "lost_connection/redis.rs"]
mod redis;
#[path = "lost_connection/s3.rs"]
mod s3;
#[path = "lost_connection/server.rs"]
mod server;
