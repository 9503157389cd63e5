"""The official anthropic Python SDK against a running server: messages and their streams, system, multi-turn,
stop_sequences, a tool_use -> tool_result round trip, tool use streamed as it decodes (text, then a call's input in
fragments), thinking blocks, messages.parse, count_tokens and errors.

    python anthropic_sdk.py http://127.0.0.1:8080 tiny-random-deepseek-r1 r1-think smollm2
MODEL is a chat model, THINKING one whose template opens <think>, TOOLS one that answers sensibly (the tool round
trip). Prints one "ok" line per check; any failure raises (non-zero exit).
"""
import sys

import anthropic
import pydantic

base, model, thinking_model, tools_model = sys.argv[1:5]
client = anthropic.Anthropic(base_url=base, api_key="unused", max_retries=0)
# This SDK's create() has no temperature, top_p or top_k any more; they still go on the wire through extra_body.
GREEDY = {"temperature": 0}
system = "You answer in one short sentence."
question = [{"role": "user", "content": "Why is the sky blue?"}]

m = client.messages.create(model=model, max_tokens=12, extra_body=GREEDY, system=system, messages=question,
                           metadata={"user_id": "sdk-test"})
assert m.type == "message" and m.role == "assistant" and m.stop_reason == "max_tokens", m
assert m.usage.output_tokens == 12 and m.usage.input_tokens > 0, m.usage
assert [b.type for b in m.content] == ["text"] and m.content[0].text, m.content
print("ok create", repr(m.content[0].text))

with client.messages.stream(model=model, max_tokens=12, extra_body=GREEDY, system=system, messages=question) as s:
    streamed = "".join(s.text_stream)
    final = s.get_final_message()
assert streamed == m.content[0].text == final.content[0].text, (streamed, final)
assert final.stop_reason == "max_tokens" and final.usage.output_tokens == 12, final
assert final.usage.input_tokens == m.usage.input_tokens, final.usage
print("ok stream")

turns = question + [{"role": "assistant", "content": [{"type": "text", "text": "Rayleigh scattering."}]},
                    {"role": "user", "content": [{"type": "text", "text": "Say more."}]}]
r = client.messages.create(model=model, max_tokens=4, extra_body=GREEDY, system=[{"type": "text", "text": system}],
                           messages=turns)
assert r.usage.input_tokens > m.usage.input_tokens, (r.usage, m.usage)
count = client.messages.count_tokens(model=model, system=[{"type": "text", "text": system}], messages=turns)
assert count.input_tokens == r.usage.input_tokens, (count, r.usage)
print("ok multi-turn, count_tokens", count.input_tokens)

text = m.content[0].text
at = next(i for i in range(2, len(text) - 2) if text.index(text[i:i + 3]) == i and text[i:i + 3].strip())
stop = text[at:at + 3]
r = client.messages.create(model=model, max_tokens=12, extra_body=GREEDY, system=system, messages=question,
                           stop_sequences=[stop])
assert r.stop_reason == "stop_sequence" and r.stop_sequence == stop, r
assert r.content[0].text == text[:at], (r.content, text[:at])
with client.messages.stream(model=model, max_tokens=12, extra_body=GREEDY, system=system, messages=question,
                            stop_sequences=[stop]) as s:
    final = s.get_final_message()
assert final.stop_reason == "stop_sequence" and final.stop_sequence == stop, final
print("ok stop_sequences", repr(stop))

tools = [{"name": "add", "description": "Adds two integers.", "input_schema": {
    "type": "object", "properties": {"a": {"type": "integer", "minimum": 0, "maximum": 99},
                                     "b": {"type": "integer", "minimum": 0, "maximum": 99}},
    "required": ["a", "b"], "additionalProperties": False}}]
ask = [{"role": "user", "content": "What is 17 + 25? Use the add tool."}]
r = client.messages.create(model=tools_model, max_tokens=60, extra_body=GREEDY, messages=ask, tools=tools,
                           tool_choice={"type": "tool", "name": "add"})
assert r.stop_reason == "tool_use", r
use = r.content[-1]
assert use.type == "tool_use" and use.name == "add" and set(use.input) == {"a", "b"}, use
with client.messages.stream(model=tools_model, max_tokens=60, extra_body=GREEDY, messages=ask, tools=tools,
                            tool_choice={"type": "tool", "name": "add"}) as s:
    events = list(s)
    final = s.get_final_message()
