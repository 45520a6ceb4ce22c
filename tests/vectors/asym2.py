"""asymmetric2.json: the RSA (RS256/384/512, PS256/384/512) and ECDSA P-384 / P-521 (ES384, ES512)
vectors — tokens, JWK Sets and PEM keys — in the format of asymmetric.json (README.md), written
from docs/keys.md with jose_rsa.py and jose_ec.py (standard library only, deterministic).

Imported by generate.py, which passes its claim builders in. Every verdict is "valid", "ok",
"public", "private" or an error code of docs/errors.md.
"""

import base64
import hashlib
import hmac
import json

import jose_curves as jc
import jose_der as der
import jose_ec as ec
import jose_rsa as rsa

NOW = 1_700_000_000
DROP = object()
RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGS = {"ES256": ec.P256, "ES384": ec.P384, "ES512": ec.P521}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def bits(alg: str) -> int:
    return int(alg[2:])


# --- the keys: one per kid, each pinned to one algorithm -----------------------------------------
# RSA moduli of 2048, 3072 and 4096 bits; the RS and PS keys of one size are different keys, and
# each is the "other key" of its partner (same size, so a wrong-key signature has the right length).
RSA_KEYS = {
    "rs256": rsa.RsaKey.generate(2048, "rs256"),
    "ps256": rsa.RsaKey.generate(2048, "ps256"),
    "rs384": rsa.RsaKey.generate(3072, "rs384"),
    "ps384": rsa.RsaKey.generate(3072, "ps384"),
    "rs512": rsa.RsaKey.generate(4096, "rs512"),
    "ps512": rsa.RsaKey.generate(4096, "ps512"),
}
PARTNER = {"rs256": "ps256", "ps256": "rs256", "rs384": "ps384", "ps384": "rs384", "rs512": "ps512",
           "ps512": "rs512"}
RSA_E3 = rsa.RsaKey.generate(2048, "e3", e=3)  # the smallest public exponent allowed
RSA_1024 = rsa.RsaKey.generate(1024, "small")
# 2047 bits: p of 1024 bits times q of 1023 bits, both with their top two bits set.
_s = rsa.Stream(b"auth-core vectors RSA 2047")
RSA_2047 = rsa.RsaKey(rsa._prime(1024, 65537, _s), rsa._prime(1023, 65537, _s))
assert RSA_2047.n.bit_length() == 2047
EC_D = {"es256": int.from_bytes(hashlib.sha256(b"auth-core vectors P-256 key").digest(), "big"),
        "es384": ec.P384.private("es384"), "es512": ec.P521.private("es512")}
EC_OTHER = {"es256": ec.P256.private("other"), "es384": ec.P384.private("other"),
            "es512": ec.P521.private("other")}
ED_SEED = bytes(range(1, 33))


def jwk_rsa(kid, key=None, **over):
    key = key or RSA_KEYS[kid]
    k = {"kty": "RSA", "kid": kid, "alg": kid.upper() if kid in RSA_KEYS else "RS256", "use": "sig",
         "n": b64(rsa.uint(key.n)), "e": b64(rsa.uint(key.e))}
    k.update(over)
    return {a: v for a, v in k.items() if v is not DROP}


def jwk_ec(kid, scalar=None, **over):
    alg = kid.upper()
    curve = EC_ALGS[alg]
    x, y = curve.public(EC_D[kid] if scalar is None else scalar)
    k = {"kty": "EC", "crv": curve.name, "x": b64(x), "y": b64(y), "kid": kid, "alg": alg, "use": "sig"}
    k.update(over)
    return {a: v for a, v in k.items() if v is not DROP}


def jwk_ed(**over):
    k = {"kty": "OKP", "crv": "Ed25519", "x": b64(jc.ed25519_public(ED_SEED)), "kid": "ed", "alg": "EdDSA",
         "use": "sig"}
    k.update(over)
    return k


