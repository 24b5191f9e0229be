//! One conformance suite for the object storage contract, run on every store: each
//! test is written once against an `&dyn ObjectStore` and instantiated by
//! `conformance!` as `memory::<name>`, `filesystem::<name>` (always) and
//! `s3::<name>`.
//!
//! The S3 instances need a server: set `MEDIAFLOW_TEST_S3_URL`
//! (`http://KEY:SECRET@host:port/bucket?region=…`; `infrastructure/local/s3.sh
//! start` prints one for a moto server; CI sets it). moto does not check
//! signatures there (see that script): the signer is held to AWS's published
//! examples by the unit suite's `s3_sigv4`.
//! Without it they print "skipped: MEDIAFLOW_TEST_S3_URL not set" and pass. Each S3
//! test works under a key prefix of its own (process id and test name) and lists
//! two keys per page, so listings cross ListObjectsV2 continuation tokens.

use std::net::TcpListener;

use mediaflow_shared::objects::{
    FsObjectStore, MemoryObjectStore, ObjectError, ObjectKey, ObjectStore, S3ObjectStore,
    S3Settings, etag,
};
use tempfile::TempDir;

/// The variable naming the throwaway S3 server of the suite.
const S3_URL_VAR: &str = "MEDIAFLOW_TEST_S3_URL";

/// SHA-256 of `abc`, the FIPS 180-2 test vector.
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn key(text: &str) -> ObjectKey {
    ObjectKey::parse(text).expect("valid test key")
}

/// The S3 settings of the suite, or `None` when no server is configured.
fn s3_settings() -> Option<S3Settings> {
    let url = std::env::var(S3_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    Some(S3Settings::from_url(&url).unwrap_or_else(|e| panic!("{S3_URL_VAR} must be {e}")))
}

/// A store private to one test on the suite's S3 server.
async fn s3_store(test: &str) -> Option<S3ObjectStore> {
    let settings = s3_settings()?.with_prefix(&format!("test-{}-{test}", std::process::id()));
    let store = S3ObjectStore::connect(settings)
        .await
        .unwrap_or_else(|e| panic!("the S3 server of {S3_URL_VAR} must answer: {e}"));
    Some(store.with_page_size(2))
}

/// Instantiates each listed test for every store.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::MemoryObjectStore::new()).await;
                }
            )+
        }

        mod filesystem {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = super::TempDir::new().expect("temp dir");
                    let store = super::FsObjectStore::new(dir.path()).expect("fs store opens");
                    super::$name(&store).await;
                }
            )+
        }

        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = super::s3_store(stringify!($name)).await else {
                        eprintln!("skipped: {} not set", super::S3_URL_VAR);
                        return;
                    };
                    super::$name(&store).await;
                }
            )+
        }
    };
}

conformance!(
    put_then_get_returns_the_bytes_and_their_metadata,
    head_reports_metadata_without_the_bytes_and_none_when_absent,
    put_replaces_an_existing_object_and_its_content_type,
    delete_reports_whether_the_object_existed,
    list_returns_the_objects_under_a_prefix_ordered_by_key,
    a_range_returns_exactly_the_requested_bytes,
    a_range_outside_the_object_is_refused_with_its_size,
    reading_a_missing_object_is_not_found,
    keys_with_spaces_and_non_ascii_characters_round_trip,
    an_empty_object_round_trips,
);

async fn put_then_get_returns_the_bytes_and_their_metadata(store: &dyn ObjectStore) {
    let k = key("uploads/u1/abc.txt");
    let put = store
        .put(&k, b"abc".to_vec(), "text/plain")
        .await
        .expect("put");
    let (meta, bytes) = store.get(&k).await.expect("get");
    assert_eq!(bytes, b"abc", "get returns the stored bytes");
    assert_eq!(meta, put, "get reports the metadata put returned");
    assert_eq!(
        (meta.size, meta.content_type.as_str(), meta.etag.as_str()),
        (3, "text/plain", ABC_SHA256),
        "size in bytes, content type as given, etag the lowercase hex SHA-256"
    );
}

