//! Refunds: created pending (with their amount reserved on the invoice) before
//! the provider is called, then marked succeeded or failed.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::{Currency, Money};
use mediaflow_shared::params;
use mediaflow_shared::store::{Row, timestamp_to_micros};

use super::Db;
use super::rows;
use crate::error::BillingError;

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// Reserved; the provider has not confirmed it yet.
    Pending,
    /// Confirmed by the provider.
    Succeeded,
    /// Refused by the provider; its reservation was released.
    Failed,
}

impl RefundStatus {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "succeeded" => Some(Self::Succeeded),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A stored refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// Id (`ref_…`).
    pub id: String,
    /// The refunded invoice.
    pub invoice_id: String,
    /// The idempotency key row that created it.
    pub request_ref: String,
    /// Amount.
    pub amount: Money,
    /// Where it stands.
    pub status: RefundStatus,
    /// Provider's refund id once confirmed.
    pub provider_refund_id: Option<String>,
    /// The admin who asked for it.
    pub requested_by: String,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// Request time.
    pub created_at: Timestamp,
    /// Completion time.
    pub completed_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, invoice_id, request_ref, amount_minor, currency, status, provider_refund_id, \
    requested_by, failure_reason, created_at, completed_at";

fn decode(row: &Row) -> Result<RefundRecord, BillingError> {
    let currency: Currency = rows::currency(row, "currency")?;
    Ok(RefundRecord {
        id: row.get("id")?,
        invoice_id: row.get("invoice_id")?,
        request_ref: row.get("request_ref")?,
        amount: rows::money(row, "amount_minor", currency)?,
        status: rows::parsed(row, "status", RefundStatus::parse)?,
        provider_refund_id: row.get("provider_refund_id")?,
        requested_by: row.get("requested_by")?,
        failure_reason: row.get("failure_reason")?,
        created_at: rows::timestamp(row, "created_at")?,
        completed_at: rows::opt_timestamp(row, "completed_at")?,
    })
}

/// The refund a request (its idempotency key row) created, if any.
pub async fn find_by_request(
    db: &mut Db<'_>,
    request_ref: &str,
) -> Result<Option<RefundRecord>, BillingError> {
    let sql = format!("SELECT {COLUMNS} FROM refunds WHERE request_ref = $1");
    db.query(&sql, &params![request_ref])
        .await?
        .first()
        .map(decode)
        .transpose()
}

/// Minor units of the invoice's refunds the provider confirmed.
pub async fn succeeded_total(db: &mut Db<'_>, invoice_id: &str) -> Result<i64, BillingError> {
    let rows = db
        .query(
            "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM refunds WHERE invoice_id = $1 AND status = 'succeeded'",
            &params![invoice_id],
        )
        .await?;
    Ok(rows
        .first()
        .map(|row| row.get::<i64>("total"))
        .transpose()?
        .unwrap_or(0))
}

/// Inserts a pending refund.
pub async fn insert(db: &mut Db<'_>, refund: &RefundRecord) -> Result<(), BillingError> {
    let sql = format!(
        "INSERT INTO refunds ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    db.execute(
        &sql,
        &params![
            refund.id.as_str(),
            refund.invoice_id.as_str(),
            refund.request_ref.as_str(),
            refund.amount.minor,
            refund.amount.currency.code(),
            refund.status.as_str(),
            refund.provider_refund_id.as_deref(),
            refund.requested_by.as_str(),
            refund.failure_reason.as_deref(),
            timestamp_to_micros(refund.created_at),
            refund.completed_at.map(timestamp_to_micros),
        ],
    )
    .await?;
    Ok(())
}

/// Records the outcome of a pending refund.
pub async fn finish(db: &mut Db<'_>, refund: &RefundRecord) -> Result<(), BillingError> {
    db.execute(
        "UPDATE refunds SET status = $1, provider_refund_id = $2, failure_reason = $3, completed_at = $4 \
         WHERE id = $5 AND status = 'pending'",
        &params![
            refund.status.as_str(),
            refund.provider_refund_id.as_deref(),
            refund.failure_reason.as_deref(),
            refund.completed_at.map(timestamp_to_micros),
            refund.id.as_str(),
        ],
    )
    .await?;
    Ok(())
}
