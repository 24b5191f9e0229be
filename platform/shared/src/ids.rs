//! Identifier generation. Ids come from an injected, seedable generator so that a
//! test run is reproducible and two generators never share state by accident.

use std::sync::Mutex;

use uuid::Uuid;

/// Generates version-4 UUIDs from a seedable PRNG.
#[derive(Debug)]
pub struct IdGenerator {
    rng: Mutex<fastrand::Rng>,
}

impl IdGenerator {
    /// A generator seeded from the OS (production).
    pub fn random() -> Self {
        Self {
            rng: Mutex::new(fastrand::Rng::new()),
        }
    }

    /// A reproducible generator (tests).
    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
        }
    }

    /// The next random UUID.
    pub fn uuid(&self) -> Uuid {
        let bits = self.rng.lock().expect("id generator poisoned").u128(..);
        uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid()
    }

    /// The next id as lowercase hyphenated text, with a prefix (`"evt"` → `evt_…`).
    pub fn prefixed(&self, prefix: &str) -> String {
        format!("{prefix}_{}", self.uuid().simple())
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::random()
    }
}
