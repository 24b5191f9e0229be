//! Gateway domain rules, part two: client-IP resolution behind trusted proxies,
//! CORS origin matching and preflights, safe upstream paths, and home-page
//! degradation.

use std::net::IpAddr;

use mediaflow_gateway::domain::client_ip::{IpNet, TrustedProxies, client_ip, forwarded_chain};
use mediaflow_gateway::domain::cors::{CorsPolicy, CorsRejection, Origin};
use mediaflow_gateway::domain::home::HomePage;
use mediaflow_gateway::domain::paths::{PathError, encode_segment, upstream_target};
use serde_json::json;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("valid ip")
}

#[test]
fn networks_contain_the_addresses_of_their_prefix() {
    let net: IpNet = "10.1.0.0/16".parse().expect("cidr");
    assert!(net.contains(ip("10.1.200.3")));
    assert!(
        !net.contains(ip("10.2.0.1")),
        "10.2.x is outside 10.1.0.0/16"
    );
    let host: IpNet = "192.168.1.5".parse().expect("bare address");
    assert_eq!(host.prefix(), 32, "a bare address is a single host");
    assert!(!host.contains(ip("192.168.1.6")));
    assert!(
        net.contains(ip("::ffff:10.1.0.9")),
        "an IPv4-mapped IPv6 peer must match its IPv4 network"
    );
    let v6: IpNet = "2001:db8::/32".parse().expect("v6 cidr");
    assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
    let everything: IpNet = "0.0.0.0/0".parse().expect("default route");
    assert!(everything.contains(ip("203.0.113.9")));
    for bad in ["10.0.0.0/33", "10.0.0/8", "proxy.local", "::/129"] {
        assert!(bad.parse::<IpNet>().is_err(), "`{bad}` must be refused");
    }
}

#[test]
fn forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy() {
    let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
    let client = client_ip(ip("203.0.113.7"), ["198.51.100.1"], &trusted);
    assert_eq!(
        client,
        ip("203.0.113.7"),
        "a direct client cannot choose its own address with X-Forwarded-For"
    );
    assert_eq!(
        forwarded_chain(ip("203.0.113.7"), ["198.51.100.1"], &trusted),
        "203.0.113.7",
        "the forged chain must not travel upstream"
    );
}

#[test]
fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
    let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.0.1").expect("list");
    let client = client_ip(
        ip("10.0.0.2"),
        ["6.6.6.6, 198.51.100.20", "192.168.0.1"],
        &trusted,
    );
    assert_eq!(
        client,
        ip("198.51.100.20"),
        "6.6.6.6 was written by the client; the first untrusted hop from the right is the real client"
    );
    assert_eq!(
        forwarded_chain(
            ip("10.0.0.2"),
            ["6.6.6.6, 198.51.100.20", "192.168.0.1"],
            &trusted
        ),
        "6.6.6.6, 198.51.100.20, 192.168.0.1, 10.0.0.2"
    );
    assert_eq!(
        client_ip(ip("10.0.0.2"), ["10.0.0.9"], &trusted),
        ip("10.0.0.9"),
        "when every hop is trusted the farthest one is used"
    );
    assert_eq!(
        client_ip(ip("10.0.0.2"), ["not-an-ip, 198.51.100.20:4711"], &trusted),
        ip("198.51.100.20"),
        "ports are stripped from hops"
    );
    assert_eq!(
        client_ip(ip("10.0.0.2"), ["198.51.100.20, garbage"], &trusted),
        ip("10.0.0.2"),
        "an unparsable hop stops the walk at the nearest trusted address"
    );
}

#[test]
fn origins_normalise_scheme_host_and_default_ports() {
    let parsed: Origin = "HTTPS://App.Example.com:443".parse().expect("origin");
    assert_eq!(parsed.as_str(), "https://app.example.com");
    assert_eq!(
        "http://localhost:5173"
            .parse::<Origin>()
            .expect("origin")
            .as_str(),
        "http://localhost:5173"
    );
    assert_eq!(
        "http://[::1]:8080"
            .parse::<Origin>()
            .expect("origin")
            .as_str(),
        "http://[::1]:8080"
    );
    for bad in [
        "null",
        "app.example.com",
        "ftp://example.com",
        "https://example.com/path",
        "https://exa mple.com",
        "https://example.com:99999",
    ] {
        assert!(bad.parse::<Origin>().is_err(), "`{bad}` is not an origin");
    }
}

fn policy() -> CorsPolicy {
    CorsPolicy::new(["https://app.mediaflow.test"
        .parse::<Origin>()
        .expect("origin")])
}

