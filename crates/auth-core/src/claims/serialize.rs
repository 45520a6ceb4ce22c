//! The claims in their wire shape (docs/token-format.md): what a minted token carries.

use super::{Claims, Principal, Subject};
use crate::ip::IpRule;
use crate::json::string_stop;

/// Writes `claims` as compact JSON — byte for byte what serde_json writes with the
/// [`serde::Serialize`] implementation below — without going through a serializer, or
/// returns `false` (with `out` in an unspecified state) for what it leaves to serde_json:
/// `allowed_ips`, `parent`, custom claims, and any string that needs an escape.
pub(crate) fn write_plain_claims(claims: &Claims, out: &mut Vec<u8>) -> bool {
    if claims.allowed_ips.is_some() || claims.parent.is_some() || !claims.extra.is_empty() {
        return false;
    }
    let subject = &claims.subject;
    out.extend_from_slice(b"{\"type\":");
    let mut ok = string(out, subject.kind().as_str());
    key(out, "id");
    number(out, subject.id());
    key(out, "name");
    ok &= string(out, subject.name());
    if let Subject::User {
        admin,
        sms_from,
        user_group_id,
        ..
    } = subject
    {
        key(out, "admin");
        out.extend_from_slice(if *admin { b"true" } else { b"false" });
        key(out, "sms_from");
        match sms_from {
            Some(s) => ok &= string(out, s),
            None => out.extend_from_slice(b"null"),
        }
        key(out, "user_group_id");
        match user_group_id {
            Some(v) => number(out, *v),
            None => out.extend_from_slice(b"null"),
        }
    }
    key(out, "iat");
    number(out, claims.iat);
    for (name, value) in [("exp", claims.exp), ("nbf", claims.nbf)] {
        if let Some(v) = value {
            key(out, name);
            number(out, v);
        }
    }
    key(out, "jti");
    ok &= string(out, &claims.jti);
    if let Some(name) = &claims.token_name {
        key(out, "token_name");
        ok &= string(out, name);
    }
    if let Some(scope) = &claims.scope {
        // Scope names are printable ASCII without `"` or `\`: never escaped.
        key(out, "scope");
        out.push(b'"');
        out.extend_from_slice(scope.as_str().as_bytes());
        out.push(b'"');
    }
    match claims.audience.as_deref() {
        None => {}
        Some([one]) => {
            key(out, "aud");
            ok &= string(out, one);
        }
        Some(many) => {
            key(out, "aud");
            out.push(b'[');
            for (i, a) in many.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                ok &= string(out, a);
            }
            out.push(b']');
        }
    }
    if let Some(iss) = &claims.issuer {
        key(out, "iss");
        ok &= string(out, iss);
    }
    out.push(b'}');
    ok
}

/// `,"name":` (names are plain ASCII).
fn key(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// A string as JSON when it needs no escape (`"`, `\\`, a control character): `false` otherwise.
fn string(out: &mut Vec<u8>, s: &str) -> bool {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    string_stop(s.as_bytes()).is_none()
}

/// A non-negative integer in decimal.
fn number(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

impl serde::Serialize for Claims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.subject.kind().as_str())?;
        m.serialize_entry("id", &self.subject.id())?;
        m.serialize_entry("name", self.subject.name())?;
        if let Subject::User {
            admin,
            sms_from,
            user_group_id,
            ..
        } = &self.subject
        {
            m.serialize_entry("admin", admin)?;
            m.serialize_entry("sms_from", sms_from)?;
            m.serialize_entry("user_group_id", user_group_id)?;
        }
        m.serialize_entry("iat", &self.iat)?;
        if let Some(exp) = self.exp {
            m.serialize_entry("exp", &exp)?;
        }
        if let Some(nbf) = self.nbf {
            m.serialize_entry("nbf", &nbf)?;
        }
        m.serialize_entry("jti", &self.jti)?;
        if let Some(name) = &self.token_name {
            m.serialize_entry("token_name", name)?;
        }
        if let Some(scope) = &self.scope {
            m.serialize_entry("scope", scope.as_str())?;
        }
        if let Some(ips) = &self.allowed_ips {
            m.serialize_entry("allowed_ips", &DisplaySeq(ips))?;
        }
        if let Some(p) = &self.parent {
            m.serialize_entry("parent", &ParentOut(p))?;
        }
        match self.audience.as_deref() {
            None => {}
            Some([one]) => m.serialize_entry("aud", one)?,
            Some(many) => m.serialize_entry("aud", many)?,
        }
        if let Some(iss) = &self.issuer {
            m.serialize_entry("iss", iss)?;
        }
        // A name the library owns is never written twice: `extra` set by hand with one is
        // skipped here (minting refuses it; decoding never puts one there).
        for (name, value) in &self.extra {
            if !super::RESERVED_CLAIMS.contains(&name.as_str()) {
                m.serialize_entry(name, value)?;
            }
        }
        m.end()
    }
}

struct DisplaySeq<'a>(&'a [IpRule]);

impl serde::Serialize for DisplaySeq<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| r.to_string()))
    }
}

struct ParentOut<'a>(&'a Principal);

impl serde::Serialize for ParentOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", self.0.kind.as_str())?;
        m.serialize_entry("id", &self.0.id)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::PrincipalType;

    fn written(c: &Claims) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write_plain_claims(c, &mut out).then_some(out)
    }

    #[test]
    fn plain_claims_are_written_as_serde_json_writes_them() {
        let user = |name: &str, sms: Option<&str>, group: Option<u64>| Claims {
            subject: Subject::User {
                id: u64::MAX,
                name: name.into(),
                admin: true,
                sms_from: sms.map(Into::into),
                user_group_id: group,
            },
            iat: 0,
            exp: Some(9_007_199_254_740_991),
            nbf: None,
            jti: "abcdefghijklmnopqrstuv".into(),
            token_name: None,
            allowed_ips: None,
            parent: None,
            audience: None,
            issuer: None,
            scope: None,
            extra: serde_json::Map::new(),
        };
        let mut cases = vec![
            user("alice", None, None),
            user("Zoë \u{7f} / é", Some("+1555"), Some(10)),
            user("", Some(""), Some(0)),
        ];
        let mut r = user("r", None, None);
        r.subject = Subject::Reseller {
            id: 7,
            name: "re".into(),
        };
        r.nbf = Some(5);
        r.exp = None;
        r.token_name = Some("t".into());
        r.issuer = Some("iss".into());
        r.scope = Some(crate::ScopeSet::parse("sms:send account").unwrap());
        for aud in [vec![], vec!["a".to_owned()], vec!["a".into(), "b".into()]] {
            let mut c = r.clone();
            c.audience = Some(aud);
            cases.push(c);
        }
        cases.push(r);
        for c in &cases {
            let want = serde_json::to_vec(c).unwrap();
            assert_eq!(
                written(c).as_deref(),
                Some(&want[..]),
                "{}",
                String::from_utf8_lossy(&want)
            );
        }
        // What needs an escape, or is left to serde_json, is not written here.
        for name in ["a\"b", "a\\b", "a\nb", "\u{1}"] {
            assert_eq!(written(&user(name, None, None)), None, "{name:?}");
            assert_eq!(written(&user("a", Some(name), None)), None, "{name:?}");
        }
        let mut c = user("a", None, None);
        c.parent = Some(Principal {
            kind: PrincipalType::User,
            id: 1,
        });
        assert_eq!(written(&c), None);
        let mut c = user("a", None, None);
        c.extra.insert("x".into(), 1.into());
        assert_eq!(written(&c), None);
    }
}
