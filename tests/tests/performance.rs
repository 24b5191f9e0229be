//! Performance tests: counted work (loader calls, messages, queries), never wall time.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "performance/broker_work.rs"]
mod broker_work;
#[path = "performance/event_store_reads.rs"]
mod event_store_reads;
#[path = "performance/single_flight.rs"]
mod single_flight;
