"""Helpers of the tests that run `mathcheck check` in-process on notes written to a folder."""

from __future__ import annotations

from pathlib import Path

from checker.cli import main


def check(capsys, *argv: str) -> tuple[int, str, str]:
    """`mathcheck check --no-cache --jobs 1 ARGV...`: the exit status, stdout and stderr."""
    code = main(["check", "--no-cache", "--jobs", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    """`text` written to `tmp_path/name`; its path."""
    p = tmp_path / name
    p.write_text(text)
    return str(p)
