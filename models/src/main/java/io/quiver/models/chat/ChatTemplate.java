package io.quiver.models.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.quiver.models.InvalidRequestException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a Hugging Face chat template (Jinja) with Jinjava, configured as transformers does it: trim_blocks and
 * lstrip_blocks on, {@code raise_exception} and {@code strftime_now} available, bos/eos tokens bound.
 *
 * <p>The template (from the model folder or the configuration) is trusted; what a request brings is data. So
 * nested interpretation is off (Jinjava would otherwise evaluate {@code {{ … }}} found inside a message's text),
 * tags that reach outside the template ({@code include}, {@code import}, {@code from}, {@code extends}) are
 * disabled, and a render is bounded in output, list and string sizes and ranges.
 * Thread-safe: each render gets its own interpreter context.
 */
final class ChatTemplate {
    /** Elements one list or map of a render may hold, and the largest {@code range()}: messages are bounded before. */
    private static final int MAX_COLLECTION = 100_000;

    private final String template;
    private final Jinjava jinjava;
    private final long maxOutputChars;
    private final Map<String, Object> globals = new HashMap<>();
    private final boolean argumentsAsObjects;

    ChatTemplate(String template, String bosToken, String eosToken, long maxOutputChars) {
        this.template = template;
        this.maxOutputChars = maxOutputChars;
        this.argumentsAsObjects = template.replace(" ", "").contains("arguments|tojson");
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withNestedInterpretationEnabled(false)
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                .withMaxOutputSize(maxOutputChars)
                .withMaxStringLength(maxOutputChars)
                .withMaxListSize(MAX_COLLECTION)
                .withMaxMapSize(MAX_COLLECTION)
                .withRangeLimit(MAX_COLLECTION)
                .withMaxRenderDepth(10)
                .withMaxMacroRecursionDepth(10)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class, "strftimeNow", String.class));
        globals.put("bos_token", bosToken == null ? "" : bosToken);
        globals.put("eos_token", eosToken == null ? "" : eosToken);
    }

    String source() {
        return template;
    }

    String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, null);
    }

    /**
     * {@code tools}: OpenAI's tool definitions as the template's {@code tools} (null: undefined). Tool calls are
     * {@code {id, type: function, function: {name, arguments}}}; the arguments are the JSON text, or the parsed
     * object where the template writes them with {@code tojson} (Qwen, Hermes, Llama 3 do; DeepSeek's concatenates
     * the text).
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt, List<Object> tools) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            if (!m.toolCalls().isEmpty()) {
                List<Map<String, Object>> calls = new ArrayList<>();
                for (ToolCall c : m.toolCalls()) {
                    Map<String, Object> function = new LinkedHashMap<>();
                    function.put("name", c.name());
                    function.put("arguments", argumentsAsObjects ? ToolCalls.parseArguments(c.arguments())
                            : c.arguments());
                    Map<String, Object> call = new LinkedHashMap<>();
                    call.put("id", c.id());
                    call.put("type", "function");
                    call.put("function", function);
                    calls.add(call);
                }
                map.put("tool_calls", calls);
            }
            if (m.toolCallId() != null) {
                map.put("tool_call_id", m.toolCallId());
            }
            if (m.name() != null) {
                map.put("name", m.name());
            }
            list.add(map);
        }
        Map<String, Object> bindings = new HashMap<>(globals);
        if (tools != null) {
            bindings.put("tools", tools);
        }
        bindings.put("messages", list);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(template, bindings);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new InvalidRequestException("messages", "chat template: " + message(error));
            }
        }
        return result.getOutput();
    }

    private String message(TemplateError error) {
        String message = error.getMessage();
        Throwable cause = error.getException();
        while (cause != null) {
            if (cause instanceof TemplateRaised raised) {
                return raised.getMessage();
            }
            if (cause instanceof OutputTooBigException) {
                return "the rendered prompt is longer than " + maxOutputChars + " characters, more than the "
                        + "context length can hold";
            }
            cause = cause.getCause();
        }
        return message;
    }

    /** {@code raise_exception(message)}: the template rejects the conversation (e.g. roles out of order). */
    public static Object raiseException(String message) {
        throw new TemplateRaised(message);
    }

    /** {@code strftime_now(format)}: today's date, for templates that print it (common strftime codes only). */
    public static String strftimeNow(String format) {
        String pattern = format.replace("%Y", "yyyy").replace("%m", "MM").replace("%d", "dd")
                .replace("%B", "MMMM").replace("%b", "MMM").replace("%A", "EEEE");
        return LocalDate.now().format(DateTimeFormatter.ofPattern(pattern));
    }

    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }
}
