"""The README documents every subcommand and starts with the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from labourgraph.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_subcommand_is_in_the_readme() -> None:
    for name in main.commands:
        assert f"labourgraph {name}" in README, name


def test_readme_starts_with_the_two_setup_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split()[0:2] for line in block] == [["make", "run"], ["make", "test"]]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "make test" in ci
