//! The S3 store's Signature V4 signer against the examples AWS publishes for
//! S3 ("Signature Calculations for the Authorization Header: Transferring Payload
//! in a Single Chunk"): the access key, secret, bucket, date and expected
//! signatures below are those of the documentation, typed in, not computed here.

use mediaflow_shared::objects::S3Settings;
use mediaflow_shared::objects::sigv4::{
    EMPTY_PAYLOAD_SHA256, Signer, SigningInput, sha256_hex, uri_encode,
};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HOST: &str = "examplebucket.s3.amazonaws.com";
const AMZ_DATE: &str = "20130524T000000Z";

fn signer() -> Signer {
    Signer::new(ACCESS_KEY, SECRET_KEY, "us-east-1")
}

#[test]
fn the_documented_get_object_example_is_signed_exactly() {
    let headers = [
        ("Host", HOST),
        ("Range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_PAYLOAD_SHA256),
        ("x-amz-date", AMZ_DATE),
    ];
    let input = SigningInput {
        method: "GET",
        path: "/test.txt",
        query: &[],
        headers: &headers,
        payload_hash: EMPTY_PAYLOAD_SHA256,
    };
    assert_eq!(
        sha256_hex(input.canonical_request().as_bytes()),
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
        "hash of the canonical request"
    );
    assert_eq!(
        signer().authorization(AMZ_DATE, &input),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
         Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

#[test]
fn the_documented_put_object_example_is_signed_exactly() {
    let payload = sha256_hex(b"Welcome to Amazon S3.");
    assert_eq!(
        payload,
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    let path = format!("/{}", uri_encode("test$file.text", true));
    assert_eq!(path, "/test%24file.text", "`$` is encoded in the path");
    let headers = [
        ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("Host", HOST),
        ("x-amz-date", AMZ_DATE),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", payload.as_str()),
    ];
    let input = SigningInput {
        method: "PUT",
        path: &path,
        query: &[],
        headers: &headers,
        payload_hash: &payload,
    };
    assert_eq!(
        signer().signature(AMZ_DATE, &input),
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
    );
    assert_eq!(
        input.signed_headers(),
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"
    );
}

#[test]
fn the_documented_list_objects_example_sorts_its_query() {
    let headers = [
        ("Host", HOST),
        ("x-amz-content-sha256", EMPTY_PAYLOAD_SHA256),
        ("x-amz-date", AMZ_DATE),
    ];
    // Given out of order: the canonical query sorts by name.
    let input = SigningInput {
        method: "GET",
        path: "/",
        query: &[("prefix", "J"), ("max-keys", "2")],
        headers: &headers,
        payload_hash: EMPTY_PAYLOAD_SHA256,
    };
    assert_eq!(input.canonical_query(), "max-keys=2&prefix=J");
    assert_eq!(
        signer().signature(AMZ_DATE, &input),
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
    );
}

#[test]
fn the_documented_get_lifecycle_example_signs_a_valueless_parameter() {
    let headers = [
        ("Host", HOST),
        ("x-amz-content-sha256", EMPTY_PAYLOAD_SHA256),
        ("x-amz-date", AMZ_DATE),
    ];
    let input = SigningInput {
        method: "GET",
        path: "/",
        query: &[("lifecycle", "")],
        headers: &headers,
        payload_hash: EMPTY_PAYLOAD_SHA256,
    };
    assert_eq!(input.canonical_query(), "lifecycle=");
    assert_eq!(
        signer().signature(AMZ_DATE, &input),
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
    );
}

#[test]
fn uri_encoding_keeps_only_unreserved_characters_and_optionally_slashes() {
    assert_eq!(uri_encode("a-b_c.d~e", false), "a-b_c.d~e");
    assert_eq!(uri_encode("a b/c+d=é", false), "a%20b%2Fc%2Bd%3D%C3%A9");
    assert_eq!(
        uri_encode("videos/v 1/é.ts", true),
        "videos/v%201/%C3%A9.ts"
    );
}

#[test]
fn s3_urls_give_bucket_prefix_region_and_a_redacted_form() {
    let settings =
        S3Settings::from_url("http://AKID:se%2Fcret@127.0.0.1:9000/media/dev/one?region=eu-west-1")
            .expect("valid URL");
    assert_eq!(settings.bucket(), "media");
    assert_eq!(settings.prefix(), "dev/one/");
    assert!(
        !settings.redacted_url().contains("se%2Fcret"),
        "the secret is never shown: {}",
        settings.redacted_url()
    );
    assert!(
        !format!("{settings:?}").contains("cret"),
        "nor in Debug: {settings:?}"
    );
    let refusals = [
        ("https://a:b@host/bucket", "http://"),
        ("http://host:9000/bucket", "credentials"),
        ("http://a:b@host:9000/", "bucket"),
    ];
    for (url, expected) in refusals {
        let error = S3Settings::from_url(url).expect_err(url);
        assert!(error.contains(expected), "{url}: {error}");
    }
}
