//! Refunds (admin): the amount is checked against what is left of the charge and
//! reserved on the invoice in one transaction, before the provider is called, so
//! concurrent refunds can never add up to more than the charge. A retried request
//! resumes its pending refund with the same provider key.

use axum::http::StatusCode;
use mediaflow_shared::money::Money;
use mediaflow_shared::store::{is_conflict, retry_conflicts};

use super::context::{Billing, Reply};
use crate::domain::DomainError;
use crate::domain::invoice::status_after_refunds;
use crate::domain::refund::{check_refund, is_refundable};
use crate::error::BillingError;
use crate::events::RefundIssued;
use crate::payments::RefundRequest;
use crate::store::Db;
use crate::store::idempotency::ClaimedKey;
use crate::store::invoices::{self, InvoiceRecord};
use crate::store::refunds::{self, RefundRecord, RefundStatus};
use crate::views::{InvoiceView, RefundView};

/// Refunds `amount_minor` of invoice `invoice_id`, on behalf of admin `admin_id`.
pub async fn refund(
    billing: &Billing,
    admin_id: &str,
    invoice_id: &str,
    amount_minor: i64,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    // Concurrent refunds of one invoice collide on PostgreSQL (SERIALIZABLE):
    // the loser redoes its reservation and then sees what the winner reserved.
    let (invoice, refund, charge_id) = retry_conflicts(
        || reserve(billing, admin_id, invoice_id, amount_minor, claim),
        lost_to_concurrent,
    )
    .await?;
    let request = RefundRequest {
        idempotency_key: format!("refund-{}", refund.id),
        charge_id,
        amount: refund.amount,
    };
    match billing.payments.refund(&request).await {
        Ok(receipt) => {
            let mut done = refund;
            done.status = RefundStatus::Succeeded;
            done.provider_refund_id = Some(receipt.id);
            done.completed_at = Some(billing.clock.now());
            retry_conflicts(
                || {
                    record_success(
                        billing,
                        invoice.clone(),
                        done.clone(),
                        claim,
                        correlation_id,
                    )
                },
                lost_to_concurrent,
            )
            .await
        }
        Err(error) if error.is_transient() => Err(error.into()),
        Err(error) => {
            let mut failed = refund;
            failed.status = RefundStatus::Failed;
            failed.failure_reason = Some(error.to_string());
            failed.completed_at = Some(billing.clock.now());
            let mut tx = billing.store.begin().await?;
            let mut db = Db::Tx(tx.as_mut());
            refunds::finish(&mut db, &failed).await?;
            invoices::release_refund(&mut db, &failed.invoice_id, failed.amount).await?;
            tx.commit().await?;
            Err(error.into())
        }
    }
}

/// A transaction aborted for a concurrent one; redoing it may succeed.
fn lost_to_concurrent(error: &BillingError) -> bool {
    matches!(error, BillingError::Store(store) if is_conflict(store))
}

/// In one transaction: finds the refund this request already started, or checks
/// the amount, reserves it on the invoice and records a pending refund. Also
/// returns the provider charge to refund.
async fn reserve(
    billing: &Billing,
    admin_id: &str,
    invoice_id: &str,
    amount_minor: i64,
    claim: &ClaimedKey,
) -> Result<(InvoiceRecord, RefundRecord, String), BillingError> {
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    let invoice = invoices::find(&mut db, invoice_id)
        .await?
        .ok_or(BillingError::InvoiceNotFound)?;
    let not_refundable = || BillingError::NotRefundable(invoice.status.as_str().to_owned());
    let charge_id = invoice.charge_id.clone().ok_or_else(not_refundable)?;
    if let Some(existing) = refunds::find_by_request(&mut db, &claim.id).await?
        && existing.status == RefundStatus::Pending
    {
        return Ok((invoice, existing, charge_id));
    }
    if !is_refundable(invoice.status) {
        return Err(not_refundable());
    }
    let amount = check_refund(invoice.paid, invoice.refunded, amount_minor)?;
    if !invoices::reserve_refund(&mut db, &invoice.id, amount).await? {
        // The database's own guard: refunds in flight or confirmed already cover
        // more of the charge than this transaction read.
        return Err(DomainError::RefundExceedsCharge {
            requested: amount,
            refundable: invoice.paid.checked_sub(invoice.refunded)?,
        }
        .into());
    }
    let now = billing.clock.now();
    let refund = RefundRecord {
        id: billing.ids.prefixed("ref"),
        invoice_id: invoice.id.clone(),
        request_ref: claim.id.clone(),
        amount,
        status: RefundStatus::Pending,
        provider_refund_id: None,
        requested_by: admin_id.to_owned(),
        failure_reason: None,
        created_at: now,
        completed_at: None,
    };
    refunds::insert(&mut db, &refund).await?;
    tx.commit().await?;
    Ok((invoice, refund, charge_id))
}

/// Commits the confirmed refund, the invoice's new status, the event and the
/// response.
async fn record_success(
    billing: &Billing,
    mut invoice: InvoiceRecord,
    refund: RefundRecord,
    claim: &ClaimedKey,
    correlation_id: &str,
) -> Result<Reply, BillingError> {
    let emitter = billing.emitter(correlation_id);
    let mut tx = billing.store.begin().await?;
    let mut db = Db::Tx(tx.as_mut());
    refunds::finish(&mut db, &refund).await?;
    let confirmed = Money::from_minor(
        refunds::succeeded_total(&mut db, &invoice.id).await?,
        invoice.currency,
    );
    invoice.status = status_after_refunds(invoice.paid, confirmed);
    invoices::set_status(&mut db, &invoice.id, invoice.status).await?;
    let current = invoices::find(&mut db, &invoice.id)
        .await?
        .ok_or(BillingError::InvoiceNotFound)?;
    let event = RefundIssued {
        refund_id: refund.id.clone(),
        invoice_id: invoice.id.clone(),
        user_id: invoice.user_id.clone(),
        currency: invoice.currency.code().to_owned(),
        amount_minor: refund.amount.minor,
        refunded_total_minor: confirmed.minor,
        provider_refund_id: refund.provider_refund_id.clone().unwrap_or_default(),
    };
    emitter.emit(&mut db, &refund.id, 1, &event).await?;
    let reply = Reply {
        status: StatusCode::CREATED,
        body: serde_json::json!({
            "refund": RefundView::from(&refund),
            "invoice": InvoiceView::from(&current),
        }),
    };
    billing.complete_claim(&mut db, Some(claim), &reply).await?;
    billing.commit(tx).await?;
    Ok(reply)
}
