// auth_core_jwks.hpp: a C++17 wrapper of the JWKS client of libauth_core (docs/jwks.md),
// beside auth_core.hpp (which it includes). Header-only; the same conventions: move-only
// classes owning their C handles, `auth::Error` thrown on failure.
#ifndef AUTH_CORE_JWKS_HPP
#define AUTH_CORE_JWKS_HPP

#include "auth_core.hpp"

namespace auth {

/// Options of a `JwksClient`; zero means the default (see `auth_jwks_options`).
struct JwksOptions : auth_jwks_options {
    /// Every default (5 min cache, 30 s cooldown, 5 s timeout, 10 s deadline, 256 KiB,
    /// https:// only).
    JwksOptions() : auth_jwks_options() {}
};

/// A JWK Set fetched by URL, kept in a key ring, verified through (docs/jwks.md): fetched on
/// first use, again when stale, and once more (cooldown allowing) for a token whose `kid`
/// the set lacks; a bad answer never replaces the keys. Thread-safe. Move-only.
class JwksClient {
public:
    /// A client for `url` (`https://`; `http://` only with `allow_http`), trusting the CAs of
    /// `ca_file` (PEM) instead of the public roots when given, verifying with `verify_options`.
    /// Fetches nothing yet. Throws `invalid_request` (URL, options, CA file).
    explicit JwksClient(std::string_view url, const JwksOptions &options = JwksOptions(),
                        const std::optional<std::string> &ca_file = std::nullopt,
                        const VerifyOptions &verify_options = VerifyOptions()) {
        auth_jwks_client *c = nullptr;
        detail::call([&](auth_error **e) {
            return auth_jwks_client_new(detail::ptr(url), url.size(), &options, ca_file ? ca_file->c_str() : nullptr,
                                        &c, e);
        });
        client_.reset(c);
        auth_key_ring *r = nullptr;
        detail::check(auth_jwks_client_key_ring(client_.get(), &r));
        ring_.reset(r);
        auth_verifier *v = nullptr;
        detail::call([&](auth_error **e) { return auth_verifier_new(ring_.get(), &verify_options, nullptr, &v, e); });
        verifier_.reset(v);
    }

    /// Verifies `token` as `Verifier::verify`, fetching first when the set is stale or was
    /// never fetched, and once more for an unknown `kid`. Throws `auth::Error`
    /// (`jwks_unavailable`, 503, while no set has been fetched).
    Claims verify(std::string_view token, std::optional<std::string_view> client_ip = std::nullopt,
                  std::optional<std::uint64_t> now = std::nullopt, const Revocation *revocation = nullptr,
                  const RequiredScopes *required = nullptr) const {
        auth_claims *c = nullptr;
        detail::call([&](auth_error **e) {
            return auth_jwks_client_verify(client_.get(), verifier_.get(), detail::ptr(token), token.size(),
                                           detail::opt(now), detail::data_or_null(client_ip),
                                           detail::size_or_zero(client_ip), revocation ? revocation->get() : nullptr,
                                           required ? required->get() : nullptr, &c, e);
        });
        return Claims(c);
    }
    /// Fetches the set now. Throws `jwks_unavailable` with the reason (the keys are unchanged).
    void refresh() const {
        detail::call([&](auth_error **e) { return auth_jwks_client_refresh(client_.get(), e); });
    }
    /// Why the last fetch failed, or nullopt.
    std::optional<Error> last_error() const {
        auth_error *e = nullptr;
        detail::check(auth_jwks_client_last_error(client_.get(), &e));
        if (!e) return std::nullopt;
        return Error(auth_error_code(e), e);
    }
    /// Keys, attempts, failures, freshness.
    auth_jwks_status status() const {
        auth_jwks_status s{};
        detail::check(auth_jwks_client_status(client_.get(), &s));
        return s;
    }
    /// The C handles (borrowed): the client, its ring, the verifier used by `verify`.
    const auth_jwks_client *get() const noexcept { return client_.get(); }
    const auth_key_ring *ring() const noexcept { return ring_.get(); }
    const auth_verifier *verifier() const noexcept { return verifier_.get(); }

private:
    detail::Owned<auth_jwks_client, auth_jwks_client_free> client_;
    detail::Owned<auth_key_ring, auth_key_ring_free> ring_;
    detail::Owned<auth_verifier, auth_verifier_free> verifier_;
};

} // namespace auth

#endif // AUTH_CORE_JWKS_HPP
