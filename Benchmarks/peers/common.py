"""Shared helpers: peak RSS and a one-line JSON report, the same fields troupe-bench prints."""
import json
import resource
import sys


def peak_rss_mib() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(impl: str, workload: str, **fields) -> None:
    print(json.dumps({"impl": impl, "workload": workload, **fields}, sort_keys=True))
    sys.stdout.flush()


def option(args: list[str], name: str, default):
    """`--name value` from argv, converted to the type of `default`."""
    flag = "--" + name
    if flag in args:
        value = args[args.index(flag) + 1]
        return type(default)(value) if default is not None else value
    return default
