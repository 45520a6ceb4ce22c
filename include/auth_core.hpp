/*
 * auth_core.hpp: a header-only C++17 wrapper over the C API of auth-core (auth_core.h).
 *
 * Link with libauth_core exactly as a C program does (`-lauth_core`, or the CMake target
 * `auth_core::auth_core` / `auth_core::auth_core_static`); this header adds no symbols
 * of its own beyond inline functions.
 *
 * What it adds to the C API
 * -------------------------
 * - Ownership: every C handle lives in a move-only class that frees it in its
 *   destructor (`std::unique_ptr` with the type's `auth_*_free` as deleter). No `_free`
 *   call is ever written by hand. A moved-from object holds no handle: calling it throws
 *   `auth::Error` with code `AUTH_NULL_ARGUMENT` (it never crashes).
 * - Inputs are `std::string_view` (pointer + length: no NUL terminator needed, a NUL
 *   inside is data, exactly as in C). Absent optional inputs are `std::nullopt`.
 * - Text outputs are `std::string` (the caller-buffer protocol of the C API is done
 *   here: a stack buffer first, one exact-size retry on AUTH_INSUFFICIENT_SIZE).
 *   Optional claims are `std::optional<...>`.
 * - Errors are exceptions: every failed call throws `auth::Error` (a
 *   `std::runtime_error`) carrying the C `auth_result` (`code()`), its stable
 *   snake_case name (`name()`, docs/errors.md: "token_expired", ...), the HTTP status to
 *   answer with (`http_status()`) and the call's message (`what()`). Verification
 *   failures are expected in a service, so `Verifier::check` also offers a
 *   non-throwing form returning `auth::Verdict`. Code built with `-fno-exceptions`
 *   should use the C API (auth_core.h) directly: this header needs exceptions.
 *
 * Threads (carried over from auth_core.h)
 * ---------------------------------------
 * KeyRing, Issuer, Verifier, Authenticator, IpAllowList, IpRegex, MemoryStore and
 * Revocation are safe to use from many threads at once (the objects themselves: share them by reference,
 * do not move or destroy one while another thread uses it). A KeyRing may be changed
 * on one thread while others mint and verify; issuers and verifiers made from it follow
 * it from their next call. Claims, Minted, CreatedToken, UserLogin, ResellerLogin,
 * TokenRequest, Answer and Error are immutable: read them from any thread. MintRequest is
 * mutable: one thread at a time (minting only reads it). ScopeVocabulary and
 * RequiredScopes are immutable: build them at start-up, share them by reference. A
 * revocation callback given to `Revocation::from_callback` is called from every verifying
 * thread at once and must be thread-safe.
 */
#ifndef AUTH_CORE_HPP
#define AUTH_CORE_HPP

/* One clear error instead of a cascade from <optional> and <string_view> when the
 * language level is too old. MSVC keeps __cplusplus at 199711L unless /Zc:__cplusplus is
 * given; its _MSVC_LANG holds the real level. */
#if defined(_MSVC_LANG)
#define AUTH_CORE_HPP_LANG _MSVC_LANG
#else
#define AUTH_CORE_HPP_LANG __cplusplus
#endif
#if AUTH_CORE_HPP_LANG < 201703L
#error "auth_core.hpp needs C++17 or later"
#else

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth_core.h"

#if !defined(__cpp_exceptions) && !defined(__EXCEPTIONS) && !defined(_CPPUNWIND)
#error "auth_core.hpp reports failures with exceptions; without them, use auth_core.h directly"
#endif

namespace auth {

enum class Format : std::uint32_t;
enum class AnswerStyle : std::uint32_t;
class Answer;

/// A failed call: the C `auth_result`, its stable name, the HTTP status and a message.
///
/// Copyable (as exceptions must be): copies share the underlying `auth_error`.
class Error : public std::runtime_error {
public:
    /// An error for `code` with the library's generic message for it.
    explicit Error(auth_result code) : Error(code, auth_result_message(code), nullptr) {}

    /// The error of a failed C call: takes ownership of `error` (may be NULL, then the
    /// generic message of `code` is used).
    Error(auth_result code, auth_error *error)
        : Error(code, error ? auth_error_message(error) : auth_result_message(code), error) {}

    /// A new error with a core code (docs/errors.md) and its default message, for a host
    /// that reports a failure itself (`AUTH_INVALID_CREDENTIALS` after a wrong password)
    /// through `login_json()` / `sms_body()`. Throws for a code that is not a core code.
    static Error from_code(auth_result code) {
        auth_error *e = nullptr;
        auth_result rc = auth_error_new(code, &e);
        if (rc != AUTH_OK) throw Error(rc);
        return Error(code, e);
    }

    /// The C result code (`AUTH_TOKEN_EXPIRED`, ...).
    auth_result code() const noexcept { return code_; }
    /// The stable snake_case name of the code ("token_expired"), as `auth_result_name`.
    const char *name() const noexcept { return auth_result_name(code_); }
    /// The HTTP status for the code (401, 400, ...; 0 for configuration errors), as
    /// `auth_result_http_status`.
    std::uint16_t http_status() const noexcept { return auth_result_http_status(code_); }

    /// The HTTP status of the API error bodies (`auth_error_response_status`: 500 for
    /// configuration errors). Throws for the binding's own codes (not core errors).
    std::uint16_t response_status() const;
    /// The dialer API's error body `{"error": {"code": ..., "message": ..., "status": ...}}`.
    std::string login_json() const;
    /// The SMS API's error body (JSON or XML, see `Format`).
    std::string sms_body(Format format) const;
    /// The HTTP answer to this refusal in `style` for the request's `Accept` values
    /// (`auth_error_answer`; docs/http.md). Throws `AUTH_NOT_CORE_ERROR` for the binding's
    /// own codes (answer `Answer::server_error` then).
    Answer answer(AnswerStyle style, const std::vector<std::string_view> &accept = {}) const;
    /// For `AUTH_INSUFFICIENT_SCOPE`: the scopes the refused request needs (canonical text,
    /// names sorted and separated by one space), as the answer's challenge names them
    /// (`auth_error_required_scope`); nullopt for any other error.
    std::optional<std::string> required_scope() const;

private:
    Error(auth_result code, const char *message, auth_error *error)
        : std::runtime_error(message), code_(code), error_(error, auth_error_free) {}
    const auth_error *require_error() const;

    auth_result code_;
    std::shared_ptr<auth_error> error_;
};

namespace detail {

/// Throws the error of a failed C call (taking ownership of `error`).
inline void check(auth_result rc, auth_error *error = nullptr) {
    if (rc != AUTH_OK) throw Error(rc, error);
    auth_error_free(error);
}

/// Calls `f(auth_error **)` and throws on failure.
template <class F> void call(F &&f) {
    auth_error *error = nullptr;
    auth_result rc = f(&error);
    check(rc, error);
}

/// Runs the caller-buffer protocol: `f(char *buf, size_t len, size_t *out_len)`.
template <class F> std::string read_text(F &&f) {
    char small[256];
    std::size_t len = 0;
    auth_result rc = f(small, sizeof small, &len);
    if (rc == AUTH_OK) return std::string(small, len);
    while (rc == AUTH_INSUFFICIENT_SIZE) {
        std::string text(len + 1, '\0');
        std::size_t needed = len;
        rc = f(&text[0], text.size(), &len);
        if (rc == AUTH_OK) {
            text.resize(len);
            return text;
        }
        if (rc == AUTH_INSUFFICIENT_SIZE && len <= needed) break; // cannot happen: fail closed
    }
    throw Error(rc);
}

template <class T, void (*Free)(T *)> struct Deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T *)> using Owned = std::unique_ptr<T, Deleter<T, Free>>;

inline const char *data_or_null(const std::optional<std::string_view> &s) {
    // A present empty string still needs a non-NULL pointer.
    return s ? (s->data() ? s->data() : "") : nullptr;
}
inline std::size_t size_or_zero(const std::optional<std::string_view> &s) { return s ? s->size() : 0; }
inline const char *ptr(std::string_view s) { return s.data() ? s.data() : ""; }
inline const std::uint64_t *opt(const std::optional<std::uint64_t> &v) { return v ? &*v : nullptr; }
/// `auth_str`s over `items` (valid while `items` lives).
inline std::vector<auth_str> strs(const std::vector<std::string_view> &items) {
    std::vector<auth_str> out;
    out.reserve(items.size());
    for (std::string_view s : items) out.push_back(auth_str{ptr(s), s.size()});
    return out;
}
inline const auth_str *data_or_null(const std::vector<auth_str> &v) { return v.empty() ? nullptr : v.data(); }

} // namespace detail

