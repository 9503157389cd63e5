// Streamed tool calls with the official openai Node SDK: its stream helper assembles, from the argument fragments,
// the same calls as the non-streamed answer, and runTools runs one tool-using turn on them.
//   node streamed_tools.mjs http://127.0.0.1:8080/v1 smollm2 tiny-random-deepseek-r1
// The first model is the real SmolLM2 (its own template shows no tools, so the system turn teaches it Hermes' call
// format); the second answers in DeepSeek's format under tool_choice required. Prints one "ok" line per check; any
// failure throws (non-zero exit).
import assert from "node:assert/strict";
import OpenAI from "openai";

const [base, real, tiny] = process.argv.slice(2);
const client = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0 });

const tool = (name, properties) => ({ type: "function", function: { name, strict: true, parameters: {
  type: "object", properties, required: Object.keys(properties), additionalProperties: false } } });
const callsOf = (message) => (message.tool_calls ?? []).map((c) => [c.function.name, c.function.arguments]);

/** The stream helper's events (type and payload) and final completion. */
async function streamed(request) {
  const stream = client.chat.completions.stream(request);
  const events = [];
  stream.on("content.delta", (e) => events.push(["content", e.delta]));
  stream.on("tool_calls.function.arguments.delta", (e) => events.push(["arguments", e.arguments_delta]));
  stream.on("tool_calls.function.arguments.done", (e) => events.push(["done", e.parsed_arguments]));
  return [events, await stream.finalChatCompletion()];
}

const system = 'You can call tools. To call a tool, write <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>.\n'
  + "Tools: get_weather(city): the current weather in a city.\n"
  + "Example:\nUser: What is the weather in Rome?\nAssistant: Let me check.\n"
  + '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>';
const messages = [{ role: "system", content: system }, { role: "user", content: "What is the weather in Paris?" }];
const auto = { model: real, messages, tools: [tool("get_weather", { city: { type: "string" } })], temperature: 0,
  max_tokens: 80 };

const whole = await client.chat.completions.create(auto);
assert.equal(whole.choices[0].finish_reason, "tool_calls");
let [events, final] = await streamed(auto);
assert.equal(final.choices[0].finish_reason, "tool_calls");
assert.equal(final.choices[0].message.content, whole.choices[0].message.content);
assert.deepEqual(callsOf(final.choices[0].message), callsOf(whole.choices[0].message));
const kinds = events.map(([kind]) => kind);
assert.ok(kinds.filter((k) => k === "arguments").length > 2, JSON.stringify(events));
assert.ok(kinds.indexOf("content") < kinds.indexOf("arguments"), JSON.stringify(events));
assert.deepEqual(events.find(([kind]) => kind === "done")[1],
  JSON.parse(whole.choices[0].message.tool_calls[0].function.arguments));
console.log("ok auto", JSON.stringify(callsOf(final.choices[0].message)));

// One agent turn: the streamed call runs the function, its result goes back, the model answers in text.
const ran = [];
const runner = client.chat.completions.runTools({ ...auto, stream: true, tools: [{ type: "function", function: {
  name: "get_weather", parse: JSON.parse, parameters: auto.tools[0].function.parameters,
  function: (args) => { ran.push(args); return `18 C and sunny in ${args.city}`; } } }] }, { maxChatCompletions: 3 });
const answer = await runner.finalChatCompletion();
assert.deepEqual(ran, [JSON.parse(whole.choices[0].message.tool_calls[0].function.arguments)]);
assert.equal(answer.choices[0].finish_reason, "stop");
assert.equal(typeof answer.choices[0].message.content, "string");
console.log("ok runTools", JSON.stringify(ran), JSON.stringify(answer.choices[0].message.content));

const forced = { model: tiny, messages: [{ role: "user", content: "What is 2 + 2?" }], tool_choice: "required",
  tools: [tool("add", { a: { type: "integer", minimum: 0, maximum: 9 }, b: { type: "integer", minimum: 0, maximum: 9 } })],
  max_tokens: 300, temperature: 1, seed: 3 };
const forcedWhole = await client.chat.completions.create(forced);
[events, final] = await streamed(forced);
assert.equal(final.choices[0].finish_reason, "tool_calls");
assert.deepEqual(callsOf(final.choices[0].message), callsOf(forcedWhole.choices[0].message));
assert.ok(events.filter(([kind]) => kind === "arguments").length > 2, JSON.stringify(events));
console.log("ok required", JSON.stringify(callsOf(final.choices[0].message)));
