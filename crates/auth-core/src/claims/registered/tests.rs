use super::*;

fn decode(json: &str, required: &[&str]) -> Result<RegisteredClaims> {
    decode_registered_claims(json.as_bytes(), RequiredClaims::parse(required).unwrap())
}

fn refusal(json: &str, required: &[&str]) -> (ErrorCode, String) {
    let e = decode(json, required).unwrap_err();
    (e.code(), e.message().to_owned())
}

#[test]
fn every_registered_claim_is_read_and_the_rest_is_custom() {
    let c = decode(
        r#"{"iss":"https://idp","sub":"u1","aud":["a","b"],"exp":20,"nbf":5,"iat":10,"jti":"j","scope":"read write","type":"user","n":{"x":[1,2.5]}}"#,
        &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"],
    )
    .unwrap();
    assert_eq!(c.iss.as_deref(), Some("https://idp"));
    assert_eq!(c.sub.as_deref(), Some("u1"));
    assert_eq!(c.aud, Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!((c.exp, c.nbf, c.iat), (Some(20), Some(5), Some(10)));
    assert_eq!(c.jti.as_deref(), Some("j"));
    assert_eq!(c.scope.as_ref().unwrap().as_str(), "read write");
    assert_eq!(c.custom.len(), 2, "{:?}", c.custom);
    assert_eq!(c.custom["type"], "user");
    let n = c.custom_claim::<std::collections::BTreeMap<String, Vec<f64>>>("n");
    assert_eq!(n.unwrap().unwrap()["x"], [1.0, 2.5]);
    assert_eq!(c.custom_claim::<Vec<f64>>("absent").unwrap(), None);
    assert!(c.custom_claim::<u32>("type").is_err());
    assert_eq!(c.custom_json(), r#"{"n":{"x":[1,2.5]},"type":"user"}"#);
    // Written back: every claim, `aud` as given.
    let back = c.to_json_value();
    assert_eq!(back["aud"], serde_json::json!(["a", "b"]));
    assert_eq!(back["scope"], "read write");
    assert_eq!(back["n"]["x"][1], 2.5);
    let one = decode(r#"{"aud":"only"}"#, &[]).unwrap();
    assert_eq!(one.aud, Some(vec!["only".to_owned()]));
    assert_eq!(one.to_json_value()["aud"], "only");
}

#[test]
fn nothing_is_required_but_what_is_asked_for() {
    let empty = decode("{}", &[]).unwrap();
    assert_eq!(empty, RegisteredClaims::default());
    for name in ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"] {
        let (code, msg) = refusal("{}", &[name]);
        assert_eq!(code, ErrorCode::InvalidClaims);
        assert_eq!(msg, format!("claim `{name}` is required"));
    }
    // The default requires exp.
    let e = decode_registered_claims(br#"{"sub":"x"}"#, RequiredClaims::default()).unwrap_err();
    assert_eq!(e.message(), "claim `exp` is required");
    // A required claim that is present but null is the wrong type, not missing.
    let (code, msg) = refusal(r#"{"exp":null}"#, &["exp"]);
    assert_eq!(code, ErrorCode::InvalidClaims);
    assert!(msg.contains("not null"), "{msg}");
}

#[test]
fn strings_where_strings() {
    for name in ["iss", "sub", "jti"] {
        for bad in ["1", "true", "null", "[\"a\"]", "{}"] {
            let (code, msg) = refusal(&format!(r#"{{"{name}":{bad}}}"#), &[]);
            assert_eq!(code, ErrorCode::InvalidClaims, "{name} {bad}");
            assert!(
                msg.starts_with(&format!("claim `{name}` must be a string")),
                "{msg}"
            );
        }
    }
    assert_eq!(
        refusal(r#"{"jti":""}"#, &[]).1,
        "claim `jti` must be 1-128 characters"
    );
    assert!(decode(&format!(r#"{{"jti":"{}"}}"#, "é".repeat(128)), &[]).is_ok());
    let long = format!(r#"{{"jti":"{}"}}"#, "a".repeat(129));
    assert_eq!(refusal(&long, &[]).0, ErrorCode::InvalidClaims);
    assert!(refusal(r#"{"scope":["a"]}"#, &[])
        .1
        .starts_with("claim `scope` must be a string"));
    for bad_scope in ["", "a  b", " a", "a\"b"] {
        let (code, msg) = refusal(
            &format!(r#"{{"scope":{}}}"#, serde_json::json!(bad_scope)),
            &[],
        );
        assert_eq!(code, ErrorCode::InvalidClaims, "{bad_scope:?}");
        assert!(msg.starts_with("claim `scope`: "), "{msg}");
    }
}

#[test]
fn aud_is_a_string_or_a_non_empty_array_of_strings() {
    assert_eq!(
        refusal(r#"{"aud":[]}"#, &[]).1,
        "claim `aud` must not be an empty array"
    );
    for bad in ["1", "null", "{}", r#"["a",1]"#, r#"["a",null]"#, "true"] {
        let (code, msg) = refusal(&format!(r#"{{"aud":{bad}}}"#), &[]);
        assert_eq!(code, ErrorCode::InvalidClaims, "{bad}");
        assert!(
            msg.starts_with("claim `aud` must be a string or an array of strings"),
            "{msg}"
        );
    }
}

#[test]
fn numeric_dates_are_integers_from_0_to_2_pow_53_minus_1() {
    for name in ["exp", "nbf", "iat"] {
        let ok = decode(&format!(r#"{{"{name}":9007199254740991}}"#), &[]).unwrap();
        assert_eq!(ok.to_json_value()[name], 9_007_199_254_740_991_u64);
        assert!(decode(&format!(r#"{{"{name}":0}}"#), &[]).is_ok());
        let over = refusal(&format!(r#"{{"{name}":9007199254740992}}"#), &[]);
        assert_eq!(
            over,
            (
                ErrorCode::InvalidClaims,
                format!("claim `{name}` must be at most 2^53 - 1")
            )
        );
        for (bad, says) in [
            ("-1", "not negative"),
            ("1.5", "fractional"),
            ("1700000000.0", "fractional"),
            ("1e9", "fractional"),
            ("18446744073709551616", "fractional"),
            ("\"1700000000\"", "not a string"),
            ("true", "not a boolean"),
            ("null", "not null"),
        ] {
            let (code, msg) = refusal(&format!(r#"{{"{name}":{bad}}}"#), &[]);
            assert_eq!(code, ErrorCode::InvalidClaims, "{name} {bad}");
            assert!(
                msg.starts_with(&format!("claim `{name}` must be an integer NumericDate")),
                "{msg}"
            );
            assert!(msg.contains(says), "{name} {bad}: {msg}");
        }
    }
}

#[test]
fn the_json_is_strict() {
    for bad in [
        r#"{"sub":"a","sub":"b"}"#,
        r#"{"exp":1,"\u0065xp":2}"#,
        r#"{"x":{"a":1,"a":2}}"#,
        r#"{"x":1,"x":1}"#,
        "[]",
        "\"sub\"",
        "{",
        r#"{"sub":"a"} {}"#,
        r#"{"sub":'a'}"#,
        "{\"sub\":\"a\",}",
    ] {
        let (code, _) = refusal(bad, &[]);
        assert_eq!(code, ErrorCode::MalformedToken, "{bad}");
    }
    let dup = refusal(r#"{"sub":"a","sub":"b"}"#, &[]).1;
    assert!(dup.ends_with("duplicate key"), "{dup}");
    let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(31), "]".repeat(31));
    assert_eq!(refusal(&deep, &[]).0, ErrorCode::MalformedToken);
    let e = decode_registered_claims(b"{\"sub\":\"\xff\"}", RequiredClaims::NONE).unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedToken);
}

#[test]
fn required_claims_parse_and_print() {
    assert_eq!(
        RequiredClaims::parse::<&str>(&[]).unwrap(),
        RequiredClaims::NONE
    );
    let all = RequiredClaims::parse(&["jti", "iat", "nbf", "exp", "aud", "sub", "iss"]).unwrap();
    assert_eq!(
        all.names(),
        ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]
    );
    assert_eq!(format!("{:?}", RequiredClaims::default()), r#"{"exp"}"#);
    for bad in ["EXP", "scope", "", "type"] {
        let e = RequiredClaims::parse(&[bad]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest, "{bad}");
    }
    for c in RegisteredClaim::ALL {
        assert_eq!(RegisteredClaim::from_name(c.name()), Some(c));
        assert_eq!(c.to_string(), c.name());
    }
}
