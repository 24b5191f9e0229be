//! Password hashing with Argon2id: PHC-string hashes with per-password salts, costs
//! from the settings, verification that also serves unknown accounts (against a
//! dummy hash, so an unknown email costs as much as a wrong password), and
//! detection of hashes made with outdated costs so logins can upgrade them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;

use crate::domain::Password;

/// Salt length in bytes (RFC 9106 recommends 16).
const SALT_BYTES: usize = 16;

/// The password the dummy hash is made from; it is never compared with anything
/// that matters, only spent time on.
const DUMMY_PASSWORD: &str = "mediaflow-auth-dummy-password-for-unknown-accounts";

/// Argon2id costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingParams {
    /// Memory per hash in KiB (`m`).
    pub memory_kib: u32,
    /// Passes over the memory (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

impl HashingParams {
    /// The OWASP recommendation for Argon2id: m = 19 MiB, t = 2, p = 1.
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// The argon2 parameters, validated.
    pub fn argon2(&self) -> Result<Params, HashingError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| HashingError::Params(e.to_string()))
    }
}

impl Default for HashingParams {
    fn default() -> Self {
        Self::OWASP
    }
}

/// Errors of hashing and verification.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HashingError {
    /// The configured costs are outside what Argon2 accepts.
    #[error(
        "argon2 parameters rejected ({0}); use memory of at least 8 KiB per lane, iterations and parallelism of at least 1"
    )]
    Params(String),
    /// Hashing itself failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// A stored hash cannot be parsed.
    #[error("a stored password hash is unreadable ({0}); reset that account's password")]
    Corrupt(String),
}

/// How much hashing work was done, for tests that count work instead of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashingStats {
    /// New hashes computed (registrations, upgrades).
    pub hashes: u64,
    /// Verifications run, against real or dummy hashes.
    pub verifications: u64,
}

/// Hashes and verifies passwords with Argon2id.
#[derive(Debug)]
pub struct PasswordHasher {
    /// The costs new hashes use.
    params: HashingParams,
    /// The configured hasher.
    argon: Argon2<'static>,
    /// Salt source: seeded, so tests reproduce; salts need uniqueness, not secrecy.
    salts: Mutex<fastrand::Rng>,
    /// A hash at the current costs, verified against when the account is unknown.
    dummy: String,
    /// Hashes computed.
    hashes: AtomicU64,
    /// Verifications run.
    verifications: AtomicU64,
}

impl PasswordHasher {
    /// A hasher with `params`, drawing salts from a generator seeded with `salt_seed`.
    /// Computes the dummy hash once, up front.
    pub fn new(params: HashingParams, salt_seed: u64) -> Result<Self, HashingError> {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.argon2()?);
        let mut hasher = Self {
            params,
            argon,
            salts: Mutex::new(fastrand::Rng::with_seed(salt_seed)),
            dummy: String::new(),
            hashes: AtomicU64::new(0),
            verifications: AtomicU64::new(0),
        };
        hasher.dummy = hasher.hash_uncounted(&Password::new(DUMMY_PASSWORD))?;
        Ok(hasher)
    }

    /// The costs new hashes use.
    pub fn params(&self) -> HashingParams {
        self.params
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password`.
    pub fn hash(&self, password: &Password) -> Result<String, HashingError> {
        self.hashes.fetch_add(1, Ordering::Relaxed);
        self.hash_uncounted(password)
    }

    fn hash_uncounted(&self, password: &Password) -> Result<String, HashingError> {
        let mut bytes = [0u8; SALT_BYTES];
        self.salts
            .lock()
            .expect("salt generator poisoned")
            .fill(&mut bytes);
        let salt = SaltString::encode_b64(&bytes).map_err(|e| HashingError::Hash(e.to_string()))?;
        self.argon
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| HashingError::Hash(e.to_string()))
    }

    /// Whether `password` matches the stored `phc` hash. The costs come from the
    /// hash, so hashes made with older settings still verify. The comparison of
    /// the outputs is constant-time.
    pub fn verify(&self, password: &Password, phc: &str) -> Result<bool, HashingError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let parsed = PasswordHash::new(phc).map_err(|e| HashingError::Corrupt(e.to_string()))?;
        match self
            .argon
            .verify_password(password.expose().as_bytes(), &parsed)
        {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::Password) => Ok(false),
            Err(e) => Err(HashingError::Hash(e.to_string())),
        }
    }

    /// Spends the time of one verification without an account, so "no such user"
    /// and "wrong password" take equally long. Always `false`.
    pub fn verify_unknown(&self, password: &Password) -> Result<bool, HashingError> {
        self.verify(password, &self.dummy).map(|_| false)
    }

    /// Whether a stored hash was made with another algorithm or other costs than
    /// the current ones, and should be replaced at the next successful login.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        if parsed.algorithm != Algorithm::Argon2id.ident() {
            return true;
        }
        match Params::try_from(&parsed) {
            Ok(stored) => {
                stored.m_cost() != self.params.memory_kib
                    || stored.t_cost() != self.params.iterations
                    || stored.p_cost() != self.params.parallelism
            }
            Err(_) => true,
        }
    }

    /// Work done so far.
    pub fn stats(&self) -> HashingStats {
        HashingStats {
            hashes: self.hashes.load(Ordering::Relaxed),
            verifications: self.verifications.load(Ordering::Relaxed),
        }
    }
}
