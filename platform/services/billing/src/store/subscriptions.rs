//! Subscriptions. Every update is fenced: it carries the fencing token of the
//! account lock its writer holds and is refused when a newer holder has written,
//! so a writer whose lease lapsed mid-change cannot overwrite its successor.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::lock::FencingToken;
use mediaflow_shared::money::{Currency, Money};
use mediaflow_shared::params;
use mediaflow_shared::store::{Row, StoreError, timestamp_to_micros};

use super::Db;
use super::rows::{self, bigint};
use crate::domain::period::BillingPeriod;
use crate::domain::plan::PlanCode;
use crate::domain::subscription::SubscriptionStatus;
use crate::error::BillingError;

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    /// Id (`sub_…`).
    pub id: String,
    /// Subscriber.
    pub user_id: String,
    /// Current plan.
    pub plan: PlanCode,
    /// Currency every invoice of this subscription is in.
    pub currency: Currency,
    /// Lifecycle status.
    pub status: SubscriptionStatus,
    /// Day of month periods start on.
    pub anchor_day: u32,
    /// The current period.
    pub period: BillingPeriod,
    /// Account credit from downgrades, used by the next renewals.
    pub credit: Money,
    /// Declined renewal charges in a row.
    pub renewal_failures: u32,
    /// When cancellation was requested.
    pub canceled_at: Option<Timestamp>,
    /// When the subscription ended.
    pub ended_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Sequence of the last event of this aggregate.
    pub event_sequence: u64,
    /// Fencing token of the last writer.
    pub fence: u64,
}

const COLUMNS: &str = "id, user_id, plan_code, currency, status, anchor_day, period_start, period_end, \
    credit_minor, renewal_failures, canceled_at, ended_at, created_at, updated_at, event_sequence, fence";

fn decode(row: &Row) -> Result<SubscriptionRecord, BillingError> {
    let currency = rows::currency(row, "currency")?;
    let period = BillingPeriod::new(
        rows::timestamp(row, "period_start")?,
        rows::timestamp(row, "period_end")?,
    )
    .map_err(|e| BillingError::Corrupt(e.to_string()))?;
    Ok(SubscriptionRecord {
        id: row.get("id")?,
        user_id: row.get("user_id")?,
        plan: PlanCode::parse(&row.get::<String>("plan_code")?)
            .map_err(|e| BillingError::Corrupt(e.to_string()))?,
        currency,
        status: rows::parsed(row, "status", SubscriptionStatus::parse)?,
        anchor_day: rows::small(row, "anchor_day")?,
        period,
        credit: rows::money(row, "credit_minor", currency)?,
        renewal_failures: rows::small(row, "renewal_failures")?,
        canceled_at: rows::opt_timestamp(row, "canceled_at")?,
        ended_at: rows::opt_timestamp(row, "ended_at")?,
        created_at: rows::timestamp(row, "created_at")?,
        updated_at: rows::timestamp(row, "updated_at")?,
        event_sequence: rows::count(row, "event_sequence")?,
        fence: rows::count(row, "fence")?,
    })
}

/// The user's most recent subscription (the live one when there is one: a new
/// subscription can only start after the previous one ended).
pub async fn latest_for_user(
    db: &mut Db<'_>,
    user_id: &str,
) -> Result<Option<SubscriptionRecord>, BillingError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM subscriptions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
    );
    db.query(&sql, &params![user_id])
        .await?
        .first()
        .map(decode)
        .transpose()
}

/// One subscription by id.
pub async fn find(db: &mut Db<'_>, id: &str) -> Result<Option<SubscriptionRecord>, BillingError> {
    let sql = format!("SELECT {COLUMNS} FROM subscriptions WHERE id = $1");
    db.query(&sql, &params![id])
        .await?
        .first()
        .map(decode)
        .transpose()
}

/// Live subscriptions whose period ended at or before `now`, oldest first.
pub async fn due(
    db: &mut Db<'_>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<SubscriptionRecord>, BillingError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM subscriptions WHERE status <> 'canceled' AND period_end <= $1 \
         ORDER BY period_end, id LIMIT $2"
    );
    db.query(&sql, &params![timestamp_to_micros(now), limit])
        .await?
        .iter()
        .map(decode)
        .collect()
}

/// Inserts a new subscription; a second live one for the user is refused.
pub async fn insert(db: &mut Db<'_>, sub: &SubscriptionRecord) -> Result<(), BillingError> {
    let sql = format!(
        "INSERT INTO subscriptions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    let inserted = db
        .execute(
            &sql,
            &params![
                sub.id.as_str(),
                sub.user_id.as_str(),
                sub.plan.as_str(),
                sub.currency.code(),
                sub.status.as_str(),
                sub.anchor_day,
                timestamp_to_micros(sub.period.start),
                timestamp_to_micros(sub.period.end),
                sub.credit.minor,
                sub.renewal_failures,
                sub.canceled_at.map(timestamp_to_micros),
                sub.ended_at.map(timestamp_to_micros),
                timestamp_to_micros(sub.created_at),
                timestamp_to_micros(sub.updated_at),
                bigint(sub.event_sequence),
                bigint(sub.fence),
            ],
        )
        .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(StoreError::Constraint(_)) => Err(BillingError::AlreadySubscribed),
        Err(other) => Err(other.into()),
    }
}

/// Writes every mutable field of `sub` under fencing token `token`; refused with
/// [`BillingError::LeaseLost`] when a writer with a newer token got there first.
pub async fn update(
    db: &mut Db<'_>,
    sub: &SubscriptionRecord,
    token: FencingToken,
) -> Result<(), BillingError> {
    let changed = db
        .execute(
            "UPDATE subscriptions SET plan_code = $1, status = $2, period_start = $3, period_end = $4, \
             credit_minor = $5, renewal_failures = $6, canceled_at = $7, ended_at = $8, updated_at = $9, \
             event_sequence = $10, fence = $11 \
             WHERE id = $12 AND fence <= $11",
            &params![
                sub.plan.as_str(),
                sub.status.as_str(),
                timestamp_to_micros(sub.period.start),
                timestamp_to_micros(sub.period.end),
                sub.credit.minor,
                sub.renewal_failures,
                sub.canceled_at.map(timestamp_to_micros),
                sub.ended_at.map(timestamp_to_micros),
                timestamp_to_micros(sub.updated_at),
                bigint(sub.event_sequence),
                bigint(token.0),
                sub.id.as_str(),
            ],
        )
        .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(BillingError::LeaseLost)
    }
}
