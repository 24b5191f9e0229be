//! The events billing publishes through its outbox, their routing keys, and the
//! envelope every one of them travels in. Billing consumes no events, so its
//! topology fragment is the platform's shared exchanges only.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::events::platform::{EVENTS_EXCHANGE, base_topology};
use mediaflow_shared::events::{EventEnvelope, EventId, Topology};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::store::StoreError;
use serde::{Deserialize, Serialize};

use crate::store::Db;
use crate::views::LineView;

/// Schema version of every payload below.
pub const SCHEMA_VERSION: u32 = 1;

/// A billing event: its type name and routing key.
pub trait BillingEvent: Serialize {
    /// `event_type` of the envelope (PascalCase).
    const EVENT_TYPE: &'static str;
    /// Routing key on the events exchange (`billing.<entity>.<event>`).
    const ROUTING_KEY: &'static str;
}

/// Why a subscription changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// A new subscription.
    Subscribed,
    /// Upgrade or downgrade.
    PlanChanged,
    /// Cancellation requested; access continues to the period end.
    CancelRequested,
    /// Ended at once (cancellation while past due, or too many declined renewals).
    Canceled,
    /// A new period was paid.
    Renewed,
    /// A renewal charge was declined.
    PastDue,
    /// A canceling subscription reached its period end.
    Expired,
}

/// `billing.subscription.changed`: the subscription's state after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionChanged {
    /// The subscription.
    pub subscription_id: String,
    /// Its subscriber.
    pub user_id: String,
    /// Plan after the change.
    pub plan: String,
    /// Plan before the change, when it changed.
    pub previous_plan: Option<String>,
    /// Status after the change.
    pub status: String,
    /// Status before the change (`None` for a new subscription).
    pub previous_status: Option<String>,
    /// What happened.
    pub reason: ChangeReason,
    /// Whether the subscriber has access after the change.
    pub entitled: bool,
    /// Billing currency.
    pub currency: String,
    /// Current period start.
    pub current_period_start: Timestamp,
    /// Current period end.
    pub current_period_end: Timestamp,
}

impl BillingEvent for SubscriptionChanged {
    const EVENT_TYPE: &'static str = "SubscriptionChanged";
    const ROUTING_KEY: &'static str = "billing.subscription.changed";
}

/// `billing.invoice.paid`: an invoice was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePaid {
    /// The invoice.
    pub invoice_id: String,
    /// Its number, `INV-000001`.
    pub number: String,
    /// Customer.
    pub user_id: String,
    /// Subscription billed.
    pub subscription_id: String,
    /// `subscription`, `proration` or `renewal`.
    pub kind: String,
    /// Currency.
    pub currency: String,
    /// Exact sum of the lines, minor units.
    pub total_minor: i64,
    /// Amount charged, minor units.
    pub paid_minor: i64,
    /// Provider charge id (none when nothing was due).
    pub charge_id: Option<String>,
    /// Payment time.
    pub paid_at: Timestamp,
    /// The lines.
    pub lines: Vec<LineView>,
}

impl BillingEvent for InvoicePaid {
    const EVENT_TYPE: &'static str = "InvoicePaid";
    const ROUTING_KEY: &'static str = "billing.invoice.paid";
}

/// `billing.refund.issued`: money went back to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundIssued {
    /// The refund.
    pub refund_id: String,
    /// The refunded invoice.
    pub invoice_id: String,
    /// Customer.
    pub user_id: String,
    /// Currency.
    pub currency: String,
    /// This refund, minor units.
    pub amount_minor: i64,
    /// All confirmed refunds of the invoice so far, this one included.
    pub refunded_total_minor: i64,
    /// Provider's refund id.
    pub provider_refund_id: String,
}

impl BillingEvent for RefundIssued {
    const EVENT_TYPE: &'static str = "RefundIssued";
    const ROUTING_KEY: &'static str = "billing.refund.issued";
}

/// Billing's topology: the shared exchanges (it publishes, it does not consume).
pub fn topology() -> Topology {
    base_topology()
}

/// Stamps events of one operation: same time, same correlation id.
#[derive(Debug, Clone, Copy)]
pub struct Emitter<'a> {
    /// Event ids.
    pub ids: &'a IdGenerator,
    /// When the operation happened.
    pub at: Timestamp,
    /// The request id that caused the operation.
    pub correlation_id: &'a str,
}

impl Emitter<'_> {
    /// Wraps `event` of aggregate `aggregate_id` at position `sequence`.
    pub fn envelope<E: BillingEvent>(
        &self,
        aggregate_id: &str,
        sequence: u64,
        event: &E,
    ) -> Result<EventEnvelope, StoreError> {
        let payload = serde_json::to_value(event).map_err(|e| {
            StoreError::Sql(format!(
                "{} payload cannot be serialised: {e}",
                E::EVENT_TYPE
            ))
        })?;
        Ok(EventEnvelope {
            id: EventId(self.ids.uuid()),
            event_type: E::EVENT_TYPE.to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            sequence,
            occurred_at: self.at,
            schema_version: SCHEMA_VERSION,
            correlation_id: self.correlation_id.to_owned(),
            causation_id: None,
            payload,
        })
    }

    /// Records `event` in the outbox inside `db`, which must be the transaction
    /// of the state change the event reports.
    pub async fn emit<E: BillingEvent + Sync>(
        &self,
        db: &mut Db<'_>,
        aggregate_id: &str,
        sequence: u64,
        event: &E,
    ) -> Result<(), StoreError> {
        let envelope = self.envelope(aggregate_id, sequence, event)?;
        let Db::Tx(tx) = db else {
            return Err(StoreError::Sql(format!(
                "{} must be enqueued inside the transaction of its state change",
                E::EVENT_TYPE
            )));
        };
        Outbox::enqueue(&mut **tx, EVENTS_EXCHANGE, E::ROUTING_KEY, &envelope).await
    }
}
