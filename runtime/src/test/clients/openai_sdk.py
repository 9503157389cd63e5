"""The official openai Python SDK against a running server: logprobs, n=2, json_schema, a tool round trip.

    python openai_sdk.py http://127.0.0.1:8080/v1 tiny-random-deepseek-r1
Prints one "ok" line per check; any failure raises (non-zero exit).
"""
import json
import sys

import openai

base, model = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
user = [{"role": "user", "content": "What is 2 + 2?"}]

r = client.chat.completions.create(model=model, messages=user, max_tokens=5, temperature=0, logprobs=True,
                                   top_logprobs=2)
content = r.choices[0].logprobs.content
assert len(content) == 5 and all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in content), r
print("ok logprobs", [round(t.logprob, 3) for t in content])

r = client.chat.completions.create(model=model, messages=user, max_tokens=4, temperature=1.0, seed=1, n=2)
assert [c.index for c in r.choices] == [0, 1], r
print("ok n=2", [c.message.content for c in r.choices])

schema = {"type": "object", "properties": {"answer": {"type": "integer", "minimum": 0, "maximum": 9}},
          "required": ["answer"], "additionalProperties": False}
r = client.chat.completions.create(model=model, messages=user, max_tokens=40, temperature=1.0, seed=2,
                                   response_format={"type": "json_schema",
                                                    "json_schema": {"name": "sum", "schema": schema, "strict": True}})
value = json.loads(r.choices[0].message.content)
assert set(value) == {"answer"} and 0 <= value["answer"] <= 9, value
print("ok json_schema", value)

tools = [{"type": "function", "function": {"name": "add", "parameters": {
    "type": "object", "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 9},
                                     "b": {"type": "integer", "minimum": 0, "maximum": 9}},
    "required": ["a", "b"]}}}]
r = client.chat.completions.create(model=model, messages=user, tools=tools, tool_choice="required", max_tokens=300,
                                   temperature=1.0, seed=3)
choice = r.choices[0]
assert choice.finish_reason == "tool_calls", choice
call = choice.message.tool_calls[0]
args = json.loads(call.function.arguments)
assert call.function.name == "add" and set(args) == {"a", "b"}, call
followup = user + [choice.message.model_dump(exclude_none=True),
                   {"role": "tool", "tool_call_id": call.id, "content": str(args["a"] + args["b"])}]
r = client.chat.completions.create(model=model, messages=followup, tools=tools, tool_choice="none", max_tokens=4)
assert r.choices[0].message.content is not None and r.choices[0].finish_reason in ("stop", "length"), r
print("ok tools", call.function.name, args)

stream = client.chat.completions.create(model=model, messages=user, tools=tools, tool_choice="required",
                                        max_tokens=300, temperature=1.0, seed=3, stream=True)
calls = [tc for chunk in stream for c in chunk.choices for tc in (c.delta.tool_calls or [])]
assert calls and calls[0].function.name == "add", calls
print("ok streamed tools")
