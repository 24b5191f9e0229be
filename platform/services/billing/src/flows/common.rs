//! Steps several operations share: resolving a plan and currency from a request,
//! and building the payloads of the events they emit.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::Currency;

use super::context::Billing;
use crate::domain::plan::{Plan, PlanCode, PricedPlan};
use crate::domain::subscription;
use crate::error::BillingError;
use crate::events::{ChangeReason, InvoicePaid, SubscriptionChanged};
use crate::payments::Charge;
use crate::store::invoices::InvoiceRecord;
use crate::store::plans;
use crate::store::subscriptions::SubscriptionRecord;
use crate::views::{LineView, invoice_number};

/// Resolves a plan code and currency to a priced plan.
pub(super) async fn priced_plan(
    billing: &Billing,
    plan: &str,
    currency: Currency,
) -> Result<(PricedPlan, Plan), BillingError> {
    let unknown = || BillingError::UnknownPlan(plan.chars().take(40).collect());
    let code = PlanCode::parse(plan).map_err(|_| unknown())?;
    let found = plans::find(&mut billing.db(), &code)
        .await?
        .ok_or_else(unknown)?;
    let priced =
        PricedPlan::of(&found, currency).ok_or_else(|| BillingError::UnsupportedCurrency {
            plan: code.to_string(),
            currency: currency.code().to_owned(),
        })?;
    Ok((priced, found))
}

/// Parses a currency code from a request.
pub(super) fn parse_currency(plan: &str, currency: &str) -> Result<Currency, BillingError> {
    currency
        .parse()
        .map_err(|_| BillingError::UnsupportedCurrency {
            plan: plan.chars().take(40).collect(),
            currency: currency.chars().take(8).collect(),
        })
}

/// The `InvoicePaid` event of a paid invoice.
pub(super) fn invoice_paid(invoice: &InvoiceRecord, charge: Option<&Charge>) -> InvoicePaid {
    InvoicePaid {
        invoice_id: invoice.id.clone(),
        number: invoice_number(invoice.number),
        user_id: invoice.user_id.clone(),
        subscription_id: invoice.subscription_id.clone(),
        kind: invoice.kind.as_str().to_owned(),
        currency: invoice.currency.code().to_owned(),
        total_minor: invoice.total.minor,
        paid_minor: invoice.paid.minor,
        charge_id: charge.map(|c| c.id.clone()),
        paid_at: invoice.paid_at.unwrap_or(invoice.created_at),
        lines: invoice.lines.iter().map(LineView::from).collect(),
    }
}

/// The `SubscriptionChanged` event of `after`, changed from `before` for `reason`.
pub(super) fn subscription_changed(
    before: &SubscriptionRecord,
    after: &SubscriptionRecord,
    reason: ChangeReason,
    entitled: bool,
) -> SubscriptionChanged {
    SubscriptionChanged {
        subscription_id: after.id.clone(),
        user_id: after.user_id.clone(),
        plan: after.plan.to_string(),
        previous_plan: (before.plan != after.plan).then(|| before.plan.to_string()),
        status: after.status.as_str().to_owned(),
        previous_status: Some(before.status.as_str().to_owned()),
        reason,
        entitled,
        currency: after.currency.code().to_owned(),
        current_period_start: after.period.start,
        current_period_end: after.period.end,
    }
}

/// Whether `sub` grants access at `now`, for event payloads.
pub(super) fn grants_access_now(sub: &SubscriptionRecord, plan: &Plan, now: Timestamp) -> bool {
    subscription::entitlement(sub.status, plan, sub.period.end, now).entitled
}