inline const auth_error *Error::require_error() const {
    if (!error_) throw Error(AUTH_NOT_CORE_ERROR);
    return error_.get();
}
inline std::uint16_t Error::response_status() const {
    std::uint16_t status = 0;
    detail::check(auth_error_response_status(require_error(), &status));
    return status;
}
inline std::string Error::login_json() const {
    const auth_error *e = require_error();
    return detail::read_text([e](char *b, std::size_t n, std::size_t *o) { return auth_error_login_json(e, b, n, o); });
}
inline std::optional<std::string> Error::required_scope() const {
    if (!error_) return std::nullopt;
    const auth_error *e = error_.get();
    bool present = false;
    std::string text = detail::read_text(
        [e, &present](char *b, std::size_t n, std::size_t *o) { return auth_error_required_scope(e, &present, b, n, o); });
    return present ? std::optional<std::string>(std::move(text)) : std::nullopt;
}
inline std::string Error::sms_body(Format f) const {
    const auth_error *e = require_error();
    auto format = static_cast<std::uint32_t>(f);
    return detail::read_text(
        [e, format](char *b, std::size_t n, std::size_t *o) { return auth_error_sms_body(e, format, b, n, o); });
}

/// The algorithm a key is pinned to (asymmetric keys from PEM or JWK: `KeyRing::add_pem`,
/// the C functions `auth_key_ring_add_pem_for`, `auth_key_ring_from_jwks`).
enum class Algorithm : std::uint32_t {
    HS256 = AUTH_HS256,
    HS384 = AUTH_HS384,
    HS512 = AUTH_HS512,
    EdDSA = AUTH_EDDSA,
    ES256 = AUTH_ES256,
    ES384 = AUTH_ES384,
    ES512 = AUTH_ES512,
    RS256 = AUTH_RS256,
    RS384 = AUTH_RS384,
    RS512 = AUTH_RS512,
    PS256 = AUTH_PS256,
    PS384 = AUTH_PS384,
    PS512 = AUTH_PS512
};
/// The `type` claim.
enum class PrincipalType : std::uint32_t { User = AUTH_PRINCIPAL_USER, Reseller = AUTH_PRINCIPAL_RESELLER };
/// How an `IpRegex` pattern is applied.
enum class RegexMode : std::uint32_t { FullMatch = AUTH_REGEX_FULL_MATCH, Search = AUTH_REGEX_SEARCH };
/// A body format of the SMS API (declared before `Error`, which renders bodies in it).
enum class Format : std::uint32_t { Json = AUTH_FORMAT_JSON, Xml = AUTH_FORMAT_XML };

/// A principal: its type and id (`parent`, "revoke everything of principal X").
struct Principal {
    PrincipalType type; ///< user or reseller
    std::uint64_t id;   ///< the principal's id
    /// Equal type and id.
    friend bool operator==(const Principal &a, const Principal &b) { return a.type == b.type && a.id == b.id; }
};

/// A token lifetime: dynamic (login, 24 h by default), unlimited (static) or a TTL.
struct Lifetime {
    std::uint32_t kind = AUTH_LIFETIME_DYNAMIC; ///< an `auth_lifetime` number
    std::int64_t ttl = 0;                       ///< seconds, for `AUTH_LIFETIME_TTL`
    /// `exp = iat + dynamic_ttl` (the default).
    static Lifetime dynamic() { return {AUTH_LIFETIME_DYNAMIC, 0}; }
    /// No `exp`: never expires.
    static Lifetime unlimited() { return {AUTH_LIFETIME_STATIC, 0}; }
    /// `exp = iat + seconds`.
    static Lifetime seconds(std::int64_t s) { return {AUTH_LIFETIME_TTL, s}; }
};

/// The library's version (`auth_version()`), to compare with AUTH_CORE_VERSION_*.
inline std::string_view version() { return auth_version(); }
/// The stable snake_case name of a result code.
inline std::string_view result_name(std::uint32_t code) { return auth_result_name(code); }
/// The HTTP status for a result code.
inline std::uint16_t result_http_status(std::uint32_t code) { return auth_result_http_status(code); }

/// Looks an algorithm up by name ("HS256", ...). Throws `invalid_key` for an unknown one.
inline Algorithm algorithm_from_name(std::string_view name) {
    std::uint32_t out = 0;
    detail::check(auth_algorithm_from_name(detail::ptr(name), name.size(), &out));
    return static_cast<Algorithm>(out);
}

/// A new random HMAC secret (base64url text of at least 256 random bits).
inline std::string generate_secret() {
    return detail::read_text([](char *b, std::size_t n, std::size_t *o) {
        auth_error *e = nullptr;
        auth_result rc = auth_generate_secret(b, n, o, &e);
        if (rc != AUTH_OK && rc != AUTH_INSUFFICIENT_SIZE) detail::check(rc, e);
        auth_error_free(e);
        return rc;
    });
}

/// Parses an IP/CIDR rule strictly; returns its canonical text. Throws `invalid_ip_rule`.
inline std::string ip_rule_canonical(std::string_view rule) {
    return detail::read_text([rule](char *b, std::size_t n, std::size_t *o) {
        auth_error *e = nullptr;
        auth_result rc = auth_ip_rule_canonical(detail::ptr(rule), rule.size(), b, n, o, &e);
        if (rc != AUTH_OK && rc != AUTH_INSUFFICIENT_SIZE) detail::check(rc, e);
        auth_error_free(e);
        return rc;
    });
}

/// Parses a client address strictly; returns its canonical text (mapped IPv6 → IPv4).
/// Throws `invalid_ip_address`.
inline std::string ip_address_canonical(std::string_view ip) {
    return detail::read_text([ip](char *b, std::size_t n, std::size_t *o) {
        auth_error *e = nullptr;
        auth_result rc = auth_ip_address_canonical(detail::ptr(ip), ip.size(), b, n, o, &e);
        if (rc != AUTH_OK && rc != AUTH_INSUFFICIENT_SIZE) detail::check(rc, e);
        auth_error_free(e);
        return rc;
    });
}

/// Read access to claims (borrowed: valid while their owner lives). Immutable; any thread.
class ClaimsView {
public:
    /// A view of `claims` (not owned).
    explicit ClaimsView(const auth_claims *claims) noexcept : p_(claims) {}

    /// The C handle (borrowed).
    const auth_claims *get() const noexcept { return p_; }

    /// `type`.
    PrincipalType type() const {
        std::uint32_t v = 0;
        detail::check(auth_claims_type(p_, &v));
        return static_cast<PrincipalType>(v);
    }
    /// `id`.
    std::uint64_t id() const { return u64(auth_claims_id); }
    /// `type` and `id` together.
    Principal principal() const { return {type(), id()}; }
    /// `name`.
    std::string name() const { return text(auth_claims_name); }
    /// `admin` (nullopt for a reseller).
    std::optional<bool> admin() const {
        bool present = false, v = false;
        detail::check(auth_claims_admin(p_, &present, &v));
        return present ? std::optional<bool>(v) : std::nullopt;
    }
    /// `sms_from` (nullopt when absent or null).
    std::optional<std::string> sms_from() const { return opt_text(auth_claims_sms_from); }
    /// `user_group_id` (nullopt when absent or null).
    std::optional<std::uint64_t> user_group_id() const { return opt_u64(auth_claims_user_group_id); }
    /// `iat`.
    std::uint64_t iat() const { return u64(auth_claims_iat); }
    /// `exp` (nullopt for a static token).
    std::optional<std::uint64_t> exp() const { return opt_u64(auth_claims_exp); }
    /// `nbf`.
    std::optional<std::uint64_t> nbf() const { return opt_u64(auth_claims_nbf); }
    /// `jti`, the token id.
    std::string jti() const { return text(auth_claims_jti); }
    /// `token_name`.
    std::optional<std::string> token_name() const { return opt_text(auth_claims_token_name); }
    /// `allowed_ips` in canonical text: nullopt = no restriction; an empty list allows nothing.
    std::optional<std::vector<std::string>> allowed_ips() const {
        bool present = false;
        std::size_t count = 0;
        detail::check(auth_claims_allowed_ips_count(p_, &present, &count));
        if (!present) return std::nullopt;
        std::vector<std::string> out;
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            const auth_claims *c = p_;
            out.push_back(detail::read_text(
                [c, i](char *b, std::size_t n, std::size_t *o) { return auth_claims_allowed_ip(c, i, b, n, o); }));
        }
        return out;
    }
    /// `parent`.
    std::optional<Principal> parent() const {
        bool present = false;
        auth_principal v{0, 0};
        detail::check(auth_claims_parent(p_, &present, &v));
        if (!present) return std::nullopt;
        return Principal{static_cast<PrincipalType>(v.kind), v.id};
    }
    /// `scope` (docs/scopes.md): the names, sorted and separated by one space; nullopt for a
    /// token without the claim (it may do everything its principal may).
    std::optional<std::string> scope() const { return opt_text(auth_claims_scope); }
    /// The claims as compact JSON (the docs/token-format.md wire shape).
    std::string to_json() const { return text(auth_claims_to_json); }

protected:
    const auth_claims *p_;

