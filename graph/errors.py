"""The project's exceptions: one base class, each message names the file or term and the fix."""

from __future__ import annotations

import re

# Control characters (a newline in a file name, an ANSI escape) would break the one-line rule.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` safe to print on one line: control characters escaped as ``\\n``, ``\\x1b``."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class LabourgraphError(Exception):
    """Base class: the CLI prints ``Error: <message>`` and exits 1 (traceback only with --debug)."""

    exit_code = 1


class DocumentError(LabourgraphError):
    """A source file cannot be used; the build records it and goes on."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())  # parser messages may span lines
        super().__init__(f"{one_line(path)}: {self.problem}")


class ReferenceDataError(LabourgraphError):
    """A reference data file under ontology/ is malformed."""


class BuildNotFoundError(LabourgraphError):
    """The --out folder holds no finished build."""

    def __init__(self, out: str) -> None:
        super().__init__(f"{out}: no build found; run `labourgraph build --out {out}` first")


class BuildLockedError(LabourgraphError):
    """Another build is writing the same --out folder (exit status 3: try again later)."""

    exit_code = 3

    def __init__(self, out: str, holder: str, waited: float) -> None:
        after = f" after waiting {waited:g} s" if waited else ""
        super().__init__(
            f"{out}: another build ({holder}) is writing it{after}; "
            "wait for it to finish, pass --wait SECONDS, or use another --out"
        )


class QueryError(LabourgraphError):
    """A SPARQL query is unknown, malformed or missing a parameter."""


class ValidationFailure(LabourgraphError):
    """The SHACL validator itself could not run (as opposed to the data breaking a shape)."""