MIXED_KIDS = list(RSA_KEYS) + ["rse3", "es256", "es384", "es512", "ed"]
MIXED = {"keys": [jwk_rsa(k) for k in RSA_KEYS] + [jwk_rsa("rse3", RSA_E3)]
         + [jwk_ec(k) for k in ("es256", "es384", "es512")] + [jwk_ed()]}
MIXED_TEXT = json.dumps(MIXED, separators=(",", ":"))


# A set where only rs256 (no alg: RS256) and es512 are read; the others are for other uses.
WITH_SKIPPED_TEXT = json.dumps({"keys": [
    jwk_rsa("rs256", alg=DROP), jwk_rsa("rs384", use="enc"), jwk_rsa("ps256", key_ops=["sign"]),
    jwk_ec("es384", key_ops=[]), jwk_rsa("ps384", alg="RSA-OAEP", use=DROP), jwk_ec("es512", key_ops=["verify"]),
]}, separators=(",", ":"))


# --- signers ------------------------------------------------------------------------------------
def signer(alg, kid):
    """The correct signature function of `alg` with the private key of `kid`."""
    if alg.startswith("RS"):
        key = RSA_E3 if kid == "rse3" else RSA_KEYS[kid]
        return lambda m: rsa.sign_v15(key, m, bits(alg))
    if alg.startswith("PS"):
        return lambda m: rsa.sign_pss(RSA_KEYS[kid], m, bits(alg))
    if alg.startswith("ES"):
        return lambda m: EC_ALGS[alg].sign(EC_D[kid], m)
    if alg == "EdDSA":
        return lambda m: jc.ed25519_sign(ED_SEED, m)
    raise ValueError(alg)


def make_token(claims, alg, kid, sign=None, header=None, mangle=None):
    h = b64(compact(header if header is not None else {"alg": alg, "typ": "JWT", "kid": kid}))
    p = b64(compact(claims))
    msg = f"{h}.{p}".encode()
    sig = (sign or signer(alg, kid))(msg)
    if mangle is not None:
        sig = mangle(sig)
    return f"{h}.{p}.{b64(sig)}"


def skipped_cases(user, expected):
    """Tokens against the set whose keys for other uses are left out."""
    out = []

    def case(name, tok, expect, claims=None):
        c = {"name": name, "ring": "with-skipped", "token": tok, "now": NOW, "expect": expect}
        if expect == "valid":
            c["claims"] = expected(claims)
        out.append(c)
    claims = user(jti="tok-skip-1")
    case("RS256 token on an RSA key without alg", make_token(claims, "RS256", "rs256"), "valid", claims)
    case("PS256 token on an RSA key without alg (RS256)",
         make_token(claims, "PS256", "rs256", sign=lambda m: rsa.sign_pss(RSA_KEYS["rs256"], m, 256)),
         "algorithm_not_allowed")
    case("ES512 token on a key with key_ops verify", make_token(claims, "ES512", "es512"), "valid", claims)
    for kid, why in [("rs384", "use enc"), ("ps256", "key_ops sign"), ("es384", "key_ops empty"),
                     ("ps384", "alg RSA-OAEP")]:
        alg = kid.upper()
        case(f"{alg} token on a key left out ({why})", make_token(claims, alg, kid), "unknown_key")
    return out


def flip(sig, at=7):
    b = bytearray(sig)
    b[at] ^= 0x10
    return bytes(b)


