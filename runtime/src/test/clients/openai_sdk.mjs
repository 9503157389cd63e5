// The official openai Node SDK against a running server: logprobs, n=2, json_schema, a tool round trip.
//   node openai_sdk.mjs http://127.0.0.1:8080/v1 tiny-random-deepseek-r1
// Prints one "ok" line per check; any failure throws (non-zero exit).
import assert from "node:assert/strict";
import OpenAI from "openai";

const [base, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0 });
const user = [{ role: "user", content: "What is 2 + 2?" }];

let r = await client.chat.completions.create({ model, messages: user, max_tokens: 5, temperature: 0, logprobs: true,
  top_logprobs: 2 });
const content = r.choices[0].logprobs.content;
assert.equal(content.length, 5);
assert.ok(content.every((t) => t.top_logprobs.length === 2 && t.logprob <= 0));
console.log("ok logprobs");

r = await client.chat.completions.create({ model, messages: user, max_tokens: 4, temperature: 1, seed: 1, n: 2 });
assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
console.log("ok n=2");

const schema = { type: "object", properties: { answer: { type: "integer", minimum: 0, maximum: 9 } },
  required: ["answer"], additionalProperties: false };
r = await client.chat.completions.create({ model, messages: user, max_tokens: 40, temperature: 1, seed: 2,
  response_format: { type: "json_schema", json_schema: { name: "sum", schema, strict: true } } });
const value = JSON.parse(r.choices[0].message.content);
assert.deepEqual(Object.keys(value), ["answer"]);
console.log("ok json_schema", value);

const tools = [{ type: "function", function: { name: "add", parameters: { type: "object",
  properties: { a: { type: "integer", minimum: 0, maximum: 9 }, b: { type: "integer", minimum: 0, maximum: 9 } },
  required: ["a", "b"] } } }];
r = await client.chat.completions.create({ model, messages: user, tools, tool_choice: "required", max_tokens: 300,
  temperature: 1, seed: 3 });
const choice = r.choices[0];
assert.equal(choice.finish_reason, "tool_calls");
const call = choice.message.tool_calls[0];
const args = JSON.parse(call.function.arguments);
assert.equal(call.function.name, "add");
r = await client.chat.completions.create({ model, tools, tool_choice: "none", max_tokens: 4, messages: [...user,
  choice.message, { role: "tool", tool_call_id: call.id, content: String(args.a + args.b) }] });
assert.ok(typeof r.choices[0].message.content === "string");
console.log("ok tools", args);
