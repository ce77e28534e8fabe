"""The message ring on autogen-core's SingleThreadedAgentRuntime.

Four agents of one type pass a counter for N hops:
  publish: each agent publishes the incremented counter on the next agent's topic;
  send:    a driver sends each hop to the next agent and awaits the reply.
Same shape as troupe-bench's RingBench, warm-up included.

usage: ring_autogen.py --mode publish|send [--hops 20000] [--warmup 2000] [--repeat 1]

With --repeat N, N rings of `hops` hops run after the warm-up, each on a fresh
runtime, and the median time is reported (troupe-bench ring does the same).
"""
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

from autogen_core import (AgentId, MessageContext, RoutedAgent, SingleThreadedAgentRuntime, TopicId,
                          TypeSubscription, message_handler)

from common import option, peak_rss_mib, report

SIZE = 4


@dataclass
class Hop:
    count: int


class Ring:
    """What the agents share: the hop count to reach and the future to resolve."""

    def __init__(self, hops: int):
        self.hops = hops
        self.done = asyncio.get_running_loop().create_future()


class RingAgent(RoutedAgent):
    def __init__(self, ring: Ring) -> None:
        super().__init__("ring member")
        self.ring = ring

    @message_handler
    async def on_hop(self, message: Hop, ctx: MessageContext) -> Hop | None:
        nxt = Hop(message.count + 1)
        if ctx.topic_id is None:  # a direct send: reply
            return nxt
        if nxt.count >= self.ring.hops:
            if not self.ring.done.done():
                self.ring.done.set_result(None)
        else:
            next_key = str((int(self.id.key) + 1) % SIZE)
            await self.publish_message(nxt, TopicId("ring", next_key))
        return None


async def ring(mode: str, hops: int) -> float:
    runtime = SingleThreadedAgentRuntime()
    shared = Ring(hops)
    await RingAgent.register(runtime, "ring", lambda: RingAgent(shared))
    await runtime.add_subscription(TypeSubscription(topic_type="ring", agent_type="ring"))
    runtime.start()
    start = time.perf_counter()
    if mode == "publish":
        await runtime.publish_message(Hop(0), TopicId("ring", "0"))
        await shared.done
    else:
        hop = Hop(0)
        while hop.count < hops:
            hop = await runtime.send_message(hop, AgentId("ring", str(hop.count % SIZE)))
    seconds = time.perf_counter() - start
    await runtime.stop()
    return seconds


async def main(args: list[str]) -> None:
    mode = option(args, "mode", "publish")
    hops = option(args, "hops", 20000)
    warmup = option(args, "warmup", 2000)
    repeat = max(1, option(args, "repeat", 1))
    await ring(mode, warmup)
    seconds = statistics.median([await ring(mode, hops) for _ in range(repeat)])
    report("autogen-core 0.7.5", f"ring-{mode}", hops=hops, repeats=repeat, seconds=seconds,
           hops_per_s=round(hops / seconds, 1), us_per_hop=round(seconds * 1e6 / hops, 3),
           peak_rss_mib=peak_rss_mib())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
