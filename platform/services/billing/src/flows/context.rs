//! What every operation works with: the database, the clock, ids, the account
//! lock, the charger and the relay's waker; plus the shared steps (locking an
//! account, compensating a charge whose recording failed, committing).

use std::sync::Arc;

use axum::http::StatusCode;
use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::events::outbox::RelayWaker;
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::lock::{Lease, LockService, acquire_within};
use mediaflow_shared::store::{SqlStore, SqlTransaction};

use crate::error::BillingError;
use crate::events::Emitter;
use crate::payments::{Charge, Payments, RefundRequest};
use crate::settings::{IdempotencySettings, LockSettings, RenewalSettings};
use crate::store::Db;
use crate::store::idempotency::{self, ClaimedKey};

/// The billing application: its backends and rules.
#[derive(Debug)]
pub struct Billing {
    /// The billing database.
    pub store: Arc<dyn SqlStore>,
    /// Time.
    pub clock: SharedClock,
    /// Identifiers.
    pub ids: Arc<IdGenerator>,
    /// Account locks.
    pub locks: Arc<dyn LockService>,
    /// The charger.
    pub payments: Payments,
    /// Wakes the outbox relay after a commit that enqueued events.
    pub relay: RelayWaker,
    /// Lock timing.
    pub lock_settings: LockSettings,
    /// Idempotency key timing.
    pub idempotency: IdempotencySettings,
    /// Renewal run limits.
    pub renewals: RenewalSettings,
}

/// A successful answer: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Body.
    pub body: serde_json::Value,
}

impl Billing {
    /// Autocommit access to the database.
    pub fn db(&self) -> Db<'_> {
        Db::Store(self.store.as_ref())
    }

    /// Stamps events for one operation caused by request `correlation_id`.
    pub fn emitter<'a>(&'a self, correlation_id: &'a str) -> Emitter<'a> {
        Emitter {
            ids: &self.ids,
            at: self.clock.now(),
            correlation_id,
        }
    }

    /// Takes the lock of `user_id`'s account, waiting a bounded time; without the
    /// lock the operation does not proceed.
    pub async fn lock_account(&self, user_id: &str) -> Result<Lease, BillingError> {
        let settings = self.lock_settings;
        let owner = self.ids.prefixed("billing");
        Ok(acquire_within(
            self.locks.as_ref(),
            self.clock.as_ref(),
            &format!("billing:account:{user_id}"),
            &owner,
            settings.ttl,
            settings.wait,
            settings.poll,
        )
        .await?)
    }

    /// Releases an account lock. A failed release is harmless: the lease lapses at
    /// its TTL and fencing keeps the late writer out.
    pub async fn unlock(&self, lease: &Lease) {
        let _ = self.locks.release(lease).await;
    }

    /// Refunds a charge whose recording failed, so the customer is not charged for
    /// nothing. Once refunded, the key gets a new id so a retry charges afresh;
    /// if the refund fails the id stays and a retry reuses the original charge.
    pub async fn compensate(&self, charge: &Charge, claim: Option<&ClaimedKey>) {
        let request = RefundRequest {
            idempotency_key: format!("void-{}", charge.id),
            charge_id: charge.id.clone(),
            amount: charge.amount,
        };
        if self.payments.refund(&request).await.is_ok()
            && let Some(claim) = claim
        {
            let _ = idempotency::rotate_id(&mut self.db(), claim, &self.ids.prefixed("idk")).await;
        }
    }

    /// Stores `reply` under `claim` inside the transaction; fails when the claim
    /// was taken over, so the transaction is not committed twice for one key.
    pub async fn complete_claim(
        &self,
        db: &mut Db<'_>,
        claim: Option<&ClaimedKey>,
        reply: &Reply,
    ) -> Result<(), BillingError> {
        let Some(claim) = claim else {
            return Ok(());
        };
        if idempotency::complete(
            db,
            claim,
            reply.status.as_u16(),
            &reply.body.to_string(),
            self.clock.now(),
        )
        .await?
        {
            Ok(())
        } else {
            Err(BillingError::IdempotencyInProgress)
        }
    }

    /// Commits `tx` and wakes the relay for the events it enqueued.
    pub async fn commit(&self, tx: Box<dyn SqlTransaction>) -> Result<(), BillingError> {
        tx.commit().await?;
        self.relay.wake();
        Ok(())
    }
}
