"""Streamed tool calls with the official openai Python SDK: its stream helper assembles, from the argument fragments,
the same calls as the non-streamed answer.

    python streamed_tools.py http://127.0.0.1:8080/v1 smollm2 tiny-random-deepseek-r1
The first model is the real SmolLM2 (its own template shows no tools, so the system turn teaches it Hermes' call
format); the second answers in DeepSeek's format under tool_choice required. Prints one "ok" line per check; any
failure raises (non-zero exit).
"""
import json
import sys

import openai

base, real, tiny = sys.argv[1], sys.argv[2], sys.argv[3]
client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)


def tool(name, properties):
    # strict: the SDK's stream helper only takes strict tools, and parses their arguments.
    return {"type": "function", "function": {"name": name, "strict": True, "parameters": {
        "type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}}}


def call_of(message):
    return [(c.function.name, c.function.arguments) for c in message.tool_calls or []]


def streamed(**request):
    """The stream helper's events and final completion."""
    with client.chat.completions.stream(**request) as stream:
        events = [event.type for event in stream]
        return events, stream.get_final_completion()


weather = [tool("get_weather", {"city": {"type": "string", "maxLength": 20}})]
system = ('You can call tools. To call a tool, write <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>.\n'
          'Tools: get_weather(city): the current weather in a city.\n'
          'Example:\nUser: What is the weather in Rome?\nAssistant: Let me check.\n'
          '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>')
auto = dict(model=real, messages=[{"role": "system", "content": system},
                                  {"role": "user", "content": "What is the weather in Paris?"}],
            tools=weather, temperature=0, max_tokens=80)

whole = client.chat.completions.create(**auto)
choice = whole.choices[0]
assert choice.finish_reason == "tool_calls" and choice.message.content, whole
assert [name for name, _ in call_of(choice.message)] == ["get_weather"], whole
events, final = streamed(**auto)
got = final.choices[0]
assert got.finish_reason == "tool_calls", final
assert got.message.content == choice.message.content, (got.message.content, choice.message.content)
assert call_of(got.message) == call_of(choice.message), (call_of(got.message), call_of(choice.message))
assert got.message.tool_calls[0].function.parsed_arguments == json.loads(choice.message.tool_calls[0].function.arguments)
fragments = events.count("tool_calls.function.arguments.delta")
assert fragments > 2, events
assert events.index("content.delta") < events.index("tool_calls.function.arguments.delta"), events
assert "tool_calls.function.arguments.done" in events, events
print("ok auto", got.message.content, call_of(got.message), fragments, "fragments")

one = client.chat.completions.create(**auto, parallel_tool_calls=False)
assert call_of(one.choices[0].message) == call_of(choice.message), one
assert one.usage.completion_tokens < whole.usage.completion_tokens, (one.usage, whole.usage)
print("ok parallel_tool_calls false", one.usage.completion_tokens, "tokens, not", whole.usage.completion_tokens)

add = [tool("add", {"a": {"type": "integer", "minimum": 0, "maximum": 9},
                    "b": {"type": "integer", "minimum": 0, "maximum": 9}})]
forced = dict(model=tiny, messages=[{"role": "user", "content": "What is 2 + 2?"}], tools=add,
              tool_choice="required", max_tokens=300, temperature=1.0, seed=3)
whole = client.chat.completions.create(**forced)
events, final = streamed(**forced)
assert final.choices[0].finish_reason == "tool_calls", final
assert call_of(final.choices[0].message) == call_of(whole.choices[0].message), (final, whole)
assert set(final.choices[0].message.tool_calls[0].function.parsed_arguments) == {"a", "b"}, final
assert events.count("tool_calls.function.arguments.delta") > 2, events
print("ok required", call_of(final.choices[0].message))
