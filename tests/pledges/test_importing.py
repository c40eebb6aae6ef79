"""Import of pledge lines from CSV and XLSX: the pure parser's per-row errors, refusals of whole files (size,
columns, encoding), and the all-or-nothing service with its dry run."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from shieldwall.core import audit
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.models import AuditEvent
from shieldwall.pledges import importing, services
from shieldwall.pledges.importing import ImportRefused, RowError, Vocabulary
from shieldwall.pledges.models import Package, PledgeEvent, PledgeLine
from tests.pledges import factories

TODAY = date(2025, 6, 30)
VOCABULARY = Vocabulary(
    item_types={"155 mm M107 HE": 1, "CAESAR": 2},
    currencies={"EUR", "USD", "GBP"},
    valuation_methods={"reported": "reported", "market": "market", "new market price": "market"},
    restriction_flags={"territory_only", "no_retransfer"},
)
HEADER = "item_type,description,quantity,value,currency,value_date,valuation_method,available_from,restrictions," \
         "restriction_flags,classification,releasability,rel_to"


def parse(text: str | bytes, *, vocabulary: Vocabulary = VOCABULARY) -> importing.ParseResult:
    data = text.encode() if isinstance(text, str) else text
    return importing.parse(io.BytesIO(data), size=len(data), vocabulary=vocabulary, today=TODAY)


def test_a_valid_csv_becomes_typed_rows() -> None:
    result = parse(f"{HEADER}\n"
                   "155 mm m107 he,HE shells,1000,3500000.50,usd,2024-03-15,New market price,2025-09-01,"
                   "not beyond the border,territory_only;no_retransfer,RESTRICTED,REL_TO,ukr;gbr\n"
                   "\n"
                   ",Budget support,1,250000000,EUR,2025-01-10,,,,,,,\n")
    assert result.ok and result.read == 2
    first, second = result.rows
    assert first == importing.LineRow(
        row=2, item_type_id=1, item_type="155 mm m107 he", description="HE shells", quantity=1000,
        value=Decimal("3500000.50"), currency="USD", value_date=date(2024, 3, 15), valuation_method="market",
        available_from=date(2025, 9, 1), restrictions="not beyond the border",
        restriction_flags=("territory_only", "no_retransfer"), classification=1, releasability="REL_TO",
        rel_to=("GBR", "UKR"))
    assert (second.row, second.item_type_id, second.valuation_method, second.classification) == (4, None,
                                                                                                 "reported", None)


def test_semicolon_separated_csv_with_a_byte_order_mark() -> None:
    text = "\ufeffitem_type;quantity;value;currency;value_date\nCAESAR;6;27000000;EUR;2025-02-01\n"
    result = parse(text)
    assert result.ok
    assert (result.rows[0].item_type_id, result.rows[0].quantity, result.rows[0].value) == (2, 6, Decimal("27000000"))


def test_every_problem_is_reported_with_row_and_column() -> None:
    result = parse(f"{HEADER}\n"
                   "Leopard 2A4,,ten,1.234,EUR,2025-02-30,guessed,1980-01-01,,secret_flag,TOP SECRET,SOMETIMES,FR\n"
                   "CAESAR,,0,-5,XYZ,2026-01-01,,,,,,,\n"
                   "CAESAR,,3.5,\"1,000.00\",EUR,,,,,,,,\n"
                   "CAESAR,,2,100,EUR,1998-12-31,,,,,,,,extra\n")
    assert not result.ok and result.rows == []
    assert result.errors == [
        RowError(2, "item_type", "unknown item type 'Leopard 2A4'"),
        RowError(2, "quantity", "'ten' is not a number; write e.g. 1250000.00 (no thousands separators)"),
        RowError(2, "value", "'1.234' has more than 2 decimal places"),
        RowError(2, "value_date", "'2025-02-30' is not a date; write YYYY-MM-DD"),
        RowError(2, "valuation_method", "'guessed' is not a valuation method; use market, reported"),
        RowError(2, "available_from", "1980-01-01 is out of range (1990-01-01 to 2050-06-30)"),
        RowError(2, "restriction_flags", "unknown restriction flag(s) secret_flag; use no_retransfer, "
                                         "territory_only, separated by ';'"),
        RowError(2, "classification", "'TOP SECRET' is not a classification; use UNCLASSIFIED, RESTRICTED, "
                                      "CONFIDENTIAL, SECRET"),
        RowError(2, "releasability", "'SOMETIMES' is not a releasability; use PUBLIC, COALITION or REL_TO"),
        RowError(2, "rel_to", "FR: REL TO takes ISO 3166 alpha-3 codes separated by ';'"),
        RowError(3, "quantity", "must be between 1 and 1,000,000,000"),
        RowError(3, "value", "cannot be negative"),
        RowError(3, "currency", "'XYZ' is not a currency with ECB reference rates"),
        RowError(3, "value_date", "2026-01-01 is in the future; value a pledge at a past date (the ECB rate of "
                                  "that day)"),
        RowError(4, "quantity", "'3.5' is not a whole number of units"),
        RowError(4, "value", "'1,000.00' is not a number; write e.g. 1250000.00 (no thousands separators)"),
        RowError(4, "value_date", "is required"),
        RowError(5, "(beyond the last column)", "1 cell(s) without a header"),
        RowError(5, "value_date", "1998-12-31 is before the first ECB reference rates (1999-01-04)"),
    ]


@pytest.mark.parametrize(("header", "message"), [
    ("item_type,quantity,value,currency,value_date,colour", "unknown column(s): colour; the columns are item_type"),
    ("item_type,quantity,value,currency", "missing column(s): value_date; required are item_type, quantity"),
    ("item_type,quantity,quantity,value,currency,value_date", "column(s) given twice: quantity"),
    ("", "missing column(s): item_type, quantity, value, currency, value_date"),
    ("item_type,,quantity,value,currency,value_date", "unknown column(s): (blank)"),
])
def test_wrong_columns_refuse_the_file(header: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(f"{header}\nCAESAR,1,1,EUR,2025-01-01\n")


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ImportRefused, match="neither UTF-8 text"):
        parse("item_type,quantity,value,currency,value_date\nCañón,1,1,EUR,2025-01-01\n".encode("latin-1"))


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = "".join("CAESAR,1,1,EUR,2025-01-01\n" for _ in range(4))
    with pytest.raises(ImportRefused, match="more than 3 lines"):
        parse(f"item_type,quantity,value,currency,value_date\n{rows}")


def big_file(tmp_path: Path, megabytes: int = 50) -> Path:
    """A file of `megabytes` MB written a megabyte at a time, so the test never holds it in memory."""
    path = tmp_path / "huge.csv"
    chunk = (b"CAESAR,1,1,EUR,2025-01-01\n" * 40330)[: 1024 * 1024]
    with path.open("wb") as out:
        out.write(b"item_type,quantity,value,currency,value_date\n")
        for _ in range(megabytes):
            out.write(chunk)
    return path


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = big_file(tmp_path)
    with path.open("rb") as stream:
        with pytest.raises(ImportRefused, match=r"the file is 50\.0 MB; the limit is 10\.0 MB: split it"):
            importing.parse(stream, size=path.stat().st_size, vocabulary=VOCABULARY, today=TODAY)
        assert stream.tell() == 0  # refused on its size alone


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_keep_their_types() -> None:
    data = xlsx([["item_type", "quantity", "value", "currency", "value_date", "available_from"],
                 ["CAESAR", 6, 4500000.1, "EUR", datetime(2025, 2, 1), date(2025, 9, 1)],
                 ["CAESAR", 2.5, 12.345, "EUR", "yesterday", None],
                 [None, None, None, None, None, None]])
    result = parse(data)
    assert result.read == 2
    assert result.rows[0] == importing.LineRow(
        row=2, item_type_id=2, item_type="CAESAR", description="", quantity=6, value=Decimal("4500000.10"),
        currency="EUR", value_date=date(2025, 2, 1), valuation_method="reported", available_from=date(2025, 9, 1),
        restrictions="", restriction_flags=(), classification=None, releasability=None, rel_to=None)
    assert result.errors == [
        RowError(3, "quantity", "'2.5' is not a whole number of units"),
        RowError(3, "value", "'12.345' has more than 2 decimal places"),
        RowError(3, "value_date", "'yesterday' is not a date; write YYYY-MM-DD"),
    ]


def test_a_broken_workbook_is_refused() -> None:
    with pytest.raises(ImportRefused, match="XLSX workbook cannot be read"):
        parse(b"PK\x03\x04 not really a zip file")


# --- the service: all or nothing, dry run ------------------------------------------------------------------------


def import_csv(actor: Actor, package: Package, text: str, *, dry_run: bool) -> services.ImportReport:
    data = text.encode()
    return services.line_import(actor=actor, package_id=package.pk, stream=io.BytesIO(data), size=len(data),
                                dry_run=dry_run)


GOOD = ("item_type,description,quantity,value,currency,value_date,restriction_flags\n"
        "155 mm M107 HE,HE,1000,3500000,USD,2024-03-15,eeum\n"
        "155 mm L15 HE,,500,2000000,EUR,2024-03-16,\n")


def test_dry_run_reports_and_writes_nothing(fra_officer: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    audit_before = AuditEvent.objects.count()
    report = import_csv(fra_officer, fra_package, GOOD, dry_run=True)
    assert (report.ok, report.dry_run, report.rows, report.valid, report.created) == (True, True, 2, 2, [])
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_import_creates_every_line_audited(fra_officer: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    report = import_csv(fra_officer, fra_package, GOOD, dry_run=False)
    assert report.ok and len(report.created) == 2
    lines = PledgeLine.objects.visible_to(fra_officer).order_by("id")
    assert [(line.item_type.name, line.quantity, line.value_eur, line.restriction_flags) for line in lines] == [
        ("155 mm M107 HE", 1000, Decimal("3213367.61"), ["eeum"]),
        ("155 mm L15 HE", 500, Decimal("2000000.00"), []),
    ]
    assert AuditEvent.objects.filter(action="pledge_line.create").count() == 2
    assert PledgeEvent.objects.filter(line__in=lines, to_status="announced").count() == 2


def test_one_bad_row_imports_nothing(fra_officer: Actor, fra_package: Package, cat: dict[str, Any]) -> None:
    text = GOOD + "Leopard 2A4,,1,1,EUR,2024-03-16,\n" + "155 mm L15 HE,,1,1,EUR,2024-03-16,\n"
    text += "155 mm L15 HE,,1,1,EUR,2024-03-16,,surplus\n"  # a cell without a header
    report = import_csv(fra_officer, fra_package, text.replace("eeum", "eeum;wrong"), dry_run=False)
    assert not report.ok and report.created == []
    assert [(e.row, e.column) for e in report.errors] == [(2, "restriction_flags"), (4, "item_type"),
                                                         (6, "(beyond the last column)")]
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0


def test_database_rules_are_reported_per_row_too(fra_officer: Actor, cat: dict[str, Any]) -> None:
    package = factories.package(fra_officer, source="financing", classification=1)
    text = ("item_type,quantity,value,currency,value_date,releasability,classification\n"
            ",1,1000000,EUR,2024-03-15,,\n"
            "CAESAR,1,1000000,EUR,2024-03-15,,\n"
            ",1,1000000,EUR,2024-03-15,PUBLIC,\n")
    report = import_csv(fra_officer, package, text, dry_run=True)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "item_type", "a financing package holds amounts of money: leave the item type empty"),
        (4, "releasability", "a line cannot be released further than its package (RESTRICTED // REL TO "
                             "COALITION)"),
    ]
    assert report.valid == 1


def test_whole_file_refusals_come_back_as_the_file_field(fra_officer: Actor, fra_package: Package,
                                                         cat: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        import_csv(fra_officer, fra_package, "colour\nred\n", dry_run=True)
    assert exc.value.errors["file"][0].startswith("unknown column(s): colour")
    path = big_file(tmp_path)
    with path.open("rb") as stream, pytest.raises(ValidationFailed) as exc:
        services.line_import(actor=fra_officer, package_id=fra_package.pk, stream=stream,
                             size=path.stat().st_size, dry_run=True)
    assert exc.value.errors == {"file": ["the file is 50.0 MB; the limit is 10.0 MB: split it into smaller files"]}


def test_import_needs_a_visible_package_of_ones_nation(fra_officer: Actor, deu_officer: Actor, coord: Actor,
                                                       fra_package: Package, cat: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        import_csv(deu_officer, fra_package, GOOD, dry_run=True)
    hidden = factories.package(fra_officer, classification=2)
    with pytest.raises(NotFound):
        import_csv(deu_officer, hidden, GOOD, dry_run=True)  # RESTRICTED clearance


# --- the batched import writes and refuses what entering each line by hand does ---------------------------------

SAME = ("item_type,description,quantity,value,currency,value_date,restriction_flags,classification,releasability,"
        "rel_to\n"
        "155 mm M107 HE,HE,1000,3500000,USD,2024-03-15,eeum;territory_only,,,\n"
        "155 mm L15 HE,,500,2000000,EUR,2024-03-16,,RESTRICTED,REL_TO,gbr\n"
        "CAESAR,Guns,6,27000000.50,GBP,2024-03-17,,,,\n")


def by_hand(cat: dict[str, Any]) -> list[services.LineSpec]:
    """The lines of SAME as the line service takes them."""
    return [
        services.LineSpec(item_type_id=cat["m107"].pk, description="HE", quantity=1000,
                          value_amount=Decimal("3500000.00"), currency="USD", value_date=date(2024, 3, 15),
                          restriction_flags=("eeum", "territory_only")),
        services.LineSpec(item_type_id=cat["l15"].pk, quantity=500, value_amount=Decimal("2000000.00"),
                          currency="EUR", value_date=date(2024, 3, 16), classification=1, releasability="REL_TO",
                          rel_to=("GBR",)),
        services.LineSpec(item_type_id=cat["caesar"].pk, description="Guns", quantity=6,
                          value_amount=Decimal("27000000.50"), currency="GBP", value_date=date(2024, 3, 17)),
    ]


def written(line: PledgeLine) -> tuple[Any, ...]:
    """What was written for a line, its package and ids aside: its fields, REL TO rows, event and audit event."""
    skip = {"id", "package", "created_at", "updated_at"}
    fields = {f.attname: getattr(line, f.attname) for f in PledgeLine._meta.concrete_fields if f.name not in skip}
    event = PledgeEvent.objects.get(line=line)
    audited = AuditEvent.objects.get(object_type="pledges.pledgeline", object_id=str(line.pk))
    changes = {k: v for k, v in audited.changes.items() if k != "package"}
    return (fields, sorted(line.rel_to.values_list("code", flat=True)),
            (event.from_status, event.to_status, event.quantity, event.value_eur, event.effective_date,
             event.recorded_by_id, event.note),
            (audited.action, audited.actor_username, audited.object_repr, changes, audited.classification,
             audited.releasability, audited.originator, audited.rel_to))


def test_import_writes_what_entering_each_line_by_hand_writes(fra_officer: Actor, fra_package: Package,
                                                              cat: dict[str, Any]) -> None:
    other = factories.package(fra_officer, title="Entered by hand")
    hand = [services.line_create(actor=fra_officer, package_id=other.pk, line=spec) for spec in by_hand(cat)]
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    report = import_csv(fra_officer, fra_package, SAME, dry_run=False)
    assert report.ok and len(report.created) == 3
    imported = list(PledgeLine.objects.visible_to(fra_officer).filter(pk__in=report.created).order_by("id"))
    assert [written(line) for line in imported] == [written(line) for line in hand]
    assert written(imported[1])[1] == ["FRA", "GBR"]  # REL TO rows, the originator added
    assert written(imported[1])[3][-1] == ",FRA,GBR,"  # the audit event carries the line's marking
    # One event per line, appended in file order right after the chain's end, and the chain still verifies.
    events = AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")
    assert [(e.seq, e.object_id) for e in events] == [(last_seq + 1 + i, str(line.pk))
                                                      for i, line in enumerate(imported)]
    assert audit.verify().intact


def test_checks_of_the_write_are_reported_per_row_as_by_hand(fra_officer: Actor, fra_package: Package,
                                                             cat: dict[str, Any]) -> None:
    text = ("item_type,description,quantity,value,currency,value_date,releasability,rel_to\n"
            "CAESAR,,1,1000,EUR,2024-03-15,REL_TO,\n"
            "CAESAR,,1,1000,EUR,2024-03-15,,XXX\n"
            f"CAESAR,{'x' * 301},1,1000,EUR,2024-03-15,,\n"
            "CAESAR,,1,1000,EUR,2024-03-15,,\n")
    report = import_csv(fra_officer, fra_package, text, dry_run=False)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "rel_to", "REL TO needs at least one nation"),
        (3, "rel_to", "unknown nation code(s): XXX"),
        (4, "description", "Ensure this value has at most 300 characters (it has 301)."),
    ]
    assert (report.valid, report.created) == (1, [])
    assert PledgeLine.objects.visible_to(fra_officer).count() == 0
    # The line service refuses the same lines with the same messages.
    caesar = cat["caesar"].pk
    for spec, error in [
        (services.LineSpec(item_type_id=caesar, releasability="REL_TO"), report.errors[0]),
        (services.LineSpec(item_type_id=caesar, rel_to=("XXX",), releasability="REL_TO"), report.errors[1]),
        (services.LineSpec(item_type_id=caesar, description="x" * 301), report.errors[2]),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.line_create(actor=fra_officer, package_id=fra_package.pk, line=spec)
        assert exc.value.errors == {error.column: [error.message]}
