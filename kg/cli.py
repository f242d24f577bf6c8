"""Command-line interface: each command calls one library function.

Only the library's own errors (:class:`kg.errors.KgError`) become a one-line message
and exit code 1; wrong usage exits 2 (click's convention); anything else is a bug.
"""
from __future__ import annotations

import contextlib
import json
import os
import logging
import sys
from pathlib import Path

import click
from rich.console import Console

from kg.errors import InputError, KgError

err_console = Console(stderr=True)


class _WarningLine(logging.Handler):
    """Library warnings (logger ``kg``) as one line each on stderr: ``kg: warning: …``."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"kg: warning: {record.getMessage()}", err=True)


class KgGroup(click.Group):
    def invoke(self, ctx: click.Context):
        log = logging.getLogger("kg")
        if not any(isinstance(h, _WarningLine) for h in log.handlers):
            log.addHandler(_WarningLine(logging.WARNING))
            log.propagate = False
        logging.getLogger("rdflib").setLevel(logging.ERROR)  # its warning tracebacks are noise here
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            ctx.exit(1)


def parse_types(value: str | None) -> list[str] | None:
    """``--types Road,LandParcel`` as a list, refusing names that are not classes."""
    if not value:
        return None
    from kg.resources import load_toml

    known = sorted(load_toml("rules/rdf.toml")["classes"])
    wanted = [t.strip() for t in value.split(",") if t.strip()]
    bad = [t for t in wanted if t not in known]
    if bad:
        raise InputError(f"--types {','.join(bad)}: unknown type (choose from {', '.join(known)})")
    return wanted


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def main() -> None:
    """Knowledge graph of policies, projects and places from government work reports."""


@main.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", default="build", show_default=True,
              type=click.Path(path_type=Path), help="Output folder.")
@click.option("--encoding", default=None, help="Text encoding of the reports (default: detect).")
@click.option("--no-html", is_flag=True, help="Skip writing graph.html.")
@click.option("--names", type=click.Choice(["tagger", "rules"]), default="tagger", show_default=True,
              help="Names from the trained tagger merged with the rules, or from the rules alone.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that analyse reports (default: the number of cores). Outputs "
                   "are the same whatever the number.")
@click.option("--no-cache", is_flag=True,
              help="Analyse every report again (default: reuse the analyses of unchanged reports "
                   "from DIR/.cache/).")
@click.option("--no-exports", is_flag=True,
              help="Skip kg.ttl and kg.trig (for a large corpus: the store is the graph, and "
                   "`kg export --data DIR/store` writes any format from it).")
def build(reports: tuple[Path, ...], out_dir: Path, encoding: str | None, no_html: bool,
          names: str, jobs: int | None, no_cache: bool, no_exports: bool) -> None:
    """Build the graph of REPORTS (report files, or folders of *.txt reports; default:
    every file in data/reports/)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from kg.pipeline import build as run_build

    show = err_console.is_terminal
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=err_console, transient=True, disable=not show) as bar:
        task = bar.add_task("building", total=len(reports) or None)
        summary = run_build(reports, out_dir, encoding=encoding, html=not no_html,
                            progress=lambda r: bar.update(task, advance=1, description=r.name),
                            tagger=names == "tagger", jobs=jobs or os.cpu_count() or 1,
                            cache=not no_cache, exports=not no_exports)
    from kg.tables import print_items, print_table

    console = Console()
    print_table(console, ["class", "count"], [[cls, n] for cls, n in sorted(summary.entities.items())],
                title=f"kg build: {len(summary.reports)} report(s) in {summary.seconds:.1f} s",
                right=["count"])
    print_items(console, [f"triples: {summary.triples}", f"sections: {summary.sections}",
                     f"sentences: {summary.sentences}", f"mentions: {summary.mentions}"])
    if summary.cached:
        console.print(f"{summary.cached} of {len(summary.reports)} report(s) unchanged since the "
                      "last build: their analyses were reused (--no-cache to redo them)")
    if summary.cached:
        console.print(f"the store took {summary.loaded} changed named graph(s)")
    for name, path in summary.files.items():
        console.print(f"wrote {path}", soft_wrap=True)
    page = summary.files.get("graph.html")
    console.print("next:")
    steps = []
    if page:
        steps.append(("the graph, in a browser" if len(summary.reports) == 1 else
                      "every report, with its graph page", f"open {page}"))
    readers = sorted(p for p in Path(summary.files["reports"]).glob("*.html") if p.name != "index.html") \
        if summary.files.get("reports") else []
    if readers:
        what = "a report with its names marked" + (f" (one page for each of {len(readers)})"
                                                   if len(readers) > 1 else "")
        steps.append((what, f"open {readers[0]}"))
        steps.append(("every report, with its size and names", f"open {Path(summary.files['reports']) / 'index.html'}"))
    steps += [("questions to ask", "kg query --list"),
              ("a SPARQL endpoint", f"kg serve --data {summary.files.get('kg.ttl') or summary.files['store']}")]
    for what, command in steps:  # one line each, never broken inside a path or command
        console.print(f"  {what}:", soft_wrap=True, highlight=False)
        console.print(f"    {command}", soft_wrap=True, highlight=False, style="bold")


