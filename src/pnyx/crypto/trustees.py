"""Trustees of a verifiable vote: their keys, the threshold key generation, and the
combination of their partial decryptions into the result.

Follows the Belenios 2.0 specification (``doc/specification.tex``) and its OCaml reference
(``src/lib/v1/trustees.ml``, ``src/common/tool/tool_tkeygen.ml``, ``src/tool/setup.ml``):

- section "Verification keys": a ``trustee_public_key`` {pok, public_key} with its proof of
  knowledge (``prove_key``, ``check_key``, ``generate_single``);
- section "Messages specific to threshold decryption support": the PKI (seed, derived signing
  and decryption keys, Schnorr signatures, ElGamal + AES-CCM encryption), certificates,
  channels, polynomials, vinputs, voutputs and threshold parameters; ``step1`` ... ``step6``
  are byte-compatible with ``belenios-tool setup generate-trustee-key-threshold --step 1..6``
  (steps 1, 3, 5 are the trustee's, steps 2, 4, 6 the server's);
- section "Trustees": ``Trustees.from_json`` (the list of ``["Single", ...]`` /
  ``["Pedersen", ...]`` items), its checks and the election public key;
- sections "Partial decryptions" and "Election result": ``decryption_factors``,
  ``check_decryption_factors`` and ``Trustees.combine`` (owners numbered from 1 over the
  trustees, a Pedersen item counting one owner per verification key; Lagrange coefficients over
  the first ``threshold`` owners present of each Pedersen item).

All JSON texts are written as Belenios (atdgen) writes them: compact, fields in the order of
``serializable.atd``. Pure: no Django.
"""

from __future__ import annotations

import hashlib
import json
import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import groups
from .groups import Group

Rng = Callable[[], int] | None
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class TrusteeError(ValueError):
    """A key, certificate, message or partial decryption that does not validate."""


