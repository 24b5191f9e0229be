//! Read-only operations: the plan catalogue, a user's subscription, invoices and
//! entitlement. Each runs a fixed number of queries, whatever the data size.

use super::context::Billing;
use crate::domain::subscription::{Entitlement, entitlement as entitlement_rule};
use crate::error::BillingError;
use crate::store::invoices::{self, InvoiceRecord};
use crate::store::plans;
use crate::store::subscriptions::{self, SubscriptionRecord};
use crate::views::{EntitlementView, PlanView};

/// Every plan with its prices (one query).
pub async fn plans(billing: &Billing) -> Result<Vec<PlanView>, BillingError> {
    Ok(plans::all(&mut billing.db())
        .await?
        .iter()
        .map(PlanView::from)
        .collect())
}

/// The user's latest subscription.
pub async fn subscription(
    billing: &Billing,
    user_id: &str,
) -> Result<SubscriptionRecord, BillingError> {
    subscriptions::latest_for_user(&mut billing.db(), user_id)
        .await?
        .ok_or(BillingError::NoSubscription)
}

/// The user's latest invoices with their lines (two queries).
pub async fn invoices(
    billing: &Billing,
    user_id: &str,
    limit: u32,
) -> Result<Vec<InvoiceRecord>, BillingError> {
    invoices::list_for_user(&mut billing.db(), user_id, limit).await
}

/// What the user may watch now.
pub async fn entitlement(
    billing: &Billing,
    user_id: &str,
) -> Result<EntitlementView, BillingError> {
    let Some(sub) = subscriptions::latest_for_user(&mut billing.db(), user_id).await? else {
        return Ok(EntitlementView::new(user_id, &Entitlement::none()));
    };
    let plan = plans::find(&mut billing.db(), &sub.plan)
        .await?
        .ok_or_else(|| {
            BillingError::Corrupt(format!(
                "subscription {} is on unknown plan {}",
                sub.id, sub.plan
            ))
        })?;
    let entitlement = entitlement_rule(sub.status, &plan, sub.period.end, billing.clock.now());
    Ok(EntitlementView::new(user_id, &entitlement))
}
