package io.mcpserver.plugins.conformance;

import io.mcpserver.spi.LogLevel;
import io.mcpserver.spi.client.ClientFeature;
import io.mcpserver.spi.client.InputRequest;
import io.mcpserver.spi.client.InputResponses;
import io.mcpserver.spi.client.Root;
import io.mcpserver.spi.client.SamplingRequest;
import io.mcpserver.spi.prompts.Prompt;
import io.mcpserver.spi.prompts.PromptDescriptor;
import io.mcpserver.spi.prompts.PromptResult;
import io.mcpserver.spi.tools.Tool;
import io.mcpserver.spi.tools.ToolDescriptor;
import io.mcpserver.spi.tools.ToolResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The tools and the prompt of the alpha suite's multi-round ({@code input-required-result-*}), stateless
 * ({@code server-stateless}) and header ({@code http-custom-header-server-validation}) scenarios.
 */
final class InputFixtures {

    private InputFixtures() {
    }

    static List<Tool> tools() {
        return List.of(
                Tool.of(noArgs("test_input_required_result_elicitation", "Asks the user's name (key user_name)"),
                        (args, ctx) -> ToolResult.text("Hello, " + ctx.ask(Map.of("user_name", askName()))
                                .elicitation("user_name").content().get("name") + "!")),
                Tool.of(noArgs("test_input_required_result_sampling", "Asks the model a question (key capital_question)"),
                        (args, ctx) -> ToolResult.text("The model said: " + ctx.ask(Map.of("capital_question",
                                InputRequest.sample(SamplingRequest.ofUserText("What is the capital of France?", 100))))
                                .sampling("capital_question").text())),
                Tool.of(noArgs("test_input_required_result_list_roots", "Asks for the client's roots (key client_roots)"),
                        (args, ctx) -> ToolResult.text("Roots: " + names(ctx.ask(Map.of("client_roots",
                                InputRequest.roots())).roots("client_roots")))),
                Tool.of(noArgs("test_input_required_result_request_state",
                                "Asks for a confirmation (key confirm); the answer comes back with the sealed state"),
                        (args, ctx) -> ToolResult.text("state-ok: confirmed=" + ctx.ask(Map.of("confirm",
                                InputRequest.elicit("Please confirm", TaskFixtures.object(Map.of("ok",
                                        Map.of("type", "boolean")))))).elicitation("confirm").content().get("ok"))),
                Tool.of(noArgs("test_input_required_result_multiple_inputs",
                                "Asks three things in one round: user_name, greeting (sampling), client_roots"),
                        (args, ctx) -> {
                            Map<String, InputRequest> asks = new LinkedHashMap<>();
                            asks.put("user_name", askName());
                            asks.put("greeting", InputRequest.sample(SamplingRequest.ofUserText("Generate a greeting",
                                    50)));
                            asks.put("client_roots", InputRequest.roots());
                            InputResponses r = ctx.ask(asks);
                            return ToolResult.text(r.sampling("greeting").text() + " "
                                    + r.elicitation("user_name").content().get("name") + " (roots: "
                                    + names(r.roots("client_roots")) + ")");
                        }),
                Tool.of(noArgs("test_input_required_result_multi_round", "Asks step1, then step2, in two rounds"),
                        (args, ctx) -> {
                            Object name = ctx.ask(Map.of("step1", InputRequest.elicit("Step 1: What is your name?",
                                    TaskFixtures.nameSchema()))).elicitation("step1").content().get("name");
                            Map<String, Object> color = TaskFixtures.object(Map.of("color", Map.of("type", "string")));
                            color.put("required", List.of("color"));
                            Object c = ctx.ask(Map.of("step2", InputRequest.elicit(
                                    "Step 2: What is your favorite color?", color))).elicitation("step2")
                                    .content().get("color");
                            return ToolResult.text(name + " likes " + c);
                        }),
                Tool.of(noArgs("test_input_required_result_tampered_state",
                                "Asks for a confirmation; a retry with an altered requestState is refused"),
                        (args, ctx) -> ToolResult.text("confirmed: " + ctx.ask(Map.of("confirm",
                                InputRequest.elicit("Please confirm", TaskFixtures.object(Map.of("ok",
                                        Map.of("type", "boolean")))))).elicitation("confirm").action())),
                Tool.of(noArgs("test_input_required_result_capabilities",
                                "Asks only for what the client declared: elicitation and/or sampling"),
                        (args, ctx) -> {
                            Map<String, InputRequest> asks = new LinkedHashMap<>();
                            if (ctx.clientSupports(ClientFeature.ELICITATION)) {
                                asks.put("user_name", askName());
                            }
                            if (ctx.clientSupports(ClientFeature.SAMPLING)) {
                                asks.put("greeting", InputRequest.sample(SamplingRequest.ofUserText("Say hello", 20)));
                            }
                            if (asks.isEmpty()) {
                                return ToolResult.text("The client can be asked nothing");
                            }
                            return ToolResult.text("Answered: " + ctx.ask(asks).asMap().keySet());
                        }),
                Tool.of(noArgs("test_missing_capability",
                                "Needs sampling: without the capability the call fails with -32021"),
                        (args, ctx) -> ToolResult.text("The model said: " + ctx.sample(
                                SamplingRequest.ofUserText("Say hello", 20)).text())),
                Tool.of(noArgs("test_streaming_elicitation",
                                "Asks the user something: in 2026-07-28 an input_required result, never a request "
                                        + "on the response stream"),
                        (args, ctx) -> ToolResult.text("User said: " + ctx.elicit("Anything to add?",
                                TaskFixtures.object(Map.of("note", Map.of("type", "string")))).content())),
                Tool.of(noArgs("test_logging_tool",
                                "Logs three info messages; they are sent only when the request asks for a log level"),
                        (args, ctx) -> {
                            for (int i = 1; i <= 3; i++) {
                                ctx.log(LogLevel.INFO, "conformance", "log message " + i);
                            }
                            return ToolResult.text("Logged three messages");
                        }),
                Tool.of(ToolDescriptor.builder("test_header_param")
                                .description("Has a string parameter mirrored into the Mcp-Param-Region header "
                                        + "(x-mcp-header)")
                                .inputSchema(headerSchema()).build(),
                        (args, ctx) -> ToolResult.text("region=" + args.get("region"))));
    }

