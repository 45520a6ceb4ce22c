//! `KeyRing`: the core's [`SharedKeyRing`]. Issuers and verifiers built from it follow
//! every later change (rotation) on their next call, exactly as in Rust and C.

use auth_core::{Algorithm, ErrorCode, Key, SharedKeyRing};
use pyo3::prelude::*;

use crate::convert::{opt_repr, str_repr, to_secret, to_str_as};
use crate::errors::{core, to_pyerr};

/// The `alg` argument: a name (default `"HS256"`); text with no UTF-8 form → `InvalidKey`.
fn algorithm(py: Python<'_>, alg: Option<&Bound<'_, PyAny>>) -> PyResult<Algorithm> {
    let alg = match alg {
        None => "HS256".to_owned(),
        Some(a) => to_str_as(a, ErrorCode::InvalidKey, "alg")?,
    };
    Algorithm::parse(&alg).map_err(|e| to_pyerr(py, &e))
}

/// Keys by ``kid``: one active key mints, every key verifies (rotation).
///
/// The ring is shared: an ``Issuer`` or ``Verifier`` built from it uses the ring's state at
/// each call, so ``add`` / ``set_active`` / ``remove`` take effect immediately. Secrets are
/// ``bytes`` (or ``str``: its UTF-8 bytes), at least 32 bytes (``WeakKey``); a ``kid`` is
/// 1-128 ASCII letters, digits or ``-_.:`` (``InvalidKey``). Asymmetric keys come from
/// PEM (``add_pem``), JWK (``add_jwk``) or a JWK Set (``KeyRing.from_jwks``); a public key
/// verifies but cannot mint (``InvalidKey``). Thread-safe.
#[pyclass(frozen, module = "auth_core", name = "KeyRing")]
pub struct PyKeyRing {
    pub(crate) shared: SharedKeyRing,
}

#[pymethods]
impl PyKeyRing {
    #[new]
    fn new() -> Self {
        PyKeyRing {
            shared: SharedKeyRing::new(),
        }
    }

    /// A ring holding one key, active.
    #[staticmethod]
    #[pyo3(signature = (kid, secret, alg = None), text_signature = "(kid, secret, alg='HS256')")]
    fn single(
        py: Python<'_>,
        kid: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        alg: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let ring = PyKeyRing::new();
        ring.add(py, kid, secret, alg)?;
        Ok(ring)
    }

    /// Adds a key; the first key added becomes active. A ``kid`` already present → ``InvalidKey``.
    #[pyo3(signature = (kid, secret, alg = None), text_signature = "($self, kid, secret, alg='HS256')")]
    fn add(
        &self,
        py: Python<'_>,
        kid: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        alg: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let kid = to_str_as(kid, ErrorCode::InvalidKey, "kid")?;
        let secret = to_secret(secret)?;
        let alg = algorithm(py, alg)?;
        core(py, || {
            let key = Key::new(&kid, alg, &secret)?;
            self.shared.add(key)
        })
    }

    /// Adds a key and makes it the active one in one step (rotation); older keys keep verifying.
    #[pyo3(signature = (kid, secret, alg = None), text_signature = "($self, kid, secret, alg='HS256')")]
    fn rotate(
        &self,
        py: Python<'_>,
        kid: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        alg: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let kid = to_str_as(kid, ErrorCode::InvalidKey, "kid")?;
        let secret = to_secret(secret)?;
        let alg = algorithm(py, alg)?;
        core(py, || {
            let key = Key::new(&kid, alg, &secret)?;
            self.shared.update(|r| {
                r.add(key)?;
                r.set_active(&kid)
            })
        })
    }

    /// Adds an asymmetric key from PEM text: an unencrypted PKCS#8 private key (mints and
    /// verifies), an SPKI public key (verifies only) or a PKCS#1 RSA key; the key type sets
    /// the algorithm, and an RSA key is ``"RS256"`` unless ``alg`` pins it to another of
    /// ``"RS256"`` … ``"PS512"``. An ``alg`` that does not fit the key, or anything else →
    /// ``InvalidKey`` naming the key.
    #[pyo3(signature = (kid, pem, alg = None), text_signature = "($self, kid, pem, alg=None)")]
    fn add_pem(
        &self,
        py: Python<'_>,
        kid: &Bound<'_, PyAny>,
        pem: &Bound<'_, PyAny>,
        alg: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let kid = to_str_as(kid, ErrorCode::InvalidKey, "kid")?;
        let pem = to_str_as(pem, ErrorCode::InvalidKey, "pem")?;
        let alg = match alg {
            Some(a) => Some(algorithm(py, Some(a))?),
            None => None,
        };
        core(py, || {
            let key = match alg {
                Some(alg) => Key::from_pem_for(&kid, alg, &pem)?,
                None => Key::from_pem(&kid, &pem)?,
            };
            self.shared.add(key)
        })
    }

