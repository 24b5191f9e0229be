//! The requests `mediaflow` sends to pull images, checked against a fake engine on a
//! unix socket: what cannot run here for real (no registry is reachable) is proved on
//! the wire — `fromImage` and an explicit `tag` (never "all tags"), per-layer progress,
//! and a registry error turned into advice.

use std::sync::{Arc, Mutex};

use bollard::{API_DEFAULT_VERSION, Docker};
use mediaflow::infra::engine::{Engine, LayerProgress};
use mediaflow::infra::spec::{ImageRef, ServiceName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;

/// A fake engine: records request lines and answers image inspect and create.
struct FakeEngine {
    requests: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
    engine: Engine,
}

/// Progress the fake registry pull streams back, as Docker 20.10 does.
const PULL_STREAM: &str = concat!(
    "{\"status\":\"Pulling from library/redis\",\"id\":\"7\"}\r\n",
    "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"a1b2c3\"}\r\n",
    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":5,\"total\":10},\"progress\":\"[==>  ]\",\"id\":\"a1b2c3\"}\r\n",
    "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a1b2c3\"}\r\n",
    "{\"status\":\"Digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\"}\r\n",
    "{\"status\":\"Status: Downloaded newer image for redis:7\"}\r\n",
);

const PULL_DENIED: &str = "{\"errorDetail\":{\"message\":\"pull access denied for nosuch\"},\"error\":\"pull access denied for nosuch\"}\r\n";

impl FakeEngine {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("bind fake engine socket");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        tokio::spawn(async move {
            let mut pulled = false;
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.unwrap_or(0) == 1
                {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                log.lock().expect("log poisoned").push(line.clone());
                let (status, body) = if line.contains("/images/create") {
                    if line.contains("fromImage=nosuch") {
                        ("200 OK", PULL_DENIED.to_owned())
                    } else {
                        pulled = true;
                        ("200 OK", PULL_STREAM.to_owned())
                    }
                } else if line.contains("/images/") && pulled {
                    ("200 OK", "{\"Id\":\"sha256:feed\"}".to_owned())
                } else {
                    (
                        "404 Not Found",
                        "{\"message\":\"No such image\"}".to_owned(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ignored = stream.write_all(response.as_bytes()).await;
                let _ignored = stream.shutdown().await;
            }
        });
        let docker = Docker::connect_with_unix(&socket.to_string_lossy(), 5, API_DEFAULT_VERSION)
            .expect("client for the fake engine");
        Self {
            requests,
            _dir: dir,
            engine: Engine::from_docker(docker, "fake"),
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("log poisoned").clone()
    }
}

fn service() -> ServiceName {
    ServiceName::parse("redis").expect("valid name")
}

#[tokio::test]
async fn a_missing_image_is_pulled_with_an_explicit_tag_and_each_layer_is_reported() {
    let fake = FakeEngine::start().await;
    let image = ImageRef::parse("redis:7").expect("valid reference");
    assert_eq!(
        fake.engine.image_id(&image).await.expect("inspect"),
        None,
        "404 means absent"
    );

    let mut layers = Vec::new();
    fake.engine
        .pull(&service(), &image, |layer| layers.push(layer))
        .await
        .expect("the fake pull succeeds");
    assert_eq!(
        fake.engine.image_id(&image).await.expect("inspect"),
        Some("sha256:feed".to_owned()),
        "after the pull the image is present"
    );

    let requests = fake.requests();
    let create: Vec<&String> = requests
        .iter()
        .filter(|r| r.contains("/images/create"))
        .collect();
    assert_eq!(create.len(), 1, "exactly one pull request: {requests:?}");
    assert!(
        create[0].starts_with("POST /")
            && create[0].contains("/images/create?fromImage=redis&tag=7&"),
        "the pull must name the repository and the tag separately: {}",
        create[0]
    );
    assert_eq!(
        layers,
        vec![
            LayerProgress {
                layer: "a1b2c3".into(),
                status: "Pulling fs layer".into(),
                current: None,
                total: None
            },
            LayerProgress {
                layer: "a1b2c3".into(),
                status: "Downloading".into(),
                current: Some(5),
                total: Some(10)
            },
            LayerProgress {
                layer: "a1b2c3".into(),
                status: "Pull complete".into(),
                current: None,
                total: None
            },
        ],
        "every layer message is reported, the tag line and summaries are not"
    );
}

#[tokio::test]
async fn references_without_a_tag_or_with_a_digest_still_send_a_tag() {
    let fake = FakeEngine::start().await;
    let digest = format!("sha256:{}", "ab".repeat(32));
    for reference in [
        "redis".to_owned(),
        format!("registry.local:5000/team/redis@{digest}"),
    ] {
        let image = ImageRef::parse(&reference).expect("valid reference");
        fake.engine
            .pull(&service(), &image, |_| {})
            .await
            .expect("pull");
    }
    let creates: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.contains("/images/create"))
        .map(|r| r.replace("%3A", ":").replace("%2F", "/"))
        .collect();
    assert!(
        creates[0].contains("fromImage=redis&tag=latest"),
        "no tag means latest, never all tags: {}",
        creates[0]
    );
    assert!(
        creates[1].contains(&format!(
            "fromImage=registry.local:5000/team/redis&tag={digest}"
        )),
        "a pinned image is pulled by its digest: {}",
        creates[1]
    );
}

#[tokio::test]
async fn a_refused_pull_explains_how_to_use_a_local_image() {
    let fake = FakeEngine::start().await;
    let image = ImageRef::parse("nosuch:1").expect("valid reference");
    let error = fake
        .engine
        .pull(&service(), &image, |_| {})
        .await
        .expect_err("the registry refuses");
    let message = error.to_string();
    assert!(
        message.starts_with("cannot pull nosuch:1 for redis: ")
            && message.contains("pull access denied")
            && message.contains("--image redis=REF"),
        "the error must name image, service, cause and the override: {message}"
    );
}
