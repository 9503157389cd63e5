package io.quiver.models.chat;

/** A request names a LoRA adapter its model does not hold (never loaded, or unloaded since); the API answers 404. */
public class AdapterNotFoundException extends RuntimeException {
    private final String adapter;

    public AdapterNotFoundException(String adapter) {
        super("The LoRA adapter '" + adapter + "' is not loaded");
        this.adapter = adapter;
    }

    public String adapter() {
        return adapter;
    }
}