def vectors(user, reseller, expected):
    cases = []

    def case(name, tok, expect, claims=None, now=NOW):
        assert not any(c["name"] == name for c in cases), name
        c = {"name": name, "ring": "mixed", "token": tok, "now": now, "expect": expect}
        if expect == "valid":
            c["claims"] = expected(claims)
        cases.append(c)

    good = {}
    for kid in list(RSA_KEYS) + ["es384", "es512", "es256", "ed"]:
        alg = "EdDSA" if kid == "ed" else kid.upper()
        claims = (user if kid.startswith(("rs", "ed")) else reseller)(jti=f"tok-{kid}-1", scope="sms:send")
        tok = make_token(claims, alg, kid)
        good[kid] = (tok, claims)
        case(f"{alg} token", tok, "valid", claims)
        head, _, sig = tok.split(".")
        other = b64(compact(dict(claims, admin=True) if "admin" in claims else dict(claims, id=2)))
        case(f"{alg} payload swapped", f"{head}.{other}.{sig}", "bad_signature")
        case(f"{alg} signature bit flipped", make_token(claims, alg, kid, mangle=flip), "bad_signature")
        case(f"{alg} empty signature", make_token(claims, alg, kid, mangle=lambda s: b""), "bad_signature")
        case(f"{alg} signature one byte short", make_token(claims, alg, kid, mangle=lambda s: s[:-1]),
             "bad_signature")
        case(f"{alg} signature one byte long", make_token(claims, alg, kid, mangle=lambda s: s + b"\0"),
             "bad_signature")
        case(f"expired {alg} token", tok, "token_expired", now=claims["exp"] + 1)

    # RSA: wrong key, lengths, values, paddings, algorithm pins.
    for kid, key in RSA_KEYS.items():
        alg, partner = kid.upper(), RSA_KEYS[PARTNER[kid]]
        claims = good[kid][1]
        pad = rsa.sign_v15 if alg.startswith("RS") else rsa.sign_pss
        case(f"{alg} signed by another {key.n.bit_length()}-bit key",
             make_token(claims, alg, kid, sign=lambda m: pad(partner, m, bits(alg))), "bad_signature")
        case(f"{alg} signature with a zero byte put in front",
             make_token(claims, alg, kid, mangle=lambda s: b"\0" + s), "bad_signature")
        case(f"{alg} signature equal to the modulus",
             make_token(claims, alg, kid, mangle=lambda s: key.n.to_bytes(key.k, "big")), "bad_signature")
        case(f"{alg} signature of zeros", make_token(claims, alg, kid, mangle=lambda s: bytes(key.k)),
             "bad_signature")
    k256 = RSA_KEYS["rs256"]
    c256 = good["rs256"][1]

    # A signature whose first byte is zero: valid at the modulus length, refused one byte shorter.
    for i in range(2000):
        claims = dict(c256, jti=f"tok-rs256-lz-{i}")
        tok = make_token(claims, "RS256", "rs256")
        if base64.urlsafe_b64decode(tok.split(".")[2] + "==")[0] == 0:
            break
    else:
        raise AssertionError("no RS256 signature starting with a zero byte")
    case("RS256 signature starting with a zero byte", tok, "valid", claims)
    case("RS256 signature with its leading zero byte dropped",
         make_token(claims, "RS256", "rs256", mangle=lambda s: s[1:]), "bad_signature")
    ce3 = reseller(jti="tok-rse3-1")
    case("RS256 token under a public exponent of 3", make_token(ce3, "RS256", "rse3"), "valid", ce3)

    def v15_with(t, block_type=1):
        return lambda m: k256.raw_sign(rsa.pkcs1_v15_encode(k256.k, t(m), block_type))

    sha256 = lambda m: hashlib.sha256(m).digest()  # noqa: E731
    wrong_padding = [
        ("DigestInfo of SHA-384 (the hash of RS384)",
         lambda m: rsa.DIGEST_INFO[384] + hashlib.sha384(m).digest()),
        ("DigestInfo naming SHA-384 around a SHA-256 digest",
         lambda m: rsa.DIGEST_INFO[384][:-1] + b"\x20" + sha256(m)),
        ("DigestInfo without the NULL parameters",
         lambda m: bytes.fromhex("302f300b0609608648016503040201") + b"\x04\x20" + sha256(m)),
        ("the bare SHA-256 digest (no DigestInfo)", sha256),
        ("DigestInfo of SHA-1", lambda m: bytes.fromhex("3021300906052b0e03021a05000414") + hashlib.sha1(m).digest()),
        ("a byte after the digest", lambda m: rsa.DIGEST_INFO[256] + sha256(m) + b"\0"),
    ]
    for label, t in wrong_padding:
        case(f"RS256 padding with {label}", make_token(c256, "RS256", "rs256", sign=v15_with(t)), "bad_signature")
    case("RS256 padding of block type 2",
         make_token(c256, "RS256", "rs256", sign=v15_with(lambda m: rsa.DIGEST_INFO[256] + sha256(m), 2)),
         "bad_signature")
    cps = good["ps256"][1]
    kps = RSA_KEYS["ps256"]
    for label, kw in [("salt of 0 bytes", {"salt_len": 0}), ("salt of 20 bytes", {"salt_len": 20}),
                      ("salt of 33 bytes", {"salt_len": 33}), ("salt of 64 bytes", {"salt_len": 64}),
                      ("MGF1 over SHA-1", {"mgf_bits": 1})]:
        case(f"PS256 padding with a {label}" if "salt" in label else f"PS256 padding with {label}",
             make_token(cps, "PS256", "ps256", sign=lambda m, kw=kw: rsa.sign_pss(kps, m, 256, **kw)),
             "bad_signature")
    case("PS384 padding with a salt of 32 bytes (SHA-256's)",
         make_token(good["ps384"][1], "PS384", "ps384",
                    sign=lambda m: rsa.sign_pss(RSA_KEYS["ps384"], m, 384, salt_len=32)), "bad_signature")
    # Header alg against the key's pinned alg.
    case("RS256 header, PSS signature by the RS256 key",
         make_token(c256, "RS256", "rs256", sign=lambda m: rsa.sign_pss(k256, m, 256)), "bad_signature")
    case("PS256 header, PKCS#1 v1.5 signature by the PS256 key",
         make_token(cps, "PS256", "ps256", sign=lambda m: rsa.sign_v15(kps, m, 256)), "bad_signature")
    case("PS256 token on the RS256 key (signed PSS by that key)",
         make_token(c256, "PS256", "rs256", sign=lambda m: rsa.sign_pss(k256, m, 256)), "algorithm_not_allowed")
    case("RS256 token on the PS256 key (signed v1.5 by that key)",
         make_token(cps, "RS256", "ps256", sign=lambda m: rsa.sign_v15(kps, m, 256)), "algorithm_not_allowed")
    case("RS384 token on the RS256 key",
         make_token(c256, "RS384", "rs256", sign=lambda m: rsa.sign_v15(k256, m, 384)), "algorithm_not_allowed")
    case("RS256 token on the RS512 key",
         make_token(c256, "RS256", "rs512", sign=lambda m: rsa.sign_v15(RSA_KEYS["rs512"], m, 256)),
         "algorithm_not_allowed")
    hs = lambda secret: lambda m: hmac.new(secret, m, hashlib.sha256).digest()  # noqa: E731
    case("HS256 keyed with the RS256 public key PEM (confusion)",
         make_token(c256, "HS256", "rs256", sign=hs(k256.public_pem().encode())), "algorithm_not_allowed")
    case("HS256 keyed with the RS256 PKCS#1 PEM (confusion)",
         make_token(c256, "HS256", "rs256", sign=hs(k256.pkcs1_public_pem().encode())), "algorithm_not_allowed")
    case("HS256 keyed with the RS256 modulus bytes (confusion)",
         make_token(c256, "HS256", "rs256", sign=hs(rsa.uint(k256.n))), "algorithm_not_allowed")
    case("HS256 keyed with the ES384 public key PEM (confusion)",
         make_token(good["es384"][1], "HS256", "es384",
                    sign=hs(ec.P384.public_pem(EC_D["es384"]).encode())), "algorithm_not_allowed")
    case("alg none on the RS256 key", make_token(c256, "none", "rs256", sign=lambda m: b""),
         "algorithm_not_allowed")
    case("ES384 token on the RS384 key", make_token(c256, "ES384", "rs384", sign=signer("ES384", "es384")),
         "algorithm_not_allowed")
    case("RS256 token on the ES384 key", make_token(c256, "RS256", "es384", sign=signer("RS256", "rs256")),
         "algorithm_not_allowed")
    case("ES512 token on the ES384 key", make_token(c256, "ES512", "es384", sign=signer("ES512", "es512")),
         "algorithm_not_allowed")
    case("ES384 token on the ES512 key", make_token(c256, "ES384", "es512", sign=signer("ES384", "es384")),
         "algorithm_not_allowed")
    case("ES384 token on the ES256 key", make_token(c256, "ES384", "es256", sign=signer("ES384", "es384")),
         "algorithm_not_allowed")
    case("ES256 token on the ES384 key", make_token(c256, "ES256", "es384", sign=signer("ES256", "es256")),
         "algorithm_not_allowed")
    case("EdDSA token on the PS256 key", make_token(c256, "EdDSA", "ps256", sign=signer("EdDSA", "ed")),
         "algorithm_not_allowed")
    case("RS256 token with an unknown kid", make_token(c256, "RS256", "rs999", sign=signer("RS256", "rs256")),
         "unknown_key")
    case("RS256 token without kid (the set has many keys)",
         make_token(c256, "RS256", None, sign=signer("RS256", "rs256"), header={"alg": "RS256", "typ": "JWT"}),
         "unknown_key")

    # ECDSA P-384 / P-521: raw r‖s only, r and s in [1, n − 1], high S accepted.
    for kid in ("es384", "es512"):
        alg, curve = kid.upper(), EC_ALGS[kid.upper()]
        claims, size, n = good[kid][1], curve.size, curve.n
        high = make_token(claims, alg, kid, sign=lambda m: curve.sign(EC_D[kid], m, high_s=True))
        case(f"{alg} high-S signature accepted", high, "valid", claims)
        case(f"{alg} signed by another key",
             make_token(claims, alg, kid, sign=lambda m: curve.sign(EC_OTHER[kid], m)), "bad_signature")
        case(f"{alg} DER signature refused", make_token(claims, alg, kid, mangle=curve.der_signature),
             "bad_signature")
        zero, nn = bytes(size), n.to_bytes(size, "big")
        for label, f in [("r = 0", lambda s: zero + s[size:]), ("s = 0", lambda s: s[:size] + zero),
                         ("r = n", lambda s: nn + s[size:]), ("s = n", lambda s: s[:size] + nn)]:
            case(f"{alg} signature with {label}", make_token(claims, alg, kid, mangle=f), "bad_signature")
        if kid == "es512":  # 66-byte fields have room above n: s + n must not pass for s
            case("ES512 signature with s + n", make_token(claims, alg, kid, mangle=lambda s: s[:size] + (
                int.from_bytes(s[size:], "big") + n).to_bytes(size, "big")), "bad_signature")
        case(f"{alg} signature of the other curve's length",
             make_token(claims, alg, kid, sign=signer("ES512" if alg == "ES384" else "ES384",
                                                      "es512" if alg == "ES384" else "es384")), "bad_signature")

    # --- JWK Sets -------------------------------------------------------------------------------
    jwks = [{"name": "mixed set (RSA, EC P-256/384/521, OKP)", "jwks": MIXED_TEXT, "expect": "ok",
             "kids": MIXED_KIDS},
            {"name": "EC P-384 and P-521 keys without alg and use", "expect": "ok", "kids": ["es384", "es512"],
             "jwks": json.dumps({"keys": [jwk_ec("es384", alg=DROP, use=DROP),
                                          jwk_ec("es512", alg=DROP, use=DROP)]})},
            {"name": "RSA key_ops verify", "expect": "ok", "kids": ["rs256", "ps256"],
             "jwks": json.dumps({"keys": [jwk_rsa("rs256", key_ops=["verify"]),
                                          jwk_rsa("ps256", key_ops=["sign", "verify"])]})},
            {"name": "RSA with x5t and unknown members", "expect": "ok", "kids": ["rs384"],
             "jwks": json.dumps({"keys": [jwk_rsa("rs384", x5t="abc", ext=True)]})},
            {"name": "RSA public exponent 3", "expect": "ok", "kids": ["rse3"],
             "jwks": json.dumps({"keys": [jwk_rsa("rse3", RSA_E3)]})},
            {"name": "RSA key without alg (pinned to RS256)", "expect": "ok", "kids": ["rs256"],
             "jwks": json.dumps({"keys": [jwk_rsa("rs256", alg=DROP)]})},
            {"name": "RSA key_ops encrypt and verify (verify listed: read)", "expect": "ok", "kids": ["rs256"],
             "jwks": json.dumps({"keys": [jwk_rsa("rs256", key_ops=["encrypt", "verify"])]})},
            # RFC 7517 §4.2/§4.3: a key for another use or other operations is left out of the ring.
            {"name": "keys for other uses left out (use enc, key_ops without verify, JWE alg)", "expect": "ok",
             "kids": ["rs256", "es512"], "jwks": WITH_SKIPPED_TEXT}]

    def bad(name, *keys, raw=None, names=None):
        assert not any(c["name"] == name for c in jwks), name
        text = raw if raw is not None else json.dumps({"keys": list(keys)})
        jwks.append({"name": name, "jwks": text, "expect": "invalid_key", "names": names})

    n256 = rsa.uint(k256.n)
    bad("RSA key of 1024 bits", jwk_rsa("small", RSA_1024), names="small")
    bad("RSA key of 2047 bits", jwk_rsa("r2047", RSA_2047), names="r2047")
    odd8200 = int.from_bytes(rsa.Stream(b"8200").read(1025), "big") | (1 << 8199) | 1
    bad("RSA modulus of 8200 bits", jwk_rsa("huge", RSA_1024, n=b64(rsa.uint(odd8200))), names="huge")
    bad("RSA public exponent 1", jwk_rsa("rs256", e=b64(b"\x01")), names="rs256")
    bad("RSA even public exponent (65538)", jwk_rsa("rs256", e=b64(rsa.uint(65538))), names="rs256")
    bad("RSA public exponent 2", jwk_rsa("rs256", e=b64(b"\x02")), names="rs256")
    bad("RSA n with a leading zero octet", jwk_rsa("rs256", n=b64(b"\0" + n256)), names="rs256")
    bad("RSA e with a leading zero octet", jwk_rsa("rs256", e="AAEAAQ"), names="rs256")
    bad("RSA n padded base64", jwk_rsa("rs256", n=b64(n256) + "=="), names="rs256")
    bad("RSA n in standard base64", jwk_rsa("rs256", n=base64.b64encode(n256).decode().rstrip("=")),
        names="rs256")
    bad("RSA missing n", jwk_rsa("rs256", n=DROP), names="rs256")
    bad("RSA missing e", jwk_rsa("rs256", e=DROP), names="rs256")
    bad("RSA n not a string", jwk_rsa("rs256", n=12345), names="rs256")
    bad("RSA even modulus", jwk_rsa("rs256", n=b64(rsa.uint(k256.n + 1))), names="rs256")
    bad("RSA public exponent of 33 bits", jwk_rsa("rs256", e=b64(rsa.uint(2**32 + 1))), names="rs256")
    bad("RSA key with alg ES256", jwk_rsa("rs256", alg="ES256"), names="rs256")
    bad("RSA key with alg HS256", jwk_rsa("rs256", alg="HS256"), names="rs256")
    bad("RSA key with alg RS1", jwk_rsa("rs256", alg="RS1"), names="rs256")
    bad("RSA key_ops verify twice", jwk_rsa("rs256", key_ops=["verify", "verify"]), names="rs256")
    bad("RSA key_ops not an array", jwk_rsa("rs256", key_ops="verify"), names="rs256")
    for member, value in [("d", k256.d), ("p", k256.p), ("q", k256.q), ("dp", k256.dp), ("dq", k256.dq),
                          ("qi", k256.qi)]:
        bad(f"RSA private member {member} in a public set", jwk_rsa("rs256", **{member: b64(rsa.uint(value))}),
            names="rs256")
    bad("RSA private member oth in a public set", jwk_rsa("rs256", oth=[{"r": "AQ", "d": "AQ", "t": "AQ"}]),
        names="rs256")
    bad("kty RSA with EC members only", jwk_ec("es384", kty="RSA"), names="es384")
    bad("mixed set with one bad key (RSA 1024 among good keys)",
        *MIXED["keys"], jwk_rsa("small", RSA_1024), names="small")
    for kid in ("es384", "es512"):
        curve = EC_ALGS[kid.upper()]
        x, y = curve.public(EC_D[kid])
        yy = ((int.from_bytes(y, "big") + 1) % curve.p).to_bytes(curve.size, "big")
        bad(f"{curve.name} point not on the curve", jwk_ec(kid, y=b64(yy)), names=kid)
        bad(f"{curve.name} x one byte short", jwk_ec(kid, x=b64(x[1:])), names=kid)
        bad(f"{curve.name} y one byte long", jwk_ec(kid, y=b64(b"\0" + y)), names=kid)
        bad(f"{curve.name} x = p (out of the field)", jwk_ec(kid, x=b64(curve.p.to_bytes(curve.size, "big"))),
            names=kid)
        bad(f"{curve.name} private d in a public set", jwk_ec(kid, d=b64(EC_D[kid].to_bytes(curve.size, "big"))),
            names=kid)
        bad(f"{curve.name} missing y", jwk_ec(kid, y=DROP), names=kid)
        bad(f"{curve.name} kty OKP", jwk_ec(kid, kty="OKP"), names=kid)
    bad("crv P-384 with alg ES512", jwk_ec("es384", alg="ES512"), names="es384")
    bad("crv P-521 with alg ES384", jwk_ec("es512", alg="ES384"), names="es512")
    bad("crv P-384 with alg ES256", jwk_ec("es384", alg="ES256"), names="es384")
    bad("crv P-521 with P-384 coordinates", jwk_ec("es384", crv="P-521", alg="ES512"), names="es384")
    bad("crv P-384 with P-521 coordinates", jwk_ec("es512", crv="P-384", alg="ES384"), names="es512")
    bad("crv secp256k1 with alg ES256K", jwk_ec("es256", crv="secp256k1", alg="ES256K"), names="es256")

    # --- PEM --------------------------------------------------------------------------------------
    k384 = RSA_KEYS["rs384"]
    pem = []

    def pem_case(name, kid, text, expect, alg=None, verifies=None, pin=None):
        """`alg`: the key's algorithm; `pin`: the algorithm the reader is given (absent: the
        reader picks, RS256 for an RSA key, which cannot say whether it is RS or PS)."""
        c = {"name": name, "kid": kid, "pem": text, "expect": expect}
        if alg:
            c["alg"] = alg
        if verifies:
            c["verifies"] = verifies
        if pin:
            c["pin"] = pin
        pem.append(c)

    pkcs1_private = der.pem("RSA PRIVATE KEY", der.seq(*(der.integer(v) for v in (
        0, k256.n, k256.e, k256.d, k256.p, k256.q, k256.dp, k256.dq, k256.qi))))
    pem_case("RSA 2048 SPKI (RS256 when not pinned)", "rs256", k256.public_pem(), "public", "RS256",
             good["rs256"][0])
    pem_case("RSA 2048 SPKI pinned to RS256", "rs256", k256.public_pem(), "public", "RS256", good["rs256"][0],
             pin="RS256")
    pem_case("RSA 2048 PKCS#1 RSA PUBLIC KEY", "rs256", k256.pkcs1_public_pem(), "public", "RS256",
             good["rs256"][0])
    pem_case("RSA 2048 PKCS#1 RSA PRIVATE KEY", "rs256", pkcs1_private, "private", "RS256", good["rs256"][0])
    pem_case("RSA 2048 PKCS#8", "rs256", k256.private_pem(), "private", "RS256", good["rs256"][0])
    pem_case("RSA 2048 PKCS#8 pinned to PS256", "ps256", RSA_KEYS["ps256"].private_pem(), "private", "PS256",
             good["ps256"][0], pin="PS256")
    pem_case("RSA 2048 SPKI pinned to PS256", "ps256", RSA_KEYS["ps256"].public_pem(), "public", "PS256",
             good["ps256"][0], pin="PS256")
    pem_case("RSA 3072 SPKI pinned to RS384", "rs384", k384.public_pem(), "public", "RS384", good["rs384"][0],
             pin="RS384")
    pem_case("RSA 3072 PKCS#1 RSA PUBLIC KEY pinned to PS384", "ps384", RSA_KEYS["ps384"].pkcs1_public_pem(),
             "public", "PS384", good["ps384"][0], pin="PS384")
    pem_case("RSA 4096 PKCS#8 pinned to RS512", "rs512", RSA_KEYS["rs512"].private_pem(), "private", "RS512",
             good["rs512"][0], pin="RS512")
    pem_case("RSA 4096 PKCS#8 pinned to PS512", "ps512", RSA_KEYS["ps512"].private_pem(), "private", "PS512",
             good["ps512"][0], pin="PS512")
    for kid in ("es384", "es512"):
        curve, alg = EC_ALGS[kid.upper()], kid.upper()
        pem_case(f"{curve.name} SPKI", kid, curve.public_pem(EC_D[kid]), "public", alg, good[kid][0])
        pem_case(f"{curve.name} PKCS#8", kid, curve.private_pem(EC_D[kid]), "private", alg, good[kid][0])
        pem_case(f"{curve.name} SPKI pinned to {alg}", kid, curve.public_pem(EC_D[kid]), "public", alg,
                 good[kid][0], pin=alg)
    x384, _ = ec.P384.public(EC_D["es384"])
    for name, text in [
        ("RSA 1024 SPKI", RSA_1024.public_pem()),
        ("RSA 1024 PKCS#8", RSA_1024.private_pem()),
        ("RSA 2047 SPKI", RSA_2047.public_pem()),
        ("RSA 1024 PKCS#1 RSA PUBLIC KEY", RSA_1024.pkcs1_public_pem()),
        ("RSA SPKI with public exponent 1", der.pem("PUBLIC KEY", der.seq(
            der.seq(der.oid(rsa.RSA_OID), der.null()), der.bit_string(der.seq(der.integer(k256.n),
                                                                                 der.integer(1)))))),
        ("RSA PUBLIC KEY label holding an SPKI", der.pem("RSA PUBLIC KEY", k256.spki_der())),
        ("RSA PKCS#1 key under the PUBLIC KEY label", der.pem("PUBLIC KEY", k256.public_der())),
        ("RSA id-RSASSA-PSS SPKI", der.pem("PUBLIC KEY", der.seq(der.seq(der.oid("1.2.840.113549.1.1.10")),
                                                                der.bit_string(k256.public_der())))),
        ("P-384 SPKI point not on the curve",
         der.pem("PUBLIC KEY", ec.P384.spki_der(point=b"\x04" + x384 + bytes(48)))),
        ("P-521 SEC1 EC PRIVATE KEY label",
         ec.P521.private_pem(EC_D["es512"]).replace("PRIVATE KEY", "EC PRIVATE KEY")),
    ]:
        pem_case(name, "bad1", text, "invalid_key")
    for name, text, pin in [
        ("RSA SPKI pinned to ES256", k256.public_pem(), "ES256"),
        ("RSA PKCS#8 pinned to HS256", k256.private_pem(), "HS256"),
        ("RSA 1024 SPKI pinned to PS256", RSA_1024.public_pem(), "PS256"),
        ("P-384 SPKI pinned to ES512", ec.P384.public_pem(EC_D["es384"]), "ES512"),
        ("P-521 PKCS#8 pinned to RS256", ec.P521.private_pem(EC_D["es512"]), "RS256"),
        ("P-384 SPKI pinned to ES256", ec.P384.public_pem(EC_D["es384"]), "ES256"),
    ]:
        pem_case(name, "bad1", text, "invalid_key", pin=pin)

    return {"rings": {"mixed": MIXED_TEXT, "with-skipped": WITH_SKIPPED_TEXT},
            "cases": cases + skipped_cases(user, expected), "jwks": jwks, "pem": pem}
