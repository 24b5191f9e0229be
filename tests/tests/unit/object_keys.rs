//! Object key validation and the content rules shared by every object store
//! (etag, byte-range bounds).

use std::ops::Range;

use mediaflow_shared::objects::{ObjectError, ObjectKey, check_range, etag};

fn reason(key: &str) -> Option<&'static str> {
    match ObjectKey::parse(key) {
        Err(ObjectError::InvalidKey { reason, .. }) => Some(reason),
        Err(other) => panic!("`{key}` failed with a non-key error: {other}"),
        Ok(_) => None,
    }
}

#[test]
fn malformed_keys_are_rejected_with_a_reason() {
    let long = "a".repeat(1025);
    let cases: [(&str, &str); 9] = [
        ("", "empty"),
        ("../x", "contains an empty, `.` or `..` segment"),
        (
            "a/../../etc/passwd",
            "contains an empty, `.` or `..` segment",
        ),
        ("a/./b", "contains an empty, `.` or `..` segment"),
        ("/abs", "absolute"),
        ("a//b", "contains an empty, `.` or `..` segment"),
        ("trailing/", "contains an empty, `.` or `..` segment"),
        ("a\\b", "contains a backslash or control character"),
        ("a\0b", "contains a backslash or control character"),
    ];
    for (key, expected) in cases {
        assert_eq!(
            reason(key),
            Some(expected),
            "key {key:?} must be rejected as: {expected}"
        );
    }
    assert_eq!(
        reason(&long),
        Some("longer than 1024 bytes"),
        "a 1025-byte key must be rejected"
    );
}

#[test]
fn ordinary_keys_are_accepted_unchanged() {
    let max = "k".repeat(1024);
    for key in [
        "videos/v1/720p/seg-00001.ts",
        "a",
        "with space/ünïcode.mp4",
        "..hidden/x..y",
        max.as_str(),
    ] {
        let parsed = ObjectKey::parse(key).unwrap_or_else(|e| panic!("`{key}` must be valid: {e}"));
        assert_eq!(
            parsed.as_str(),
            key,
            "a valid key must be kept exactly as given"
        );
    }
}

#[test]
fn control_characters_anywhere_are_rejected() {
    for key in ["line\nbreak", "tab\there", "bell\u{7}", "del\u{7f}"] {
        assert!(
            ObjectKey::parse(key).is_err(),
            "key {key:?} with a control character must be rejected"
        );
    }
}

#[test]
fn etag_is_the_lowercase_hex_sha256_of_the_content() {
    assert_eq!(
        etag(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "the etag of empty content is the SHA-256 of nothing"
    );
    assert_eq!(
        etag(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "the etag must match the FIPS 180-2 test vector"
    );
}

#[test]
fn range_checks_accept_only_non_empty_ranges_inside_the_object() {
    let k = ObjectKey::parse("v").expect("valid");
    let cases = [
        (0..10, true),
        (9..10, true),
        (0..1, true),
        (0..11, false),
        (10..11, false),
        (3..3, false),
        (Range { start: 5, end: 2 }, false),
    ];
    for (range, ok) in cases {
        assert_eq!(
            check_range(&k, &range, 10).is_ok(),
            ok,
            "range {range:?} of a 10-byte object: expected {}",
            if ok { "accepted" } else { "refused" }
        );
    }
}
