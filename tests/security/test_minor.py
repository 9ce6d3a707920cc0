"""Finding 10 (minor items): orphan spill folders, a hostile YAML tag, UTF-16 csv."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cse_audit.config import Limits
from cse_audit.ingest.readers import read_csv
from cse_audit.linkage import LinkageConfigError, load_linkage_config
from cse_audit.linkage.engine import SPILL_PREFIX, _remove_orphan_spill_folders


def test_orphan_spill_folders_of_dead_processes_go(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    orphan = tmp_path / f"{SPILL_PREFIX}{int(dead.stdout)}-abc"
    mine = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-abc"
    other = tmp_path / "something-else"
    for d in (orphan, mine, other):
        d.mkdir()
    (orphan / "spill.tmp").write_bytes(b"names")
    _remove_orphan_spill_folders(str(tmp_path))
    assert not orphan.exists() and mine.exists() and other.exists()


@pytest.mark.parametrize("text", ["groups: !!python/object/apply:os.system ['echo owned']\n",
                                  "groups: [a, b]\n", "groups:\n  ann: [{x: 1}]\n", "groups: {a: [b\n"])
def test_hostile_nickname_table_is_a_config_error(fixture_config_dir, text):
    (fixture_config_dir / "nicknames.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LinkageConfigError, match="nicknames.yaml"):
        load_linkage_config(fixture_config_dir / "linkage.yaml")


def test_utf16_csv_is_read(tmp_path):
    path = tmp_path / "ngo_utf16.csv"
    path.write_bytes("Case,Forename\nN1,Zoë\n".encode("utf-16"))
    assert read_csv(path, Limits()).rows == [["Case", "Forename"], ["N1", "Zoë"]]
