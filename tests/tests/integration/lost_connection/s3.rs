//! S3 (moto): every request opens or reuses an HTTP connection, so a stopped
//! server is a refused connection at once; the restarted server is a fresh one
//! without the bucket, which the store creates again by itself.

use mediaflow_shared::objects::{ObjectError, ObjectKey, ObjectStore, S3ObjectStore, S3Settings};

use super::outage::{assert_names_url, fails_in_time, report, succeeds_in_time};
use super::server::{Backend, PrivateServer};

fn key(text: &str) -> ObjectKey {
    ObjectKey::parse(text).expect("a valid key")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_s3_server_fails_the_next_call_naming_the_url_and_the_store_recovers_after_a_restart()
 {
    let Some(server) = PrivateServer::start(Backend::S3).await else {
        return;
    };
    let settings = S3Settings::from_url(server.url()).expect("the script prints a URL");
    // Errors name the endpoint and bucket (`http://127.0.0.1:PORT/BUCKET`).
    let bucket_url = format!(
        "http://{}/{}",
        server
            .url()
            .split_once('@')
            .expect("credentials")
            .1
            .split('/')
            .next()
            .expect("host"),
        settings.bucket()
    );
    let store = S3ObjectStore::new(settings).expect("a store");
    store
        .put(&key("before"), b"1".to_vec(), "text/plain")
        .await
        .expect("a call while the server runs");

    server.stop().await;
    let (error, error_after) = fails_in_time("an S3 GET", store.get(&key("before"))).await;
    assert!(matches!(error, ObjectError::Unavailable(_)), "{error:?}");
    assert_names_url(&error.to_string(), &bucket_url);

    let restart = server.restart().await;
    let (meta, recovered) = succeeds_in_time(
        "an S3 PUT",
        store.put(&key("after"), b"2".to_vec(), "text/plain"),
    )
    .await;
    assert_eq!(meta.size, 1);
    let (_, bytes) = store
        .get(&key("after"))
        .await
        .expect("a read after the restart");
    assert_eq!(bytes, b"2");
    report("s3", error_after, restart, recovered);
}
