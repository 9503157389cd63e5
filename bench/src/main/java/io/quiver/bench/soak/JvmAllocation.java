package io.quiver.bench.soak;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Bytes a local JVM has allocated since it started, read exactly from its threading bean
 * ({@code TotalThreadAllocatedBytes}) over the JVM's own local management agent, which the attach API starts: no
 * option on the server, no port. The metrics' {@code jvm_gc_memory_allocated_bytes_total} moves only when a
 * collection runs, in steps of the young generation, too coarse to compare thirds of a soak whose server allocates
 * little.
 */
final class JvmAllocation implements AutoCloseable {
    private static final String ATTRIBUTE = "TotalThreadAllocatedBytes";

    private final JMXConnector connector;
    private final MBeanServerConnection beans;
    private final ObjectName threading;

    private JvmAllocation(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.beans = connector.getMBeanServerConnection();
        try {
            this.threading = new ObjectName("java.lang:type=Threading");
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JVM with process id {@code pid}, or null (with why on stderr) when it cannot be attached to. */
    static JvmAllocation attach(long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            JvmAllocation allocation = new JvmAllocation(JMXConnectorFactory.connect(new JMXServiceURL(address)));
            if (allocation.megabytes() < 0) {
                allocation.close();
                throw new IllegalStateException("its threading bean has no " + ATTRIBUTE);
            }
            return allocation;
        } catch (Exception | LinkageError e) {
            System.err.println("soak: no exact allocation counter for process " + pid + " (" + e
                    + "); using jvm_gc_memory_allocated_bytes_total");
            return null;
        }
    }

    /** Allocated since the JVM started, in MB; -1 when the reading failed. */
    double megabytes() {
        try {
            return ((Number) beans.getAttribute(threading, ATTRIBUTE)).doubleValue() / (1024 * 1024);
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException ignored) {
            // the server has gone
        }
    }
}
