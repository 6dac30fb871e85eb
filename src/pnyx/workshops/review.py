"""The synthesis and its review by the organizers: the actions, and what the pages read.

Two layers, kept apart:

- the **machine's run** (`SynthesisRun`): `pnyx.synthesis` over every table output, computed by
  a background task (the engine may be slow), stored as it came out (its JSON, method,
  threshold, inputs digest, time); a run never changes afterwards;
- the **review** (`ReviewGroup` > `ReviewCluster` > `ReviewIdea`): made from the first run of
  each (campaign, step, field), then changed only by organizers: merge two clusters, split one,
  move an idea (to another cluster or alone), rename a cluster, retain clusters or ideas. Each
  decision is one action below: the actor's permission checked, one transaction, one journal row.

An idea unit is identified as in the synthesis by (campaign, step, field, table, line, text).

**A new run after the review has begun** (outputs were sent or corrected) keeps every decision
that still applies: an idea the new run finds again stays where the organizers put it, retained
or not. An idea it no longer finds (its table's text changed) is marked *stale*: kept, shown as
"no longer in the outputs", left out of the final synthesis. An idea it brings is *added*: it
joins the reviewed cluster that holds most of the ideas the machine grouped it with, or a new
cluster. The run's `report` lists both, group by group, and the review page shows them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx.journal.actions import record
from pnyx.programme.permissions import is_organizer

from .models import (
    Hall,
    Output,
    ReviewCluster,
    ReviewGroup,
    ReviewIdea,
    Step,
    SynthesisRun,
)

#: A run still queued or running after this long is taken as abandoned (no worker, or it died).
RUN_TIMEOUT = dt.timedelta(minutes=30)
#: Longest label of a cluster (a new cluster is first labelled with the start of its idea).
LABEL_MAX = 200


class ReviewError(Exception):
    """A review decision that cannot be made; the message says why, nothing changed."""


def _check(actor) -> None:
    """Organizers review; a command or the system (a string actor such as "command:demo")
    acts on their behalf."""
    if isinstance(actor, str) and actor.split(":", 1)[0] in ("command", "system"):
        return
    if not is_organizer(actor):
        raise PermissionDenied(_("Only organizers review the synthesis."))


def idea_key(table, line: int, text: str) -> str:
    return hashlib.sha256(f"{table}\n{line}\n{text}".encode()).hexdigest()


def inputs_digest(contributions: Sequence) -> str:
    """SHA-256 of the contributions, in a canonical order (what a run was computed from)."""
    rows = sorted([str(c.table), c.campaign, c.step, c.field, c.text] for c in contributions)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _label(terms: Sequence[str], ideas: Sequence[dict]) -> str:
    if terms:
        return ", ".join(terms)[:LABEL_MAX]
    return (ideas[0]["text"] if ideas else "?")[:LABEL_MAX]


def _group_payload(group: ReviewGroup) -> dict:
    return {"campaign": group.campaign, "step": group.step, "field": group.field}


def _idea_ref(idea: ReviewIdea) -> dict:
    return {"table": idea.table, "line": idea.line, "key": idea.key}


# --- the machine's run (a background task) ----------------------------------------------------


def latest_run(hall: Hall) -> SynthesisRun | None:
    return SynthesisRun.objects.filter(hall=hall, status=SynthesisRun.Status.DONE).first()


def request_synthesis(hall: Hall, *, actor, enqueue: bool = True) -> tuple[SynthesisRun, bool]:
    """Queue a run of the synthesis; (run, True when one was started). While a run is queued
    or running, asking again returns it and starts nothing. `enqueue=False` (the demo) leaves
    the run queued for the caller to compute with `compute_synthesis`."""
    from .tasks import synthesis_task

    _check(actor)
    now = timezone.now()
    with transaction.atomic():
        Hall.objects.select_for_update().filter(pk=hall.pk).first()
        SynthesisRun.objects.filter(
            hall=hall,
            status__in=[SynthesisRun.Status.QUEUED, SynthesisRun.Status.RUNNING],
            requested_at__lt=now - RUN_TIMEOUT,
        ).update(status=SynthesisRun.Status.FAILED, error=_("The worker stopped before the end."))
        running = SynthesisRun.objects.filter(
            hall=hall, status__in=[SynthesisRun.Status.QUEUED, SynthesisRun.Status.RUNNING]
        ).first()
        if running is not None:
            return running, False
        run = SynthesisRun.objects.create(
            hall=hall, requested_by=record_actor(actor), requested_at=now
        )
        record("workshops.synthesis_requested", actor=actor, obj=run, payload={})
        if enqueue:
            transaction.on_commit(lambda: synthesis_task.enqueue(run.pk))
    return run, True


def record_actor(actor) -> str:
    if isinstance(actor, str):
        return actor
    return f"user:{actor.get_username()}"


def compute_synthesis(run_id: int) -> SynthesisRun:
    """Run the engine for a queued run, store its result, bring the review up to date with it
    (see the module's docstring); journaled with the inputs' digest. Called by the task."""
    from pnyx.synthesis import synthesise

    from .exports import _contributions

    with transaction.atomic():
        run = SynthesisRun.objects.select_for_update().select_related("hall").get(pk=run_id)
        if run.status != SynthesisRun.Status.QUEUED:
            return run
        run.status = SynthesisRun.Status.RUNNING
        run.save(update_fields=["status"])
    hall = run.hall
    try:
        contributions = _contributions(hall)
        result = synthesise(contributions, field_order=Output.FIELDS).to_dict()
    except Exception as exc:  # kept for the organizer, then re-raised for the worker's log
        SynthesisRun.objects.filter(pk=run.pk).update(
            status=SynthesisRun.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        Hall.objects.select_for_update().filter(pk=hall.pk).first()  # one reconciliation at once
        run.result = result
        run.method = str(result.get("method", ""))[:200]
        run.threshold = result.get("threshold")
        run.units = int(result.get("units", 0))
        run.inputs_digest = inputs_digest(contributions)
        run.status = SynthesisRun.Status.DONE
        run.finished_at = timezone.now()
        run.report = _reconcile(hall, run)
        run.save()
        record(
            "workshops.synthesis_computed",
            actor=run.requested_by or "system",
            obj=run,
            payload={
                "method": run.method,
                "threshold": run.threshold,
                "units": run.units,
                "groups": len(result.get("groups", [])),
                "result_sha256": hashlib.sha256(
                    json.dumps(result, sort_keys=True, ensure_ascii=False).encode()
                ).hexdigest(),
                "stale": sum(len(r["stale"]) for r in run.report),
                "added": sum(len(r["added"]) for r in run.report),
            },
            inputs_digest=run.inputs_digest,
        )
    return run


def _machine_clusters(group: dict) -> list[dict]:
    return list(group.get("clusters", [])) + list(group.get("unique", []))


def _reconcile(hall: Hall, run: SynthesisRun) -> list[dict]:
    """Make or update the review of every group of `run`; the report of what changed."""
    report = []
    seen_groups = set()
    for g in run.result.get("groups", []):
        gkey = (g["campaign"], int(g["step"]), g["field"])
        seen_groups.add(gkey)
        group, created = ReviewGroup.objects.get_or_create(
            hall=hall, campaign=gkey[0], step=gkey[1], field=gkey[2], defaults={"run": run}
        )
        group = ReviewGroup.objects.select_for_update().get(pk=group.pk)  # no decision meanwhile
        existing = {i.key: i for i in group.ideas.all()}
        order = group.clusters.aggregate(m=Max("order"))["m"] or 0
        found: set[str] = set()
        added: list[dict] = []
        came_back: list[int] = []
        occurrences: Counter = Counter()
        for mc in _machine_clusters(g):
            keys = []
            for i in mc["ideas"]:  # the same words twice on one line: a second key
                key = idea_key(i["table"], i.get("line", 0), i["text"])
                occurrences[key] += 1
                n = occurrences[key]
                keys.append(key if n == 1 else hashlib.sha256(f"{key}:{n}".encode()).hexdigest())
            found.update(keys)
            present = [existing[k] for k in keys if k in existing]
            came_back += [i.pk for i in present if i.stale]
            new = [(k, i) for k, i in zip(keys, mc["ideas"], strict=True) if k not in existing]
            if not new:
                continue
            counts = Counter(i.cluster_id for i in present if not i.stale)
            target = None
            if counts:
                target = ReviewCluster.objects.get(pk=counts.most_common(1)[0][0])
            else:
                order += 1
                target = ReviewCluster.objects.create(
                    group=group,
                    label=_label(mc.get("label_terms", []), mc["ideas"]),
                    machine_terms=list(mc.get("label_terms", [])),
                    order=order,
                )
            ReviewIdea.objects.bulk_create(
                [
                    ReviewIdea(
                        group=group,
                        cluster=target,
                        table=int(i["table"]),
                        line=int(i.get("line", 0)),
                        text=i["text"],
                        key=k,
                        added=not created,
                    )
                    for k, i in new
                ]
            )
            if not created:
                added += [
                    {"table": i["table"], "line": i.get("line", 0), "text": i["text"]}
                    for _k, i in new
                ]
        ReviewIdea.objects.filter(pk__in=came_back).update(stale=False)
        gone = [i for k, i in existing.items() if k not in found and not i.stale]
        ReviewIdea.objects.filter(pk__in=[i.pk for i in gone]).update(stale=True)
        if not created:
            group.run = run
            group.save(update_fields=["run"])
        if gone or added:
            report.append(
                {
                    "group": group.pk,
                    **_group_payload(group),
                    "stale": [{"table": i.table, "line": i.line, "text": i.text} for i in gone],
                    "added": added,
                }
            )
    for group in ReviewGroup.objects.select_for_update().filter(hall=hall):
        if (group.campaign, group.step, group.field) in seen_groups:
            continue
        gone = list(group.ideas.filter(stale=False))
        group.ideas.filter(stale=False).update(stale=True)
        group.run = run
        group.save(update_fields=["run"])
        if gone:
            report.append(
                {
                    "group": group.pk,
                    **_group_payload(group),
                    "stale": [{"table": i.table, "line": i.line, "text": i.text} for i in gone],
                    "added": [],
                }
            )
    return report


# --- the organizers' decisions ---------------------------------------------------------------


def _lock(group: ReviewGroup) -> ReviewGroup:
    """Decisions on one group run one at a time (and not while a run reconciles it)."""
    return ReviewGroup.objects.select_for_update().get(pk=group.pk)


def _fresh_cluster(cluster: ReviewCluster) -> ReviewCluster:
    c = ReviewCluster.objects.filter(pk=cluster.pk).first()
    if c is None:
        raise ReviewError(_("This cluster no longer exists (merged meanwhile?): reload the page."))
    return c


def _fresh_idea(idea: ReviewIdea) -> ReviewIdea:
    i = ReviewIdea.objects.filter(pk=idea.pk).select_related("cluster").first()
    if i is None:
        raise ReviewError(_("This idea no longer exists: reload the page."))
    return i


def _drop_if_empty(cluster: ReviewCluster) -> bool:
    if not cluster.ideas.exists():
        cluster.delete()
        return True
    return False


def merge_clusters(target: ReviewCluster, other: ReviewCluster, *, actor) -> ReviewCluster:
    """Put every idea of `other` into `target` (which keeps its label); `other` disappears.
    The merged cluster is retained if either was."""
    _check(actor)
    with transaction.atomic():
        group = _lock(target.group)
        target, other = _fresh_cluster(target), _fresh_cluster(other)
        if target.pk == other.pk:
            raise ReviewError(_("Choose two different clusters to merge."))
        if other.group_id != group.pk:
            raise ReviewError(_("Only clusters of the same campaign, step and field merge."))
        moved = list(other.ideas.all())
        other.ideas.update(cluster=target)
        target.retained = target.retained or other.retained
        target.save(update_fields=["retained"])
        record(
            "workshops.synthesis_clusters_merged",
            actor=actor,
            obj=target,
            payload={
                **_group_payload(group),
                "into": target.pk,
                "merged": other.pk,
                "merged_label": other.label,
                "ideas": [_idea_ref(i) for i in moved],
            },
        )
        other.delete()
    return target


def split_cluster(
    cluster: ReviewCluster, ideas: Sequence[ReviewIdea], *, actor, label: str = ""
) -> ReviewCluster:
    """Take `ideas` out of `cluster` into a new cluster (labelled `label`, or with the start of
    its first idea)."""
    _check(actor)
    with transaction.atomic():
        group = _lock(cluster.group)
        cluster = _fresh_cluster(cluster)
        ids = {i.pk for i in ideas}
        chosen = list(cluster.ideas.filter(pk__in=ids))
        if not chosen or len(chosen) != len(ids):
            raise ReviewError(_("Choose one or more ideas of this cluster to split off."))
        if len(chosen) == cluster.ideas.count():
            raise ReviewError(_("Leave at least one idea in the cluster: split off the others."))
        label = (label or "").strip() or chosen[0].text
        new = ReviewCluster.objects.create(
            group=group,
            label=label[:LABEL_MAX],
            order=(group.clusters.aggregate(m=Max("order"))["m"] or 0) + 1,
        )
        ReviewIdea.objects.filter(pk__in=ids).update(cluster=new)
        record(
            "workshops.synthesis_cluster_split",
            actor=actor,
            obj=new,
            payload={
                **_group_payload(group),
                "from": cluster.pk,
                "new": new.pk,
                "label": new.label,
                "ideas": [_idea_ref(i) for i in chosen],
            },
        )
    return new


def move_idea(idea: ReviewIdea, target: ReviewCluster | None, *, actor) -> ReviewCluster:
    """Move an idea to another cluster of its group, or (`target` None) alone into a new one.
    A cluster left empty disappears."""
    _check(actor)
    with transaction.atomic():
        group = _lock(idea.group)
        idea = _fresh_idea(idea)
        source = idea.cluster
        if target is None:
            if source.ideas.count() == 1:
                raise ReviewError(_("This idea is already alone in its cluster."))
            target = ReviewCluster.objects.create(
                group=group,
                label=idea.text[:LABEL_MAX],
                order=(group.clusters.aggregate(m=Max("order"))["m"] or 0) + 1,
            )
        else:
            target = _fresh_cluster(target)
            if target.group_id != group.pk:
                raise ReviewError(_("An idea moves only within its campaign, step and field."))
            if target.pk == source.pk:
                raise ReviewError(_("The idea is already in this cluster."))
        idea.cluster = target
        idea.save(update_fields=["cluster"])
        dropped = _drop_if_empty(source)
        record(
            "workshops.synthesis_idea_moved",
            actor=actor,
            obj=idea,
            payload={
                **_group_payload(group),
                "idea": _idea_ref(idea),
                "from": source.pk,
                "to": target.pk,
                "from_removed": dropped,
            },
        )
    return target


def rename_cluster(cluster: ReviewCluster, label: str, *, actor) -> ReviewCluster:
    _check(actor)
    label = (label or "").strip()
    if not label:
        raise ReviewError(_("A cluster's name cannot be empty."))
    if len(label) > LABEL_MAX:
        raise ReviewError(
            _("A cluster's name has at most %(n)d characters (this one %(len)d).")
            % {"n": LABEL_MAX, "len": len(label)}
        )
    with transaction.atomic():
        group = _lock(cluster.group)
        cluster = _fresh_cluster(cluster)
        before = cluster.label
        cluster.label = label
        cluster.save(update_fields=["label"])
        record(
            "workshops.synthesis_cluster_renamed",
            actor=actor,
            obj=cluster,
            payload={**_group_payload(group), "from": before, "to": label},
        )
    return cluster


def set_retained(obj: ReviewCluster | ReviewIdea, retained: bool, *, actor):
    """Retain (or no longer retain) a cluster or one idea for the final synthesis."""
    _check(actor)
    with transaction.atomic():
        group = _lock(obj.group)
        obj = _fresh_cluster(obj) if isinstance(obj, ReviewCluster) else _fresh_idea(obj)
        obj.retained = bool(retained)
        obj.save(update_fields=["retained"])
        what = "cluster" if isinstance(obj, ReviewCluster) else "idea"
        record(
            "workshops.synthesis_retained" if retained else "workshops.synthesis_unretained",
            actor=actor,
            obj=obj,
            payload={
                **_group_payload(group),
                what: obj.pk if what == "cluster" else _idea_ref(obj),
            },
        )
    return obj


# --- what the pages read ---------------------------------------------------------------------


def names(hall: Hall) -> dict[str, str]:
    from .exports import _names

    return _names(hall)


def step_titles(hall: Hall) -> dict[int, str]:
    out = {}
    for s in Step.objects.filter(hall=hall).select_related("item"):
        out[s.number] = s.item.title if s.item else _("Step %(n)d") % {"n": s.number}
    return out


def groups_of(hall: Hall, campaign: str | None = None):
    qs = ReviewGroup.objects.filter(hall=hall)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    field_rank = {f: i for i, f in enumerate(Output.FIELDS)}
    return sorted(qs, key=lambda g: (g.campaign, g.step, field_rank.get(g.field, 99), g.field))


def reviewed_clusters(group: ReviewGroup) -> list[ReviewCluster]:
    """The group's reviewed clusters, retained first then by tables; each with `.idea_list`,
    `.tables` (distinct, sorted), `.live` (ideas still in the outputs)."""
    clusters = list(
        group.clusters.prefetch_related(
            Prefetch("ideas", queryset=ReviewIdea.objects.order_by("table", "line", "pk"))
        )
    )
    for c in clusters:
        c.idea_list = list(c.ideas.all())
        c.live = [i for i in c.idea_list if not i.stale]
        c.tables = sorted({i.table for i in c.live})
        c.retained_ideas = [i for i in c.live if i.retained]
    clusters.sort(key=lambda c: (not c.retained, -len(c.tables), c.order, c.pk))
    return clusters


def machine_group(group: ReviewGroup) -> dict | None:
    """The machine's grouping of this (campaign, step, field) in the group's last run."""
    for g in group.run.result.get("groups", []):
        if (g["campaign"], int(g["step"]), g["field"]) == (group.campaign, group.step, group.field):
            return g
    return None


def kept(group: ReviewGroup) -> list[dict]:
    """What the review keeps of a group: each retained cluster with all its live ideas, and
    each other cluster that holds retained ideas with those only. Every entry lists its
    tables and, for each idea, its table, line and exact words."""
    out = []
    for c in reviewed_clusters(group):
        ideas = c.live if c.retained else c.retained_ideas
        if not ideas:
            continue
        ideas = sorted(ideas, key=lambda i: (not i.retained, i.table, i.line))
        out.append(
            {
                "label": c.label,
                "retained": c.retained,
                "tables": sorted({i.table for i in ideas}),
                "ideas": [
                    {"table": i.table, "line": i.line, "text": i.text, "retained": i.retained}
                    for i in ideas
                ],
            }
        )
    return out


def final_synthesis(hall: Hall, campaign: str) -> dict:
    """The final synthesis of a campaign (a slug, or "topic:<slug>"): by step and field, what
    the review keeps, with counts (tables, ideas, retained) and every idea's provenance."""
    labels = names(hall)
    titles = step_titles(hall)
    steps: dict[int, dict] = {}
    tables: set[int] = set()
    ideas = 0
    for g in groups_of(hall, campaign):
        live = list(g.ideas.filter(stale=False).values_list("table", flat=True))
        tables.update(live)
        ideas += len(live)
        entries = kept(g)
        step = steps.setdefault(
            g.step,
            {"number": g.step, "title": titles.get(g.step, ""), "fields": [], "ideas": 0},
        )
        step["ideas"] += len(live)
        if entries:
            step["fields"].append(
                {"field": g.field, "name": labels.get(g.field, g.field), "clusters": entries}
            )
    retained = sum(len(f["clusters"]) for s in steps.values() for f in s["fields"])
    return {
        "campaign": campaign,
        "name": labels.get(campaign, campaign),
        "steps": [steps[k] for k in sorted(steps)],
        "tables": len(tables),
        "ideas": ideas,
        "retained": retained,
    }


def final_digest(hall: Hall, campaign: str) -> str:
    data = final_synthesis(hall, campaign)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def earlier_steps(hall: Hall, campaign: str, step: int) -> list[dict]:
    """For a table at `step` of `campaign` (step 3: the axes): the reviewed synthesis of the
    campaign's earlier steps, retained clusters first, each with its tables and excerpts."""
    labels = names(hall)
    titles = step_titles(hall)
    out = []
    for g in groups_of(hall, campaign):
        if g.step >= step:
            continue
        clusters = [c for c in reviewed_clusters(g) if c.live]
        if clusters:
            out.append(
                {
                    "step": g.step,
                    "title": titles.get(g.step, ""),
                    "field": labels.get(g.field, g.field),
                    "clusters": clusters,
                }
            )
    return out


def retained_for_screen(hall: Hall) -> list[dict]:
    """Per campaign of the hall, the retained clusters' labels and table counts (the hall
    screen at the conclusion); campaigns with none are left out."""
    out = []
    for c in hall.campaign_list():
        axes = []
        for g in groups_of(hall, c.slug):
            for entry in kept(g):
                if entry["retained"]:
                    axes.append({"label": entry["label"], "tables": len(entry["tables"])})
        if axes:
            out.append({"name": c.name, "axes": axes})
    return out


def final_markdown(hall: Hall, campaign: str) -> str:
    data = final_synthesis(hall, campaign)
    out = [
        "# " + _("Final synthesis") + f" — {data['name']}",
        "",
        _("%(tables)d tables, %(ideas)d ideas, %(retained)d kept by the organizers.")
        % {"tables": data["tables"], "ideas": data["ideas"], "retained": data["retained"]},
        "",
    ]
    for s in data["steps"]:
        out += [f"## {s['title']}", ""]
        for f in s["fields"]:
            out += [f"### {f['name']}", ""]
            for n, c in enumerate(f["clusters"], 1):
                tables = ", ".join(str(t) for t in c["tables"])
                mark = "" if c["retained"] else " " + _("(retained ideas)")
                out += [
                    f"{n}. **{_md(c['label'])}**{mark} — "
                    + _("tables %(tables)s") % {"tables": tables},
                    "",
                ]
                for i in c["ideas"]:
                    out += [
                        "   > " + _md(i["text"]),
                        "   "
                        + _("— table %(table)s, line %(line)s")
                        % {"table": i["table"], "line": i["line"]},
                        "",
                    ]
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    """Text from the tables shown as written, not interpreted as Markdown."""
    out = []
    for ch in text:
        out.append("\\" + ch if ch in "\\`*_{}[]<>()#+-.!|~" else ch)
    return "".join(out)


# --- the hall ranks the retained axes (optional) ---------------------------------------------


def retained_axes(hall: Hall, campaign: str) -> list[dict]:
    """The retained clusters of a campaign's axes (field "axes"), with their tables."""
    return [
        entry
        for g in groups_of(hall, campaign)
        if g.field == "axes"
        for entry in kept(g)
        if entry["retained"]
    ]


def vote_on_axes(hall: Hall, campaign: str, *, actor):
    """A draft in-hall vote (a ranking, Schulze) whose options are the campaign's retained
    axes, each described by the tables it came from; the organizer opens it from the votes'
    page. Needs at least two retained axes."""
    from pnyx.votes import actions as votes

    _check(actor)
    axes = retained_axes(hall, campaign)
    if len(axes) < 2:
        raise ReviewError(
            _("Retain at least two axes of this campaign before the hall ranks them.")
        )
    name = names(hall).get(campaign, campaign)
    with transaction.atomic():
        vote = votes.create_vote(
            hall.convention,
            actor,
            mode="published",
            question=(_("Rank the axes of the campaign “%(name)s”") % {"name": name})[:300],
            method="schulze",
            electorate="present",
            in_hall=True,
        )
        for axis in axes:
            votes.add_option(
                vote,
                actor,
                title=axis["label"][:300],
                description=_("Raised by tables %(tables)s.")
                % {"tables": ", ".join(str(t) for t in axis["tables"])},
            )
        record(
            "workshops.synthesis_vote_created",
            actor=actor,
            obj=vote,
            payload={"campaign": campaign, "axes": [a["label"] for a in axes]},
        )
    return vote
