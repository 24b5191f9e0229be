//! The home page is assembled from three independent parts. A part that failed
//! becomes `null` and is named in `degraded`, so the page still renders; only when
//! every part failed is there nothing worth showing.

use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

/// One section of the home page and the upstream behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HomePart {
    /// Catalog's newest videos.
    Trending,
    /// Personal recommendations.
    Recommendations,
    /// The user's watch history.
    History,
}

impl HomePart {
    /// Every part, in page order.
    pub const ALL: [Self; 3] = [Self::Trending, Self::Recommendations, Self::History];

    /// The part's name in the response (`degraded` lists these).
    pub fn name(self) -> &'static str {
        match self {
            Self::Trending => "trending",
            Self::Recommendations => "recommendations",
            Self::History => "history",
        }
    }

    /// The upstream service answering for this part.
    pub fn upstream(self) -> &'static str {
        match self {
            Self::Trending => "catalog",
            Self::Recommendations => "recommendations",
            Self::History => "users",
        }
    }
}

/// The `GET /api/home` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomePage {
    /// Catalog's `GET /videos?limit=10` answer, or `null` when it failed.
    pub trending: Option<Value>,
    /// Recommendations' answer for the user, or `null`.
    pub recommendations: Option<Value>,
    /// The user's watch history, or `null`.
    pub history: Option<Value>,
    /// Names of the parts that failed, in page order.
    pub degraded: Vec<&'static str>,
}

/// Every part failed: the page would be empty.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("every part of the home page failed")]
pub struct NothingToShow;

impl HomePage {
    /// Assembles the page from each part's outcome (`None` = failed).
    pub fn assemble(
        trending: Option<Value>,
        recommendations: Option<Value>,
        history: Option<Value>,
    ) -> Result<Self, NothingToShow> {
        let degraded: Vec<&'static str> = HomePart::ALL
            .into_iter()
            .zip([&trending, &recommendations, &history])
            .filter(|(_, outcome)| outcome.is_none())
            .map(|(part, _)| part.name())
            .collect();
        if degraded.len() == HomePart::ALL.len() {
            return Err(NothingToShow);
        }
        Ok(Self {
            trending,
            recommendations,
            history,
            degraded,
        })
    }
}