@contextlib.contextmanager
def _steps(title: str):
    """A spinner on stderr naming the step that runs, when stderr is a terminal (nothing
    otherwise, so that pipes and logs stay clean); yields the function a step calls."""
    if not err_console.is_terminal:
        yield lambda _name: None
        return
    import time
    t0 = time.monotonic()
    with err_console.status(title) as status:
        yield lambda name: status.update(f"{title}: {name} ({time.monotonic() - t0:.1f} s)")


@main.command()
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--encoding", default=None, help="Text encoding (default: detect).")
@click.option("--types", default=None, help="Only these mention types, comma-separated.")
@click.option("--names", type=click.Choice(["tagger", "rules"]), default="tagger", show_default=True,
              help="Names from the trained tagger merged with the rules, or from the rules alone.")
def extract(report: Path, fmt: str, encoding: str | None, types: str | None, names: str) -> None:
    """Show what the extractor finds in REPORT (offsets count from the file start)."""
    from kg.build import analyse
    from kg.ingest import read_report
    from kg.report_json import extraction_json

    wanted = parse_types(types)
    rep = read_report(report, encoding)
    with _steps(f"kg extract {rep.name}") as step:
        res = analyse(rep, tagger=names == "tagger", progress=step)
    data = extraction_json(res, types=set(wanted) if wanted else None)
    if fmt == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
        return
    from kg.tables import print_table

    rows = [[m["type"], m["text"], m["start"], m["end"],
             ", ".join(f"{k}={v}" for k, v in m["attrs"].items())] for m in data["mentions"]]
    print_table(Console(), ["type", "text", "start", "end", "attrs"], rows,
                title=f"{data['report'].get('title') or rep.name}: {len(data['mentions'])} mentions",
                right=["start", "end"])


