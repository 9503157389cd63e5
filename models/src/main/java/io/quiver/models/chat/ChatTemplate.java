package io.quiver.models.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
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

/**
 * Renders a Hugging Face chat template (Jinja) with Jinjava, configured as transformers does it: trim_blocks and
 * lstrip_blocks on, {@code raise_exception} and {@code strftime_now} available, bos/eos tokens bound.
 * Thread-safe: each render gets its own interpreter context.
 */
final class ChatTemplate {
    private final String template;
    private final Jinjava jinjava;
    private final Map<String, Object> globals = new HashMap<>();

    ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = template;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
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
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> bindings = new HashMap<>(globals);
        bindings.put("messages", list);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(template, bindings);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                Throwable cause = error.getException();
                while (cause != null) {
                    if (cause instanceof TemplateRaised raised) {
                        message = raised.getMessage();
                    }
                    cause = cause.getCause();
                }
                throw new InvalidRequestException("messages", "chat template: " + message);
            }
        }
        return result.getOutput();
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
