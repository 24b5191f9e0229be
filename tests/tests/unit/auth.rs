//! The auth service's identity rules: email normalisation and validation, the
//! password and display-name policies, and role sets.

use mediaflow_auth::domain::{
    DisplayName, DisplayNameError, Email, EmailError, Password, PasswordError, RoleSet, RolesError,
    check_password,
};
use mediaflow_shared::auth::Role;

fn email(text: &str) -> Email {
    Email::parse(text).expect("a valid test address")
}

#[test]
fn email_is_trimmed_and_lowercased_so_one_mailbox_is_one_account() {
    let parsed = email("  Ann.Lee+Films@Example.COM \n");
    assert_eq!(
        parsed.as_str(),
        "ann.lee+films@example.com",
        "case and surrounding whitespace must not create a second account"
    );
}

#[test]
fn email_with_subdomain_and_plus_tag_is_accepted() {
    for valid in [
        "a@b.co",
        "first.last@mail.example.org",
        "x_y-z+tag@sub-domain.example.io",
    ] {
        assert!(
            Email::parse(valid).is_ok(),
            "{valid} is deliverable and must be accepted"
        );
    }
}

#[test]
fn malformed_emails_are_refused_with_the_reason() {
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long_total = format!("a@{}.com", "b".repeat(260));
    let cases: [(&str, EmailError); 11] = [
        ("   ", EmailError::Empty),
        ("no-at-sign.example.com", EmailError::Shape),
        ("two@@example.com", EmailError::Shape),
        ("@example.com", EmailError::Shape),
        (".lead@example.com", EmailError::LocalPart),
        ("dou..ble@example.com", EmailError::LocalPart),
        ("sp ace@example.com", EmailError::LocalPart),
        (&long_local, EmailError::LocalPart),
        ("user@localhost", EmailError::Domain),
        ("user@example.123", EmailError::Domain),
        ("user@-bad.example.com", EmailError::Domain),
    ];
    for (raw, expected) in cases {
        assert_eq!(
            Email::parse(raw),
            Err(expected.clone()),
            "{raw:?} must be refused as {expected:?}"
        );
    }
    assert_eq!(
        Email::parse(&long_total),
        Err(EmailError::TooLong),
        "an address over 254 characters must be refused"
    );
}

#[test]
fn password_length_is_counted_in_characters_not_bytes() {
    let account = email("ann@example.com");
    let eleven = Password::new("é".repeat(11));
    assert_eq!(
        check_password(&eleven, &account),
        Err(PasswordError::TooShort { found: 11 }),
        "eleven two-byte characters are still eleven characters, below the minimum of twelve"
    );
    assert_eq!(
        check_password(&Password::new("é".repeat(12)), &account),
        Ok(()),
        "twelve characters meet the minimum"
    );
}

#[test]
fn password_equal_to_the_email_in_any_case_is_refused() {
    let account = email("ann.lee@example.com");
    assert_eq!(
        check_password(&Password::new("ANN.LEE@EXAMPLE.COM"), &account),
        Err(PasswordError::SameAsEmail),
        "the email address is the first guess of any attacker"
    );
}

#[test]
fn blank_and_oversized_passwords_are_refused() {
    let account = email("ann@example.com");
    assert_eq!(
        check_password(&Password::new(" ".repeat(16)), &account),
        Err(PasswordError::Blank),
        "whitespace only is no password"
    );
    assert_eq!(
        check_password(&Password::new("x".repeat(257)), &account),
        Err(PasswordError::TooLong),
        "257 characters exceed the cap of 256"
    );
}

#[test]
fn password_debug_output_never_shows_the_secret() {
    let shown = format!("{:?}", Password::new("hunter2-hunter2"));
    assert!(
        !shown.contains("hunter2"),
        "debug output must redact the password, got {shown}"
    );
}

#[test]
fn display_name_is_trimmed_and_refuses_control_characters_and_excess_length() {
    assert_eq!(
        DisplayName::parse("  Ann Lee ").map(|n| n.to_string()),
        Ok("Ann Lee".to_owned()),
        "surrounding whitespace is dropped"
    );
    assert_eq!(
        DisplayName::parse(" \t "),
        Err(DisplayNameError::Empty),
        "a blank name is refused"
    );
    assert_eq!(
        DisplayName::parse("Ann\nAdmin"),
        Err(DisplayNameError::ControlCharacters),
        "a newline could forge log lines"
    );
    assert_eq!(
        DisplayName::parse(&"n".repeat(65)),
        Err(DisplayNameError::TooLong),
        "65 characters exceed the cap of 64"
    );
}

#[test]
fn role_set_collapses_duplicates_sorts_and_refuses_empty() {
    let set = RoleSet::new([Role::Admin, Role::Viewer, Role::Admin]).expect("non-empty");
    assert_eq!(
        set.to_vec(),
        vec![Role::Viewer, Role::Admin],
        "roles are deduplicated and listed in canonical order"
    );
    assert_eq!(
        RoleSet::new([]),
        Err(RolesError::Empty),
        "an account without roles could not even watch"
    );
}

#[test]
fn higher_roles_grant_the_permissions_of_lower_ones_only() {
    let admin = RoleSet::only(Role::Admin);
    let viewer = RoleSet::only(Role::Viewer);
    assert!(
        admin.grants(Role::Viewer) && admin.grants(Role::Creator),
        "an admin may do what viewers and creators may"
    );
    assert!(
        !viewer.grants(Role::Creator),
        "a viewer must not be granted creator permissions"
    );
}

#[test]
fn role_column_round_trips_and_corrupt_columns_are_reported() {
    let set = RoleSet::new([Role::Creator, Role::Viewer]).expect("non-empty");
    assert_eq!(
        set.to_column(),
        r#"["viewer","creator"]"#,
        "roles are stored as a JSON list"
    );
    assert_eq!(
        RoleSet::from_column(&set.to_column()),
        Ok(set),
        "the stored form reads back unchanged"
    );
    assert!(
        matches!(
            RoleSet::from_column("[\"root\"]"),
            Err(RolesError::Unreadable(_))
        ),
        "an unknown role in storage is corruption"
    );
}
