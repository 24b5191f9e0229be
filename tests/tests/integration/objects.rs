//! Object storage, memory and filesystem alike: put/get/head/delete, prefix
//! listing, byte ranges, and a filesystem store that survives a restart.

use mediaflow_shared::objects::{
    FsObjectStore, MemoryObjectStore, ObjectError, ObjectKey, ObjectStore,
};
use tempfile::TempDir;

/// SHA-256 of `abc`, the FIPS 180-2 test vector.
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn key(text: &str) -> ObjectKey {
    ObjectKey::parse(text).expect("valid test key")
}

/// Stores under test, each with a name for assertion messages.
type NamedStores = Vec<(&'static str, Box<dyn ObjectStore>)>;

/// Both stores under test; the directory must outlive them.
fn stores() -> (TempDir, NamedStores) {
    let dir = TempDir::new().expect("temp dir");
    let fs = FsObjectStore::new(dir.path().join("store")).expect("fs store opens");
    (
        dir,
        vec![
            ("memory", Box::new(MemoryObjectStore::new())),
            ("filesystem", Box::new(fs)),
        ],
    )
}

#[tokio::test]
async fn put_then_get_returns_the_bytes_and_their_metadata() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let k = key("uploads/u1/abc.txt");
        let put = store
            .put(&k, b"abc".to_vec(), "text/plain")
            .await
            .expect("put");
        let (meta, bytes) = store.get(&k).await.expect("get");
        assert_eq!(bytes, b"abc", "{name}: get must return the stored bytes");
        assert_eq!(
            meta, put,
            "{name}: get must report the metadata put returned"
        );
        assert_eq!(meta.size, 3, "{name}: size in bytes");
        assert_eq!(
            meta.content_type, "text/plain",
            "{name}: content type as given at upload"
        );
        assert_eq!(
            meta.etag, ABC_SHA256,
            "{name}: etag must be the lowercase hex SHA-256"
        );
    }
}

#[tokio::test]
async fn head_reports_metadata_without_the_bytes_and_none_when_absent() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let k = key("videos/v1/master.m3u8");
        assert_eq!(
            store.head(&k).await.expect("head"),
            None,
            "{name}: nothing stored yet"
        );
        store
            .put(&k, b"#EXTM3U\n".to_vec(), "application/vnd.apple.mpegurl")
            .await
            .expect("put");
        let meta = store.head(&k).await.expect("head").expect("object exists");
        assert_eq!(
            (meta.size, meta.content_type.as_str()),
            (8, "application/vnd.apple.mpegurl"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn put_replaces_an_existing_object() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
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
        assert_eq!(
            bytes, b"new",
            "{name}: the second put must replace the bytes entirely"
        );
        assert_eq!(
            (meta.size, meta.content_type.as_str()),
            (3, "image/png"),
            "{name}: and the metadata"
        );
    }
}

#[tokio::test]
async fn delete_reports_whether_the_object_existed() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let k = key("tmp/chunk-0");
        store
            .put(&k, vec![0; 16], "application/octet-stream")
            .await
            .expect("put");
        assert_eq!(
            store.delete(&k).await,
            Ok(true),
            "{name}: deleting a stored object reports true"
        );
        assert_eq!(
            store.get(&k).await,
            Err(ObjectError::NotFound("tmp/chunk-0".to_owned())),
            "{name}: a deleted object must be gone"
        );
        assert_eq!(
            store.delete(&k).await,
            Ok(false),
            "{name}: a second delete reports false"
        );
    }
}

#[tokio::test]
async fn list_returns_the_objects_under_a_prefix_ordered_by_key() {
    let (_dir, stores) = stores();
    // Written out of order, so an unsorted directory walk cannot pass by luck.
    let segments: Vec<String> = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4]
        .iter()
        .map(|i| format!("videos/v3/seg-{i}.ts"))
        .collect();
    let others = [
        "videos/v2/720p.ts",
        "videos/v1/1080p.ts",
        "videos/v1/360p.ts",
        "videos-archive/v0.ts",
        "audio/a1.aac",
    ];
    for (name, store) in &stores {
        for k in segments.iter().map(String::as_str).chain(others) {
            store
                .put(&key(k), k.as_bytes().to_vec(), "video/mp2t")
                .await
                .expect("put");
        }
        let listed: Vec<String> = store
            .list("videos/")
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.key.to_string())
            .collect();
        let mut expected: Vec<String> = [
            "videos/v1/1080p.ts",
            "videos/v1/360p.ts",
            "videos/v2/720p.ts",
        ]
        .map(str::to_owned)
        .to_vec();
        expected.extend((0..10).map(|i| format!("videos/v3/seg-{i}.ts")));
        assert_eq!(
            listed, expected,
            "{name}: listing must return exactly the keys under the prefix, ordered by key"
        );
        let partial: Vec<String> = store
            .list("videos/v1/3")
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.key.to_string())
            .collect();
        assert_eq!(
            partial,
            ["videos/v1/360p.ts"],
            "{name}: a prefix may end mid-segment"
        );
        assert_eq!(
            store.list("").await.expect("list all").len(),
            15,
            "{name}: an empty prefix lists everything"
        );
    }
}

