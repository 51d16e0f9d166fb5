"""Sanity over catalogue and checks together: every check judges a real requirement,
every scored requirement has a check or says why it cannot have one."""

from __future__ import annotations

import pytest

from accord.cli import main
from accord.engine import checks_for
from accord.specs import available, load_spec

SPECS = [ref for ref in available()]


def test_bundled_specs_are_found():
    assert {str(r) for r in SPECS} >= {"mcp@2025-06-18", "mcp@2025-11-25"}


@pytest.mark.parametrize("ref", SPECS, ids=str)
def test_every_requirement_has_a_check_or_a_reason(ref):
    catalogue = load_spec(ref).catalogue
    checks = checks_for(ref.protocol)
    missing = [r.id for r in catalogue if not r.untested and r.id not in checks]
    assert not missing, f"{ref}: requirements with neither a check nor an untested reason: {missing}"


@pytest.mark.parametrize("protocol", sorted({r.protocol for r in SPECS}))
def test_every_check_refers_to_a_catalogued_requirement(protocol):
    known = {r.id for ref in SPECS if ref.protocol == protocol for r in load_spec(ref).catalogue}
    stray = sorted(set(checks_for(protocol)) - known)
    assert not stray, f"checks registered for ids no {protocol} catalogue has: {stray}"


def test_untested_requirements_have_no_check_pretending_otherwise():
    for ref in SPECS:
        checks = checks_for(ref.protocol)
        both = [r.id for r in load_spec(ref).catalogue if r.untested and r.id in checks]
        assert not both, f"{ref}: marked untested yet a check exists (drop one of the two): {both}"


def test_accord_list_prints_catalogue_and_coverage(capsys):
    assert main(["list", "--spec", "mcp@2025-11-25"]) == 0
    out = capsys.readouterr().out
    catalogue = load_spec(SPECS[-1]).catalogue
    assert out.startswith(f"mcp@2025-11-25: {len(catalogue)} requirements")
    assert "mcp.ping.response" in out
    assert "coverage:" in out and "MUST" in out
