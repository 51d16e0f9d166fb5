"""Both install forms work: the editable install (this test run) and a wheel in a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

import accord
from accord.specs import specs_root

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_finds_the_repository_specs():
    assert specs_root() == ROOT / "specs"
    assert Path(accord.__file__).resolve().is_relative_to(ROOT / "conformance")


def test_no_top_level_import_package_shadows_pypi_names():
    for taken in ("adapters", "conformance", "fixtures", "reports", "specs"):
        assert not (ROOT / taken / "__init__.py").exists(), f"{taken}/ must not be an import package"


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_lists_the_catalogue(tmp_path: Path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    wheel = next(dist.glob("*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    listing = subprocess.run(
        [str(env_dir / "bin" / "accord"), "list", "--spec", "mcp@2025-11-25"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert listing.stdout.startswith("mcp@2025-11-25: ")
    assert "coverage:" in listing.stdout
    where = subprocess.run(
        [str(python), "-c", "import accord.specs as s; print(s.specs_root())"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert "site-packages/accord/_specs" in where.stdout, where.stdout + where.stderr
    adapters = subprocess.run(
        [str(python), "-c", "from accord.targets import adapters; print(sorted(adapters()))"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert "mcp+stdio" in adapters.stdout and "mcp+http" in adapters.stdout, adapters.stderr