private:
    template <class F> std::uint64_t u64(F f) const {
        std::uint64_t v = 0;
        detail::check(f(p_, &v));
        return v;
    }
    template <class F> std::optional<std::uint64_t> opt_u64(F f) const {
        bool present = false;
        std::uint64_t v = 0;
        detail::check(f(p_, &present, &v));
        return present ? std::optional<std::uint64_t>(v) : std::nullopt;
    }
    template <class F> std::string text(F f) const {
        const auth_claims *c = p_;
        return detail::read_text([c, f](char *b, std::size_t n, std::size_t *o) { return f(c, b, n, o); });
    }
    template <class F> std::optional<std::string> opt_text(F f) const {
        const auth_claims *c = p_;
        bool present = false;
        std::string s = detail::read_text(
            [c, f, &present](char *b, std::size_t n, std::size_t *o) { return f(c, &present, b, n, o); });
        return present ? std::optional<std::string>(std::move(s)) : std::nullopt;
    }
};

/// Verified claims, owned (from `Verifier::verify`). Move-only; immutable; any thread.
class Claims : public ClaimsView {
public:
    /// Takes ownership of `claims`.
    explicit Claims(auth_claims *claims) noexcept : ClaimsView(claims), owned_(claims) {}
    /// Moves the handle; `other` is left empty.
    Claims(Claims &&other) noexcept : ClaimsView(other.p_), owned_(std::move(other.owned_)) { other.p_ = nullptr; }
    /// Moves the handle; `other` is left empty.
    Claims &operator=(Claims &&other) noexcept {
        owned_ = std::move(other.owned_);
        p_ = other.p_;
        other.p_ = nullptr;
        return *this;
    }
    Claims(const Claims &) = delete;
    Claims &operator=(const Claims &) = delete;
    ~Claims() = default;

private:
    detail::Owned<auth_claims, auth_claims_free> owned_;
};

/// A minted token (borrowed view): its text, id and claims.
class MintedView {
public:
    /// A view of `minted` (not owned).
    explicit MintedView(const auth_minted *minted) noexcept : p_(minted) {}
    /// The compact token.
    std::string token() const {
        const auth_minted *m = p_;
        return detail::read_text([m](char *b, std::size_t n, std::size_t *o) { return auth_minted_token(m, b, n, o); });
    }
    /// The token id (`jti`, the API's `token_id`).
    std::string token_id() const {
        const auth_minted *m = p_;
        return detail::read_text(
            [m](char *b, std::size_t n, std::size_t *o) { return auth_minted_token_id(m, b, n, o); });
    }
    /// The claims signed into it (borrowed from this token's owner).
    ClaimsView claims() const { return ClaimsView(auth_minted_claims(p_)); }
    /// The C handle (borrowed).
    const auth_minted *get() const noexcept { return p_; }

protected:
    const auth_minted *p_;
};

/// A minted token, owned (from `Issuer::mint`). Move-only; immutable; any thread.
class Minted : public MintedView {
public:
    /// Takes ownership of `minted`.
    explicit Minted(auth_minted *minted) noexcept : MintedView(minted), owned_(minted) {}
    /// Moves the handle; `other` is left empty.
    Minted(Minted &&other) noexcept : MintedView(other.p_), owned_(std::move(other.owned_)) { other.p_ = nullptr; }
    /// Moves the handle; `other` is left empty.
    Minted &operator=(Minted &&other) noexcept {
        owned_ = std::move(other.owned_);
        p_ = other.p_;
        other.p_ = nullptr;
        return *this;
    }
    Minted(const Minted &) = delete;
    Minted &operator=(const Minted &) = delete;
    ~Minted() = default;

private:
    detail::Owned<auth_minted, auth_minted_free> owned_;
};

// ---- Scopes (docs/scopes.md) ----

/// Reads a `scope` claim text strictly (names separated by exactly one space, at least one,
/// none twice) and returns its canonical text (the names sorted). Throws `invalid_scope`.
inline std::string scope_canonical(std::string_view scope) {
    return detail::read_text([scope](char *b, std::size_t n, std::size_t *o) {
        auth_error *e = nullptr;
        auth_result rc = auth_scope_text_canonical(detail::ptr(scope), scope.size(), b, n, o, &e);
        if (rc != AUTH_OK && rc != AUTH_INSUFFICIENT_SIZE) detail::check(rc, e);
        auth_error_free(e);
        return rc;
    });
}

class RequiredScopes;

/// The scope names a host declares, each optionally including others (`sms` includes
/// `sms:send`): holding a name holds everything it includes. Immutable; any thread.
/// Move-only. What is built from it (`RequiredScopes`, `Issuer::with_scopes`) keeps its own
/// copy.
class ScopeVocabulary {
public:
    /// Reads a vocabulary from strict JSON:
    /// `{"sms": {"description": "...", "includes": ["sms:send"]}, "sms:send": {}}`. Throws
    /// `invalid_scope` (naming the problem).
    explicit ScopeVocabulary(std::string_view json) {
        auth_scope_vocabulary *v = nullptr;
        detail::call([&](auth_error **e) { return auth_scope_vocabulary_new(detail::ptr(json), json.size(), &v, e); });
        p_.reset(v);
    }
    /// Whether a token whose `scope` claim is `held` (nullopt: no claim, which holds every
    /// declared name) holds `name`. Throws `invalid_scope` for a `held` that is no scope text.
    bool holds(std::optional<std::string_view> held, std::string_view name) const {
        bool out = false;
        detail::call([&](auth_error **e) {
            return auth_scope_vocabulary_holds(p_.get(), detail::data_or_null(held), detail::size_or_zero(held),
                                               detail::ptr(name), name.size(), &out, e);
        });
        return out;
    }
    /// The scopes a caller whose claim is `caller` (nullopt: none) may give a token it mints
    /// when it asks for `requested` (a scope text; nullopt: inherit): the child's claim, or
    /// nullopt for an unscoped child. Throws `invalid_scope` (undeclared), `not_permitted`
    /// (a scope the caller does not hold).
    std::optional<std::string> narrow(std::optional<std::string_view> caller,
                                      std::optional<std::string_view> requested) const {
        bool present = false;
        const auth_scope_vocabulary *v = p_.get();
        std::string text = detail::read_text([&](char *b, std::size_t n, std::size_t *o) {
            auth_error *e = nullptr;
            auth_result rc = auth_scope_vocabulary_narrow(v, detail::data_or_null(caller), detail::size_or_zero(caller),
                                                          detail::data_or_null(requested),
                                                          detail::size_or_zero(requested), &present, b, n, o, &e);
            if (rc != AUTH_OK && rc != AUTH_INSUFFICIENT_SIZE) detail::check(rc, e);
            auth_error_free(e);
            return rc;
        });
        return present ? std::optional<std::string>(std::move(text)) : std::nullopt;
    }
    /// The requirement of a route: every name declared, each satisfied by itself or a name
    /// that includes it. Throws `invalid_scope`.
    RequiredScopes require(const std::vector<std::string_view> &names) const;
    /// The C handle (borrowed).
    const auth_scope_vocabulary *get() const noexcept { return p_.get(); }

private:
    detail::Owned<auth_scope_vocabulary, auth_scope_vocabulary_free> p_;
};

/// What a route requires (build one per route at start-up): pass it to `Verifier::verify`
/// or `Authenticator::authenticate`, or `check` a claim yourself. Immutable; any thread.
/// Move-only.
class RequiredScopes {
public:
    /// Every name of `names`, declared in `vocabulary`. Throws `invalid_scope`.
    RequiredScopes(const ScopeVocabulary &vocabulary, const std::vector<std::string_view> &names) {
        std::vector<auth_str> n = detail::strs(names);
        auth_required_scopes *r = nullptr;
        detail::call([&](auth_error **e) {
            return auth_required_scopes_new(vocabulary.get(), detail::data_or_null(n), n.size(), &r, e);
        });
        p_.reset(r);
    }
    /// A requirement without a vocabulary: each name satisfied only by itself. Throws
    /// `invalid_scope`.
    static RequiredScopes exact(const std::vector<std::string_view> &names) {
        std::vector<auth_str> n = detail::strs(names);
        auth_required_scopes *r = nullptr;
        detail::call(
            [&](auth_error **e) { return auth_required_scopes_new_exact(detail::data_or_null(n), n.size(), &r, e); });
        return RequiredScopes(r);
    }
    /// The required names, canonical ("" when nothing is required).
    std::string names() const {
        const auth_required_scopes *r = p_.get();
        return detail::read_text(
            [r](char *b, std::size_t n, std::size_t *o) { return auth_required_scopes_names(r, b, n, o); });
    }
    /// Checks a `scope` claim (nullopt: no claim, which holds everything). Throws
    /// `insufficient_scope` (its `required_scope()` and answer name the requirement) or
    /// `invalid_scope` (`held` is no scope text).
    void check(std::optional<std::string_view> held) const {
        detail::call([&](auth_error **e) {
            return auth_required_scopes_check(p_.get(), detail::data_or_null(held), detail::size_or_zero(held), e);
        });
    }
    /// Checks the `scope` claim of verified claims.
    void check(const ClaimsView &claims) const {
        std::optional<std::string> held = claims.scope();
        check(held ? std::optional<std::string_view>(*held) : std::nullopt);
    }
    /// The C handle (borrowed).
    const auth_required_scopes *get() const noexcept { return p_.get(); }

private:
    explicit RequiredScopes(auth_required_scopes *r) noexcept : p_(r) {}
    detail::Owned<auth_required_scopes, auth_required_scopes_free> p_;
};

