package io.mcpserver.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the launcher's flags set; with {@code --stdio} each network transport is on only if its port is given. */
class CommandLineTest {

    @Test
    void stdioAloneKeepsBothNetworkTransportsOff() {
        Map<String, String> set = CommandLine.parse(new String[] {"--stdio"}).overrides();
        assertEquals("true", set.get("transports.stdio.enabled"));
        assertEquals("false", set.get("transports.tcp.enabled"));
        assertEquals("false", set.get("transports.http.enabled"));
    }

    @Test
    void stdioWithAnHttpPortOpensHttpOnly() {
        // the build's class-data training run uses exactly these flags: TCP on its default port 9000 made it
        // fail whenever another server (another build) held that port
        Map<String, String> set = CommandLine.parse(new String[] {"--stdio", "--http-port", "0"}).overrides();
        assertEquals("true", set.get("transports.http.enabled"));
        assertEquals("0", set.get("transports.http.port"));
        assertEquals("false", set.get("transports.tcp.enabled"));
    }

    @Test
    void stdioWithATcpPortOpensTcpOnly() {
        Map<String, String> set = CommandLine.parse(new String[] {"--stdio", "--tcp-port=0"}).overrides();
        assertEquals("true", set.get("transports.tcp.enabled"));
        assertEquals("0", set.get("transports.tcp.port"));
        assertEquals("false", set.get("transports.http.enabled"));
    }

    @Test
    void withoutStdioAPortFlagLeavesTheOtherTransportToTheConfiguration() {
        Map<String, String> set = CommandLine.parse(new String[] {"--http-port", "9101"}).overrides();
        assertEquals("9101", set.get("transports.http.port"));
        assertFalse(set.containsKey("transports.tcp.enabled"));
        assertFalse(set.containsKey("transports.stdio.enabled"));
    }

    @Test
    void aSetWithoutAValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(new String[] {"--set", "x"}));
    }
}
