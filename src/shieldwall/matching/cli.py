"""`shieldwall match …`: scenarios, runs (queued for the worker, or solved here), what a run found, comparison,
approval, what-if and the transit-time table — thin over `matching.selectors` and `matching.services`.

Reads act as `--as`/`--token`, else anonymously (PUBLIC only); writes need an acting user. `SCENARIO` is an id
or an exact name.
"""

from __future__ import annotations

import time
from typing import Any

from shieldwall.cli import (
    CommandFailed,
    Context,
    UsageError,
    add_command,
    add_group,
    arg_classification,
    arg_codes,
    arg_date,
    arg_releasability,
)
from shieldwall.core.markings import Classification

POLL_SECONDS = 0.5


def register(subparsers: Any) -> None:
    group = add_group(subparsers, "match", help="matching pledges to requirements: scenarios, runs, approval")
    _register_scenarios(group)
    run = add_command(group, "run", _run, help="run a scenario (queued for `shieldwall worker`, or --here)")
    run.add_argument("scenario", metavar="SCENARIO")
    run.add_argument("--wait", action="store_true", help="wait for the worker, showing its progress")
    run.add_argument("--here", action="store_true", help="solve in this process instead of queueing")
    run.add_argument("--timeout", type=float, default=600.0, help="seconds --wait waits at most (default 600)")
    listing = add_command(group, "list", _list, help="runs you may see, newest first")
    listing.add_argument("--scenario", default=None, metavar="SCENARIO")
    show = add_command(group, "show", _show, help="a run: status, what you may see of its result")
    show.add_argument("run", type=int, metavar="RUN")
    approve = add_command(group, "approve", _approve,
                          help="allocate a run's assignments (coordinators; refused when its inputs changed)")
    approve.add_argument("run", type=int, metavar="RUN")
    approve.add_argument("--date", type=arg_date, default=None, help="when the allocations take effect")
    compare = add_command(group, "compare", _compare, help="two runs side by side: who gains, who loses")
    compare.add_argument("a", type=int, metavar="A")
    compare.add_argument("b", type=int, metavar="B")
    what_if = add_command(group, "what-if", _what_if,
                          help="what hypothetical pledges or priority changes would change (nothing is stored)")
    what_if.add_argument("scenario", metavar="SCENARIO")
    what_if.add_argument("--add", action="append", default=[], metavar="TYPE:QUANTITY:DATE:ORIGIN",
                         help="a hypothetical line, e.g. 'IRIS-T SL:2:2026-05-01:DEU' (type id or name)")
    what_if.add_argument("--priority", action="append", default=[], metavar="REQUIREMENT=PRIORITY",
                         help="a requirement's priority, e.g. 12=1")
    _register_transit(group)


def _register_scenarios(group: Any) -> None:
    scenarios = add_group(group, "scenario", help="named sets of matching inputs and parameters (marked)")
    listing = add_command(scenarios, "list", _scenario_list, help="scenarios you may see")
    listing.add_argument("--q", default="", help="name or description contains")
    show = add_command(scenarios, "show", _scenario_show, help="one scenario with its latest runs")
    show.add_argument("scenario", metavar="SCENARIO")
    create = add_command(scenarios, "create", _scenario_create, help="a scenario of your nation (coordinators)")
    create.add_argument("--name", required=True)
    create.add_argument("--description", default="")
    create.add_argument("--half-life", type=int, default=14, metavar="DAYS", help="lateness half-life (default 14)")
    create.add_argument("--max-lateness", type=int, default=56, metavar="DAYS", help="default 56")
    create.add_argument("--area", type=arg_codes, default=[], metavar="CODES",
                        help="capability areas in scope, e.g. ARTILLERY,AIR_DEFENCE (default all)")
    create.add_argument("--item-class", type=int, action="append", default=[], metavar="ID",
                        help="an item class in scope (repeat; default all)")
    create.add_argument("--donor", type=arg_codes, default=[], metavar="CODES", help="donors in scope (default all)")
    create.add_argument("--priority-min", type=int, default=1)
    create.add_argument("--priority-max", type=int, default=5)
    create.add_argument("--need-by-from", type=arg_date, default=None, metavar="DATE")
    create.add_argument("--need-by-to", type=arg_date, default=None, metavar="DATE")
    create.add_argument("--hub-capacity", action="append", default=[], metavar="HUB:MONDAY:UNITS",
                        help="units a hub forwards in a week, e.g. 'Rzeszów-Jasionka:2026-05-04:400' (repeat)")
    create.add_argument("--classification", type=arg_classification, default=Classification.UNCLASSIFIED,
                        metavar="LEVEL")
    create.add_argument("--releasability", type=arg_releasability, default=None, metavar="RELEASABILITY")
    create.add_argument("--rel-to", type=arg_codes, default=[], metavar="CODES")


