"""Build step: ship the top-level configs/ inside the wheel as the package's default configuration.

configs/ stays at the top of the checkout, where analysts and reviewers edit it; a wheel (or
`pip install .`, `pipx install .`) gets a copy at cse_audit/default_configs/, which
cse_audit.config.paths finds when the package runs outside a checkout. An editable install
(`pip install -e .`) needs no copy: it reads the checkout's configs/ directly.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONFIGS = Path(__file__).resolve().parent / "configs"


class BuildWithConfigs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "cse_audit" / "default_configs"
        if target.exists():
            shutil.rmtree(target)
        # Only the configuration itself: never a reviewer's decisions or editor leftovers.
        shutil.copytree(CONFIGS, target, ignore=shutil.ignore_patterns(".*", "*~", "link_overrides.yaml",
                                                                        "__pycache__"))


setup(cmdclass={"build_py": BuildWithConfigs})
