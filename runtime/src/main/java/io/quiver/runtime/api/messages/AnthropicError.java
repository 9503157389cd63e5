package io.quiver.runtime.api.messages;

import io.quiver.runtime.api.chat.Wire;

/**
 * Anthropic's error envelope, {@code {"type": "error", "error": {"type", "message"}}}, which the Messages routes
 * answer with instead of OpenAI's. The status stays Quiver's; the type is the one Anthropic documents for it.
 */
public record AnthropicError(String type, Detail error) implements Wire.Named {
    /** The routes that answer in this shape: {@code /v1/messages} and what lies under it. */
    public static final String ROUTE = "/v1/messages";

    public record Detail(String type, String message) {
    }

    public static AnthropicError of(int status, String message) {
        return new AnthropicError("error", new Detail(type(status), message));
    }

    /**
     * Anthropic's type for a status. Quiver answers overload (past the cap and the queue, draining, models still
     * loading) with 503 and {@code Retry-After}, where Anthropic's API uses 529: the status stays 503, which load
     * balancers and Knative read as "try elsewhere", and the type says {@code overloaded_error}.
     */
    static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> status < 500 ? "invalid_request_error" : "api_error";
        };
    }

    /** Whether a request path is one of the Messages routes. */
    public static boolean covers(String path) {
        return path.equals(ROUTE) || path.startsWith(ROUTE + "/");
    }
}
