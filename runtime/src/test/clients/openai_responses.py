"""The official openai Python SDK's Responses client against a running server: an answer, a stream, a json_schema
text format, a function tool round trip, function calls streamed as they decode (the streamed response's output is
the non-streamed one's) and reasoning items.

    python openai_responses.py http://127.0.0.1:8080/v1 smollm2 tiny-random-deepseek-r1
The first model answers in English (the checks read its text); the second is an R1-style model whose template opens
<think>, for reasoning items. Prints one "ok" line per check; any failure raises (non-zero exit).
"""
import json
import sys

import openai
import pydantic

base, model, reasoner = sys.argv[1], sys.argv[2], sys.argv[3]
client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)

r = client.responses.create(model=model, instructions="Answer in one short sentence.",
                            input="What is the capital of France?", max_output_tokens=30, temperature=0)
assert r.id.startswith("resp_") and r.object == "response" and r.status == "completed", r
assert "Paris" in r.output_text, r.output_text
u = r.usage
assert u.input_tokens > 0 and u.output_tokens > 0 and u.total_tokens == u.input_tokens + u.output_tokens, u
assert u.input_tokens_details.cached_tokens == 0 and u.output_tokens_details.reasoning_tokens == 0, u
print("ok answer", repr(r.output_text), u.output_tokens)

events = list(client.responses.create(model=model, input="What is the capital of France?", max_output_tokens=30,
                                      temperature=0, stream=True))
types = [e.type for e in events]
assert types[:4] == ["response.created", "response.in_progress", "response.output_item.added",
                     "response.content_part.added"], types
assert types[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                      "response.completed"], types
assert [e.sequence_number for e in events] == list(range(len(events))), events
streamed = "".join(e.delta for e in events if e.type == "response.output_text.delta")
final = events[-1].response
assert streamed == final.output_text and "Paris" in streamed, (streamed, final)
assert final.usage.output_tokens >= types.count("response.output_text.delta"), final.usage
print("ok stream", len(events), "events")

# The SDK's stream helper checks the item lifecycle (ids, indexes) as it assembles the response.
with client.responses.stream(model=model, input="Name a fruit.", max_output_tokens=12, temperature=0) as stream:
    assembled = stream.get_final_response()
assert assembled.output_text and assembled.status in ("completed", "incomplete"), assembled
print("ok stream helper", repr(assembled.output_text))


class Capital(pydantic.BaseModel):
    country: str
    city: str


r = client.responses.parse(model=model, input="The capital of France, as JSON.", text_format=Capital,
                           max_output_tokens=60, temperature=0)
assert isinstance(r.output_parsed, Capital), r
print("ok json_schema", r.output_parsed)

r = client.responses.create(model=model, input='What is 2 + 2? Reply as a JSON object {"answer": <number>}.',
                            max_output_tokens=100, temperature=0, text={"format": {"type": "json_object"}})
assert r.status == "completed" and isinstance(json.loads(r.output_text), dict), r
print("ok json_object", r.output_text)

tools = [{"type": "function", "name": "add", "description": "Adds two digits.", "strict": True,
          "parameters": {"type": "object", "additionalProperties": False, "required": ["a", "b"],
                         "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 9},
                                        "b": {"type": "integer", "minimum": 0, "maximum": 9}}}}]
question = [{"role": "user", "content": [{"type": "input_text", "text": "What is 2 + 3? Use the add tool."}]}]
r = client.responses.create(model=model, input=question, tools=tools, tool_choice="required", max_output_tokens=60,
                            temperature=0)
calls = [item for item in r.output if item.type == "function_call"]
assert len(calls) == 1 and calls[0].name == "add" and calls[0].call_id, r.output
args = json.loads(calls[0].arguments)
assert set(args) == {"a", "b"} and all(0 <= v <= 9 for v in args.values()), args
result = {"type": "function_call_output", "call_id": calls[0].call_id, "output": str(args["a"] + args["b"])}
followup = question + [item.model_dump(exclude_none=True) for item in r.output] + [result]
r = client.responses.create(model=model, input=followup, tools=tools, max_output_tokens=40, temperature=0)
assert r.status == "completed" and r.output_text and not any(i.type == "function_call" for i in r.output), r
print("ok tools", args, "->", repr(r.output_text))


def without_ids(output):
    """What an output says, ids aside (they are new per response) and as plain items (the stream helper's parsed
    types add parsed fields of their own)."""
    return [(item.type, item.status, [c.text for c in item.content]) if item.type == "message"
            else (item.type, item.status, item.name, item.arguments) for item in output]


named = dict(model=model, input=question, tools=tools, tool_choice={"type": "function", "name": "add"},
             max_output_tokens=60, temperature=0)
whole = client.responses.create(**named)
events = list(client.responses.create(**named, stream=True))
done = [e.arguments for e in events if e.type == "response.function_call_arguments.done"]
fragments = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
items = [e.item for e in events if e.type == "response.output_item.done" and e.item.type == "function_call"]
assert len(done) == 1 and "".join(fragments) == done[0] and items[0].arguments == done[0], events
assert len(fragments) > 2, fragments
assert set(json.loads(done[0])) == {"a", "b"} and events[-1].type == "response.completed", events
assert without_ids(events[-1].response.output) == without_ids(whole.output), (events[-1].response.output, whole.output)

# With tool_choice auto, SmolLM2 (its template shows no tools, so the instructions teach it Hermes' format) answers
# with text, then a call: the text streams into the message item before the call's item starts. The SDK's stream
# helper checks the item lifecycle as it assembles the response.
weather = [{"type": "function", "name": "get_weather", "description": "The current weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
teach = ('You can call tools. To call a tool, write <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>.\n'
         'Tools: get_weather(city): the current weather in a city.\n'
         'Example:\nUser: What is the weather in Rome?\nAssistant: Let me check.\n'
         '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>')
auto = dict(model=model, instructions=teach, input="What is the weather in Paris?", tools=weather,
            max_output_tokens=80, temperature=0)
whole = client.responses.create(**auto)
assert [item.type for item in whole.output] == ["message", "function_call"], whole.output
with client.responses.stream(**auto) as stream:
    types = [e.type for e in stream]
    final = stream.get_final_response()
assert final.status == "completed" and without_ids(final.output) == without_ids(whole.output), (final, whole)
assert types.index("response.output_text.delta") < types.index("response.function_call_arguments.delta"), types
assert types.count("response.function_call_arguments.delta") > 2, types
print("ok streamed tools", done[0], repr(whole.output_text), whole.output[1].arguments)

r = client.responses.create(model=reasoner, input="hi", max_output_tokens=8, temperature=0)
reasoning = [item for item in r.output if item.type == "reasoning"]
assert reasoning and reasoning[0].content[0].type == "reasoning_text" and reasoning[0].content[0].text, r.output
assert r.usage.output_tokens_details.reasoning_tokens > 0, r.usage
events = list(client.responses.create(model=reasoner, input="hi", max_output_tokens=8, temperature=0, stream=True))
thought = "".join(e.delta for e in events if e.type == "response.reasoning_text.delta")
assert thought == reasoning[0].content[0].text, (thought, reasoning)
print("ok reasoning", r.usage.output_tokens_details.reasoning_tokens, "tokens")

try:
    client.responses.create(model=model, input="hi", previous_response_id=r.id)
    raise AssertionError("previous_response_id was accepted")
except openai.BadRequestError as e:
    assert e.body["param"] == "previous_response_id", e.body
print("ok refusals")
