//! The in-memory service registry with its clients: TTLs and heartbeats, the
//! round-robin balancer, the startup readiness gate and the heartbeat worker.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::clock::{ManualClock, SharedClock};
use mediaflow_shared::registry::{
    Heartbeat, HeartbeatOutcome, MemoryRegistry, RegistryError, RoundRobin, ServiceInstance,
    ServiceRegistry, wait_until_registered,
};
use mediaflow_tests::support::manual_clock;

const TTL: Duration = Duration::from_secs(30);

fn registry() -> (Arc<ManualClock>, SharedClock, Arc<MemoryRegistry>) {
    let (clock, shared) = manual_clock();
    let registry = Arc::new(MemoryRegistry::new(shared.clone()));
    (clock, shared, registry)
}

fn instance(id: &str, service: &str, port: u16) -> ServiceInstance {
    ServiceInstance::new(id, service, format!("127.0.0.1:{port}"))
}

/// Registers catalog instances with these ids.
async fn register_catalogs(registry: &MemoryRegistry, ids: &[&str]) {
    for id in ids {
        registry
            .register(instance(id, "catalog", 3005), TTL)
            .await
            .expect("register");
    }
}

async fn ids(registry: &MemoryRegistry, service: &str) -> Vec<String> {
    registry
        .healthy_instances(service)
        .await
        .expect("lookup")
        .into_iter()
        .map(|i| i.id)
        .collect()
}

#[tokio::test]
async fn registered_instance_disappears_when_its_ttl_lapses() {
    let (clock, _shared, registry) = registry();
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    clock.advance(TTL - Duration::from_millis(1));
    assert_eq!(
        ids(&registry, "catalog").await,
        ["catalog-1"],
        "healthy until the TTL ends"
    );
    clock.advance(Duration::from_millis(1));
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "an instance past its TTL must be invisible"
    );
}

#[tokio::test]
async fn heartbeat_extends_the_registration() {
    let (clock, _shared, registry) = registry();
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    clock.advance(Duration::from_secs(20));
    registry
        .heartbeat("catalog-1")
        .await
        .expect("heartbeat in time");
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        ids(&registry, "catalog").await,
        ["catalog-1"],
        "40 s after registering, a heartbeat at 20 s must keep the instance healthy"
    );
}

#[tokio::test]
async fn heartbeat_after_expiry_requires_registering_again() {
    let (clock, _shared, registry) = registry();
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    clock.advance(TTL);
    assert_eq!(
        registry.heartbeat("catalog-1").await,
        Err(RegistryError::NotRegistered("catalog-1".to_owned())),
        "a heartbeat must not revive an expired instance"
    );
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "the failed heartbeat must not make it healthy"
    );
    assert_eq!(
        registry.heartbeat("never-registered").await,
        Err(RegistryError::NotRegistered("never-registered".to_owned())),
        "an unknown instance must be told to register"
    );
}

#[tokio::test]
async fn registering_again_replaces_the_previous_registration() {
    let (_clock, _shared, registry) = registry();
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    registry
        .register(instance("catalog-1", "catalog", 4005), TTL)
        .await
        .expect("re-register");
    let found = registry.healthy_instances("catalog").await.expect("lookup");
    assert_eq!(found.len(), 1, "re-registering an id must not duplicate it");
    assert_eq!(
        found[0].address, "127.0.0.1:4005",
        "the new address must replace the old one"
    );
}

#[tokio::test]
async fn healthy_instances_are_filtered_by_service_and_ordered_by_id() {
    let (_clock, _shared, registry) = registry();
    for (id, service) in [
        ("catalog-c", "catalog"),
        ("users-a", "users"),
        ("catalog-a", "catalog"),
        ("catalog-b", "catalog"),
    ] {
        registry
            .register(instance(id, service, 3000), TTL)
            .await
            .expect("register");
    }
    assert_eq!(
        ids(&registry, "catalog").await,
        ["catalog-a", "catalog-b", "catalog-c"],
        "lookups must return only that service's instances, ordered by id"
    );
}

#[tokio::test]
async fn invalid_registrations_are_rejected() {
    let (_clock, _shared, registry) = registry();
    let cases = [
        (instance("", "catalog", 3005), TTL, "empty instance id"),
        (instance("catalog-1", " ", 3005), TTL, "blank service name"),
        (
            ServiceInstance::new("catalog-1", "catalog", ""),
            TTL,
            "empty address",
        ),
        (
            instance("catalog-1", "catalog", 3005),
            Duration::ZERO,
            "zero ttl",
        ),
    ];
    for (instance, ttl, case) in cases {
        assert!(
            matches!(
                registry.register(instance, ttl).await,
                Err(RegistryError::Invalid(_))
            ),
            "a registration with {case} must be rejected"
        );
    }
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "no rejected registration may be visible"
    );
}

#[tokio::test]
async fn deregister_removes_the_instance_at_once() {
    let (_clock, _shared, registry) = registry();
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    assert_eq!(
        registry.deregister("catalog-1").await,
        Ok(true),
        "deregistering a live instance reports true"
    );
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "a deregistered instance must not receive traffic"
    );
    assert_eq!(
        registry.deregister("catalog-1").await,
        Ok(false),
        "a second deregister finds nothing"
    );
}

#[tokio::test]
async fn round_robin_spreads_calls_evenly() {
    let (_clock, _shared, registry) = registry();
    register_catalogs(&registry, &["catalog-1", "catalog-2", "catalog-3"]).await;
    let balancer = RoundRobin::new(registry.clone(), "catalog");
    let mut picks = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..30 {
        *picks
            .entry(balancer.next().await.expect("pick").id)
            .or_default() += 1;
    }
    assert_eq!(
        picks.into_iter().collect::<Vec<_>>(),
        [
            ("catalog-1".to_owned(), 10),
            ("catalog-2".to_owned(), 10),
            ("catalog-3".to_owned(), 10)
        ],
        "30 calls over 3 instances must give each exactly 10"
    );
}

