//! One conformance suite for the service registry contract: each test is written
//! once against a [`Backend`] and instantiated by `conformance!` as
//! `memory::<name>` (the embedded registry), `consul_double::<name>` and
//! `consul::<name>`.
//!
//! No Consul server can be installed on this project's machines (not in Debian's
//! packages, not on PyPI), so `consul_double::` runs the real `ConsulRegistry`
//! adapter over HTTP against `support::consul_double`, an **API double** that
//! implements only the documented subset of Consul's agent API the adapter uses
//! (with TTL checks that turn critical on the double's manual clock). It proves
//! the adapter's requests and its reading of the answers against that subset as
//! written from Consul's documentation, not against Consul itself.
//!
//! `consul::` runs on a real agent when `MEDIAFLOW_TEST_CONSUL_URL` is set
//! (`http://127.0.0.1:8500`); without it they print "skipped:
//! MEDIAFLOW_TEST_CONSUL_URL not set" and pass. **These real-Consul copies have
//! never run here**: nothing in CI sets the variable. On a real agent time is
//! slept on, and each test's service names carry the test name and process id.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::clock::ManualClock;
use mediaflow_shared::registry::{
    ConsulRegistry, ConsulSettings, MemoryRegistry, RegistryError, ServiceInstance, ServiceRegistry,
};
use mediaflow_tests::support::consul_double::ConsulDouble;
use mediaflow_tests::support::manual_clock;

/// The variable naming a real Consul agent for the suite.
const CONSUL_URL_VAR: &str = "MEDIAFLOW_TEST_CONSUL_URL";

/// A TTL short enough to wait out on a real agent.
const TTL: Duration = Duration::from_millis(600);
/// Less than [`TTL`]: two of these pass it, one does not.
const MOST_OF_TTL: Duration = Duration::from_millis(400);
/// Comfortably past [`TTL`].
const PAST_TTL: Duration = Duration::from_millis(1200);

/// A registry under test, how time passes for it, and its test's name tag.
struct Backend {
    registry: Arc<dyn ServiceRegistry>,
    /// `None`: the agent's real clock, slept on.
    clock: Option<Arc<ManualClock>>,
    tag: String,
}

impl Backend {
    fn memory(test: &str) -> Self {
        let (clock, shared) = manual_clock();
        Self {
            registry: Arc::new(MemoryRegistry::new(shared)),
            clock: Some(clock),
            tag: test.to_owned(),
        }
    }

    async fn consul_double(test: &str) -> Self {
        let (clock, shared) = manual_clock();
        let double = ConsulDouble::start(shared).await;
        let settings = ConsulSettings::from_url(&double.url()).expect("double URL");
        Self {
            registry: Arc::new(ConsulRegistry::new(settings)),
            clock: Some(clock),
            tag: test.to_owned(),
        }
    }

    fn consul(test: &str) -> Option<Self> {
        let url = std::env::var(CONSUL_URL_VAR)
            .ok()
            .filter(|u| !u.trim().is_empty())?;
        let settings = ConsulSettings::from_url(&url)
            .unwrap_or_else(|e| panic!("{CONSUL_URL_VAR} must be {e}"));
        Some(Self {
            registry: Arc::new(ConsulRegistry::new(settings)),
            clock: None,
            tag: format!("{test}-{}", std::process::id()),
        })
    }

    async fn pass(&self, by: Duration) {
        match &self.clock {
            Some(clock) => clock.advance(by),
            None => tokio::time::sleep(by).await,
        }
    }

    /// A service name private to this test.
    fn service(&self, name: &str) -> String {
        format!("{name}-{}", self.tag)
    }

    fn instance(&self, id: &str, service: &str, port: u16) -> ServiceInstance {
        ServiceInstance::new(
            format!("{id}-{}", self.tag),
            self.service(service),
            format!("127.0.0.1:{port}"),
        )
    }

    async fn ids(&self, service: &str) -> Vec<String> {
        self.registry
            .healthy_instances(&self.service(service))
            .await
            .expect("lookup")
            .into_iter()
            .map(|i| i.id.trim_end_matches(&format!("-{}", self.tag)).to_owned())
            .collect()
    }
}

