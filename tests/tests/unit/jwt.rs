//! JWT round trips, key rotation and claim checks on a manual clock.

use std::time::Duration;

use mediaflow_shared::auth::{
    Claims, JwtError, JwtIssuer, JwtVerifier, KeySet, Role, SigningKey, TokenType, VerifierConfig,
};
use mediaflow_tests::support::{jwt_fixture, manual_clock};

#[test]
fn a_signed_access_token_verifies_and_returns_its_claims() {
    let f = jwt_fixture();
    let claims = f.claims(TokenType::Access, 900);
    let token = f.issuer.sign(&claims);
    assert_eq!(token.split('.').count(), 3, "compact JWS has three parts");
    assert_eq!(f.verifier.verify(&token), Ok(claims));
}

#[test]
fn expiry_is_judged_by_the_injected_clock_with_bounded_leeway() {
    let f = jwt_fixture();
    let token = f.issuer.sign(&f.claims(TokenType::Access, 60));
    f.clock.advance(Duration::from_secs(60 + 29));
    assert!(
        f.verifier.verify(&token).is_ok(),
        "29 s past exp is within the 30 s leeway"
    );
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(
        f.verifier.verify(&token),
        Err(JwtError::Expired),
        "30 s past exp is beyond the leeway"
    );
}

#[test]
fn a_token_used_before_nbf_is_refused() {
    let f = jwt_fixture();
    let mut claims = f.claims(TokenType::Access, 900);
    claims.nbf += 120;
    let token = f.issuer.sign(&claims);
    assert_eq!(f.verifier.verify(&token), Err(JwtError::NotYetValid));
}

#[test]
fn a_leeway_above_one_minute_is_refused_at_construction() {
    let (_clock, shared) = manual_clock();
    let keys = KeySet::single(SigningKey::new("k1", vec![7; 32]).expect("key"));
    let config = VerifierConfig {
        issuer: "i".into(),
        audience: "a".into(),
        leeway: Duration::from_secs(3600),
        token_type: TokenType::Access,
    };
    assert!(matches!(
        JwtVerifier::new(config, keys, shared),
        Err(JwtError::LeewayTooLarge(_))
    ));
}

#[test]
fn rotated_keys_keep_verifying_until_retired() {
    let f = jwt_fixture();
    let old_token = f.issuer.sign(&f.claims(TokenType::Access, 900));
    let mut keys = f.keys.clone();
    keys.rotate_to(SigningKey::new("k2", vec![9; 32]).expect("key"));
    let verifier = JwtVerifier::new(f.verifier.config().clone(), keys.clone(), f.shared.clone())
        .expect("verifier");
    let new_token = JwtIssuer::new(keys.clone()).sign(&f.claims(TokenType::Access, 900));
    assert!(
        new_token.len() > 10 && verifier.verify(&new_token).is_ok(),
        "tokens of the new key verify"
    );
    assert!(
        verifier.verify(&old_token).is_ok(),
        "tokens of the previous key still verify during rotation"
    );
    keys.retire("k1");
    let verifier =
        JwtVerifier::new(f.verifier.config().clone(), keys, f.shared.clone()).expect("verifier");
    assert_eq!(
        verifier.verify(&old_token),
        Err(JwtError::UnknownKey("k1".into())),
        "a retired key no longer verifies"
    );
}

#[test]
fn keys_shorter_than_the_hash_are_refused() {
    assert!(SigningKey::new("k1", b"short".to_vec()).is_err());
    assert!(
        SigningKey::new("", vec![1; 32]).is_err(),
        "an empty kid is refused"
    );
    assert!(
        SigningKey::new("k/1", vec![1; 32]).is_err(),
        "kids are restricted to [A-Za-z0-9._-]"
    );
}

#[test]
fn roles_are_hierarchical() {
    let claims = Claims {
        roles: vec![Role::Creator],
        ..jwt_fixture().claims(TokenType::Access, 60)
    };
    assert!(claims.has_role(Role::Viewer), "a creator can watch");
    assert!(claims.has_role(Role::Creator));
    assert!(!claims.has_role(Role::Admin), "a creator is not an admin");
}
