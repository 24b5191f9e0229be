//! The plan catalogue: plans with all their prices in one query.

use mediaflow_shared::media::Resolution;
use mediaflow_shared::money::Money;
use mediaflow_shared::params;
use mediaflow_shared::store::Row;

use super::Db;
use super::rows;
use crate::domain::plan::{Plan, PlanCode};
use crate::error::BillingError;

const SELECT: &str = "SELECT p.code, p.name, p.max_width, p.max_height, p.max_streams, p.tier, \
    pp.currency, pp.amount_minor \
    FROM plans p LEFT JOIN plan_prices pp ON pp.plan_code = p.code";

/// Every plan, cheapest tier first, prices ordered by currency.
pub async fn all(db: &mut Db<'_>) -> Result<Vec<Plan>, BillingError> {
    let rows = db
        .query(&format!("{SELECT} ORDER BY p.tier, pp.currency"), &[])
        .await?;
    group(&rows)
}

/// One plan by code.
pub async fn find(db: &mut Db<'_>, code: &PlanCode) -> Result<Option<Plan>, BillingError> {
    let rows = db
        .query(
            &format!("{SELECT} WHERE p.code = $1 ORDER BY pp.currency"),
            &params![code.as_str()],
        )
        .await?;
    Ok(group(&rows)?.into_iter().next())
}

/// Folds the joined rows (one per price) into plans, keeping row order.
fn group(rows: &[Row]) -> Result<Vec<Plan>, BillingError> {
    let mut plans: Vec<Plan> = Vec::new();
    for row in rows {
        let code: String = row.get("code")?;
        if plans.last().is_none_or(|plan| plan.code.as_str() != code) {
            let width = rows::small(row, "max_width")?;
            let height = rows::small(row, "max_height")?;
            plans.push(Plan {
                code: PlanCode::parse(&code).map_err(|e| BillingError::Corrupt(e.to_string()))?,
                name: row.get("name")?,
                max_resolution: Resolution::new(width, height)
                    .map_err(|e| BillingError::Corrupt(e.to_string()))?,
                max_streams: rows::small(row, "max_streams")?,
                tier: rows::small(row, "tier")?,
                prices: Vec::new(),
            });
        }
        if let (Some(plan), Some(_)) = (plans.last_mut(), row.get::<Option<String>>("currency")?) {
            let currency = rows::currency(row, "currency")?;
            plan.prices
                .push(Money::from_minor(row.get("amount_minor")?, currency));
        }
    }
    Ok(plans)
}