/// Instantiates each listed test for every backend.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::Backend::memory(stringify!($name))).await;
                }
            )+
        }

        mod consul_double {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&super::Backend::consul_double(stringify!($name)).await).await;
                }
            )+
        }

        mod consul {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = super::Backend::consul(stringify!($name)) else {
                        eprintln!("skipped: {} not set", super::CONSUL_URL_VAR);
                        return;
                    };
                    super::$name(&backend).await;
                }
            )+
        }
    };
}

conformance!(
    a_registered_instance_is_found_with_its_address_and_metadata,
    lookups_are_filtered_by_service_and_ordered_by_id,
    an_instance_disappears_when_its_ttl_lapses,
    a_heartbeat_extends_the_registration,
    a_heartbeat_after_expiry_is_refused_and_the_instance_stays_gone,
    a_heartbeat_for_an_unknown_instance_is_refused,
    registering_again_replaces_the_previous_registration,
    deregister_removes_the_instance_and_says_whether_it_was_live,
    invalid_registrations_and_lookups_are_rejected,
);

async fn a_registered_instance_is_found_with_its_address_and_metadata(b: &Backend) {
    let mut instance = b.instance("catalog-1", "catalog", 3005);
    instance.metadata = BTreeMap::from([
        ("version".to_owned(), "1.4.2".to_owned()),
        ("zone".to_owned(), "eu-1".to_owned()),
    ]);
    b.registry
        .register(instance.clone(), TTL)
        .await
        .expect("register");
    let found = b
        .registry
        .healthy_instances(&b.service("catalog"))
        .await
        .expect("lookup");
    assert_eq!(
        found,
        vec![instance],
        "id, service, host:port and metadata round-trip"
    );
    assert_eq!(
        b.ids("nobody").await,
        Vec::<String>::new(),
        "an unknown service has none"
    );
}

async fn lookups_are_filtered_by_service_and_ordered_by_id(b: &Backend) {
    for (id, service, port) in [
        ("c-3", "catalog", 3),
        ("a-1", "auth", 1),
        ("c-1", "catalog", 2),
        ("c-2", "catalog", 4),
    ] {
        b.registry
            .register(b.instance(id, service, port), TTL)
            .await
            .expect("register");
    }
    assert_eq!(b.ids("catalog").await, ["c-1", "c-2", "c-3"]);
    assert_eq!(b.ids("auth").await, ["a-1"]);
}

async fn an_instance_disappears_when_its_ttl_lapses(b: &Backend) {
    b.registry
        .register(b.instance("c-1", "catalog", 1), TTL)
        .await
        .expect("register");
    b.pass(MOST_OF_TTL).await;
    assert_eq!(b.ids("catalog").await, ["c-1"], "healthy within its TTL");
    b.pass(MOST_OF_TTL).await;
    assert_eq!(
        b.ids("catalog").await,
        Vec::<String>::new(),
        "gone once the TTL lapsed"
    );
}

async fn a_heartbeat_extends_the_registration(b: &Backend) {
    let instance = b.instance("c-1", "catalog", 1);
    b.registry
        .register(instance.clone(), TTL)
        .await
        .expect("register");
    for _ in 0..3 {
        b.pass(MOST_OF_TTL).await;
        b.registry
            .heartbeat(&instance.id)
            .await
            .expect("heartbeat while live");
    }
    assert_eq!(
        b.ids("catalog").await,
        ["c-1"],
        "alive well past one TTL thanks to heartbeats"
    );
}

async fn a_heartbeat_after_expiry_is_refused_and_the_instance_stays_gone(b: &Backend) {
    let instance = b.instance("c-1", "catalog", 1);
    b.registry
        .register(instance.clone(), TTL)
        .await
        .expect("register");
    b.pass(PAST_TTL).await;
    assert_eq!(
        b.registry.heartbeat(&instance.id).await,
        Err(RegistryError::NotRegistered(instance.id.clone())),
        "a lapsed instance must register again"
    );
    assert_eq!(
        b.ids("catalog").await,
        Vec::<String>::new(),
        "the heartbeat did not revive it"
    );
    assert_eq!(
        b.registry.heartbeat(&instance.id).await,
        Err(RegistryError::NotRegistered(instance.id.clone())),
        "nor does a second one"
    );
    b.registry
        .register(instance, TTL)
        .await
        .expect("register again");
    assert_eq!(
        b.ids("catalog").await,
        ["c-1"],
        "registering again brings it back"
    );
}

