//! Plans: what a subscriber pays per period in each currency and what it grants
//! (the highest resolution and the number of simultaneous streams).

use std::fmt;

use mediaflow_shared::media::Resolution;
use mediaflow_shared::money::{Currency, Money};
use serde::{Deserialize, Serialize};

use super::DomainError;

/// The code of a plan (`basic`, `premium`, `family`), validated so it can travel
/// in URLs, events and SQL parameters without surprises.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlanCode(String);

impl PlanCode {
    /// Accepts 1–32 characters of `[a-z0-9_-]`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let valid = !text.is_empty()
            && text.len() <= 32
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::InvalidPlanCode(
                text.chars().take(40).collect(),
            ))
        }
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PlanCode {
    type Error = DomainError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PlanCode> for String {
    fn from(code: PlanCode) -> Self {
        code.0
    }
}

impl fmt::Display for PlanCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plan as sold: its grants and its price in every currency it is offered in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Stable identifier.
    pub code: PlanCode,
    /// Name shown to customers.
    pub name: String,
    /// Highest rendition the plan may stream.
    pub max_resolution: Resolution,
    /// Streams allowed at the same time.
    pub max_streams: u32,
    /// Position in the plan ladder (higher = more features), for display order.
    pub tier: u32,
    /// One price per offered currency.
    pub prices: Vec<Money>,
}

impl Plan {
    /// The price per period in `currency`, when the plan is offered in it.
    pub fn price(&self, currency: Currency) -> Option<Money> {
        self.prices.iter().copied().find(|p| p.currency == currency)
    }
}

/// A plan with its price in one currency: what proration and invoices work with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedPlan {
    /// Plan code.
    pub code: PlanCode,
    /// Plan name, for invoice line descriptions.
    pub name: String,
    /// Price of one full period.
    pub price: Money,
}

impl PricedPlan {
    /// `plan` priced in `currency`, or `None` when it is not offered in it.
    pub fn of(plan: &Plan, currency: Currency) -> Option<Self> {
        plan.price(currency).map(|price| Self {
            code: plan.code.clone(),
            name: plan.name.clone(),
            price,
        })
    }
}
