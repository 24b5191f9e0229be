//! Email addresses as account identifiers: normalised (trimmed, lowercased) so one
//! mailbox maps to exactly one account, and validated against the practical subset
//! of RFC 5321 that mail systems actually deliver to.

use std::fmt;

use thiserror::Error;

/// Longest address a mail system accepts (RFC 5321 path limit minus the brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// Longest part before the `@` (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL_LEN: usize = 64;

/// Longest label of a domain name (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// Characters allowed in the local part besides ASCII letters and digits (the
/// RFC 5322 `atext` set plus the dot, without quoted strings).
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// Why an address was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EmailError {
    /// Nothing but whitespace.
    #[error("email is empty; enter an address such as name@example.com")]
    Empty,
    /// Longer than [`MAX_EMAIL_LEN`].
    #[error("email is longer than {MAX_EMAIL_LEN} characters; use a shorter address")]
    TooLong,
    /// Not exactly one `@` with text on both sides.
    #[error("email must contain exactly one `@` between a name and a domain")]
    Shape,
    /// The part before the `@` has characters or dots mail systems refuse.
    #[error(
        "the part before `@` is invalid; use at most 64 letters, digits or !#$%&'*+/=?^_`{{|}}~.- \
         without leading, trailing or doubled dots"
    )]
    LocalPart,
    /// The domain is not a plausible internet domain.
    #[error("the domain after `@` is invalid; use a domain such as example.com")]
    Domain,
}

/// A normalised, validated email address.
///
/// Mailboxes are treated case-insensitively, as virtually every provider does, so
/// `Ann@Example.COM` and `ann@example.com` are one account and cannot be registered
/// twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Trims, lowercases and validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        let normalised = trimmed.to_ascii_lowercase();
        let (local, domain) = normalised.split_once('@').ok_or(EmailError::Shape)?;
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(EmailError::Shape);
        }
        if !valid_local(local) {
            return Err(EmailError::LocalPart);
        }
        if !valid_domain(domain) {
            return Err(EmailError::Domain);
        }
        Ok(Self(normalised))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local(local: &str) -> bool {
    local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
}

/// A dotted name of at least two labels whose last label (the TLD) is letters only;
/// address literals (`[192.0.2.1]`) and single-label hosts are not deliverable on
/// the public internet and are refused.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    labels.len() >= 2
        && tld_ok
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}
