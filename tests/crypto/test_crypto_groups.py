"""The two groups: group laws, text forms with membership checks, Belenios's hash, dlog."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.crypto import groups
from pnyx.crypto.groups import BELENIOS_2048, RISTRETTO255, GroupError

ALL = [BELENIOS_2048, RISTRETTO255]
scalars = st.integers(min_value=0, max_value=2**252)


@pytest.mark.parametrize("gr", ALL, ids=lambda g: g.name)
def test_generator_has_order_q(gr):
    assert gr.pow(gr.g, gr.q) == gr.one
    assert gr.g != gr.one


@pytest.mark.parametrize("gr", ALL, ids=lambda g: g.name)
@settings(max_examples=25, deadline=None)
@given(x=scalars, y=scalars)
def test_exponent_laws(gr, x, y):
    x, y = x % gr.q, y % gr.q
    assert gr.mul(gr.g_pow(x), gr.g_pow(y)) == gr.g_pow((x + y) % gr.q)
    assert gr.pow(gr.g_pow(x), y) == gr.g_pow(x * y % gr.q)
    assert gr.mul(gr.g_pow(x), gr.inv(gr.g_pow(x))) == gr.one
    assert gr.div(gr.g_pow(x), gr.g_pow(y)) == gr.g_pow((x - y) % gr.q)
    assert gr.from_str(gr.to_str(gr.g_pow(x))) == gr.g_pow(x)


def test_finite_field_rejects_non_members():
    gr = BELENIOS_2048
    for bad in ["0", str(int(gr.p)), str(int(gr.p) + 1), "-5", "012", "1e5", 17, ""]:
        with pytest.raises(GroupError):
            gr.from_str(bad)
    # p - 1 has order 2, not q: outside the subgroup.
    with pytest.raises(GroupError):
        gr.from_str(str(int(gr.p) - 1))


def test_ristretto_rejects_non_canonical_and_non_points():
    gr = RISTRETTO255
    good = gr.to_str(gr.g)
    assert good == "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"  # RFC 9496
    for bad in [good.upper(), good[:-2], "01" + "00" * 31, "zz" * 32, "ff" * 32, None]:
        with pytest.raises(GroupError):
            gr.from_str(bad)


def test_rfc9496_multiples_of_the_generator():
    # RFC 9496, appendix A.1: encodings of B, 2B, 3B.
    gr = RISTRETTO255
    assert gr.to_str(gr.g_pow(2)) == (
        "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919"
    )
    assert gr.to_str(gr.g_pow(3)) == (
        "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259"
    )


@pytest.mark.parametrize("gr", ALL, ids=lambda g: g.name)
def test_belenios_hash(gr):
    x = gr.g_pow(42)
    text = "pok|" + gr.name + "|" + gr.to_str(x) + "," + gr.to_str(gr.g)
    expected = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % gr.q
    assert gr.hash("pok|" + gr.name + "|", [x, gr.g]) == expected


@pytest.mark.parametrize("gr", ALL, ids=lambda g: g.name)
@pytest.mark.parametrize("m", [0, 1, 2, 99, 1000, 12345])
def test_dlog(gr, m):
    assert gr.dlog(gr.g_pow(m), 12345) == m


def test_dlog_out_of_bound():
    gr = RISTRETTO255
    with pytest.raises(ValueError):
        gr.dlog(gr.g_pow(101), 100)


def test_get():
    assert groups.get("BELENIOS-2048") is BELENIOS_2048
    with pytest.raises(GroupError, match="unknown group"):
        groups.get("RFC-3526-2048")
