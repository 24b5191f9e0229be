//! Pure gateway rules, free of IO: which routes are public, how a token bucket
//! refills, which address is the client's, what CORS allows, which upstream paths
//! are safe to forward, and how the home page degrades.

pub mod client_ip;
pub mod cors;
pub mod home;
pub mod paths;
pub mod public_routes;
pub mod rate_limit;
