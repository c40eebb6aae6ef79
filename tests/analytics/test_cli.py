"""The analytics CLI: `import kiel PATH` and `analytics …` give the API's figures with the same options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from shieldwall.analytics.models import DataSource
from shieldwall.core.models import User
from tests.analytics.conftest import kiel_dir
from tests.cli_support import run

pytestmark = pytest.mark.django_db


def test_import_kiel_needs_a_user_and_is_idempotent(capsys: pytest.CaptureFixture[str], analyst_user: User) -> None:
    code, _out, err = run(capsys, "import", "kiel", str(kiel_dir()))
    assert code == 2 and "--as USER" in err
    code, out, _err = run(capsys, "--as", analyst_user.username, "--format", "json", "import", "kiel",
                          str(kiel_dir()))
    assert code == 0 and json.loads(out)["facts"] == 4316
    code, out, _err = run(capsys, "--as", analyst_user.username, "import", "kiel", str(kiel_dir()))
    assert code == 0 and "already imported" in out
    assert DataSource.objects.count() == 1


def test_import_of_a_malformed_release_is_one_line(capsys: pytest.CaptureFixture[str], analyst_user: User,
                                                    tmp_path: Path) -> None:
    (tmp_path / "data_explorer.csv").write_text('"country","iso"\n"X","XXX"\n')
    code, _out, err = run(capsys, "--as", analyst_user.username, "import", "kiel", str(tmp_path))
    assert code == 1 and err.count("\n") == 1
    assert "data_explorer.csv, row 1, column 'year': missing column" in err


@pytest.mark.parametrize("table", ["series", "donors", "groups", "weapons", "channels", "stages"])
def test_metrics_match_the_api(capsys: pytest.CaptureFixture[str], client: Client, kiel: DataSource,
                               table: str) -> None:
    options = ["--source", "kiel-ust-r29", "--measure", "allocation", "--from", "2024-01", "--group", "e5"]
    code, out, _err = run(capsys, "--format", "json", "analytics", table, *options)
    assert code == 0
    api = client.get(f"/api/v1/analytics/{table}?source=kiel-ust-r29&measure=allocation&date_from=2024-01&group=e5")
    assert api.status_code == 200
    ours, theirs = json.loads(out), api.json()
    if table == "weapons":
        for row in theirs:
            row["systems"] = "; ".join(f"{s['system']} ({s['count']})" for s in row["systems"])
    assert ours == theirs


def test_csv_and_table_formats_and_files(capsys: pytest.CaptureFixture[str], kiel: DataSource,
                                         tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--format", "csv", "analytics", "donors", "--donors", "DEU,FRA")
    assert code == 0 and out.splitlines()[0].startswith("iso,name,total,military")
    assert out.splitlines()[1].startswith("DEU,Germany,")
    code, out, _ = run(capsys, "analytics", "series", "--by", "year")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["YEAR", "MONTH", "TOTAL"]
    target = tmp_path / "donors.xlsx"
    code, out, _ = run(capsys, "analytics", "export", "donors", "-o", str(target))
    assert code == 0 and target.read_bytes()[:2] == b"PK"
    kiel_csv = tmp_path / "explorer.csv"
    assert run(capsys, "analytics", "export", "kiel", "-o", str(kiel_csv))[0] == 0
    assert kiel_csv.read_text().splitlines()[0] == (kiel_dir() / "data_explorer.csv").read_text().splitlines()[0]
    chart = tmp_path / "donors.svg"
    assert run(capsys, "analytics", "chart", "donors", "-o", str(chart))[0] == 0
    assert chart.read_text().startswith("<svg") and "Release 29" in chart.read_text()
