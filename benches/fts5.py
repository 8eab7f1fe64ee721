"""SQLite FTS5 reference for the palace and search benchmarks (Python standard library only).

Usage: python3 fts5.py CORPUS.tsv QUERIES.json DB_PATH [BATCH [ROUNDS]]

CORPUS.tsv: one drawer per line, `id wing room content` tab-separated (no tabs or newlines
inside fields). One local writer inserts it in transactions of BATCH rows (default: all rows in
one transaction; the palace benchmark passes the size of its batch writes), in WAL mode with
synchronous=NORMAL. QUERIES.json is a list of {"terms": [...], "phrase": bool, "wing":
str|null}; each is run ROUNDS times (default 5), top 10 by rank with a snippet, like a Chorus
search. Prints one JSON object: the SQLite version, rows, insert seconds, per-query latencies
(microseconds), how many queries found nothing, and the top-10 ids of every query (so the Rust
side can compare ranking overlap).
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
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    with open(queries_path) as f:
        queries = json.load(f)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE VIRTUAL TABLE drawers USING fts5(id UNINDEXED, wing, room, content)")
    rows = []
    with open(corpus_path) as f:
        for line in f:
            rows.append(line.rstrip("\n").split("\t"))
    batch = batch if batch > 0 else max(len(rows), 1)

    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        with db:
            db.executemany(
                "INSERT INTO drawers(id, wing, room, content) VALUES (?, ?, ?, ?)", rows[i:i + batch]
            )
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
        "empty_queries": sum(1 for t in top if not t),
        "latencies_us": latencies,
        "top": top,
    }))


if __name__ == "__main__":
    main()
