//! Subscribing: the first period is charged in full, then the subscription, its
//! invoice, the events and the idempotent response are committed together.

use axum::http::StatusCode;
use chrono::Datelike;
use mediaflow_shared::lock::Lease;
use mediaflow_shared::money::Money;

use super::common::{invoice_paid, parse_currency, priced_plan};
use super::context::{Billing, Reply};
use crate::domain::invoice::{InvoiceKind, InvoiceStatus, period_lines, total_of};
use crate::domain::period::BillingPeriod;
use crate::domain::plan::PricedPlan;
use crate::domain::subscription::SubscriptionStatus;
use crate::error::BillingError;
use crate::events::{ChangeReason, SubscriptionChanged};
use crate::payments::{Charge, ChargeRequest};
use crate::store::Db;
use crate::store::idempotency::ClaimedKey;
use crate::store::invoices::{self, InvoiceRecord};
use crate::store::subscriptions::{self, SubscriptionRecord};
use crate::views::{InvoiceView, SubscriptionView};

/// Subscribes `user_id` to `plan` billed in `currency`.
pub async fn subscribe(
    billing: &Billing,
    user_id: &str,
    plan: &str,
    currency: &str,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let currency = parse_currency(plan, currency)?;
    let (priced, _) = priced_plan(billing, plan, currency).await?;
    let lease = billing.lock_account(user_id).await?;
    let outcome = subscribe_locked(billing, &lease, user_id, &priced, claim, correlation_id).await;
    billing.unlock(&lease).await;
    outcome
}

async fn subscribe_locked(
    billing: &Billing,
    lease: &Lease,
    user_id: &str,
    priced: &PricedPlan,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    if let Some(current) = subscriptions::latest_for_user(&mut billing.db(), user_id).await?
        && current.status.is_live()
    {
        return Err(BillingError::AlreadySubscribed);
    }
    let now = billing.clock.now();
    let period = BillingPeriod::monthly_from(now)?;
    let currency = priced.price.currency;
    let (lines, _) = period_lines(priced, &period, Money::zero(currency))?;
    let total = total_of(&lines, currency)?;
    let request = ChargeRequest {
        idempotency_key: format!("charge-{}", claim.id),
        customer: user_id.to_owned(),
        amount: total,
        description: format!("MediaFlow {} plan", priced.name),
    };
    let charge = billing.payments.charge(&request).await?;
    let sub = SubscriptionRecord {
        id: billing.ids.prefixed("sub"),
        user_id: user_id.to_owned(),
        plan: priced.code.clone(),
        currency,
        status: SubscriptionStatus::Active,
        anchor_day: now.day(),
        period,
        credit: Money::zero(currency),
        renewal_failures: 0,
        canceled_at: None,
        ended_at: None,
        created_at: now,
        updated_at: now,
        event_sequence: 1,
        fence: lease.token.0,
    };
    let invoice = InvoiceRecord {
        id: billing.ids.prefixed("inv"),
        number: 0,
        user_id: user_id.to_owned(),
        subscription_id: sub.id.clone(),
        kind: InvoiceKind::Subscription,
        status: InvoiceStatus::Paid,
        currency,
        total,
        paid: charge.amount,
        refunded: Money::zero(currency),
        charge_id: Some(charge.id.clone()),
        period,
        failure_reason: None,
        created_at: now,
        paid_at: Some(now),
        event_sequence: 1,
        lines,
    };
    match record(billing, sub, invoice, &charge, claim, correlation_id).await {
        Ok(reply) => Ok(reply),
        Err(BillingError::IdempotencyInProgress) => Err(BillingError::IdempotencyInProgress),
        Err(error) => {
            billing.compensate(&charge, Some(claim)).await;
            Err(error)
        }
    }
}

/// Commits the subscription, its first invoice, both events and the response.
async fn record(
    billing: &Billing,
    sub: SubscriptionRecord,
    mut invoice: InvoiceRecord,
    charge: &Charge,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let emitter = billing.emitter(correlation_id);
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    subscriptions::insert(&mut db, &sub).await?;
    invoice.number = invoices::insert(&mut db, &invoice).await?;
    let changed = SubscriptionChanged {
        subscription_id: sub.id.clone(),
        user_id: sub.user_id.clone(),
        plan: sub.plan.to_string(),
        previous_plan: None,
        status: sub.status.as_str().to_owned(),
        previous_status: None,
        reason: ChangeReason::Subscribed,
        entitled: sub.status.grants_access(),
        currency: sub.currency.code().to_owned(),
        current_period_start: sub.period.start,
        current_period_end: sub.period.end,
    };
    emitter
        .emit(&mut db, &sub.id, sub.event_sequence, &changed)
        .await?;
    emitter
        .emit(
            &mut db,
            &invoice.id,
            invoice.event_sequence,
            &invoice_paid(&invoice, Some(charge)),
        )
        .await?;
    let reply = Reply {
        status: StatusCode::CREATED,
        body: serde_json::json!({
            "subscription": SubscriptionView::from(&sub),
            "invoice": InvoiceView::from(&invoice),
        }),
    };
    billing.complete_claim(&mut db, Some(claim), &reply).await?;
    billing.commit(tx).await?;
    Ok(reply)
}