#[tokio::test]
async fn round_robin_stays_safe_when_an_instance_vanishes() {
    let (_clock, _shared, registry) = registry();
    register_catalogs(&registry, &["catalog-1", "catalog-2", "catalog-3"]).await;
    let balancer = RoundRobin::new(registry.clone(), "catalog");
    for _ in 0..2 {
        balancer.next().await.expect("pick");
    }
    registry.deregister("catalog-3").await.expect("deregister");
    registry.deregister("catalog-2").await.expect("deregister");
    for _ in 0..3 {
        assert_eq!(
            balancer.next().await.expect("pick").id,
            "catalog-1",
            "after two instances vanish every call must go to the one left"
        );
    }
    registry.deregister("catalog-1").await.expect("deregister");
    assert_eq!(
        balancer.next().await,
        Err(RegistryError::NoHealthyInstance("catalog".to_owned())),
        "with no instance left the balancer must say so instead of panicking"
    );
}

#[tokio::test]
async fn readiness_gate_passes_once_required_services_register() {
    let (clock, shared, registry) = registry();
    registry
        .register(instance("users-1", "users", 3002), TTL)
        .await
        .expect("register");
    let gate = tokio::spawn({
        let (registry, shared) = (registry.clone(), shared.clone());
        async move {
            wait_until_registered(
                registry.as_ref(),
                shared.as_ref(),
                &["users", "catalog"],
                Duration::from_secs(30),
                Duration::from_millis(100),
            )
            .await
        }
    });
    for _ in 0..5 {
        tokio::task::yield_now().await;
    }
    registry
        .register(instance("catalog-1", "catalog", 3005), TTL)
        .await
        .expect("register");
    assert_eq!(
        gate.await.expect("gate task"),
        Ok(()),
        "the gate must open once catalog registered"
    );
    assert!(
        !clock.sleeps().is_empty(),
        "the gate must have waited for catalog before opening"
    );
}

#[tokio::test]
async fn readiness_gate_times_out_naming_the_missing_services() {
    let (clock, shared, registry) = registry();
    registry
        .register(instance("users-1", "users", 3002), TTL)
        .await
        .expect("register");
    let started = clock.sleeps().len();
    let result = wait_until_registered(
        registry.as_ref(),
        shared.as_ref(),
        &["catalog", "users", "billing"],
        Duration::from_secs(10),
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(
        result,
        Err(RegistryError::NotReady {
            missing: vec!["catalog".to_owned(), "billing".to_owned()],
            waited: Duration::from_secs(10),
        }),
        "after the timeout the gate must fail and list exactly the services still missing"
    );
    assert_eq!(
        clock.sleeps().len() - started,
        10,
        "it must poll every second, no longer than the timeout"
    );
}

#[tokio::test]
async fn heartbeat_worker_renews_or_registers_again() {
    let (clock, _shared, registry) = registry();
    let heartbeat = Heartbeat::new(
        registry.clone(),
        instance("catalog-1", "catalog", 3005),
        TTL,
    );
    assert_eq!(
        heartbeat.run_once().await,
        HeartbeatOutcome::Reregistered,
        "an unknown instance registers"
    );
    assert_eq!(
        heartbeat.run_once().await,
        HeartbeatOutcome::Renewed,
        "a live instance renews"
    );
    clock.advance(TTL);
    assert_eq!(
        heartbeat.run_once().await,
        HeartbeatOutcome::Reregistered,
        "an instance the registry forgot must register again"
    );
    assert_eq!(
        ids(&registry, "catalog").await,
        ["catalog-1"],
        "it must be healthy again"
    );
}

#[tokio::test]
async fn heartbeat_interval_not_shorter_than_the_ttl_is_rejected() {
    let (_clock, shared, registry) = registry();
    let heartbeat = Heartbeat::new(
        registry.clone(),
        instance("catalog-1", "catalog", 3005),
        TTL,
    );
    for interval in [TTL, TTL + Duration::from_secs(1), Duration::ZERO] {
        let result = heartbeat
            .run(shared.as_ref(), interval, std::future::ready(()))
            .await;
        assert!(
            matches!(result, Err(RegistryError::Invalid(_))),
            "a heartbeat every {interval:?} with a {TTL:?} ttl must be rejected as a setup bug"
        );
    }
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "a rejected worker must not register anything"
    );
}

#[tokio::test]
async fn heartbeat_loop_keeps_the_instance_alive_and_deregisters_on_shutdown() {
    let (clock, shared, registry) = registry();
    let heartbeat = Arc::new(Heartbeat::new(
        registry.clone(),
        instance("catalog-1", "catalog", 3005),
        TTL,
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn({
        let (heartbeat, shared) = (heartbeat.clone(), shared.clone());
        async move {
            heartbeat
                .run(shared.as_ref(), Duration::from_secs(10), async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let start = clock.sleeps().len();
    while clock.sleeps().len() - start < 12 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        ids(&registry, "catalog").await,
        ["catalog-1"],
        "after 12 beats (120 s, four TTLs) the instance must still be healthy"
    );
    stop.send(()).expect("worker alive");
    assert_eq!(
        worker.await.expect("worker task"),
        Ok(()),
        "the worker stops cleanly"
    );
    assert!(
        ids(&registry, "catalog").await.is_empty(),
        "shutdown must deregister the instance"
    );
}
