//! The JSON shapes the service answers with (and that its events embed). Field
//! names are part of the public contract: renaming one breaks clients.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::Money;
use serde::{Deserialize, Serialize};

use crate::domain::invoice::InvoiceLine;
use crate::domain::plan::Plan;
use crate::domain::subscription::{Entitlement, SubscriptionStatus};
use crate::store::invoices::InvoiceRecord;
use crate::store::refunds::RefundRecord;
use crate::store::subscriptions::SubscriptionRecord;

/// A price in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceView {
    /// ISO currency code.
    pub currency: String,
    /// Price per period in minor units.
    pub amount_minor: i64,
    /// Human-readable amount, e.g. `9.99 USD`.
    pub display: String,
}

/// A plan as listed by `GET /plans`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// Plan code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Highest resolution, `WIDTHxHEIGHT`.
    pub max_resolution: String,
    /// Simultaneous streams.
    pub max_streams: u32,
    /// Prices per currency.
    pub prices: Vec<PriceView>,
}

impl From<&Plan> for PlanView {
    fn from(plan: &Plan) -> Self {
        Self {
            code: plan.code.to_string(),
            name: plan.name.clone(),
            max_resolution: plan.max_resolution.to_string(),
            max_streams: plan.max_streams,
            prices: plan.prices.iter().map(|p| price(*p)).collect(),
        }
    }
}

fn price(money: Money) -> PriceView {
    PriceView {
        currency: money.currency.code().to_owned(),
        amount_minor: money.minor,
        display: money.to_string(),
    }
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    /// Id.
    pub id: String,
    /// Subscriber.
    pub user_id: String,
    /// Plan code.
    pub plan: String,
    /// `active`, `canceling`, `past_due` or `canceled`.
    pub status: String,
    /// Billing currency.
    pub currency: String,
    /// Start of the current period.
    pub current_period_start: Timestamp,
    /// End of the current period (access end when canceling).
    pub current_period_end: Timestamp,
    /// Whether the subscription ends at the period end.
    pub cancel_at_period_end: bool,
    /// Account credit for later renewals, minor units.
    pub credit_minor: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// When cancellation was requested.
    pub canceled_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
}

impl From<&SubscriptionRecord> for SubscriptionView {
    fn from(sub: &SubscriptionRecord) -> Self {
        Self {
            id: sub.id.clone(),
            user_id: sub.user_id.clone(),
            plan: sub.plan.to_string(),
            status: sub.status.as_str().to_owned(),
            currency: sub.currency.code().to_owned(),
            current_period_start: sub.period.start,
            current_period_end: sub.period.end,
            cancel_at_period_end: sub.status == SubscriptionStatus::Canceling,
            credit_minor: sub.credit.minor,
            created_at: sub.created_at,
            canceled_at: sub.canceled_at,
            ended_at: sub.ended_at,
        }
    }
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    /// `plan`, `proration_credit`, `proration_charge` or `account_credit`.
    pub kind: String,
    /// Text shown to the customer.
    pub description: String,
    /// Plan priced by the line.
    pub plan: Option<String>,
    /// Days covered (prorated lines).
    pub days: Option<i64>,
    /// Days of the period prorated over.
    pub period_days: Option<i64>,
    /// Signed amount, minor units.
    pub amount_minor: i64,
}

impl From<&InvoiceLine> for LineView {
    fn from(line: &InvoiceLine) -> Self {
        Self {
            kind: line.kind.as_str().to_owned(),
            description: line.description.clone(),
            plan: line.plan.as_ref().map(ToString::to_string),
            days: line.days,
            period_days: line.period_days,
            amount_minor: line.amount.minor,
        }
    }
}

