//! The commands: each turns parsed arguments into calls of the library and prints the
//! outcome. This is the only layer that writes to the terminal.

pub mod challenge;
pub mod challenge_check;
pub mod challenge_verify;
pub mod context;
pub mod dashboard;
pub mod down;
pub mod failure;
pub mod failures;
pub mod hint;
pub mod history;
pub mod init;
pub mod logs;
pub mod output;
pub mod progress;
pub mod score;
pub mod status;
pub mod test;
pub mod up;
pub mod watch;

pub use failure::Failure;
