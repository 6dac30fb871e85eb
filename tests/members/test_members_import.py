import pytest
from django.core.management import CommandError, call_command

from pnyx.journal.models import JournalEntry
from pnyx.members.importer import ImportFailed, import_members
from pnyx.members.models import ActionGroup, Member

pytestmark = pytest.mark.django_db

HEADER = "id,first_name,last_name,email,gender,region,birth_year,action_group,joined_on,volunteer\n"
GOOD = (
    HEADER
    + "A1,Camille,Dupont,camille@example.org,F,Bretagne,1985,GA Rennes 1,2017-03-01,1\n"
    + "A2,Karim,Benali,karim@example.org,M,Occitanie,1990,,2018-05-12,0\n"
    + "A3,Sacha,Martin,sacha@example.org,X,Bretagne,2001,GA Rennes 1,2020-01-31,oui\n"
)


def test_import_creates_members_and_groups():
    report = import_members(GOOD, "good.csv")
    assert (report.created, report.updated, report.unchanged, report.groups_created) == (3, 0, 0, 1)
    camille = Member.objects.get(external_id="A1")
    assert camille.action_group.name == "GA Rennes 1"
    assert (
        camille.volunteer and camille.birth_year == 1985 and str(camille.joined_on) == "2017-03-01"
    )
    assert Member.objects.get(external_id="A2").action_group is None
    assert Member.objects.get(external_id="A3").volunteer is True
    assert JournalEntry.objects.filter(action="members.imported").count() == 1


