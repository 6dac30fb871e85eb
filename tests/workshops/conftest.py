import re
import zlib

import pytest

REGIONS = ["Bretagne", "Occitanie", "Ile-de-France", "Grand Est"]


@pytest.fixture
def hall_people(convention, make_member):
    """63 participants (21 per part: three tables of 7), mixed genders, regions and groups."""
    from pnyx.members.models import ActionGroup
    from pnyx.programme.models import Participant

    groups = [ActionGroup.objects.create(name=f"Groupe {i}") for i in range(20)]
    people = []
    for i in range(63):
        m = make_member(
            gender="FMFMFMX"[i % 7],
            region=REGIONS[i % 4],
            birth_year=1950 + (i * 7) % 50,
            action_group=groups[i % 20] if i % 3 else None,
        )
        people.append(
            Participant.objects.create(
                convention=convention,
                member=m,
                source=Participant.Source.DRAWN if i % 4 else Participant.Source.INVITED,
            )
        )
    return people


@pytest.fixture
def hall(convention):
    from pnyx.workshops import actions

    return actions.get_hall(convention)


@pytest.fixture
def published(hall, hall_people, organizer):
    from pnyx.workshops import actions

    plan = actions.run_plan(hall, organizer)
    actions.publish(plan, organizer)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def pdf_pages():
    return count_pdf_pages


def count_pdf_pages(content: bytes) -> int:
    """Pages of a PDF, reading inside WeasyPrint's compressed object streams."""
    text = content
    # Up to "endstream" whole: the end-of-line before it is not stripped by the pattern, since
    # compressed bytes may themselves end in "\r" (stripping it broke the stream now and then,
    # and the pages were counted as 0); a decompressor object leaves what follows the zlib
    # stream aside as unused data instead of failing.
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            text += zlib.decompressobj().decompress(m.group(1))
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", text))