    /// Adds an asymmetric key from one JWK (JSON object text; its ``kid`` names it): EdDSA
    /// or ECDSA, private (with ``d``) or public, or RSA public; read strictly (``InvalidKey``
    /// naming the key).
    #[pyo3(text_signature = "($self, jwk)")]
    fn add_jwk(&self, py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<()> {
        let jwk = to_str_as(jwk, ErrorCode::InvalidKey, "jwk")?;
        core(py, || self.shared.add(Key::from_jwk(&jwk)?))
    }

    /// A verify-only ring from JWK Set text (``{"keys": [...]}``), read strictly: a
    /// duplicate ``kid``, a ``kty``/``crv``/``alg`` mismatch, a point not on the curve, an RSA
    /// key against the RSA rules, bad base64url or lengths, or a private member →
    /// ``InvalidKey`` naming the key. A key for another use (``use`` other than ``"sig"``,
    /// ``key_ops`` without ``"verify"``, a JWE ``alg``) is left out.
    #[staticmethod]
    #[pyo3(text_signature = "(jwks)")]
    fn from_jwks(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<Self> {
        let jwks = to_str_as(jwks, ErrorCode::InvalidKey, "jwks")?;
        let ring = core(py, || auth_core::KeyRing::from_jwks(&jwks))?;
        Ok(PyKeyRing {
            shared: SharedKeyRing::from(ring),
        })
    }

    /// Replaces every key with those of JWK Set text, atomically: on error nothing changes,
    /// and issuers and verifiers see the old set or the new one, never a mix (a refresh).
    #[pyo3(text_signature = "($self, jwks)")]
    fn replace_from_jwks(&self, py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<()> {
        let jwks = to_str_as(jwks, ErrorCode::InvalidKey, "jwks")?;
        core(py, || self.shared.replace_from_jwks(&jwks))
    }

    /// The public keys of the ring's EdDSA and ES256 keys as JWK Set text (HMAC secrets are
    /// never exported).
    fn to_jwks(&self) -> String {
        self.shared.to_jwks()
    }

    /// The SPKI PEM of the EdDSA or ES256 key ``kid`` (``UnknownKey``; an HMAC key → ``InvalidKey``).
    fn public_key_pem(&self, py: Python<'_>, kid: &Bound<'_, PyAny>) -> PyResult<String> {
        let kid = to_str_as(kid, ErrorCode::UnknownKey, "kid")?;
        core(py, || {
            self.shared.snapshot().resolve(Some(&kid))?.public_key_pem()
        })
    }

    /// Removes (retires) a key: its tokens stop verifying. Removing the active key leaves
    /// no active key until ``set_active``. Unknown ``kid`` → ``UnknownKey``.
    fn remove(&self, py: Python<'_>, kid: &Bound<'_, PyAny>) -> PyResult<()> {
        let kid = to_str_as(kid, ErrorCode::UnknownKey, "kid")?;
        core(py, || self.shared.remove(&kid).map(|_| ()))
    }

    /// Makes ``kid`` the key new tokens are minted with. Unknown ``kid`` → ``UnknownKey``.
    fn set_active(&self, py: Python<'_>, kid: &Bound<'_, PyAny>) -> PyResult<()> {
        let kid = to_str_as(kid, ErrorCode::UnknownKey, "kid")?;
        core(py, || self.shared.set_active(&kid))
    }

    /// The ``kid`` of the active key, or None.
    #[getter]
    fn active_kid(&self) -> Option<String> {
        self.shared.active_kid()
    }

    /// The key that verifies tokens without a ``kid`` header when the ring holds several
    /// keys (None: no default). Setting an unknown ``kid`` → ``UnknownKey``.
    #[getter]
    fn get_default_kid(&self) -> Option<String> {
        self.shared.snapshot().default_kid().map(str::to_owned)
    }

    #[setter]
    fn set_default_kid(&self, py: Python<'_>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let kid = match kid {
            Some(k) if !k.is_none() => Some(to_str_as(k, ErrorCode::UnknownKey, "default_kid")?),
            _ => None,
        };
        core(py, || self.shared.set_default_kid(kid.as_deref()))
    }

    /// Every ``kid``, in the order added.
    fn kids(&self) -> Vec<String> {
        self.shared.kids()
    }

    /// The algorithm ``kid`` is pinned to (``"HS256"``...). Unknown ``kid`` → ``UnknownKey``.
    fn algorithm(&self, py: Python<'_>, kid: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let kid = to_str_as(kid, ErrorCode::UnknownKey, "kid")?;
        core(py, || {
            let ring = self.shared.snapshot();
            ring.resolve(Some(&kid)).map(|k| k.algorithm().as_str())
        })
    }

    fn __len__(&self) -> usize {
        self.shared.len()
    }

    fn __contains__(&self, kid: &Bound<'_, PyAny>) -> bool {
        match kid.extract::<String>() {
            Ok(k) => self.shared.snapshot().get(&k).is_some(),
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        let r = self.shared.snapshot();
        let kids: Vec<String> = r
            .keys()
            .iter()
            .map(|k| {
                format!(
                    "{}: {}",
                    str_repr(k.kid()),
                    str_repr(k.algorithm().as_str())
                )
            })
            .collect();
        format!(
            "KeyRing(keys={{{}}}, active_kid={}, default_kid={})",
            kids.join(", "),
            opt_repr(r.active().map(|k| str_repr(k.kid()))),
            opt_repr(r.default_kid().map(str_repr))
        )
    }
}

/// A new random EdDSA or ES256 private key as PKCS#8 PEM text (for ``KeyRing.add_pem``);
/// an HMAC algorithm → ``InvalidKey`` (use ``generate_secret``).
#[pyfunction]
#[pyo3(text_signature = "(alg)")]
pub fn generate_private_key_pem(py: Python<'_>, alg: &Bound<'_, PyAny>) -> PyResult<String> {
    let alg = algorithm(py, Some(alg))?;
    core(py, || {
        let key = Key::generate("generated", alg, &auth_core::SystemRandom)?;
        Ok(key.private_key_pem()?.to_string())
    })
}

/// A new random HMAC secret for a key of algorithm ``alg`` (default ``"HS256"``): as many
/// random bytes as the algorithm's hash output, from the OS CSPRNG, as base64url text
/// (usable as it is, encoded to bytes, as the key's secret).
#[pyfunction]
#[pyo3(signature = (alg = None), text_signature = "(alg='HS256')")]
pub fn generate_secret(py: Python<'_>, alg: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    let alg = algorithm(py, alg)?;
    core(py, || {
        auth_core::generate_secret_for(alg, &auth_core::SystemRandom)
    })
}
