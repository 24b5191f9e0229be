//! The renewal run: every live subscription whose period ended by now is handled
//! once per run. Canceling subscriptions end; the others are charged for the next
//! period (account credit first), with a provider key fixed per period and
//! attempt, so a run that crashed after charging is repeated without charging
//! twice. Declined charges make the subscription past due, and after too many in
//! a row, canceled.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::lock::Lease;
use mediaflow_shared::money::Money;
use mediaflow_shared::store::timestamp_to_micros;
use serde::{Deserialize, Serialize};

use super::common::{grants_access_now, invoice_paid, subscription_changed};
use super::context::Billing;
use crate::domain::invoice::{InvoiceKind, InvoiceStatus, period_lines, total_of};
use crate::domain::plan::{Plan, PricedPlan};
use crate::domain::subscription::{
    RenewalAction, SubscriptionStatus, after_declined_renewal, renewal_action,
};
use crate::error::BillingError;
use crate::events::ChangeReason;
use crate::payments::{Charge, ChargeRequest, PaymentError};
use crate::store::invoices::{self, InvoiceRecord};
use crate::store::subscriptions::{self, SubscriptionRecord};
use crate::store::{Db, idempotency, plans};

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RenewalReport {
    /// The instant the run judged "due" against.
    pub as_of: Timestamp,
    /// Subscriptions charged for a new period.
    pub renewed: u32,
    /// Canceling subscriptions that ended.
    pub expired: u32,
    /// Subscriptions whose charge was declined and that will be retried.
    pub past_due: u32,
    /// Subscriptions canceled after too many declined charges.
    pub canceled: u32,
    /// Subscriptions left for the next run (account busy, provider unavailable).
    pub skipped: u32,
}

/// What happened to one subscription.
enum Handled {
    Renewed,
    Expired,
    PastDue,
    Canceled,
}

/// Processes the subscriptions due at the clock's current time.
pub async fn run_renewals(
    billing: &Billing,
    correlation_id: &str,
) -> Result<RenewalReport, BillingError> {
    let as_of = billing.clock.now();
    let mut report = RenewalReport {
        as_of,
        ..RenewalReport::default()
    };
    let due = subscriptions::due(&mut billing.db(), as_of, billing.renewals.batch_size).await?;
    for candidate in due {
        let Ok(lease) = billing.lock_account(&candidate.user_id).await else {
            report.skipped += 1;
            continue;
        };
        let outcome = renew_locked(billing, &lease, &candidate.id, as_of, correlation_id).await;
        billing.unlock(&lease).await;
        match outcome {
            Ok(Some(Handled::Renewed)) => report.renewed += 1,
            Ok(Some(Handled::Expired)) => report.expired += 1,
            Ok(Some(Handled::PastDue)) => report.past_due += 1,
            Ok(Some(Handled::Canceled)) => report.canceled += 1,
            Ok(None) => {}
            Err(_) => report.skipped += 1,
        }
    }
    let cutoff = as_of - mediaflow_shared::clock::chrono_duration(billing.idempotency.retention);
    idempotency::purge_before(&mut billing.db(), cutoff).await?;
    Ok(report)
}

async fn renew_locked(
    billing: &Billing,
    lease: &Lease,
    subscription_id: &str,
    as_of: Timestamp,
    correlation_id: &str,
) -> Result<Option<Handled>, BillingError> {
    // Re-read under the lock: a change may have happened since the batch query.
    let Some(current) = subscriptions::find(&mut billing.db(), subscription_id).await? else {
        return Ok(None);
    };
    if current.period.end > as_of {
        return Ok(None);
    }
    let plan = plans::find(&mut billing.db(), &current.plan)
        .await?
        .ok_or_else(|| {
            BillingError::Corrupt(format!(
                "subscription {} is on unknown plan {}",
                current.id, current.plan
            ))
        })?;
    match renewal_action(current.status) {
        RenewalAction::Skip => Ok(None),
        RenewalAction::Expire => {
            let mut after = current.clone();
            after.status = SubscriptionStatus::Canceled;
            after.ended_at = Some(current.period.end);
            write(
                billing,
                lease,
                &current,
                after,
                None,
                ChangeReason::Expired,
                &plan,
                correlation_id,
            )
            .await?;
            Ok(Some(Handled::Expired))
        }
        RenewalAction::Charge => {
            charge_next_period(billing, lease, current, &plan, correlation_id).await
        }
    }
}

