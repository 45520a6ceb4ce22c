//! The claims in their wire shape (docs/token-format.md): what a minted token carries.

use super::{Claims, Principal, Subject};
use crate::ip::IpRule;

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
