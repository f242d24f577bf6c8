"""HTTP Digest access authentication (RFC 7616, RFC 2617's ``qop=auth``), for endpoints
that ask it instead of Basic: Virtuoso's authenticated SPARQL and Graph Store endpoints
(``/sparql-auth``, ``/sparql-graph-crud-auth``) answer Basic with a Digest challenge.

:func:`challenge` reads a ``WWW-Authenticate`` header; :func:`authorization` answers it.

The example of RFC 2617, section 3.5:

>>> c = challenge('Digest realm="testrealm@host.com", qop="auth,auth-int", '
...               'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
>>> c["realm"], supported(c)
('testrealm@host.com', True)
>>> authorization(c, "GET", "/dir/index.html", "Mufasa", "Circle Of Life", count=1,
...               cnonce="0a4f113b").split(", ")[4]
'response="6629fae49393a05397450978507c4ef1"'
>>> challenge('Basic realm="x"') is None
True
"""
from __future__ import annotations

import hashlib
import secrets
import urllib.request

_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def challenge(header: str) -> dict[str, str] | None:
    """The parameters of a Digest challenge (keys lower-cased), or None where ``header``
    is not one (another scheme, or no realm and nonce)."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    try:
        params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
    except ValueError:  # an item without "="
        return None
    params = {k.strip().lower(): v for k, v in params.items()}
    return params if "realm" in params and "nonce" in params else None


def supported(chal: dict[str, str]) -> bool:
    """Whether :func:`authorization` can answer ``chal`` (MD5 or SHA-256, with or without
    ``-sess``; ``qop`` absent or offering ``auth``)."""
    algorithm = chal.get("algorithm", "MD5").upper().removesuffix("-SESS")
    qops = [q.strip() for q in chal.get("qop", "auth").split(",")]
    return algorithm in _HASHES and "auth" in qops


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authorization(chal: dict[str, str], method: str, uri: str, user: str, password: str,
                  count: int = 1, cnonce: str | None = None) -> str:
    """The ``Authorization`` header value answering ``chal`` for ``method`` on ``uri``
    (the request target: path and query), the ``count``-th use of its nonce."""
    if not supported(chal):
        raise ValueError("a Digest challenge kg cannot answer")
    algorithm = chal.get("algorithm", "MD5")
    base = algorithm.upper().removesuffix("-SESS")

    def h(text: str) -> str:
        return _HASHES[base](text.encode("utf-8")).hexdigest()

    realm, nonce = chal["realm"], chal["nonce"]
    cnonce = cnonce or secrets.token_hex(8)
    nc = f"{count:08x}"
    a1 = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        a1 = h(f"{a1}:{nonce}:{cnonce}")
    a2 = h(f"{method}:{uri}")
    qop = "qop" in chal
    response = h(f"{a1}:{nonce}:{nc}:{cnonce}:auth:{a2}" if qop else f"{a1}:{nonce}:{a2}")
    fields = [f"username={_quoted(user)}", f"realm={_quoted(realm)}", f"nonce={_quoted(nonce)}",
              f"uri={_quoted(uri)}", f'response="{response}"', f"algorithm={algorithm}"]
    if "opaque" in chal:
        fields.append(f"opaque={_quoted(chal['opaque'])}")
    if qop:
        fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    return "Digest " + ", ".join(fields)