async fn charge_next_period(
    billing: &Billing,
    lease: &Lease,
    current: SubscriptionRecord,
    plan: &Plan,
    correlation_id: &str,
) -> Result<Option<Handled>, BillingError> {
    let priced = PricedPlan::of(plan, current.currency).ok_or_else(|| {
        BillingError::Corrupt(format!(
            "plan {} has no {} price",
            plan.code, current.currency
        ))
    })?;
    let next = current.period.next(current.anchor_day)?;
    let (lines, credit_used) = period_lines(&priced, &next, current.credit)?;
    let total = total_of(&lines, current.currency)?;
    let now = billing.clock.now();
    let request = ChargeRequest {
        idempotency_key: format!(
            "renewal-{}-{}-{}",
            current.id,
            timestamp_to_micros(next.start),
            current.renewal_failures
        ),
        customer: current.user_id.clone(),
        amount: total,
        description: format!("MediaFlow {} plan renewal", priced.name),
    };
    let charged = if total.minor > 0 {
        billing.payments.charge(&request).await.map(Some)
    } else {
        Ok(None)
    };
    let mut invoice = InvoiceRecord {
        id: billing.ids.prefixed("inv"),
        number: 0,
        user_id: current.user_id.clone(),
        subscription_id: current.id.clone(),
        kind: InvoiceKind::Renewal,
        status: InvoiceStatus::Paid,
        currency: current.currency,
        total,
        paid: Money::zero(current.currency),
        refunded: Money::zero(current.currency),
        charge_id: None,
        period: next,
        failure_reason: None,
        created_at: now,
        paid_at: None,
        event_sequence: 0,
        lines,
    };
    let mut after = current.clone();
    match charged {
        Ok(charge) => {
            invoice.paid = charge.as_ref().map_or(invoice.paid, |c| c.amount);
            invoice.charge_id = charge.as_ref().map(|c| c.id.clone());
            invoice.paid_at = Some(now);
            invoice.event_sequence = 1;
            after.status = SubscriptionStatus::Active;
            after.period = next;
            after.credit = after.credit.checked_sub(credit_used)?;
            after.renewal_failures = 0;
            let reason = ChangeReason::Renewed;
            write(
                billing,
                lease,
                &current,
                after,
                Some((invoice, charge.as_ref())),
                reason,
                plan,
                correlation_id,
            )
            .await?;
            Ok(Some(Handled::Renewed))
        }
        Err(PaymentError::Declined(reason)) => {
            invoice.status = InvoiceStatus::Failed;
            invoice.failure_reason = Some(reason);
            after.renewal_failures += 1;
            after.status =
                after_declined_renewal(after.renewal_failures, billing.renewals.max_failures);
            let (reason, outcome) = if after.status == SubscriptionStatus::Canceled {
                after.ended_at = Some(now);
                (ChangeReason::Canceled, Handled::Canceled)
            } else {
                (ChangeReason::PastDue, Handled::PastDue)
            };
            write(
                billing,
                lease,
                &current,
                after,
                Some((invoice, None)),
                reason,
                plan,
                correlation_id,
            )
            .await?;
            Ok(Some(outcome))
        }
        Err(other) => Err(other.into()),
    }
}

/// Commits the subscription's new state, the renewal invoice if any, and events.
#[expect(
    clippy::too_many_arguments,
    reason = "one write step of the renewal run, every input distinct"
)]
async fn write(
    billing: &Billing,
    lease: &Lease,
    before: &SubscriptionRecord,
    mut after: SubscriptionRecord,
    invoice: Option<(InvoiceRecord, Option<&Charge>)>,
    reason: ChangeReason,
    plan: &Plan,
    correlation_id: &str,
) -> Result<(), BillingError> {
    let now = billing.clock.now();
    after.updated_at = now;
    after.event_sequence += 1;
    let emitter = billing.emitter(correlation_id);
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    subscriptions::update(&mut db, &after, lease.token).await?;
    if let Some((mut invoice, charge)) = invoice {
        invoice.number = invoices::insert(&mut db, &invoice).await?;
        if invoice.status == InvoiceStatus::Paid {
            emitter
                .emit(
                    &mut db,
                    &invoice.id,
                    invoice.event_sequence,
                    &invoice_paid(&invoice, charge),
                )
                .await?;
        }
    }
    let event = subscription_changed(before, &after, reason, grants_access_now(&after, plan, now));
    emitter
        .emit(&mut db, &after.id, after.event_sequence, &event)
        .await?;
    billing.commit(tx).await?;
    Ok(())
}
