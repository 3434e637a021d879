"""The verdict cache of `mathcheck check`: a re-run does no symbolic work; bad entries are never trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import checker.notes_check as notes_check
import checker.prefetch as prefetch
from checker.cache import VerdictCache
from checker.cli import main
from checker.notes_run import check_sources

NOTES = {
    "a.md": "# a\n\n$$(a+b)^2 = a^2 + 2ab + b^2$$\n\n$$\\frac{d}{dx} x^3 = 3x^2$$\n\n$$(x+1)^2 = x^2 + 1$$\n",
    "b.md": "# b\n\n$$f(x) = x^2 + 1$$\n\n$$\\frac{d}{dx} f(x) = 2x$$\n\n$$\\sin^2 t + \\cos^2 t = 1$$\n",
}


@pytest.fixture
def notes(tmp_path: Path) -> list[str]:
    paths = []
    for name, text in NOTES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A log with one line per claim checked and per text parsed, written from the workers too."""
    log = tmp_path / "work.log"
    check_claim, parse_latex = notes_check.check_claim, prefetch.parse_latex

    def counted_check(claim, **kw):  # type: ignore[no-untyped-def]
        with open(log, "a", encoding="utf-8") as fh:
            fh.write("check\n")
        return check_claim(claim, **kw)

    def counted_parse(text, **kw):  # type: ignore[no-untyped-def]
        with open(log, "a", encoding="utf-8") as fh:
            fh.write("parse\n")
        return parse_latex(text, **kw)

    monkeypatch.setattr(notes_check, "check_claim", counted_check)
    monkeypatch.setattr(prefetch, "parse_latex", counted_parse)
    return log


def _count(log: Path, what: str) -> int:
    return log.read_text(encoding="utf-8").split().count(what) if log.exists() else 0


def _signature(run) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(r.file, r.line, r.step, r.verdict.value, r.method, r.message, r.counterexample) for r in run.results]


def test_second_run_of_unchanged_notes_parses_and_checks_nothing(notes, work, tmp_path):
    """A re-run of unchanged notes gives the same results with no parse and no claim check."""
    cache = VerdictCache(tmp_path / "cache")
    first = check_sources(notes, cache=cache, timeout=5.0)
    checks, parses = _count(work, "check"), _count(work, "parse")
    assert checks >= 5 and parses >= 6
    second = check_sources(notes, cache=VerdictCache(tmp_path / "cache"), timeout=5.0)
    assert (_count(work, "check"), _count(work, "parse")) == (checks, parses)
    assert second.cached_sources == 2 and second.parsed == 0
    assert _signature(second) == _signature(first)
    assert [r.verdict.value for r in first.results].count("wrong") == 1


def test_an_edited_file_rechecks_only_its_new_claims(notes, work, tmp_path):
    """After one equation is edited, the other file is not re-read and only the new claim is checked."""
    cache_dir = tmp_path / "cache"
    check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)
    checks = _count(work, "check")
    Path(notes[0]).write_text(NOTES["a.md"].replace("x^2 + 1$$", "x^2 + 2x + 1$$"), encoding="utf-8")
    run = check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)
    assert run.cached_sources == 1
    assert _count(work, "check") == checks + 1  # the edited claim only; the others come from the claim cache
    assert [r.verdict.value for r in run.results].count("wrong") == 0


def _rewrite_entries(cache_dir: Path, change) -> int:  # type: ignore[no-untyped-def]
    n = 0
    for entry in cache_dir.rglob("*.json"):
        entry.write_bytes(change(entry.read_bytes()))
        n += 1
    return n


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not-utf8", "wrong-shape"])
def test_corrupt_entries_are_ignored_and_replaced(damage, notes, work, tmp_path):
    """A corrupt cache entry is ignored (the work is done again) and the results do not change."""
    cache_dir = tmp_path / "cache"
    first = check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)
    checks = _count(work, "check")
    change = {"garbage": lambda b: b"{not json",
              "truncated": lambda b: b[: len(b) // 2],
              "not-utf8": lambda b: b"\xff\xfe" + b,
              "wrong-shape": lambda b: json.dumps({**json.loads(b), "payload": {"verdict": 3}}).encode()}[damage]
    assert _rewrite_entries(cache_dir, change) > 0
    cache = VerdictCache(cache_dir)
    again = check_sources(notes, cache=cache, timeout=5.0)
    assert cache.rejected >= 2 and again.cached_sources == 0
    assert _count(work, "check") == 2 * checks
    assert _signature(again) == _signature(first)
    third = check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)  # replaced by good entries
    assert third.cached_sources == 2


def test_entries_of_another_engine_version_are_never_trusted(notes, work, tmp_path):
    """An entry written by another version is ignored even when it claims every equation is verified."""
    cache_dir = tmp_path / "cache"
    first = check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)

    def forge(raw: bytes) -> bytes:
        entry = json.loads(raw)
        entry["version"] = "0.0.1+someone-else"
        text = json.dumps(entry).replace('"wrong"', '"verified"')
        return text.encode()

    _rewrite_entries(cache_dir, forge)
    cache = VerdictCache(cache_dir)
    again = check_sources(notes, cache=cache, timeout=5.0)
    assert cache.rejected >= 2 and cache.hits == 0
    assert _signature(again) == _signature(first)
    assert [r.verdict.value for r in again.results].count("wrong") == 1


def test_the_budget_and_seed_are_part_of_the_key(notes, work, tmp_path):
    """Another --timeout or --seed does not reuse the cached results."""
    cache_dir = tmp_path / "cache"
    check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0)
    assert check_sources(notes, cache=VerdictCache(cache_dir), timeout=4.0).cached_sources == 0
    assert check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0, seed=3).cached_sources == 0
    assert check_sources(notes, cache=VerdictCache(cache_dir), timeout=5.0).cached_sources == 2


def test_no_cache_writes_nothing_and_cache_dir_moves_it(notes, tmp_path, monkeypatch, capsys):
    """--no-cache leaves no cache folder; --cache-dir puts the cache where it says."""
    monkeypatch.chdir(tmp_path)
    assert main(["check", *notes, "--no-cache", "--jobs", "1", "--format", "json"]) == 1
    assert not (tmp_path / ".mathcheck_cache").exists()
    assert main(["check", *notes, "--cache-dir", "elsewhere", "--jobs", "1", "--format", "json"]) == 1
    assert any((tmp_path / "elsewhere" / "sources").rglob("*.json"))
    assert not (tmp_path / ".mathcheck_cache").exists()
    capsys.readouterr()


def test_cached_and_fresh_runs_write_byte_identical_json(notes, tmp_path, monkeypatch, capsys):
    """The JSON report of a cached run is byte for byte that of a fresh run, and of the run before."""
    monkeypatch.chdir(tmp_path)
    outputs = []
    for args in (["--no-cache"], [], [], ["--no-cache"]):
        main(["check", *notes, "--jobs", "1", "--format", "json", *args])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3]
    assert '"wrong": 1' in outputs[0]