def _register_transit(group: Any) -> None:
    transit = add_group(group, "transit", help="transit times from donors to destinations (the routes table)")
    listing = add_command(transit, "list", _transit_list, help="the table, and the rule beneath it")
    listing.add_argument("--origin", default="", metavar="CODE")
    put = add_command(transit, "set", _transit_set, help="set a route's days (coordinators, admins)")
    put.add_argument("origin", metavar="ORIGIN")
    put.add_argument("--days", type=int, required=True)
    put.add_argument("--destination", default="", help="blank: the origin's default route")
    put.add_argument("--hub", default="", help="consolidation hub of the origin (default route only)")


def _marking(obj: Any) -> str:
    from shieldwall.core.banner import marking_of

    return str(marking_of(obj))


# --- scenarios ------------------------------------------------------------------------------------------------


def _scenario_row(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "half_life_days": s.half_life_days, "max_lateness_days": s.max_lateness_days,
            "areas": sorted(a.code for a in s.areas.all()), "donors": sorted(n.code for n in s.donors.all()),
            "priorities": f"{s.priority_min}-{s.priority_max}", "need_by_from": s.need_by_from,
            "need_by_to": s.need_by_to, "originator": s.originator.code, "marking": _marking(s)}


def _scenario_list(ctx: Context) -> None:
    from shieldwall.matching import selectors

    ctx.render([_scenario_row(s) for s in selectors.scenario_list(actor=ctx.actor(), q=ctx.args.q)])


def _scenario_show(ctx: Context) -> None:
    from shieldwall.matching import selectors

    scenario = selectors.scenario_find(actor=ctx.actor(), ref=ctx.args.scenario)
    capacities = [{"hub": c.hub, "week_start": c.week_start, "capacity": c.capacity}
                  for c in scenario.hub_capacities.all()]
    runs = [_run_row(r) for r in scenario.visible_runs[:10]]  # type: ignore[attr-defined]
    ctx.render_record({**_scenario_row(scenario), "description": scenario.description,
                       "item_classes": sorted(c.name for c in scenario.item_classes.all()),
                       "hub_capacities": capacities, "runs": runs})


def _capacities(values: list[str]) -> list[Any]:
    from datetime import date

    from shieldwall.matching.services import HubCapacity

    out = []
    for value in values:
        hub, _, rest = value.rpartition(":")
        hub, _, day = hub.rpartition(":")
        try:
            out.append(HubCapacity(hub, date.fromisoformat(day), int(rest)))
        except ValueError as exc:
            raise UsageError(f"--hub-capacity {value!r}: write HUB:YYYY-MM-DD:UNITS") from exc
    return out


def _scenario_create(ctx: Context) -> None:
    from shieldwall.matching import selectors, services

    a = ctx.args
    releasability = a.releasability or ("REL_TO" if a.rel_to else "COALITION")
    scenario = services.scenario_create(
        actor=ctx.acting(), name=a.name, description=a.description, half_life_days=a.half_life,
        max_lateness_days=a.max_lateness, areas=[c.lower() for c in a.area], item_classes=a.item_class,
        donors=a.donor, priority_min=a.priority_min, priority_max=a.priority_max, need_by_from=a.need_by_from,
        need_by_to=a.need_by_to, hub_capacities=_capacities(a.hub_capacity), classification=int(a.classification),
        releasability=releasability, rel_to=a.rel_to)
    ctx.render_record(_scenario_row(selectors.scenario_get(actor=ctx.actor(), id=scenario.pk)))


# --- runs -----------------------------------------------------------------------------------------------------


def _run_row(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "scenario": r.scenario.name if r.scenario else None, "status": r.status,
            "progress": r.progress, "started_at": r.started_at, "finished_at": r.finished_at,
            "approved_by": r.approved_by.username if r.approved_by_id else None, "approved_at": r.approved_at,
            "error": r.error, "marking": _marking(r)}