inline RequiredScopes ScopeVocabulary::require(const std::vector<std::string_view> &names) const {
    return RequiredScopes(*this, names);
}

/// A set of keys by `kid`: one active key mints, every key verifies. Issuers and
/// verifiers made from it follow it (rotation without rebuilding). Thread-safe,
/// including changes while other threads mint and verify. Move-only.
class KeyRing {
public:
    /// An empty ring.
    KeyRing() {
        auth_key_ring *r = nullptr;
        detail::check(auth_key_ring_new(&r));
        p_.reset(r);
    }
    /// Adds a key (the first one added becomes active). Throws `weak_key` for a secret
    /// shorter than the hash output, `invalid_key` for a bad or duplicate kid.
    KeyRing &add(std::string_view kid, std::string_view secret, Algorithm alg = Algorithm::HS256) {
        detail::call([&](auth_error **e) {
            return auth_key_ring_add(p_.get(), detail::ptr(kid), kid.size(), static_cast<std::uint32_t>(alg),
                                     reinterpret_cast<const std::uint8_t *>(detail::ptr(secret)), secret.size(), e);
        });
        return *this;
    }
    /// Adds an asymmetric key from PEM (PKCS#8 private, SPKI public or PKCS#1 RSA), pinned to
    /// `alg` when given (an RSA key is RS256 otherwise). Throws `invalid_key`.
    KeyRing &add_pem(std::string_view kid, std::string_view pem, std::optional<Algorithm> alg = std::nullopt) {
        detail::call([&](auth_error **e) {
            return alg ? auth_key_ring_add_pem_for(p_.get(), detail::ptr(kid), kid.size(), static_cast<std::uint32_t>(*alg),
                                                   detail::ptr(pem), pem.size(), e)
                       : auth_key_ring_add_pem(p_.get(), detail::ptr(kid), kid.size(), detail::ptr(pem), pem.size(), e);
        });
        return *this;
    }
    /// Makes `kid` the key new tokens are minted with. Throws `unknown_key`.
    KeyRing &set_active(std::string_view kid) {
        detail::call([&](auth_error **e) { return auth_key_ring_set_active(p_.get(), detail::ptr(kid), kid.size(), e); });
        return *this;
    }
    /// Rotation in one call: adds `kid` and makes it active. Older keys keep verifying
    /// until `remove`d.
    KeyRing &rotate(std::string_view kid, std::string_view secret, Algorithm alg = Algorithm::HS256) {
        add(kid, secret, alg);
        return set_active(kid);
    }
    /// Retires a key: its tokens stop verifying from every verifier's next call. Throws
    /// `unknown_key`.
    KeyRing &remove(std::string_view kid) {
        detail::call([&](auth_error **e) { return auth_key_ring_remove(p_.get(), detail::ptr(kid), kid.size(), e); });
        return *this;
    }
    /// The key for tokens without `kid` when the ring holds several; nullopt clears it.
    KeyRing &set_default_kid(std::optional<std::string_view> kid) {
        detail::call([&](auth_error **e) {
            return auth_key_ring_set_default_kid(p_.get(), detail::data_or_null(kid), detail::size_or_zero(kid), e);
        });
        return *this;
    }
    /// The number of keys.
    std::size_t size() const {
        std::size_t n = 0;
        detail::check(auth_key_ring_len(p_.get(), &n));
        return n;
    }
    /// The C handle (borrowed).
    auth_key_ring *get() const noexcept { return p_.get(); }

private:
    detail::Owned<auth_key_ring, auth_key_ring_free> p_;
};

/// An issuer's lifetime rules; constructed with the library's defaults.
struct TtlPolicy : auth_ttl_policy {
    /// The defaults (24 h dynamic tokens, TTLs up to 10 years, static tokens allowed).
    TtlPolicy() : auth_ttl_policy(auth_ttl_policy_default()) {}
};

/// Verification settings; constructed with the library's defaults.
struct VerifyOptions : auth_verify_options {
    /// The defaults (leeway 0 s, max clock skew 60 s, 8 KiB tokens).
    VerifyOptions() : auth_verify_options(auth_verify_options_default()) {}
};

/// What to mint: a subject plus settings. Not consumed by minting. Mutable: one thread
/// at a time. Setters return `*this` for chaining. Move-only.
class MintRequest {
public:
    /// A user token request.
    static MintRequest user(std::uint64_t id, std::string_view name, bool admin = false,
                            std::optional<std::string_view> sms_from = std::nullopt,
                            std::optional<std::uint64_t> user_group_id = std::nullopt) {
        auth_mint_request *r = nullptr;
        detail::call([&](auth_error **e) {
            return auth_mint_request_new_user(id, detail::ptr(name), name.size(), admin, detail::data_or_null(sms_from),
                                              detail::size_or_zero(sms_from), detail::opt(user_group_id), &r, e);
        });
        return MintRequest(r);
    }
    /// A reseller token request.
    static MintRequest reseller(std::uint64_t id, std::string_view name) {
        auth_mint_request *r = nullptr;
        detail::call([&](auth_error **e) {
            return auth_mint_request_new_reseller(id, detail::ptr(name), name.size(), &r, e);
        });
        return MintRequest(r);
    }
    /// A dynamic (login) token (the default).
    MintRequest &set_dynamic() { return done(auth_mint_request_set_dynamic(p_.get())); }
    /// A static token (no `exp`).
    MintRequest &set_static() { return done(auth_mint_request_set_static(p_.get())); }
    /// An explicit TTL in seconds (checked at mint: `invalid_ttl`).
    MintRequest &set_ttl(std::int64_t ttl) { return done(auth_mint_request_set_ttl(p_.get(), ttl)); }
    /// `token_name` (1–255 characters); nullopt clears it.
    MintRequest &set_token_name(std::optional<std::string_view> name) {
        detail::call([&](auth_error **e) {
            return auth_mint_request_set_token_name(p_.get(), detail::data_or_null(name), detail::size_or_zero(name), e);
        });
        return *this;
    }
    /// Appends an `allowed_ips` rule (strict; `invalid_ip_rule`).
    MintRequest &add_allowed_ip(std::string_view rule) {
        detail::call([&](auth_error **e) {
            return auth_mint_request_add_allowed_ip(p_.get(), detail::ptr(rule), rule.size(), e);
        });
        return *this;
    }
    /// No IP restriction.
    MintRequest &clear_allowed_ips() { return done(auth_mint_request_clear_allowed_ips(p_.get())); }
    /// `parent`; nullopt clears it.
    MintRequest &set_parent(std::optional<Principal> parent) {
        if (!parent) return done(auth_mint_request_set_parent(p_.get(), nullptr));
        auth_principal p{static_cast<std::uint32_t>(parent->type), parent->id};
        return done(auth_mint_request_set_parent(p_.get(), &p));
    }
    /// The token id (1–128 characters); nullopt: generated (the default).
    MintRequest &set_token_id(std::optional<std::string_view> id) {
        detail::call([&](auth_error **e) {
            return auth_mint_request_set_token_id(p_.get(), detail::data_or_null(id), detail::size_or_zero(id), e);
        });
        return *this;
    }
    /// `nbf`; nullopt clears it.
    MintRequest &set_not_before(std::optional<std::uint64_t> nbf) {
        return done(auth_mint_request_set_not_before(p_.get(), detail::opt(nbf)));
    }
    /// The issue time; nullopt: the system clock at mint (the default).
    MintRequest &set_now(std::optional<std::uint64_t> now) {
        return done(auth_mint_request_set_now(p_.get(), detail::opt(now)));
    }
    /// The `scope` claim's names (docs/scopes.md), at least one; each must be declared by the
    /// issuer (`Issuer::with_scopes`) at mint. Throws `invalid_scope` (a bad name, one given
    /// twice, an empty list).
    MintRequest &set_scopes(const std::vector<std::string_view> &names) {
        static const auth_str none{"", 0};
        std::vector<auth_str> n = detail::strs(names);
        detail::call([&](auth_error **e) {
            // A present empty list (refused by the library) still needs a non-NULL pointer.
            return auth_mint_request_set_scopes(p_.get(), n.empty() ? &none : n.data(), n.size(), e);
        });
        return *this;
    }
    /// An unscoped token (no `scope` claim; the default).
    MintRequest &clear_scopes() {
        detail::call([&](auth_error **e) { return auth_mint_request_set_scopes(p_.get(), nullptr, 0, e); });
        return *this;
    }
    /// The C handle (borrowed).
    const auth_mint_request *get() const noexcept { return p_.get(); }

private:
    explicit MintRequest(auth_mint_request *r) noexcept : p_(r) {}
    MintRequest &done(auth_result rc) {
        detail::check(rc);
        return *this;
    }
    detail::Owned<auth_mint_request, auth_mint_request_free> p_;
};

