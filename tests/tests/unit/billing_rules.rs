//! Billing's rules beyond proration: subscription statuses and entitlements,
//! cancellation and renewal rules, invoice lines with account credit, refund
//! limits, and the idempotency key, request fingerprint and plan code formats.

use chrono::{TimeZone, Utc};
use mediaflow_billing::domain::DomainError;
use mediaflow_billing::domain::idempotency::{IdempotencyKey, fingerprint};
use mediaflow_billing::domain::invoice::{
    InvoiceStatus, period_lines, status_after_refunds, total_of,
};
use mediaflow_billing::domain::period::BillingPeriod;
use mediaflow_billing::domain::plan::{Plan, PlanCode, PricedPlan};
use mediaflow_billing::domain::refund::check_refund;
use mediaflow_billing::domain::subscription::{
    CancelOutcome, RenewalAction, SubscriptionStatus, after_declined_renewal, cancel,
    ensure_plan_changeable, entitlement, renewal_action,
};
use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::media::Resolution;
use mediaflow_shared::money::{Currency, Money};
use serde_json::json;

fn at(year: i32, month: u32, day: u32, hour: u32) -> Timestamp {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
        .single()
        .expect("valid instant")
}

fn priced(code: &str, name: &str, minor: i64) -> PricedPlan {
    PricedPlan {
        code: PlanCode::parse(code).expect("valid code"),
        name: name.to_owned(),
        price: Money::from_minor(minor, Currency::USD),
    }
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

fn plan(code: &str, height: u32) -> Plan {
    Plan {
        code: PlanCode::parse(code).expect("valid code"),
        name: code.to_owned(),
        max_resolution: Resolution::new(height * 16 / 9 / 2 * 2, height).expect("valid resolution"),
        max_streams: 2,
        tier: 2,
        prices: vec![usd(1499)],
    }
}

#[test]
fn only_active_and_canceling_subscriptions_grant_access() {
    let cases = [
        (SubscriptionStatus::Active, true),
        (SubscriptionStatus::Canceling, true),
        (SubscriptionStatus::PastDue, false),
        (SubscriptionStatus::Canceled, false),
    ];
    for (status, expected) in cases {
        assert_eq!(status.grants_access(), expected, "{status} access");
        assert_eq!(
            SubscriptionStatus::parse(status.as_str()),
            Some(status),
            "{status} round-trips"
        );
    }
}

#[test]
fn a_canceling_subscription_keeps_its_plan_until_the_period_ends() {
    let premium = plan("premium", 1080);
    let end = at(2026, 2, 1, 0);
    let before = entitlement(
        SubscriptionStatus::Canceling,
        &premium,
        end,
        at(2026, 1, 20, 0),
    );
    assert!(
        before.entitled,
        "canceling must not revoke access before the period ends"
    );
    assert_eq!(
        before.max_resolution,
        Some(premium.max_resolution),
        "a canceling premium keeps premium quality, not basic"
    );
    assert_eq!(
        before.access_until,
        Some(end),
        "access ends with the paid period"
    );
    let after = entitlement(
        SubscriptionStatus::Canceling,
        &premium,
        end,
        at(2026, 2, 1, 0),
    );
    assert!(!after.entitled, "access ends at the period end");
    assert_eq!((after.max_resolution, after.max_streams), (None, 0));
}

#[test]
fn cancellation_waits_for_the_period_end_unless_nothing_is_paid() {
    assert_eq!(
        cancel(SubscriptionStatus::Active),
        Ok(CancelOutcome::AtPeriodEnd)
    );
    assert_eq!(
        cancel(SubscriptionStatus::Canceling),
        Ok(CancelOutcome::AlreadyCanceling)
    );
    assert_eq!(
        cancel(SubscriptionStatus::PastDue),
        Ok(CancelOutcome::Immediately),
        "an unpaid period is not honoured"
    );
    assert!(matches!(
        cancel(SubscriptionStatus::Canceled),
        Err(DomainError::NotAllowed { .. })
    ));
}

#[test]
fn only_an_active_subscription_changes_plan() {
    assert_eq!(ensure_plan_changeable(SubscriptionStatus::Active), Ok(()));
    for status in [
        SubscriptionStatus::Canceling,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Canceled,
    ] {
        assert!(
            ensure_plan_changeable(status).is_err(),
            "a {status} subscription must not change plan"
        );
    }
}

#[test]
fn renewals_charge_live_subscriptions_and_expire_canceling_ones() {
    assert_eq!(
        renewal_action(SubscriptionStatus::Active),
        RenewalAction::Charge
    );
    assert_eq!(
        renewal_action(SubscriptionStatus::PastDue),
        RenewalAction::Charge,
        "past due is retried"
    );
    assert_eq!(
        renewal_action(SubscriptionStatus::Canceling),
        RenewalAction::Expire,
        "a canceled subscription is never charged again"
    );
    assert_eq!(
        renewal_action(SubscriptionStatus::Canceled),
        RenewalAction::Skip
    );
}

#[test]
fn declined_renewals_make_a_subscription_past_due_then_canceled() {
    assert_eq!(after_declined_renewal(1, 3), SubscriptionStatus::PastDue);
    assert_eq!(after_declined_renewal(2, 3), SubscriptionStatus::PastDue);
    assert_eq!(
        after_declined_renewal(3, 3),
        SubscriptionStatus::Canceled,
        "the third decline in a row ends it"
    );
}

#[test]
fn period_lines_use_account_credit_up_to_the_price() {
    let period = BillingPeriod::monthly_from(at(2026, 3, 1, 0)).expect("period");
    let basic = priced("basic", "Basic", 999);
    let (lines, used) = period_lines(&basic, &period, usd(250)).expect("lines");
    assert_eq!(used, usd(250));
    assert_eq!(
        total_of(&lines, Currency::USD).expect("sum"),
        usd(749),
        "9.99 minus 2.50 credit"
    );
    let (lines, used) = period_lines(&basic, &period, usd(5000)).expect("lines");
    assert_eq!(
        used,
        usd(999),
        "credit beyond the price stays on the account"
    );
    assert_eq!(total_of(&lines, Currency::USD).expect("sum"), usd(0));
    let (lines, _) = period_lines(&basic, &period, usd(0)).expect("lines");
    assert_eq!(lines.len(), 1, "no credit line without credit");
}

#[test]
fn refunds_must_be_positive_and_within_what_remains_of_the_charge() {
    assert_eq!(
        check_refund(usd(1499), usd(1000), 499),
        Ok(usd(499)),
        "exactly the remainder is allowed"
    );
    assert!(
        matches!(check_refund(usd(1499), usd(1000), 500), Err(DomainError::RefundExceedsCharge { refundable, .. }) if refundable == usd(499)),
        "one cent over the remainder must be refused, naming what is left"
    );
    assert_eq!(
        check_refund(usd(1499), usd(0), 0),
        Err(DomainError::InvalidRefundAmount(0))
    );
    assert_eq!(
        check_refund(usd(1499), usd(0), -5),
        Err(DomainError::InvalidRefundAmount(-5))
    );
    assert_eq!(status_after_refunds(usd(1499), usd(0)), InvoiceStatus::Paid);
    assert_eq!(
        status_after_refunds(usd(1499), usd(1)),
        InvoiceStatus::PartiallyRefunded
    );
    assert_eq!(
        status_after_refunds(usd(1499), usd(1499)),
        InvoiceStatus::Refunded
    );
}

#[test]
fn idempotency_keys_are_printable_and_bounded() {
    assert_eq!(
        IdempotencyKey::parse("  4f1c-9a  ")
            .expect("valid")
            .as_str(),
        "4f1c-9a"
    );
    for bad in [
        "",
        "   ",
        "has space",
        "tab\tkey",
        &"k".repeat(256),
        "caf\u{e9}",
    ] {
        assert_eq!(
            IdempotencyKey::parse(bad),
            Err(DomainError::InvalidIdempotencyKey),
            "{bad:?} must be refused"
        );
    }
}

#[test]
fn a_fingerprint_ignores_formatting_but_not_meaning() {
    let a = fingerprint(
        "POST",
        "/subscriptions",
        &json!({ "plan": "basic", "currency": "USD" }),
    );
    let reordered: serde_json::Value =
        serde_json::from_str(r#"{ "currency" : "USD",  "plan":"basic" }"#).expect("json");
    assert_eq!(
        a,
        fingerprint("post", "/subscriptions", &reordered),
        "key order and whitespace do not change a request"
    );
    assert_ne!(
        a,
        fingerprint(
            "POST",
            "/subscriptions",
            &json!({ "plan": "premium", "currency": "USD" })
        ),
        "another plan is another request"
    );
    assert_ne!(
        a,
        fingerprint(
            "POST",
            "/subscriptions/me/change",
            &json!({ "plan": "basic", "currency": "USD" })
        ),
        "another endpoint is another request"
    );
    assert_eq!(a.len(), 64, "a SHA-256 in hex");
}

#[test]
fn plan_codes_are_short_lowercase_identifiers() {
    assert_eq!(PlanCode::parse("family").expect("valid").as_str(), "family");
    for bad in ["", "Basic", "basic plan", "basic'--", &"p".repeat(33)] {
        assert!(
            PlanCode::parse(bad).is_err(),
            "{bad:?} must not be a plan code"
        );
    }
}
