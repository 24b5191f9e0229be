//! End-to-end tests of `mediaflow up / status / logs / down` against the real Docker
//! engine, with the local images built by infrastructure/images/build.sh (no registry).
//! Each test has its own workspace (so its own project label) and cleans up on drop.

#[path = "infra_e2e/failure.rs"]
mod failure;
#[path = "infra_e2e/lifecycle.rs"]
mod lifecycle;
#[path = "infra_e2e/pg.rs"]
mod pg;
#[path = "infra_e2e/reconcile.rs"]
mod reconcile;
#[path = "infra_e2e/support.rs"]
mod support;
