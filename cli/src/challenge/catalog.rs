//! The challenge catalog, `challenges/<id>/challenge.yaml`: categories and weights, the
//! reward spec, protected paths and the bugs. Read with `deny_unknown_fields`, then
//! validated as a whole; syntax errors name file, line and column, rule violations name
//! the bug (or section) and field.

mod error;
mod model;
mod validate;

use std::path::Path;

pub use error::{CatalogError, Problem};
pub use model::{
    Bug, BugId, Catalog, Category, ChallengeKind, Efficiency, EfficiencyBudget, FORMAT_VERSION,
    PenaltyMode, RegressionPenalty, RewardSpec, Tier,
};
pub use validate::validate;

/// The catalog's file name inside a challenge folder.
pub const CATALOG_FILE: &str = "challenge.yaml";

/// The folder (inside the challenge folder) every bug patch lives in.
pub const BUGS_DIR: &str = "bugs";

/// Reads, parses and validates the catalog at `path`.
pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parses and validates catalog `text`; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Catalog, CatalogError> {
    let catalog: Catalog =
        serde_yaml::from_str(text).map_err(|error| CatalogError::from_yaml(path, &error))?;
    let problems = validate(&catalog);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(CatalogError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }
}