/// Mints tokens with the active key of a ring it follows. Thread-safe. Move-only.
class Issuer {
public:
    /// An issuer following `ring` (the issuer keeps the ring alive).
    explicit Issuer(const KeyRing &ring, const TtlPolicy &policy = TtlPolicy()) {
        auth_issuer *i = nullptr;
        detail::call([&](auth_error **e) { return auth_issuer_new(ring.get(), &policy, &i, e); });
        p_.reset(i);
    }
    /// A new issuer like this one (same ring, policy and longest token) that declares
    /// `vocabulary` (docs/scopes.md): scoped mints and the token API's `scopes` are checked
    /// against it. This issuer is unchanged (issuers are immutable).
    Issuer with_scopes(const ScopeVocabulary &vocabulary) const {
        auth_issuer *i = nullptr;
        detail::call([&](auth_error **e) { return auth_issuer_with_scopes(p_.get(), vocabulary.get(), &i, e); });
        return Issuer(i);
    }
    /// Mints a token. Throws `invalid_key` (no active key), `invalid_ttl`, `invalid_scope`, ...
    Minted mint(const MintRequest &request) const {
        auth_minted *m = nullptr;
        detail::call([&](auth_error **e) { return auth_issuer_mint(p_.get(), request.get(), &m, e); });
        return Minted(m);
    }
    /// The C handle (borrowed).
    const auth_issuer *get() const noexcept { return p_.get(); }

private:
    explicit Issuer(auth_issuer *i) noexcept : p_(i) {}
    detail::Owned<auth_issuer, auth_issuer_free> p_;
};

/// What a revocation callback is asked about.
struct RevocationQuery {
    std::string_view jti;             ///< the token id (valid during the call only)
    Principal principal;              ///< whose token it is
    std::uint64_t iat;                ///< issued at
    std::optional<std::uint64_t> exp; ///< expiry (nullopt: static token)
    std::optional<Principal> parent;  ///< who minted it for a sub-account (block it with its parent)
};

/// A revocation store as verifiers see it (the memory store or a host callback).
/// Thread-safe. Move-only.
class Revocation {
public:
    /// Wraps a host callback: return true when the token is revoked. Called from every
    /// verifying thread at once (it must be thread-safe). An exception thrown by it means
    /// the callback could not answer: it is caught here (it never crosses the C library)
    /// and verification fails closed with `revocation_unavailable` (503).
    static Revocation from_callback(std::function<bool(const RevocationQuery &)> callback) {
        using Fn = std::function<bool(const RevocationQuery &)>;
        auto holder = std::make_unique<Fn>(std::move(callback));
        auth_revocation *r = nullptr;
        detail::check(
            auth_revocation_new_status_callback(&Revocation::trampoline, holder.get(), &Revocation::release, &r));
        holder.release(); // now owned by the library: freed through `release`
        return Revocation(r);
    }
    /// Takes ownership of a C handle.
    explicit Revocation(auth_revocation *r) noexcept : p_(r) {}
    /// The C handle (borrowed).
    const auth_revocation *get() const noexcept { return p_.get(); }

private:
    static std::uint32_t trampoline(void *userdata, const auth_revocation_query *query) noexcept {
        try {
            RevocationQuery q{std::string_view(query->jti, query->jti_len),
                              Principal{static_cast<PrincipalType>(query->principal.kind), query->principal.id},
                              query->iat, query->has_exp ? std::optional<std::uint64_t>(query->exp) : std::nullopt,
                              query->has_parent ? std::optional<Principal>(Principal{
                                                      static_cast<PrincipalType>(query->parent.kind), query->parent.id})
                                                : std::nullopt};
            return (*static_cast<std::function<bool(const RevocationQuery &)> *>(userdata))(q)
                       ? AUTH_REVOCATION_STATUS_REVOKED
                       : AUTH_REVOCATION_STATUS_NOT_REVOKED;
        } catch (...) {
            return AUTH_REVOCATION_STATUS_UNAVAILABLE;
        }
    }
    static void release(void *userdata) noexcept { delete static_cast<std::function<bool(const RevocationQuery &)> *>(userdata); }
    detail::Owned<auth_revocation, auth_revocation_free> p_;
};

/// The built-in bounded in-memory revocation store. Thread-safe. Move-only.
class MemoryStore {
public:
    /// A store with the default entry limit.
    MemoryStore() {
        auth_memory_store *s = nullptr;
        detail::check(auth_memory_store_new(&s));
        p_.reset(s);
    }
    /// A store of at most `max_entries` entries, keeping a dynamic token's revocation
    /// until `exp + expiry_grace`.
    MemoryStore(std::size_t max_entries, std::uint64_t expiry_grace) {
        auth_memory_store *s = nullptr;
        detail::check(auth_memory_store_new_with_limits(max_entries, expiry_grace, &s));
        p_.reset(s);
    }
    /// Revokes a token id; `exp` nullopt for a static token (kept forever).
    void revoke(std::string_view jti, std::optional<std::uint64_t> exp,
                std::optional<std::uint64_t> now = std::nullopt) const {
        detail::call([&](auth_error **e) {
            return auth_memory_store_revoke(p_.get(), detail::ptr(jti), jti.size(), detail::opt(exp), detail::opt(now), e);
        });
    }
    /// Revokes the token these claims describe (logout).
    void revoke(const ClaimsView &claims, std::optional<std::uint64_t> now = std::nullopt) const {
        detail::call([&](auth_error **e) {
            return auth_memory_store_revoke_claims(p_.get(), claims.get(), detail::opt(now), e);
        });
    }
    /// Revokes every token of `principal` issued at or before `before`, and every token it
    /// delegated. `now` (default: the system clock) is the time a purge of a full store uses.
    void revoke_principal_before(Principal principal, std::uint64_t before,
                                 std::optional<std::uint64_t> now = std::nullopt) const {
        auth_principal p{static_cast<std::uint32_t>(principal.type), principal.id};
        detail::call([&](auth_error **e) {
            return auth_memory_store_revoke_principal_before(p_.get(), &p, before, detail::opt(now), e);
        });
    }
    /// Forgets revocations of expired tokens; returns how many.
    std::size_t purge_expired(std::optional<std::uint64_t> now = std::nullopt) const {
        std::size_t removed = 0;
        detail::check(auth_memory_store_purge_expired(p_.get(), detail::opt(now), &removed));
        return removed;
    }
    /// Whether a token id is revoked at `now`.
    bool is_revoked(std::string_view jti, std::optional<std::uint64_t> now = std::nullopt) const {
        bool out = false;
        detail::check(auth_memory_store_is_jti_revoked(p_.get(), detail::ptr(jti), jti.size(), detail::opt(now), &out));
        return out;
    }
    /// The number of entries.
    std::size_t size() const {
        std::size_t n = 0;
        detail::check(auth_memory_store_len(p_.get(), &n));
        return n;
    }
    /// A revocation handle sharing this store (for `Verifier`).
    Revocation revocation() const {
        auth_revocation *r = nullptr;
        detail::check(auth_revocation_from_memory_store(p_.get(), &r));
        return Revocation(r);
    }
    /// The C handle (borrowed).
    const auth_memory_store *get() const noexcept { return p_.get(); }

private:
    detail::Owned<auth_memory_store, auth_memory_store_free> p_;
};

/// The outcome of `Verifier::check`: claims, or the error (no exception thrown).
class Verdict {
public:
    /// Whether the token was accepted.
    bool ok() const noexcept { return claims_.has_value(); }
    /// Same as `ok()`.
    explicit operator bool() const noexcept { return ok(); }
    /// The claims (throws the error when rejected).
    const Claims &claims() const {
        if (!claims_) throw *error_;
        return *claims_;
    }
    /// The error (nullopt when accepted).
    const std::optional<Error> &error() const noexcept { return error_; }

private:
    friend class Verifier;
    std::optional<Claims> claims_;
    std::optional<Error> error_;
};

/// Verifies tokens against a ring it follows. Thread-safe (share it between request
/// threads). Move-only.
class Verifier {
public:
    /// A verifier following `ring` (kept alive by the verifier) with `options`.
    explicit Verifier(const KeyRing &ring, const VerifyOptions &options = VerifyOptions()) : Verifier(ring, options, nullptr) {}
    /// As above, consulting `revocation` on every verification.
    Verifier(const KeyRing &ring, const VerifyOptions &options, const Revocation &revocation)
        : Verifier(ring, options, revocation.get()) {}

