//! Runs tests/vectors/scopes.json, the scope vectors the C and Python suites run too:
//! the claim's text, vocabularies, delegation, requirements, scoped tokens and the token
//! API's `scopes` in JSON and XML.

use std::path::PathBuf;

use auth_core::*;
use base64::Engine as _;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn ring() -> KeyRing {
    let rings = load("tokens.json")["rings"].clone();
    let mut ring = KeyRing::new();
    for k in rings["main"]["keys"].as_array().unwrap() {
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(k["secret"].as_str().unwrap())
            .unwrap();
        let alg = Algorithm::parse(k["alg"].as_str().unwrap()).unwrap();
        ring.add(Key::new(k["kid"].as_str().unwrap(), alg, &secret).unwrap())
            .unwrap();
    }
    ring
}

fn vocabulary(v: &Value) -> ScopeVocabulary {
    ScopeVocabulary::from_json(&v["vocabulary"].to_string()).unwrap()
}

fn verdict<T>(r: &Result<T>) -> &'static str {
    match r {
        Ok(_) => "valid",
        Err(e) => e.code().as_str(),
    }
}

fn names(v: &Value) -> Option<Vec<String>> {
    v.as_array()
        .map(|a| a.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
}

fn set(v: &Value) -> Option<ScopeSet> {
    names(v).map(|n| ScopeSet::from_names(&n).unwrap())
}

fn run(list: &str, mut one: impl FnMut(&Value) -> std::result::Result<(), String>) {
    let v = load("scopes.json");
    let cases = v[list].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| one(c).err().map(|e| format!("{}: {e}", c["name"])))
        .collect();
    assert!(cases.len() > 5, "{list}: too few vectors");
    assert!(failures.is_empty(), "{list}:\n{}", failures.join("\n"));
}

fn expect<T>(c: &Value, got: &Result<T>) -> std::result::Result<(), String> {
    let want = c["expect"].as_str().unwrap();
    if verdict(got) != want {
        return Err(format!("want {want}, got {:?}", got.as_ref().err()));
    }
    if let (Err(e), Some(m)) = (got, c["mentions"].as_str()) {
        if !e.message().contains(&format!("`{m}`")) {
            return Err(format!("message does not name `{m}`: {}", e.message()));
        }
    }
    Ok(())
}

#[test]
fn texts() {
    run("texts", |c| {
        let got = ScopeSet::parse(c["text"].as_str().unwrap());
        expect(c, &got)?;
        match (&got, c["canonical"].as_str()) {
            (Ok(s), Some(want)) if s.to_string() != want => Err(format!("canonical {s}")),
            _ => Ok(()),
        }
    });
}

#[test]
fn vocabularies() {
    run("vocabularies", |c| {
        expect(c, &ScopeVocabulary::from_json(c["json"].as_str().unwrap()))
    });
}

#[test]
fn narrowing() {
    let v = load("scopes.json");
    let vocab = vocabulary(&v);
    run("narrowing", |c| {
        let got = vocab.narrow(set(&c["caller"]).as_ref(), set(&c["requested"]).as_ref());
        expect(c, &got)?;
        match got {
            Ok(result) if result != set(&c["result"]) => Err(format!("result {result:?}")),
            _ => Ok(()),
        }
    });
}

#[test]
fn requirements() {
    let v = load("scopes.json");
    let vocab = vocabulary(&v);
    run("required", |c| {
        let need = names(&c["required"]).unwrap();
        let got = vocab
            .require(&need)
            .and_then(|r| r.check(set(&c["held"]).as_ref()));
        expect(c, &got)?;
        if let (Err(e), Some(want)) = (&got, c["challenge"].as_str()) {
            let answer = Answer::refusal(e, AnswerStyle::Plain, &[]);
            if answer.challenge.as_deref() != Some(want) {
                return Err(format!("challenge {:?}", answer.challenge));
            }
        }
        Ok(())
    });
}

#[test]
fn scoped_tokens() {
    let v = load("scopes.json");
    let vocab = vocabulary(&v);
    let verifier = Verifier::new(ring());
    run("tokens", |c| {
        let need = names(&c["required"]).map(|n| vocab.require(&n).unwrap());
        let mut req = VerifyRequest::at(c["now"].as_u64().unwrap());
        req.scopes = need.as_ref();
        let got = verifier.verify_with(c["token"].as_str().unwrap(), &req);
        expect(c, &got)?;
        match got {
            Ok(claims) if claims.to_json_value() != c["claims"] => {
                Err(format!("claims {}", claims.to_json()))
            }
            _ => Ok(()),
        }
    });
}

#[test]
fn delegation() {
    let v = load("scopes.json");
    let mut issuer = Issuer::new(ring());
    issuer.set_scopes(vocabulary(&v));
    let verifier = Verifier::new(ring());
    run("delegation", |c| {
        let now = c["now"].as_u64();
        let caller = verifier
            .verify_with(
                c["caller"].as_str().unwrap(),
                &VerifyRequest::at(now.unwrap()),
            )
            .map_err(|e| format!("caller: {e}"))?;
        let format = if c["format"] == "xml" {
            Format::Xml
        } else {
            Format::Json
        };
        let target = match c["target"].as_object() {
            None => TokenTarget::SelfAccount,
            Some(t) => {
                let s = &t["subject"];
                TokenTarget::SubAccount {
                    subject: Subject::user(
                        s["id"].as_u64().unwrap(),
                        s["name"].as_str().unwrap(),
                        false,
                    ),
                    owned_by_caller: t["owned"].as_bool().unwrap(),
                    blocked: false,
                }
            }
        };
        let got = CreateTokenRequest::parse(c["body"].as_str().unwrap().as_bytes(), format)
            .and_then(|r| create_token(&issuer, &caller, &r, target, now));
        expect(c, &got)?;
        let Ok(created) = got else { return Ok(()) };
        let claims = verifier
            .verify_with(created.token(), &VerifyRequest::at(now.unwrap()))
            .map_err(|e| format!("the new token does not verify: {e}"))?;
        let want = set(&c["scopes"]);
        if claims.scope != want {
            return Err(format!("scope claim {:?}", claims.scope));
        }
        let json: Value = serde_json::from_str(&created.to_json()).unwrap();
        if json.get("scopes").cloned().unwrap_or(Value::Null) != c["scopes"] {
            return Err(format!("response {json}"));
        }
        let xml = created.to_xml();
        let listed = want.map_or(String::new(), |s| {
            let items: String = s.iter().map(|n| format!("<scope>{n}</scope>")).collect();
            format!("<scopes>{items}</scopes>")
        });
        if !xml.ends_with(&format!("{listed}</response>")) {
            return Err(format!("XML response {xml}"));
        }
        Ok(())
    });
}
