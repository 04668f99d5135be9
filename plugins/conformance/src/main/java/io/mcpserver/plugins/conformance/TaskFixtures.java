package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.client.ElicitationResult;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.tools.TaskSupport;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools the Tasks scenarios of the alpha suite ({@code tasks-*}, io.modelcontextprotocol/tasks) call;
 * see README.md for which scenario uses which.
 */
final class TaskFixtures {

    private TaskFixtures() {
    }

    static List<Tool> all() {
        return List.of(
                Tool.of(ToolDescriptor.builder("greet").description("Greets by name; never a task")
                                .param("name", "string", "who to greet", false).build(),
                        (args, ctx) -> ToolResult.text("Hello, " + args.getOrDefault("name", "World") + "!")),
                Tool.of(ToolDescriptor.builder("slow_compute")
                                .description("Sleeps for `seconds` and then answers; runs as a task when the client can")
                                .param("seconds", "number", "how long to work (0 answers at once)", false)
                                .param("label", "string", "echoed in the result", false)
                                .taskSupport(TaskSupport.OPTIONAL).build(),
                        (args, ctx) -> {
                            double seconds = args.get("seconds") instanceof Number n ? n.doubleValue() : 1;
                            Thread.sleep((long) (seconds * 1000));
                            return ToolResult.text("Computed " + args.getOrDefault("label", "result") + " after "
                                    + seconds + " s");
                        }),
                Tool.of(ToolDescriptor.builder("failing_job")
                                .description("Runs only as a task and ends, after about a second, with a tool error")
                                .taskSupport(TaskSupport.REQUIRED).build(),
                        (args, ctx) -> {
                            Thread.sleep(1000);
                            return ToolResult.error("The job failed, as it always does");
                        }),
                Tool.of(ToolDescriptor.builder("protocol_error_job")
                                .description("Runs as a task and crashes, so the task fails with a JSON-RPC error")
                                .taskSupport(TaskSupport.OPTIONAL).build(),
                        (args, ctx) -> {
                            throw new AssertionError("protocol_error_job crashes on purpose");
                        }),
                Tool.of(ToolDescriptor.builder("confirm_delete")
                                .description("Asks the user to confirm deleting a file, then reports the decision")
                                .param("filename", "string", "the file to delete", false)
                                .taskSupport(TaskSupport.OPTIONAL).build(),
                        (args, ctx) -> {
                            ElicitationResult r = ctx.elicit("Delete " + args.getOrDefault("filename", "the file") + "?",
                                    object(Map.of("confirm", Map.of("type", "boolean"))));
                            return ToolResult.text(r.accepted() && Boolean.TRUE.equals(r.content().get("confirm"))
                                    ? "Deleted " + args.getOrDefault("filename", "the file") : "Kept the file");
                        }),
                Tool.of(ToolDescriptor.builder("multi_input")
                                .description("Asks two questions at once, then reports both answers")
                                .taskSupport(TaskSupport.OPTIONAL).build(),
                        (args, ctx) -> {
                            Map<String, InputRequest> asks = new LinkedHashMap<>();
                            asks.put("first", InputRequest.elicit("First name?", nameSchema()));
                            asks.put("second", InputRequest.elicit("Second name?", nameSchema()));
                            InputResponses r = ctx.ask(asks);
                            return ToolResult.text("Got " + r.elicitation("first").content().get("name") + " and "
                                    + r.elicitation("second").content().get("name"));
                        }),
                Tool.of(ToolDescriptor.builder("test_tool_with_task")
                                .description("Asks for user_name within the request, then goes on as a task")
                                .taskSupport(TaskSupport.REQUIRED).deferTaskStart(true).build(),
                        (args, ctx) -> {
                            ElicitationResult name = ctx.ask(Map.of("user_name",
                                    InputRequest.elicit("What is your name?", nameSchema()))).elicitation("user_name");
                            ctx.startTask();
                            Thread.sleep(200);
                            return ToolResult.text("Hello, " + name.content().get("name") + "! (from the task)");
                        }));
    }

    static Map<String, Object> nameSchema() {
        Map<String, Object> schema = object(Map.of("name", Map.of("type", "string")));
        schema.put("required", List.of("name"));
        return schema;
    }

    static Map<String, Object> object(Map<String, Object> properties) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        return schema;
    }
}