/// An invoice with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// Id.
    pub id: String,
    /// Sequential number, `INV-000001`.
    pub number: String,
    /// Customer.
    pub user_id: String,
    /// Subscription billed.
    pub subscription_id: String,
    /// `subscription`, `proration` or `renewal`.
    pub kind: String,
    /// `paid`, `credited`, `failed`, `partially_refunded` or `refunded`.
    pub status: String,
    /// Currency of every amount.
    pub currency: String,
    /// Exact sum of the lines.
    pub total_minor: i64,
    /// Amount charged.
    pub paid_minor: i64,
    /// Amount refunded or being refunded.
    pub refunded_minor: i64,
    /// Provider charge id.
    pub charge_id: Option<String>,
    /// Billing period start.
    pub period_start: Timestamp,
    /// Billing period end.
    pub period_end: Timestamp,
    /// Issue time.
    pub created_at: Timestamp,
    /// Payment time.
    pub paid_at: Option<Timestamp>,
    /// Why the charge failed.
    pub failure_reason: Option<String>,
    /// Lines in order.
    pub lines: Vec<LineView>,
}

/// The display form of an invoice number.
pub fn invoice_number(number: i64) -> String {
    format!("INV-{number:06}")
}

impl From<&InvoiceRecord> for InvoiceView {
    fn from(invoice: &InvoiceRecord) -> Self {
        Self {
            id: invoice.id.clone(),
            number: invoice_number(invoice.number),
            user_id: invoice.user_id.clone(),
            subscription_id: invoice.subscription_id.clone(),
            kind: invoice.kind.as_str().to_owned(),
            status: invoice.status.as_str().to_owned(),
            currency: invoice.currency.code().to_owned(),
            total_minor: invoice.total.minor,
            paid_minor: invoice.paid.minor,
            refunded_minor: invoice.refunded.minor,
            charge_id: invoice.charge_id.clone(),
            period_start: invoice.period.start,
            period_end: invoice.period.end,
            created_at: invoice.created_at,
            paid_at: invoice.paid_at,
            failure_reason: invoice.failure_reason.clone(),
            lines: invoice.lines.iter().map(LineView::from).collect(),
        }
    }
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    /// Id.
    pub id: String,
    /// Refunded invoice.
    pub invoice_id: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    /// Currency.
    pub currency: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Provider's refund id.
    pub provider_refund_id: Option<String>,
    /// Request time.
    pub created_at: Timestamp,
    /// Completion time.
    pub completed_at: Option<Timestamp>,
}

impl From<&RefundRecord> for RefundView {
    fn from(refund: &RefundRecord) -> Self {
        Self {
            id: refund.id.clone(),
            invoice_id: refund.invoice_id.clone(),
            status: refund.status.as_str().to_owned(),
            currency: refund.amount.currency.code().to_owned(),
            amount_minor: refund.amount.minor,
            provider_refund_id: refund.provider_refund_id.clone(),
            created_at: refund.created_at,
            completed_at: refund.completed_at,
        }
    }
}

/// What a user may watch, for the streaming service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementView {
    /// The user.
    pub user_id: String,
    /// Plan of the latest subscription.
    pub plan: Option<String>,
    /// Status of the latest subscription.
    pub status: Option<String>,
    /// Whether the user has access now.
    pub entitled: bool,
    /// Highest resolution allowed, `WIDTHxHEIGHT`.
    pub max_resolution: Option<String>,
    /// Simultaneous streams allowed.
    pub max_streams: u32,
    /// When access ends (canceling subscriptions).
    pub access_until: Option<Timestamp>,
}

impl EntitlementView {
    /// The view of `entitlement` for `user_id`.
    pub fn new(user_id: &str, entitlement: &Entitlement) -> Self {
        Self {
            user_id: user_id.to_owned(),
            plan: entitlement.plan.as_ref().map(ToString::to_string),
            status: entitlement.status.map(|s| s.as_str().to_owned()),
            entitled: entitlement.entitled,
            max_resolution: entitlement.max_resolution.map(|r| r.to_string()),
            max_streams: entitlement.max_streams,
            access_until: entitlement.access_until,
        }
    }
}
