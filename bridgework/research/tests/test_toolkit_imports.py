"""The toolkit is plain Python: a researcher imports it without Django settings, and the
research package's ICCs are the supervision ones, not a copy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bridgework.lib import agreement as lib_agreement
from bridgework.research import agreement

MODULES = ["effect_sizes", "meta_analysis", "forest", "multilevel", "change", "simulate"]
MODULES += ["agreement"]


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_in_a_plain_python_without_django(module: str) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    script = (
        f"import sys, bridgework.research.{module}\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_the_iccs_are_re_exported_from_the_library_not_copied() -> None:
    assert agreement.icc is lib_agreement.icc
    assert agreement.IccResult is lib_agreement.IccResult
    assert set(agreement.__all__) <= set(dir(lib_agreement))