#[test]
fn origin_matching_is_exact_never_by_suffix_or_prefix() {
    let policy = policy();
    assert!(
        policy
            .allowed_origin("https://app.mediaflow.test")
            .is_some()
    );
    for other in [
        "https://evil-app.mediaflow.test",
        "https://app.mediaflow.test.evil.com",
        "http://app.mediaflow.test",
        "https://app.mediaflow.test:8443",
        "null",
        "*",
    ] {
        assert_eq!(
            policy.allowed_origin(other),
            None,
            "{other} must not be allowed"
        );
    }
}

#[test]
fn a_preflight_needs_an_allowed_origin_method_and_headers() {
    let policy = policy();
    let grant = policy
        .preflight(
            "https://app.mediaflow.test",
            "PATCH",
            Some("Content-Type, Authorization, If-Match"),
        )
        .expect("allowed");
    assert_eq!(
        grant.origin.as_str(),
        "https://app.mediaflow.test",
        "the origin is echoed, never *"
    );
    assert!(grant.methods.contains("PATCH") && grant.headers.contains("authorization"));
    assert_eq!(
        policy.preflight("https://other.test", "GET", None),
        Err(CorsRejection::Origin)
    );
    assert_eq!(
        policy.preflight("https://app.mediaflow.test", "TRACE", None),
        Err(CorsRejection::Method("TRACE".into()))
    );
    assert_eq!(
        policy.preflight(
            "https://app.mediaflow.test",
            "GET",
            Some("x-admin-override")
        ),
        Err(CorsRejection::Header("x-admin-override".into()))
    );
}

#[test]
fn upstream_paths_drop_the_prefix_and_keep_the_query() {
    let target = upstream_target("/api/catalog/videos/v%201", Some("limit=10&sort=-created"))
        .expect("valid");
    assert_eq!(target.service, "catalog");
    assert_eq!(
        target.path_and_query, "/videos/v%201?limit=10&sort=-created",
        "the raw path and query must reach the upstream unchanged"
    );
    assert_eq!(
        upstream_target("/api/billing", None)
            .expect("service root")
            .path_and_query,
        "/"
    );
    assert_eq!(
        upstream_target("/apix/catalog", None),
        Err(PathError::NotApi)
    );
    assert_eq!(
        upstream_target("/api//videos", None),
        Err(PathError::NotApi)
    );
}

#[test]
fn dot_segments_and_encoded_separators_are_refused_in_any_spelling() {
    for path in [
        "/api/catalog/videos/..",
        "/api/catalog/videos/%2e%2e",
        "/api/catalog/videos/.%2E",
        "/api/catalog/./videos",
    ] {
        assert_eq!(
            upstream_target(path, None).map(|t| t.path_and_query),
            Err(PathError::DotSegment),
            "{path}"
        );
    }
    for path in [
        "/api/catalog/videos/a%2fb",
        "/api/catalog/videos/a%5Cb",
        "/api/catalog/videos/a%00",
    ] {
        assert_eq!(
            upstream_target(path, None).map(|t| t.path_and_query),
            Err(PathError::ForbiddenCharacter),
            "{path}"
        );
    }
    assert!(
        upstream_target("/api/catalog/videos/%zz", None).is_ok(),
        "a malformed escape is just text"
    );
}

#[test]
fn user_ids_are_encoded_into_a_single_path_segment() {
    assert_eq!(encode_segment("user-1_a.b~c"), "user-1_a.b~c");
    assert_eq!(
        encode_segment("../admin"),
        "..%2Fadmin",
        "a slash must not add a segment"
    );
    assert_eq!(
        encode_segment(".."),
        "%2E%2E",
        "a bare dot-dot must not climb a level"
    );
    assert_eq!(encode_segment("a b?c#d"), "a%20b%3Fc%23d");
}

#[test]
fn a_failed_home_part_becomes_null_and_is_named_in_degraded() {
    let page = HomePage::assemble(Some(json!({"items": []})), None, Some(json!([])))
        .expect("two parts left");
    assert_eq!(page.degraded, vec!["recommendations"]);
    assert_eq!(
        serde_json::to_value(&page).expect("serialises"),
        json!({"trending": {"items": []}, "recommendations": null, "history": [], "degraded": ["recommendations"]})
    );
    let two_down = HomePage::assemble(None, Some(json!([])), None).expect("one part left");
    assert_eq!(
        two_down.degraded,
        vec!["trending", "history"],
        "degraded parts are listed in page order"
    );
    assert!(
        HomePage::assemble(None, None, None).is_err(),
        "a page with every part failed is an error, not an empty 200"
    );
}
