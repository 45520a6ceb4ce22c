# Writes the fuzz/corpus/http_edge/ seeds: the cases of tests/vectors/http_edge.json in
# arbitrary 1.x's encoding of the target's `Request` (see fuzz/README.md).
# Usage, from the repository root: python3 fuzz/make_http_edge_seeds.py .
import json, os, sys
root = sys.argv[1]
d = json.load(open(os.path.join(root, "tests/vectors/http_edge.json")))
tok = d["tokens"]
def vec(b):  # Vec<u8>: each byte after a 0x01, then 0x00
    return b"".join(b"\x01" + bytes([x]) for x in b) + b"\x00"
def vec_of(items):
    return b"".join(b"\x01" + i for i in items) + b"\x00"
def line(text):
    for n, t in (("{valid}", 1), ("{ip_limited}", 2), ("{revoked}", 3)):
        if n in text:
            p, s = text.split(n, 1)
            return vec(p.encode()) + bytes([t]) + vec(s.encode())
    for k, v in tok.items():
        text = text.replace("{" + k + "}", v)
    return vec(text.encode()) + b"\x00" + vec(b"")
sets = {(): 0, ("127.0.0.1",): 1, ("127.0.0.1", "10.0.0.0/8"): 2}
accepts = [[], [b"application/xml"], [b"application/json;q=0.5, text/xml"], [b"*/*"], [b"text/html", b"application/xml;q=0.9"]]
messages = [b"", b"a <message> & \"quotes\"", "caf\u00e9 \u2603".encode(), b"ctl\x01\x1b end", b"line\r\nbreak"]
out = os.path.join(root, "fuzz/corpus/http_edge")
os.makedirs(out, exist_ok=True)
n = 0
for i, c in enumerate(d["cases"]):
    if any("{oversized}" in a for a in c["authorization"]):
        continue  # 16 KiB: would raise libFuzzer's max_len for every input
    proxies = sets[tuple(c["trusted_proxies"])] | (8 if c["trust_unix_peers"] else 0)
    peer = b"\x00" if c["peer"] is None else b"\x01" + vec(c["peer"].encode())
    data = (bytes([proxies, i]) + peer
            + vec_of([line(a) for a in c["authorization"]])
            + vec_of([vec(x.encode()) for x in c["forwarded_for"]])
            + vec_of([vec(a) for a in accepts[i % len(accepts)]])
            + vec(messages[i % len(messages)]))
    open(os.path.join(out, "case-%02d" % i), "wb").write(data)
    n += 1
print(n, "seeds")
