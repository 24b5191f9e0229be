//! Network partitions between named services. Outbound calls consult
//! [`NetworkFaults::check`] before leaving the process, so a partition cuts both
//! directions of traffic between two services while each keeps running.

use std::collections::BTreeSet;
use std::sync::Mutex;

use thiserror::Error;

/// The call crossed an active partition.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("network partition: `{from}` cannot reach `{to}`")]
pub struct Partitioned {
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
}

/// The set of active partitions; empty in production.
#[derive(Debug, Default)]
pub struct NetworkFaults {
    /// Unordered pairs, stored with the smaller name first.
    cut: Mutex<BTreeSet<(String, String)>>,
    /// Services cut off from everyone (a killed or isolated host).
    isolated: Mutex<BTreeSet<String>>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

impl NetworkFaults {
    /// No partitions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cuts traffic between `a` and `b`, both directions.
    pub fn partition(&self, a: &str, b: &str) {
        self.cut.lock().expect("faults poisoned").insert(pair(a, b));
    }

    /// Restores traffic between `a` and `b`.
    pub fn heal(&self, a: &str, b: &str) {
        self.cut
            .lock()
            .expect("faults poisoned")
            .remove(&pair(a, b));
    }

    /// Cuts `service` off from every other service.
    pub fn isolate(&self, service: &str) {
        self.isolated
            .lock()
            .expect("faults poisoned")
            .insert(service.to_owned());
    }

    /// Removes every partition and isolation.
    pub fn heal_all(&self) {
        self.cut.lock().expect("faults poisoned").clear();
        self.isolated.lock().expect("faults poisoned").clear();
    }

    /// Whether `from` can reach `to` right now.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        if from == to {
            return true;
        }
        let isolated = self.isolated.lock().expect("faults poisoned");
        if isolated.contains(from) || isolated.contains(to) {
            return false;
        }
        !self
            .cut
            .lock()
            .expect("faults poisoned")
            .contains(&pair(from, to))
    }

    /// `Ok` when `from` can reach `to`, else the partition as an error.
    pub fn check(&self, from: &str, to: &str) -> Result<(), Partitioned> {
        if self.allows(from, to) {
            Ok(())
        } else {
            Err(Partitioned {
                from: from.to_owned(),
                to: to.to_owned(),
            })
        }
    }
}
