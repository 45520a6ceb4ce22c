//! The revocation store the service reads at every request and writes to at logout, as a
//! trait object, so that the shared Redis store (`auth-redis`) takes the in-memory store's
//! place without touching the routes (`authctl serve --redis URL`).

use auth_core::{RevocationStore, RevocationWriter};

/// A revocation store the service can also write to: the verifier reads it through
/// [`RevocationStore`]; logout writes through [`RevocationWriter`] (the core's
/// [`auth_core::logout`]). Every type that is both is one: `MemoryRevocationStore`,
/// `auth_redis::RedisRevocationStore`.
pub trait Revoker: RevocationStore + RevocationWriter {}

impl<T: RevocationStore + RevocationWriter + ?Sized> Revoker for T {}
