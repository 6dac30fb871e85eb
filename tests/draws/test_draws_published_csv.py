"""The published draw files hold no cell a spreadsheet would run as a formula (formats.md,
"CSV and spreadsheets"): they are written as they are, for auditors to recompute."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pnyx.core.csvsafe import starts_like_formula
from pnyx.draws.engine import AGE_BANDS, SENIORITY_BANDS
from pnyx.votes.models import validate_code


def test_no_published_draw_file_has_a_formula_like_cell(revealed, client):
    for name in ("POOL.csv", "QUOTAS.csv", "PANEL.csv", "PROBS.csv", "REPLACEMENTS.csv"):
        r = client.get(reverse("draws:download", args=[revealed.pk, name]))
        assert r.status_code == 200, name
        cells = [c for row in csv.reader(io.StringIO(r.content.decode())) for c in row]
        assert cells and not [c for c in cells if starts_like_formula(c)], name


def test_band_labels_never_start_like_a_formula():
    assert not [label for _, label in AGE_BANDS + SENIORITY_BANDS if starts_like_formula(label)]


@pytest.mark.parametrize("code", ["=A1", "+A", "-A", "@A", "\tA"])
def test_option_codes_never_start_like_a_formula(code):
    with pytest.raises(ValidationError):
        validate_code(code)
