"""Question-answering speed: `make bench-ask`.

Uses the evaluation index (.eval-index, built by `make eval`) when present,
otherwise an index of the demo corpus built in a temporary folder. Reports:
- cold `assistant ask --json` wall time (median of 5 fresh processes),
- a bare `python -c "import sentence_transformers"` (median of 5) and the
  ratio of the two (target <= 0.4),
- warm retrieval + extractive answer latency p50/p95 over the dev questions
  (or a fixed list), in one process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL_INDEX = REPO / ".eval-index"
QUESTIONS = REPO.parent / "shared" / "eval" / "questions-dev.jsonl"
FALLBACK = [
    "How many accounts did Twitter suspend in 2016?",
    "When was the Christchurch Call launched?",
    "What does the EU terrorist content regulation require within one hour?",
    "Why did Cloudflare stop serving 8chan?",
    "How did Islamic State supporters use the Dawn of Glad Tidings app?",
]


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    assistant = str(Path(sys.executable).parent / "assistant")
    with tempfile.TemporaryDirectory(prefix="bench-ask-") as tmp:
        index_dir = EVAL_INDEX
        if not (index_dir / "chroma.sqlite3").is_file():
            index_dir = Path(tmp) / "index"
            subprocess.run([assistant, "index", str(REPO / "corpus"), "--index-dir", str(index_dir)], check=True)
        questions = FALLBACK
        if QUESTIONS.is_file() and index_dir == EVAL_INDEX:
            from assistant.evaluation import read_questions

            # Every turn of a follow-up is a question of its own here: only latency is measured.
            questions = [turn for question in read_questions(QUESTIONS) for turn in question.turns]

        # One untimed run brings the BM25 index up to date and warms the page cache.
        subprocess.run([assistant, "ask", questions[0], "--json", "--index-dir", str(index_dir)], capture_output=True)
        cold = [
            _timed([assistant, "ask", questions[i % len(questions)], "--json", "--index-dir", str(index_dir)])
            for i in range(5)
        ]
        bare = [_timed([sys.executable, "-c", "import sentence_transformers"]) for _ in range(5)]

        from assistant.config import Settings
        from assistant.service import AssistantService

        service = AssistantService(Settings(index_dir=index_dir))
        service.ask(questions[0])
        warm = []
        for _ in range(3):
            for question in questions:
                started = time.perf_counter()
                service.ask(question)
                warm.append((time.perf_counter() - started) * 1000)
        chunks = service.status().chunks

    warm.sort()
    result = {
        "index": str(index_dir.name),
        "chunks": chunks,
        "cold_ask_median_s": round(statistics.median(cold), 2),
        "import_sentence_transformers_median_s": round(statistics.median(bare), 2),
        "cold_ratio": round(statistics.median(cold) / statistics.median(bare), 3),
        "warm_p50_ms": round(warm[len(warm) // 2], 1),
        "warm_p95_ms": round(warm[int(len(warm) * 0.95) - 1], 1),
        "warm_samples": len(warm),
    }
    for key, value in result.items():
        print(f"  {key:40} {value}")
    out = REPO / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "ask.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