def dumps(obj: Any) -> str:
    """JSON as Belenios writes it (compact, no ASCII escaping)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _rand(group: Group, rng: Rng) -> int:
    return rng() if rng is not None else group.random_scalar()


def _proof(c: int, r: int) -> dict:
    return {"challenge": str(c), "response": str(r)}


def _read_proof(group: Group, p: Any) -> tuple[int, int]:
    if not isinstance(p, dict):
        raise TrusteeError("a proof must be an object")
    try:
        return group.scalar_from_str(p["challenge"]), group.scalar_from_str(p["response"])
    except (KeyError, groups.GroupError) as e:
        raise TrusteeError(f"malformed proof: {e}") from None


def _elt(group: Group, s: Any) -> Any:
    try:
        return group.from_str(s)
    except groups.GroupError as e:
        raise TrusteeError(str(e)) from None


# --- Verification keys (section "Verification keys") -------------------------------------


def _pok_prefix(group: Group, y: Any) -> str:
    # H_pok(X, A) = SHA256("pok|" G "|" X "|" A), G the group's name (trustees.ml: G.description)
    return f"pok|{group.name}|{group.to_str(y)}|"


def prove_key(group: Group, x: int, rng: Rng = None) -> dict:
    """The ``trustee_public_key`` of the private key x: {pok, public_key}."""
    y = group.g_pow(x)
    w = _rand(group, rng)
    c = group.hash(_pok_prefix(group, y), [group.g_pow(w)])
    return {"pok": _proof(c, (w - x * c) % group.q), "public_key": group.to_str(y)}


def check_key(group: Group, tpk: Any) -> Any:
    """Checks a ``trustee_public_key`` (A = g^response·X^challenge, challenge = H_pok(X, A));
    returns the public key X. Raises TrusteeError."""
    if not isinstance(tpk, dict) or "pok" not in tpk or "public_key" not in tpk:
        raise TrusteeError("a trustee public key must have 'pok' and 'public_key'")
    y = _elt(group, tpk["public_key"])
    c, r = _read_proof(group, tpk["pok"])
    a = group.mul(group.g_pow(r), group.pow(y, c))
    if group.hash(_pok_prefix(group, y), [a]) != c:
        raise TrusteeError("the proof of knowledge of the trustee's key is wrong")
    return y


def generate_single(group: Group | str, rng: Rng = None) -> tuple[str, str]:
    """A "Single" trustee key, as ``belenios-tool setup generate-trustee-key``: (the private
    key file's text, a JSON string of the number; the ``trustee_public_key`` JSON text)."""
    group = groups.get(group) if isinstance(group, str) else group
    x = _rand(group, rng)
    return dumps(str(x)), dumps(prove_key(group, x, rng))


def single_key_id(group: Group, public_key_json: str) -> str:
    """The file name Belenios gives a Single key: 8 upper-case hex digits of SHA-256(X)."""
    y = group.from_str(json.loads(public_key_json)["public_key"])
    return sha256_hex(group.to_str(y))[:8].upper()


def read_private_key(group: Group, text: str) -> int:
    """The private key of a ``.privkey`` file (a JSON string of a number)."""
    v = json.loads(text.strip())
    return group.scalar_from_str(v) if isinstance(v, str) else int(v) % group.q


# --- PKI (section "Public key infrastructure") -------------------------------------------


def genkey(rng: Callable[[int], int] | None = None) -> str:
    """A secret seed: 22 Base58 characters."""
    pick = rng or _secrets.randbelow
    return "".join(B58[pick(58)] for _ in range(22))


def derive_sk(seed: str) -> int:
    """The signing key: SHA256("sk|" seed) as a number (not reduced, as trustees.ml)."""
    return int(sha256_hex("sk|" + seed), 16)


def derive_dk(seed: str) -> int:
    """The decryption key: SHA256("dk|" seed) as a number."""
    return int(sha256_hex("dk|" + seed), 16)


def sign(group: Group, sk: int, message: str, rng: Rng = None) -> dict:
    """A ``signed_msg``: challenge = SHA256("sigmsg|" M "|" A), response = w - sk·challenge."""
    w = _rand(group, rng)
    c = group.hash(f"sigmsg|{message}|", [group.g_pow(w)])
    return {"message": message, "signature": _proof(c, (w - sk * c) % group.q)}


def verify_signed(group: Group, vk: Any, signed: Any) -> bool:
    """Checks a ``signed_msg`` against the verification key vk."""
    if not isinstance(signed, dict) or not isinstance(signed.get("message"), str):
        return False
    try:
        c, r = _read_proof(group, signed.get("signature"))
    except TrusteeError:
        return False
    a = group.mul(group.g_pow(r), group.pow(vk, c))
    return group.hash(f"sigmsg|{signed['message']}|", [a]) == c


def _ccm_nonce(iv: bytes, length: int) -> bytes:
    # SJCL's CCM (platform.ml): L = 2..4 bytes of length, the nonce is the IV's first 15 - L
    ell = 2
    while ell < 4 and length >> (8 * ell):
        ell += 1
    return iv[: 15 - ell]


def aes_ccm_encrypt(key_hex: str, iv_hex: str, plaintext: str) -> str:
    """AES-256-CCM with a 64-bit tag (SJCL's, as Belenios's Platform.encrypt); hex out."""
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM

    data = plaintext.encode()
    nonce = _ccm_nonce(bytes.fromhex(iv_hex), len(data))
    return AESCCM(bytes.fromhex(key_hex), tag_length=8).encrypt(nonce, data, None).hex()


def aes_ccm_decrypt(key_hex: str, iv_hex: str, ciphertext_hex: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM

    data = bytes.fromhex(ciphertext_hex)
    nonce = _ccm_nonce(bytes.fromhex(iv_hex), len(data) - 8)
    try:
        return AESCCM(bytes.fromhex(key_hex), tag_length=8).decrypt(nonce, data, None).decode()
    except InvalidTag:
        raise TrusteeError(
            "the encrypted message does not decrypt (wrong key or altered)"
        ) from None


def encrypt(group: Group, ek: Any, message: str, rng: Rng = None) -> dict:
    """An ``encrypted_msg`` {alpha, beta, data}: alpha = g^r, beta = ek^r·g^s, data =
    AES-CCM(SHA256("key|" g^s), SHA256("iv|" g^r), M)."""
    r = _rand(group, rng)
    s = _rand(group, rng)
    key = group.g_pow(s)
    alpha = group.g_pow(r)
    beta = group.mul(group.pow(ek, r), key)
    data = aes_ccm_encrypt(
        sha256_hex("key|" + group.to_str(key)), sha256_hex("iv|" + group.to_str(alpha)), message
    )
    return {"alpha": group.to_str(alpha), "beta": group.to_str(beta), "data": data}


def decrypt(group: Group, dk: int, msg: Any) -> str:
    alpha = _elt(group, msg["alpha"])
    beta = _elt(group, msg["beta"])
    key = group.div(beta, group.pow(alpha, dk))
    return aes_ccm_decrypt(
        sha256_hex("key|" + group.to_str(key)),
        sha256_hex("iv|" + group.to_str(alpha)),
        msg["data"],
    )


# --- Certificates and channels ------------------------------------------------------------


def make_cert(group: Group, seed: str, rng: Rng = None) -> dict:
    """A ``cert``: the ``cert_keys`` {verification: g^sk, encryption: g^dk}, signed by sk."""
    sk, dk = derive_sk(seed), derive_dk(seed)
    keys = {
        "verification": group.to_str(group.g_pow(sk)),
        "encryption": group.to_str(group.g_pow(dk)),
    }
    return sign(group, sk, dumps(keys), rng)


def cert_keys(group: Group, cert: dict) -> tuple[Any, Any]:
    """(verification key, encryption key) of a certificate, checked to be signed."""
    try:
        keys = json.loads(cert["message"])
        vk, ek = _elt(group, keys["verification"]), _elt(group, keys["encryption"])
    except (KeyError, TypeError, ValueError) as e:
        raise TrusteeError(f"malformed certificate: {e}") from None
    if not verify_signed(group, vk, cert):
        raise TrusteeError("the certificate's signature is wrong")
    return vk, ek


def send(group: Group, sk: int, recipient: Any, message: str, rng: Rng = None) -> str:
    """Section "Channels": sign {recipient, message} with sk, encrypt it for recipient; the
    serialized ``encrypted_msg``."""
    msg = dumps({"recipient": group.to_str(recipient), "message": message})
    signed = sign(group, sk, msg, rng)
    return dumps(encrypt(group, recipient, dumps(signed), rng))


def recv(group: Group, dk: int, vk: Any, text: str) -> str:
    signed = json.loads(decrypt(group, dk, json.loads(text)))
    if not verify_signed(group, vk, signed):
        raise TrusteeError("invalid signature on received message")
    msg = json.loads(signed["message"])
    if not group.eq(_elt(group, msg["recipient"]), group.g_pow(dk)):
        raise TrusteeError("invalid recipient on received message")
    return msg["message"]


# --- Threshold key generation (sections "Polynomials", "Vinputs", "Voutputs") ------------


def _group(group: Group | str) -> Group:
    return groups.get(group) if isinstance(group, str) else group


def _certs(group: Group, certs: Sequence[str] | str) -> tuple[list[dict], list[tuple]]:
    """The certificates (a list of JSON texts, or the text of a ``certs.jsons`` file, one per
    line) and their checked keys. Raises TrusteeError naming the first bad one (step 2)."""
    if isinstance(certs, str):
        certs = [line for line in certs.splitlines() if line.strip()]
    parsed = [json.loads(c) if isinstance(c, str) else c for c in certs]
    keys = []
    for i, c in enumerate(parsed):
        try:
            keys.append(cert_keys(group, c))
        except TrusteeError:
            raise TrusteeError(f"certificate {i + 1} does not validate") from None
    return parsed, keys


def _lines(xs: Sequence[str] | str) -> list[str]:
    if isinstance(xs, str):
        return [line for line in xs.splitlines() if line.strip()]
    return list(xs)


def _find_me(group: Group, keys: list[tuple], seed: str) -> int:
    vk, ek = group.g_pow(derive_sk(seed)), group.g_pow(derive_dk(seed))
    for i, (v, e) in enumerate(keys):
        if group.eq(v, vk) and group.eq(e, ek):
            return i + 1
    raise TrusteeError("could not find my certificate")


def cert_id(cert_json: str) -> str:
    """The file name Belenios gives a certificate: SHA-256 (hex) of its message."""
    return sha256_hex(json.loads(cert_json)["message"])


def step1(group: Group | str, rng: Rng = None, seed_rng=None) -> tuple[str, str]:
    """Trustee, step 1: (the secret seed, the ``.key`` file; the certificate JSON text)."""
    group = _group(group)
    seed = genkey(seed_rng)
    return seed, dumps(make_cert(group, seed, rng))


def step2(group: Group | str, certs: Sequence[str] | str) -> None:
    """Server, step 2: every certificate validates (raises TrusteeError otherwise)."""
    _certs(_group(group), certs)


def _eval_poly(q: int, poly: Sequence[int], x: int) -> int:
    # trustees.ml eval_poly: res := res + (cur * a_i mod q); cur := cur * x mod q
    cur, res = 1, 0
    for a in poly:
        res = res + cur * a % q
        cur = cur * x % q
    return res


def step3(
    group: Group | str, certs: Sequence[str] | str, seed: str, threshold: int, rng: Rng = None
) -> str:
    """Trustee, step 3: a random polynomial of degree threshold-1; the ``polynomial`` JSON
    text {polynomial (sent to oneself), secrets (P(j) sent to each trustee j), coefexps
    (g^a_k, signed)}."""
    group = _group(group)
    parsed, keys = _certs(group, certs)
    _find_me(group, keys, seed)
    if not 1 <= threshold <= len(keys):
        raise TrusteeError("the threshold must be between 1 and the number of trustees")
    sk, dk = derive_sk(seed), derive_dk(seed)
    ek = group.g_pow(dk)
    poly = [_rand(group, rng) for _ in range(threshold)]
    p_polynomial = send(group, sk, ek, dumps({"polynomial": [str(a) for a in poly]}), rng)
    coefexps = dumps({"coefexps": [group.to_str(group.g_pow(a)) for a in poly]})
    p_coefexps = sign(group, sk, coefexps, rng)
    p_secrets = []
    for j, (_, ekj) in enumerate(keys):
        secret = dumps({"secret": str(_eval_poly(group.q, poly, j + 1))})
        p_secrets.append(send(group, sk, ekj, secret, rng))
    return dumps({"polynomial": p_polynomial, "secrets": p_secrets, "coefexps": p_coefexps})


def _coefexps(group: Group, keys: list[tuple], signed_list: list[dict]) -> list[list[Any]]:
    out = []
    for i, x in enumerate(signed_list):
        if not verify_signed(group, keys[i][0], x):
            raise TrusteeError(f"coefexps {i + 1} does not validate")
        try:
            out.append([_elt(group, c) for c in json.loads(x["message"])["coefexps"]])
        except (KeyError, TypeError, ValueError):
            raise TrusteeError(f"coefexps {i + 1} is malformed") from None
    if not out or any(len(c) != len(out[0]) or not c for c in out):
        raise TrusteeError("the coefexps do not all have the threshold's length")
    return out


def step4(
    group: Group | str, certs: Sequence[str] | str, polynomials: Sequence[str] | str
) -> list[str]:
    """Server, step 4: from the n polynomials, the n ``vinput`` JSON texts (one per trustee,
    in the order of the certificates)."""
    group = _group(group)
    parsed, keys = _certs(group, certs)
    polys = [json.loads(p) for p in _lines(polynomials)]
    if len(polys) != len(keys):
        raise TrusteeError("as many polynomials as certificates are needed")
    coefexps = [p["coefexps"] for p in polys]
    _coefexps(group, keys, coefexps)
    return [
        dumps(
            {
                "polynomial": polys[j]["polynomial"],
                "secrets": [polys[i]["secrets"][j] for i in range(len(polys))],
                "coefexps": coefexps,
            }
        )
        for j in range(len(polys))
    ]


def _gsij(group: Group, coefs: Sequence[Any], j: int) -> Any:
    acc, jk = group.one, 1
    for c in coefs:
        acc = group.mul(acc, group.pow(c, jk))
        jk *= j
    return acc


def step5(
    group: Group | str, certs: Sequence[str] | str, seed: str, vinput: str, rng: Rng = None
) -> str:
    """Trustee, step 5: checks the received secrets against the coefexps, sums them into the
    trustee's decryption key; the ``voutput`` JSON text {private_key (sent to oneself),
    public_key (its trustee_public_key, with a pok)}."""
    group = _group(group)
    parsed, keys = _certs(group, certs)
    j = _find_me(group, keys, seed)
    sk, dk = derive_sk(seed), derive_dk(seed)
    vk, ek = group.g_pow(sk), group.g_pow(dk)
    vi = json.loads(vinput)
    poly = json.loads(recv(group, dk, vk, vi["polynomial"]))["polynomial"]
    threshold = len(poly)
    n = len(keys)
    if len(vi["secrets"]) != n or len(vi["coefexps"]) != n:
        raise TrusteeError("the vinput does not have one secret and one coefexps per trustee")
    secrets = [
        int(json.loads(recv(group, dk, keys[i][0], vi["secrets"][i]))["secret"]) for i in range(n)
    ]
    coefexps = _coefexps(group, keys, vi["coefexps"])
    for i in range(n):
        if len(coefexps[i]) != threshold:
            raise TrusteeError(f"coefexps {i + 1} does not have the threshold's length")
        if not group.eq(group.g_pow(secrets[i]), _gsij(group, coefexps[i], j)):
            raise TrusteeError(f"secret {i + 1} does not validate")
    pdk = sum(secrets)
    vo_public_key = prove_key(group, pdk, rng)
    private_key = send(group, sk, ek, dumps({"decryption_key": str(pdk)}), rng)
    return dumps({"private_key": private_key, "public_key": vo_public_key})


def verification_keys(group: Group, coefexps: Sequence[Sequence[Any]]) -> list[Any]:
    """Section "Threshold parameters": the verification key of trustee j (1-based) is
    prod_i prod_k coefexps_i,k ^ (j^k)."""
    return [group.prod(_gsij(group, c, j) for c in coefexps) for j in range(1, len(coefexps) + 1)]


def step6(
    group: Group | str,
    certs: Sequence[str] | str,
    polynomials: Sequence[str] | str,
    voutputs: Sequence[str] | str,
) -> tuple[str, list[str]]:
    """Server, step 6: checks each voutput (pok, verification key); (the
    ``threshold_parameters`` JSON text, the n ``.dkey`` texts to hand back to each trustee)."""
    group = _group(group)
    parsed, keys = _certs(group, certs)
    polys = [json.loads(p) for p in _lines(polynomials)]
    vos = [json.loads(v) for v in _lines(voutputs)]
    if not len(polys) == len(vos) == len(keys):
        raise TrusteeError("as many polynomials and voutputs as certificates are needed")
    coefexps = _coefexps(group, keys, [p["coefexps"] for p in polys])
    vks = verification_keys(group, coefexps)
    for j, vo in enumerate(vos):
        try:
            y = check_key(group, vo["public_key"])
        except TrusteeError:
            raise TrusteeError(f"pok {j + 1} does not validate") from None
        if not group.eq(y, vks[j]):
            raise TrusteeError(f"verification key {j + 1} is incorrect")
    tparams = {
        "threshold": len(coefexps[0]),
        "certs": parsed,
        "coefexps": [p["coefexps"] for p in polys],
        "verification_keys": [vo["public_key"] for vo in vos],
    }
    return dumps(tparams), [vo["private_key"] for vo in vos]


def threshold_secret(group: Group | str, seed: str, dkey: str) -> int:
    """The trustee's share of the election key, from its ``.key`` (seed) and ``.dkey`` (as
    ``belenios-tool election decrypt-threshold``: recv with dk and the trustee's own vk)."""
    group = _group(group)
    seed = seed.strip()
    sk, dk = derive_sk(seed), derive_dk(seed)
    pdk = json.loads(recv(group, dk, group.g_pow(sk), dkey.strip()))
    return int(pdk["decryption_key"])


def make_trustees(singles: Sequence[str], thresholds: Sequence[str]) -> str:
    """The ``trustees`` JSON text as ``belenios-tool setup make-trustees``: the Single keys
    first, then the Pedersen items."""
    items = [["Single", json.loads(s)] for s in singles]
    items += [["Pedersen", json.loads(t)] for t in thresholds]
    return dumps(items)


# --- Partial decryptions (section "Partial decryptions") ---------------------------------


def _decrypt_prefix(fingerprint: str, group: Group, y: Any) -> str:
    return f"decrypt|{fingerprint}|{group.to_str(y)}|"


def _alphas(group: Group, encrypted_tally: Any) -> list[list[Any]]:
    et = json.loads(encrypted_tally) if isinstance(encrypted_tally, str) else encrypted_tally
    return [[_elt(group, c["alpha"]) for c in q] for q in et]


def decryption_factors(
    group: Group, fingerprint: str, encrypted_tally: Any, x: int, rng: Rng = None
) -> str:
    """A ``partial_decryption``: factors alpha^x and their proofs (A = g^w, B = alpha^w,
    challenge = H_decrypt(X, A, B), response = w - x·challenge)."""
    y = group.g_pow(x)
    prefix = _decrypt_prefix(fingerprint, group, y)
    factors, proofs = [], []
    for q in _alphas(group, encrypted_tally):
        fq, pq = [], []
        for alpha in q:
            w = _rand(group, rng)
            c = group.hash(prefix, [group.g_pow(w), group.pow(alpha, w)])
            fq.append(group.to_str(group.pow(alpha, x)))
            pq.append(_proof(c, (w - x * c) % group.q))
        factors.append(fq)
        proofs.append(pq)
    return dumps({"decryption_factors": factors, "decryption_proofs": proofs})


def check_decryption_factors(
    group: Group, fingerprint: str, encrypted_tally: Any, pd: Any, y: Any
) -> list[list[Any]]:
    """Checks a ``partial_decryption`` against the trustee's key y; returns the factors."""
    pd = json.loads(pd) if isinstance(pd, str) else pd
    alphas = _alphas(group, encrypted_tally)
    try:
        fs, ps = pd["decryption_factors"], pd["decryption_proofs"]
    except (KeyError, TypeError):
        raise TrusteeError("malformed partial decryption") from None
    if len(fs) != len(alphas) or len(ps) != len(alphas):
        raise TrusteeError("the partial decryption does not have the tally's shape")
    prefix = _decrypt_prefix(fingerprint, group, y)
    out = []
    for i, q in enumerate(alphas):
        if len(fs[i]) != len(q) or len(ps[i]) != len(q):
            raise TrusteeError("the partial decryption does not have the tally's shape")
        row = []
        for j, alpha in enumerate(q):
            f = _elt(group, fs[i][j])
            c, r = _read_proof(group, ps[i][j])
            a = group.mul(group.g_pow(r), group.pow(y, c))
            b = group.mul(group.pow(alpha, r), group.pow(f, c))
            if group.hash(prefix, [a, b]) != c:
                raise TrusteeError(f"decryption proof {i + 1}.{j + 1} is wrong")
            row.append(f)
        out.append(row)
    return out


def lagrange(q: int, indexes: Sequence[int], j: int) -> int:
    """lambda_j = prod_{k in I, k != j} k / (k - j) mod q."""
    acc = 1
    for k in indexes:
        if k != j:
            acc = acc * k * pow(k - j, -1, q) % q
    return acc


# --- The trustees structure (section "Trustees") ------------------------------------------


def guess_group(trustees_text: str) -> Group:
    """The group of a ``trustees`` text, from the form of its first key."""
    try:
        first = json.loads(trustees_text)[0]
        body = first[1]
        y = (
            body["public_key"]
            if first[0] == "Single"
            else body["verification_keys"][0]["public_key"]
        )
    except (ValueError, LookupError, TypeError):
        raise TrusteeError("trustees: cannot tell the group") from None
    if isinstance(y, str) and len(y) == 64 and all(c in "0123456789abcdef" for c in y):
        return groups.RISTRETTO255
    return groups.BELENIOS_2048


@dataclass
class Item:
    kind: str  # "Single" or "Pedersen"
    keys: list[Any]  # the owners' keys (one for Single, the verification keys for Pedersen)
    first_owner: int  # the owner number of keys[0]
    threshold: int = 1
    raw: Any = None
    coefexps: list[list[Any]] = field(default_factory=list)


@dataclass
class Trustees:
    group: Group
    items: list[Item]
    text: str = ""

    @classmethod
    def from_json(cls, *args: Any, group: Group | str | None = None) -> Trustees:
        """``Trustees.from_json(text)`` or ``Trustees.from_json(group, text)``: parses a
        ``trustees`` structure and checks every element's membership (not the proofs: see
        ``check``). Without a group, it is told by the first key's form (64 hex digits:
        RISTRETTO255; else BELENIOS-2048)."""
        if len(args) == 2:
            group, text = args
        elif len(args) == 1:
            (text,) = args
        else:
            raise TypeError("from_json(text) or from_json(group, text)")
        group = _group(group) if group is not None else guess_group(text)
        try:
            data = json.loads(text)
        except ValueError as e:
            raise TrusteeError(f"trustees: not JSON: {e}") from None
        if not isinstance(data, list) or not data:
            raise TrusteeError("trustees must be a non-empty list")
        items, owner = [], 1
        for it in data:
            if not (isinstance(it, list) and len(it) == 2 and it[0] in ("Single", "Pedersen")):
                raise TrusteeError("a trustee item must be ['Single', ...] or ['Pedersen', ...]")
            kind, body = it
            try:
                if kind == "Single":
                    keys = [_elt(group, body["public_key"])]
                    item = Item(kind, keys, owner, 1, body)
                else:
                    keys = [_elt(group, vk["public_key"]) for vk in body["verification_keys"]]
                    coefs = [
                        [_elt(group, c) for c in json.loads(x["message"])["coefexps"]]
                        for x in body["coefexps"]
                    ]
                    item = Item(kind, keys, owner, int(body["threshold"]), body, coefs)
            except (KeyError, TypeError, ValueError) as e:
                if isinstance(e, TrusteeError):
                    raise
                raise TrusteeError(f"malformed {kind} trustee: {e}") from None
            items.append(item)
            owner += len(keys)
        return cls(group, items, text)

    @property
    def count(self) -> int:
        """The number of owners (Belenios's count_trustees)."""
        return sum(len(it.keys) for it in self.items)

    @property
    def public_key(self) -> Any:
        """The election public key: the product of the Single keys and of each Pedersen
        item's constant coefexps (trustees.ml combine_keys)."""
        g = self.group
        parts = []
        for it in self.items:
            if it.kind == "Single":
                parts.append(it.keys[0])
            else:
                parts.append(g.prod(c[0] for c in it.coefexps))
        return g.prod(parts)

    def owner_key(self, owner: int) -> Any:
        for it in self.items:
            if it.first_owner <= owner < it.first_owner + len(it.keys):
                return it.keys[owner - it.first_owner]
        raise TrusteeError(f"no trustee has owner number {owner}")

    def check(self) -> list[str]:
        """Every check of trustees.ml MakeCombinator.check: the Single poks; for Pedersen, the
        certificates, the signed coefexps, the verification keys' poks, the threshold and
        the verification keys recomputed from the coefexps. Returns the failures."""
        g, errors = self.group, []
        for n, it in enumerate(self.items, 1):
            if it.kind == "Single":
                try:
                    check_key(g, it.raw)
                except TrusteeError as e:
                    errors.append(f"trustee item {n} (Single): {e}")
                continue
            body = it.raw
            try:
                keys = [cert_keys(g, c) for c in body["certs"]]
            except TrusteeError as e:
                errors.append(f"trustee item {n} (Pedersen): {e}")
                continue
            if not len(keys) == len(body["coefexps"]) == len(it.keys):
                errors.append(
                    f"trustee item {n} (Pedersen): certs, coefexps and keys differ in number"
                )
                continue
            for i, x in enumerate(body["coefexps"]):
                if not verify_signed(g, keys[i][0], x):
                    errors.append(
                        f"trustee item {n} (Pedersen): coefexps {i + 1} is not signed by its certificate"
                    )
            for i, vk in enumerate(body["verification_keys"]):
                try:
                    check_key(g, vk)
                except TrusteeError as e:
                    errors.append(f"trustee item {n} (Pedersen): verification key {i + 1}: {e}")
            if any(len(c) != it.threshold for c in it.coefexps):
                errors.append(f"trustee item {n} (Pedersen): threshold differs from the coefexps")
                continue
            for i, (a, b) in enumerate(
                zip(it.keys, verification_keys(g, it.coefexps), strict=True)
            ):
                if not g.eq(a, b):
                    errors.append(
                        f"trustee item {n} (Pedersen): verification key {i + 1} is not the one the coefexps give"
                    )
        return errors

    def combine_factors(
        self, fingerprint: str, encrypted_tally: Any, pds: Sequence[tuple[int, Any]]
    ) -> list[list[Any]]:
        """Section "Election result": checks each partial decryption against its owner's key
        and combines them into the synthetic factors F_i,j. Raises TrusteeError."""
        g = self.group
        alphas = _alphas(g, encrypted_tally)
        by_owner: dict[int, list[list[Any]]] = {}
        for owner, pd in pds:
            if not 1 <= owner <= self.count:
                raise TrusteeError(f"partial decryption of unknown owner {owner}")
            try:
                by_owner[owner] = check_decryption_factors(
                    g, fingerprint, encrypted_tally, pd, self.owner_key(owner)
                )
            except TrusteeError as e:
                raise TrusteeError(f"partial decryption of owner {owner}: {e}") from None
        acc = [[g.one for _ in q] for q in alphas]
        for n, it in enumerate(self.items, 1):
            if it.kind == "Single":
                f = by_owner.get(it.first_owner)
                if f is None:
                    raise TrusteeError(f"missing partial decryption of owner {it.first_owner}")
                acc = [
                    [g.mul(a, b) for a, b in zip(ra, rf, strict=True)]
                    for ra, rf in zip(acc, f, strict=True)
                ]
                continue
            present = [i for i in range(1, len(it.keys) + 1) if it.first_owner + i - 1 in by_owner]
            if len(present) < it.threshold:
                raise TrusteeError(
                    f"trustee item {n}: {len(present)} partial decryptions, {it.threshold} needed"
                )
            chosen = present[: it.threshold]
            for i in chosen:
                lam = lagrange(g.q, chosen, i)
                f = by_owner[it.first_owner + i - 1]
                acc = [
                    [g.mul(a, g.pow(b, lam)) for a, b in zip(ra, rf, strict=True)]
                    for ra, rf in zip(acc, f, strict=True)
                ]
        return acc

    def combine(
        self,
        election: Any,
        encrypted_tally: Any,
        partial_decryptions: Sequence[tuple[int, Any]],
        total_weight: int | None = None,
    ) -> str:
        """The ``result`` JSON text {"result": [[...]]} of a homomorphic election: each count
        is log_g(beta / F) (section "Election result"). ``election``: an object with ``.hash``
        (the fingerprint φ) or φ itself; ``encrypted_tally``: its JSON text (or parsed);
        ``partial_decryptions``: (owner, partial_decryption text) pairs, each checked.
        ``total_weight`` bounds the counts (the ``sized_encrypted_tally``'s); without it,
        10**6. Raises TrusteeError."""
        fp = election if isinstance(election, str) else election.hash
        g = self.group
        factors = self.combine_factors(fp, encrypted_tally, partial_decryptions)
        et = json.loads(encrypted_tally) if isinstance(encrypted_tally, str) else encrypted_tally
        bound = 10**6 if total_weight is None else total_weight
        try:
            result = [
                [g.dlog(g.div(_elt(g, c["beta"]), f), bound) for c, f in zip(q, fq, strict=True)]
                for q, fq in zip(et, factors, strict=True)
            ]
        except ValueError as e:
            if isinstance(e, TrusteeError):
                raise
            raise TrusteeError(f"a count is not a discrete logarithm within {bound}") from None
        return dumps({"result": result})
