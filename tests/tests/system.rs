//! System tests: end-to-end flows across the embedded infrastructure.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "system/embedded_infra.rs"]
mod embedded_infra;
