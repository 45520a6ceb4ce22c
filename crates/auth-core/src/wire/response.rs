//! The success responses of the login and token APIs, in JSON and XML.
//!
//! Each JSON body is a `#[derive(Serialize)]` struct whose fields are in the documented
//! order, written by serde_json through `ApiJsonFormatter`, the one formatter that gives
//! every body the layout of the API documentation. XML bodies are written element by
//! element with `xml_element`.

use std::borrow::Cow;
use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

use super::{invalid_request, xml_char_allowed, Format};
use crate::error::Result;
use crate::login::{ResellerLogin, UserLogin};
use crate::token_api::CreatedToken;

/// serde_json output in the layout of the API documentation: `", "` between members and
/// array items, `": "` after keys, no other whitespace.
///
/// The one money member, the login API's top-level `user_balance`, is written with exactly
/// two decimals as the documentation shows it (`1000.00`); every other number, including
/// any inside host-supplied values such as `user_groups`, is written as serde_json writes it.
#[derive(Default)]
pub(crate) struct ApiJsonFormatter {
    /// How many objects are open.
    depth: usize,
    /// Whether a key is being written.
    in_key: bool,
    /// The key of the current top-level member.
    top_key: String,
}

/// The top-level member whose number is money (two decimals).
const MONEY_KEY: &str = "user_balance";

impl Formatter for ApiJsonFormatter {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        w.write_all(b"}")
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        if self.depth == 1 {
            self.top_key.clear();
        }
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key && self.depth == 1 {
            self.top_key.push_str(fragment);
        }
        w.write_all(fragment.as_bytes())
    }
    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        if self.in_key && self.depth == 1 {
            // An escaped key is never the money key.
            self.top_key.push('\u{0}');
        }
        CompactFormatter.write_char_escape(w, escape)
    }
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        if self.depth == 1 && self.top_key == MONEY_KEY {
            write!(w, "{value:.2}")
        } else {
            CompactFormatter.write_f64(w, value)
        }
    }
}

/// `value` as JSON text in the API documentation's layout ([`ApiJsonFormatter`]).
///
/// Errors: `invalid_request` if serde cannot write the value (a map with non-string keys);
/// the response structs here, built from checked data, always can.
pub(crate) fn to_api_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ApiJsonFormatter::default());
    value
        .serialize(&mut ser)
        .map_err(|_| invalid_request("a value cannot be written as JSON"))?;
    String::from_utf8(out).map_err(|_| invalid_request("a value cannot be written as JSON"))
}

/// A response struct as JSON text. The structs of this module hold only strings, integers,
/// booleans, finite numbers and JSON values, which serde_json always writes; the empty
/// fallback only keeps the writers total.
pub(crate) fn response_json<T: Serialize>(value: &T) -> String {
    to_api_json(value).unwrap_or_default()
}

/// Appends `<tag>text</tag>` with the text escaped (and XML-forbidden characters replaced).
pub(crate) fn xml_element(out: &mut String, tag: &str, text: &str) {
    let clean: Cow<'_, str> = if text.chars().all(xml_char_allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if xml_char_allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    };
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(&quick_xml::escape::escape(clean.as_ref()));
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

// --- the login API -------------------------------------------------------------

/// `POST /session.json`: `{"user": {"id": 123, "blocked": false}, "token": "<jwt>"}`.
#[derive(Serialize)]
struct UserLoginBody<'a> {
    user: UserBody,
    token: &'a str,
}

#[derive(Serialize)]
struct UserBody {
    id: u64,
    blocked: bool,
}

impl UserLogin {
    /// The response body of `POST /session.json`:
    /// `{"user": {"id": 123, "blocked": false}, "token": "<jwt>"}`.
    pub fn to_json(&self) -> String {
        response_json(&UserLoginBody {
            user: UserBody {
                id: self.user_id,
                blocked: self.blocked,
            },
            token: &self.minted.token,
        })
    }
}