    /// Verifies `token` from `client_ip` (nullopt: unknown; a token with `allowed_ips`
    /// then fails with `ip_not_allowed`) at `now` (nullopt: the system clock), also
    /// consulting `revocation` when given and, last, checking the scopes the request needs
    /// (`required`: `insufficient_scope`, 403). Throws `auth::Error` on rejection.
    Claims verify(std::string_view token, std::optional<std::string_view> client_ip = std::nullopt,
                  std::optional<std::uint64_t> now = std::nullopt, const Revocation *revocation = nullptr,
                  const RequiredScopes *required = nullptr) const {
        auth_claims *c = nullptr;
        detail::call([&](auth_error **e) { return raw_verify(token, client_ip, now, revocation, required, &c, e); });
        return Claims(c);
    }
    /// `verify` without exceptions for the rejection (allocation failures still throw).
    Verdict check(std::string_view token, std::optional<std::string_view> client_ip = std::nullopt,
                  std::optional<std::uint64_t> now = std::nullopt, const Revocation *revocation = nullptr,
                  const RequiredScopes *required = nullptr) const {
        Verdict v;
        auth_claims *c = nullptr;
        auth_error *e = nullptr;
        auth_result rc = raw_verify(token, client_ip, now, revocation, required, &c, &e);
        if (rc == AUTH_OK)
            v.claims_.emplace(c);
        else
            v.error_.emplace(rc, e);
        return v;
    }
    /// The C handle (borrowed).
    const auth_verifier *get() const noexcept { return p_.get(); }

private:
    Verifier(const KeyRing &ring, const VerifyOptions &options, const auth_revocation *revocation) {
        auth_verifier *v = nullptr;
        detail::call([&](auth_error **e) { return auth_verifier_new(ring.get(), &options, revocation, &v, e); });
        p_.reset(v);
    }
    auth_result raw_verify(std::string_view token, const std::optional<std::string_view> &client_ip,
                           const std::optional<std::uint64_t> &now, const Revocation *revocation,
                           const RequiredScopes *required, auth_claims **out, auth_error **e) const {
        return auth_verifier_verify_scoped(p_.get(), detail::ptr(token), token.size(), detail::opt(now),
                                           detail::data_or_null(client_ip), detail::size_or_zero(client_ip),
                                           revocation ? revocation->get() : nullptr,
                                           required ? required->get() : nullptr, out, e);
    }
    detail::Owned<auth_verifier, auth_verifier_free> p_;
};

/// A host-side allow-list of IP/CIDR rules (fast at 100,000 rules). Thread-safe. Move-only.
class IpAllowList {
public:
    /// Builds the list from rules (anything convertible to `std::string_view`). An empty
    /// list allows nothing. Throws `invalid_ip_rule`.
    template <class Range> explicit IpAllowList(const Range &rules) {
        std::vector<const char *> ptrs;
        std::vector<std::size_t> lens;
        for (const auto &r : rules) {
            std::string_view s(r);
            ptrs.push_back(detail::ptr(s));
            lens.push_back(s.size());
        }
        init(ptrs, lens);
    }
    /// Builds the list from a braced list of rules.
    IpAllowList(std::initializer_list<std::string_view> rules) : IpAllowList(std::vector<std::string_view>(rules)) {}
    /// Whether `ip` (parsed strictly; `invalid_ip_address`) is inside any rule.
    bool contains(std::string_view ip) const {
        bool allowed = false;
        detail::call([&](auth_error **e) { return auth_ip_allow_list_contains(p_.get(), detail::ptr(ip), ip.size(), &allowed, e); });
        return allowed;
    }
    /// The number of rules.
    std::size_t size() const {
        std::size_t n = 0;
        detail::check(auth_ip_allow_list_len(p_.get(), &n));
        return n;
    }
    /// The C handle (borrowed).
    const auth_ip_allow_list *get() const noexcept { return p_.get(); }

private:
    void init(const std::vector<const char *> &ptrs, const std::vector<std::size_t> &lens) {
        auth_ip_allow_list *l = nullptr;
        detail::call([&](auth_error **e) {
            return auth_ip_allow_list_new(ptrs.empty() ? nullptr : ptrs.data(), lens.empty() ? nullptr : lens.data(),
                                          ptrs.size(), &l, e);
        });
        p_.reset(l);
    }
    detail::Owned<auth_ip_allow_list, auth_ip_allow_list_free> p_;
};

/// A user group's `allowed_regex` over the client address's canonical text. Thread-safe.
/// Move-only.
class IpRegex {
public:
    /// Compiles `pattern`. Throws `invalid_regex`.
    explicit IpRegex(std::string_view pattern, RegexMode mode = RegexMode::FullMatch) {
        auth_ip_regex *r = nullptr;
        detail::call([&](auth_error **e) {
            return auth_ip_regex_new(detail::ptr(pattern), pattern.size(), static_cast<std::uint32_t>(mode), &r, e);
        });
        p_.reset(r);
    }
    /// Whether `ip` (parsed strictly first; `invalid_ip_address`) matches.
    bool is_match(std::string_view ip) const {
        bool m = false;
        detail::call([&](auth_error **e) { return auth_ip_regex_is_match(p_.get(), detail::ptr(ip), ip.size(), &m, e); });
        return m;
    }
    /// The C handle (borrowed).
    const auth_ip_regex *get() const noexcept { return p_.get(); }

private:
    detail::Owned<auth_ip_regex, auth_ip_regex_free> p_;
};

/// A token's header and claims decoded WITHOUT verification (debugging and logging only;
/// never for access decisions).
struct Unverified {
    std::string header_json; ///< the header as compact JSON
    std::string claims_json; ///< the claims as compact JSON
};

/// Decodes a token without verifying anything (`max_size` bytes at most). Throws
/// `token_too_large`, `malformed_token`.
inline Unverified inspect_unverified(std::string_view token, std::size_t max_size = 8192) {
    auth_unverified *u = nullptr;
    detail::call([&](auth_error **e) { return auth_inspect_unverified(detail::ptr(token), token.size(), max_size, &u, e); });
    detail::Owned<auth_unverified, auth_unverified_free> owned(u);
    const auth_unverified *c = u;
    Unverified out;
    out.header_json = detail::read_text(
        [c](char *b, std::size_t n, std::size_t *o) { return auth_unverified_header_json(c, b, n, o); });
    out.claims_json = detail::read_text(
        [c](char *b, std::size_t n, std::size_t *o) { return auth_unverified_claims_json(c, b, n, o); });
    return out;
}

// ---- The API shapes of docs/apis.md ----

/// Reads a `Content-Type` / `Accept` value: nullopt when it names neither JSON nor XML.
inline std::optional<Format> format_from_media_type(std::string_view value) {
    bool recognized = false;
    std::uint32_t f = 0;
    detail::check(auth_format_from_media_type(detail::ptr(value), value.size(), &recognized, &f));
    return recognized ? std::optional<Format>(static_cast<Format>(f)) : std::nullopt;
}
/// The media type to answer with ("application/json", "application/xml").
inline std::string_view content_type(Format f) { return auth_format_content_type(static_cast<std::uint32_t>(f)); }

/// A parsed `POST /token` body. Immutable. Move-only.
class TokenRequest {
public:
    /// Parses a body strictly. Throws `invalid_request`, `invalid_ttl`, `invalid_ip_rule`.
    static TokenRequest parse(std::string_view body, Format format) {
        auth_token_request *r = nullptr;
        detail::call([&](auth_error **e) {
            return auth_token_request_parse(detail::ptr(body), body.size(), static_cast<std::uint32_t>(format), &r, e);
        });
        return TokenRequest(r);
    }
    /// `name`.
    std::string name() const {
        const auth_token_request *r = p_.get();
        return detail::read_text([r](char *b, std::size_t n, std::size_t *o) { return auth_token_request_name(r, b, n, o); });
    }
    /// The requested lifetime (unlimited when `ttl` was absent or null).
    Lifetime lifetime() const {
        Lifetime l;
        detail::check(auth_token_request_lifetime(p_.get(), &l.kind, &l.ttl));
        return l;
    }
    /// The requested `allowed_ips` rules (canonical; empty: no restriction).
    std::vector<std::string> allowed_ips() const {
        std::size_t count = 0;
        detail::check(auth_token_request_allowed_ips_count(p_.get(), &count));
        std::vector<std::string> out;
        const auth_token_request *r = p_.get();
        for (std::size_t i = 0; i < count; ++i)
            out.push_back(detail::read_text(
                [r, i](char *b, std::size_t n, std::size_t *o) { return auth_token_request_allowed_ip(r, i, b, n, o); }));
        return out;
    }
    /// The requested `scopes` (canonical text); nullopt when the body had none (the created
    /// token keeps the caller's).
    std::optional<std::string> scopes() const {
        const auth_token_request *r = p_.get();
        bool present = false;
        std::string text = detail::read_text([r, &present](char *b, std::size_t n, std::size_t *o) {
            return auth_token_request_scopes(r, &present, b, n, o);
        });
        return present ? std::optional<std::string>(std::move(text)) : std::nullopt;
    }
    /// The C handle (borrowed).
    const auth_token_request *get() const noexcept { return p_.get(); }

private:
    explicit TokenRequest(auth_token_request *r) noexcept : p_(r) {}
    detail::Owned<auth_token_request, auth_token_request_free> p_;
};

