//! Authentication shared by all services: JWT (HS256 with key ids) signing and
//! verification with the algorithm pinned, and roles.

mod jwt;
mod keys;
mod roles;
mod settings;

pub use jwt::{Claims, JwtError, JwtIssuer, JwtVerifier, TokenType, VerifierConfig};
pub use keys::{KeyError, KeySet, SigningKey};
pub use roles::Role;
pub use settings::JwtSettings;
