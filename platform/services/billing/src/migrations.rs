//! The billing database schema, oldest first, followed by the shared outbox
//! tables. Plans and their prices are seeded here: they are reference data that
//! every environment must hold identically.

use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::store::Migration;

/// The billing service's own migrations.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "plans and prices",
        sql: "
            CREATE TABLE plans (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                max_width BIGINT NOT NULL,
                max_height BIGINT NOT NULL,
                max_streams BIGINT NOT NULL,
                tier BIGINT NOT NULL UNIQUE
            );
            -- Prices in integer minor units per currency; never floating point.
            CREATE TABLE plan_prices (
                plan_code TEXT NOT NULL REFERENCES plans (code),
                currency TEXT NOT NULL,
                amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                PRIMARY KEY (plan_code, currency)
            );
            INSERT INTO plans (code, name, max_width, max_height, max_streams, tier) VALUES
                ('basic', 'Basic', 1280, 720, 1, 1),
                ('premium', 'Premium', 1920, 1080, 2, 2),
                ('family', 'Family', 3840, 2160, 4, 3);
            INSERT INTO plan_prices (plan_code, currency, amount_minor) VALUES
                ('basic', 'USD', 999),
                ('basic', 'EUR', 999),
                ('premium', 'USD', 1499),
                ('premium', 'EUR', 1499),
                ('family', 'USD', 1999),
                ('family', 'EUR', 1999);
        ",
    },
    Migration {
        version: 2,
        name: "subscriptions",
        sql: "
            CREATE TABLE subscriptions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                plan_code TEXT NOT NULL REFERENCES plans (code),
                currency TEXT NOT NULL,
                status TEXT NOT NULL,
                anchor_day BIGINT NOT NULL CHECK (anchor_day BETWEEN 1 AND 31),
                period_start BIGINT NOT NULL,
                period_end BIGINT NOT NULL,
                credit_minor BIGINT NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
                renewal_failures BIGINT NOT NULL DEFAULT 0,
                canceled_at BIGINT,
                ended_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                -- Last SubscriptionChanged sequence number of this aggregate.
                event_sequence BIGINT NOT NULL,
                -- Highest fencing token that wrote the row: a writer whose lock
                -- lapsed presents a lower one and is refused.
                fence BIGINT NOT NULL
            );
            -- At most one live subscription per user, whatever the application does.
            CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions (user_id)
                WHERE status <> 'canceled';
            CREATE INDEX subscriptions_due ON subscriptions (period_end)
                WHERE status <> 'canceled';
            CREATE INDEX subscriptions_by_user ON subscriptions (user_id, created_at);
        ",
    },
    Migration {
        version: 3,
        name: "invoices",
        sql: "
            CREATE TABLE counters (
                name TEXT PRIMARY KEY,
                value BIGINT NOT NULL
            );
            INSERT INTO counters (name, value) VALUES ('invoice_number', 0);
            CREATE TABLE invoices (
                id TEXT PRIMARY KEY,
                number BIGINT NOT NULL UNIQUE,
                user_id TEXT NOT NULL,
                subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                currency TEXT NOT NULL,
                total_minor BIGINT NOT NULL,
                paid_minor BIGINT NOT NULL DEFAULT 0,
                -- Refunds succeeded or in flight: reserved before the provider call.
                refunded_minor BIGINT NOT NULL DEFAULT 0,
                charge_id TEXT,
                period_start BIGINT NOT NULL,
                period_end BIGINT NOT NULL,
                failure_reason TEXT,
                created_at BIGINT NOT NULL,
                paid_at BIGINT,
                event_sequence BIGINT NOT NULL DEFAULT 0,
                CHECK (refunded_minor >= 0 AND refunded_minor <= paid_minor)
            );
            CREATE INDEX invoices_by_user ON invoices (user_id, number);
            CREATE TABLE invoice_lines (
                invoice_id TEXT NOT NULL REFERENCES invoices (id),
                line_no BIGINT NOT NULL,
                kind TEXT NOT NULL,
                description TEXT NOT NULL,
                plan_code TEXT,
                days BIGINT,
                period_days BIGINT,
                amount_minor BIGINT NOT NULL,
                PRIMARY KEY (invoice_id, line_no)
            );
        ",
    },
    Migration {
        version: 4,
        name: "refunds",
        sql: "
            CREATE TABLE refunds (
                id TEXT PRIMARY KEY,
                invoice_id TEXT NOT NULL REFERENCES invoices (id),
                -- The idempotency key row that created it: a retried request
                -- resumes this refund instead of starting another.
                request_ref TEXT NOT NULL UNIQUE,
                amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                currency TEXT NOT NULL,
                status TEXT NOT NULL,
                provider_refund_id TEXT,
                requested_by TEXT NOT NULL,
                failure_reason TEXT,
                created_at BIGINT NOT NULL,
                completed_at BIGINT
            );
            CREATE INDEX refunds_by_invoice ON refunds (invoice_id);
        ",
    },
    Migration {
        version: 5,
        name: "idempotency keys",
        sql: "
            CREATE TABLE idempotency_keys (
                owner TEXT NOT NULL,
                idem_key TEXT NOT NULL,
                -- Stable across retries of the key: provider keys derive from it.
                id TEXT NOT NULL UNIQUE,
                request_hash TEXT NOT NULL,
                state TEXT NOT NULL,
                -- Changes at every claim, so only the current holder completes.
                claim_token TEXT NOT NULL,
                locked_at BIGINT NOT NULL,
                response_status BIGINT,
                response_body TEXT,
                created_at BIGINT NOT NULL,
                completed_at BIGINT,
                PRIMARY KEY (owner, idem_key)
            );
            CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
        ",
    },
];

/// The service's migrations followed by the outbox's.
pub fn all() -> Vec<Migration> {
    let mut migrations = MIGRATIONS.to_vec();
    migrations.extend_from_slice(Outbox::migrations());
    migrations
}
