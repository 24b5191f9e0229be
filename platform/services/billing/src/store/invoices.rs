//! Invoices and their lines. Lists load the lines of all listed invoices in one
//! extra query, never one query per invoice. Refunds reserve their amount with a
//! conditional update, so refunds never exceed the charge even when they race.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::{Currency, Money};
use mediaflow_shared::params;
use mediaflow_shared::store::{Row, timestamp_to_micros};

use super::Db;
use super::rows::{self, bigint};
use crate::domain::invoice::{InvoiceKind, InvoiceLine, InvoiceStatus, LineKind};
use crate::domain::period::BillingPeriod;
use crate::domain::plan::PlanCode;
use crate::error::BillingError;

/// A stored invoice with its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    /// Id (`inv_…`).
    pub id: String,
    /// Sequential number, assigned at insertion.
    pub number: i64,
    /// Customer.
    pub user_id: String,
    /// The subscription billed.
    pub subscription_id: String,
    /// Why it was issued.
    pub kind: InvoiceKind,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// Currency of every amount.
    pub currency: Currency,
    /// Exact sum of the lines.
    pub total: Money,
    /// Amount actually charged.
    pub paid: Money,
    /// Refunded or being refunded.
    pub refunded: Money,
    /// Provider charge id, when something was charged.
    pub charge_id: Option<String>,
    /// The billing period the invoice belongs to.
    pub period: BillingPeriod,
    /// Why the charge failed, for failed invoices.
    pub failure_reason: Option<String>,
    /// Issue time.
    pub created_at: Timestamp,
    /// Payment time.
    pub paid_at: Option<Timestamp>,
    /// Sequence of the last event of this aggregate.
    pub event_sequence: u64,
    /// Lines in order.
    pub lines: Vec<InvoiceLine>,
}

const COLUMNS: &str = "id, number, user_id, subscription_id, kind, status, currency, total_minor, paid_minor, \
    refunded_minor, charge_id, period_start, period_end, failure_reason, created_at, paid_at, event_sequence";

const LINE_COLUMNS: &str =
    "invoice_id, line_no, kind, description, plan_code, days, period_days, amount_minor";

fn decode(row: &Row) -> Result<InvoiceRecord, BillingError> {
    let currency = rows::currency(row, "currency")?;
    Ok(InvoiceRecord {
        id: row.get("id")?,
        number: row.get("number")?,
        user_id: row.get("user_id")?,
        subscription_id: row.get("subscription_id")?,
        kind: rows::parsed(row, "kind", InvoiceKind::parse)?,
        status: rows::parsed(row, "status", InvoiceStatus::parse)?,
        currency,
        total: rows::money(row, "total_minor", currency)?,
        paid: rows::money(row, "paid_minor", currency)?,
        refunded: rows::money(row, "refunded_minor", currency)?,
        charge_id: row.get("charge_id")?,
        period: BillingPeriod::new(
            rows::timestamp(row, "period_start")?,
            rows::timestamp(row, "period_end")?,
        )
        .map_err(|e| BillingError::Corrupt(e.to_string()))?,
        failure_reason: row.get("failure_reason")?,
        created_at: rows::timestamp(row, "created_at")?,
        paid_at: rows::opt_timestamp(row, "paid_at")?,
        event_sequence: rows::count(row, "event_sequence")?,
        lines: Vec::new(),
    })
}

fn decode_line(row: &Row, currency: Currency) -> Result<InvoiceLine, BillingError> {
    let plan = row
        .get::<Option<String>>("plan_code")?
        .map(|code| PlanCode::parse(&code).map_err(|e| BillingError::Corrupt(e.to_string())))
        .transpose()?;
    Ok(InvoiceLine {
        kind: rows::parsed(row, "kind", LineKind::parse)?,
        description: row.get("description")?,
        plan,
        days: row.get("days")?,
        period_days: row.get("period_days")?,
        amount: rows::money(row, "amount_minor", currency)?,
    })
}

/// Attaches lines (rows ordered by invoice and line number) to their invoices.
fn attach_lines(invoices: &mut [InvoiceRecord], line_rows: &[Row]) -> Result<(), BillingError> {
    for row in line_rows {
        let invoice_id: String = row.get("invoice_id")?;
        if let Some(invoice) = invoices.iter_mut().find(|i| i.id == invoice_id) {
            let line = decode_line(row, invoice.currency)?;
            invoice.lines.push(line);
        }
    }
    Ok(())
}

/// Takes the next invoice number; the counter row stays locked until commit, so
/// numbers follow commit order without gaps from concurrent writers.
pub async fn next_number(db: &mut Db<'_>) -> Result<i64, BillingError> {
    let rows = db
        .query(
            "UPDATE counters SET value = value + 1 WHERE name = 'invoice_number' RETURNING value",
            &[],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| BillingError::Corrupt("the invoice number counter is missing".to_owned()))?;
    Ok(row.get("value")?)
}

