"""Parallel runs write what serial runs write; the progress bar shows only on a terminal, past a second."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

import checker.progress as progress_module
from checker.cli import main
from checker.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "notes"
EXTRA = {
    "chain.md": "$$\n\\begin{aligned}\n(a+b)^2 &= (a+b)(a+b) \\\\\n&= a^2 + ab + ba + b^2 \\\\\n&= a^2 + 3ab + b^2 \\\\\n"
                "&= a^2 + 2ab + b^2\n\\end{aligned}\n$$\n",
    "many.md": "\n\n".join(f"$$(x + {k})^2 = x^2 + {2 * k}x + {k * k + (k % 3 == 0)}$$" for k in range(1, 13)) + "\n",
}


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(["check", *argv, "--no-cache", "--format", "json"])
    return capsys.readouterr().out


def test_parallel_run_writes_exactly_what_a_serial_run_writes(tmp_path, capsys):
    """--jobs 1 and 2 give byte-identical JSON, results in document order."""
    for name, text in EXTRA.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = [str(ROOT / "examples"), str(tmp_path)]
    serial = _json(capsys, *paths, "--jobs", "1")
    assert _json(capsys, *paths, "--jobs", "2") == serial
    assert serial.count('"verdict": "wrong"') >= 5  # the planted error, the chain's bad step, four in many.md
    located = [(r["file"], r["line"], r["step"]) for r in json.loads(serial)["results"]]
    assert located == sorted(located, key=lambda t: (paths_order(t[0], paths), t[0], t[1], t[2]))


def paths_order(file: str, paths: list[str]) -> int:
    return next(k for k, p in enumerate(paths) if file.startswith(p))


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/notes")
def test_corpus_runs_are_deterministic_and_parallel_equals_serial(capsys):
    """Two runs over the corpus notes, and a run with --jobs 2, give byte-identical JSON."""
    first = _json(capsys, str(CORPUS), "--jobs", "1")
    assert _json(capsys, str(CORPUS), "--jobs", "1") == first
    assert _json(capsys, str(CORPUS), "--jobs", "2") == first


class _Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_bar_draws_only_on_a_terminal_and_only_past_the_delay():
    """No bar before one second or off a terminal; after it, a bar with the counts, erased at the end."""
    now = [0.0]
    term = _Terminal(True)
    bar = Progress(term, clock=lambda: now[0])
    bar.update(1, 10, "equations checked")
    assert term.getvalue() == ""  # under a second: nothing
    now[0] = 1.5
    bar.update(4, 10, "equations checked")
    assert term.getvalue().startswith("\r\x1b[K[#########") and "4/10 equations checked" in term.getvalue()
    bar.close()
    assert term.getvalue().endswith("\r\x1b[K")
    pipe = _Terminal(False)
    quiet = Progress(pipe, clock=lambda: now[0] + 100)
    quiet.update(4, 10)
    quiet.close()
    assert pipe.getvalue() == ""


def test_cli_bar_is_on_stderr_for_text_and_never_with_json(tmp_path, capsys, monkeypatch):
    """On a terminal stderr the text report gets a bar on stderr; a JSON report gets none, and stdout none."""
    (tmp_path / "n.md").write_text(EXTRA["many.md"], encoding="utf-8")
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    for fmt, expect_bar in (("text", True), ("json", False)):
        term = _Terminal(True)
        monkeypatch.setattr(sys, "stderr", term)
        main(["check", str(tmp_path / "n.md"), "--no-cache", "--jobs", "1", "--format", fmt])
        out = capsys.readouterr().out
        assert "\x1b[K" not in out
        assert ("\x1b[K[" in term.getvalue()) is expect_bar, (fmt, term.getvalue())
    monkeypatch.setattr(sys, "stderr", _Terminal(False))
    main(["check", str(tmp_path / "n.md"), "--no-cache", "--jobs", "1"])
    assert "\x1b[K" not in sys.stderr.getvalue()  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_bar_appears_on_a_real_pseudo_terminal_for_a_long_run(tmp_path):
    """Run in a pseudo-terminal, a run of more than a second draws the bar on stderr, not on stdout."""
    slow = tmp_path / "slow.md"
    slow.write_text("$$10^{10^{10}} = x$$\n\n$$a + a = 2a$$\n", encoding="utf-8")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "checker", "check", str(slow), "--no-cache", "--jobs", "1",
                             "--timeout", "1.5"], stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out = proc.communicate(timeout=60)[0]
    os.close(master)
    assert b"\x1b[K[" in seen and b"equations" in seen
    assert b"\x1b[K" not in out and b"slow.md:1:" in out
