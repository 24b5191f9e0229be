//! Canceling: an active subscription is canceled at the end of its period and
//! keeps its access until then; a past-due one ends at once. Canceling twice is
//! harmless, so the request needs no idempotency key.

use axum::http::StatusCode;
use mediaflow_shared::lock::Lease;

use super::common::subscription_changed;
use super::context::{Billing, Reply};
use crate::domain::subscription::{CancelOutcome, SubscriptionStatus, cancel as cancel_rule};
use crate::error::BillingError;
use crate::events::ChangeReason;
use crate::store::Db;
use crate::store::subscriptions;
use crate::views::SubscriptionView;

/// Cancels `user_id`'s subscription.
pub async fn cancel(
    billing: &Billing,
    user_id: &str,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let lease = billing.lock_account(user_id).await?;
    let outcome = cancel_locked(billing, &lease, user_id, correlation_id).await;
    billing.unlock(&lease).await;
    outcome
}

async fn cancel_locked(
    billing: &Billing,
    lease: &Lease,
    user_id: &str,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let current = subscriptions::latest_for_user(&mut billing.db(), user_id)
        .await?
        .ok_or(BillingError::NoSubscription)?;
    let outcome = cancel_rule(current.status)?;
    let now = billing.clock.now();
    let mut after = current.clone();
    let (reason, entitled) = match outcome {
        CancelOutcome::AlreadyCanceling => {
            return Ok(Reply {
                status: StatusCode::OK,
                body: serde_json::json!({ "subscription": SubscriptionView::from(&current) }),
            });
        }
        CancelOutcome::AtPeriodEnd => {
            after.status = SubscriptionStatus::Canceling;
            (ChangeReason::CancelRequested, now < after.period.end)
        }
        CancelOutcome::Immediately => {
            after.status = SubscriptionStatus::Canceled;
            after.ended_at = Some(now);
            (ChangeReason::Canceled, false)
        }
    };
    after.canceled_at = Some(now);
    after.updated_at = now;
    after.event_sequence += 1;
    let emitter = billing.emitter(correlation_id);
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    subscriptions::update(&mut db, &after, lease.token).await?;
    let event = subscription_changed(&current, &after, reason, entitled);
    emitter
        .emit(&mut db, &after.id, after.event_sequence, &event)
        .await?;
    billing.commit(tx).await?;
    Ok(Reply {
        status: StatusCode::OK,
        body: serde_json::json!({ "subscription": SubscriptionView::from(&after) }),
    })
}
