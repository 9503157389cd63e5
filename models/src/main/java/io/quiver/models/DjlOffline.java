package io.quiver.models;

/**
 * Tells DJL, before its first use, that it runs offline: no model hub, no update check, and no telemetry call home
 * (requests to the EC2 metadata service and to DJL's telemetry bucket, each with a 1 s connect timeout, that the
 * first tokenizer load would otherwise make on the start's critical path). Nothing is downloaded at run time.
 */
public final class DjlOffline {
    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private DjlOffline() {
    }

    /** Loads this class, whose initializer sets DJL's properties; call it before any DJL class is used. */
    public static void ensure() {
        // The static initializer did the work.
    }
}