/// `POST /v1/resellers/login.json`.
#[derive(Serialize)]
struct ResellerLoginBody<'a> {
    token: &'a str,
    reseller: ResellerBody<'a>,
    user_groups: &'a [serde_json::Value],
    /// Money: written with two decimals by [`ApiJsonFormatter`].
    user_balance: f64,
    version: &'a str,
}

#[derive(Serialize)]
struct ResellerBody<'a> {
    id: u64,
    name: &'a str,
}

impl ResellerLogin {
    /// The response body of `POST /v1/resellers/login.json`:
    /// `{"token": "<jwt>", "reseller": {"id": 1, "name": "reseller_name"}, "user_groups": [], "user_balance": 1000.00, "version": "1.0.0"}`.
    ///
    /// `user_balance` is written with exactly two decimals, as the API documentation shows.
    pub fn to_json(&self) -> String {
        response_json(&ResellerLoginBody {
            token: self.token(),
            reseller: ResellerBody {
                id: self.reseller_id(),
                name: self.reseller_name(),
            },
            user_groups: self.user_groups(),
            user_balance: self.user_balance(),
            version: self.version(),
        })
    }
}

// --- the token API -------------------------------------------------------------

/// `POST /token`: `{"status": 1, "message": "OK", "token": ..., "token_id": ..., "allowed_ips": [...]}`.
#[derive(Serialize)]
struct CreatedTokenBody<'a> {
    status: u8,
    message: &'a str,
    token: &'a str,
    token_id: &'a str,
    allowed_ips: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<&'a str>>,
}

impl CreatedToken {
    /// `{"status": 1, "message": "OK", "token": "<jwt>", "token_id": "<jti>", "allowed_ips": [...]}`
    /// (`allowed_ips` always present, `[]` for an unrestricted token), then `"scopes": [...]`
    /// when the token carries a `scope` claim.
    pub fn to_json(&self) -> String {
        response_json(&CreatedTokenBody {
            status: 1,
            message: "OK",
            token: &self.minted.token,
            token_id: self.minted.token_id(),
            allowed_ips: &self.allowed_ips,
            scopes: self
                .minted
                .claims
                .scope
                .as_ref()
                .map(|s| s.iter().collect()),
        })
    }

    /// `<response><status>1</status><message>OK</message><token>…</token><token_id>…</token_id></response>`,
    /// with `<allowed_ips><ip>…</ip>…</allowed_ips>` before `</response>` only when the token
    /// is restricted, and `<scopes><scope>…</scope>…</scopes>` when it carries a `scope`
    /// claim (the API documentation's XML shows neither; an unrestricted, unscoped token's
    /// response stays exactly the documented one).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<response><status>1</status><message>OK</message>");
        xml_element(&mut out, "token", &self.minted.token);
        xml_element(&mut out, "token_id", self.minted.token_id());
        if !self.allowed_ips.is_empty() {
            out.push_str("<allowed_ips>");
            for ip in &self.allowed_ips {
                xml_element(&mut out, "ip", ip);
            }
            out.push_str("</allowed_ips>");
        }
        if let Some(scopes) = &self.minted.claims.scope {
            out.push_str("<scopes>");
            for name in scopes.iter() {
                xml_element(&mut out, "scope", name);
            }
            out.push_str("</scopes>");
        }
        out.push_str("</response>");
        out
    }

    /// The response in `format` ([`to_json`](Self::to_json) or [`to_xml`](Self::to_xml)).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Xml => self.to_xml(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_has_spaces_after_separators_only() {
        let v = json!({"a": [1, "x\n", {"b": null}], "c": true});
        assert_eq!(
            to_api_json(&v).unwrap(),
            r#"{"a": [1, "x\n", {"b": null}], "c": true}"#
        );
    }

    #[test]
    fn only_the_top_level_money_member_has_two_decimals() {
        let v =
            json!({"user_balance": 1000.0, "user_groups": [1.5, {"user_balance": 2.5}], "x": 0.25});
        assert_eq!(
            to_api_json(&v).unwrap(),
            r#"{"user_balance": 1000.00, "user_groups": [1.5, {"user_balance": 2.5}], "x": 0.25}"#
        );
    }
}
