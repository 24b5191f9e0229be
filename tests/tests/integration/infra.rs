//! The `Infra` bundle: one database per service, backends on the injected clock,
//! decorators swapped in, and the on-disk embedded mode surviving a restart.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::chaos::{BusFault, ChaosBus};
use mediaflow_shared::events::{ConsumeOptions, ExchangeKind, ExchangeSpec, Message, QueueSpec};
use mediaflow_shared::infra::{EmbeddedSettings, InfraKind};
use mediaflow_shared::objects::ObjectKey;
use mediaflow_shared::registry::ServiceInstance;
use mediaflow_shared::store::SqlValue;
use mediaflow_shared::{clock::SystemClock, config::Env};
use mediaflow_tests::support::manual_clock;

#[tokio::test]
async fn each_service_gets_its_own_database() {
    let infra = Infra::embedded();
    let catalog = infra.database("catalog");
    catalog
        .execute_batch("CREATE TABLE videos (id TEXT PRIMARY KEY)")
        .await
        .expect("create in catalog");
    catalog
        .execute("INSERT INTO videos (id) VALUES ($1)", &["v1".into()])
        .await
        .expect("insert");
    let billing = infra.database("billing");
    let err = billing.query("SELECT id FROM videos", &[]).await;
    assert!(err.is_err(), "billing must not see catalog's tables");
    let again = infra
        .database("catalog")
        .query("SELECT id FROM videos", &[])
        .await
        .expect("same database");
    assert_eq!(
        again.len(),
        1,
        "asking twice for `catalog` must return the same database"
    );
    assert_eq!(infra.kind(), InfraKind::Embedded);
    assert_eq!(infra.kind().to_string(), "embedded");
}

#[tokio::test]
async fn backends_follow_the_injected_clock() {
    let (clock, shared) = manual_clock();
    let infra = Infra::embedded_with_clock(shared, 1);
    infra
        .cache
        .set("k", b"v".to_vec(), Some(Duration::from_secs(10)))
        .await
        .expect("set");
    infra
        .registry
        .register(
            ServiceInstance::new("catalog-1", "catalog", "127.0.0.1:3005"),
            Duration::from_secs(15),
        )
        .await
        .expect("register");
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        infra.cache.get("k").await.expect("get"),
        None,
        "a 10 s TTL must lapse after 10 s of virtual time"
    );
    assert_eq!(
        infra
            .registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .len(),
        1,
        "still within its 15 s TTL"
    );
    clock.advance(Duration::from_secs(5));
    assert!(
        infra
            .registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .is_empty(),
        "an instance without heartbeats must drop out at its TTL"
    );
}

#[tokio::test]
async fn seeded_infra_generates_reproducible_ids() {
    let (_c1, a) = manual_clock();
    let (_c2, b) = manual_clock();
    let first = Infra::embedded_with_clock(a, 42);
    let second = Infra::embedded_with_clock(b, 42);
    let ids: Vec<_> = (0..3).map(|_| first.ids.uuid()).collect();
    let again: Vec<_> = (0..3).map(|_| second.ids.uuid()).collect();
    assert_eq!(ids, again, "the same seed must give the same ids");
    assert_eq!(ids[0].get_version_num(), 4, "ids are version-4 UUIDs");
}

#[tokio::test]
async fn a_chaos_bus_wraps_the_embedded_bus_for_every_service() {
    let infra = Infra::embedded();
    let chaos = Arc::new(ChaosBus::new(infra.bus.clone(), 3));
    let infra = infra.with_bus(chaos.clone());
    infra
        .bus
        .declare_exchange(&ExchangeSpec::durable("events", ExchangeKind::Fanout))
        .await
        .expect("exchange");
    infra
        .bus
        .declare_queue(&QueueSpec::durable("q"))
        .await
        .expect("queue");
    infra.bus.bind_queue("q", "events", "").await.expect("bind");
    chaos.inject(BusFault::DropNext(1));
    infra
        .bus
        .publish("events", "", Message::json("m1", b"{}".to_vec()))
        .await
        .expect("publish");
    infra
        .bus
        .publish("events", "", Message::json("m2", b"{}".to_vec()))
        .await
        .expect("publish");
    let mut consumer = infra
        .bus
        .consume("q", ConsumeOptions::new("t", 0))
        .await
        .expect("consume");
    let got = consumer.try_next().expect("the second message arrives");
    assert_eq!(
        got.message.message_id.as_deref(),
        Some("m2"),
        "the first publish was dropped by the injected fault"
    );
    assert!(consumer.try_next().is_none(), "only one message survived");
}

#[tokio::test]
async fn embedded_data_on_disk_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = EmbeddedSettings::from_env(&Env::from_pairs([(
        "MEDIAFLOW_DATA_DIR",
        dir.path().to_string_lossy().into_owned(),
    )]))
    .expect("settings");
    assert_eq!(settings.data_dir.as_deref(), Some(dir.path()));
    let key = ObjectKey::parse("videos/v1/source.mp4").expect("key");
    {
        let infra = Infra::from_embedded_settings(&settings).expect("infra on disk");
        let db = infra.database("upload");
        db.execute_batch("CREATE TABLE uploads (id TEXT PRIMARY KEY, size BIGINT NOT NULL)")
            .await
            .expect("create");
        db.execute(
            "INSERT INTO uploads (id, size) VALUES ($1, $2)",
            &["u1".into(), SqlValue::Integer(1024)],
        )
        .await
        .expect("insert");
        infra
            .objects
            .put(&key, b"\x00\x00\x00\x18ftypmp42".to_vec(), "video/mp4")
            .await
            .expect("put");
    }
    let infra = Infra::embedded_at(dir.path(), SystemClock::shared()).expect("reopen");
    let rows = infra
        .database("upload")
        .query("SELECT size FROM uploads WHERE id = $1", &["u1".into()])
        .await
        .expect("query");
    assert_eq!(
        rows.len(),
        1,
        "the row written before the restart must still be there"
    );
    assert_eq!(rows[0].get::<i64>("size"), Ok(1024));
    let (meta, data) = infra.objects.get(&key).await.expect("object survives");
    assert_eq!((meta.size, data.len()), (12, 12));
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let file = tempfile::NamedTempFile::new().expect("tempfile");
    let err = Infra::embedded_at(&file.path().join("sub"), SystemClock::shared())
        .expect_err("a file is not a directory");
    assert!(
        err.to_string().contains("MEDIAFLOW_DATA_DIR"),
        "the error must say which setting to change: {err}"
    );
}
