//! Typed `MEDIAFLOW_*` settings: every parse error names the variable and the value.

use std::time::Duration;

use mediaflow_shared::config::{ConfigError, Env, parse_duration};

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().copied())
}

#[test]
fn booleans_accept_the_documented_spellings_in_any_case() {
    for (text, want) in [
        ("true", true),
        ("TRUE", true),
        ("1", true),
        ("yes", true),
        ("on", true),
        ("false", false),
        ("0", false),
        ("No", false),
        ("off", false),
    ] {
        let got = env(&[("MEDIAFLOW_FLAG", text)]).bool("MEDIAFLOW_FLAG", !want);
        assert_eq!(got, Ok(want), "MEDIAFLOW_FLAG={text} must parse as {want}");
    }
}

#[test]
fn a_non_empty_string_is_not_silently_truthy() {
    let err = env(&[("MEDIAFLOW_FLAG", "false-ish")])
        .bool("MEDIAFLOW_FLAG", false)
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("MEDIAFLOW_FLAG") && message.contains("false-ish"),
        "error must name variable and value, got: {message}"
    );
}

#[test]
fn unset_and_blank_variables_take_the_default() {
    let e = env(&[("MEDIAFLOW_BLANK", "  ")]);
    assert_eq!(
        e.bool("MEDIAFLOW_BLANK", true),
        Ok(true),
        "a blank value must count as unset"
    );
    assert_eq!(
        e.number::<u16>("MEDIAFLOW_PORT", 3000),
        Ok(3000),
        "an unset number must take its default"
    );
}

#[test]
fn numbers_are_range_checked_by_their_type() {
    let e = env(&[("MEDIAFLOW_PORT", "70000")]);
    let err = e.number::<u16>("MEDIAFLOW_PORT", 3000).unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref var, .. } if var == "MEDIAFLOW_PORT"),
        "70000 must not fit a u16 port, got {err:?}"
    );
    assert_eq!(
        env(&[("MEDIAFLOW_N", "1_000")]).number::<u32>("MEDIAFLOW_N", 0),
        Ok(1000),
        "underscores are digit separators"
    );
}

#[test]
fn number_in_rejects_values_outside_the_range() {
    let e = env(&[("MEDIAFLOW_POOL", "0")]);
    assert!(
        e.number_in::<u32>("MEDIAFLOW_POOL", 10, 1, 500).is_err(),
        "a pool of 0 connections must be rejected"
    );
    let e = env(&[("MEDIAFLOW_POOL", "64")]);
    assert_eq!(e.number_in::<u32>("MEDIAFLOW_POOL", 10, 1, 500), Ok(64));
}

#[test]
fn durations_need_a_unit_and_accept_combinations() {
    let cases = [
        ("250ms", Duration::from_millis(250)),
        ("30s", Duration::from_secs(30)),
        ("5m", Duration::from_secs(300)),
        ("2h", Duration::from_secs(7200)),
        ("1m30s", Duration::from_secs(90)),
        ("1d", Duration::from_secs(86_400)),
    ];
    for (text, want) in cases {
        assert_eq!(parse_duration(text), Some(want), "`{text}` must parse");
    }
    for bad in ["30", "", "5 minutes", "s", "1.5s", "-1s"] {
        assert_eq!(
            parse_duration(bad),
            None,
            "`{bad}` must be rejected: a unit-less or odd duration is a guess"
        );
    }
}

#[test]
fn a_bad_duration_error_names_the_variable() {
    let err = env(&[("MEDIAFLOW_TIMEOUT", "5000")])
        .duration("MEDIAFLOW_TIMEOUT", Duration::from_secs(5))
        .unwrap_err();
    assert!(
        err.to_string().contains("MEDIAFLOW_TIMEOUT=\"5000\""),
        "got: {err}"
    );
}

#[test]
fn urls_must_be_absolute() {
    let e = env(&[("MEDIAFLOW_AMQP_URL", "localhost:5672")]);
    let ok = env(&[("MEDIAFLOW_AMQP_URL", "amqp://guest@127.0.0.1:5672/%2f")]);
    assert!(
        ok.url("MEDIAFLOW_AMQP_URL", None).is_ok(),
        "a full amqp:// URL must parse"
    );
    assert!(
        e.url("MEDIAFLOW_REDIS_URL", None).is_err(),
        "a missing URL without default must be an error"
    );
    assert_eq!(
        e.url("MEDIAFLOW_REDIS_URL", Some("redis://127.0.0.1:6379"))
            .map(|u| u.port()),
        Ok(Some(6379)),
        "the default must apply when unset"
    );
}

#[test]
fn secrets_must_be_long_enough_and_never_printed() {
    let short = env(&[("MEDIAFLOW_JWT_SECRET", "hunter2")]);
    let err = short.secret("MEDIAFLOW_JWT_SECRET", 32).unwrap_err();
    assert!(
        !err.to_string().contains("hunter2"),
        "an error must not echo the secret: {err}"
    );
    let missing = env(&[]).secret("MEDIAFLOW_JWT_SECRET", 32).unwrap_err();
    assert!(
        matches!(missing, ConfigError::Missing { .. }),
        "a missing secret must be an error, not a default"
    );
    let long = env(&[("MEDIAFLOW_JWT_SECRET", "0123456789abcdef0123456789abcdef")]);
    let secret = long
        .secret("MEDIAFLOW_JWT_SECRET", 32)
        .expect("32 bytes is enough");
    assert_eq!(format!("{secret:?}"), "Secret(***)", "Debug must redact");
    assert!(
        !format!("{long:?}").contains("0123456789"),
        "Env's Debug must not show values"
    );
}