@main.command()
@click.argument("path", required=False, default="build/kg.ttl",
                type=click.Path(dir_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """Check a built graph (default build/kg.ttl) against ontology/shapes.ttl (SHACL)."""
    from kg.validate import validate_file

    ok, text = validate_file(path)
    if ok:
        click.echo(f"{path}: conforms to ontology/shapes.ttl")
        return
    click.echo(text)
    sys.exit(1)


# --- query and serve commands (issue 6) ---

@main.command()
@click.argument("query", required=False)
@click.option("--data", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="Graph file (.ttl, .trig, .nt, .nq) or a build's store folder; default: the last build, build/kg.ttl.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a query parameter (repeatable); see --list.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]))
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default=None,
              help="SPARQL engine (default: oxigraph).")
@click.option("--list", "list_", is_flag=True, help="List the library's queries and exit.")
@click.option("--show", "show", default=None, metavar="NAME", help="Print a library query's text and exit.")
@click.option("--iris", is_flag=True,
              help="csv/tsv/json as the SPARQL results formats (IRIs), not labelled tables.")
@click.option("--endpoint", default=None, metavar="URL",
              help="Ask a SPARQL endpoint (one `kg push` filled) instead of a graph file.")
def query(query: str | None, data: Path | None, params: tuple[str, ...], fmt: str,
          engine: str | None, list_: bool, show: str | None, iris: bool,
          endpoint: str | None) -> None:
    """Run QUERY: a library NAME, a FILE.rq or FILE.sparql, SPARQL text, or - (stdin)."""
    from kg.query import list_text, parse_params, resolve_query, run_query

    if list_:
        sys.stdout.write(list_text())
        return
    if show:
        text, spec = resolve_query(show)
        if spec is None:
            raise InputError(f"{show}: not a library query (see `kg query --list`)")
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    if query == "-":
        query = sys.stdin.read()
    if not query:
        raise click.UsageError("give a query NAME, FILE.rq or SPARQL text (or --list)")
    # offline: the query runs in a child process cut off the network (the second wall),
    # unless it is to be sent to the --endpoint the user named
    out = run_query(query, _source(data, endpoint), parse_params(params), fmt, engine,
                    offline=True, people=not iris)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")


@main.command()
@click.option("--data", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="Graph file or store folder to serve; default: the last build, build/kg.ttl.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default=None,
              help="SPARQL engine (default: oxigraph).")
@click.option("--timeout", default=10.0, show_default=True, type=float,
              help="Time limit per query, seconds.")
@click.option("--max-rows", default=10000, show_default=True, type=int,
              help="Result-size limit per query (rows or triples).")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Query processes kept ready (two more start for cheap queries when all are busy).")
@click.option("--cors", default=None, metavar="ORIGIN",
              help="Allow cross-origin requests from ORIGIN (default: none).")
@click.option("--allow-host", "hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host is NAME (default: loopback names and --host).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Ask a SPARQL endpoint (one `kg push` filled) instead of a graph file.")
def serve(data: Path | None, host: str, port: int, engine: str | None, timeout: float,
          max_rows: int, workers: int, cors: str | None, hosts: tuple[str, ...],
          endpoint: str | None) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at /sparql."""
    from kg.serve import serve_forever

    serve_forever(_source(data, endpoint), host=host, port=port, engine=engine, timeout=timeout,
                  max_rows=max_rows, workers=workers, cors=cors, hosts=hosts)



def _source(data: Path | None, endpoint: str | None) -> Path | str | None:
    """What to query: the --endpoint URL or the --data file (not both)."""
    if endpoint is None:
        return data
    if data is not None:
        raise click.UsageError("give --data or --endpoint, not both")
    from kg.remote import check_url
    return check_url(endpoint)


# --- viz, export and stats commands (issue 7) ---

_DATA_HELP = "Built graph (.trig keeps one graph per report; .ttl, .nt, .jsonld too), or a build's store folder."


def reader_link(data: Path, out: Path) -> str | None:
    """The reader pages' folder (``reports/`` beside the data, as ``kg build`` writes it)
    as a URL relative to the page at ``out``; None where there is none."""
    import os
    from urllib.parse import quote

    from kg.pipeline import READER_DIR
    folder = data.parent / READER_DIR
    if not folder.is_dir():
        return None
    rel = os.path.relpath(os.path.abspath(folder), os.path.dirname(os.path.abspath(out)))
    return quote(Path(rel).as_posix()) + "/"


@main.command()
@click.option("--data", default="build/kg.trig", show_default=True,
              type=click.Path(dir_okay=True, path_type=Path), help=_DATA_HELP)
@click.option("-o", "--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: graph.html beside the data).")
@click.option("--focus", default=None, metavar="LABEL", help="Only the neighbourhood of this entity.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(min=0),
              help="Hops around --focus.")
@click.option("--through-hubs", is_flag=True,
              help="Let --focus walk through hubs (an area that many places are located in).")
@click.option("--types", default=None, metavar="T,...", help="Only these classes (Road,LandParcel,...).")
@click.option("--query", "query_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Draw the result of a SPARQL CONSTRUCT in FILE.rq.")
@click.option("--roads", is_flag=True, help="Road network view: roads as nodes, intersections as edges.")
@click.option("--indicator", default=None, metavar="NAME",
              help="A page of one indicator (name, synonym or id) across areas and periods.")
@click.option("--promises", default=None, metavar="REPORT",
              help="A page of one report's promises (title or file name) with what answered them.")
def viz(data: Path, out: Path, focus: str | None, depth: int, through_hubs: bool, types: str | None,
        query_file: Path | None, roads: bool, indicator: str | None, promises: str | None) -> None:
    """Write the interactive graph page (one offline HTML file), or with --indicator or
    --promises a page of facts."""
    from kg.store import load_data
    from kg.output import write_atomic
    from kg.viz import render_page

    if indicator or promises:
        from kg.facts.page import indicator_page, promises_page
        from kg.store import load_store
        store = load_store(data)
        html_text = indicator_page(store, indicator) if indicator else promises_page(store, promises)
        out = out or Path(data).parent / ("indicator.html" if indicator else "promises.html")
        write_atomic(out, html_text)
        click.echo(f"wrote {out}")
        return

    query = None
    if query_file is not None:
        try:
            query = query_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{query_file}: cannot read query ({exc})") from None
    if out is None:
        out = Path(data).parent / "graph.html"
    page = render_page(load_data(data), focus=focus, depth=depth, through_hubs=through_hubs,
                       types=parse_types(types), query=query, roads=roads,
                       reader=reader_link(Path(data), out))
    write_atomic(out, page.html)
    if page.note:
        click.echo(page.note, err=True)
    click.echo(f"wrote {out}: {page.shown} of {page.total} entities, {page.edges} edges")


@main.command()
@click.option("--data", default="build/kg.trig", show_default=True,
              type=click.Path(dir_okay=True, path_type=Path), help=_DATA_HELP)
@click.option("--format", "fmt", required=True,
              type=click.Choice(["ttl", "trig", "nt", "jsonld", "graphml", "gexf", "csv"]))
@click.option("-o", "--out", default=None, type=click.Path(path_type=Path),
              help="Output file (a folder for csv); default build/export/kg.FORMAT.")
def export(data: Path, fmt: str, out: Path | None) -> None:
    """Export the graph for other tools (RDF, GraphML/GEXF for Gephi, CSV tables)."""
    from kg.export import STREAMED, export_store
    from kg.export import export as run_export
    from kg.store import load_data, store_of

    folder = store_of(data)
    if folder is not None and fmt in STREAMED:  # straight from the store, never all in memory
        written = export_store(folder, fmt, out)
    else:
        written = run_export(load_data(data), fmt, out)
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@click.option("--data", default="build/kg.trig", show_default=True,
              type=click.Path(dir_okay=True, path_type=Path), help=_DATA_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1),
              help="How many entities to rank.")
def stats(data: Path, fmt: str, top: int) -> None:
    """Counts per class and relation, most connected entities, components, road network."""
    from kg.store import load_data
    from kg.stats import graph_stats, print_stats

    result = graph_stats(load_data(data), top=top)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    print_stats(result, Console())


@main.command()
@click.argument("endpoint")
@click.option("--data", default="build/kg.trig", show_default=True,
              type=click.Path(dir_okay=True, path_type=Path),
              help="A build's TriG graph, or its store folder (a build made with --no-exports).")
@click.option("--graph-store", "graph_store", default=None, metavar="URL",
              help="The Graph Store Protocol URL (default: told from ENDPOINT, such as "
                   "Oxigraph's /query → /store or Fuseki's /ds/sparql → /ds/data).")
def push(endpoint: str, data: Path, graph_store: str | None) -> None:
    """Send the build's named graphs to the triplestore at ENDPOINT (SPARQL 1.1 Graph Store
    Protocol: PUT replaces a graph), only those changed since the last push there.
    Credentials, if any, come from KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD."""
    from kg.push import push as push_graphs

    r = push_graphs(data, endpoint, graph_store)
    click.echo(f"{endpoint}: {len(r.sent)} graphs sent ({r.bytes_sent:,} bytes of N-Triples), "
               f"{len(r.unchanged)} unchanged, {len(r.deleted)} deleted")


# --- the annotated corpus of names (issue 10) ---

@main.group()
def annotate() -> None:
    """Make, check and convert the annotated corpus of names (data/annotations/)."""


@annotate.command("draft")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Working file to write (one unit a line, [[name|Type]] marks).")
@click.option("--empty", is_flag=True, help="No marks: for an annotation without a draft.")
def annotate_draft(report: Path, out: Path, empty: bool) -> None:
    """Write a working file for REPORT, marked by the rule extractors (or unmarked)."""
    from kg.ingest import read_report
    from kg.names.corpus import to_marked, units
    from kg.names.draft import draft
    from kg.output import write_atomic

    rep = read_report(report)
    us = units(rep) if empty else draft(rep)
    lines = [f"{u.id.rsplit('/', 1)[1]}\t{to_marked(u.text, u.spans)}" for u in us]
    write_atomic(out, "\n".join(lines) + "\n")
    click.echo(f"wrote {out}: {len(us)} units, {sum(len(u.spans) for u in us)} marks")


@annotate.command("check")
@click.argument("marked", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report", required=True, type=click.Path(dir_okay=False, path_type=Path))
def annotate_check(marked: Path, report: Path) -> None:
    """Check a working file against its report (text unchanged, marks well formed)."""
    from collections import Counter

    from kg.ingest import read_report
    from kg.names.corpus import read_marked, units

    got = read_marked(marked, units(read_report(report)))
    counts = Counter(t for u in got for _, _, t in u.spans)
    click.echo(f"{marked}: {len(got)} units, {sum(counts.values())} spans: "
               + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))


@annotate.command("import")
@click.argument("marked", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def annotate_import(marked: Path, report: Path, out: Path) -> None:
    """Turn a checked working file into the corpus format (JSONL)."""
    from kg.ingest import read_report
    from kg.names.corpus import read_marked, units
    from kg.output import write_atomic

    rep_units = units(read_report(report))
    got = read_marked(marked, rep_units)
    if len(got) != len(rep_units):
        missing = sorted({u.id for u in rep_units} - {u.id for u in got})
        raise InputError(f"{marked}: {len(missing)} units missing (first {missing[0]})")
    write_atomic(out, "".join(u.to_json() + "\n" for u in got))
    click.echo(f"wrote {out}: {len(got)} units, {sum(len(u.spans) for u in got)} spans")


@annotate.command("normalize")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def annotate_normalize(files: tuple[Path, ...]) -> None:
    """Apply the guide's consistency rules to corpus FILES in place (quoted name + head)."""
    from kg.names.corpus import extend_quoted_heads, read_jsonl
    from kg.names.features import config
    from kg.output import write_atomic

    heads = config()["corpus"]["quoted_heads"]
    for f in files:
        us = read_jsonl(f)
        n = sum(extend_quoted_heads(u, heads) for u in us)
        write_atomic(f, "".join(u.to_json() + "\n" for u in us))
        click.echo(f"{f}: {n} spans changed")


@annotate.command("consistency")
@click.option("--corpus", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Annotated corpus folder (default data/annotations/).")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Review sheet to write.")
def annotate_consistency(corpus: Path | None, out: Path) -> None:
    """List every occurrence of a marked name read otherwise elsewhere (for a reader)."""
    from kg.names.consistency import review, write_review
    from kg.names.corpus import read_corpus
    from kg.output import write_atomic
    from kg.resources import DATA

    groups = review(read_corpus(corpus or DATA / "annotations"))
    write_atomic(out, write_review(groups))
    click.echo(f"wrote {out}: {len(groups)} names, {sum(len(g.odd) for g in groups)} occurrences to decide")


@annotate.command("revise")
@click.argument("decisions", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--corpus", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Annotated corpus folder (default data/annotations/).")
def annotate_revise(decisions: tuple[Path, ...], corpus: Path | None) -> None:
    """Write a reader's DECISIONS (unit, start, end, Type|none) into the corpus files."""
    from kg.names.consistency import apply, read_decisions
    from kg.names.corpus import read_corpus
    from kg.output import write_atomic
    from kg.resources import DATA

    folder = corpus or DATA / "annotations"
    reports = read_corpus(folder)
    ds = []
    for f in decisions:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{f}: cannot read ({exc.__class__.__name__})") from None
        ds += read_decisions(text, str(f))
    before = {name: [u.to_json() for u in us] for name, us in reports.items()}
    n = apply(reports, ds)
    for name, us in reports.items():
        lines = [u.to_json() for u in us]
        if lines != before[name]:
            write_atomic(folder / f"{name}.jsonl", "".join(x + "\n" for x in lines))
    click.echo(f"{len(ds)} decisions: {n} units changed")


@annotate.command("bio")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def annotate_bio(files: tuple[Path, ...]) -> None:
    """Print corpus FILES as CoNLL-style BIO (a character and its tag a line)."""
    from kg.names.corpus import read_jsonl, to_conll

    for f in files:
        sys.stdout.write(to_conll(read_jsonl(f)))


@main.command("train")
@click.option("--corpus", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Annotated corpus folder (default data/annotations/).")
@click.option("-o", "--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (default data/models/names.crfsuite).")
def train_cmd(corpus: Path | None, out: Path | None) -> None:
    """Retrain the names tagger from the annotated corpus (same corpus, same model file)."""
    from kg.names.train import train_model

    rec = train_model(corpus, out)
    click.echo(f"trained on {rec['units']} units of {len(rec['corpus'])} reports: "
               f"{rec['model']} ({rec['bytes']} bytes, sha256 {rec['sha256'][:12]})")


if __name__ == "__main__":  # pragma: no cover
    main()
