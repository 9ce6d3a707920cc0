"""The keys the linkage rewrite added (reference_period in settings.yaml and agencies.yaml,
prior_from_data, em.enabled, em.min_records, u_sampling.pairs_per_record, areas_file) are checked
against their types: a wrong value is a configuration error naming the key, never SQL."""

from __future__ import annotations

import shutil

import pytest
import yaml

from cse_audit.config import ConfigError, load_config
from cse_audit.linkage import LinkageConfigError, load_linkage_config

from ..conftest import ROOT


def _copy(tmp_path):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    return tmp_path / "configs"


def _edit(path, change):
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(d)
    path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("period, key", [
    ({"from": "2008-01-01", "to": "2011-03-31'); DROP TABLE victims; --"}, "reference_period.to"),
    ({"from": 2008, "to": "2011-03-31"}, "reference_period.from"),
    ({"from": "2011-03-31", "to": "2008-01-01"}, "reference_period"),
    ("2008 to 2011", "reference_period"),
])
def test_a_bad_reference_period_names_the_key(tmp_path, period, key):
    root = _copy(tmp_path)
    _edit(root / "settings.yaml", lambda d: d.__setitem__("reference_period", period))
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(root)
    with pytest.raises(LinkageConfigError, match=key.split(".")[0]):
        load_linkage_config(root / "linkage.yaml")


def test_an_agency_reference_period_is_checked(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "agencies.yaml",
          lambda d: d["agencies"][0].__setitem__("reference_period", {"from": "2009-01-01", "to": "soon"}))
    with pytest.raises(ConfigError, match=r"agencies\[0\]\.reference_period\.to"):
        load_config(root)
    with pytest.raises(LinkageConfigError, match=r"agencies\[0\]\.reference_period\.to"):
        load_linkage_config(root / "linkage.yaml")


def test_an_agency_reference_period_is_read(tmp_path):
    """Session 19: reading the registry once left the agencies' own periods unread (a name
    shadowed the registry passed in): every age without a date was dated by the default period."""
    root = _copy(tmp_path)
    _edit(root / "agencies.yaml",
          lambda d: d["agencies"][0].__setitem__("reference_period", {"from": "2009-01-01", "to": "2010-12-31"}))
    first = yaml.safe_load((root / "agencies.yaml").read_text(encoding="utf-8"))["agencies"][0]["id"]
    periods = load_linkage_config(root / "linkage.yaml").agency_periods
    assert [str(d) for d in periods[str(first)]] == ["2009-01-01", "2010-12-31"]


@pytest.mark.parametrize("change, key", [
    (lambda d: d.__setitem__("prior_from_data", "yes"), "prior_from_data"),
    (lambda d: d["em"].__setitem__("enabled", "false"), "em.enabled"),
    (lambda d: d["em"].__setitem__("min_records", "1000; DROP"), "em.min_records"),
    (lambda d: d.setdefault("u_sampling", {}).__setitem__("pairs_per_record", -1), "u_sampling.pairs_per_record"),
    (lambda d: d.__setitem__("areas_file", 7), "areas_file"),
])
def test_new_linkage_keys_are_typed(tmp_path, change, key):
    root = _copy(tmp_path)
    _edit(root / "linkage.yaml", change)
    with pytest.raises(LinkageConfigError, match=key.replace(".", r"\.")):
        load_linkage_config(root / "linkage.yaml")
