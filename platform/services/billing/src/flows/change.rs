//! Changing plan in mid-period: prorated over the actual days of the current
//! period; a positive difference is charged now, a negative one becomes account
//! credit for later renewals. Serialised per account by the account lock.

use axum::http::StatusCode;
use mediaflow_shared::lock::Lease;
use mediaflow_shared::money::Money;

use super::common::{grants_access_now, invoice_paid, priced_plan, subscription_changed};
use super::context::{Billing, Reply};
use crate::domain::invoice::{InvoiceKind, InvoiceStatus};
use crate::domain::plan::{Plan, PlanCode, PricedPlan};
use crate::domain::proration::prorate;
use crate::domain::subscription::ensure_plan_changeable;
use crate::error::BillingError;
use crate::events::ChangeReason;
use crate::payments::{Charge, ChargeRequest};
use crate::store::idempotency::ClaimedKey;
use crate::store::invoices::{self, InvoiceRecord};
use crate::store::subscriptions::{self, SubscriptionRecord};
use crate::store::{Db, plans};
use crate::views::{InvoiceView, SubscriptionView};

/// Moves `user_id`'s subscription to `plan`.
pub async fn change_plan(
    billing: &Billing,
    user_id: &str,
    plan: &str,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let lease = billing.lock_account(user_id).await?;
    let outcome = change_locked(billing, &lease, user_id, plan, claim, correlation_id).await;
    billing.unlock(&lease).await;
    outcome
}

async fn change_locked(
    billing: &Billing,
    lease: &Lease,
    user_id: &str,
    plan: &str,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let current = subscriptions::latest_for_user(&mut billing.db(), user_id)
        .await?
        .filter(|sub| sub.status.is_live())
        .ok_or(BillingError::NoSubscription)?;
    ensure_plan_changeable(current.status)?;
    let (to, to_plan) = priced_plan(billing, plan, current.currency).await?;
    if to.code == current.plan {
        return Err(BillingError::AlreadyOnPlan(to.code.to_string()));
    }
    let from = current_priced(billing, &current.plan, &current).await?;
    let now = billing.clock.now();
    let quote = prorate(&from, &to, &current.period, now)?;
    let currency = current.currency;
    let charge = if quote.total.minor > 0 {
        let request = ChargeRequest {
            idempotency_key: format!("charge-{}", claim.id),
            customer: user_id.to_owned(),
            amount: quote.total,
            description: format!("MediaFlow change from {} to {}", from.name, to.name),
        };
        Some(billing.payments.charge(&request).await?)
    } else {
        None
    };
    let mut after = current.clone();
    after.plan = to.code.clone();
    after.updated_at = now;
    after.event_sequence += 1;
    let status = if quote.total.is_negative() {
        after.credit = after.credit.checked_sub(quote.total)?;
        InvoiceStatus::Credited
    } else {
        InvoiceStatus::Paid
    };
    let invoice = InvoiceRecord {
        id: billing.ids.prefixed("inv"),
        number: 0,
        user_id: user_id.to_owned(),
        subscription_id: current.id.clone(),
        kind: InvoiceKind::Proration,
        status,
        currency,
        total: quote.total,
        paid: charge.as_ref().map_or(Money::zero(currency), |c| c.amount),
        refunded: Money::zero(currency),
        charge_id: charge.as_ref().map(|c| c.id.clone()),
        period: current.period,
        failure_reason: None,
        created_at: now,
        paid_at: (status == InvoiceStatus::Paid).then_some(now),
        event_sequence: u64::from(status == InvoiceStatus::Paid),
        lines: quote.lines(),
    };
    let change = Change {
        before: &current,
        after,
        invoice,
        charge: charge.as_ref(),
        entitled: grants_access_now(&current, &to_plan, now),
    };
    match record(billing, lease, change, claim, correlation_id).await {
        Ok(reply) => Ok(reply),
        Err(BillingError::IdempotencyInProgress) => Err(BillingError::IdempotencyInProgress),
        Err(error) => {
            if let Some(charge) = &charge {
                billing.compensate(charge, Some(claim)).await;
            }
            Err(error)
        }
    }
}

/// The subscription's current plan priced in its currency.
async fn current_priced(
    billing: &Billing,
    code: &PlanCode,
    sub: &SubscriptionRecord,
) -> Result<PricedPlan, BillingError> {
    let plan: Plan = plans::find(&mut billing.db(), code).await?.ok_or_else(|| {
        BillingError::Corrupt(format!("subscription {} is on unknown plan {code}", sub.id))
    })?;
    PricedPlan::of(&plan, sub.currency)
        .ok_or_else(|| BillingError::Corrupt(format!("plan {code} has no {} price", sub.currency)))
}

/// A computed plan change, ready to be written.
struct Change<'a> {
    before: &'a SubscriptionRecord,
    after: SubscriptionRecord,
    invoice: InvoiceRecord,
    charge: Option<&'a Charge>,
    entitled: bool,
}

/// Commits the fenced subscription update, the proration invoice, the events and
/// the response.
async fn record(
    billing: &Billing,
    lease: &Lease,
    mut change: Change<'_>,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let emitter = billing.emitter(correlation_id);
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    subscriptions::update(&mut db, &change.after, lease.token).await?;
    change.invoice.number = invoices::insert(&mut db, &change.invoice).await?;
    let event = subscription_changed(
        change.before,
        &change.after,
        ChangeReason::PlanChanged,
        change.entitled,
    );
    emitter
        .emit(
            &mut db,
            &change.after.id,
            change.after.event_sequence,
            &event,
        )
        .await?;
    if change.invoice.status == InvoiceStatus::Paid {
        let paid = invoice_paid(&change.invoice, change.charge);
        emitter
            .emit(
                &mut db,
                &change.invoice.id,
                change.invoice.event_sequence,
                &paid,
            )
            .await?;
    }
    let reply = Reply {
        status: StatusCode::OK,
        body: serde_json::json!({
            "subscription": SubscriptionView::from(&change.after),
            "invoice": InvoiceView::from(&change.invoice),
        }),
    };
    billing.complete_claim(&mut db, Some(claim), &reply).await?;
    billing.commit(tx).await?;
    Ok(reply)
}