async fn head_reports_metadata_without_the_bytes_and_none_when_absent(store: &dyn ObjectStore) {
    let k = key("videos/v1/master.m3u8");
    assert_eq!(store.head(&k).await, Ok(None), "nothing stored yet");
    let put = store
        .put(&k, b"#EXTM3U\n".to_vec(), "application/vnd.apple.mpegurl")
        .await
        .expect("put");
    assert_eq!(
        store.head(&k).await,
        Ok(Some(put)),
        "head describes the object as put did"
    );
}

async fn put_replaces_an_existing_object_and_its_content_type(store: &dyn ObjectStore) {
    let k = key("thumbs/v1.jpg");
    store
        .put(&k, b"old thumbnail".to_vec(), "image/jpeg")
        .await
        .expect("first put");
    store
        .put(&k, b"new".to_vec(), "image/png")
        .await
        .expect("second put");
    let (meta, bytes) = store.get(&k).await.expect("get");
    assert_eq!(bytes, b"new", "the second put replaces the bytes entirely");
    assert_eq!((meta.size, meta.content_type.as_str()), (3, "image/png"));
    assert_eq!(meta.etag, etag(b"new"), "and the etag");
}

async fn delete_reports_whether_the_object_existed(store: &dyn ObjectStore) {
    let k = key("tmp/chunk-0");
    store
        .put(&k, vec![0; 16], "application/octet-stream")
        .await
        .expect("put");
    assert_eq!(
        store.delete(&k).await,
        Ok(true),
        "deleting a stored object reports true"
    );
    assert_eq!(store.head(&k).await, Ok(None), "a deleted object is gone");
    assert_eq!(
        store.get(&k).await,
        Err(ObjectError::NotFound("tmp/chunk-0".to_owned()))
    );
    assert_eq!(
        store.delete(&k).await,
        Ok(false),
        "a second delete reports false"
    );
    assert_eq!(
        store.delete(&key("never/stored")).await,
        Ok(false),
        "deleting what never existed reports false"
    );
}

async fn list_returns_the_objects_under_a_prefix_ordered_by_key(store: &dyn ObjectStore) {
    // Written out of order, so an unsorted walk cannot pass by luck; more than
    // two per prefix, so a paged listing has to follow its continuation tokens.
    for i in [7, 2, 9, 0, 5, 3, 8, 1, 6, 4] {
        let k = key(&format!("videos/v3/seg-{i}.ts"));
        store
            .put(&k, vec![i; usize::from(i) + 1], "video/mp2t")
            .await
            .expect("put");
    }
    for other in [
        "videos/v2/720p.ts",
        "videos/v1/1080p.ts",
        "videos-archive/v0.ts",
        "audio/a.aac",
    ] {
        store
            .put(&key(other), b"x".to_vec(), "video/mp2t")
            .await
            .expect("put");
    }
    let listed = store.list("videos/v3/").await.expect("list");
    let keys: Vec<&str> = listed.iter().map(|m| m.key.as_str()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("videos/v3/seg-{i}.ts")).collect();
    assert_eq!(
        keys, expected,
        "exactly the prefix's objects, ordered by key"
    );
    assert_eq!(
        (
            listed[4].size,
            listed[4].content_type.as_str(),
            listed[4].etag.clone()
        ),
        (5, "video/mp2t", etag(&[4; 5])),
        "each entry carries the object's metadata"
    );
    let videos: Vec<String> = store
        .list("videos/")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key.as_str().to_owned())
        .collect();
    assert_eq!(
        videos.len(),
        12,
        "`videos/` excludes `videos-archive/`: {videos:?}"
    );
    assert_eq!(&videos[..2], ["videos/v1/1080p.ts", "videos/v2/720p.ts"]);
    assert_eq!(
        store.list("").await.expect("list all").len(),
        14,
        "the empty prefix lists all"
    );
    assert_eq!(
        store.list("nothing/").await,
        Ok(vec![]),
        "an unused prefix lists nothing"
    );
}

