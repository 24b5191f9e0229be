//! Billing's proration and periods: plan changes prorated over the actual days of
//! the period with half-even rounding per line, and calendar-month periods
//! anchored on their first day.

use chrono::{TimeZone, Utc};
use mediaflow_billing::domain::invoice::{LineKind, total_of};
use mediaflow_billing::domain::period::BillingPeriod;
use mediaflow_billing::domain::plan::{PlanCode, PricedPlan};
use mediaflow_billing::domain::proration::prorate;
use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::{Currency, Money};

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

#[test]
fn basic_to_premium_with_15_of_30_days_left_charges_exactly_two_fifty() {
    let period = BillingPeriod::monthly_from(at(2026, 4, 1, 0)).expect("april period");
    let quote = prorate(
        &priced("basic", "Basic", 999),
        &priced("premium", "Premium", 1499),
        &period,
        at(2026, 4, 16, 9),
    )
    .expect("prorates");
    assert_eq!(
        (quote.days_remaining, quote.period_days),
        (15, 30),
        "April 16 leaves 15 of April's 30 days"
    );
    assert_eq!(
        quote.credit.amount,
        usd(-500),
        "credit for 15/30 of 9.99 is 4.995, rounded half-even to 5.00"
    );
    assert_eq!(
        quote.charge.amount,
        usd(750),
        "charge for 15/30 of 14.99 is 7.495, rounded half-even to 7.50"
    );
    assert_eq!(
        quote.total,
        usd(250),
        "the seed scenario's upgrade must cost exactly 2.50 USD"
    );
}

#[test]
fn proration_lines_always_sum_exactly_to_the_total() {
    let cases = [
        (999, 1499, 3),
        (1499, 1999, 7),
        (1999, 999, 29),
        (999, 1999, 1),
        (1499, 999, 31),
    ];
    let period = BillingPeriod::monthly_from(at(2026, 1, 1, 0)).expect("january period");
    for (from, to, day) in cases {
        let quote = prorate(
            &priced("a", "A", from),
            &priced("b", "B", to),
            &period,
            at(2026, 1, day, 12),
        )
        .expect("prorates");
        let lines = quote.lines();
        assert_eq!(
            total_of(&lines, Currency::USD).expect("sums"),
            quote.total,
            "lines of a {from}->{to} change on Jan {day} must add up to the total"
        );
        assert_eq!(
            lines[0].kind,
            LineKind::ProrationCredit,
            "the credit line comes first"
        );
        assert!(
            lines[0].amount.minor <= 0 && lines[1].amount.minor >= 0,
            "credit is negative, charge positive"
        );
    }
}

#[test]
fn proration_uses_the_actual_28_days_of_february() {
    let period = BillingPeriod::monthly_from(at(2026, 2, 1, 0)).expect("february period");
    let quote = prorate(
        &priced("basic", "Basic", 999),
        &priced("premium", "Premium", 1499),
        &period,
        at(2026, 2, 15, 0),
    )
    .expect("prorates");
    assert_eq!(
        quote.period_days, 28,
        "February 2026 has 28 days, not a nominal 30"
    );
    assert_eq!(quote.days_remaining, 14);
    assert_eq!(
        quote.credit.amount,
        usd(-500),
        "14/28 of 9.99 = 4.995 rounds half-even to 5.00"
    );
    assert_eq!(
        quote.charge.amount,
        usd(750),
        "14/28 of 14.99 = 7.495 rounds half-even to 7.50"
    );
}

#[test]
fn each_proration_line_rounds_half_to_even_once() {
    let period = BillingPeriod::monthly_from(at(2026, 4, 1, 0)).expect("april period");
    let quote = prorate(
        &priced("odd", "Odd", 1001),
        &priced("even", "Even", 1003),
        &period,
        at(2026, 4, 16, 0),
    )
    .expect("prorates");
    assert_eq!(
        quote.credit.amount,
        usd(-500),
        "500.5 cents rounds to the even 500, not up to 501"
    );
    assert_eq!(
        quote.charge.amount,
        usd(502),
        "501.5 cents rounds to the even 502"
    );
    assert_eq!(quote.total, usd(2));
}

#[test]
fn a_downgrade_quotes_a_negative_total_to_credit() {
    let period = BillingPeriod::monthly_from(at(2026, 4, 1, 0)).expect("april period");
    let quote = prorate(
        &priced("premium", "Premium", 1499),
        &priced("basic", "Basic", 999),
        &period,
        at(2026, 4, 16, 0),
    )
    .expect("prorates");
    assert_eq!(
        quote.total,
        usd(-250),
        "moving down mid-period credits the difference for the remaining days"
    );
}

#[test]
fn days_remaining_count_today_and_stop_at_zero() {
    let period = BillingPeriod::monthly_from(at(2026, 1, 10, 8)).expect("period");
    assert_eq!(period.total_days(), 31, "Jan 10 to Feb 10 spans 31 days");
    assert_eq!(
        period.days_remaining(at(2026, 1, 10, 20)),
        31,
        "the first day still counts as remaining"
    );
    assert_eq!(
        period.days_remaining(at(2026, 2, 9, 23)),
        1,
        "the last day counts as one day left"
    );
    assert_eq!(
        period.days_remaining(at(2026, 3, 1, 0)),
        0,
        "after the period nothing remains, never negative"
    );
}

#[test]
fn periods_anchored_on_the_31st_clamp_to_short_months_and_come_back() {
    let january = BillingPeriod::monthly_from(at(2026, 1, 31, 10)).expect("period");
    assert_eq!(
        january.end,
        at(2026, 2, 28, 10),
        "a period from Jan 31 ends on Feb 28"
    );
    let february = january.next(31).expect("next period");
    assert_eq!(
        february.end,
        at(2026, 3, 31, 10),
        "the anchor brings the next period back to the 31st"
    );
    assert_eq!(february.total_days(), 31, "Feb 28 to Mar 31 spans 31 days");
    let april = february.next(31).expect("next period");
    assert_eq!(april.end, at(2026, 4, 30, 10), "April has no 31st");
}