def test_reimporting_the_same_file_changes_nothing():
    import_members(GOOD, "good.csv")
    before = list(Member.objects.order_by("external_id").values())
    report = import_members(GOOD, "good.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Member.objects.order_by("external_id").values()) == before
    assert ActionGroup.objects.count() == 1
    # no change, no journal entry
    assert JournalEntry.objects.filter(action="members.imported").count() == 1


def test_changed_row_updates_the_member():
    import_members(GOOD, "good.csv")
    report = import_members(GOOD.replace("Occitanie,1990,", "Normandie,1990,GA Caen 2"), "v2.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    karim = Member.objects.get(external_id="A2")
    assert karim.region == "Normandie" and karim.action_group.name == "GA Caen 2"


@pytest.mark.parametrize(
    "bad_line, field, fragment",
    [
        ("A4,Léa,Roux,not-an-email,F,Bretagne,1980,,2017-01-01,1", "email", "not an email"),
        ("A4,Léa,Roux,lea@example.org,Z,Bretagne,1980,,2017-01-01,1", "gender", "'Z'"),
        ("A4,Léa,Roux,lea@example.org,F,Bretagne,19x0,,2017-01-01,1", "birth_year", "19x0"),
        ("A4,Léa,Roux,lea@example.org,F,Bretagne,1980,,01/02/2017,1", "joined_on", "YYYY-MM-DD"),
        (
            "A4,Léa,Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,peut-être",
            "volunteer",
            "peut-être",
        ),
        ("A4,,Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,1", "first_name", "empty"),
        ("A1,Léa,Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,1", "id", "line 2"),
        ("A4,Léa,Roux,CAMILLE@example.org,F,Bretagne,1980,,2017-01-01,1", "email", "line 2"),
        ("A4,Léa,Roux,lea@example.org,F,Bretagne,1980,,2017-01-01", "", "fewer cells"),
    ],
)
def test_a_bad_row_names_line_and_field_and_imports_nothing(bad_line, field, fragment):
    with pytest.raises(ImportFailed) as info:
        import_members(GOOD + bad_line + "\n", "bad.csv")
    errors = info.value.errors
    assert len(errors) == 1
    assert errors[0].line == 5 and errors[0].field == field
    assert fragment in errors[0].message
    assert "bad.csv: line 5" in str(info.value)
    assert Member.objects.count() == 0 and ActionGroup.objects.count() == 0
    assert not JournalEntry.objects.exists()


def test_a_bad_file_leaves_existing_members_untouched():
    import_members(GOOD, "good.csv")
    before = list(Member.objects.order_by("external_id").values())
    changed_then_bad = (
        GOOD.replace("Occitanie", "Normandie") + "A9,X,Y,bad,F,Corse,1980,,2017-01-01,1\n"
    )
    with pytest.raises(ImportFailed):
        import_members(changed_then_bad, "bad.csv")
    assert list(Member.objects.order_by("external_id").values()) == before


def test_missing_column_is_named():
    with pytest.raises(ImportFailed) as info:
        import_members(GOOD.replace(",volunteer", ""), "nocol.csv")
    assert [(e.line, e.field) for e in info.value.errors] == [(1, "volunteer")]


def test_email_of_another_existing_member_is_refused():
    import_members(GOOD, "good.csv")
    other = HEADER + "B1,Léa,Roux,camille@example.org,F,Bretagne,1980,,2017-01-01,1\n"
    with pytest.raises(ImportFailed) as info:
        import_members(other, "other.csv")
    assert "belongs to member A1" in str(info.value)
    assert not Member.objects.filter(external_id="B1").exists()


def test_not_utf8_is_refused():
    with pytest.raises(ImportFailed, match="UTF-8"):
        import_members(GOOD.encode("utf-16"), "utf16.csv")


def test_command_imports_and_reports(tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_text(GOOD)
    call_command("import_members", str(path))
    assert "3 created" in capsys.readouterr().out
    path.write_text(GOOD + "A4,Léa\n")
    with pytest.raises(CommandError, match="line 5"):
        call_command("import_members", str(path))
    assert Member.objects.count() == 3


LONG = "x" * 151


@pytest.mark.parametrize(
    "bad_line, field, limit",
    [
        (f"A4,{LONG},Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,1", "first_name", 150),
        (f"A4,Léa,{LONG},lea@example.org,F,Bretagne,1980,,2017-01-01,1", "last_name", 150),
        (f"A4,Léa,Roux,{'l' * 250}@example.org,F,Bretagne,1980,,2017-01-01,1", "email", 254),
        (f"A4,Léa,Roux,lea@example.org,F,{'B' * 101},1980,,2017-01-01,1", "region", 100),
        (
            f"A4,Léa,Roux,lea@example.org,F,Bretagne,1980,{'G' * 201},2017-01-01,1",
            "action_group",
            200,
        ),
        (f"{'A' * 65},Léa,Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,1", "id", 64),
    ],
)
def test_a_too_long_field_names_line_field_and_limit_and_imports_nothing(bad_line, field, limit):
    """Today PostgreSQL raised a raw DataError (and SQLite stored the text beyond the limit)."""
    with pytest.raises(ImportFailed) as info:
        import_members(GOOD + bad_line + "\n", "long.csv")
    assert [(e.line, e.field) for e in info.value.errors] == [(5, field)]
    assert f"more than {limit} allowed" in info.value.errors[0].message
    assert f"long.csv: line 5, field '{field}'" in str(info.value)
    assert Member.objects.count() == 0 and ActionGroup.objects.count() == 0
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "region", "action_group", "volunteer"])
def test_a_nul_byte_names_line_and_field_and_imports_nothing(field):
    cells = dict(
        id="A4",
        first_name="Léa",
        last_name="Roux",
        email="lea@example.org",
        gender="F",
        region="Bretagne",
        birth_year="1980",
        action_group="GA",
        joined_on="2017-01-01",
        volunteer="1",
    )
    cells[field] = cells[field][:1] + "\x00" + cells[field][1:]
    data = (GOOD + ",".join(cells.values()) + "\n").encode()
    with pytest.raises(ImportFailed) as info:
        import_members(data, "nul.csv")
    assert [(e.line, e.field) for e in info.value.errors] == [(5, field)]
    assert "NUL" in info.value.errors[0].message
    assert Member.objects.count() == 0 and ActionGroup.objects.count() == 0
    assert not JournalEntry.objects.exists()


def test_a_nul_byte_in_the_header_is_refused():
    with pytest.raises(ImportFailed, match="line 1: the header contains a NUL byte"):
        import_members(GOOD.replace("region", "reg\x00ion", 1), "nul.csv")


def test_values_at_the_limits_are_imported():
    row = (
        f"{'A' * 64},{'x' * 150},{'y' * 150},{'l' * 242}@example.org,F,{'B' * 100},1980,"
        f"{'G' * 200},2017-01-01,1\n"
    )
    import_members(HEADER + row, "limits.csv")
    m = Member.objects.get()
    assert len(m.external_id) == 64 and len(m.region) == 100 and len(m.email) == 254
    assert len(m.action_group.name) == 200


@pytest.mark.parametrize("region", ['=HYPERLINK("http://x")', "+1", "-x", "@SUM(A1)"])
def test_a_region_that_a_spreadsheet_runs_as_a_formula_is_refused(region):
    """Regions are written as they are into the published POOL.csv and QUOTAS.csv."""
    row = (
        f'A4,Léa,Roux,lea@example.org,F,"{region.replace(chr(34), chr(34) * 2)}",1980,,2017-01-01,1'
    )
    with pytest.raises(ImportFailed) as info:
        import_members(GOOD + row + "\n", "formula.csv")
    assert [(e.line, e.field) for e in info.value.errors] == [(5, "region")]
    assert "formula" in info.value.errors[0].message
    assert Member.objects.count() == 0


def test_a_member_named_like_a_formula_is_imported_as_is():
    """Names never go into a published file; they are kept exactly as written."""
    row = 'A4,"=HYPERLINK(""http://x"",""y"")",@Roux,lea@example.org,F,Bretagne,1980,,2017-01-01,1'
    import_members(GOOD + row + "\n", "names.csv")
    m = Member.objects.get(external_id="A4")
    assert (m.first_name, m.last_name) == ('=HYPERLINK("http://x","y")', "@Roux")
