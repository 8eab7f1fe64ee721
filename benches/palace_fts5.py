"""SQLite FTS5 reference for benches/palace.rs (Python standard library only).

Usage: python3 palace_fts5.py CORPUS.tsv QUERIES.json DB_PATH BATCH ROUNDS

CORPUS.tsv: one drawer per line, `id wing room content` tab-separated. One local writer
inserts it in transactions of BATCH rows (like the batch writes the Chorus side sends), in WAL
mode with synchronous=NORMAL. Then every query of QUERIES.json ({"terms", "phrase", "wing"}) is
run ROUNDS times, top 10 by rank with a snippet, like a Chorus search. Prints one JSON object.
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
    batch, rounds = int(sys.argv[4]), int(sys.argv[5])
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
    empty = sum(1 for e in exprs if not db.execute(sql, (e,)).fetchall())
    latencies = []
    for _ in range(rounds):
        for e in exprs:
            t0 = time.perf_counter_ns()
            db.execute(sql, (e,)).fetchall()
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
    print(json.dumps({
        "sqlite_version": sqlite3.sqlite_version,
        "rows": len(rows),
        "insert_s": insert_s,
        "empty_queries": empty,
        "latencies_ms": latencies,
    }))


if __name__ == "__main__":
    main()
