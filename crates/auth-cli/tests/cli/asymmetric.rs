//! EdDSA, ECDSA and RSA on the command line: `keygen --alg`, `jwks`, PEM key files for `mint`,
//! `verify --jwks` (verify only; a bad set is exit 2 `invalid_key`), `mint --claims`.

use crate::support::{authctl, now_arg, TempFile, NOW};

#[test]
fn a_service_given_only_the_jwks_verifies_but_never_mints() {
    for alg in ["EdDSA", "ES256", "ES384", "ES512", "RS256", "PS512"] {
        let pem = authctl(&["keygen", "--alg", alg]).run().ok().to_string();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
        let key = TempFile::new(format!("{pem}\n").as_bytes());
        let jwks = authctl(&[
            "jwks",
            "--key-file",
            key.path(),
            "--kid",
            "k1",
            "--alg",
            alg,
        ])
        .run()
        .json();
        assert_eq!(jwks["keys"][0]["alg"], alg);
        assert!(jwks["keys"][0].get("d").is_none());
        let jwks_file = TempFile::new(jwks.to_string().as_bytes());
        let token = authctl(&[
            "mint",
            "reseller",
            "--id",
            "1",
            "--name",
            "r",
            "--alg",
            alg,
            "--key-file",
            key.path(),
            "--kid",
            "k1",
            "--claims",
            r#"{"roles":["admin"]}"#,
            &now_arg(NOW),
        ])
        .run()
        .ok()
        .to_string();
        let claims = authctl(&["verify", "--jwks", jwks_file.path(), &now_arg(NOW), &token])
            .run()
            .json();
        assert_eq!(claims["roles"][0], "admin", "{alg}");
        // The public key (from the JWKS's source PEM) cannot mint.
        let public = TempFile::new(
            auth_core::Key::from_pem("k1", &pem)
                .unwrap()
                .public_key_pem()
                .unwrap()
                .as_bytes(),
        );
        authctl(&[
            "mint",
            "reseller",
            "--id",
            "1",
            "--name",
            "r",
            "--alg",
            alg,
            "--key-file",
            public.path(),
            "--kid",
            "k1",
        ])
        .run()
        .fails(2, "invalid_key");
        // Tampered: rejected (exit 1).
        let dot = token.find('.').unwrap() + 1;
        let mut forged = token.clone().into_bytes();
        forged[dot + 3] = if forged[dot + 3] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        let out = authctl(&["verify", "--jwks", jwks_file.path(), &now_arg(NOW), &forged]).run();
        assert_eq!(out.code_str(), "bad_signature");
    }
}

#[test]
fn bad_key_material_is_a_configuration_error() {
    let bad_jwks = TempFile::new(br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"AA"}]}"#);
    authctl(&["verify", "--jwks", bad_jwks.path(), "x.y.z"])
        .run()
        .fails(2, "invalid_key");
    let ec = authctl(&["keygen", "--alg", "ES256"])
        .run()
        .ok()
        .to_string();
    let ec_file = TempFile::new(ec.as_bytes());
    // The key file's type must be the --alg one.
    authctl(&[
        "mint",
        "user",
        "--id",
        "1",
        "--name",
        "u",
        "--alg",
        "EdDSA",
        "--key-file",
        ec_file.path(),
    ])
    .run()
    .fails(2, "invalid_key");
    authctl(&["mint", "user", "--id", "1", "--name", "u", "--alg", "EdDSA"])
        .run()
        .fails(2, "invalid_key");
    authctl(&["jwks", "--key-file", bad_jwks.path()])
        .run()
        .fails(2, "invalid_key");
    authctl(&[
        "mint",
        "user",
        "--id",
        "1",
        "--name",
        "u",
        "--alg",
        "ES256",
        "--key-file",
        ec_file.path(),
        "--claims",
        r#"{"exp":1}"#,
    ])
    .run()
    .fails(2, "invalid_request");
}

#[test]
fn an_rsa_key_verifies_only_the_algorithm_it_is_pinned_to() {
    let pem = authctl(&["keygen", "--alg", "RS256"])
        .run()
        .ok()
        .to_string();
    let key = TempFile::new(format!("{pem}\n").as_bytes());
    let mint = |alg: &str| {
        authctl(&[
            "mint",
            "user",
            "--id",
            "7",
            "--name",
            "a",
            "--alg",
            alg,
            "--key-file",
            key.path(),
            "--kid",
            "r1",
            &now_arg(NOW),
        ])
        .run()
        .ok()
        .to_string()
    };
    let (rs, ps) = (mint("RS256"), mint("PS256"));
    let jwks = authctl(&["jwks", "--key-file", key.path(), "--kid", "r1"])
        .run()
        .json();
    assert_eq!(
        jwks["keys"][0]["alg"], "RS256",
        "an RSA key without --alg is RS256"
    );
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    let set = TempFile::new(jwks.to_string().as_bytes());
    authctl(&["verify", "--jwks", set.path(), &now_arg(NOW), &rs])
        .run()
        .ok();
    authctl(&["verify", "--jwks", set.path(), &now_arg(NOW), &ps])
        .run()
        .fails(1, "algorithm_not_allowed");
    // An EC key cannot be pinned to an RSA algorithm.
    let ec = TempFile::new(
        format!("{}\n", authctl(&["keygen", "--alg", "ES384"]).run().ok()).as_bytes(),
    );
    authctl(&["jwks", "--key-file", ec.path(), "--alg", "RS256"])
        .run()
        .fails(2, "invalid_key");
}
