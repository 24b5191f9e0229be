//! JWT attacks: `alg: none`, algorithm confusion, forged signatures, wrong issuer,
//! audience or token type.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mediaflow_shared::auth::{JwtError, TokenType};
use mediaflow_tests::support::jwt_fixture;

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"))
}

#[test]
fn alg_none_tokens_are_refused() {
    let f = jwt_fixture();
    let claims = serde_json::to_value(f.claims(TokenType::Access, 900)).expect("claims");
    for alg in ["none", "None", "NONE"] {
        let token = format!(
            "{}.{}.",
            b64(&serde_json::json!({"alg": alg, "typ": "JWT", "kid": "k1"})),
            b64(&claims)
        );
        assert_eq!(
            f.verifier.verify(&token),
            Err(JwtError::UnsupportedAlgorithm(alg.into())),
            "alg={alg} must be refused"
        );
    }
}

#[test]
fn other_algorithms_are_refused_even_with_a_valid_hmac() {
    let f = jwt_fixture();
    let good = f.issuer.sign(&f.claims(TokenType::Access, 900));
    let mut parts: Vec<&str> = good.split('.').collect();
    let header = b64(&serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"}));
    parts[0] = &header;
    assert_eq!(
        f.verifier.verify(&parts.join(".")),
        Err(JwtError::UnsupportedAlgorithm("RS256".into()))
    );
}

#[test]
fn a_tampered_payload_fails_the_signature_check() {
    let f = jwt_fixture();
    let token = f.issuer.sign(&f.claims(TokenType::Access, 900));
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = f.claims(TokenType::Access, 900);
    claims.roles = vec![mediaflow_shared::auth::Role::Admin];
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_value(claims).expect("json")),
        parts[2]
    );
    assert_eq!(
        f.verifier.verify(&forged),
        Err(JwtError::BadSignature),
        "escalating roles must break the signature"
    );
}

#[test]
fn a_token_signed_with_another_key_under_a_known_kid_is_refused() {
    let f = jwt_fixture();
    let attacker = mediaflow_shared::auth::JwtIssuer::new(mediaflow_shared::auth::KeySet::single(
        mediaflow_shared::auth::SigningKey::new("k1", vec![0xAA; 32]).expect("key"),
    ));
    let token = attacker.sign(&f.claims(TokenType::Access, 900));
    assert_eq!(f.verifier.verify(&token), Err(JwtError::BadSignature));
}

#[test]
fn a_missing_or_unknown_kid_is_refused() {
    let f = jwt_fixture();
    let token = f.issuer.sign(&f.claims(TokenType::Access, 900));
    let parts: Vec<&str> = token.split('.').collect();
    let no_kid = format!(
        "{}.{}.{}",
        b64(&serde_json::json!({"alg": "HS256"})),
        parts[1],
        parts[2]
    );
    assert_eq!(
        f.verifier.verify(&no_kid),
        Err(JwtError::UnknownKey(String::new()))
    );
}

#[test]
fn a_refresh_token_is_not_accepted_as_an_access_token() {
    let f = jwt_fixture();
    let refresh = f.issuer.sign(&f.claims(TokenType::Refresh, 86_400));
    assert_eq!(
        f.verifier.verify(&refresh),
        Err(JwtError::WrongType {
            expected: TokenType::Access,
            found: TokenType::Refresh
        }),
        "a stolen long-lived refresh token must not open the API"
    );
}

#[test]
fn issuer_and_audience_are_checked() {
    let f = jwt_fixture();
    let mut claims = f.claims(TokenType::Access, 900);
    claims.iss = "https://evil.example".into();
    assert_eq!(
        f.verifier.verify(&f.issuer.sign(&claims)),
        Err(JwtError::WrongIssuer("https://evil.example".into()))
    );
    let mut claims = f.claims(TokenType::Access, 900);
    claims.aud = "billing-admin".into();
    assert_eq!(
        f.verifier.verify(&f.issuer.sign(&claims)),
        Err(JwtError::WrongAudience("billing-admin".into()))
    );
}

#[test]
fn malformed_tokens_are_refused_without_panicking() {
    let f = jwt_fixture();
    for junk in [
        "",
        "a",
        "a.b",
        "a.b.c.d",
        "!!.??.**",
        "eyJhbGciOiJIUzI1NiJ9..",
        "e30.e30.e30",
    ] {
        assert!(f.verifier.verify(junk).is_err(), "`{junk}` must be refused");
    }
}
