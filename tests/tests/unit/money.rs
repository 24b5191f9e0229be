//! Money: exact parsing, half-even rounding, allocation that sums to the whole.

use mediaflow_shared::money::{Currency, Money, MoneyError, div_round_half_even};

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

#[test]
fn amounts_parse_exactly_into_minor_units() {
    assert_eq!(Money::parse("9.99", Currency::USD), Ok(usd(999)));
    assert_eq!(
        Money::parse("14.9", Currency::USD),
        Ok(usd(1490)),
        "one decimal means tenths"
    );
    assert_eq!(
        Money::parse("-2.50", Currency::EUR).map(|m| m.minor),
        Ok(-250)
    );
    assert_eq!(
        Money::parse("1500", Currency::JPY).map(|m| m.minor),
        Ok(1500),
        "yen has no minor unit"
    );
    assert_eq!(
        Money::parse("1.234", Currency::BHD).map(|m| m.minor),
        Ok(1234),
        "dinar has three decimals"
    );
}

#[test]
fn amounts_with_too_many_decimals_are_rejected_not_rounded() {
    for bad in ["9.999", "1.5", "abc", "", "1.", ".5", "1e3"] {
        let currency = if bad == "1.5" {
            Currency::JPY
        } else {
            Currency::USD
        };
        assert!(
            matches!(Money::parse(bad, currency), Err(MoneyError::Parse { .. })),
            "`{bad}` {currency} must be rejected"
        );
    }
}

#[test]
fn half_even_rounds_ties_to_the_even_neighbour() {
    let cases = [
        (5, 2, 2),
        (7, 2, 4),
        (-5, 2, -2),
        (-7, 2, -4),
        (10, 4, 2),
        (14, 4, 4),
        (11, 4, 3),
        (1, 3, 0),
        (2, 3, 1),
    ];
    for (num, den, want) in cases {
        assert_eq!(
            div_round_half_even(num, den),
            Some(want),
            "{num}/{den} half-even"
        );
    }
    assert_eq!(
        div_round_half_even(1, 0),
        None,
        "division by zero is refused"
    );
}

#[test]
fn proration_of_the_seed_scenario_is_exact() {
    // Basic 9.99 → Premium 14.99 with 15 of 30 days left: (14.99 - 9.99) × 15/30 = 2.50.
    let difference = usd(1499).checked_sub(usd(999)).expect("same currency");
    assert_eq!(
        difference.mul_ratio(15, 30),
        Ok(usd(250)),
        "upgrading halfway through the period costs 2.50"
    );
    assert_eq!(usd(999).mul_ratio(1, 3), Ok(usd(333)), "9.99 / 3 = 3.33");
    assert_eq!(
        usd(1).mul_ratio(1, 2),
        Ok(usd(0)),
        "half a cent rounds to the even 0"
    );
    assert_eq!(
        usd(3).mul_ratio(1, 2),
        Ok(usd(2)),
        "1.5 cents rounds to the even 2"
    );
}

#[test]
fn tax_in_basis_points_rounds_half_even() {
    assert_eq!(
        usd(1000).percent_bp(825),
        Ok(usd(82)),
        "8.25 % of 10.00 is 82.5 cents, which rounds to the even 82"
    );
}

#[test]
fn allocation_never_loses_or_invents_a_cent() {
    let total = usd(1000);
    let parts = total.split(3).expect("three shares");
    assert_eq!(
        parts,
        vec![usd(334), usd(333), usd(333)],
        "the leftover cent goes to the first share"
    );
    let weighted = usd(100)
        .allocate(&[1, 1, 1, 1, 1, 1, 1])
        .expect("seven shares");
    assert_eq!(
        weighted.iter().map(|m| m.minor).sum::<i64>(),
        100,
        "shares must sum to the whole"
    );
    let uneven = usd(-1001).allocate(&[70, 20, 10]).expect("credit split");
    assert_eq!(
        uneven.iter().map(|m| m.minor).sum::<i64>(),
        -1001,
        "negative amounts also sum exactly"
    );
    assert!(
        usd(5).allocate(&[0, 0]).is_err(),
        "all-zero weights are refused"
    );
}

#[test]
fn combining_currencies_is_an_error() {
    let err = usd(100)
        .checked_add(Money::from_minor(100, Currency::EUR))
        .unwrap_err();
    assert_eq!(
        err,
        MoneyError::CurrencyMismatch(Currency::USD, Currency::EUR)
    );
}

#[test]
fn money_displays_with_its_currency_exponent() {
    assert_eq!(usd(250).to_string(), "2.50 USD");
    assert_eq!(usd(-5).to_string(), "-0.05 USD");
    assert_eq!(
        Money::from_minor(1500, Currency::JPY).to_string(),
        "1500 JPY"
    );
    assert_eq!(
        Money::from_minor(1234, Currency::BHD).to_string(),
        "1.234 BHD"
    );
}