/// A created token and its `POST /token` response. Immutable. Move-only.
class CreatedToken {
public:
    /// Takes ownership of a C handle.
    explicit CreatedToken(auth_created_token *c) noexcept : p_(c) {}
    /// The token, its id and claims (borrowed from this object).
    MintedView minted() const { return MintedView(auth_created_token_minted(p_.get())); }
    /// The response body in `format`.
    std::string render(Format format) const {
        const auth_created_token *c = p_.get();
        auto f = static_cast<std::uint32_t>(format);
        return detail::read_text(
            [c, f](char *b, std::size_t n, std::size_t *o) { return auth_created_token_render(c, f, b, n, o); });
    }

private:
    detail::Owned<auth_created_token, auth_created_token_free> p_;
};

/// Which tokens may create tokens, and whether a created token may outlive its caller
/// (the core's `TokenCreationPolicy`). The defaults: login tokens only, and their children
/// may outlive them (the token API's `ttl` defaults to unlimited).
struct TokenCreationPolicy {
    bool allow_named_callers = false;       ///< a named (token-API) token may create tokens
    bool allow_delegated_callers = false;   ///< a token minted by a parent may create tokens
    bool login_children_may_outlive = true; ///< a login token's child may outlive it
};

namespace detail {
inline auth_token_creation_policy c_policy(const TokenCreationPolicy &p) noexcept {
    return auth_token_creation_policy{p.allow_named_callers, p.allow_delegated_callers,
                                      p.login_children_may_outlive};
}
} // namespace detail

/// `POST /token`: a token for the caller itself (`caller` are its verified claims).
inline CreatedToken create_token_self(const Issuer &issuer, const ClaimsView &caller, const TokenRequest &request,
                                      std::optional<std::uint64_t> now = std::nullopt,
                                      const TokenCreationPolicy &policy = TokenCreationPolicy()) {
    auth_created_token *c = nullptr;
    const auth_token_creation_policy cp = detail::c_policy(policy);
    detail::call([&](auth_error **e) {
        return auth_create_token_self(issuer.get(), caller.get(), request.get(), &cp, detail::opt(now), &c, e);
    });
    return CreatedToken(c);
}

/// A sub-account a token is created for (`create_token_sub_account`).
struct Subject {
    PrincipalType type = PrincipalType::User;       ///< user or reseller
    std::uint64_t id = 0;                           ///< id
    std::string_view name;                          ///< name (required)
    bool admin = false;                             ///< users only
    std::optional<std::string_view> sms_from;       ///< users only
    std::optional<std::uint64_t> user_group_id;     ///< users only
};

/// `POST /token/account/:accountID`: a token for a sub-account the caller owns
/// (`owned_by_caller` false → `not_permitted`).
inline CreatedToken create_token_sub_account(const Issuer &issuer, const ClaimsView &caller,
                                             const TokenRequest &request, const Subject &account, bool owned_by_caller,
                                             std::optional<std::uint64_t> now = std::nullopt,
                                             const TokenCreationPolicy &policy = TokenCreationPolicy()) {
    auth_subject s{};
    s.kind = static_cast<std::uint32_t>(account.type);
    s.id = account.id;
    s.name = detail::ptr(account.name);
    s.name_len = account.name.size();
    s.admin = account.admin;
    s.sms_from = detail::data_or_null(account.sms_from);
    s.sms_from_len = detail::size_or_zero(account.sms_from);
    s.has_user_group_id = account.user_group_id.has_value();
    s.user_group_id = account.user_group_id.value_or(0);
    auth_created_token *c = nullptr;
    const auth_token_creation_policy cp = detail::c_policy(policy);
    detail::call([&](auth_error **e) {
        return auth_create_token_sub_account(issuer.get(), caller.get(), request.get(), &s, owned_by_caller, &cp,
                                             detail::opt(now), &c, e);
    });
    return CreatedToken(c);
}

/// A dialer user as the host found it after checking the password.
struct UserAccount {
    std::uint64_t id = 0;                       ///< id
    std::string_view name;                      ///< name (required)
    bool admin = false;                         ///< admin
    bool blocked = false;                       ///< blocked accounts get `invalid_credentials`
    std::optional<std::string_view> sms_from;   ///< sms_from
    std::optional<std::uint64_t> user_group_id; ///< user_group_id
    const IpRegex *allowed_regex = nullptr;     ///< the group's `allowed_regex`, or none
};

/// A successful user login. Immutable. Move-only.
class UserLogin {
public:
    /// Takes ownership of a C handle.
    explicit UserLogin(auth_user_login *l) noexcept : p_(l) {}
    /// The token, its id and claims (borrowed from this object).
    MintedView minted() const { return MintedView(auth_user_login_minted(p_.get())); }
    /// `{"user": {"id": ..., "blocked": false}, "token": "..."}`.
    std::string to_json() const {
        const auth_user_login *l = p_.get();
        return detail::read_text([l](char *b, std::size_t n, std::size_t *o) { return auth_user_login_to_json(l, b, n, o); });
    }

private:
    detail::Owned<auth_user_login, auth_user_login_free> p_;
};

/// `POST /session.json`: logs a user in. Throws `invalid_credentials` (blocked),
/// `login_ip_denied` (406), ...
inline UserLogin login_user(const Issuer &issuer, const UserAccount &account,
                            std::optional<std::string_view> client_ip, Lifetime lifetime = Lifetime::dynamic(),
                            std::optional<std::uint64_t> now = std::nullopt) {
    auth_user_account a{};
    a.id = account.id;
    a.name = detail::ptr(account.name);
    a.name_len = account.name.size();
    a.admin = account.admin;
    a.blocked = account.blocked;
    a.sms_from = detail::data_or_null(account.sms_from);
    a.sms_from_len = detail::size_or_zero(account.sms_from);
    a.has_user_group_id = account.user_group_id.has_value();
    a.user_group_id = account.user_group_id.value_or(0);
    a.allowed_regex = account.allowed_regex ? account.allowed_regex->get() : nullptr;
    auth_user_login *l = nullptr;
    detail::call([&](auth_error **e) {
        return auth_login_user(issuer.get(), &a, detail::data_or_null(client_ip), detail::size_or_zero(client_ip),
                               lifetime.kind, lifetime.ttl, detail::opt(now), &l, e);
    });
    return UserLogin(l);
}

/// A reseller as the host found it after checking the name and password.
struct ResellerAccount {
    std::uint64_t id = 0;                             ///< id
    std::string_view name;                            ///< name (required)
    const IpAllowList *allowed_ips = nullptr;         ///< `settings.allowedIPs`, or none
    std::optional<std::string_view> user_groups_json; ///< a JSON array, or nullopt for `[]`
    double user_balance = 0;                          ///< finite
    std::string_view version;                         ///< empty: the library's default ("1.0.0")
    bool blocked = false;                             ///< blocked resellers get `reseller_invalid_credentials`
};

/// A successful reseller login. Immutable. Move-only.
class ResellerLogin {
public:
    /// Takes ownership of a C handle.
    explicit ResellerLogin(auth_reseller_login *l) noexcept : p_(l) {}
    /// The token, its id and claims (borrowed from this object).
    MintedView minted() const { return MintedView(auth_reseller_login_minted(p_.get())); }
    /// `{"token": ..., "reseller": {...}, "user_groups": [...], "user_balance": ..., "version": ...}`.
    std::string to_json() const {
        const auth_reseller_login *l = p_.get();
        return detail::read_text(
            [l](char *b, std::size_t n, std::size_t *o) { return auth_reseller_login_to_json(l, b, n, o); });
    }

private:
    detail::Owned<auth_reseller_login, auth_reseller_login_free> p_;
};

/// `POST /v1/resellers/login.json`: logs a reseller in. Throws `reseller_ip_denied`, ...
inline ResellerLogin login_reseller(const Issuer &issuer, const ResellerAccount &account,
                                    std::optional<std::string_view> client_ip, Lifetime lifetime = Lifetime::dynamic(),
                                    std::optional<std::uint64_t> now = std::nullopt) {
    auth_reseller_account a{};
    a.id = account.id;
    a.name = detail::ptr(account.name);
    a.name_len = account.name.size();
    a.allowed_ips = account.allowed_ips ? account.allowed_ips->get() : nullptr;
    a.user_groups_json = detail::data_or_null(account.user_groups_json);
    a.user_groups_json_len = detail::size_or_zero(account.user_groups_json);
    a.user_balance = account.user_balance;
    a.version = detail::ptr(account.version);
    a.version_len = account.version.size();
    auth_reseller_login *l = nullptr;
    detail::call([&](auth_error **e) {
        return auth_login_reseller_v2(issuer.get(), &a, account.blocked, detail::data_or_null(client_ip),
                                      detail::size_or_zero(client_ip), lifetime.kind, lifetime.ttl, detail::opt(now),
                                      &l, e);
    });
    return ResellerLogin(l);
}

