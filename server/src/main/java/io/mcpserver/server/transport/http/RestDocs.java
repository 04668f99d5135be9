package io.mcpserver.server.transport.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mcpserver.server.protocol.ErrorCodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /docs}: Swagger UI over the REST facade's {@code /openapi.json}, served from the
 * {@code org.webjars:swagger-ui} JAR on the class path (no CDN: the page works offline and behind a strict egress),
 * with a token field whose bearer token goes on every request the page makes, the document's included (which then
 * lists the caller's tools).
 */
final class RestDocs implements HttpService {

    /** The WebJar's version: its files live under this path in the JAR. */
    static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.34.1/";
    /** The WebJar files the page uses, and their media types. */
    private static final Map<String, String> FILES = Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private final RequestGuard guard;
    private final String title;
    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    RestDocs(RequestGuard guard, String serverName) {
        this.guard = guard;
        this.title = serverName.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + " REST API";
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/docs", this::page)
                .get("/docs/", this::page)
                .get("/docs/docs.js", (req, res) -> send(req, res, "text/javascript; charset=utf-8",
                        SCRIPT.getBytes(StandardCharsets.UTF_8)))
                .get("/docs/{file}", this::file);
    }

    private void page(ServerRequest req, ServerResponse res) {
        send(req, res, "text/html; charset=utf-8", PAGE.formatted(title).getBytes(StandardCharsets.UTF_8));
    }

    private void file(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("file");
        String type = FILES.get(name);
        if (type == null) {
            if (guard.admit(req, res, RestProblem::send)) {
                RestProblem.send(res, Status.NOT_FOUND_404, ErrorCodes.METHOD_NOT_FOUND, "Not Found: /docs/" + name);
            }
            return;
        }
        byte[] bytes = cache.computeIfAbsent(name, RestDocs::read);
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=86400"); // versioned with the server's JAR
        send(req, res, type, bytes);
    }

    private void send(ServerRequest req, ServerResponse res, String type, byte[] bytes) {
        if (!guard.admit(req, res, RestProblem::send)) { // the Host rule (DNS rebinding), as for every route
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.status(Status.OK_200).send(bytes);
    }

    private static byte[] read(String name) {
        try (InputStream in = RestDocs.class.getClassLoader().getResourceAsStream(SWAGGER_UI + name)) {
            if (in == null) {
                throw new IllegalStateException("Swagger UI's " + name + " is not on the class path (the "
                        + "org.webjars:swagger-ui JAR is missing from lib/)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String PAGE = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>%s</title>
              <link rel="stylesheet" href="/docs/swagger-ui.css">
              <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
              <style>
                body { margin: 0; }
                #token-bar { font-family: sans-serif; padding: 8px 20px; background: #1b1b1b; color: #fff; }
                #token-bar input { width: 28em; }
              </style>
            </head>
            <body>
              <form id="token-bar">
                <label>Bearer token <input id="token" type="password" autocomplete="off"
                  placeholder="needed when the server's security is on"></label>
                <button type="submit">Use</button> <span id="token-state"></span>
              </form>
              <div id="swagger-ui"></div>
              <script src="/docs/swagger-ui-bundle.js"></script>
              <script src="/docs/docs.js"></script>
            </body>
            </html>
            """;

    /** The token is kept for this tab only (sessionStorage) and sent on every request, the document's too. */
    private static final String SCRIPT = """
            'use strict';
            const KEY = 'mcp-rest-token';
            const token = () => sessionStorage.getItem(KEY) || '';
            function start() {
              document.getElementById('token-state').textContent = token() ? 'token set' : '';
              window.ui = SwaggerUIBundle({
                url: '/openapi.json',
                dom_id: '#swagger-ui',
                deepLinking: true,
                requestInterceptor: (request) => {
                  if (token() && !request.headers.Authorization) {
                    request.headers.Authorization = 'Bearer ' + token();
                  }
                  return request;
                },
              });
            }
            document.getElementById('token-bar').addEventListener('submit', (event) => {
              event.preventDefault();
              sessionStorage.setItem(KEY, document.getElementById('token').value.trim());
              start(); // the document again, with the tools this token may call
            });
            start();
            """;
}
