"""Exports of a finished build: RDF serialisations, GraphML, CSV tables and facts YAML."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .dataset import GRAPH_FILE, rdflib_dataset, write_nquads
from .drawing import view_data_of
from .errors import LabourgraphError
from .facts import write_facts
from .store import open_store


def _atomic_copy(src: Path, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dest)


def _atomic_bytes(data: bytes, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dest)


def export(out: Path, fmt: str, dest: Path) -> Path:
    """Write the build in ``fmt`` to ``dest`` and return what was written."""
    store = open_store(out)
    if fmt == "trig":
        _atomic_copy(out / GRAPH_FILE, dest)
    elif fmt == "nquads":
        tmp = dest.with_name(dest.name + ".tmp")
        write_nquads(out / GRAPH_FILE, tmp)
        tmp.replace(dest)
    elif fmt == "turtle":
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        _atomic_bytes(triples.serialize(format=ox.RdfFormat.TURTLE), dest)
    elif fmt == "jsonld":
        ds = rdflib_dataset(out / GRAPH_FILE)
        _atomic_bytes(ds.serialize(format="json-ld", indent=1).encode("utf-8"), dest)
    elif fmt == "graphml":
        g = to_networkx(out)
        tmp = dest.with_name(dest.name + ".tmp")
        nx.write_graphml(g, tmp)
        tmp.replace(dest)
    elif fmt == "csv":
        _csv(out, dest)
    elif fmt == "facts":
        write_facts(out, dest)
    else:
        raise LabourgraphError(f"unknown export format {fmt!r}")
    return dest


def to_networkx(out: Path) -> nx.MultiDiGraph:
    """The view's graph (actors, incidents, role edges) as networkx, for analysis and GraphML."""
    data = view_data_of(out)
    g = nx.MultiDiGraph()
    for n in data.nodes:
        g.add_node(
            n.id,
            label=n.label,
            kind=n.kind,
            incident_type=n.incident_type,
            country=n.country,
            date_earliest=n.date_earliest,
            date_latest=n.date_latest,
            reports=len(n.reports),
        )
    for e in data.edges:
        g.add_edge(e.source, e.target, label=e.label, kind=e.kind)
    return g


def _csv(out: Path, dest: Path) -> None:
    data = view_data_of(out)
    dest.mkdir(parents=True, exist_ok=True)
    with (dest / "nodes.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "id",
                "label",
                "kind",
                "incident_type",
                "country",
                "aliases",
                "date_earliest",
                "date_latest",
                "date_text",
                "reports",
            ]
        )
        for n in data.nodes:
            w.writerow(
                [
                    n.id,
                    n.label,
                    n.kind,
                    n.incident_type,
                    n.country,
                    "; ".join(n.aliases),
                    n.date_earliest,
                    n.date_latest,
                    n.date_text,
                    "; ".join(n.reports),
                ]
            )
    with (dest / "edges.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "target", "kind", "label"])
        for e in data.edges:
            w.writerow([e.source, e.target, e.kind, e.label])
    with (dest / "evidence.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["node", "document", "start", "end", "quote"])
        for n in data.nodes:
            for ev in n.evidence:
                w.writerow([n.id, ev.doc_id, ev.start, ev.end, ev.quote])
