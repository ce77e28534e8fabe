"""A minimal OpenAI-compatible server for client-overhead benchmarks (loopback only).

Answers POST /v1/chat/completions from prebuilt bytes, so its own cost is tiny and
the same for every client: a JSON completion, or `max_tokens` SSE chunks (one HTTP
chunk per event) when the request says "stream": true. HTTP/1.1 keep-alive.
Prints the chosen port on stdout, then serves until killed.
"""
import asyncio
import json
import sys

COMPLETION = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1, "model": "bench",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris is the capital of France."},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
}).encode()

JSON_RESPONSE = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                 + str(len(COMPLETION)).encode() + b"\r\n\r\n" + COMPLETION)


def chunk(delta, finish=None):
    return ("data: " + json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "bench",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }) + "\n\n").encode()


def http_chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


_streams = {}


def stream_response(count):
    if count not in _streams:
        events = [chunk({"role": "assistant"})]
        events += [chunk({"content": " word%d" % (i % 100)}) for i in range(count)]
        events.append(chunk({}, "stop"))
        events.append(b"data: [DONE]\n\n")
        body = b"".join(http_chunk(e) for e in events) + b"0\r\n\r\n"
        _streams[count] = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                           b"cache-control: no-store\r\ntransfer-encoding: chunked\r\n\r\n" + body)
    return _streams[count]


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            request = json.loads(body or b"{}")
            if request.get("stream"):
                writer.write(stream_response(int(request.get("max_tokens") or 100)))
            else:
                writer.write(JSON_RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
