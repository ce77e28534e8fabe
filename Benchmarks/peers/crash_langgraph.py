"""Crash and resume on LangGraph: the 300-step loop (loop_langgraph.py's graph)
in a child process that dies with os._exit inside step 150; a second process
resumes the same thread. The saver keeps its defaults (WAL, SQLite's default
synchronous=FULL): LangGraph as shipped. Every step that completes logs its
number, so the steps run twice are the ones both processes completed.

usage: crash_langgraph.py --durability sync|async [--steps 300] [--at 150] [--dir DIR]
"""
import json
import os
import subprocess
import sys
import time

from common import option, report
from loop_langgraph import IMPL, build, fresh, open_saver


def child(args: list[str]) -> None:
    phase = option(args, "phase", "run")
    path = option(args, "store", "")
    steps = option(args, "steps", 300)
    durability = option(args, "durability", "sync")
    crash_at = int(os.environ.get("CRASH_AT_STEP", "0"))
    log = os.open(os.environ["STEP_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    first_step: list[float] = []

    def on_step(step: int) -> None:
        if step == crash_at:
            os._exit(137)
        if not first_step:
            first_step.append(time.perf_counter())
        os.write(log, f"{step}\n".encode())

    conn, saver, _ = open_saver(path, None)
    app = build(saver, on_step)
    config = {"configurable": {"thread_id": "crash"}, "recursion_limit": steps + 10}
    start = time.perf_counter()
    state = {"count": 0, "target": steps} if phase == "run" else None
    final = app.invoke(state, config, durability=durability)
    total = time.perf_counter() - start
    conn.close()
    print(json.dumps({"total_ms": round(total * 1000, 3),
                      "first_step_ms": round((first_step[0] - start) * 1000, 3) if first_step else None,
                      "output_correct": final["count"] == steps}))


def read_steps(path: str) -> list[int]:
    if not os.path.exists(path):
        return []
    with open(path) as log:
        return [int(line) for line in log if line.strip()]


def main(args: list[str]) -> None:
    durability = option(args, "durability", "sync")
    steps = option(args, "steps", 300)
    crash_at = option(args, "at", 150)
    directory = option(args, "dir", "results/tmp")
    path = fresh(os.path.join(directory, f"langgraph-crash-{durability}.sqlite"))
    first_log, second_log = path + ".first.log", path + ".second.log"
    for log in (first_log, second_log):
        if os.path.exists(log):
            os.remove(log)
    common = [sys.executable, __file__, "--child", "1", "--store", path, "--steps", str(steps),
              "--durability", durability]

    crashed = subprocess.run(common + ["--phase", "run"], capture_output=True, text=True,
                             env={**os.environ, "CRASH_AT_STEP": str(crash_at), "STEP_LOG": first_log})
    assert crashed.returncode == 137, (crashed.returncode, crashed.stderr[-2000:])
    resumed = subprocess.run(common + ["--phase", "resume"], capture_output=True, text=True,
                             env={**os.environ, "STEP_LOG": second_log})
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    details = json.loads(resumed.stdout.strip().splitlines()[-1])

    first, second = read_steps(first_log), read_steps(second_log)
    report(IMPL, f"crash-{durability}", steps=steps, crash_at=crash_at,
           completed_before_crash=len(first), resumed_at=min(second) if second else 0,
           steps_run_twice=len(set(first) & set(second)), steps_run_after_resume=len(second),
           resume_first_step_ms=details["first_step_ms"], resume_total_ms=details["total_ms"],
           output_correct=details["output_correct"])


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[1:])
    else:
        main(sys.argv[1:])
