//! Network partitions: the semantics of `NetworkFaults`, and a service cut off from
//! the registry whose registration lapses and comes back after the partition heals.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use mediaflow_shared::chaos::{NetworkFaults, Partitioned};
use mediaflow_shared::registry::{
    Heartbeat, HeartbeatOutcome, MemoryRegistry, RegistryError, RoundRobin, ServiceInstance,
    ServiceRegistry,
};
use mediaflow_tests::support::manual_clock;

const TTL: Duration = Duration::from_secs(30);

/// The registry as seen from one service: every call crosses the network to
/// `"registry"` and fails while a partition cuts that path.
#[derive(Debug)]
struct RegistryOverNetwork {
    inner: Arc<dyn ServiceRegistry>,
    faults: Arc<NetworkFaults>,
    caller: String,
}

impl RegistryOverNetwork {
    fn reach(&self) -> Result<(), RegistryError> {
        self.faults
            .check(&self.caller, "registry")
            .map_err(|cut| RegistryError::Unavailable(cut.to_string()))
    }
}

#[async_trait]
impl ServiceRegistry for RegistryOverNetwork {
    async fn register(
        &self,
        instance: ServiceInstance,
        ttl: Duration,
    ) -> Result<(), RegistryError> {
        self.reach()?;
        self.inner.register(instance, ttl).await
    }
    async fn heartbeat(&self, instance_id: &str) -> Result<(), RegistryError> {
        self.reach()?;
        self.inner.heartbeat(instance_id).await
    }
    async fn deregister(&self, instance_id: &str) -> Result<bool, RegistryError> {
        self.reach()?;
        self.inner.deregister(instance_id).await
    }
    async fn healthy_instances(
        &self,
        service: &str,
    ) -> Result<Vec<ServiceInstance>, RegistryError> {
        self.reach()?;
        self.inner.healthy_instances(service).await
    }
}

#[test]
fn a_partition_cuts_traffic_in_both_directions() {
    let faults = NetworkFaults::new();
    faults.partition("catalog", "streaming");
    assert!(
        !faults.allows("catalog", "streaming"),
        "catalog must not reach streaming"
    );
    assert!(
        !faults.allows("streaming", "catalog"),
        "the partition must cut the reverse direction too"
    );
    assert!(
        faults.allows("catalog", "users"),
        "other paths must be unaffected"
    );
}

#[test]
fn check_reports_who_could_not_reach_whom() {
    let faults = NetworkFaults::new();
    faults.partition("gateway", "billing");
    assert_eq!(
        faults.check("billing", "gateway"),
        Err(Partitioned {
            from: "billing".to_owned(),
            to: "gateway".to_owned(),
        }),
        "the error must name the caller and the callee"
    );
}

#[test]
fn healing_restores_only_the_healed_pair() {
    let faults = NetworkFaults::new();
    faults.partition("catalog", "streaming");
    faults.partition("catalog", "users");
    faults.heal("streaming", "catalog");
    assert!(
        faults.allows("catalog", "streaming"),
        "heal must work whatever the argument order"
    );
    assert!(
        !faults.allows("catalog", "users"),
        "the other partition must remain"
    );
}

#[test]
fn an_isolated_service_reaches_only_itself_until_everything_heals() {
    let faults = NetworkFaults::new();
    faults.isolate("transcode");
    for other in ["gateway", "upload", "registry"] {
        assert!(
            !faults.allows("transcode", other),
            "isolated transcode must not reach {other}"
        );
        assert!(
            !faults.allows(other, "transcode"),
            "{other} must not reach isolated transcode"
        );
    }
    assert!(
        faults.allows("transcode", "transcode"),
        "a service can always call itself"
    );
    faults.heal_all();
    assert!(
        faults.allows("transcode", "gateway"),
        "heal_all must lift the isolation"
    );
}

#[tokio::test]
async fn a_partitioned_instance_expires_and_registers_again_after_heal() {
    let (clock, shared) = manual_clock();
    let registry: Arc<dyn ServiceRegistry> = Arc::new(MemoryRegistry::new(shared));
    let faults = Arc::new(NetworkFaults::new());
    let catalog_view = Arc::new(RegistryOverNetwork {
        inner: registry.clone(),
        faults: faults.clone(),
        caller: "catalog".to_owned(),
    });
    let heartbeat = Heartbeat::new(
        catalog_view,
        ServiceInstance::new("catalog-1", "catalog", "10.0.0.5:3005"),
        TTL,
    );
    assert_eq!(
        heartbeat.run_once().await,
        HeartbeatOutcome::Reregistered,
        "first beat registers"
    );

    faults.partition("catalog", "registry");
    for _ in 0..3 {
        clock.advance(Duration::from_secs(10));
        assert!(
            matches!(
                heartbeat.run_once().await,
                HeartbeatOutcome::Failed(RegistryError::Unavailable(_))
            ),
            "heartbeats must fail while catalog cannot reach the registry"
        );
    }
    assert!(
        registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .is_empty(),
        "after a TTL without heartbeats the registry must stop listing the instance"
    );

    faults.heal("catalog", "registry");
    assert_eq!(
        heartbeat.run_once().await,
        HeartbeatOutcome::Reregistered,
        "after the heal the worker must register again, not keep failing with NotRegistered"
    );
    assert_eq!(
        registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .len(),
        1,
        "healthy again"
    );
}

#[tokio::test]
async fn traffic_stops_going_to_an_instance_cut_off_from_the_registry() {
    let (clock, shared) = manual_clock();
    let registry: Arc<dyn ServiceRegistry> = Arc::new(MemoryRegistry::new(shared));
    let faults = Arc::new(NetworkFaults::new());
    let beats: Vec<Heartbeat> = ["catalog-1", "catalog-2"]
        .into_iter()
        .map(|id| {
            let view = Arc::new(RegistryOverNetwork {
                inner: registry.clone(),
                faults: faults.clone(),
                caller: id.to_owned(),
            });
            Heartbeat::new(
                view,
                ServiceInstance::new(id, "catalog", "10.0.0.5:3005"),
                TTL,
            )
        })
        .collect();
    for beat in &beats {
        beat.run_once().await;
    }
    faults.partition("catalog-2", "registry");
    for _ in 0..3 {
        clock.advance(Duration::from_secs(10));
        for beat in &beats {
            beat.run_once().await;
        }
    }
    let balancer = RoundRobin::new(registry.clone(), "catalog");
    for _ in 0..4 {
        assert_eq!(
            balancer.next().await.expect("an instance is healthy").id,
            "catalog-1",
            "the gateway must route only to the instance that kept its registration"
        );
    }
}
