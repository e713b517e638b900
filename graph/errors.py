"""The project's exceptions: one base class, each message names the file or term and the fix."""

from __future__ import annotations


class LabourgraphError(Exception):
    """Base class: the CLI prints ``Error: <message>`` and exits 1 (traceback only with --debug)."""


class DocumentError(LabourgraphError):
    """A source file cannot be used; the build records it and goes on."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class ReferenceDataError(LabourgraphError):
    """A reference data file under ontology/ is malformed."""


class BuildNotFoundError(LabourgraphError):
    """The --out folder holds no finished build."""

    def __init__(self, out: str) -> None:
        super().__init__(f"{out}: no build found; run `labourgraph build --out {out}` first")


class QueryError(LabourgraphError):
    """A SPARQL query is unknown, malformed or missing a parameter."""


class ValidationFailure(LabourgraphError):
    """The SHACL validator itself could not run (as opposed to the data breaking a shape)."""