def _list(ctx: Context) -> None:
    from shieldwall.matching import selectors

    actor = ctx.actor()
    scenario_id = selectors.scenario_find(actor=actor, ref=ctx.args.scenario).pk if ctx.args.scenario else None
    ctx.render([_run_row(r) for r in selectors.run_list(actor=actor, scenario_id=scenario_id)])


def _run(ctx: Context) -> None:
    from shieldwall.matching import selectors, services

    # Not found before "who acts?": a hidden scenario answers the same to everyone.
    scenario = selectors.scenario_find(actor=ctx.actor(), ref=ctx.args.scenario)
    actor = ctx.acting()
    bar = ctx.progress()
    if ctx.args.here:
        run = services.run_start(actor=actor, scenario_id=scenario.pk, enqueue=False)
        services.run_execute(actor=actor, run_id=run.pk, on_progress=lambda p: bar(p, 100, f"run {run.pk}"))
    else:
        run = services.run_start(actor=actor, scenario_id=scenario.pk)
        if ctx.args.wait:
            _wait(ctx, run.pk, bar)
    _show_run(ctx, run.pk)


def _wait(ctx: Context, run_id: int, bar: Any) -> None:
    from shieldwall.matching import selectors

    started = time.monotonic()
    deadline = started + ctx.args.timeout
    told, shown = False, -1
    while True:
        run = selectors.run_get(actor=ctx.actor(), id=run_id)
        if run.progress != shown:
            bar(run.progress, 100, f"run {run_id} {run.status}")
            shown = run.progress
        if run.is_finished:
            return
        if not told and run.status == "queued" and time.monotonic() > started + 5:
            ctx.err.write("still queued: is a worker running? (`shieldwall worker`)\n")
            told = True
        if time.monotonic() > deadline:
            raise CommandFailed(f"run {run_id} is still {run.status} after {ctx.args.timeout:g} s; "
                                f"see `shieldwall match show {run_id}` later")
        time.sleep(POLL_SECONDS)


def _summary(summary: Any) -> dict[str, Any]:
    out = {"assignments": summary.assignments, "units_assigned": summary.units, "value": summary.value,
           "value_eur": summary.value_eur, "gaps": summary.gaps, "units_unmet": summary.unmet}
    if summary.total_objective is not None:
        out["total_objective_all_inputs"] = summary.total_objective
    return out


def _show_run(ctx: Context, run_id: int) -> None:
    from shieldwall.matching import selectors

    actor = ctx.actor()
    run = selectors.run_get(actor=actor, id=run_id)
    record: dict[str, Any] = {**_run_row(run), **_summary(selectors.run_summary(actor=actor, run=run))}
    record["assignments_list"] = [
        {"line": a.line_id, "donor": a.donor.code, "item_type": a.line.item_type.name if a.line.item_type else "",
         "requirement": a.requirement_id, "requirement_title": str(a.requirement), "quantity": a.quantity,
         "arrival": a.expected_arrival, "late_days": a.lateness_days, "value": a.value, "value_eur": a.value_eur}
        for a in selectors.run_assignments(actor=actor, run_id=run_id)]
    record["gaps_list"] = [
        {"requirement": g.requirement_id, "title": str(g.requirement), "required": g.required, "unmet": g.unmet,
         "reason": g.primary, "reasons": ", ".join(f"{k} {v}" for k, v in sorted(g.reasons.items()))}
        for g in selectors.run_gaps(actor=actor, run_id=run_id)]
    if selectors.sees_whole_problem(actor):
        record["marginal_values"] = [
            {"item_class": m.item_class.name, "unit": m.item_class.unit, "value_of_one_more": m.value}
            for m in selectors.run_marginal_values(actor=actor, run_id=run_id)]
    ctx.render_record(record)


def _show(ctx: Context) -> None:
    _show_run(ctx, ctx.args.run)


def _approve(ctx: Context) -> None:
    from shieldwall.matching import selectors, services

    selectors.run_get(actor=ctx.actor(), id=ctx.args.run)
    result = services.run_approve(actor=ctx.acting(), run_id=ctx.args.run, effective_date=ctx.args.date)
    ctx.render_record({"run": result.run.pk, "applied": result.applied, "lines_split": result.splits,
                       "units": result.units, "approved_at": result.run.approved_at})


