//! Path traversal against object storage: hostile keys are refused before they
//! reach a path, and the filesystem store never reads or writes outside its root,
//! even when a symbolic link has been planted inside it.

use mediaflow_shared::objects::{FsObjectStore, ObjectError, ObjectKey, ObjectStore};
use tempfile::TempDir;

#[test]
fn traversal_keys_never_parse() {
    let long = format!("{}/x", "a/".repeat(600));
    for key in [
        "../x",
        "a/../../etc/passwd",
        "../../../../etc/shadow",
        "/etc/passwd",
        "a//b",
        "..\\windows\\system32",
        "uploads/\0.mp4",
        long.as_str(),
    ] {
        assert!(
            matches!(ObjectKey::parse(key), Err(ObjectError::InvalidKey { .. })),
            "hostile key {key:?} must be refused as an invalid key"
        );
    }
}

#[tokio::test]
async fn lookalike_keys_stay_inside_the_root() {
    let dir = TempDir::new().expect("temp dir");
    let store = FsObjectStore::new(dir.path().join("store")).expect("open");
    for text in ["..%2f..%2fetc%2fpasswd", "...", "..a/b..", "%2e%2e/x"] {
        let key = ObjectKey::parse(text).expect("odd but harmless key");
        store
            .put(&key, b"x".to_vec(), "text/plain")
            .await
            .expect("put");
        let path = std::fs::canonicalize(store.object_path(&key)).expect("written file");
        assert!(
            path.starts_with(store.root()),
            "{text:?} is a literal name and must land inside the root, got {path:?}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_directory_in_the_key_path_cannot_lead_outside_the_root() {
    let dir = TempDir::new().expect("temp dir");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("outside dir");
    let store = FsObjectStore::new(dir.path().join("store")).expect("open");
    let link = ObjectKey::parse("evil").expect("valid");
    std::os::unix::fs::symlink(&outside, store.object_path(&link)).expect("plant symlink");

    let through = ObjectKey::parse("evil/passwd").expect("valid");
    let written = store.put(&through, b"pwned".to_vec(), "text/plain").await;
    assert!(
        matches!(written, Err(ObjectError::InvalidKey { .. })),
        "a write through a symlinked directory must be refused, got {written:?}"
    );
    assert!(
        !outside.join("passwd").exists(),
        "nothing may have been written outside the root"
    );
    let nested = ObjectKey::parse("evil/new/dir/file").expect("valid");
    assert!(
        store
            .put(&nested, b"x".to_vec(), "text/plain")
            .await
            .is_err(),
        "nested writes refused too"
    );
    assert!(
        !outside.join("new").exists(),
        "no directory may have been created outside the root"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_object_cannot_be_read_or_overwritten() {
    let dir = TempDir::new().expect("temp dir");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, b"top secret").expect("secret file");
    let store = FsObjectStore::new(dir.path().join("store")).expect("open");
    let key = ObjectKey::parse("leak").expect("valid");
    std::os::unix::fs::symlink(&secret, store.object_path(&key)).expect("plant symlink");

    assert!(
        store.get(&key).await.is_err(),
        "reading through a symlinked object must fail"
    );
    assert!(
        store.get_range(&key, 0..3).await.is_err(),
        "a range read through it must fail too"
    );
    assert!(
        store
            .put(&key, b"overwrite".to_vec(), "text/plain")
            .await
            .is_err(),
        "writing through it must fail"
    );
    assert_eq!(
        std::fs::read(&secret).expect("secret"),
        b"top secret",
        "the file outside must be untouched"
    );
    assert!(
        store.list("").await.expect("list").is_empty(),
        "listing must not follow the symlink"
    );
}
