//! The whole platform in one process: every service starts on its own port over one
//! shared infrastructure, registers, and is reachable through the gateway.

use mediaflow_tests::support::platform::{Svc, TestPlatform};

#[tokio::test]
async fn every_service_starts_registers_and_answers_ready() {
    let platform = TestPlatform::start_all().await;
    for svc in Svc::ALL {
        let instances = platform
            .infra
            .registry
            .healthy_instances(svc.name())
            .await
            .expect("registry lookup");
        assert_eq!(
            instances.len(),
            1,
            "{} must have exactly one registered instance",
            svc.name()
        );
        let ready = platform.get(svc, "/ready", None).await;
        assert_eq!(
            ready.status,
            200,
            "{} must be ready: {}",
            svc.name(),
            ready.raw
        );
    }
    platform.stop().await;
}

#[tokio::test]
async fn stopping_the_platform_deregisters_every_service() {
    let platform = TestPlatform::start_all().await;
    let infra = platform.infra.clone();
    platform.stop().await;
    for svc in Svc::ALL {
        let instances = infra
            .registry
            .healthy_instances(svc.name())
            .await
            .expect("registry lookup");
        assert!(
            instances.is_empty(),
            "{} must deregister on stop",
            svc.name()
        );
    }
}
