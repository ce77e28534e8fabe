"""llama.cpp's side of the kernel benchmark, through llama-cpp-python.

Same workloads as `troupe models bench`: prefill of 128- and 512-token prompts,
128 greedy tokens after a 128-token prompt, 2 threads, n_ctx 2048, flash
attention off. Prints one JSON object. Run by run.py; not part of CI.
"""
import json
import random
import resource
import sys
import time

from llama_cpp import Llama


def main() -> None:
    model_path, threads = sys.argv[1], int(sys.argv[2])
    repetitions = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    start = time.perf_counter()
    llm = Llama(model_path=model_path, n_ctx=2048, n_threads=threads, n_threads_batch=threads,
                n_batch=512, flash_attn=False, verbose=False, logits_all=False)
    llm.eval(llm.tokenize(b"Hi", add_bos=False))
    cold_ms = (time.perf_counter() - start) * 1000
    rng = random.Random(0x5EED)

    def prompt(n):
        return [200 + rng.randrange(40000) for _ in range(n)]

    def prefill(n):
        rates = []
        for _ in range(repetitions):
            llm.reset()
            ids = prompt(n)
            t = time.perf_counter()
            llm.eval(ids)
            rates.append(n / (time.perf_counter() - t))
        return sorted(rates)[len(rates) // 2]

    def decode(tokens=128):
        rates = []
        for _ in range(repetitions):
            llm.reset()
            llm.eval(prompt(128))
            t = time.perf_counter()
            for _ in range(tokens):
                logits = llm.scores[llm.n_tokens - 1]
                llm.eval([int(logits.argmax())])
            rates.append(tokens / (time.perf_counter() - t))
        return sorted(rates)[len(rates) // 2]

    result = {
        "threads": threads,
        "prefill_128_tok_s": prefill(128),
        "prefill_512_tok_s": prefill(512),
        "decode_tok_s": decode(),
        "cold_ttft_ms": cold_ms,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
