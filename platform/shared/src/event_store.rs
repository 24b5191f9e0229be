//! Event sourcing: streams with optimistic concurrency (append with expected
//! version), snapshots, and projections that apply events in per-aggregate order.