async fn a_heartbeat_for_an_unknown_instance_is_refused(b: &Backend) {
    let id = format!("ghost-{}", b.tag);
    assert_eq!(
        b.registry.heartbeat(&id).await,
        Err(RegistryError::NotRegistered(id))
    );
}

async fn registering_again_replaces_the_previous_registration(b: &Backend) {
    b.registry
        .register(b.instance("c-1", "catalog", 1000), TTL)
        .await
        .expect("register");
    b.pass(MOST_OF_TTL).await;
    let moved = b.instance("c-1", "catalog", 2000);
    b.registry
        .register(moved.clone(), TTL)
        .await
        .expect("register again");
    b.pass(MOST_OF_TTL).await;
    let found = b
        .registry
        .healthy_instances(&b.service("catalog"))
        .await
        .expect("lookup");
    assert_eq!(
        found,
        vec![moved],
        "one instance, at the new address, with a fresh TTL"
    );
}

async fn deregister_removes_the_instance_and_says_whether_it_was_live(b: &Backend) {
    let (one, two) = (
        b.instance("c-1", "catalog", 1),
        b.instance("c-2", "catalog", 2),
    );
    b.registry
        .register(one.clone(), TTL)
        .await
        .expect("register");
    b.registry
        .register(two.clone(), TTL)
        .await
        .expect("register");
    assert_eq!(
        b.registry.deregister(&one.id).await,
        Ok(true),
        "a live instance"
    );
    assert_eq!(b.ids("catalog").await, ["c-2"], "gone at once");
    assert_eq!(
        b.registry.deregister(&one.id).await,
        Ok(false),
        "already gone"
    );
    b.pass(PAST_TTL).await;
    assert_eq!(
        b.registry.deregister(&two.id).await,
        Ok(false),
        "a lapsed instance was not live"
    );
    assert_eq!(
        b.registry.heartbeat(&one.id).await,
        Err(RegistryError::NotRegistered(one.id.clone()))
    );
}

async fn invalid_registrations_and_lookups_are_rejected(b: &Backend) {
    let valid = b.instance("c-1", "catalog", 1);
    let cases = [
        (
            ServiceInstance {
                id: " ".to_owned(),
                ..valid.clone()
            },
            TTL,
            "empty id",
        ),
        (
            ServiceInstance {
                service: String::new(),
                ..valid.clone()
            },
            TTL,
            "empty service",
        ),
        (
            ServiceInstance {
                address: String::new(),
                ..valid.clone()
            },
            TTL,
            "empty address",
        ),
        (valid.clone(), Duration::ZERO, "zero ttl"),
    ];
    for (instance, ttl, case) in cases {
        let result = b.registry.register(instance, ttl).await;
        assert!(
            matches!(result, Err(RegistryError::Invalid(_))),
            "{case}: {result:?}"
        );
    }
    assert_eq!(
        b.ids("catalog").await,
        Vec::<String>::new(),
        "nothing was registered"
    );
    let lookup = b.registry.healthy_instances(" ").await;
    assert!(
        matches!(lookup, Err(RegistryError::Invalid(_))),
        "{lookup:?}"
    );
}

#[tokio::test]
async fn an_unreachable_consul_agent_is_unavailable_naming_its_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let settings = ConsulSettings::from_url(&format!("http://:s3cr3t-token@127.0.0.1:{port}"))
        .expect("valid URL");
    let registry = ConsulRegistry::new(settings);
    let error = registry
        .healthy_instances("catalog")
        .await
        .expect_err("no agent");
    let text = error.to_string();
    assert!(matches!(error, RegistryError::Unavailable(_)), "{error:?}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}")),
        "names the agent: {text}"
    );
    assert!(!text.contains("s3cr3t-token"), "never the token: {text}");
}
