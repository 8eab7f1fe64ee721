"""SQLite FTS5 baseline for the chorus-search benchmark (Python standard library only).

Usage: python3 fts5_baseline.py CORPUS.tsv QUERIES.json DB_PATH

CORPUS.tsv has one drawer per line: id, wing, room, content (tab-separated, no tabs or
newlines inside fields). QUERIES.json is a list of {"terms": [...], "phrase": bool,
"wing": str|null}. Prints one JSON object: insert seconds, per-query latencies (microseconds)
and the top-10 ids of every query, so the Rust side can compare ranking overlap.
"""

import json
import sqlite3
import sys
import time


def fts_query(q):
    if q["phrase"]:
        text = '"' + " ".join(q["terms"]) + '"'
    else:
        text = " OR ".join(q["terms"])
    expr = "content : (" + text + ")"
    if q["wing"]:
        expr += ' AND wing : "' + q["wing"] + '"'
    return expr


def main():
    corpus_path, queries_path, db_path = sys.argv[1:4]
    with open(queries_path) as f:
        queries = json.load(f)
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5

    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE VIRTUAL TABLE drawers USING fts5(id UNINDEXED, wing, room, content)")

    rows = []
    with open(corpus_path) as f:
        for line in f:
            rows.append(line.rstrip("\n").split("\t"))

    start = time.perf_counter()
    with db:
        db.executemany("INSERT INTO drawers(id, wing, room, content) VALUES (?, ?, ?, ?)", rows)
    insert_s = time.perf_counter() - start

    sql = (
        "SELECT id, snippet(drawers, 3, '', '', '…', 24) FROM drawers "
        "WHERE drawers MATCH ? ORDER BY rank LIMIT 10"
    )
    exprs = [fts_query(q) for q in queries]
    top = [[r[0] for r in db.execute(sql, (e,))] for e in exprs]
    latencies = []
    for _ in range(rounds):
        for e in exprs:
            t0 = time.perf_counter_ns()
            db.execute(sql, (e,)).fetchall()
            latencies.append((time.perf_counter_ns() - t0) / 1000.0)

    print(json.dumps({
        "sqlite_version": sqlite3.sqlite_version,
        "rows": len(rows),
        "insert_s": insert_s,
        "latencies_us": latencies,
        "top": top,
    }))


if __name__ == "__main__":
    main()
