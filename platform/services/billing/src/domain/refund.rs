//! Refund rules: a refund is a positive amount, and the refunds of an invoice
//! never add up to more than what was charged for it.

use mediaflow_shared::money::Money;

use super::DomainError;
use super::invoice::InvoiceStatus;

/// Whether an invoice in `status` can still be refunded.
pub fn is_refundable(status: InvoiceStatus) -> bool {
    matches!(
        status,
        InvoiceStatus::Paid | InvoiceStatus::PartiallyRefunded
    )
}

/// Validates a refund of `requested_minor` against a charge of `paid` of which
/// `refunded` already went back; the refund as money when it fits.
pub fn check_refund(
    paid: Money,
    refunded: Money,
    requested_minor: i64,
) -> Result<Money, DomainError> {
    if requested_minor <= 0 {
        return Err(DomainError::InvalidRefundAmount(requested_minor));
    }
    let requested = Money::from_minor(requested_minor, paid.currency);
    let refundable = paid.checked_sub(refunded)?;
    if requested.minor > refundable.minor {
        return Err(DomainError::RefundExceedsCharge {
            requested,
            refundable,
        });
    }
    Ok(requested)
}
