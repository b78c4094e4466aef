"""Indexing benchmark: `make bench-index`.

For the demo corpus and, when present, the shared evaluation corpus, it
measures in separate processes (so peak memory is per run):
- a full index into an empty store: files, documents, chunks, wall seconds,
  chunks/s, peak RSS;
- the bare embedding time of exactly the same chunk texts (`encode` alone,
  same batches), and the ratio of full wall time to it;
- a no-op re-index, both in-process and as a fresh `assistant index` command;
- a large table: a generated CSV of `--table-rows` short posts (10-40 words,
  with date and author columns, some posted twice), indexed into an empty
  store: rows/s, peak RSS, and how much RSS grew during the run.

Results are printed as a table and written to bench-results/index.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "eval" / "corpus"


TABLE_ROWS = 5000
_VOCABULARY = (
    "the a of to and in for on with at from by about as into over after group attack video network channel "
    "posted shared supporters propaganda recruitment online platform account removed content violence "
    "extremist movement rally police report claims new today breaking watch join we they our their this "
    "that people world government media war truth fight freedom nation"
)
_WORDS = _VOCABULARY.split()


def write_table(path: Path, rows: int) -> None:
    """A tweet-like CSV: short posts of 10-40 words; about one in seven repeats an earlier post."""
    rng = random.Random(7)
    recent: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "author", "text"])
        for _ in range(rows):
            if recent and rng.random() < 0.15:
                text = rng.choice(recent)
            else:
                text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(10, 40))).capitalize() + "."
                recent = [*recent[-199:], text]
            day = f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 12:00:00"
            writer.writerow([day, f"user{rng.randrange(500)}", text])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_full(corpus: Path, index_dir: Path) -> dict[str, float]:
    from assistant.config import Settings
    from assistant.service import AssistantService

    service = AssistantService(Settings(index_dir=index_dir))
    service.embedder.embed(["warm up the model"])  # loading is start-up, not indexing
    started = time.perf_counter()
    report = service.index([corpus])
    wall = time.perf_counter() - started
    status = service.status()
    return {
        "files": report.added + report.updated + report.unchanged + len(report.failed),
        "failed": len(report.failed),
        "documents": status.documents,
        "chunks": status.chunks,
        "wall_s": wall,
        "embed_in_run_s": report.embed_seconds,
        "peak_rss_mb": _peak_mb(),
    }


def worker_embed(corpus: Path) -> dict[str, float]:
    """Time `encode` alone on the chunk texts an index run would embed."""
    from assistant.config import Settings
    from assistant.ingest.chunking import embed_text
    from assistant.ingest.indexing import EMBED_GROUP
    from assistant.ingest.loaders import ColumnOptions, load
    from assistant.ingest.sources import discover, hash_bytes
    from assistant.service import AssistantService

    service = AssistantService(Settings())
    texts: list[str] = []
    for source in discover([corpus], max_bytes=32_000_000).files:
        data = source.abspath.read_bytes()
        try:
            for document in load(source, data, hash_bytes(data, source.manifest), ColumnOptions()):
                texts += [embed_text(c.context, c.text) for c in service.chunker.split(document)]
        except Exception:
            continue
    service.embedder.embed(["warm up the model"])
    started = time.perf_counter()
    for begin in range(0, len(texts), EMBED_GROUP):
        service.embedder.embed(texts[begin : begin + EMBED_GROUP])
    return {"chunks": len(texts), "encode_s": time.perf_counter() - started}


def worker_noop(corpus: Path, index_dir: Path) -> dict[str, float]:
    from assistant.config import Settings
    from assistant.service import AssistantService

    service = AssistantService(Settings(index_dir=index_dir))
    started = time.perf_counter()
    report = service.index([corpus])
    return {"noop_s": time.perf_counter() - started, "unchanged": report.unchanged, "peak_rss_mb": _peak_mb()}


def worker_table(rows: str, folder: Path) -> dict[str, float]:
    import psutil

    from assistant.config import Settings
    from assistant.service import AssistantService

    corpus = folder / "table"
    corpus.mkdir()
    write_table(corpus / "posts.csv", int(rows))
    megabytes = (corpus / "posts.csv").stat().st_size / 1e6
    # 200,000 posts are about 37 MB, over the default size limit.
    service = AssistantService(Settings(index_dir=folder / "index", max_file_mb=max(32.0, megabytes + 1)))
    service.embedder.embed(["warm up the model"])
    before = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    report = service.index([corpus])
    wall = time.perf_counter() - started
    return {
        "rows": int(rows),
        "documents": report.documents,
        "file_mb": megabytes,
        "wall_s": wall,
        "embed_in_run_s": report.embed_seconds,
        "rss_before_mb": before,
        "peak_rss_mb": _peak_mb(),
    }


def bench_table(rows: int) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory(prefix="bench-table-") as tmp:
        result = _run_worker("table", str(rows), tmp)
    return {
        "corpus": f"table of {rows} short rows",
        "documents": result["documents"],
        "file_mb": round(result["file_mb"], 1),
        "wall_s": round(result["wall_s"], 1),
        "rows_per_s": round(result["documents"] / result["wall_s"], 1),
        "embed_in_run_s": round(result["embed_in_run_s"], 1),
        "peak_rss_mb": round(result["peak_rss_mb"]),
        "rss_growth_mb": round(result["peak_rss_mb"] - result["rss_before_mb"]),
    }


def _run_worker(*args: str) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"worker {args[0]} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def bench(name: str, corpus: Path) -> dict[str, float | str]:
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        index_dir = Path(tmp) / "index"
        full = _run_worker("full", str(corpus), str(index_dir))
        embed = _run_worker("embed", str(corpus))
        noop = _run_worker("noop", str(corpus), str(index_dir))
        started = time.perf_counter()
        cli = subprocess.run(
            [
                str(Path(sys.executable).parent / "assistant"),
                "index",
                str(corpus),
                "--index-dir",
                str(index_dir),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        cli_noop = time.perf_counter() - started
        assert cli.returncode in (0, 3), cli.stderr
    return {
        "corpus": name,
        "files": full["files"],
        "failed": full["failed"],
        "documents": full["documents"],
        "chunks": full["chunks"],
        "wall_s": round(full["wall_s"], 1),
        "chunks_per_s": round(full["chunks"] / full["wall_s"], 1),
        "peak_rss_mb": round(full["peak_rss_mb"]),
        "bare_encode_s": round(embed["encode_s"], 1),
        "wall_over_encode": round(full["wall_s"] / embed["encode_s"], 3),
        "noop_s": round(noop["noop_s"], 2),
        "noop_cli_s": round(cli_noop, 2),
        "noop_share": round(noop["noop_s"] / full["wall_s"], 4),
        "noop_cli_share": round(cli_noop / full["wall_s"], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["demo", "shared", "table"], help="Run one case only.")
    parser.add_argument("--table-rows", type=int, default=TABLE_ROWS, help="Rows of the large-table case (0: skip).")
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "table":
            print(json.dumps(worker_table(rest[0], Path(rest[1]))))
            return
        paths = [Path(p) for p in rest]
        result = {"full": worker_full, "embed": worker_embed, "noop": worker_noop}[kind](*paths)
        print(json.dumps(result))
        return
    corpora = [("demo corpus/", REPO / "corpus")]
    if SHARED_CORPUS.is_dir():
        corpora.append(("shared eval corpus", SHARED_CORPUS))
    else:
        print(f"(skipping the shared corpus: {SHARED_CORPUS} is not here)")
    if args.only == "demo":
        corpora = corpora[:1]
    elif args.only == "shared":
        corpora = corpora[1:]
    elif args.only == "table":
        corpora = []
    rows = []
    for name, corpus in corpora:
        print(f"benchmarking {name} ...", flush=True)
        rows.append(bench(name, corpus))
    if args.table_rows > 0 and args.only in (None, "table"):
        print(f"benchmarking a table of {args.table_rows} rows ...", flush=True)
        rows.append(bench_table(args.table_rows))
    for row in rows:
        print()
        for key, value in row.items():
            print(f"  {key:18} {value}")
    out = REPO / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "index.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"\nwritten to {out / 'index.json'}")


if __name__ == "__main__":
    main()
