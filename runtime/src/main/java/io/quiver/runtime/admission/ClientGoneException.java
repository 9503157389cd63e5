package io.quiver.runtime.admission;

/** The client closed its connection while its request waited or ran; nothing is sent back. */
public class ClientGoneException extends RuntimeException {
    public ClientGoneException() {
        super("client closed the connection", null, false, false);
    }
}
