"""auth_core.bearer: the core's header grammar, client address behind proxies and error
answer as every web integration reaches them, and the requirements."""

from __future__ import annotations

import json

import pytest
from integrations_support import CLIENT, GARBLED_HEADERS, NOT_BEARER_HEADERS, PROXY, SPOOFED, TRUSTED, make_world

import auth_core
from auth_core.bearer import (
    BearerAuth,
    MissingToken,
    error_body,
    error_response,
    make_auth,
    parse_authorization,
    path_filter,
    require,
)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(scheme: str) -> None:
    assert parse_authorization(f"{scheme} abc.def.ghi") == "abc.def.ghi"


def test_header_lines_may_be_bytes_or_a_list() -> None:
    assert parse_authorization(b"Bearer abc") == "abc"
    assert parse_authorization(["Bearer abc"]) == "abc"
    assert parse_authorization("  Bearer abc \t") == "abc"
    with pytest.raises(auth_core.MalformedToken):
        parse_authorization(["Bearer abc", "Bearer abc"])
    with pytest.raises(TypeError):
        parse_authorization(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("header", [None, "", [], *NOT_BEARER_HEADERS])
def test_no_bearer_credential_is_missing_token(header: str | None) -> None:
    with pytest.raises(MissingToken) as info:
        parse_authorization(header)
    assert isinstance(info.value, auth_core.MalformedToken)
    assert (info.value.code, info.value.http_status) == ("missing_token", 401)


def test_missing_token_is_the_native_class_under_malformed_token() -> None:
    assert MissingToken is auth_core.MissingToken is auth_core.error_class("missing_token")
    assert MissingToken.__bases__ == (auth_core.MalformedToken,)


@pytest.mark.parametrize("header", GARBLED_HEADERS)
def test_garbled_header_is_malformed_token(header: str) -> None:
    with pytest.raises(auth_core.MalformedToken) as info:
        parse_authorization(header)
    assert not isinstance(info.value, MissingToken)
    assert info.value.code == "malformed_token"


def test_client_ip_without_trusted_proxies_is_the_peer_whatever_the_header_says() -> None:
    auth = BearerAuth(make_world().verifier)
    assert auth.trusted_proxies is None
    assert auth.client_ip(CLIENT, SPOOFED) == CLIENT
    assert auth.client_ip(PROXY, SPOOFED) == PROXY


def test_client_ip_reads_forwarded_for_only_from_a_trusted_proxy() -> None:
    auth = BearerAuth(make_world().verifier, trusted_proxies=TRUSTED)
    # An untrusted peer's header is ignored.
    assert auth.client_ip(CLIENT, SPOOFED) == CLIENT
    # From a proxy: the right-most entry that is not a trusted proxy.
    assert auth.client_ip(PROXY, f"{SPOOFED}, {CLIENT}") == CLIENT
    assert auth.client_ip(PROXY, f"{SPOOFED}, {CLIENT}, 10.1.2.3") == CLIENT
    assert auth.client_ip(PROXY, CLIENT) == CLIENT
    # Several lines are one list, read from the last line's right end.
    assert auth.client_ip(PROXY, [SPOOFED, f"{CLIENT}, 10.1.2.3"]) == CLIENT
    assert auth.client_ip(PROXY, [f"{SPOOFED}, {CLIENT}", "10.1.2.3"]) == CLIENT
    # All entries trusted: the left-most; no or an empty header: the peer.
    assert auth.client_ip(PROXY, "10.1.1.1, 10.2.2.2") == "10.1.1.1"
    assert auth.client_ip(PROXY, None) == PROXY
    assert auth.client_ip(PROXY, " , ") == PROXY
    # Ports and brackets, as some proxies write them; addresses come back canonical.
    assert auth.client_ip(PROXY, f"{CLIENT}:51234") == CLIENT
    assert auth.client_ip(PROXY, "[2001:DB8::5]:443") == "2001:db8::5"
    # IPv4-mapped IPv6 peers are the IPv4 address for the proxy ranges too.
    assert auth.client_ip("::ffff:10.0.0.7", CLIENT) == CLIENT
    # A peer that is not an IP address is no address, and never a proxy.
    assert auth.client_ip("testclient", CLIENT) is None


def test_non_ip_peers_are_proxies_only_when_configured() -> None:
    verifier = make_world().verifier
    plain = BearerAuth(verifier, trusted_proxies=TRUSTED)
    assert not plain.trust_non_ip_peers
    assert plain.client_ip(None, SPOOFED) is None
    assert plain.client_ip("unix:/run/app.sock", SPOOFED) is None
    socket = BearerAuth(verifier, trust_non_ip_peers=True)
    assert socket.trust_non_ip_peers and socket.trusted_proxies is None
    assert socket.client_ip(None, f"{SPOOFED}, {CLIENT}") == CLIENT
    assert socket.client_ip("", CLIENT) == CLIENT
    assert socket.client_ip("unix:/run/app.sock", CLIENT) == CLIENT
    assert socket.client_ip(None, None) is None
    # An IP peer is still judged by trusted_proxies (none here): its header is ignored.
    assert socket.client_ip(PROXY, SPOOFED) == PROXY
    both = BearerAuth(verifier, trusted_proxies=TRUSTED, trust_non_ip_peers=True)
    assert both.client_ip(None, f"{CLIENT}, {PROXY}") == CLIENT
    # The core's name is accepted too.
    assert BearerAuth(verifier, trust_unix_peers=True).authenticator.trust_unix_peers


def test_trusted_proxies_accept_an_allow_list_and_refuse_bad_rules() -> None:
    verifier = make_world().verifier
    allow = auth_core.IpAllowList(["10.0.0.0/8"])
    assert BearerAuth(verifier, trusted_proxies=allow).trusted_proxies is allow
    assert BearerAuth(verifier, trusted_proxies=allow).authenticator.trusted_proxies == ["10.0.0.0/8"]
    assert BearerAuth(verifier, trusted_proxies=[]).trusted_proxies is None
    with pytest.raises(auth_core.InvalidIpRule):
        BearerAuth(verifier, trusted_proxies=["10.0.0.1/8"])
    with pytest.raises(TypeError):
        BearerAuth("not a verifier")  # type: ignore[arg-type]


def test_authenticate_uses_the_address_and_revocation() -> None:
    w = make_world()
    auth = BearerAuth(w.verifier, trusted_proxies=TRUSTED)
    assert auth.authenticate(f"bearer {w.user}", CLIENT).name == "alice"
    with pytest.raises(auth_core.TokenRevoked):
        auth.authenticate(f"Bearer {w.revoked}", CLIENT)
    with pytest.raises(auth_core.TokenExpired):
        auth.authenticate(f"Bearer {w.expired}", CLIENT)
    with pytest.raises(auth_core.IpNotAllowed):
        auth.authenticate(f"Bearer {w.restricted}", CLIENT, SPOOFED)
    assert auth.authenticate(f"Bearer {w.restricted}", PROXY, SPOOFED).name == "bob"
    with pytest.raises(auth_core.MalformedToken):
        auth.authenticate(f"Bearer {w.garbled}", CLIENT)
    found = auth.authenticate_request([f"Bearer {w.restricted}"], PROXY, [SPOOFED])
    assert (found.claims.name, found.client_ip) == ("bob", SPOOFED)
    assert auth.authenticate_request(f"Bearer {w.user}", "testclient").client_ip is None


def test_revocation_option_overrides_the_verifiers_store() -> None:
    w = make_world()
    bare = auth_core.Verifier(w.ring)
    assert BearerAuth(bare).authenticate(f"Bearer {w.revoked}", CLIENT).name == "revoked"
    with pytest.raises(auth_core.TokenRevoked):
        BearerAuth(bare, revocation=w.store).authenticate(f"Bearer {w.revoked}", CLIENT)
    with pytest.raises(auth_core.TokenRevoked):
        BearerAuth(bare, revocation=lambda q: q.id == 7).authenticate(f"Bearer {w.user}", CLIENT)


def test_a_peer_that_is_not_an_ip_address_counts_as_no_address() -> None:
    w = make_world()
    auth = BearerAuth(w.verifier, trusted_proxies=TRUSTED)
    assert auth.authenticate(f"Bearer {w.user}", "testclient").name == "alice"
    assert auth.authenticate(f"Bearer {w.user}", None).name == "alice"
    with pytest.raises(auth_core.IpNotAllowed):
        auth.authenticate(f"Bearer {w.restricted}", "testclient")
    with pytest.raises(auth_core.IpNotAllowed):
        auth.authenticate(f"Bearer {w.restricted}", None)


def test_a_bad_forwarded_address_from_a_trusted_proxy_is_refused() -> None:
    w = make_world()
    auth = BearerAuth(w.verifier, trusted_proxies=TRUSTED)
    with pytest.raises(auth_core.InvalidIpAddress):
        auth.authenticate(f"Bearer {w.user}", PROXY, "not-an-ip")


def test_require_type_and_admin() -> None:
    w = make_world()
    user, admin, reseller = (w.verifier.verify(t) for t in (w.user, w.admin, w.reseller))
    assert require(user) is user
    assert require(user, type="user") is user
    assert require(admin, type="user", admin=True) is admin
    assert require(reseller, type="reseller") is reseller
    for claims, kwargs in [(user, {"admin": True}), (reseller, {"type": "user"}), (user, {"type": "reseller"}),
                           (reseller, {"admin": True})]:
        with pytest.raises(auth_core.NotPermitted) as info:
            require(claims, **kwargs)  # type: ignore[arg-type]
        assert info.value.http_status == 403


def test_error_response_shapes() -> None:
    status, headers, body = error_response(auth_core.TokenExpired())
    assert status == 401 and json.loads(body) == {"error": "token_expired", "message": auth_core.TokenExpired().message}
    assert dict(headers) == {"content-type": "application/json", "cache-control": "no-store",
                             "www-authenticate": 'Bearer error="invalid_token"'}
    assert dict(error_response(MissingToken("none"))[1])["www-authenticate"] == "Bearer"
    assert dict(error_response(auth_core.NotPermitted("no"))[1])["www-authenticate"] == 'Bearer error="insufficient_scope"'
    assert dict(error_response(auth_core.InvalidCredentials())[1])["www-authenticate"] == "Bearer"
    status, headers, body = error_response(auth_core.InvalidIpAddress("bad"))
    assert status == 400 and "www-authenticate" not in dict(headers)
    assert json.loads(body)["error"] == "invalid_ip_address"
    assert error_body(auth_core.TokenRevoked("gone")) == {"error": "token_revoked", "message": "gone"}
    # Configuration errors have no HTTP status of their own: a server error, whose details
    # stay on the server.
    status, _, body = error_response(auth_core.WeakKey("the key in /etc/secret is short"))
    assert status == 500 and b"/etc/secret" not in body
    assert error_response(auth_core.InternalError("panic"))[0] == 500


def test_error_response_in_the_apis_styles() -> None:
    status, headers, body = error_response(auth_core.TokenExpired(), "token_api", ["application/xml"])
    assert status == 401 and dict(headers)["content-type"] == "application/xml"
    assert b"<error>token_expired</error>" in body
    status, _, body = error_response(auth_core.TokenExpired(), "login_api")
    assert json.loads(body)["error"]["code"] == "token_expired"
    status, headers, body = error_response(auth_core.InvalidIpAddress("bad"), "auth_request")
    assert (status, body) == (401, b"") and "content-type" not in dict(headers)
    with pytest.raises(ValueError):
        error_response(auth_core.TokenExpired(), "html")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        error_response(ValueError("not an AuthError"))  # type: ignore[arg-type]


def test_native_answers_for_rate_limits_and_server_errors() -> None:
    answer = auth_core.Answer.rate_limited(0)
    assert (answer.status, answer.retry_after) == (429, 1)
    assert ("retry-after", "1") in answer.headers
    assert json.loads(answer.body)["error"] == "rate_limited"
    answer = auth_core.Answer.server_error("login_api")
    assert answer.status == 500 and answer.challenge is None
    assert json.loads(answer.text)["error"]["code"] == "server_error"


def test_path_filter_prefixes_and_predicates() -> None:
    excluded = path_filter(["/health", "/public/"])
    assert excluded("/health") and excluded("/health/live") and excluded("/public") and excluded("/public/x")
    assert not excluded("/healthz") and not excluded("/") and not excluded("/publicity")
    one = path_filter("/docs")
    assert one("/docs") and not one("/d")
    assert path_filter(lambda p: p.endswith(".css"))("/a.css")
    assert not path_filter(None)("/anything")
    with pytest.raises(ValueError):
        path_filter(["health"])


def test_make_auth_takes_one_way_of_configuring() -> None:
    w = make_world()
    auth = BearerAuth(w.verifier)
    assert make_auth(None, auth) is auth
    assert make_auth(w.verifier, None, TRUSTED).trusted_proxies is not None
    with pytest.raises(TypeError):
        make_auth(w.verifier, auth)
    with pytest.raises(TypeError):
        make_auth(None, None)
