//! Signing keys identified by `kid`, so keys rotate without invalidating every
//! token at once: new tokens use the active key, older kids still verify until retired.

use std::collections::BTreeMap;
use std::fmt;

use thiserror::Error;

/// Shortest accepted HMAC key: as long as the SHA-256 output (RFC 7518 §3.2).
pub const MIN_KEY_BYTES: usize = 32;

/// Errors building key sets.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The key is too short to be safe.
    #[error("key `{kid}` has {len} bytes; HS256 keys need at least {MIN_KEY_BYTES}")]
    TooShort {
        /// Key id.
        kid: String,
        /// Its length.
        len: usize,
    },
    /// An empty or non-printable key id.
    #[error("key id `{0}` must be 1-64 characters of [A-Za-z0-9._-]")]
    BadKid(String),
    /// The active key is not in the set.
    #[error("active key `{0}` is not in the key set")]
    UnknownActive(String),
}

/// One HMAC key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    kid: String,
    secret: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A validated key.
    pub fn new(kid: &str, secret: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let secret = secret.into();
        let kid_ok = !kid.is_empty()
            && kid.len() <= 64
            && kid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !kid_ok {
            return Err(KeyError::BadKid(kid.to_owned()));
        }
        if secret.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                kid: kid.to_owned(),
                len: secret.len(),
            });
        }
        Ok(Self {
            kid: kid.to_owned(),
            secret,
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// The keys a deployment knows: one active for signing, all for verifying.
#[derive(Debug, Clone)]
pub struct KeySet {
    active: String,
    keys: BTreeMap<String, SigningKey>,
}

impl KeySet {
    /// A set with one key, active.
    pub fn single(key: SigningKey) -> Self {
        let active = key.kid.clone();
        Self {
            active,
            keys: BTreeMap::from([(key.kid.clone(), key)]),
        }
    }

    /// A set of keys with `active` used for signing.
    pub fn new(active: &str, keys: impl IntoIterator<Item = SigningKey>) -> Result<Self, KeyError> {
        let keys: BTreeMap<_, _> = keys.into_iter().map(|k| (k.kid.clone(), k)).collect();
        if !keys.contains_key(active) {
            return Err(KeyError::UnknownActive(active.to_owned()));
        }
        Ok(Self {
            active: active.to_owned(),
            keys,
        })
    }

    /// Adds a key and makes it active (rotation); older keys keep verifying.
    pub fn rotate_to(&mut self, key: SigningKey) {
        self.active = key.kid.clone();
        self.keys.insert(key.kid.clone(), key);
    }

    /// Stops accepting a key. The active key cannot be retired.
    pub fn retire(&mut self, kid: &str) -> bool {
        kid != self.active && self.keys.remove(kid).is_some()
    }

    /// The signing key.
    pub fn active(&self) -> &SigningKey {
        &self.keys[&self.active]
    }

    /// A verification key by id.
    pub fn get(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.get(kid)
    }
}
