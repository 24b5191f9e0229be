//! Money in integer minor units with a currency. Arithmetic never goes through
//! floating point; division rounds half-to-even; allocation never loses or invents
//! a minor unit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Supported ISO 4217 currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    /// US dollar (2 decimals).
    USD,
    /// Euro (2 decimals).
    EUR,
    /// Pound sterling (2 decimals).
    GBP,
    /// Japanese yen (0 decimals).
    JPY,
    /// Bahraini dinar (3 decimals).
    BHD,
}

impl Currency {
    /// Number of decimal places of the minor unit.
    pub fn exponent(self) -> u32 {
        match self {
            Self::JPY => 0,
            Self::USD | Self::EUR | Self::GBP => 2,
            Self::BHD => 3,
        }
    }

    /// Minor units per major unit (100 for USD).
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(self.exponent())
    }

    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Self::USD => "USD",
            Self::EUR => "EUR",
            Self::GBP => "GBP",
            Self::JPY => "JPY",
            Self::BHD => "BHD",
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "USD" => Ok(Self::USD),
            "EUR" => Ok(Self::EUR),
            "GBP" => Ok(Self::GBP),
            "JPY" => Ok(Self::JPY),
            "BHD" => Ok(Self::BHD),
            other => Err(MoneyError::UnknownCurrency(other.to_owned())),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Errors of money arithmetic and parsing.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a supported ISO code.
    #[error("unknown currency `{0}`; supported: USD, EUR, GBP, JPY, BHD")]
    UnknownCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {0} with {1}; convert first")]
    CurrencyMismatch(Currency, Currency),
    /// Text that is not an amount in this currency.
    #[error("`{text}` is not a valid {currency} amount (at most {exponent} decimals)")]
    Parse {
        /// The text.
        text: String,
        /// Currency.
        currency: Currency,
        /// Allowed decimals.
        exponent: u32,
    },
    /// The result does not fit in 64 bits.
    #[error("amount overflow")]
    Overflow,
    /// Division by zero or empty allocation.
    #[error("invalid ratio: {0}")]
    InvalidRatio(&'static str),
}

/// An amount of money in minor units (cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units; negative for credits.
    pub minor: i64,
    /// Currency.
    pub currency: Currency,
}

/// Divides `num` by `den` rounding half to even ("banker's rounding").
pub fn div_round_half_even(num: i128, den: i128) -> Option<i128> {
    if den == 0 {
        return None;
    }
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let quotient = num.div_euclid(den);
    let remainder = num.rem_euclid(den);
    let twice = remainder * 2;
    Some(if twice > den || (twice == den && quotient % 2 != 0) {
        quotient + 1
    } else {
        quotient
    })
}

impl Money {
    /// An amount in minor units.
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Parses a decimal amount exactly: `"9.99"` USD → 999; more decimals than the
    /// currency has is an error, never a silent rounding.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let err = || MoneyError::Parse {
            text: text.to_owned(),
            currency,
            exponent: currency.exponent(),
        };
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (major, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let exponent = currency.exponent() as usize;
        let valid = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if major.is_empty() || !valid(major) || !valid(fraction) || fraction.len() > exponent {
            return Err(err());
        }
        if digits.contains('.') && fraction.is_empty() {
            return Err(err());
        }
        let major: i64 = major.parse().map_err(|_| err())?;
        let padded = format!("{fraction:0<exponent$}");
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| err())?
        };
        let minor = major
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(fraction))
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(
            if negative { -minor } else { minor },
            currency,
        ))
    }

    fn same_currency(self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// `self + other`.
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// `self - other`.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// `self × numerator / denominator`, rounded half to even once, at the end.
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Self, MoneyError> {
        let product = i128::from(self.minor) * i128::from(numerator);
        let rounded = div_round_half_even(product, i128::from(denominator))
            .ok_or(MoneyError::InvalidRatio("denominator is zero"))?;
        let minor = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, self.currency))
    }

    /// A percentage given in basis points (1 % = 100 bp), rounded half to even.
    pub fn percent_bp(self, basis_points: i64) -> Result<Self, MoneyError> {
        self.mul_ratio(basis_points, 10_000)
    }

    /// Splits the amount by integer weights: shares are proportional, and the minor
    /// units left over by rounding down go one each to the largest remainders
    /// (earlier shares first on ties), so the parts always sum to the whole.
    pub fn allocate(self, weights: &[u64]) -> Result<Vec<Self>, MoneyError> {
        let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        if total == 0 {
            return Err(MoneyError::InvalidRatio("weights must not all be zero"));
        }
        let total = i128::try_from(total).map_err(|_| MoneyError::Overflow)?;
        let amount = i128::from(self.minor);
        let mut shares = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (index, weight) in weights.iter().enumerate() {
            let product = amount * i128::from(*weight);
            shares.push(product.div_euclid(total));
            remainders.push((product.rem_euclid(total), index));
        }
        let mut left = amount - shares.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, index) in remainders.iter().cycle() {
            if left == 0 {
                break;
            }
            shares[*index] += 1;
            left -= 1;
        }
        shares
            .into_iter()
            .map(|s| {
                i64::try_from(s)
                    .map(|m| Self::from_minor(m, self.currency))
                    .map_err(|_| MoneyError::Overflow)
            })
            .collect()
    }

    /// Splits into `parts` equal shares differing by at most one minor unit.
    pub fn split(self, parts: usize) -> Result<Vec<Self>, MoneyError> {
        self.allocate(&vec![1; parts])
    }

    /// True for amounts below zero.
    pub fn is_negative(self) -> bool {
        self.minor < 0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let per = per.unsigned_abs();
        let exponent = self.currency.exponent() as usize;
        if exponent == 0 {
            write!(f, "{sign}{abs} {}", self.currency)
        } else {
            write!(
                f,
                "{sign}{}.{:0exponent$} {}",
                abs / per,
                abs % per,
                self.currency
            )
        }
    }
}