def _compare(ctx: Context) -> None:
    from shieldwall.matching import selectors

    found = selectors.run_compare(actor=ctx.actor(), a=ctx.args.a, b=ctx.args.b)
    ctx.render_record({
        "a": found.a.pk, "b": found.b.pk,
        **{f"{k}_a": v for k, v in _summary(found.summary_a).items()},
        **{f"{k}_b": v for k, v in _summary(found.summary_b).items()},
        "requirements": [{"requirement": r.requirement.pk, "title": str(r.requirement),
                          "priority": r.requirement.priority, "covered_a": r.covered_a, "covered_b": r.covered_b,
                          "change": r.change, "unmet_a": r.unmet_a, "unmet_b": r.unmet_b}
                         for r in found.requirements],
        "donors": [{"donor": d.code, "units_a": d.units_a, "units_b": d.units_b, "value_eur_a": d.value_eur_a,
                    "value_eur_b": d.value_eur_b, "change_eur": d.change_eur} for d in found.donors],
    })


def _hypothetical(ctx: Context, values: list[str]) -> list[Any]:
    from datetime import date

    from shieldwall.matching.services import HypotheticalLine
    from shieldwall.pledges.selectors import item_type_find

    out = []
    for value in values:
        parts = value.rsplit(":", 3)
        if len(parts) != 4:
            raise UsageError(f"--add {value!r}: write TYPE:QUANTITY:YYYY-MM-DD:ORIGIN")
        ref, quantity, day, origin = parts
        try:
            out.append(HypotheticalLine(item_type_id=item_type_find(actor=ctx.actor(), ref=ref).pk,
                                        quantity=int(quantity), available_from=date.fromisoformat(day),
                                        origin=origin))
        except ValueError as exc:
            raise UsageError(f"--add {value!r}: write TYPE:QUANTITY:YYYY-MM-DD:ORIGIN") from exc
    return out


def _priorities(values: list[str]) -> dict[int, int]:
    out = {}
    for value in values:
        ref, _, priority = value.partition("=")
        if not (ref.strip().isdigit() and priority.strip().isdigit()):
            raise UsageError(f"--priority {value!r}: write REQUIREMENT=PRIORITY, e.g. 12=1")
        out[int(ref)] = int(priority)
    return out


def _what_if(ctx: Context) -> None:
    from shieldwall.matching import selectors, services

    scenario = selectors.scenario_find(actor=ctx.actor(), ref=ctx.args.scenario)
    actor = ctx.acting()
    answer = services.what_if(actor=actor, scenario_id=scenario.pk, lines=_hypothetical(ctx, ctx.args.add),
                              priorities=_priorities(ctx.args.priority))
    ctx.render_record({
        "scenario": scenario.pk, "base_run": answer.base_run_id, "objective_before": answer.objective_before,
        "objective_after": answer.objective_after, "objective_change": answer.objective_change,
        "seconds": round(answer.seconds, 3), "hypothetical_units_elsewhere": answer.hypothetical_elsewhere,
        "requirements": [{"requirement": c.requirement.pk, "title": str(c.requirement), "required": c.required,
                          "covered_before": c.covered_before, "covered_after": c.covered_after, "change": c.change,
                          "priority": f"{c.priority_before}→{c.priority_after}", "still_unmet": c.reason_after}
                         for c in answer.changes],
        "hypothetical_lines": [{"line": h.line, "item_type": h.item_type, "requirement": h.requirement.pk,
                                "quantity": h.quantity, "arrival": h.expected_arrival, "value": h.value}
                               for h in answer.hypothetical],
    })


# --- transit times ----------------------------------------------------------------------------------------------


def _transit_row(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "origin": t.origin.code, "destination": t.destination or "(any)", "days": t.days,
            "hub": t.hub}


def _transit_list(ctx: Context) -> None:
    from shieldwall.matching import selectors

    ctx.render([_transit_row(t) for t in selectors.transit_time_list(actor=ctx.actor(), origin=ctx.args.origin)],
               columns=["id", "origin", "destination", "days", "hub"])
    if ctx.fmt == "table":
        rule = ", ".join(f"{k} {v} d" for k, v in selectors.transit_rule().items())
        ctx.err.write(f"without a row: {rule}\n")


def _transit_set(ctx: Context) -> None:
    from shieldwall.matching import services

    a = ctx.args
    row = services.transit_time_set(actor=ctx.acting(), origin=a.origin, destination=a.destination, days=a.days,
                                    hub=a.hub)
    ctx.render_record(_transit_row(row))
