"""The durable loop on LangGraph: StateGraph a -> b -> c -> a, each node adds 1 to
the counter, the graph ends after `steps` node executions; SqliteSaver on a fresh
file, durability="sync" (each step's checkpoint is written before the next step).

--sync FULL|NORMAL sets the connection's `PRAGMA synchronous` (SqliteSaver turns
on WAL itself), the same two modes as Troupe's StoreOptions.

Also imported by crash_langgraph.py for the same graph.

usage: loop_langgraph.py --steps N --sync FULL|NORMAL [--dir DIR]
"""
import os
import sqlite3
import sys
import time
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph

from common import option, peak_rss_mib, report

IMPL = "langgraph 1.2.22"


class State(TypedDict):
    count: int
    target: int


def build(saver, on_step):
    """The a -> b -> c loop; `on_step(k)` runs inside step k, before it returns."""

    def node(state: State):
        step = state["count"] + 1
        on_step(step)
        return {"count": step}

    def route(next_node):
        return lambda state: END if state["count"] >= state["target"] else next_node

    graph = StateGraph(State)
    for name in "abc":
        graph.add_node(name, node)
    graph.add_edge(START, "a")
    graph.add_conditional_edges("a", route("b"))
    graph.add_conditional_edges("b", route("c"))
    graph.add_conditional_edges("c", route("a"))
    return graph.compile(checkpointer=saver)


def open_saver(path: str, sync: str | None):
    """A SqliteSaver on `path`; `sync` None keeps SQLite's default (FULL)."""
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()
    if sync:
        conn.execute(f"PRAGMA synchronous={sync}")
    effective = conn.execute("PRAGMA synchronous").fetchone()[0]
    return conn, saver, {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[effective]


def fresh(path: str) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def store_bytes(path: str) -> int:
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def main(args: list[str]) -> None:
    steps = option(args, "steps", 1000)
    sync = option(args, "sync", "FULL").upper()
    directory = option(args, "dir", "results/tmp")
    path = fresh(os.path.join(directory, f"langgraph-loop-{sync.lower()}-{steps}.sqlite"))

    conn, saver, effective = open_saver(path, sync)
    marks: list[float] = []
    app = build(saver, lambda step: marks.append(time.perf_counter()))
    config = {"configurable": {"thread_id": "loop"}, "recursion_limit": steps + 10}
    start = time.perf_counter()
    final = app.invoke({"count": 0, "target": steps}, config, durability="sync")
    seconds = time.perf_counter() - start
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # measure the data, not the WAL's high-water mark
    conn.close()
    assert final["count"] == steps and len(marks) == steps, (final, len(marks))

    # marks[k] is taken inside step k+1, so step k's time (its checkpoint included)
    # is the gap to the next mark; the last step's checkpoint ends the run.
    ends = marks[1:] + [start + seconds]
    first100 = ends[99] - start
    last100 = ends[-1] - ends[-101]
    report(IMPL, f"loop-{'full' if sync == 'FULL' else 'normal'}", steps=steps, seconds=seconds,
           steps_per_s=round(steps / seconds, 1), first100_s=first100, last100_s=last100,
           last_over_first=round(last100 / first100, 3),
           bytes_per_step=round(store_bytes(path) / steps, 1), synchronous=effective,
           peak_rss_mib=peak_rss_mib())


if __name__ == "__main__":
    main(sys.argv[1:])