#[tokio::test]
async fn get_range_returns_exactly_the_requested_bytes() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let k = key("videos/v1/seg-0.ts");
        store
            .put(&k, b"0123456789".to_vec(), "video/mp2t")
            .await
            .expect("put");
        assert_eq!(
            store.get_range(&k, 2..5).await.expect("range"),
            b"234",
            "{name}: bytes 2..5"
        );
        assert_eq!(
            store.get_range(&k, 0..10).await.expect("range"),
            b"0123456789",
            "{name}: whole object"
        );
        assert_eq!(
            store.get_range(&k, 9..10).await.expect("range"),
            b"9",
            "{name}: last byte"
        );
    }
}

#[tokio::test]
async fn get_range_outside_the_object_is_not_satisfiable() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let k = key("videos/v1/seg-0.ts");
        store
            .put(&k, b"0123456789".to_vec(), "video/mp2t")
            .await
            .expect("put");
        for (start, end) in [(5, 11), (10, 12), (4, 4), (7, 3)] {
            assert_eq!(
                store.get_range(&k, start..end).await,
                Err(ObjectError::RangeNotSatisfiable {
                    key: "videos/v1/seg-0.ts".to_owned(),
                    start,
                    end,
                    size: 10,
                }),
                "{name}: range {start}..{end} of a 10-byte object must be refused (HTTP 416)"
            );
        }
        assert!(
            matches!(
                store.get_range(&key("missing"), 0..1).await,
                Err(ObjectError::NotFound(_))
            ),
            "{name}: a range of a missing object is NotFound, not a range error"
        );
    }
}

#[tokio::test]
async fn filesystem_store_finds_its_objects_again_after_a_restart() {
    let dir = TempDir::new().expect("temp dir");
    let root = dir.path().join("store");
    let k = key("videos/v1/master.m3u8");
    {
        let store = FsObjectStore::new(&root).expect("open");
        store
            .put(&k, b"#EXTM3U".to_vec(), "application/vnd.apple.mpegurl")
            .await
            .expect("put");
    }
    let reopened = FsObjectStore::new(&root).expect("reopen");
    let (meta, bytes) = reopened.get(&k).await.expect("object survives the restart");
    assert_eq!(
        bytes, b"#EXTM3U",
        "the bytes must survive a new store on the same root"
    );
    assert_eq!(
        meta.content_type, "application/vnd.apple.mpegurl",
        "the content type must survive too"
    );
    assert_eq!(
        reopened.list("videos/").await.expect("list").len(),
        1,
        "listing must find it"
    );
}

#[tokio::test]
async fn filesystem_store_keeps_each_object_as_a_plain_file_by_key_segments() {
    let dir = TempDir::new().expect("temp dir");
    let store = FsObjectStore::new(dir.path()).expect("open");
    let k = key("videos/v1/seg-3.ts");
    store
        .put(&k, b"payload".to_vec(), "video/mp2t")
        .await
        .expect("put");
    let path = store.object_path(&k);
    assert!(
        path.starts_with(store.root()),
        "the object must live under the root"
    );
    assert!(
        path.ends_with("videos/v1/seg-3.ts"),
        "the path must follow the key's segments: {path:?}"
    );
    assert_eq!(
        std::fs::read(&path).expect("read file"),
        b"payload",
        "the file must hold exactly the bytes"
    );
}

#[tokio::test]
async fn filesystem_store_rebuilds_lost_metadata_from_the_bytes() {
    let dir = TempDir::new().expect("temp dir");
    let store = FsObjectStore::new(dir.path()).expect("open");
    let k = key("docs/abc.txt");
    store
        .put(&k, b"abc".to_vec(), "text/plain")
        .await
        .expect("put");
    for sidecar in std::fs::read_dir(store.root().join("meta")).expect("meta dir") {
        std::fs::remove_file(sidecar.expect("entry").path()).expect("remove sidecar");
    }
    let meta = store
        .head(&k)
        .await
        .expect("head")
        .expect("the bytes are still there");
    assert_eq!(
        (meta.size, meta.etag.as_str()),
        (3, ABC_SHA256),
        "size and etag must come from the bytes"
    );
    assert_eq!(
        meta.content_type, "application/octet-stream",
        "an unknown content type falls back to bytes"
    );
}

#[tokio::test]
async fn filesystem_store_refuses_a_key_that_is_also_a_prefix() {
    let dir = TempDir::new().expect("temp dir");
    let store = FsObjectStore::new(dir.path()).expect("open");
    store
        .put(&key("a/b"), b"1".to_vec(), "text/plain")
        .await
        .expect("put a/b");
    assert!(
        matches!(
            store.put(&key("a"), b"2".to_vec(), "text/plain").await,
            Err(ObjectError::InvalidKey { .. })
        ),
        "`a` cannot be a file while `a/b` exists"
    );
    assert!(
        matches!(
            store.put(&key("a/b/c"), b"3".to_vec(), "text/plain").await,
            Err(ObjectError::InvalidKey { .. })
        ),
        "`a/b/c` cannot be stored under the object `a/b`"
    );
    store.delete(&key("a/b")).await.expect("delete a/b");
    store
        .put(&key("a"), b"2".to_vec(), "text/plain")
        .await
        .expect("once `a/b` is deleted its empty directory is gone and `a` can be an object");
}