/// Inserts an invoice and its lines, numbering it; returns the number.
pub async fn insert(db: &mut Db<'_>, invoice: &InvoiceRecord) -> Result<i64, BillingError> {
    let number = next_number(db).await?;
    let sql = format!(
        "INSERT INTO invoices ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    );
    db.execute(
        &sql,
        &params![
            invoice.id.as_str(),
            number,
            invoice.user_id.as_str(),
            invoice.subscription_id.as_str(),
            invoice.kind.as_str(),
            invoice.status.as_str(),
            invoice.currency.code(),
            invoice.total.minor,
            invoice.paid.minor,
            invoice.refunded.minor,
            invoice.charge_id.as_deref(),
            timestamp_to_micros(invoice.period.start),
            timestamp_to_micros(invoice.period.end),
            invoice.failure_reason.as_deref(),
            timestamp_to_micros(invoice.created_at),
            invoice.paid_at.map(timestamp_to_micros),
            bigint(invoice.event_sequence),
        ],
    )
    .await?;
    let line_sql = format!(
        "INSERT INTO invoice_lines ({LINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    );
    for (index, line) in invoice.lines.iter().enumerate() {
        db.execute(
            &line_sql,
            &params![
                invoice.id.as_str(),
                i64::try_from(index + 1).unwrap_or(i64::MAX),
                line.kind.as_str(),
                line.description.as_str(),
                line.plan.as_ref().map(PlanCode::as_str),
                line.days,
                line.period_days,
                line.amount.minor,
            ],
        )
        .await?;
    }
    Ok(number)
}

/// One invoice with its lines.
pub async fn find(db: &mut Db<'_>, id: &str) -> Result<Option<InvoiceRecord>, BillingError> {
    let rows = db
        .query(
            &format!("SELECT {COLUMNS} FROM invoices WHERE id = $1"),
            &params![id],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let mut invoices = vec![decode(row)?];
    let lines = db
        .query(
            &format!(
                "SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no"
            ),
            &params![id],
        )
        .await?;
    attach_lines(&mut invoices, &lines)?;
    Ok(invoices.pop())
}

/// The user's latest `limit` invoices, newest first, with their lines: two
/// queries whatever the number of invoices.
pub async fn list_for_user(
    db: &mut Db<'_>,
    user_id: &str,
    limit: u32,
) -> Result<Vec<InvoiceRecord>, BillingError> {
    let rows = db
        .query(
            &format!(
                "SELECT {COLUMNS} FROM invoices WHERE user_id = $1 ORDER BY number DESC LIMIT $2"
            ),
            &params![user_id, limit],
        )
        .await?;
    let mut invoices = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    if invoices.is_empty() {
        return Ok(invoices);
    }
    let lines = db
        .query(
            &format!(
                "SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id IN \
                 (SELECT id FROM invoices WHERE user_id = $1 ORDER BY number DESC LIMIT $2) \
                 ORDER BY invoice_id, line_no"
            ),
            &params![user_id, limit],
        )
        .await?;
    attach_lines(&mut invoices, &lines)?;
    Ok(invoices)
}

/// Reserves `amount` of the invoice's charge for a refund: succeeds only while
/// refunds (succeeded and in flight) stay within what was paid.
pub async fn reserve_refund(
    db: &mut Db<'_>,
    invoice_id: &str,
    amount: Money,
) -> Result<bool, BillingError> {
    let changed = db
        .execute(
            "UPDATE invoices SET refunded_minor = refunded_minor + $1 \
             WHERE id = $2 AND refunded_minor + $1 <= paid_minor",
            &params![amount.minor, invoice_id],
        )
        .await?;
    Ok(changed == 1)
}

/// Gives back a reservation whose refund failed.
pub async fn release_refund(
    db: &mut Db<'_>,
    invoice_id: &str,
    amount: Money,
) -> Result<(), BillingError> {
    db.execute(
        "UPDATE invoices SET refunded_minor = refunded_minor - $1 WHERE id = $2 AND refunded_minor >= $1",
        &params![amount.minor, invoice_id],
    )
    .await?;
    Ok(())
}

/// Sets the status after a refund completed.
pub async fn set_status(
    db: &mut Db<'_>,
    invoice_id: &str,
    status: InvoiceStatus,
) -> Result<(), BillingError> {
    db.execute(
        "UPDATE invoices SET status = $1 WHERE id = $2",
        &params![status.as_str(), invoice_id],
    )
    .await?;
    Ok(())
}
