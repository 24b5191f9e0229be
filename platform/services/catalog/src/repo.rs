//! The `videos` read model: the rows written next to each append and the queries
//! behind reads, lists and search. Every statement is parameterised; the only
//! text assembled at run time comes from fixed fragments chosen by validated enums.

mod listing;
mod rows;

pub use listing::{list_page, search};
pub use rows::{CatalogEntry, add_view, find, insert, update};
