"""Client overhead of Python's `openai` package against server.py, measured the way
remote-bench measures Troupe's client. Prints one JSON object."""
import json
import sys
import time

from openai import OpenAI


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    base_url, requests, stream_runs, chunks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    client = OpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    for _ in range(50):  # warm-up: connection, imports, caches
        client.chat.completions.create(model="bench", messages=messages, max_tokens=16)

    latencies = []
    cpu = time.process_time()
    for _ in range(requests):
        start = time.perf_counter()
        client.chat.completions.create(model="bench", messages=messages, max_tokens=16)
        latencies.append((time.perf_counter() - start) * 1e6)

    request_cpu = (time.process_time() - cpu) * 1e6 / requests

    per_chunk = []
    stream_cpu = 0.0
    for run in range(stream_runs + 3):
        cpu = time.process_time()
        start = time.perf_counter()
        count = 0
        for event in client.chat.completions.create(model="bench", messages=messages, max_tokens=chunks,
                                                    stream=True):
            if event.choices and event.choices[0].delta.content:
                count += 1
        elapsed = (time.perf_counter() - start) * 1e6
        assert count == chunks, count
        if run >= 3:
            per_chunk.append(elapsed / chunks)
            stream_cpu += time.process_time() - cpu

    print(json.dumps({
        "client": "python openai %s" % __import__("openai").__version__,
        "request_p50_us": percentile(latencies, 50), "request_p99_us": percentile(latencies, 99),
        "chunk_p50_us": percentile(per_chunk, 50), "chunk_p99_us": percentile(per_chunk, 99),
        "request_cpu_us": request_cpu, "chunk_cpu_us": stream_cpu * 1e6 / (stream_runs * chunks),
    }))


if __name__ == "__main__":
    main()
