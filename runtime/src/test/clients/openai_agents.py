"""The OpenAI Agents SDK running one tool-using agent turn against a running server, through its Responses model,
once as a run and once streamed.

    python openai_agents.py http://127.0.0.1:8080/v1 smollm2
The agent must call its tool (tool_choice required: the server's grammar makes the call valid), the tool's output
must go back to the model in the next request, and the model's answer must use it. Requests are read on the wire.
Prints one "ok" line per check; any failure raises (non-zero exit).
"""
import asyncio
import json
import sys

import httpx
from agents import (Agent, MessageOutputItem, ModelSettings, OpenAIResponsesModel, Runner, ToolCallItem,
                    ToolCallOutputItem, function_tool, set_tracing_disabled)
from openai import AsyncOpenAI

base, model = sys.argv[1], sys.argv[2]
SECRET = "pineapple"
set_tracing_disabled(True)


async def main():
    sent = []

    async def record(request):
        sent.append(json.loads(request.content))

    client = AsyncOpenAI(base_url=base, api_key="unused", max_retries=0,
                         http_client=httpx.AsyncClient(event_hooks={"request": [record]}))
    calls = []

    @function_tool
    def secret_word(city: str) -> str:
        """The secret word of a city."""
        calls.append(city)
        return SECRET

    # The SDK resets tool_choice after a call, so the second turn may answer in text.
    agent = Agent(name="assistant", instructions="Answer with the secret word the tool gives.",
                  model=OpenAIResponsesModel(model=model, openai_client=client), tools=[secret_word],
                  model_settings=ModelSettings(tool_choice="required", temperature=0, max_tokens=60))
    question = "What is the secret word of Paris?"

    for streamed in (False, True):
        sent.clear()
        calls.clear()
        if streamed:
            run = Runner.run_streamed(agent, question)
            async for _ in run.stream_events():
                pass
            result = run
        else:
            result = await Runner.run(agent, question)
        kinds = [type(item) for item in result.new_items]
        assert kinds == [ToolCallItem, ToolCallOutputItem, MessageOutputItem], result.new_items
        assert len(calls) == 1 and isinstance(calls[0], str), calls
        assert len(sent) == 2 and all(body.get("stream", False) == streamed for body in sent), sent
        call = next(i for i in sent[1]["input"] if i.get("type") == "function_call")
        output = next(i for i in sent[1]["input"] if i.get("type") == "function_call_output")
        assert call["name"] == "secret_word" and json.loads(call["arguments"]) == {"city": calls[0]}, call
        assert output["call_id"] == call["call_id"] and output["output"] == SECRET, output
        assert SECRET in result.final_output, result.final_output
        print("ok agent turn" + (" streamed" if streamed else ""), calls[0], "->", repr(result.final_output))


asyncio.run(main())