async fn a_range_returns_exactly_the_requested_bytes(store: &dyn ObjectStore) {
    let k = key("videos/v1/seg-0.ts");
    store
        .put(&k, b"0123456789".to_vec(), "video/mp2t")
        .await
        .expect("put");
    let cases = [
        (0, 10, &b"0123456789"[..]),
        (2, 5, b"234"),
        (9, 10, b"9"),
        (0, 1, b"0"),
    ];
    for (start, end, expected) in cases {
        assert_eq!(
            store.get_range(&k, start..end).await.as_deref(),
            Ok(expected),
            "range {start}..{end} (end exclusive)"
        );
    }
}

async fn a_range_outside_the_object_is_refused_with_its_size(store: &dyn ObjectStore) {
    let k = key("videos/v1/seg-1.ts");
    store
        .put(&k, b"0123456789".to_vec(), "video/mp2t")
        .await
        .expect("put");
    for (start, end) in [(5, 11), (10, 12), (20, 30), (4, 4), (6, 3)] {
        assert_eq!(
            store.get_range(&k, start..end).await,
            Err(ObjectError::RangeNotSatisfiable {
                key: k.as_str().to_owned(),
                start,
                end,
                size: 10,
            }),
            "range {start}..{end} of a 10-byte object"
        );
    }
}

async fn reading_a_missing_object_is_not_found(store: &dyn ObjectStore) {
    let k = key("missing/object.bin");
    let not_found = ObjectError::NotFound("missing/object.bin".to_owned());
    assert_eq!(store.get(&k).await, Err(not_found.clone()), "get");
    assert_eq!(
        store.get_range(&k, 0..1).await,
        Err(not_found.clone()),
        "get_range"
    );
    assert_eq!(
        store.get_range(&k, 1..1).await,
        Err(not_found),
        "an empty range of a missing object is still not found"
    );
}

async fn keys_with_spaces_and_non_ascii_characters_round_trip(store: &dyn ObjectStore) {
    let names = [
        "uploads/u 1/my video (1).mp4",
        "uploads/u 1/été+hiver=2&3.mp4",
        "uploads/u 1/~a*b'c!.mp4",
    ];
    for (i, name) in names.iter().enumerate() {
        let k = key(name);
        let data = format!("content {i}").into_bytes();
        store.put(&k, data.clone(), "video/mp4").await.expect(name);
        assert_eq!(store.get(&k).await.map(|(_, d)| d), Ok(data), "{name}");
    }
    let listed: Vec<String> = store
        .list("uploads/u 1/")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key.as_str().to_owned())
        .collect();
    let mut expected: Vec<String> = names.iter().map(|&n| n.to_owned()).collect();
    expected.sort();
    assert_eq!(
        listed, expected,
        "listed with their exact keys, in byte order"
    );
}

async fn an_empty_object_round_trips(store: &dyn ObjectStore) {
    let k = key("markers/done");
    store.put(&k, Vec::new(), "text/plain").await.expect("put");
    let (meta, bytes) = store.get(&k).await.expect("get");
    assert_eq!((bytes.len(), meta.size), (0, 0));
    assert_eq!(meta.etag, etag(b""), "the etag of no bytes");
    assert_eq!(store.head(&k).await, Ok(Some(meta)));
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn an_unreachable_s3_server_is_an_error_naming_the_url_but_not_the_secret() {
    let port = closed_port();
    let settings =
        S3Settings::from_url(&format!("http://AKID:hunter2secret@127.0.0.1:{port}/media"))
            .expect("valid URL");
    let store = S3ObjectStore::new(settings).expect("store");
    let error = store
        .put(&key("a/b"), b"x".to_vec(), "text/plain")
        .await
        .expect_err("no server");
    let text = error.to_string();
    assert!(matches!(error, ObjectError::Unavailable(_)), "{error:?}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}/media")),
        "names the URL: {text}"
    );
    assert!(!text.contains("hunter2secret"), "never the secret: {text}");
}
