//! Which bugs a workspace gets: all of them, the ones named, or a reproducible subset
//! drawn with a seed. Always returned in catalog order, the order patches apply in.

use crate::challenge::catalog::Catalog;

use super::error::GenerateError;

/// How the active bugs are chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    /// Every bug of the catalog (the challenge as designed).
    #[default]
    All,
    /// Exactly these ids (`--bugs`).
    Ids(Vec<String>),
    /// `count` bugs drawn with `seed` (`--seed N --count K`): the same numbers give the
    /// same bugs for the same catalog, so fleets of attempts are reproducible.
    Seeded {
        /// The shuffle's seed.
        seed: u64,
        /// How many bugs.
        count: usize,
    },
}

/// The selected bug ids in catalog order.
pub fn select(catalog: &Catalog, selection: &Selection) -> Result<Vec<String>, GenerateError> {
    let ids: Vec<String> = catalog.bugs.iter().map(|bug| bug.id.to_string()).collect();
    let chosen: Vec<String> = match selection {
        Selection::All => return Ok(ids),
        Selection::Ids(wanted) => {
            if let Some(unknown) = wanted.iter().find(|id| !ids.contains(id)) {
                return Err(GenerateError::UnknownBug {
                    id: unknown.clone(),
                    known: ids,
                });
            }
            wanted.clone()
        }
        Selection::Seeded { seed, count } => {
            if *count > ids.len() {
                return Err(GenerateError::CountTooLarge {
                    count: *count,
                    available: ids.len(),
                });
            }
            let mut shuffled = ids.clone();
            fastrand::Rng::with_seed(*seed).shuffle(&mut shuffled);
            shuffled.truncate(*count);
            shuffled
        }
    };
    Ok(ids.into_iter().filter(|id| chosen.contains(id)).collect())
}
