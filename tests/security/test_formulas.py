"""Finding 8: no export holds a live formula, and record ids survive the round trip to link apply.

`validate --format csv` appended a text table whose lines started with the file name
(=HYPERLINK(...)); `template --agency` wrote an agency id beginning with = as a formula; an agency
id beginning with = got quote-prefixed record ids in review exports, so link apply ignored them."""

from __future__ import annotations

import csv
import io
import shutil

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.config import ConfigError, load_config
from cse_audit.linkage.overrides import load_overrides, unneutralise
from cse_audit.outputs.template import write_template

from ..conftest import RETURNS

FORMULA = ("=", "+", "-", "@")


def test_validate_csv_is_all_csv_and_formula_safe(fixture_config_dir, tmp_path):
    path = tmp_path / '=HYPERLINK("x","y").csv'
    shutil.copy(RETURNS / "ngo_bom.csv", path)
    res = CliRunner().invoke(cli, ["validate", str(path), "--agency", "ngo-fixture", "--config",
                                   str(fixture_config_dir), "--format", "csv", "--show-values"])
    assert res.exit_code in (0, 1), res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert any("=HYPERLINK" in c for r in rows for c in r)  # the file name is there, neutralised
    for r in rows:
        for c in r:
            assert not c.lstrip(" ").startswith(FORMULA), c


@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2", "'quoted", "a b", "a:b",
                                 "x\x1by"])
def test_agency_ids_cannot_be_formulas(fixture_config_dir, bad):
    path = fixture_config_dir / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["agencies"][0]["id"] = bad
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(fixture_config_dir)
    assert err.value.key == "agencies[0].id"


def test_template_agency_cells_are_text(fixture_config_dir, tmp_path):
    path = fixture_config_dir / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["agencies"][0]["name"] = '=HYPERLINK("http://x","click")'
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(fixture_config_dir)
    out = tmp_path / "t.xlsx"
    write_template(config, out, data["agencies"][0]["id"])
    ws = openpyxl.load_workbook(out).active
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(FORMULA) for v in values)
    assert data["agencies"][0]["id"] in values


def test_link_apply_reads_neutralised_record_ids(tmp_path):
    path = tmp_path / "review.csv"
    path.write_text("record_id_l,record_id_r,decision\n'=a:1:S:2,'+a:1:S:3,match\nb:1:S:2,b:1:S:3,no-match\n",
                    encoding="utf-8")
    got = load_overrides(path)
    assert [(o.record_id_a, o.record_id_b) for o in got] == [("=a:1:S:2", "+a:1:S:3"), ("b:1:S:2", "b:1:S:3")]
    assert unneutralise("'plain") == "'plain"