assert final.stop_reason == "tool_use" and final.content[-1].input == use.input, final
# The input streams as it decodes: the tool_use block starts, then its input comes in fragments.
types = [e.type for e in events]
started = next(i for i, e in enumerate(events) if e.type == "content_block_start" and e.content_block.type == "tool_use")
assert types.count("input_json") > 2 and started < types.index("input_json"), types
assert [e for e in events if e.type == "input_json"][-1].snapshot == use.input, events
result = [{"type": "tool_result", "tool_use_id": use.id, "content": str(use.input["a"] + use.input["b"])}]
followup = ask + [r.to_param(), {"role": "user", "content": result}]
r = client.messages.create(model=tools_model, max_tokens=24, extra_body=GREEDY, messages=followup, tools=tools)
assert r.stop_reason in ("end_turn", "max_tokens") and r.content[0].type == "text" and r.content[0].text, r
assert client.messages.count_tokens(model=tools_model, messages=followup, tools=tools).input_tokens \
    == r.usage.input_tokens
print("ok tools", use.input, "->", repr(r.content[0].text))

# Tool use read as it decodes: SmolLM2's own template shows no tools, so the system turn teaches it Hermes' format;
# it answers with text, then a call. The stream helper assembles the same message from the deltas.
weather = [{"name": "get_weather", "description": "The current weather in a city.", "input_schema": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
teach = ('You can call tools. To call a tool, write <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>.\n'
         'Tools: get_weather(city): the current weather in a city.\n'
         'Example:\nUser: What is the weather in Rome?\nAssistant: Let me check.\n'
         '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>')
auto = dict(model=tools_model, max_tokens=80, extra_body=GREEDY, system=teach, tools=weather,
            messages=[{"role": "user", "content": "What is the weather in Paris?"}])
whole = client.messages.create(**auto)
assert whole.stop_reason == "tool_use" and [b.type for b in whole.content] == ["text", "tool_use"], whole
with client.messages.stream(**auto) as s:
    types = [e.type for e in s]
    final = s.get_final_message()
assert final.stop_reason == "tool_use", final
assert [b.model_dump(exclude={"id"}) for b in final.content] == [b.model_dump(exclude={"id"}) for b in whole.content], \
    (final.content, whole.content)
assert types.index("text") < types.index("input_json") and types.count("input_json") > 2, types
print("ok streamed tool_use", repr(final.content[0].text), final.content[1].input, types.count("input_json"),
      "fragments")

r = client.messages.create(model=thinking_model, max_tokens=32, extra_body=GREEDY, messages=question,
                           thinking={"type": "enabled", "budget_tokens": 16})
assert r.content[0].type == "thinking" and r.content[0].thinking, r.content
with client.messages.stream(model=thinking_model, max_tokens=32, extra_body=GREEDY, messages=question,
                            thinking={"type": "enabled", "budget_tokens": 16}) as s:
    kinds = {event.delta.type for event in s if event.type == "content_block_delta"}
    final = s.get_final_message()
assert "thinking_delta" in kinds and final.content[0].thinking == r.content[0].thinking, (kinds, final)
print("ok thinking", len(r.content[0].thinking), "characters")

class Sum(pydantic.BaseModel):
    a: int
    b: int


r = client.messages.parse(model=tools_model, max_tokens=40, messages=ask, output_format=Sum, extra_body=GREEDY)
assert r.stop_reason == "end_turn" and isinstance(r.parsed_output, Sum), r
print("ok parse", r.parsed_output)

try:
    client.messages.create(model=model, max_tokens=4000, messages=question)
    raise AssertionError("max_tokens past the context was answered")
except anthropic.BadRequestError as e:
    assert e.status_code == 400 and e.body["type"] == "error", e.body
    assert e.body["error"]["type"] == "invalid_request_error" and "max_tokens" in e.body["error"]["message"], e.body
try:
    client.messages.create(model="no-such-model", max_tokens=4, messages=question)
    raise AssertionError("an unknown model was answered")
except anthropic.NotFoundError as e:
    assert e.body["error"]["type"] == "not_found_error", e.body
print("ok errors")