/// Logout: revokes the token these verified claims describe.
inline void logout(const MemoryStore &store, const ClaimsView &claims, std::optional<std::uint64_t> now = std::nullopt) {
    detail::call([&](auth_error **e) { return auth_logout(store.get(), claims.get(), detail::opt(now), e); });
}

// ---- The HTTP edge (docs/http.md) ----

/// Which body a refusal is answered with.
enum class AnswerStyle : std::uint32_t {
    LoginApi = AUTH_ANSWER_LOGIN_API,       ///< the login API's `{"error": {"code", "message", "status"}}`
    TokenApi = AUTH_ANSWER_TOKEN_API,       ///< the token API's body, JSON or XML by `Accept`
    Plain = AUTH_ANSWER_PLAIN,              ///< `{"error": "<code>", "message": "..."}`
    AuthRequest = AUTH_ANSWER_AUTH_REQUEST, ///< nginx `auth_request`: 401, 403 or 500, no body
    OAuth = AUTH_ANSWER_OAUTH               ///< RFC 6749 §5.2 `{"error", "error_description"}`
};

/// The HTTP answer to a refused request: write `status()`, every header and `body()` as
/// they are. Immutable; any thread. Move-only. The views it returns are valid while it lives.
class Answer {
public:
    /// The answer to `error` (see `Error::answer`).
    static Answer refusal(const Error &error, AnswerStyle style, const std::vector<std::string_view> &accept = {}) {
        return error.answer(style, accept);
    }
    /// 429 `rate_limited` with `Retry-After: retry_after` (seconds, at least 1).
    static Answer rate_limited(std::uint64_t retry_after, AnswerStyle style,
                               const std::vector<std::string_view> &accept = {}) {
        std::vector<auth_str> a = detail::strs(accept);
        auth_answer *out = nullptr;
        detail::check(auth_answer_rate_limited(retry_after, static_cast<std::uint32_t>(style), detail::data_or_null(a),
                                               a.size(), &out));
        return Answer(out);
    }
    /// 500 `server_error` with the generic message (log the details yourself).
    static Answer server_error(AnswerStyle style, const std::vector<std::string_view> &accept = {}) {
        std::vector<auth_str> a = detail::strs(accept);
        auth_answer *out = nullptr;
        detail::check(
            auth_answer_server_error(static_cast<std::uint32_t>(style), detail::data_or_null(a), a.size(), &out));
        return Answer(out);
    }
    /// Takes ownership of a C handle.
    explicit Answer(auth_answer *answer) noexcept : p_(answer) {}

    /// The HTTP status.
    std::uint16_t status() const { return auth_answer_status(require()); }
    /// The headers (lower-case names), in order: `content-type` with a body,
    /// `cache-control`, `www-authenticate` with a challenge, `retry-after`.
    std::vector<std::pair<std::string_view, std::string_view>> headers() const {
        const auth_answer *a = require();
        std::vector<std::pair<std::string_view, std::string_view>> out;
        for (std::size_t i = 0; i < auth_answer_header_count(a); ++i) {
            const char *n = nullptr, *v = nullptr;
            std::size_t nl = 0, vl = 0;
            detail::check(auth_answer_header(a, i, &n, &nl, &v, &vl));
            out.emplace_back(std::string_view(n, nl), std::string_view(v, vl));
        }
        return out;
    }
    /// The value of header `name` (lower case), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const {
        for (const auto &h : headers())
            if (h.first == name) return h.second;
        return std::nullopt;
    }
    /// The body (empty for `AnswerStyle::AuthRequest`).
    std::string_view body() const {
        const char *b = nullptr;
        std::size_t len = 0;
        detail::check(auth_answer_body(p_.get(), &b, &len));
        return std::string_view(b, len);
    }
    /// The C handle (borrowed).
    const auth_answer *get() const noexcept { return p_.get(); }

private:
    const auth_answer *require() const {
        if (!p_) throw Error(AUTH_NULL_ARGUMENT);
        return p_.get();
    }
    detail::Owned<auth_answer, auth_answer_free> p_;
};

inline Answer Error::answer(AnswerStyle style, const std::vector<std::string_view> &accept) const {
    std::vector<auth_str> a = detail::strs(accept);
    auth_answer *out = nullptr;
    detail::check(
        auth_error_answer(require_error(), static_cast<std::uint32_t>(style), detail::data_or_null(a), a.size(), &out));
    return Answer(out);
}

/// A request that authenticated: its claims and the client address they were checked
/// from (canonical text; nullopt when unknown, a connection without an IP address).
struct Authenticated {
    Claims claims;                        ///< the bearer token's verified claims
    std::optional<std::string> client_ip; ///< the client address
};

/// The outcome of `Authenticator::check`: the identity, or the error to answer with.
class Authentication {
public:
    /// Whether the request authenticated.
    bool ok() const noexcept { return value_.has_value(); }
    /// Same as `ok()`.
    explicit operator bool() const noexcept { return ok(); }
    /// The identity (throws the error when refused).
    const Authenticated &value() const {
        if (!value_) throw *error_;
        return *value_;
    }
    /// The error (nullopt when authenticated): `error()->answer(style, accept)`.
    const std::optional<Error> &error() const noexcept { return error_; }

private:
    friend class Authenticator;
    std::optional<Authenticated> value_;
    std::optional<Error> error_;
};

/// Authenticates HTTP requests (docs/http.md): the bearer token of the `Authorization`
/// lines (RFC 6750, strict), the client address (the peer, or `X-Forwarded-For` behind a
/// trusted proxy), then verification and revocation. Thread-safe (build one at start-up,
/// share it between request threads). Move-only.
class Authenticator {
public:
    /// Verifies with `verifier` (kept alive by the authenticator), believing
    /// `X-Forwarded-For` from the `trusted_proxies` IP/CIDR rules (and from peers without
    /// an IP address when `trust_unix_peers`), also consulting `revocation` when given.
    /// Throws `invalid_ip_rule`.
    explicit Authenticator(const Verifier &verifier, const std::vector<std::string_view> &trusted_proxies = {},
                           bool trust_unix_peers = false, const Revocation *revocation = nullptr) {
        std::vector<auth_str> rules = detail::strs(trusted_proxies);
        auth_authenticator *a = nullptr;
        detail::call([&](auth_error **e) {
            return auth_authenticator_new(verifier.get(), detail::data_or_null(rules), rules.size(), trust_unix_peers,
                                          revocation ? revocation->get() : nullptr, &a, e);
        });
        p_.reset(a);
    }
    /// Authenticates a request from its `Authorization` values, its peer address (as the
    /// server writes it; nullopt: no IP address) and its `X-Forwarded-For` values, at `now`
    /// (nullopt: the system clock), for a route that needs `required` scopes (nullptr:
    /// none; a token short of them is `insufficient_scope`, answered 403 with a challenge
    /// naming them). Throws `auth::Error` (`missing_token`, ...) when refused: answer with
    /// `error.answer(style, accept)`.
    Authenticated authenticate(const std::vector<std::string_view> &authorization,
                               std::optional<std::string_view> peer,
                               const std::vector<std::string_view> &forwarded_for = {},
                               std::optional<std::uint64_t> now = std::nullopt,
                               const RequiredScopes *required = nullptr) const {
        Authentication a = check(authorization, peer, forwarded_for, now, required);
        if (!a) throw *a.error();
        return std::move(*a.value_);
    }
    /// `authenticate` without an exception for a refusal.
    Authentication check(const std::vector<std::string_view> &authorization, std::optional<std::string_view> peer,
                         const std::vector<std::string_view> &forwarded_for = {},
                         std::optional<std::uint64_t> now = std::nullopt,
                         const RequiredScopes *required = nullptr) const {
        std::vector<auth_str> authz = detail::strs(authorization), xff = detail::strs(forwarded_for);
        auth_claims *c = nullptr;
        auth_error *e = nullptr;
        char ip[AUTH_IP_TEXT_SIZE];
        std::size_t ip_len = 0;
        auth_result rc = auth_authenticate_request_scoped(
            p_.get(), detail::data_or_null(authz), authz.size(), detail::data_or_null(peer), detail::size_or_zero(peer),
            detail::data_or_null(xff), xff.size(), detail::opt(now), required ? required->get() : nullptr, &c, ip,
            sizeof ip, &ip_len, &e);
        Authentication out;
        if (rc == AUTH_OK) {
            Claims claims(c);
            std::optional<std::string> addr;
            if (ip_len > 0) addr.emplace(ip, ip_len);
            out.value_.emplace(Authenticated{std::move(claims), std::move(addr)});
        } else {
            out.error_.emplace(rc, e);
        }
        return out;
    }
    /// The C handle (borrowed).
    const auth_authenticator *get() const noexcept { return p_.get(); }

private:
    detail::Owned<auth_authenticator, auth_authenticator_free> p_;
};

} // namespace auth

#endif /* C++17 or later */
#endif /* AUTH_CORE_HPP */