    static List<Prompt> prompts() {
        return List.of(Prompt.of(PromptDescriptor.builder("test_input_required_result_prompt").title("Prompt That Asks")
                        .description("Asks the user for context (key user_context) before it is built").build(),
                (args, ctx) -> {
                    Map<String, Object> schema = TaskFixtures.object(Map.of("context", Map.of("type", "string")));
                    schema.put("required", List.of("context"));
                    Object context = ctx.ask(Map.of("user_context", InputRequest.elicit(
                            "What context should the prompt use?", schema))).elicitation("user_context")
                            .content().get("context");
                    return PromptResult.ofUserText(null, "Use this context: " + context);
                }));
    }

    private static InputRequest askName() {
        return InputRequest.elicit("What is your name?", TaskFixtures.nameSchema());
    }

    private static String names(List<Root> roots) {
        return roots.stream().map(r -> r.name() == null ? r.uri() : r.name()).collect(Collectors.joining(", "));
    }

    private static ToolDescriptor noArgs(String name, String description) {
        return ToolDescriptor.builder(name).description(description).build();
    }

    static Map<String, Object> headerSchema() {
        Map<String, Object> region = new LinkedHashMap<>();
        region.put("type", "string");
        region.put("description", "where to run; also sent as Mcp-Param-Region");
        region.put("x-mcp-header", "Region");
        Map<String, Object> schema = TaskFixtures.object(Map.of("region", region));
        schema.put("required", List.of("region"));
        return schema;
    }
}
