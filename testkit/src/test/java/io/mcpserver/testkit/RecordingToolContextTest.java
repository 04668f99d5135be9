package io.mcpserver.testkit;

import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.UnsupportedByClientException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingToolContextTest {

    @Test
    void recordsProgressAndLogsAndCancelsAfterTheGivenReportRunningTheCancelActions() {
        AtomicInteger ran = new AtomicInteger();
        RecordingToolContext context = new RecordingToolContext().cancelAfterProgress(2);
        context.onCancel(ran::incrementAndGet);
        context.progress(1, 3.0, "one");
        assertFalse(context.isCancelled());
        context.progress(2, 3.0, null);
        context.log(LogLevel.INFO, "step two");
        assertTrue(context.isCancelled());
        assertEquals(1, ran.get());
        context.onCancel(ran::incrementAndGet);
        assertEquals(2, ran.get(), "an action added after the cancellation runs at once");
        assertEquals(List.of(new RecordingToolContext.Progress(1, 3.0, "one"),
                new RecordingToolContext.Progress(2, 3.0, null)), context.progress());
        assertEquals(List.of(new RecordingToolContext.Log(LogLevel.INFO, null, "step two")), context.logs());
    }

    @Test
    void asksOnlyWhatTheClientDeclaresAsTheServerDoes() throws Exception {
        RecordingToolContext none = new RecordingToolContext();
        assertThrows(UnsupportedByClientException.class, none::roots);
        assertThrows(UnsupportedByClientException.class, () -> none.elicit("?", Map.of()));

        RecordingToolContext declared = new RecordingToolContext().supporting(ClientFeature.ELICITATION);
        IllegalStateException noAnswer = assertThrows(IllegalStateException.class, () -> declared.elicit("?", Map.of()));
        assertTrue(noAnswer.getMessage().contains("elicitor"), noAnswer.getMessage());

        declared.elicitor((message, schema) -> new ElicitationResult("accept", Map.of("name", message)));
        assertEquals(Map.of("name", "who?"), declared.elicit("who?", Map.of("type", "object")).content());
        assertEquals(List.of(Map.of("type", "object")), declared.elicitationSchemas());
        assertEquals(RecordingToolContext.DEFAULT_CALLER, declared.caller());
    }
}
